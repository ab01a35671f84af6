//! The `spirl-mock-api` binary as a child process: durability across `kill -9`, a clean stop on
//! SIGTERM, the credentials file, and bad flags.

mod common;

use std::ffi::OsStr;
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::{Http, Session, Transport as _, login};
use serde_json::json;
use spirl_mock_api::Credentials;

const BIN: &str = env!("CARGO_BIN_EXE_spirl-mock-api");

/// How long a child gets to announce itself; generous for a loaded CI machine.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// A running child mock; killed when dropped.
struct ChildMock {
    child: Child,
    endpoint: String,
}

impl Drop for ChildMock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Flags for a mock keeping its state in `dir/data` and writing `dir/creds.json`; returns them
/// and the credentials path.
fn durable_args(dir: &Path) -> (Vec<String>, PathBuf) {
    let creds = dir.join("creds.json");
    let args = vec![
        "--data-dir".to_owned(),
        dir.join("data").display().to_string(),
        "--credentials-out".to_owned(),
        creds.display().to_string(),
    ];
    (args, creds)
}

/// Starts the binary on a free port with `args`, and waits for its `listening on` line.
fn start(args: &[impl AsRef<OsStr>]) -> ChildMock {
    let mut child = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn the mock");
    let stdout = child.stdout.take().expect("stdout");
    let (lines, first) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    let line = first
        .recv_timeout(START_TIMEOUT)
        .expect("the mock announces its address");
    let endpoint = line
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    assert!(endpoint.starts_with("http://127.0.0.1:"), "{endpoint}");
    ChildMock { child, endpoint }
}

fn read_credentials(path: &Path) -> Credentials {
    let text = std::fs::read_to_string(path).expect("credentials file");
    serde_json::from_str(&text).expect("credentials JSON")
}

async fn session(endpoint: &str, credentials: &Credentials) -> Session<Http> {
    let http = Http::new(endpoint);
    let token = login(&http, credentials).await;
    Session {
        transport: http,
        token,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn durability_every_acknowledged_create_survives_kill_9() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (args, creds) = durable_args(dir.path());
    let mut mock = start(&args);
    let credentials = read_credentials(&creds);
    assert_eq!(credentials.endpoint, mock.endpoint);
    let api = std::sync::Arc::new(session(&mock.endpoint, &credentials).await);

    // Four writers stream trust domains, each with a deployment; every 2xx is reported, and any
    // other answer fails the test (a writer stops at its first transport error: the kill).
    let (acked, mut acks) = tokio::sync::mpsc::unbounded_channel();
    for writer in 0..4 {
        let api = api.clone();
        let acked = acked.clone();
        tokio::spawn(async move {
            for n in 0.. {
                let name = format!("w{writer}-n{n}.example");
                let Ok(td) = api
                    .try_post("/v1/trust-domains", json!({ "name": name }))
                    .await
                else {
                    return;
                };
                if td.status != 201 {
                    let _ = acked.send(Err(format!("{td:#?}")));
                    return;
                }
                let td = td.id();
                let _ = acked.send(Ok(("td", name, td.clone())));
                let path = format!("/v1/trust-domains/{td}/deployments");
                let Ok(dep) = api.try_post(&path, json!({ "name": "prod" })).await else {
                    return;
                };
                if dep.status != 201 {
                    let _ = acked.send(Err(format!("{dep:#?}")));
                    return;
                }
                let _ = acked.send(Ok(("deployment", td, dep.id())));
            }
        });
    }
    drop(acked);
    let mut seen = Vec::new();
    while seen.len() < 60 {
        let ack = acks.recv().await.expect("writers are running");
        seen.push(ack.expect("every answer before the kill is a 201"));
    }
    mock.child.kill().expect("SIGKILL");
    mock.child.wait().expect("reaped");
    // Whatever was acknowledged between the 60th ack and the kill counts too.
    while let Some(ack) = acks.recv().await {
        seen.push(ack.expect("every answer is a 201"));
    }

    let restarted = start(&args);
    let after = read_credentials(&creds);
    assert_eq!(
        after.sa_key_id, credentials.sa_key_id,
        "same bootstrap account"
    );
    assert_eq!(after.endpoint, restarted.endpoint);
    let api = session(&restarted.endpoint, &after).await;
    let mut missing = Vec::new();
    for (kind, parent, id) in &seen {
        let reply = match *kind {
            "td" => api.get(&format!("/v1/trust-domains?name={parent}")).await,
            _ => {
                api.get(&format!("/v1/trust-domains/{parent}/deployments/{id}"))
                    .await
            }
        };
        let found = match *kind {
            "td" => reply.body["trust_domains"][0]["id"] == id.as_str(),
            _ => reply.status == 200,
        };
        if !found {
            missing.push((kind, id));
        }
    }
    assert!(missing.is_empty(), "acknowledged but lost: {missing:?}");
    assert!(seen.len() >= 60);
}

#[tokio::test]
async fn sigterm_stops_cleanly_and_state_is_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (args, creds) = durable_args(dir.path());
    let mut mock = start(&args);
    let api = session(&mock.endpoint, &read_credentials(&creds)).await;
    let td = api.trust_domain("example.org").await;
    let pid = mock.child.id().to_string();
    let status = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(status.success());
    let exit = mock.child.wait().expect("exits");
    assert!(exit.success(), "exit status {exit:?}");

    let restarted = start(&args);
    let api = session(&restarted.endpoint, &read_credentials(&creds)).await;
    assert_eq!(
        api.get(&format!("/v1/trust-domains/{td}")).await.status,
        200
    );
}

#[tokio::test]
async fn credentials_file_holds_a_working_login_and_nothing_else() {
    let dir = tempfile::tempdir().expect("tempdir");
    let creds = dir.path().join("creds.json");
    let mock = start(&["--credentials-out", creds.to_str().expect("utf-8 path")]);
    let value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&creds).expect("file")).expect("JSON");
    let mut fields: Vec<_> = value.as_object().expect("object").keys().cloned().collect();
    fields.sort();
    assert_eq!(fields, ["endpoint", "sa_key_id", "sa_private_key"]);
    assert!(
        value["sa_private_key"]
            .as_str()
            .expect("string")
            .starts_with("-----BEGIN PRIVATE KEY-----")
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&creds)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o077,
            0,
            "private key file readable by others: {mode:o}"
        );
    }
    // No temporary file is left beside it.
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 1);
    let http = Http::new(&mock.endpoint);
    let token = login(&http, &read_credentials(&creds)).await;
    assert!(!token.is_empty());
    let reply = http
        .call(common::Call {
            method: "GET",
            path: "/v1/trust-domains",
            token: Some(&token),
            ..Default::default()
        })
        .await;
    assert_eq!(reply.status, 200);
}

#[test]
fn bad_flags_exit_2_with_a_message() {
    for args in [
        &["--fail-rate", "2"][..],
        &["--drop-after-commit-rate", "x"],
        &["--listen", "not-an-address"],
        &["--token-ttl-secs", "0"],
        &["--no-such-flag"],
        &["--base-domain", "bad domain"],
    ] {
        let output = Command::new(BIN).args(args).output().expect("run");
        assert_eq!(output.status.code(), Some(2), "{args:?}: {output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.trim().is_empty(), "{args:?}: no message");
        assert!(
            output.stdout.is_empty(),
            "{args:?}: stdout {:?}",
            output.stdout
        );
    }
    let output = Command::new(BIN)
        .args(["--fail-rate", "2"])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--fail-rate") && stderr.contains("not between 0 and 1"),
        "{stderr}"
    );
}

#[test]
fn second_mock_on_the_same_data_dir_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8 path");
    let _first = start(&["--data-dir", data]);
    let output = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0", "--data-dir", data])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("is in use by another mock"),
        "{output:?}"
    );
}
