//! Trust domains: register and create, read, list, update the JWT issuer, delete.

use crate::common;

use std::time::Duration;

use crate::common::{Api, assert_status, manual_config};
use spirl_api_proto::trustdomain::jwt_issuer_status::Mode;
use spirl_api_proto::trustdomain::*;
use spirl_mock_api::{MockOptions, spawn};
use tonic::Code;

fn issuer(set: bool, issuer: &str) -> Option<JwtIssuerConfig> {
    Some(JwtIssuerConfig {
        set,
        issuer: issuer.to_owned(),
    })
}

#[tokio::test]
async fn trust_domain_register_is_available_at_once_with_computed_urls() {
    let (config, _clock) = manual_config();
    let mock = spawn(config).await.expect("mock");
    let api = Api::of(&mock).await;
    let id = api
        .register_with(
            "example.org",
            "line one
line two",
            None,
        )
        .await
        .expect("register");
    assert_eq!(id, "td-0000000000000002", "sak- took the first id");
    let info = api.info(&id).await.expect("info");
    assert_eq!(info.id, id);
    assert_eq!(info.name, "example.org");
    assert_eq!(info.description, "line one\nline two");
    assert_eq!(info.state, "available");
    assert!(info.is_self_managed);
    assert_eq!(info.spirl_agent_endpoint_url, "");
    let issuer = format!("https://{id}.oidc.spirl.test");
    assert_eq!(info.jwt_issuer_endpoint_url, issuer);
    let status = info.jwt_issuer_status.expect("status");
    assert_eq!(status.mode(), Mode::Builtin);
    assert_eq!(status.effective_issuer, issuer);
    assert_eq!(
        info.oidc_discovery_endpoint_url,
        format!("{issuer}/.well-known/openid-configuration")
    );
    assert_eq!(info.jwks_endpoint_url, format!("{issuer}/keys"));
    assert_eq!(
        info.spiffe_bundle_endpoint_url,
        format!("https://{id}.bundle.spirl.test/")
    );
    let created = info.created_at.expect("created_at");
    assert_eq!(created.seconds, 1_795_248_000);
    assert_eq!(info.updated_at, Some(created));

    let listed = api.list("example.org").await.expect("list");
    assert_eq!(listed.len(), 1);
    let td = &listed[0];
    assert_eq!(
        (td.id.as_str(), td.state.as_str()),
        (id.as_str(), "available")
    );
    assert_eq!(td.endpoint_url, "");
    assert_eq!(td.jwt_issuer_endpoint_url, issuer);
    assert!(api.list("other.org").await.expect("list").is_empty());
}

#[tokio::test]
async fn trust_domain_create_hosted_provisions_then_is_available() {
    let (mut config, clock) = manual_config();
    config.provisioning = Duration::from_secs(30);
    let mock = spawn(config).await.expect("mock");
    let api = Api::of(&mock).await;
    let answer = api.create("hosted.example").await.expect("create");
    let id = answer.trust_domain_id;
    assert_eq!(answer.endpoint_url, format!("{id}.agents.spirl.test:443"));
    let info = api.info(&id).await.expect("info");
    assert_eq!(info.state, "provisioning");
    assert!(!info.is_self_managed);
    assert_eq!(info.spirl_agent_endpoint_url, answer.endpoint_url);
    assert_eq!(api.list("").await.expect("list")[0].state, "provisioning");
    clock.advance(Duration::from_secs(30));
    assert_eq!(api.info(&id).await.expect("info").state, "available");
    assert_eq!(
        api.list("").await.expect("list")[0].endpoint_url,
        answer.endpoint_url
    );
}

#[tokio::test]
async fn trust_domain_hosted_with_zero_provisioning_is_available_at_once() {
    let mock = spawn(MockOptions {
        provisioning: Duration::ZERO,
        ..MockOptions::default()
    })
    .await
    .expect("mock");
    let api = Api::of(&mock).await;
    let id = api
        .create("now.example")
        .await
        .expect("create")
        .trust_domain_id;
    assert_eq!(api.info(&id).await.expect("info").state, "available");
}

#[tokio::test]
async fn trust_domain_jwt_issuer_modes_and_update() {
    let (config, clock) = manual_config();
    let mock = spawn(config).await.expect("mock");
    let api = Api::of(&mock).await;
    let register =
        async |name: &str, jwt: Option<JwtIssuerConfig>| api.register_with(name, "", jwt).await;
    let disabled = register("disabled.example", issuer(true, ""))
        .await
        .expect("disabled");
    let info = api.info(&disabled).await.expect("info");
    assert_eq!(
        info.jwt_issuer_status.as_ref().map(|s| s.mode()),
        Some(Mode::Disabled)
    );
    assert_eq!(info.jwt_issuer_endpoint_url, "");
    assert_eq!(info.oidc_discovery_endpoint_url, "");

    let custom = register(
        "custom.example",
        issuer(true, "https://issuer.example.com/td"),
    )
    .await
    .expect("custom");
    let info = api.info(&custom).await.expect("info");
    assert_eq!(
        info.jwt_issuer_status.as_ref().map(|s| s.mode()),
        Some(Mode::Custom)
    );
    assert_eq!(
        info.jwt_issuer_endpoint_url,
        "https://issuer.example.com/td"
    );
    assert_eq!(
        info.oidc_discovery_endpoint_url,
        "https://issuer.example.com/td/.well-known/openid-configuration"
    );

    let builtin = register("builtin.example", issuer(false, ""))
        .await
        .expect("builtin");
    assert_eq!(
        api.info(&builtin)
            .await
            .expect("info")
            .jwt_issuer_status
            .map(|s| s.mode()),
        Some(Mode::Builtin)
    );

    // Update: absent leaves it; set=false back to builtin bumps updated_at.
    clock.advance(Duration::from_secs(60));
    let update = async |jwt: Option<JwtIssuerConfig>| {
        api.c()
            .update_trust_domain(api.req(UpdateTrustDomainRequest {
                trust_domain_id: custom.clone(),
                jwt_issuer: jwt,
            }))
            .await
    };
    update(None).await.expect("no-op update");
    let info = api.info(&custom).await.expect("info");
    assert_eq!(
        info.jwt_issuer_status.as_ref().map(|s| s.mode()),
        Some(Mode::Custom)
    );
    assert_eq!(info.updated_at, info.created_at);
    update(issuer(false, "")).await.expect("to builtin");
    let info = api.info(&custom).await.expect("info");
    assert_eq!(
        info.jwt_issuer_status.as_ref().map(|s| s.mode()),
        Some(Mode::Builtin)
    );
    assert_eq!(info.updated_at.expect("updated").seconds, 1_795_248_060);
    update(issuer(true, "")).await.expect("to disabled");
    assert_eq!(
        api.info(&custom)
            .await
            .expect("info")
            .jwt_issuer_endpoint_url,
        ""
    );
    assert_status(
        update(issuer(true, "http://plain.example")).await,
        Code::InvalidArgument,
        &["jwt_issuer.issuer", "https"],
    );
    let missing = api
        .c()
        .update_trust_domain(api.req(UpdateTrustDomainRequest {
            trust_domain_id: "td-missing".into(),
            jwt_issuer: None,
        }))
        .await;
    assert_status(missing, Code::NotFound, &["trust_domain_id", "td-missing"]);
}

#[tokio::test]
async fn trust_domain_names_are_unique_and_delete_waits_for_deployments() {
    let mock = spawn(MockOptions::default()).await.expect("mock");
    let api = Api::of(&mock).await;
    let id = api.register("dup.example").await.expect("register");
    assert_status(
        api.register("dup.example").await,
        Code::AlreadyExists,
        &["name", "dup.example"],
    );
    api.add_key(&id, "prod", common::key_der(1))
        .await
        .expect("key");
    api.add_key(&id, "staging", common::key_der(2))
        .await
        .expect("key");
    let delete = async |id: &str| {
        api.c()
            .delete_trust_domain(api.req(DeleteTrustDomainRequest {
                trust_domain_id: id.to_owned(),
            }))
            .await
    };
    assert_status(
        delete(&id).await,
        Code::FailedPrecondition,
        &[&format!(
            "trust domain {id} has deployments: prod, staging; delete them first"
        )],
    );
    for name in ["prod", "staging"] {
        api.c()
            .delete_trust_domain_deployment(api.req(DeleteTrustDomainDeploymentRequest {
                deployment_name: name.into(),
                trust_domain_id: id.clone(),
                force: true,
            }))
            .await
            .expect("delete deployment");
    }
    delete(&id).await.expect("delete");
    assert_status(
        api.info(&id).await,
        Code::NotFound,
        &["trust_domain_id", &id],
    );
    assert_status(delete(&id).await, Code::NotFound, &[&id]);
    assert_eq!(
        mock.stats().objects,
        spirl_mock_api::ObjectCounts::default()
    );
    // The name is free again.
    api.register("dup.example").await.expect("register again");
}

#[tokio::test]
async fn trust_domain_list_views_and_the_status_switch() {
    let mock = spawn(MockOptions {
        omit_list_jwt_issuer_status: true,
        ..MockOptions::default()
    })
    .await
    .expect("mock");
    let api = Api::of(&mock).await;
    let id = api.register("views.example").await.expect("register");
    let list = |include_dynamic_data, exclude_stats| {
        let mut client = api.c();
        let request = api.req(ListTrustDomainsRequest {
            trust_domain_name: String::new(),
            include_dynamic_data,
            exclude_stats,
        });
        async move { client.list_trust_domains(request).await }
    };
    // The SDK: ExcludeStats is "Mutually exclusive with IncludeStatus".
    assert_status(
        list(true, true).await,
        Code::InvalidArgument,
        &["exclude_stats"],
    );
    let listed = list(true, false)
        .await
        .expect("list")
        .into_inner()
        .trust_domains;
    assert_eq!(listed[0].id, id);
    assert_eq!(listed[0].jwt_issuer_status, None, "left out by the switch");
    // The issuer URL too: a built-in issuer's list entry says nothing of its issuer.
    assert_eq!(listed[0].jwt_issuer_endpoint_url, "", "{:?}", listed[0]);
    assert!(
        !listed[0].jwks_endpoint_url.is_empty(),
        "the other URLs stay"
    );
    assert_eq!(listed[0].clusters_total, 0, "statistics, none yet");
    // TrustDomainInfo keeps the status and the URL.
    let info = api.info(&id).await.expect("info");
    assert_eq!(
        info.jwt_issuer_status.expect("status").mode,
        Mode::Builtin as i32
    );
    assert_eq!(
        info.jwt_issuer_endpoint_url,
        format!("https://{id}.oidc.spirl.test")
    );
}

/// The realms of trust domain `td` and every role assignment, as the API lists them.
async fn realms_and_assignments(
    mock: &spirl_mock_api::RunningMock,
    api: &Api,
    td: &str,
) -> (Vec<String>, Vec<String>, Vec<String>) {
    use spirl_api_proto::access::api_client::ApiClient as AccessClient;
    use spirl_api_proto::realm::api_client::ApiClient as RealmClient;
    let mut realms = RealmClient::new(common::channel(&mock.endpoint).await);
    let list = |trust_domain_id: &str| spirl_api_proto::realm::ListRealmsRequest {
        trust_domain_id: trust_domain_id.to_owned(),
        ..Default::default()
    };
    let ids =
        |answer: Vec<spirl_api_proto::realm::Realm>| answer.into_iter().map(|r| r.id).collect();
    let of_td = realms
        .list_realms(api.req(list(td)))
        .await
        .expect("realms of the trust domain")
        .into_inner()
        .realms;
    let all = realms
        .list_realms(api.req(list("")))
        .await
        .expect("all realms")
        .into_inner()
        .realms;
    let assignments = AccessClient::new(common::channel(&mock.endpoint).await)
        .list_role_assignments(
            api.req(spirl_api_proto::access::ListRoleAssignmentsRequest::default()),
        )
        .await
        .expect("all assignments")
        .into_inner()
        .assignments
        .into_iter()
        .map(|a| a.id)
        .collect();
    (ids(of_td), ids(all), assignments)
}

#[tokio::test]
async fn trust_domain_delete_takes_its_realms_and_their_assignments_also_after_a_restart() {
    use spirl_api_proto::access::api_client::ApiClient as AccessClient;
    use spirl_api_proto::access::{
        AssignRoleAssignmentRequest, ListRolesRequest, ListUsersRequest, RealmRoleAssignment,
        RoleType, assign_role_assignment_request as assign,
    };
    use spirl_api_proto::realm::CreateRealmRequest;
    use spirl_api_proto::realm::api_client::ApiClient as RealmClient;

    let dir = tempfile::tempdir().expect("dir");
    let config = || MockOptions {
        users: vec!["admin@example.com".into()],
        data_dir: Some(dir.path().to_owned()),
        ..MockOptions::default()
    };
    let mock = spawn(config()).await.expect("mock");
    let api = Api::of(&mock).await;
    let doomed = api.register("doomed.example").await.expect("td");
    let kept = api.register("kept.example").await.expect("other td");
    let mut realms = RealmClient::new(common::channel(&mock.endpoint).await);
    let mut realm_ids = Vec::new();
    for (td, name) in [(&doomed, "prod"), (&doomed, "staging"), (&kept, "prod")] {
        let made = realms
            .create_realm(api.req(CreateRealmRequest {
                trust_domain_id: td.clone(),
                name: name.to_owned(),
            }))
            .await
            .expect("realm")
            .into_inner();
        realm_ids.push(made.realm_id);
    }
    let (doomed_realm, kept_realm) = (realm_ids[0].clone(), realm_ids[2].clone());

    let mut access = AccessClient::new(common::channel(&mock.endpoint).await);
    let role = access
        .list_roles(api.req(ListRolesRequest {
            role_type: RoleType::Realm.into(),
        }))
        .await
        .expect("roles")
        .into_inner()
        .roles[0]
        .id
        .clone();
    let user = access
        .list_users(api.req(ListUsersRequest {
            by_email: "admin@example.com".into(),
        }))
        .await
        .expect("users")
        .into_inner()
        .users[0]
        .id
        .clone();
    let mut assigned = Vec::new();
    for realm_id in [&doomed_realm, &kept_realm] {
        let made = access
            .assign_role_assignment(api.req(AssignRoleAssignmentRequest {
                principal: Some(assign::Principal::UserId(user.clone())),
                role_assignment: Some(assign::RoleAssignment::RealmRole(RealmRoleAssignment {
                    realm_id: realm_id.clone(),
                    role_id: role.clone(),
                })),
            }))
            .await
            .expect("assign")
            .into_inner();
        assigned.push(made.assignment_id);
    }

    // Realms do not keep their trust domain: the SDK refuses a delete only for active clusters.
    api.c()
        .delete_trust_domain(api.req(DeleteTrustDomainRequest {
            trust_domain_id: doomed.clone(),
        }))
        .await
        .expect("delete with realms");
    let gone = |(of_td, all, assignments): (Vec<String>, Vec<String>, Vec<String>)| {
        assert!(of_td.is_empty(), "its realms are gone: {of_td:?}");
        assert_eq!(
            all,
            std::slice::from_ref(&kept_realm),
            "the other trust domain's realm stays"
        );
        assert_eq!(
            assignments,
            std::slice::from_ref(&assigned[1]),
            "the assignment in its realm is gone, the other stays"
        );
    };
    gone(realms_and_assignments(&mock, &api, &doomed).await);
    assert_eq!(mock.stats().objects.realms, 1);
    assert_eq!(mock.stats().objects.role_assignments, 1);

    // The journal's one line replays the same cascade.
    mock.shutdown().await.expect("stop");
    let mock = common::restart(config).await;
    let api = Api::of(&mock).await;
    gone(realms_and_assignments(&mock, &api, &doomed).await);
    assert_eq!(mock.stats().objects.trust_domains, 1);
    assert_eq!(mock.stats().objects.realms, 1);
    assert_eq!(mock.stats().objects.role_assignments, 1);
}
