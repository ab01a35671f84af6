//! Every API endpoint through the client against the mock, over a real socket: the models'
//! field names must match the mock's own wire types.
#![allow(clippy::unwrap_used)]

mod client_support;

use client_support::{
    canned_server, config_for, mock_and_client, object_counts, requests, trust_domain,
};
use spirl_mock_api::MockConfig;
use terraform_provider_spirl::client::{
    ApiError, Client, CreateDeployment, CreateKey, CreateTrustDomain, JwtIssuerInput,
    JwtIssuerMode, ListTrustDomains, UpdateKey, UpdateTrustDomain,
};
use terraform_provider_spirl::keys::KeyPair;

#[tokio::test]
async fn client_trust_domain_round_trip() {
    let (mock, client) = mock_and_client(MockConfig::default()).await;
    let created = client
        .create_trust_domain(&CreateTrustDomain {
            name: "example.org".into(),
            description: Some("demo".into()),
            self_hosted: Some(true),
            jwt_issuer: Some(JwtIssuerInput {
                mode: JwtIssuerMode::Builtin,
                url: None,
            }),
        })
        .await
        .unwrap();
    assert!(created.id.starts_with("td-"), "{created:?}");
    assert_eq!(
        (created.name.as_str(), created.description.as_str()),
        ("example.org", "demo")
    );
    assert!(created.self_hosted);
    assert_eq!(created.jwt_issuer.mode, JwtIssuerMode::Builtin);
    assert!(created.created_at.ends_with('Z'));

    assert_eq!(client.get_trust_domain(&created.id).await.unwrap(), created);

    let updated = client
        .update_trust_domain(
            &created.id,
            &UpdateTrustDomain {
                description: Some("changed".into()),
                jwt_issuer: Some(JwtIssuerInput {
                    mode: JwtIssuerMode::Disabled,
                    url: None,
                }),
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.description, "changed");
    assert_eq!(updated.jwt_issuer.mode, JwtIssuerMode::Disabled);

    client
        .create_trust_domain(&trust_domain("other.example.org"))
        .await
        .unwrap();
    let page = client
        .list_trust_domains(&ListTrustDomains {
            name: Some("example.org".into()),
            ..ListTrustDomains::default()
        })
        .await
        .unwrap();
    assert_eq!(page.trust_domains, vec![updated.clone()]);
    assert_eq!(page.next_page_token, "");

    client.delete_trust_domain(&created.id).await.unwrap();
    let err = client.get_trust_domain(&created.id).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    let context = err.context();
    assert_eq!(context.operation, "get trust domain");
    assert_eq!(context.route, "GET /v1/trust-domains/{id}");
    assert_eq!(context.status, Some(404));
    assert_eq!(context.code.as_deref(), Some("not_found"));
    assert!(
        context
            .request_id
            .as_deref()
            .is_some_and(|id| id.starts_with("req-"))
    );
    assert_eq!(mock.stats().objects.trust_domains, 1);
}

#[tokio::test]
async fn client_list_trust_domains_all_walks_pages_of_100() {
    let (mock, client) = mock_and_client(MockConfig::default()).await;
    for i in 0..105 {
        client
            .create_trust_domain(&trust_domain(&format!("td{i}.example.org")))
            .await
            .unwrap();
    }
    let all = client.list_trust_domains_all(None).await.unwrap();
    assert_eq!(all.len(), 105);
    assert_eq!(requests(&mock, "GET /v1/trust-domains"), 2);
    let one = client
        .list_trust_domains_all(Some("td7.example.org"))
        .await
        .unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].name, "td7.example.org");
}

#[tokio::test]
async fn client_deployment_and_key_round_trip() {
    let (mock, client) = mock_and_client(MockConfig::default()).await;
    let td = client
        .create_trust_domain(&trust_domain("example.org"))
        .await
        .unwrap();
    let deployment = client
        .create_deployment(
            &td.id,
            &CreateDeployment {
                name: "eks-alb-demo".into(),
            },
        )
        .await
        .unwrap();
    assert!(deployment.id.starts_with("tdd-"));
    assert_eq!(deployment.trust_domain_id, td.id);
    assert!(deployment.keys.is_empty());

    let public_key = KeyPair::generate().public_key().to_pem();
    let key = client
        .create_key(
            &td.id,
            &deployment.id,
            &CreateKey {
                public_key: public_key.clone(),
                active: true,
            },
        )
        .await
        .unwrap();
    assert!(key.id.starts_with("tdk-"));
    assert_eq!(
        (key.public_key.as_str(), key.active),
        (public_key.as_str(), true)
    );

    let disabled = client
        .update_key(
            &td.id,
            &deployment.id,
            &key.id,
            &UpdateKey { active: false },
        )
        .await
        .unwrap();
    assert!(!disabled.active);

    let fetched = client.get_deployment(&td.id, &deployment.id).await.unwrap();
    assert_eq!(fetched.keys, vec![disabled.clone()]);
    let listed = client
        .list_deployments(&td.id, Some("eks-alb-demo"))
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, deployment.id);
    assert!(
        client
            .list_deployments(&td.id, Some("nope"))
            .await
            .unwrap()
            .is_empty()
    );

    // The server refuses to delete what still has children.
    let err = client.delete_trust_domain(&td.id).await.unwrap_err();
    assert!(matches!(err, ApiError::FailedPrecondition(_)), "{err}");
    let err = client
        .delete_deployment(&td.id, &deployment.id, false)
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::FailedPrecondition(_)), "{err}");

    client
        .delete_key(&td.id, &deployment.id, &key.id)
        .await
        .unwrap();
    let second = client
        .create_key(
            &td.id,
            &deployment.id,
            &CreateKey {
                public_key,
                active: true,
            },
        )
        .await
        .unwrap();
    assert!(second.id.starts_with("tdk-"));
    client
        .delete_deployment(&td.id, &deployment.id, true)
        .await
        .unwrap();
    client.delete_trust_domain(&td.id).await.unwrap();
    assert_eq!(object_counts(&mock), (0, 0, 0));
}

#[tokio::test]
async fn client_errors_are_classified() {
    let (_mock, client) = mock_and_client(MockConfig::default()).await;
    let err = client
        .create_trust_domain(&trust_domain("Not A Domain"))
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::InvalidArgument(_)), "{err}");
    client
        .create_trust_domain(&trust_domain("example.org"))
        .await
        .unwrap();
    let err = client
        .create_trust_domain(&trust_domain("example.org"))
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::AlreadyExists(_)), "{err}");
    assert!(
        err.to_string()
            .starts_with("already exists: create trust domain: "),
        "{err}"
    );
    let err = client
        .create_deployment("td-missing", &CreateDeployment { name: "x".into() })
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

#[tokio::test]
async fn client_ids_are_percent_encoded_path_segments() {
    let (mock, client) = mock_and_client(MockConfig::default()).await;
    let td = client
        .create_trust_domain(&trust_domain("example.org"))
        .await
        .unwrap();
    // A hostile id stays one segment: it can neither climb to another route nor add a query.
    for id in [
        "../trust-domains",
        "x/deployments",
        "x?name=example.org",
        "%2e%2e",
        "td x#y",
    ] {
        let err = client.get_trust_domain(id).await.unwrap_err();
        assert!(
            err.is_not_found() || matches!(err, ApiError::InvalidArgument(_)),
            "{id}: {err}"
        );
    }
    assert_eq!(client.get_trust_domain(&td.id).await.unwrap().id, td.id);
    // A name with query syntax is one encoded value.
    let page = client
        .list_trust_domains(&ListTrustDomains {
            name: Some("a&page_size=1&name=example.org".into()),
            ..ListTrustDomains::default()
        })
        .await
        .unwrap();
    assert!(page.trust_domains.is_empty());
    assert_eq!(requests(&mock, "GET /v1/trust-domains"), 1);
}

#[tokio::test]
async fn client_sends_user_agent_and_json_headers() {
    let (mock, _) = mock_and_client(MockConfig::default()).await;
    let (addr, seen) = canned_server(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
    )
    .await;
    let mut config = config_for(&format!("http://{addr}"), &mock);
    config.max_retries = 0;
    let client = Client::new(&config, "1.0.3").unwrap();
    let err = client.get_trust_domain("td-1").await.unwrap_err();
    assert!(matches!(err, ApiError::Unavailable(_)), "{err}");
    let head = seen.lock().unwrap()[0].to_ascii_lowercase();
    assert!(
        head.starts_with("post /v1/auth/service-account/challenge http/1.1"),
        "{head}"
    );
    let version = env!("CARGO_PKG_VERSION");
    assert!(
        head.contains(&format!(
            "user-agent: terraform-provider-spirl/{version} terraform/1.0.3\r\n"
        )),
        "{head}"
    );
    assert!(head.contains("content-type: application/json"), "{head}");
    assert!(head.contains("idempotency-key: tf-"), "{head}");
}
