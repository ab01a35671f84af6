//! `HTTPS_PROXY` and `NO_PROXY` are honoured (reqwest's environment proxy support, with
//! rustls). Proxy variables are read from the process environment, which a test must not
//! change under its siblings, so the probe runs in a child process: this test binary again,
//! filtered to `proxy_probe_child`, with the variables set.
#![allow(clippy::unwrap_used)]

mod client_support;

use std::time::Duration;

use client_support::canned_server;
use reqwest::Url;
use terraform_provider_spirl::client::{ApiError, Client};
use terraform_provider_spirl::config::{ClientConfig, Credentials};
use terraform_provider_spirl::keys::KeyPair;

/// Set in the child process only.
const PROBE: &str = "SPIRL_TEST_PROXY_PROBE";

#[tokio::test]
async fn client_uses_https_proxy_and_no_proxy_from_environment() {
    let (proxy, seen) =
        canned_server("HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
            .await;
    let mut child = tokio::process::Command::new(std::env::current_exe().unwrap());
    child
        .args(["--exact", "proxy_probe_child", "--nocapture"])
        .env(PROBE, "1")
        .env("HTTPS_PROXY", format!("http://{proxy}"))
        .env("NO_PROXY", "127.0.0.2");
    for other in [
        "https_proxy",
        "http_proxy",
        "HTTP_PROXY",
        "all_proxy",
        "ALL_PROXY",
        "no_proxy",
    ] {
        child.env_remove(other);
    }
    let output = child.output().await.unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "child failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("1 passed"),
        "the child ran no probe:\n{stdout}"
    );
    let seen = seen.lock().unwrap();
    assert_eq!(
        seen.len(),
        1,
        "only the proxied host goes through the proxy: {seen:?}"
    );
    assert!(
        seen[0].starts_with("CONNECT api.spirl.test:443 HTTP/1.1\r\n"),
        "{}",
        seen[0]
    );
}

/// The child half of the test above; does nothing in an ordinary run.
#[tokio::test]
async fn proxy_probe_child() {
    if std::env::var_os(PROBE).is_none() {
        return;
    }
    let config = |url: &str| ClientConfig {
        base_url: Url::parse(url).unwrap(),
        credentials: Credentials {
            key_id: "sak-test".into(),
            private_key: KeyPair::generate(),
        },
        request_timeout: Duration::from_secs(10),
        max_retries: 0,
    };
    // Through the proxy, which refuses the tunnel.
    let proxied = Client::new(&config("https://api.spirl.test"), "1.0.3").unwrap();
    let err = proxied.get_trust_domain("td-a").await.unwrap_err();
    assert!(matches!(err, ApiError::Transport(_)), "{err}");
    // NO_PROXY: straight to a closed port on 127.0.0.2.
    let closed = std::net::TcpListener::bind("127.0.0.2:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let direct = Client::new(&config(&format!("https://{closed}")), "1.0.3").unwrap();
    let err = direct.get_trust_domain("td-a").await.unwrap_err();
    assert!(err.to_string().contains("onnection refused"), "{err}");
}
