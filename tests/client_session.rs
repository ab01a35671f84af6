//! The service-account session against the mock: one login for many concurrent calls, a new
//! login when the server forgets the token, a refused key, and the client metadata every call
//! carries.
#![allow(clippy::unwrap_used)]

mod client_support;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use client_support::{LOGIN, client_for, mock_and_client, requests, td_method, trust_domain};
use spirl_mock_api::{ManualClock, MockConfig};
use terraform_provider_spirl::client::ApiError;

#[tokio::test]
async fn client_session_one_login_for_many_concurrent_calls() {
    let (mock, client) = mock_and_client(MockConfig::default()).await;
    let calls: Vec<_> = (0..20)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move {
                client
                    .create_trust_domain(&trust_domain(&format!("td{i}.example.org")))
                    .await
            })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(requests(&mock, LOGIN), 1, "one login serves every call");
    assert_eq!(requests(&mock, &td_method("RegisterTrustDomain")), 20);
    assert_eq!(mock.stats().objects.trust_domains, 20);
}

#[tokio::test]
async fn client_session_logs_in_again_when_the_token_expires() {
    let clock = Arc::new(ManualClock::new(SystemTime::now()));
    let config = MockConfig {
        token_ttl: Duration::from_secs(60),
        clock: clock.clone(),
        ..MockConfig::default()
    };
    let (mock, client) = mock_and_client(config).await;
    client.list_trust_domains(None).await.unwrap();
    assert_eq!(requests(&mock, LOGIN), 1);
    clock.advance(Duration::from_secs(61));
    // The token has no stated lifetime: the refusal is what makes the client log in again.
    client.list_trust_domains(None).await.unwrap();
    assert_eq!(requests(&mock, LOGIN), 2);
    assert_eq!(
        requests(&mock, &td_method("ListTrustDomains")),
        3,
        "the refused call, then its one retry after the new login"
    );
}

#[tokio::test]
async fn client_session_unknown_key_is_unauthenticated_and_not_retried() {
    let mock = spirl_mock_api::spawn(MockConfig::default()).await.unwrap();
    let other = spirl_mock_api::spawn(MockConfig::default()).await.unwrap();
    // The other mock's service-account key, which this mock does not know.
    let client = client_for(&mock, |c| {
        c.credentials.key_id = other.credentials.sa_key_id.clone();
        c.credentials.private_key = terraform_provider_spirl::keys::KeyPair::from_private_key_pem(
            &other.credentials.sa_private_key,
        )
        .unwrap();
    });
    let err = client.list_trust_domains(None).await.unwrap_err();
    assert!(matches!(err, ApiError::Unauthenticated(_)), "{err}");
    assert!(
        err.to_string()
            .contains("session.API/AuthenticateServiceAccount"),
        "{err}"
    );
    assert_eq!(requests(&mock, LOGIN), 1, "a refused login is not retried");
    assert_eq!(requests(&mock, &td_method("ListTrustDomains")), 0);
}

#[tokio::test]
async fn client_session_a_key_signing_for_another_is_refused() {
    let mock = spirl_mock_api::spawn(MockConfig::default()).await.unwrap();
    // The right key id, signed with another private key.
    let client = client_for(&mock, |c| {
        c.credentials.private_key = terraform_provider_spirl::keys::KeyPair::generate();
    });
    let err = client.list_trust_domains(None).await.unwrap_err();
    assert!(matches!(err, ApiError::Unauthenticated(_)), "{err}");
}

#[tokio::test]
async fn client_session_metadata_reaches_the_server() {
    let (mock, client) = mock_and_client(MockConfig::default()).await;
    client.list_trust_domains(None).await.unwrap();
    let seen = mock.state.client_metadata();
    assert!(
        seen.iter()
            .any(|m| m.client.as_deref() == Some("terraform-provider-spirl")
                && m.version.as_deref() == Some(env!("CARGO_PKG_VERSION"))),
        "x-spirl-client and x-spirl-client-version: {seen:?}"
    );
    // The token went as metadata `token`: the call was accepted, and a token was issued.
    assert!(!mock.state.auth_record().tokens.is_empty());
}
