//! TLS certificate errors are reported as such, at once: never ignored, never retried.
#![allow(clippy::unwrap_used)]

mod client_support;

use std::sync::Arc;
use std::time::Duration;

use client_support::config_for;
use spirl_mock_api::MockConfig;
use terraform_provider_spirl::client::{ApiError, Client};
use tokio::io::AsyncWriteExt as _;
use tokio::net::TcpListener;

/// A TLS server on `localhost` with a self-signed certificate (trusted by nobody); returns its
/// port and a counter of completed handshakes.
async fn self_signed_server() -> (u16, Arc<std::sync::atomic::AtomicUsize>) {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert = certified.cert.der().clone();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(certified.signing_key.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert], key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let handshakes = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = handshakes.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            if let Ok(mut tls) = acceptor.accept(stream).await {
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let _ = tls.shutdown().await;
            }
        }
    });
    (port, handshakes)
}

#[tokio::test]
async fn client_untrusted_certificate_is_a_clear_error_without_retries() {
    let (port, handshakes) = self_signed_server().await;
    let mock = spirl_mock_api::spawn(MockConfig::default()).await.unwrap();
    let mut config = config_for(&format!("https://localhost:{port}"), &mock);
    config.max_retries = 5;
    let client = Client::new(&config, "1.0.3").unwrap();
    let started = std::time::Instant::now();
    let err = client.get_trust_domain("td-a").await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(matches!(err, ApiError::Transport(_)), "{err}");
    assert_eq!(
        err.context().attempts,
        1,
        "a certificate error is not retried"
    );
    let message = err.to_string();
    assert!(
        message.contains("TLS certificate verification failed"),
        "{message}"
    );
    assert!(message.contains("UnknownIssuer"), "{message}");
    assert_eq!(handshakes.load(std::sync::atomic::Ordering::SeqCst), 0);
}
