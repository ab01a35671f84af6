//! The `spirl-mock-api` binary: its announcement, credentials file, admin listener, TLS, and
//! durability across `kill -9`.

use crate::common;

use std::ffi::OsStr;
use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use crate::common::{Api, within};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName};
use spirl_api_proto::trustdomain::api_client::ApiClient as TrustDomainClient;
use spirl_mock_api::{Credentials, JOURNAL_FILE};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tonic::transport::Endpoint;

const BIN: &str = env!("CARGO_BIN_EXE_spirl-mock-api");

/// How long a child gets to announce itself; generous for a loaded CI machine.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// A running child mock; killed when dropped.
struct ChildMock {
    child: Child,
    endpoint: String,
    admin: String,
}

impl Drop for ChildMock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the binary on free ports with `args`, and waits for its two announcement lines.
fn start(args: &[impl AsRef<OsStr>]) -> ChildMock {
    let mut child = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn the mock");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let next = || {
        lines
            .recv_timeout(START_TIMEOUT)
            .expect("an announcement line")
    };
    let first = next();
    let endpoint = first
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
        .to_owned();
    endpoint
        .parse::<SocketAddr>()
        .expect("HOST:PORT, no scheme");
    let second = next();
    let admin = second
        .strip_prefix("admin on ")
        .unwrap_or_else(|| panic!("unexpected second line {second:?}"))
        .to_owned();
    assert!(admin.starts_with("http://127.0.0.1:"), "{admin}");
    ChildMock {
        child,
        endpoint,
        admin,
    }
}

fn read_credentials(path: &Path) -> Credentials {
    let text = std::fs::read_to_string(path).expect("credentials file");
    serde_json::from_str(&text).expect("credentials JSON")
}

/// `GET path` on the admin listener over a plain TCP socket; returns the status line and body.
async fn admin_get(admin: &str, path: &str) -> (String, String) {
    let addr = admin.strip_prefix("http://").expect("http URL");
    let mut stream = within(tokio::net::TcpStream::connect(addr))
        .await
        .expect("connect");
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut answer = String::new();
    within(stream.read_to_string(&mut answer))
        .await
        .expect("read");
    let (head, body) = answer.split_once("\r\n\r\n").expect("an HTTP answer");
    (
        head.lines().next().unwrap_or_default().to_owned(),
        body.to_owned(),
    )
}

fn creds_args(dir: &Path) -> (Vec<String>, PathBuf) {
    let creds = dir.join("creds.json");
    (
        vec!["--credentials-out".to_owned(), creds.display().to_string()],
        creds,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_announces_writes_credentials_and_serves_admin_stats() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (args, creds) = creds_args(dir.path());
    let mock = start(&args);
    let credentials = read_credentials(&creds);
    assert_eq!(credentials.endpoint, mock.endpoint);
    assert_eq!(credentials.admin_endpoint, mock.admin);
    assert!(!credentials.use_tls);
    assert_eq!(credentials.ca_cert_pem, None);
    assert!(credentials.sa_key_id.starts_with("sak-"));
    assert!(
        credentials
            .sa_private_key
            .starts_with("-----BEGIN PRIVATE KEY-----")
    );
    let raw: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&creds).expect("read")).expect("json");
    assert!(raw.get("ca_cert_pem").is_none(), "absent without TLS");

    let api = Api::login(&credentials).await;
    api.register("bin.example").await.expect("register");
    let (status, body) = admin_get(&mock.admin, "/_mock/stats").await;
    assert!(status.contains(" 200 "), "{status}");
    let stats: serde_json::Value = serde_json::from_str(&body).expect("stats JSON");
    assert_eq!(
        stats["objects"],
        serde_json::json!({"trust_domains": 1, "deployments": 0, "keys": 0, "realms": 0, "clusters": 0, "cluster_versions": 0, "agent_attestation_configs": 0, "provider_attestation_configs": 0, "cicd_profiles": 0, "cicd_profile_links": 0, "scoped_sections": 0, "federation_links": 0, "role_assignments": 0, "service_accounts": 0, "service_account_keys": 0})
    );
    assert_eq!(
        stats["requests"]["/com.spirl.api.v1.trustdomain.API/RegisterTrustDomain"],
        1
    );
    assert_eq!(
        stats["requests"]["/com.spirl.api.v1.session.API/AuthenticateServiceAccount"],
        1
    );
    let (status, _) = admin_get(&mock.admin, "/other").await;
    assert!(status.contains(" 404 "), "{status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_tls_serves_h2_with_a_certificate_the_credentials_ca_signed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut args, creds) = creds_args(dir.path());
    args.push("--tls".into());
    let mock = start(&args);
    let credentials = read_credentials(&creds);
    assert!(credentials.use_tls);
    let ca = credentials.ca_cert_pem.clone().expect("ca_cert_pem");
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(ca.as_bytes()).expect("PEM"))
        .expect("root");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec()];
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let addr: SocketAddr = mock.endpoint.parse().expect("addr");
    for name in ["localhost", "127.0.0.1"] {
        let server_name = ServerName::try_from(name.to_owned()).expect("name");
        let connector = connector.clone();
        let channel = within(
            Endpoint::from_shared(format!("http://{}", mock.endpoint))
                .expect("endpoint")
                .connect_with_connector(tower::service_fn(move |_| {
                    let connector = connector.clone();
                    let server_name = server_name.clone();
                    async move {
                        let tcp = tokio::net::TcpStream::connect(addr).await?;
                        let tls = connector.connect(server_name, tcp).await?;
                        assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
                        Ok::<_, std::io::Error>(hyper_util::rt::TokioIo::new(tls))
                    }
                })),
        )
        .await
        .expect("TLS connect");
        let token = common::login(channel.clone(), &credentials)
            .await
            .expect("login over TLS");
        let api = Api {
            client: TrustDomainClient::new(channel),
            token,
        };
        api.list("").await.expect("a call over TLS");
    }
    // Plaintext HTTP/2 to a TLS port fails.
    let plain = Endpoint::from_shared(format!("http://{}", mock.endpoint)).expect("endpoint");
    let plain = tokio::time::timeout(Duration::from_secs(5), async {
        let channel = plain.connect().await.map_err(|e| e.to_string())?;
        common::login(channel, &credentials)
            .await
            .map_err(|s| s.to_string())
    })
    .await;
    assert!(
        !matches!(plain, Ok(Ok(_))),
        "h2c must not work against --tls"
    );
}

fn durable_args(dir: &Path) -> (Vec<String>, PathBuf) {
    let (mut args, creds) = creds_args(dir);
    args.extend([
        "--data-dir".to_owned(),
        dir.join("data").display().to_string(),
    ]);
    (args, creds)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn durability_every_acknowledged_write_survives_kill_9() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (args, creds) = durable_args(dir.path());
    let mut mock = start(&args);
    let credentials = read_credentials(&creds);
    let api = Api::login(&credentials).await;
    let td = api.register("durable.example").await.expect("td");
    let key = api
        .add_key(&td, "prod", common::key_der(1))
        .await
        .expect("key");

    // Two writers stream trust domains; every acknowledged one is reported.
    let (acked, mut acks) = tokio::sync::mpsc::unbounded_channel();
    for writer in 0..2 {
        let api = api.clone();
        let acked = acked.clone();
        tokio::spawn(async move {
            for n in 0.. {
                let name = format!("w{writer}-n{n}.example");
                match api.register(&name).await {
                    Ok(id) => {
                        let _ = acked.send((name, id));
                    }
                    Err(_) => return,
                }
            }
        });
    }
    drop(acked);
    let mut written = Vec::new();
    while written.len() < 20 {
        written.push(within(acks.recv()).await.expect("an acknowledged write"));
    }
    mock.child.kill().expect("kill -9");
    mock.child.wait().expect("reaped");
    while let Ok(more) = acks.try_recv() {
        written.push(more);
    }
    drop(mock);

    let again = start(&args);
    let after = read_credentials(&creds);
    assert_eq!(after.sa_key_id, credentials.sa_key_id);
    assert_eq!(after.sa_private_key, credentials.sa_private_key);
    assert_ne!(after.endpoint, "", "a fresh endpoint");
    let api = Api::login(&after).await;
    for (name, id) in &written {
        let found = api.list(name).await.expect("list");
        assert_eq!(found.len(), 1, "{name} survived");
        assert_eq!(&found[0].id, id);
    }
    let keys = api.keys(&td, "prod").await.expect("keys");
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].id, key);
    drop(again);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn durability_a_torn_last_line_is_cut_and_the_rest_replayed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (args, creds) = durable_args(dir.path());
    let mock = start(&args);
    let api = Api::login(&read_credentials(&creds)).await;
    let td = api.register("torn.example").await.expect("td");
    drop(mock);
    let journal = dir.path().join("data").join(JOURNAL_FILE);
    let mut text = std::fs::read(&journal).expect("journal");
    let intact = text.len();
    text.extend_from_slice(b"{\"change\":{\"op\":\"trust_dom");
    std::fs::write(&journal, &text).expect("tear");
    let _again = start(&args);
    assert_eq!(
        std::fs::metadata(&journal).expect("journal").len() as usize,
        intact
    );
    let api = Api::login(&read_credentials(&creds)).await;
    assert_eq!(api.info(&td).await.expect("replayed").name, "torn.example");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_writes_a_spirlctl_session_a_user_can_call_with() {
    let dir = tempfile::tempdir().expect("tempdir");
    let session = dir.path().join("config.json");
    let mock = start(&[
        "--spirlctl-config-out".to_owned(),
        session.display().to_string(),
        "--user".to_owned(),
        "alice@example.com".to_owned(),
    ]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&session)
            .expect("written")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "readable by its owner only");
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&session).expect("read")).expect("JSON");
    let token = json["creds"]["token"].as_str().expect("creds.token");
    assert!(token.len() >= 40, "{token:?}");
    // The token works as the `token` metadata, with no login.
    let api = common::Api {
        client: TrustDomainClient::new(common::channel(&mock.endpoint).await),
        token: token.to_owned(),
    };
    api.register("spirlctl.example").await.expect("register");
    let (_, body) = admin_get(&mock.admin, "/_mock/stats").await;
    let stats: serde_json::Value = serde_json::from_str(&body).expect("stats JSON");
    assert!(
        stats["requests"]["/com.spirl.api.v1.session.API/AuthenticateServiceAccount"].is_null(),
        "no login: {stats}"
    );
}
