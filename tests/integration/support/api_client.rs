//! For the `client` tests: a mock on a free port, a client configured for it through the
//! provider's own config code, and small raw-socket servers for what the mock cannot be (a
//! proxy, a dead port).

use std::sync::{Arc, Mutex};

use spirl_mock_api::{MockOptions, RunningMock};
use terraform_provider_spirl::client::{Client, CreateTrustDomain};
use terraform_provider_spirl::keys::KeyPair;
use terraform_provider_spirl::secret::SecretString;
use terraform_provider_spirl::settings::{ClientSettings, ClientSetup, ProviderInputs, resolve};
use tfplugin::Attr;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// The gRPC path of a trust-domain method, as the mock counts it.
pub fn td_method(name: &str) -> String {
    format!("/com.spirl.api.v1.trustdomain.API/{name}")
}

/// The gRPC path of the login.
pub const LOGIN: &str = "/com.spirl.api.v1.session.API/AuthenticateServiceAccount";

/// A mock with `config` and a client for it.
pub async fn mock_and_client(config: MockOptions) -> (RunningMock, Client) {
    let mock = spirl_mock_api::spawn(config).await.unwrap();
    let client = client_for(&mock, |_| {});
    (mock, client)
}

/// A client of the provider's own for `mock`, for changes made out of band in acceptance tests
/// (the same client the provider uses, so out-of-band calls speak the real wire too).
pub fn out_of_band_client(mock: &RunningMock) -> Client {
    client_for(mock, |_| {})
}

/// A client for `mock`, its configuration adjusted by `adjust`.
pub fn client_for(mock: &RunningMock, adjust: impl FnOnce(&mut ClientSettings)) -> Client {
    let mut config = config_for(&mock.endpoint, mock, &|_| None);
    adjust(&mut config);
    Client::new(&config, "1.0.3").unwrap()
}

/// The configuration the provider would resolve for `endpoint` with the mock's credentials,
/// TLS as the mock serves it, and the environment `env`.
pub fn config_for(
    endpoint: &str,
    mock: &RunningMock,
    env: &dyn Fn(&str) -> Option<String>,
) -> ClientSettings {
    config_with(endpoint, &mock.credentials, env)
}

/// The configuration the provider would resolve for `endpoint` with `credentials` (a mock's, or
/// a service account added to it), and the environment `env`.
pub fn config_with(
    endpoint: &str,
    credentials: &spirl_mock_api::Credentials,
    env: &dyn Fn(&str) -> Option<String>,
) -> ClientSettings {
    let inputs = ProviderInputs {
        endpoint: Attr::Value(endpoint.to_owned()),
        use_tls: Attr::Value(credentials.use_tls),
        sa_key_id: Attr::Value(credentials.sa_key_id.clone()),
        sa_private_key: Attr::Value(SecretString::new(credentials.sa_private_key.clone())),
        ..ProviderInputs::default()
    };
    match resolve(&inputs, env) {
        (Some(ClientSetup::Ready(config)), problems)
            if !terraform_provider_spirl::problem::has_errors(&problems) =>
        {
            *config
        }
        other => panic!("mock configuration does not resolve: {other:?}"),
    }
}

/// Calls the mock has seen of gRPC method `path`.
pub fn requests(mock: &RunningMock, path: &str) -> u64 {
    mock.stats().requests.get(path).copied().unwrap_or(0)
}

/// All calls the mock has seen.
pub fn total_requests(mock: &RunningMock) -> u64 {
    mock.stats().requests.values().sum()
}

/// The request that creates self-hosted trust domain `name` with the server's defaults.
pub fn trust_domain(name: &str) -> CreateTrustDomain {
    CreateTrustDomain {
        name: name.to_owned(),
        self_hosted: true,
        ..CreateTrustDomain::default()
    }
}

/// A fresh ed25519 public key, DER SPKI.
pub fn new_key() -> Vec<u8> {
    KeyPair::generate().public_key().to_spki_der()
}

/// `(trust domains, deployments, keys)` on the mock.
pub fn object_counts(mock: &RunningMock) -> (usize, usize, usize) {
    let o = mock.stats().objects;
    (o.trust_domains, o.deployments, o.keys)
}

/// Sets the share of committed writes whose answer the mock drops (1.0: every one).
pub fn drop_answers(mock: &RunningMock, rate: f64) {
    mock.state
        .set_faults(spirl_mock_api::Faults {
            drop_after_commit_rate: rate,
            ..mock.state.faults()
        })
        .unwrap();
}

/// A port nothing listens on (bound, then closed).
pub async fn dead_port() -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap()
}

/// What a [`connect_proxy`] saw: each `CONNECT` request head.
pub type ProxyLog = Arc<Mutex<Vec<String>>>;

/// A small HTTP `CONNECT` proxy on a free port that tunnels every target to `upstream` (so a
/// made-up host name reaches the mock) and records each request head. With `require_auth`, a
/// request without that `Proxy-Authorization` value gets 407.
pub async fn connect_proxy(
    upstream: std::net::SocketAddr,
    require_auth: Option<String>,
) -> (std::net::SocketAddr, ProxyLog) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let log: ProxyLog = Arc::default();
    let seen = log.clone();
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            let seen = seen.clone();
            let require_auth = require_auth.clone();
            tokio::spawn(async move {
                let head = read_head(&mut inbound).await;
                seen.lock().unwrap().push(head.clone());
                let authorized = require_auth.as_ref().is_none_or(|want| {
                    head.lines()
                        .any(|l| l.eq_ignore_ascii_case(&format!("proxy-authorization: {want}")))
                });
                if !head.starts_with("CONNECT ") || !authorized {
                    let _ = inbound
                        .write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\ncontent-length: 0\r\n\r\n")
                        .await;
                    return;
                }
                let Ok(mut outbound) = TcpStream::connect(upstream).await else {
                    let _ = inbound.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
                    return;
                };
                let _ = inbound
                    .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    .await;
                let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
            });
        }
    });
    (addr, log)
}

/// Reads an HTTP request head (up to the blank line).
pub async fn read_head(stream: &mut TcpStream) -> String {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") && buf.len() < 16 * 1024 {
        match stream.read(&mut byte).await {
            Ok(1) => buf.push(byte[0]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&buf).into_owned()
}

/// Starts a mock again on the data directory of one just stopped. The stopped mock's lock on it
/// can outlive it for a moment: a child process that another test forks just then holds a copy
/// of the locked file until it execs. So `DataDirInUse` is retried, for at most 30 seconds.
pub async fn respawn(config: impl Fn() -> MockOptions) -> RunningMock {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        match spirl_mock_api::spawn(config()).await {
            Err(spirl_mock_api::MockError::DataDirInUse(_))
                if std::time::Instant::now() < deadline =>
            {
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
            other => return other.expect("restart the mock API"),
        }
    }
}
