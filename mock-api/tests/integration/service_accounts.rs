//! Service accounts and their keys through the access API: organisation roles, only users
//! create accounts and at most with their own role (never `Owner`), names unique, ed25519 keys
//! that log in until turned off or deleted (their sessions ending with them), deletes that need
//! `force` while keys are active or left, and all of it surviving a restart.

use crate::common::{Api, assert_status, channel, login, restart};
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::{EncodePrivateKey as _, EncodePublicKey as _};
use spirl_api_proto::access::api_client::ApiClient;
use spirl_api_proto::access::*;
use spirl_mock_api::{Credentials, MockOptions, spawn};
use tonic::Code;
use tonic::transport::Channel;

/// `Api` with a user's session token instead of a service account's.
fn as_user(api: &Api, token: String) -> Api {
    Api {
        client: api.client.clone(),
        token,
    }
}

fn role<'a>(roles: &'a [OrgRole], name: &str) -> &'a str {
    &roles.iter().find(|r| r.name == name).expect(name).id
}

fn create(name: &str, role_id: &str) -> CreateServiceAccountRequest {
    CreateServiceAccountRequest {
        name: name.into(),
        description: format!("{name} account"),
        role_id: role_id.into(),
    }
}

fn key_request(account: &str, key: &SigningKey) -> CreateServiceAccountKeyRequest {
    CreateServiceAccountKeyRequest {
        service_account_id: account.into(),
        pub_key: Some(create_service_account_key_request::PubKey::PkixPubkey(
            PkixPublicKey {
                data: key
                    .verifying_key()
                    .to_public_key_der()
                    .expect("DER")
                    .into_vec(),
            },
        )),
    }
}

/// The bootstrap credentials, for another key.
fn credentials_of(base: &Credentials, key_id: &str, key: &SigningKey) -> Credentials {
    Credentials {
        sa_key_id: key_id.into(),
        sa_private_key: key
            .to_pkcs8_pem(Default::default())
            .expect("PEM")
            .to_string(),
        ..base.clone()
    }
}

async fn trust_domain_count(api: &Api) -> Result<usize, tonic::Status> {
    let mut client = api.c();
    let listed = client
        .list_trust_domains(api.req(Default::default()))
        .await?
        .into_inner();
    Ok(listed.trust_domains.len())
}

#[tokio::test]
async fn service_accounts_made_by_users_with_keys_that_log_in_until_turned_off() {
    let dir = tempfile::tempdir().expect("dir");
    let config = || MockOptions {
        data_dir: Some(dir.path().to_owned()),
        ..MockOptions::default()
    };
    let mock = spawn(config()).await.expect("mock");
    let sa = Api::of(&mock).await;
    let owner = as_user(&sa, mock.state.user_session_token().expect("user token"));
    let mut access: ApiClient<Channel> = ApiClient::new(channel(&mock.endpoint).await);

    let roles = access
        .list_org_roles(owner.req(ListOrgRolesRequest {}))
        .await
        .expect("roles")
        .into_inner()
        .roles;
    let names: Vec<&str> = roles.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["Auditor", "Operator", "Administrator", "Owner"]);
    let operator = role(&roles, "Operator");

    // Service accounts cannot create service accounts.
    assert_status(
        access
            .create_service_account(sa.req(create("by-sa", operator)))
            .await,
        Code::PermissionDenied,
        &["service accounts cannot create service accounts"],
    );
    // Nobody makes an Owner service account, nor an unknown role.
    assert_status(
        access
            .create_service_account(owner.req(create("owner", role(&roles, "Owner"))))
            .await,
        Code::InvalidArgument,
        &["role_id", "Owner"],
    );
    assert_status(
        access
            .create_service_account(owner.req(create("nope", "or-nope")))
            .await,
        Code::NotFound,
        &["role_id"],
    );
    // An Operator grants at most Operator.
    mock.state
        .add_user_with_role("ops@example.com", "Operator")
        .expect("user");
    let ops = as_user(
        &sa,
        mock.state
            .session_token_of_user("ops@example.com")
            .expect("ops token"),
    );
    assert_status(
        access
            .create_service_account(ops.req(create("too-much", role(&roles, "Administrator"))))
            .await,
        Code::PermissionDenied,
        &["role_id", "Operator", "Administrator"],
    );
    let audit = access
        .create_service_account(ops.req(create("audit", role(&roles, "Auditor"))))
        .await
        .expect("an Operator makes an Auditor")
        .into_inner()
        .service_account
        .expect("account");
    assert_eq!(
        audit.created_by.as_ref().map(|c| c.email.as_str()),
        Some("ops@example.com")
    );
    assert_status(
        access
            .update_service_account_role(ops.req(UpdateServiceAccountRoleRequest {
                id: audit.id.clone(),
                role_id: role(&roles, "Administrator").into(),
            }))
            .await,
        Code::PermissionDenied,
        &["role_id"],
    );

    let ci = access
        .create_service_account(owner.req(create("ci", operator)))
        .await
        .expect("create")
        .into_inner()
        .service_account
        .expect("account");
    assert!(ci.id.starts_with("sa-"), "{ci:?}");
    assert_eq!(ci.role_id, operator);
    assert_status(
        access
            .create_service_account(owner.req(create("ci", operator)))
            .await,
        Code::AlreadyExists,
        &["ci"],
    );

    // Keys: ed25519 only; a new key logs in.
    let mut bad = key_request(&ci.id, &SigningKey::from_bytes(&[7; 32]));
    if let Some(create_service_account_key_request::PubKey::PkixPubkey(k)) = &mut bad.pub_key {
        k.data.truncate(20);
    }
    assert_status(
        access.create_service_account_key(owner.req(bad)).await,
        Code::InvalidArgument,
        &["pkix_pubkey"],
    );
    let signing = SigningKey::from_bytes(&[9; 32]);
    let key = access
        .create_service_account_key(owner.req(key_request(&ci.id, &signing)))
        .await
        .expect("key")
        .into_inner()
        .service_account_key
        .expect("key");
    assert!(key.id.starts_with("sak-") && key.is_active, "{key:?}");
    let creds = credentials_of(&mock.credentials, &key.id, &signing);
    let ci_api = Api::login(&creds).await;
    assert_eq!(trust_domain_count(&ci_api).await.expect("listed"), 0);

    // Turned off: its session ends and it cannot log in; turned on again, it can.
    let off = |active| UpdateServiceAccountKeyStatusRequest {
        id: key.id.clone(),
        is_active: active,
    };
    access
        .update_service_account_key_status(owner.req(off(false)))
        .await
        .expect("off");
    assert_status(
        trust_domain_count(&ci_api).await,
        Code::Unauthenticated,
        &["inactive or deleted"],
    );
    assert_status(
        login(channel(&mock.endpoint).await, &creds).await,
        Code::Unauthenticated,
        &["inactive"],
    );
    access
        .update_service_account_key_status(owner.req(off(true)))
        .await
        .expect("on");
    let ci_api = Api::login(&creds).await;

    // Deleting: an active key needs force; an account with keys too.
    assert_status(
        access
            .delete_service_account_key(owner.req(DeleteServiceAccountKeyRequest {
                id: key.id.clone(),
                force: false,
            }))
            .await,
        Code::FailedPrecondition,
        &["active"],
    );
    assert_status(
        access
            .delete_service_account(owner.req(DeleteServiceAccountRequest {
                id: ci.id.clone(),
                force: false,
            }))
            .await,
        Code::FailedPrecondition,
        &["key"],
    );
    let info = access
        .get_service_account_info(owner.req(GetServiceAccountInfoRequest { id: ci.id.clone() }))
        .await
        .expect("info")
        .into_inner();
    assert_eq!(info.service_account_keys.len(), 1);

    // All of it survives a restart.
    mock.shutdown().await.expect("shutdown");
    let mock = restart(config).await;
    let owner = as_user(
        &Api::of(&mock).await,
        mock.state.user_session_token().expect("token"),
    );
    let mut access: ApiClient<Channel> = ApiClient::new(channel(&mock.endpoint).await);
    let creds = Credentials {
        endpoint: mock.endpoint.clone(),
        ..creds
    };
    drop(ci_api);
    let ci_api = Api::login(&creds).await;
    access
        .delete_service_account(owner.req(DeleteServiceAccountRequest {
            id: ci.id.clone(),
            force: true,
        }))
        .await
        .expect("forced delete");
    assert_status(
        trust_domain_count(&ci_api).await,
        Code::Unauthenticated,
        &["inactive or deleted"],
    );
    assert_status(
        access
            .get_service_account_info(owner.req(GetServiceAccountInfoRequest { id: ci.id }))
            .await,
        Code::NotFound,
        &["service account"],
    );
    assert_eq!(
        mock.state.stats().objects.service_accounts,
        1,
        "audit is left"
    );
    assert_eq!(mock.state.stats().objects.service_account_keys, 0);
    mock.shutdown().await.expect("shutdown");
}
