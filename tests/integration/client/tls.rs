//! TLS: a certificate nobody trusts is a clear error at once (never ignored, never retried); a
//! private CA named by `SSL_CERT_FILE` is trusted; calls then run over TLS with ALPN h2.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use crate::support::{LOGIN, config_for, requests, trust_domain};
use spirl_mock_api::MockOptions;
use terraform_provider_spirl::client::{ApiError, Client};

fn tls_mock_config() -> MockOptions {
    MockOptions {
        tls: true,
        ..MockOptions::default()
    }
}

#[tokio::test]
async fn client_tls_untrusted_certificate_is_a_clear_error_without_retries() {
    let mock = spirl_mock_api::spawn(tls_mock_config()).await.unwrap();
    assert!(mock.credentials.use_tls);
    let mut config = config_for(&format!("localhost:{}", mock.addr.port()), &mock, &|_| None);
    config.max_retries = 5;
    let client = Client::new(&config, "1.0.3").unwrap();
    let started = std::time::Instant::now();
    let err = client.list_trust_domains(None).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(matches!(err, ApiError::Tls(_)), "{err}");
    assert_eq!(
        err.context().attempts,
        1,
        "a certificate error is not retried"
    );
    assert!(err.to_string().contains("SSL_CERT_FILE"), "{err}");
    assert_eq!(requests(&mock, LOGIN), 0, "nothing reached the service");
}

#[tokio::test]
async fn client_tls_private_ca_from_ssl_cert_file_is_trusted() {
    let mock = spirl_mock_api::spawn(tls_mock_config()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, mock.credentials.ca_cert_pem.as_deref().unwrap()).unwrap();
    let ca_path = ca.display().to_string();
    let env = move |name: &str| (name == "SSL_CERT_FILE").then(|| ca_path.clone());
    for host in ["localhost", "127.0.0.1"] {
        let config = config_for(&format!("{host}:{}", mock.addr.port()), &mock, &env);
        let client = Client::new(&config, "1.0.3").unwrap();
        let td = client
            .create_trust_domain(&trust_domain("tls.example.org"))
            .await
            .unwrap();
        client.delete_trust_domain(&td).await.unwrap();
    }
}

#[tokio::test]
async fn client_tls_unreadable_ssl_cert_file_is_a_setup_error() {
    let mock = spirl_mock_api::spawn(tls_mock_config()).await.unwrap();
    let env = |name: &str| (name == "SSL_CERT_FILE").then(|| "/nonexistent/ca.pem".to_owned());
    let config = config_for(&format!("localhost:{}", mock.addr.port()), &mock, &env);
    let err = Client::new(&config, "1.0.3").unwrap_err();
    assert!(err.to_string().contains("SSL_CERT_FILE"), "{err}");
}
