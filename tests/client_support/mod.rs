//! Shared by the `client_*` tests: a mock on a free port, a client configured for it through
//! the provider's own config code, a log recorder, and tiny raw-socket servers for what the mock
//! cannot do (redirects, proxies, header capture).
#![allow(clippy::unwrap_used, dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use spirl_mock_api::{MockConfig, RunningMock};
use terraform_provider_spirl::client::{
    Client, CreateDeployment, CreateKey, CreateTrustDomain, Deployment, TrustDomain,
};
use terraform_provider_spirl::config::{ClientConfig, ClientSetup, ProviderInputs, resolve};
use terraform_provider_spirl::keys::KeyPair;
use terraform_provider_spirl::secret::SecretString;
use tfplugin::Attr;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// A mock with `config` and a client for it.
pub async fn mock_and_client(config: MockConfig) -> (RunningMock, Client) {
    let mock = spirl_mock_api::spawn(config).await.unwrap();
    let client = client_for(&mock, |_| {});
    (mock, client)
}

/// A client for `mock`, its configuration adjusted by `adjust`.
pub fn client_for(mock: &RunningMock, adjust: impl FnOnce(&mut ClientConfig)) -> Client {
    let mut config = config_for(&mock.credentials.endpoint, mock);
    adjust(&mut config);
    Client::new(&config, "1.0.3").unwrap()
}

/// The configuration the provider would resolve for `endpoint` with the mock's credentials.
pub fn config_for(endpoint: &str, mock: &RunningMock) -> ClientConfig {
    let inputs = ProviderInputs {
        endpoint: Attr::Value(endpoint.to_owned()),
        sa_key_id: Attr::Value(mock.credentials.sa_key_id.clone()),
        sa_private_key: Attr::Value(SecretString::new(mock.credentials.sa_private_key.clone())),
        ..ProviderInputs::default()
    };
    match resolve(&inputs, &|_| None) {
        (Some(ClientSetup::Ready(config)), problems) if problems.is_empty() => *config,
        other => panic!("mock configuration does not resolve: {other:?}"),
    }
}

/// Requests the mock has seen for `"METHOD /route"`.
pub fn requests(mock: &RunningMock, route: &str) -> u64 {
    mock.stats().requests.get(route).copied().unwrap_or(0)
}

/// The body that creates trust domain `name` with the server's defaults.
pub fn trust_domain(name: &str) -> CreateTrustDomain {
    CreateTrustDomain {
        name: name.to_owned(),
        ..CreateTrustDomain::default()
    }
}

/// The body that registers a fresh active key.
pub fn new_key() -> CreateKey {
    CreateKey {
        public_key: KeyPair::generate().public_key().to_pem(),
        active: true,
    }
}

/// Creates trust domain `example.org` with a deployment `prod`.
pub async fn trust_domain_with_deployment(client: &Client) -> (TrustDomain, Deployment) {
    let td = client
        .create_trust_domain(&trust_domain("example.org"))
        .await
        .unwrap();
    let body = CreateDeployment {
        name: "prod".into(),
    };
    let deployment = client.create_deployment(&td.id, &body).await.unwrap();
    (td, deployment)
}

/// (trust domains, deployments, keys) on the mock.
pub fn object_counts(mock: &RunningMock) -> (usize, usize, usize) {
    let objects = mock.stats().objects;
    (objects.trust_domains, objects.deployments, objects.keys)
}

pub const CHALLENGE: &str = "POST /v1/auth/service-account/challenge";
pub const SESSION: &str = "POST /v1/auth/service-account/session";

/// A listener that answers every connection with `response` (raw HTTP) and records what it
/// was sent. Returns its address and the recording.
pub async fn canned_server(
    response: &'static str,
) -> (std::net::SocketAddr, Arc<Mutex<Vec<String>>>) {
    scripted_server(move |_| response.to_owned()).await
}

/// A listener that answers each connection with `respond(request head)` (raw HTTP, one
/// request per connection) and records the request heads.
pub async fn scripted_server(
    respond: impl Fn(&str) -> String + Send + Sync + 'static,
) -> (std::net::SocketAddr, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let respond = Arc::new(respond);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let record = record.clone();
            let respond = respond.clone();
            tokio::spawn(async move {
                let head = read_head(&mut stream).await;
                let response = respond(&head);
                record.lock().unwrap().push(head);
                let _ = stream.write_all(response.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    (addr, seen)
}

/// A raw HTTP/1.1 answer with a JSON body that closes the connection.
pub fn json_answer(status: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// Reads up to the end of the request head (and whatever body came with it).
pub async fn read_head(stream: &mut TcpStream) -> String {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match tokio::time::timeout(Duration::from_secs(5), stream.read(&mut chunk)).await {
            Ok(Ok(n)) if n > 0 => buf.extend_from_slice(&chunk[..n]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&buf).into_owned()
}

/// A TCP relay to `target` that records every byte in both directions, to see what really
/// went over the wire (tokens, nonces, signatures).
pub async fn recording_relay(
    target: std::net::SocketAddr,
) -> (std::net::SocketAddr, Arc<Mutex<Vec<u8>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let wire = Arc::new(Mutex::new(Vec::new()));
    let record = wire.clone();
    tokio::spawn(async move {
        while let Ok((inbound, _)) = listener.accept().await {
            let Ok(outbound) = TcpStream::connect(target).await else {
                continue;
            };
            let (in_read, in_write) = inbound.into_split();
            let (out_read, out_write) = outbound.into_split();
            tokio::spawn(pipe(in_read, out_write, record.clone()));
            tokio::spawn(pipe(out_read, in_write, record.clone()));
        }
    });
    (addr, wire)
}

/// Copies `from` to `to`, recording what passes.
async fn pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    record: Arc<Mutex<Vec<u8>>>,
) {
    let mut buf = [0u8; 8192];
    while let Ok(n) = from.read(&mut buf).await {
        if n == 0 || to.write_all(&buf[..n]).await.is_err() {
            break;
        }
        record.lock().unwrap().extend_from_slice(&buf[..n]);
    }
    let _ = to.shutdown().await;
}

/// Every log record of the process, formatted with its key-values.
pub static LOGS: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Recorder;

impl log::Log for Recorder {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        struct Collect(String);
        impl<'kvs> log::kv::VisitSource<'kvs> for Collect {
            fn visit_pair(
                &mut self,
                key: log::kv::Key<'kvs>,
                value: log::kv::Value<'kvs>,
            ) -> Result<(), log::kv::Error> {
                self.0.push_str(&format!(" {key}={value}"));
                Ok(())
            }
        }
        let mut line = Collect(format!(
            "{} {} {}",
            record.level(),
            record.target(),
            record.args()
        ));
        let _ = record.key_values().visit(&mut line);
        LOGS.lock().unwrap().push(line.0);
    }

    fn flush(&self) {}
}

static RECORDER: Recorder = Recorder;

/// Sends every log record, at every level, to [`LOGS`].
pub fn record_logs() {
    let _ = log::set_logger(&RECORDER);
    log::set_max_level(log::LevelFilter::Trace);
}
