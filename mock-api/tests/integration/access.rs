//! Access: the bootstrap service account listed with an `sa-` id, users from the configuration,
//! the realm role, assignments unique per principal, realm and role, listed with or without a
//! filter, removed with their realm.

use crate::common::{Api, assert_status, channel, restart};
use spirl_api_proto::access::api_client::ApiClient;
use spirl_api_proto::access::*;
use spirl_mock_api::{MockOptions, spawn};
use tonic::Code;

#[tokio::test]
async fn access_accounts_users_roles_and_unique_assignments() {
    let dir = tempfile::tempdir().expect("dir");
    let config = || MockOptions {
        users: vec!["admin@example.com".into()],
        data_dir: Some(dir.path().to_owned()),
        ..MockOptions::default()
    };
    let mock = spawn(config()).await.expect("mock");
    let api = Api::of(&mock).await;
    let mut access = ApiClient::new(channel(&mock.endpoint).await);
    let accounts = access
        .list_service_accounts(api.req(ListServiceAccountsRequest::default()))
        .await
        .expect("accounts")
        .into_inner()
        .service_accounts;
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0].name, "bootstrap-admin");
    let suffix = mock.credentials.sa_key_id.trim_start_matches("sak-");
    assert_eq!(accounts[0].id, format!("sa-{suffix}"));
    let users = access
        .list_users(api.req(ListUsersRequest {
            by_email: "admin@example.com".into(),
        }))
        .await
        .expect("users")
        .into_inner()
        .users;
    assert_eq!(users.len(), 1);
    let roles = access
        .list_roles(api.req(ListRolesRequest {
            role_type: RoleType::Realm.into(),
        }))
        .await
        .expect("roles")
        .into_inner()
        .roles;
    assert_eq!(roles[0].name, "Administrator");

    let td = api.register("access.example").await.expect("td");
    let realm = {
        let mut realms =
            spirl_api_proto::realm::api_client::ApiClient::new(channel(&mock.endpoint).await);
        realms
            .create_realm(api.req(spirl_api_proto::realm::CreateRealmRequest {
                trust_domain_id: td.clone(),
                name: "prod".into(),
            }))
            .await
            .expect("realm")
            .into_inner()
            .realm_id
    };
    let assign = |principal| AssignRoleAssignmentRequest {
        principal: Some(principal),
        role_assignment: Some(assign_role_assignment_request::RoleAssignment::RealmRole(
            RealmRoleAssignment {
                realm_id: realm.clone(),
                role_id: roles[0].id.clone(),
            },
        )),
    };
    let user = assign_role_assignment_request::Principal::UserId(users[0].id.clone());
    let made = access
        .assign_role_assignment(api.req(assign(user.clone())))
        .await
        .expect("assign")
        .into_inner();
    assert!(made.assignment_id.starts_with("ra-"), "{made:?}");
    assert_status(
        access.assign_role_assignment(api.req(assign(user))).await,
        Code::AlreadyExists,
        &[&made.assignment_id],
    );
    assert_status(
        access
            .assign_role_assignment(api.req(assign(
                assign_role_assignment_request::Principal::UserId("usr-nobody".into()),
            )))
            .await,
        Code::NotFound,
        &["usr-nobody"],
    );
    let admins = access
        .list_delegated_admins(api.req(ListDelegatedAdminsRequest {
            realm_ids: vec![realm.clone(), "rlm-unknown".into()],
        }))
        .await
        .expect("admins")
        .into_inner()
        .realms;
    assert_eq!(admins.len(), 1);
    assert_eq!(
        admins[0].delegated_admins[0].assignment_id,
        made.assignment_id
    );

    // A second principal's assignment; without a filter the list answers both, with one only
    // that principal's.
    let account =
        assign_role_assignment_request::Principal::ServiceAccountId(accounts[0].id.clone());
    let account_made = access
        .assign_role_assignment(api.req(assign(account)))
        .await
        .expect("assign to the service account")
        .into_inner();
    let list = |principal| ListRoleAssignmentsRequest { principal };
    let everything = access
        .list_role_assignments(api.req(list(None)))
        .await
        .expect("list without a filter")
        .into_inner()
        .assignments;
    let mut ids: Vec<&str> = everything.iter().map(|a| a.id.as_str()).collect();
    ids.sort_unstable();
    let mut expected = [
        made.assignment_id.as_str(),
        account_made.assignment_id.as_str(),
    ];
    expected.sort_unstable();
    assert_eq!(ids, expected, "{everything:?}");
    let of_account = access
        .list_role_assignments(api.req(list(Some(
            list_role_assignments_request::Principal::ServiceAccountId(accounts[0].id.clone()),
        ))))
        .await
        .expect("list of the service account")
        .into_inner()
        .assignments;
    assert_eq!(of_account.len(), 1, "{of_account:?}");
    assert_eq!(of_account[0].id, account_made.assignment_id);
    assert_eq!(
        of_account[0].principal,
        Some(role_assignment::Principal::ServiceAccountId(
            accounts[0].id.clone()
        ))
    );

    // Durable: after a restart the user and the assignments are still there.
    mock.shutdown().await.expect("stop");
    let mock = restart(config).await;
    assert_eq!(mock.stats().objects.role_assignments, 2);
    let api = Api::of(&mock).await;
    let mut access = ApiClient::new(channel(&mock.endpoint).await);
    let listed = access
        .list_role_assignments(api.req(ListRoleAssignmentsRequest {
            principal: Some(list_role_assignments_request::Principal::AssignmentId(
                made.assignment_id.clone(),
            )),
        }))
        .await
        .expect("list")
        .into_inner()
        .assignments;
    assert_eq!(listed.len(), 1);
    access
        .remove_role_assignment(api.req(RemoveRoleAssignmentRequest {
            assignment_id: made.assignment_id.clone(),
        }))
        .await
        .expect("remove");
    assert_status(
        access
            .remove_role_assignment(api.req(RemoveRoleAssignmentRequest {
                assignment_id: made.assignment_id,
            }))
            .await,
        Code::NotFound,
        &["not found"],
    );
}
