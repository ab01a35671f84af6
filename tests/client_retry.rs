//! Faults: injected 429/503 answers are retried, lost answers of committed writes create
//! exactly one object (idempotency keys), retries and `request_timeout` bound every call, and
//! redirects are never followed.
#![allow(clippy::unwrap_used)]

mod client_support;

use std::time::{Duration, Instant};

use client_support::{
    canned_server, client_for, config_for, mock_and_client, new_key, object_counts, requests,
    trust_domain, trust_domain_with_deployment,
};
use spirl_mock_api::MockConfig;
use terraform_provider_spirl::client::{ApiError, Client, UpdateKey};

fn total_requests(mock: &spirl_mock_api::RunningMock) -> u64 {
    mock.stats().requests.values().sum()
}

#[tokio::test]
async fn client_retries_injected_429_and_503() {
    let config = MockConfig {
        fail_rate: 0.3,
        seed: Some(4),
        ..MockConfig::default()
    };
    let (mock, client) = mock_and_client(config).await;
    for i in 0..3 {
        let created = client
            .create_trust_domain(&trust_domain(&format!("td{i}.example.org")))
            .await
            .unwrap();
        assert_eq!(client.get_trust_domain(&created.id).await.unwrap(), created);
    }
    assert_eq!(mock.stats().objects.trust_domains, 3);
    // 2 login requests and 6 calls succeeded; the rest were refused and retried.
    let refused = total_requests(&mock) - 8;
    assert!(
        refused >= 1,
        "seed 4 should inject at least one fault: {:?}",
        mock.stats()
    );
}

#[tokio::test]
async fn client_lost_answers_create_exactly_one_object() {
    // Every committed write loses its answer; only a retry's replayed answer arrives.
    let config = MockConfig {
        drop_after_commit_rate: 1.0,
        ..MockConfig::default()
    };
    let (mock, client) = mock_and_client(config).await;
    let (td, deployment) = trust_domain_with_deployment(&client).await;
    let key = client
        .create_key(&td.id, &deployment.id, &new_key())
        .await
        .unwrap();
    assert_eq!(object_counts(&mock), (1, 1, 1));
    assert_eq!(requests(&mock, "POST /v1/trust-domains"), 2);
    // A DELETE whose answer was lost finds the object gone on its retry: that is success.
    client
        .delete_key(&td.id, &deployment.id, &key.id)
        .await
        .unwrap();
    client
        .delete_deployment(&td.id, &deployment.id, false)
        .await
        .unwrap();
    client.delete_trust_domain(&td.id).await.unwrap();
    assert_eq!(object_counts(&mock), (0, 0, 0));
}

#[tokio::test]
async fn client_lost_answers_at_a_seeded_rate() {
    let config = MockConfig {
        drop_after_commit_rate: 0.5,
        seed: Some(11),
        ..MockConfig::default()
    };
    let (mock, client) = mock_and_client(config).await;
    let client_with_retries = client_for(&mock, |c| c.max_retries = 20);
    let (td, deployment) = trust_domain_with_deployment(&client).await;
    let mut keys = Vec::new();
    for _ in 0..5 {
        let key = client.create_key(&td.id, &deployment.id, &new_key()).await;
        keys.push(key.unwrap());
    }
    assert_eq!(mock.stats().objects.keys, 5);
    for key in &keys {
        // A PATCH is idempotent by value: applying it twice is harmless.
        let body = UpdateKey { active: false };
        let updated = client_with_retries
            .update_key(&td.id, &deployment.id, &key.id, &body)
            .await
            .unwrap();
        assert!(!updated.active);
    }
    let fetched = client.get_deployment(&td.id, &deployment.id).await.unwrap();
    assert!(fetched.keys.iter().all(|k| !k.active));
    assert!(
        requests(
            &mock,
            "POST /v1/trust-domains/{id}/deployments/{deployment_id}/keys"
        ) > 5,
        "seed 11 should drop at least one key's answer: {:?}",
        mock.stats()
    );
}

#[tokio::test]
async fn client_max_retries_exhausted_is_a_clear_error() {
    let config = MockConfig {
        fail_rate: 1.0,
        ..MockConfig::default()
    };
    let (mock, _) = mock_and_client(config).await;
    let client = client_for(&mock, |c| c.max_retries = 2);
    let err = client.get_trust_domain("td-a").await.unwrap_err();
    assert!(
        matches!(err, ApiError::RateLimited(_) | ApiError::Unavailable(_)),
        "{err}"
    );
    assert_eq!(err.context().attempts, 3);
    assert_eq!(err.context().operation, "get trust domain");
    assert!(err.to_string().contains("after 3 attempts"), "{err}");
    assert_eq!(total_requests(&mock), 3);
}

#[tokio::test]
async fn client_retry_after_beyond_deadline_stops_early() {
    let config = MockConfig {
        fail_rate: 1.0,
        retry_after: Duration::from_secs(5),
        ..MockConfig::default()
    };
    let (mock, _) = mock_and_client(config).await;
    let client = client_for(&mock, |c| c.request_timeout = Duration::from_secs(2));
    let started = Instant::now();
    let err = client.get_trust_domain("td-a").await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "did not wait for Retry-After"
    );
    assert!(
        matches!(err, ApiError::RateLimited(_) | ApiError::Unavailable(_)),
        "{err}"
    );
    assert_eq!(err.context().attempts, 1);
}

#[tokio::test]
async fn client_request_timeout_names_the_operation() {
    let config = MockConfig {
        latency: Duration::from_secs(3),
        ..MockConfig::default()
    };
    let (mock, _) = mock_and_client(config).await;
    let client = client_for(&mock, |c| c.request_timeout = Duration::from_millis(300));
    let started = Instant::now();
    let err = client
        .create_trust_domain(&trust_domain("example.org"))
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(matches!(err, ApiError::Timeout(_)), "{err}");
    assert_eq!(err.context().operation, "create trust domain");
    assert!(
        err.to_string().starts_with(
            "timed out: create trust domain: no complete answer within the request_timeout of 300ms"
        ),
        "{err}"
    );
}

#[tokio::test]
async fn client_connection_refused_is_retried_then_reported() {
    let (mock, _) = mock_and_client(MockConfig::default()).await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let mut config = config_for(&format!("http://{closed}"), &mock);
    config.max_retries = 2;
    let client = Client::new(&config, "1.0.3").unwrap();
    let err = client.get_trust_domain("td-a").await.unwrap_err();
    assert!(matches!(err, ApiError::Transport(_)), "{err}");
    assert_eq!(err.context().attempts, 3);
    assert!(err.to_string().contains("onnection refused"), "{err}");
}

#[tokio::test]
async fn client_redirect_is_not_followed() {
    // Where the redirect points: it must never see a connection.
    let target = tokio::net::TcpListener::bind("127.0.0.2:0").await.unwrap();
    let target_addr = target.local_addr().unwrap();
    let response: &'static str = Box::leak(
        format!(
            "HTTP/1.1 307 Temporary Redirect\r\nlocation: http://{target_addr}/v1/auth/service-account/challenge\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
        )
        .into_boxed_str(),
    );
    let (addr, seen) = canned_server(response).await;
    let (mock, _) = mock_and_client(MockConfig::default()).await;
    let client = Client::new(&config_for(&format!("http://{addr}"), &mock), "1.0.3").unwrap();
    let err = client.get_trust_domain("td-a").await.unwrap_err();
    assert!(matches!(err, ApiError::Redirect(_)), "{err}");
    assert!(err.to_string().contains("host `127.0.0.2`"), "{err}");
    assert_eq!(err.context().status, Some(307));
    assert_eq!(
        seen.lock().unwrap().len(),
        1,
        "a redirect is not retried either"
    );
    let accepted = tokio::time::timeout(Duration::from_millis(200), target.accept()).await;
    assert!(accepted.is_err(), "the redirect target was contacted");
}
