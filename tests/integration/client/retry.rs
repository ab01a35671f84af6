//! Faults over real sockets: refusals are retried with backoff, a create whose answer was lost
//! is found and adopted (the API has no idempotency keys), deadlines and dead endpoints give
//! clear errors that name the operation.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use crate::support::{
    client_for, dead_port, drop_answers, mock_and_client, new_key, object_counts, requests,
    td_method, total_requests, trust_domain,
};
use spirl_mock_api::MockOptions;
use terraform_provider_spirl::client::ApiError;

#[tokio::test]
async fn client_retries_unavailable_and_resource_exhausted() {
    let config = MockOptions {
        fail_rate: 0.5,
        seed: Some(7),
        ..MockOptions::default()
    };
    let mock = spirl_mock_api::spawn(config).await.unwrap();
    let client = client_for(&mock, |c| c.max_retries = 20);
    for i in 0..10 {
        client
            .create_trust_domain(&trust_domain(&format!("td{i}.example.org")))
            .await
            .unwrap();
    }
    assert_eq!(mock.stats().objects.trust_domains, 10, "each exactly once");
    assert!(
        total_requests(&mock) > 12,
        "half the calls were refused and retried: {:?}",
        mock.stats().requests
    );
}

#[tokio::test]
async fn client_lost_answers_create_exactly_one_object() {
    let (mock, client) = mock_and_client(MockOptions::default()).await;
    let td = client
        .create_trust_domain(&trust_domain("example.org"))
        .await
        .unwrap();
    // Every write commits, then its answer is lost.
    drop_answers(&mock, 1.0);
    let adopted = client
        .create_trust_domain(&trust_domain("lost.example.org"))
        .await
        .unwrap();
    let key = new_key();
    let key_id = client.create_key(&td, "prod", &key).await.unwrap();
    drop_answers(&mock, 0.0);

    // The lost create was looked up by name and adopted, not repeated.
    assert_eq!(requests(&mock, &td_method("RegisterTrustDomain")), 2);
    let found = client
        .list_trust_domains(Some("lost.example.org"))
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, adopted);
    // The lost key registration was found by its public key.
    assert_eq!(requests(&mock, &td_method("CreateTrustDomainKey")), 1);
    let keys = client.list_keys(Some(&td), Some("prod")).await.unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].id, key_id);
    assert_eq!(keys[0].public_key_der, key);
    assert_eq!(object_counts(&mock), (2, 1, 1));
}

#[tokio::test]
async fn client_lost_answers_at_a_seeded_rate_leave_no_duplicate() {
    let config = MockOptions {
        drop_after_commit_rate: 0.3,
        fail_rate: 0.2,
        seed: Some(11),
        ..MockOptions::default()
    };
    let mock = spirl_mock_api::spawn(config).await.unwrap();
    let client = client_for(&mock, |c| c.max_retries = 20);
    let mut ids = Vec::new();
    for i in 0..15 {
        let td = client
            .create_trust_domain(&trust_domain(&format!("td{i}.example.org")))
            .await
            .unwrap();
        client.create_key(&td, "prod", &new_key()).await.unwrap();
        ids.push(td);
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 15);
    assert_eq!(
        object_counts(&mock),
        (15, 15, 15),
        "no duplicate, no orphan"
    );
}

#[tokio::test]
async fn client_retries_exhausted_is_a_clear_error() {
    let config = MockOptions {
        fail_rate: 1.0,
        ..MockOptions::default()
    };
    let mock = spirl_mock_api::spawn(config).await.unwrap();
    let client = client_for(&mock, |c| c.max_retries = 2);
    let err = client.list_trust_domains(None).await.unwrap_err();
    assert!(
        matches!(err, ApiError::Unavailable(_) | ApiError::RateLimited(_)),
        "{err}"
    );
    // The login is refused first: three attempts in all, then the error says so.
    assert_eq!(err.context().attempts, 3, "{err}");
    assert!(err.to_string().contains("after 3 attempts"), "{err}");
}

#[tokio::test]
async fn client_request_timeout_names_the_operation() {
    let config = MockOptions {
        latency: Duration::from_millis(500),
        ..MockOptions::default()
    };
    let mock = spirl_mock_api::spawn(config).await.unwrap();
    let client = client_for(&mock, |c| c.request_timeout = Duration::from_millis(700));
    let started = std::time::Instant::now();
    let err = client
        .create_trust_domain(&trust_domain("slow.example.org"))
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(err, ApiError::Timeout(_)), "{err}");
    assert!(err.to_string().contains("create trust domain"), "{err}");
    assert!(err.to_string().contains("request_timeout"), "{err}");
}

#[tokio::test]
async fn client_connection_refused_is_retried_then_reported() {
    let mock = spirl_mock_api::spawn(MockOptions::default()).await.unwrap();
    let dead = dead_port().await;
    let client = client_for(&mock, |c| {
        c.base_url = format!("http://{dead}").parse().unwrap();
        c.max_retries = 2;
    });
    let err = client.list_trust_domains(None).await.unwrap_err();
    assert!(matches!(err, ApiError::Transport(_)), "{err}");
    assert_eq!(err.context().attempts, 3, "{err}");
    assert!(err.to_string().to_lowercase().contains("refused"), "{err}");
}

#[tokio::test]
async fn client_not_a_grpc_server_is_an_error_not_a_hang() {
    // An HTTP/1.1 server that answers anything with 404.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                use tokio::io::AsyncWriteExt as _;
                let _ = crate::support::read_head(&mut s).await;
                let _ = s
                    .write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n")
                    .await;
            });
        }
    });
    let mock = spirl_mock_api::spawn(MockOptions::default()).await.unwrap();
    let client = client_for(&mock, |c| {
        c.base_url = format!("http://{addr}").parse().unwrap();
        c.max_retries = 1;
        c.request_timeout = Duration::from_secs(5);
    });
    let started = std::time::Instant::now();
    let err = client.list_trust_domains(None).await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(err, ApiError::Transport(_)), "{err}");
}
