//! Every client method against the gRPC mock over a real socket: what it sends, what it reads
//! back, and how each refusal is classified.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use crate::support::{mock_and_client, new_key, object_counts, requests, td_method, trust_domain};
use spirl_mock_api::MockOptions;
use terraform_provider_spirl::client::{
    ApiError, CreateTrustDomain, JwtIssuerInput, JwtIssuerMode, has_id_shape,
};

#[tokio::test]
async fn client_trust_domain_self_hosted_round_trip() {
    let (mock, client) = mock_and_client(MockOptions::default()).await;
    let id = client
        .create_trust_domain(&CreateTrustDomain {
            description: "first".into(),
            ..trust_domain("example.org")
        })
        .await
        .unwrap();
    assert!(has_id_shape(&id, "td-"), "{id}");
    assert_eq!(requests(&mock, &td_method("RegisterTrustDomain")), 1);
    assert_eq!(requests(&mock, &td_method("CreateTrustDomain")), 0);

    let td = client.trust_domain_info(&id).await.unwrap();
    assert_eq!(td.name, "example.org");
    assert_eq!(td.description, "first");
    assert!(td.self_hosted);
    assert_eq!(td.state, "available");
    assert_eq!(td.jwt_issuer.mode, JwtIssuerMode::Builtin);
    assert!(td.jwt_issuer.url.starts_with("https://"), "{td:?}");
    assert_eq!(
        td.urls.oidc_discovery_endpoint,
        format!(
            "{}/.well-known/openid-configuration",
            td.jwt_issuer.url.trim_end_matches('/')
        )
    );
    assert_eq!(td.urls.agent_endpoint, "", "self-hosted: no agent endpoint");
    assert!(td.created_at.ends_with('Z'), "{}", td.created_at);

    // The list reads the same trust domain, by name and in full.
    let listed = client
        .list_trust_domains(Some("example.org"))
        .await
        .unwrap();
    assert_eq!(listed, vec![td.clone()]);
    assert_eq!(
        client.list_trust_domains(Some("other.org")).await.unwrap(),
        vec![]
    );
    assert_eq!(client.list_trust_domains(None).await.unwrap().len(), 1);

    // JWT issuer: custom, disabled, back to built-in, each read back.
    for (mode, url) in [
        (JwtIssuerMode::Custom, Some("https://issuer.example.com")),
        (JwtIssuerMode::Disabled, None),
        (JwtIssuerMode::Builtin, None),
    ] {
        let input = JwtIssuerInput {
            mode,
            url: url.map(str::to_owned),
        };
        client
            .update_trust_domain_jwt_issuer(&id, &input)
            .await
            .unwrap();
        let now = client.trust_domain_info(&id).await.unwrap();
        assert_eq!(now.jwt_issuer.mode, mode);
        match mode {
            JwtIssuerMode::Custom => {
                assert_eq!(now.jwt_issuer.url, "https://issuer.example.com");
                assert_eq!(
                    now.urls.oidc_discovery_endpoint,
                    "https://issuer.example.com/.well-known/openid-configuration"
                );
            }
            JwtIssuerMode::Disabled => {
                assert_eq!(now.jwt_issuer.url, "");
                assert_eq!(now.urls.oidc_discovery_endpoint, "");
            }
            JwtIssuerMode::Builtin => assert_eq!(now.jwt_issuer.url, td.jwt_issuer.url),
        }
    }

    client.delete_trust_domain(&id).await.unwrap();
    assert!(
        client
            .trust_domain_info(&id)
            .await
            .unwrap_err()
            .is_not_found()
    );
    // Deleting what is gone is what a delete wants.
    client.delete_trust_domain(&id).await.unwrap();
    assert_eq!(object_counts(&mock), (0, 0, 0));
}

#[tokio::test]
async fn client_trust_domain_hosted_is_provisioned_then_available() {
    let config = MockOptions {
        provisioning: Duration::from_secs(60),
        ..MockOptions::default()
    };
    let (mock, client) = mock_and_client(config).await;
    let id = client
        .create_trust_domain(&CreateTrustDomain {
            self_hosted: false,
            ..trust_domain("hosted.example.org")
        })
        .await
        .unwrap();
    assert_eq!(requests(&mock, &td_method("CreateTrustDomain")), 1);
    let td = client.trust_domain_info(&id).await.unwrap();
    assert!(!td.self_hosted);
    assert_ne!(
        td.state, "available",
        "provisioning takes a minute on this mock"
    );
    assert!(
        !td.urls.agent_endpoint.is_empty(),
        "hosted: agents connect to Defakto"
    );
}

#[tokio::test]
async fn client_deployment_and_key_round_trip() {
    let (mock, client) = mock_and_client(MockOptions::default()).await;
    let td = client
        .create_trust_domain(&trust_domain("example.org"))
        .await
        .unwrap();
    let other = client
        .create_trust_domain(&trust_domain("other.org"))
        .await
        .unwrap();
    let (first, second) = (new_key(), new_key());

    // The first key creates the deployment.
    let k1 = client.create_key(&td, "prod", &first).await.unwrap();
    assert!(has_id_shape(&k1, "tdk-"), "{k1}");
    let deployments = client.list_deployments(Some(&td)).await.unwrap();
    assert_eq!(deployments.len(), 1);
    assert_eq!(deployments[0].name, "prod");
    assert_eq!(deployments[0].trust_domain_id, td);
    assert!(has_id_shape(&deployments[0].id, "tdd-"));
    let k2 = client.create_key(&td, "prod", &second).await.unwrap();
    client.create_key(&other, "prod", &new_key()).await.unwrap();

    // Organisation-wide and filtered lists.
    assert_eq!(client.list_deployments(None).await.unwrap().len(), 2);
    assert_eq!(client.list_keys(None, None).await.unwrap().len(), 3);
    let keys = client.list_keys(Some(&td), Some("prod")).await.unwrap();
    assert_eq!(keys.len(), 2);
    let by_id = |id: &str| keys.iter().find(|k| k.id == id).unwrap().clone();
    assert_eq!(
        by_id(&k1).public_key_der,
        first,
        "the key comes back as sent, DER"
    );
    assert!(by_id(&k1).active, "a key is created active");
    assert_eq!(by_id(&k2).deployment_name, "prod");

    client.disable_key(&td, &k1).await.unwrap();
    let keys = client.list_keys(Some(&td), Some("prod")).await.unwrap();
    assert!(!keys.iter().find(|k| k.id == k1).unwrap().active);
    client.enable_key(&td, &k1).await.unwrap();

    // An active key needs force.
    let refused = client.delete_key(&td, &k1, false).await.unwrap_err();
    assert!(
        matches!(refused, ApiError::FailedPrecondition(_)),
        "{refused}"
    );
    client.delete_key(&td, &k1, true).await.unwrap();
    client.delete_key(&td, &k1, true).await.unwrap(); // gone: done

    // A trust domain with deployments cannot be deleted; the refusal names them.
    let refused = client.delete_trust_domain(&td).await.unwrap_err();
    assert!(
        matches!(refused, ApiError::FailedPrecondition(_)),
        "{refused}"
    );
    assert!(refused.context().message.contains("prod"), "{refused}");

    client.delete_deployment(&td, "prod", true).await.unwrap();
    client.delete_deployment(&td, "prod", true).await.unwrap();
    client
        .delete_deployment(&other, "prod", true)
        .await
        .unwrap();
    client.delete_trust_domain(&td).await.unwrap();
    client.delete_trust_domain(&other).await.unwrap();
    assert_eq!(object_counts(&mock), (0, 0, 0));
}

#[tokio::test]
async fn client_refusals_are_classified_and_name_the_field() {
    let (_mock, client) = mock_and_client(MockOptions::default()).await;
    let td = client
        .create_trust_domain(&trust_domain("example.org"))
        .await
        .unwrap();

    let taken = client
        .create_trust_domain(&trust_domain("example.org"))
        .await
        .unwrap_err();
    assert!(matches!(taken, ApiError::AlreadyExists(_)), "{taken}");
    assert_eq!(taken.context().attempts, 1, "a refusal is not retried");

    let invalid = client
        .create_trust_domain(&trust_domain("Not A Name"))
        .await
        .unwrap_err();
    assert!(matches!(invalid, ApiError::InvalidArgument(_)), "{invalid}");
    assert!(invalid.context().message.contains("name"), "{invalid}");
    assert_eq!(invalid.context().code, Some("INVALID_ARGUMENT"));

    let missing = client.trust_domain_info("td-missing").await.unwrap_err();
    assert!(missing.is_not_found(), "{missing}");
    assert!(
        missing
            .to_string()
            .contains("trustdomain.API/TrustDomainInfo"),
        "{missing}"
    );

    let not_a_key = client
        .create_key(&td, "prod", b"-----BEGIN PUBLIC KEY-----")
        .await
        .unwrap_err();
    assert!(
        matches!(not_a_key, ApiError::InvalidArgument(_)),
        "{not_a_key}"
    );
    assert!(
        not_a_key.context().message.contains("pkix_pubkey"),
        "{not_a_key}"
    );

    let key = new_key();
    client.create_key(&td, "prod", &key).await.unwrap();
    let twice = client.create_key(&td, "prod", &key).await.unwrap_err();
    assert!(matches!(twice, ApiError::AlreadyExists(_)), "{twice}");

    let no_td = client
        .create_key("td-missing", "prod", &new_key())
        .await
        .unwrap_err();
    assert!(no_td.is_not_found(), "{no_td}");
}

/// A realm service that answers `CreateRealm` without an id, as a faulty control plane might;
/// with `keep` it has made the realm all the same (and lists it).
#[derive(Clone, Default)]
struct IdlessRealms {
    keep: bool,
    made: std::sync::Arc<std::sync::Mutex<Vec<spirl_api_proto::realm::Realm>>>,
}

#[tonic::async_trait]
impl spirl_api_proto::realm::api_server::Api for IdlessRealms {
    async fn create_realm(
        &self,
        request: tonic::Request<spirl_api_proto::realm::CreateRealmRequest>,
    ) -> Result<tonic::Response<spirl_api_proto::realm::CreateRealmResponse>, tonic::Status> {
        let r = request.into_inner();
        if self.keep {
            self.made
                .lock()
                .unwrap()
                .push(spirl_api_proto::realm::Realm {
                    id: "rlm-madeanyway".into(),
                    trust_domain_id: r.trust_domain_id,
                    name: r.name,
                    ..Default::default()
                });
        }
        Ok(tonic::Response::new(
            spirl_api_proto::realm::CreateRealmResponse::default(),
        ))
    }

    async fn list_realms(
        &self,
        _: tonic::Request<spirl_api_proto::realm::ListRealmsRequest>,
    ) -> Result<tonic::Response<spirl_api_proto::realm::ListRealmsResponse>, tonic::Status> {
        Ok(tonic::Response::new(
            spirl_api_proto::realm::ListRealmsResponse {
                realms: self.made.lock().unwrap().clone(),
            },
        ))
    }

    async fn delete_realm(
        &self,
        _: tonic::Request<spirl_api_proto::realm::DeleteRealmRequest>,
    ) -> Result<tonic::Response<spirl_api_proto::realm::DeleteRealmResponse>, tonic::Status> {
        Err(tonic::Status::unimplemented("not in this test"))
    }
}

/// The mock's login in front of `realms`, on a free port; returns a client for it.
async fn idless_server(realms: IdlessRealms) -> terraform_provider_spirl::client::Client {
    let state = spirl_mock_api::MockState::new(MockOptions::default()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = listener.local_addr().unwrap().to_string();
    let routes = tonic::service::Routes::new(spirl_api_proto::session::api_server::ApiServer::new(
        spirl_mock_api::SessionService::new(state.clone()),
    ))
    .add_service(spirl_api_proto::realm::api_server::ApiServer::new(realms));
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_routes(routes)
            .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener)),
    );
    let config = crate::support::config_with(&endpoint, &state.credentials(&endpoint), &|_| None);
    terraform_provider_spirl::client::Client::new(&config, "test").unwrap()
}

#[tokio::test]
async fn client_create_answer_without_id_is_an_error_never_stored() {
    let client = idless_server(IdlessRealms::default()).await;
    let err = client.create_realm("td-1", "prod").await.unwrap_err();
    assert!(matches!(err, ApiError::Decode(_)), "{err:?}");
    assert!(
        err.to_string().contains("without the new object's id"),
        "{err}"
    );

    // When the control plane made it anyway, the create adopts what it finds, never "".
    let client = idless_server(IdlessRealms {
        keep: true,
        ..IdlessRealms::default()
    })
    .await;
    assert_eq!(
        client.create_realm("td-1", "prod").await.unwrap(),
        "rlm-madeanyway"
    );
}

#[tokio::test]
async fn client_listed_trust_domain_without_issuer_status_is_read_with_info() {
    let (mock, client) = mock_and_client(MockOptions {
        omit_list_jwt_issuer_status: true,
        ..MockOptions::default()
    })
    .await;
    let modes = [
        ("builtin.example.org", JwtIssuerMode::Builtin, None),
        ("disabled.example.org", JwtIssuerMode::Disabled, None),
        (
            "custom.example.org",
            JwtIssuerMode::Custom,
            Some("https://issuer.example.com"),
        ),
    ];
    for (name, mode, url) in modes {
        client
            .create_trust_domain(&CreateTrustDomain {
                jwt_issuer: Some(JwtIssuerInput {
                    mode,
                    url: url.map(str::to_owned),
                }),
                ..trust_domain(name)
            })
            .await
            .unwrap();
    }
    let before = requests(&mock, &td_method("TrustDomainInfo"));
    let listed = client.list_trust_domains(None).await.unwrap();
    assert_eq!(
        requests(&mock, &td_method("TrustDomainInfo")) - before,
        3,
        "one TrustDomainInfo per entry without a status"
    );
    for ((name, mode, _), td) in modes.iter().zip(&listed) {
        assert_eq!(&td.name, name);
        assert_eq!(td.jwt_issuer.mode, *mode, "{td:?}");
        // Read, not guessed: the built-in issuer keeps its computed URL.
        assert_eq!(td, &client.trust_domain_info(&td.id).await.unwrap());
    }

    // With the status in the list, nothing more is read.
    let (mock, client) = mock_and_client(MockOptions::default()).await;
    client
        .create_trust_domain(&trust_domain("plain.example.org"))
        .await
        .unwrap();
    let listed = client
        .list_trust_domains(Some("plain.example.org"))
        .await
        .unwrap();
    assert_eq!(listed[0].jwt_issuer.mode, JwtIssuerMode::Builtin);
    assert_eq!(requests(&mock, &td_method("TrustDomainInfo")), 0);
}
