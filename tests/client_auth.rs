//! Service-account login against the mock: one login shared by many (concurrent) calls, renewal
//! shortly before expiry, a new login after a 401 (once per call), and clear errors for a wrong
//! key.
#![allow(clippy::unwrap_used)]

mod client_support;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use client_support::{
    CHALLENGE, SESSION, client_for, config_for, json_answer, mock_and_client, requests,
    scripted_server,
};
use spirl_mock_api::{ManualClock, MockConfig};
use terraform_provider_spirl::client::{ApiError, Client};
use terraform_provider_spirl::keys::KeyPair;

const GET_TRUST_DOMAIN: &str = "GET /v1/trust-domains/{id}";

#[tokio::test]
async fn client_login_once_for_many_calls() {
    let (mock, client) = mock_and_client(MockConfig::default()).await;
    for _ in 0..5 {
        assert!(
            client
                .get_trust_domain("td-missing")
                .await
                .unwrap_err()
                .is_not_found()
        );
    }
    // Concurrent calls on a fresh client wait for one login instead of each logging in.
    let fresh = client_for(&mock, |_| {});
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let client = fresh.clone();
        calls.spawn(async move { client.list_trust_domains_all(None).await });
    }
    while let Some(result) = calls.join_next().await {
        assert!(result.unwrap().unwrap().is_empty());
    }
    assert_eq!(requests(&mock, CHALLENGE), 2);
    assert_eq!(requests(&mock, SESSION), 2);
    assert_eq!(requests(&mock, "GET /v1/trust-domains"), 20);
}

#[tokio::test]
async fn client_token_renewed_before_expiry() {
    let config = MockConfig {
        token_ttl: Duration::from_secs(3),
        ..MockConfig::default()
    };
    let (mock, client) = mock_and_client(config).await;
    client.get_trust_domain("td-a").await.unwrap_err();
    client.get_trust_domain("td-a").await.unwrap_err();
    assert_eq!(requests(&mock, SESSION), 1);
    // Past the renewal point (about 1.4 s for a 3 s token) but before expiry: a new login
    // happens first, so the server never sees an expired token.
    tokio::time::sleep(Duration::from_millis(1600)).await;
    client.get_trust_domain("td-a").await.unwrap_err();
    assert_eq!(requests(&mock, SESSION), 2);
    assert_eq!(
        requests(&mock, GET_TRUST_DOMAIN),
        3,
        "no call was refused with 401"
    );
}

#[tokio::test]
async fn client_logs_in_again_after_401() {
    let clock = ManualClock::new(SystemTime::now());
    let config = MockConfig {
        clock: Arc::new(clock.clone()),
        ..MockConfig::default()
    };
    let (mock, client) = mock_and_client(config).await;
    client.get_trust_domain("td-a").await.unwrap_err();
    // The server's clock jumps past the token's expiry; the client still thinks it is fresh.
    clock.advance(Duration::from_secs(2 * 3600));
    let err = client.get_trust_domain("td-a").await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert_eq!(requests(&mock, SESSION), 2);
    assert_eq!(
        requests(&mock, GET_TRUST_DOMAIN),
        3,
        "one 401, then the retry"
    );
}

#[tokio::test]
async fn client_second_401_is_an_error() {
    // A server that lets anyone log in and then refuses every token.
    let (addr, seen) = scripted_server(|head| {
        if head.starts_with("POST /v1/auth/service-account/challenge") {
            let nonce = "A".repeat(43) + "=";
            json_answer(
                "200 OK",
                &format!(r#"{{"challenge_id":"ch-1","server_nonce":"{nonce}","expires_at":"2099-01-01T00:00:00Z"}}"#),
            )
        } else if head.starts_with("POST /v1/auth/service-account/session") {
            json_answer("200 OK", r#"{"token":"t0ken","expires_at":"2099-01-01T00:00:00Z"}"#)
        } else {
            json_answer(
                "401 Unauthorized",
                r#"{"error":{"code":"unauthenticated","message":"bearer token is not valid; log in again","request_id":"req-1"}}"#,
            )
        }
    })
    .await;
    let (mock, _) = mock_and_client(MockConfig::default()).await;
    let client = Client::new(&config_for(&format!("http://{addr}"), &mock), "1.0.3").unwrap();
    let err = client.get_trust_domain("td-a").await.unwrap_err();
    assert!(matches!(err, ApiError::Unauthenticated(_)), "{err}");
    assert_eq!(err.context().request_id.as_deref(), Some("req-1"));
    let lines: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|head| head.lines().next().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        lines,
        [
            "POST /v1/auth/service-account/challenge HTTP/1.1",
            "POST /v1/auth/service-account/session HTTP/1.1",
            "GET /v1/trust-domains/td-a HTTP/1.1",
            "POST /v1/auth/service-account/challenge HTTP/1.1",
            "POST /v1/auth/service-account/session HTTP/1.1",
            "GET /v1/trust-domains/td-a HTTP/1.1",
        ],
        "one new login after the first 401, none after the second"
    );
}

#[tokio::test]
async fn client_wrong_key_is_unauthenticated() {
    let (mock, _) = mock_and_client(MockConfig::default()).await;
    let wrong_key = client_for(&mock, |config| {
        config.credentials.private_key = KeyPair::generate();
    });
    let err = wrong_key.get_trust_domain("td-a").await.unwrap_err();
    assert!(matches!(err, ApiError::Unauthenticated(_)), "{err}");
    assert_eq!(err.context().route, SESSION);
    assert_eq!(err.context().operation, "get trust domain");
    assert!(
        err.to_string().contains("signature does not verify"),
        "{err}"
    );
    assert_eq!(
        requests(&mock, SESSION),
        1,
        "a refused login is not retried"
    );

    let unknown_id = client_for(&mock, |config| {
        config.credentials.key_id = "sak-unknown".into()
    });
    let err = unknown_id.get_trust_domain("td-a").await.unwrap_err();
    assert!(matches!(err, ApiError::Unauthenticated(_)), "{err}");
    assert_eq!(err.context().route, CHALLENGE);
    assert!(err.to_string().contains("sak-unknown"), "{err}");
}
