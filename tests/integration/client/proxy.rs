//! `HTTPS_PROXY` and `NO_PROXY`: the client tunnels through an HTTP `CONNECT` proxy (a small
//! one on a free port, which sends every tunnel to the mock), sends the proxy's credentials, and
//! goes direct where `NO_PROXY` or loopback says so.
#![allow(clippy::unwrap_used)]

use crate::support::{config_for, connect_proxy, trust_domain};
use spirl_mock_api::MockOptions;
use terraform_provider_spirl::client::{ApiError, Client};

fn env(vars: Vec<(&'static str, String)>) -> impl Fn(&str) -> Option<String> {
    move |name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    }
}

#[tokio::test]
async fn client_proxy_tunnels_calls_with_its_credentials() {
    let mock = spirl_mock_api::spawn(MockOptions::default()).await.unwrap();
    let (proxy, seen) = connect_proxy(mock.addr, Some("Basic dXNlcjpwQHNz".into())).await;
    // A made-up host only the proxy can reach (it tunnels everything to the mock). Plain HTTP/2
    // to a remote name needs `use_tls = false`, which the mock's credentials set.
    let vars = env(vec![("HTTPS_PROXY", format!("http://user:p%40ss@{proxy}"))]);
    let config = config_for("api.spirl.test:443", &mock, &vars);
    assert!(config.proxy.is_some());
    let client = Client::new(&config, "1.0.3").unwrap();
    let td = client
        .create_trust_domain(&trust_domain("example.org"))
        .await
        .unwrap();
    client.delete_trust_domain(&td).await.unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "one tunnel carries every call: {seen:?}");
    assert!(
        seen[0].starts_with("CONNECT api.spirl.test:443 HTTP/1.1\r\n"),
        "{}",
        seen[0]
    );
    assert!(seen[0].contains("Host: api.spirl.test:443"), "{}", seen[0]);
}

#[tokio::test]
async fn client_proxy_refusal_names_the_proxy_and_what_to_do() {
    let mock = spirl_mock_api::spawn(MockOptions::default()).await.unwrap();
    let (proxy, _) = connect_proxy(mock.addr, Some("Basic secret".into())).await;
    let vars = env(vec![("HTTPS_PROXY", format!("http://{proxy}"))]);
    let mut config = config_for("api.spirl.test:443", &mock, &vars);
    config.max_retries = 0;
    let err = Client::new(&config, "1.0.3")
        .unwrap()
        .list_trust_domains(None)
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::Transport(_)), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("HTTPS_PROXY") && text.contains("407"),
        "{text}"
    );
}

#[tokio::test]
async fn client_proxy_no_proxy_and_loopback_go_direct() {
    let mock = spirl_mock_api::spawn(MockOptions::default()).await.unwrap();
    let (proxy, seen) = connect_proxy(mock.addr, None).await;
    // Loopback never goes through a proxy.
    let vars = env(vec![("HTTPS_PROXY", format!("http://{proxy}"))]);
    let config = config_for(&mock.endpoint, &mock, &vars);
    assert!(config.proxy.is_none());
    Client::new(&config, "1.0.3")
        .unwrap()
        .list_trust_domains(None)
        .await
        .unwrap();
    // NO_PROXY sends the named host direct (and this made-up one cannot be reached).
    let vars = env(vec![
        ("HTTPS_PROXY", format!("http://{proxy}")),
        ("NO_PROXY", "localhost,.spirl.test".into()),
    ]);
    let mut config = config_for("api.spirl.test:443", &mock, &vars);
    assert!(config.proxy.is_none());
    config.max_retries = 0;
    let err = Client::new(&config, "1.0.3")
        .unwrap()
        .list_trust_domains(None)
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::Transport(_)), "{err}");
    assert!(seen.lock().unwrap().is_empty(), "the proxy saw nothing");
}
