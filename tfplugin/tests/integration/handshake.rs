//! The go-plugin handshake, acting as Terraform: the example provider runs as a child process.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use magma_protocol::tfplugin6 as pb;
use tfplugin::goplugin;
use tfplugin::serve::{MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE};
use tfplugin::tls::{PinnedCert, ServerCert, generate_cert};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};

fn command(envs: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(common::example_binary());
    for k in [
        MAGIC_COOKIE_KEY,
        "PLUGIN_PROTOCOL_VERSIONS",
        "PLUGIN_CLIENT_CERT",
        "PLUGIN_UNIX_SOCKET_DIR",
        "TF_LOG",
        "TF_LOG_PROVIDER",
    ] {
        cmd.env_remove(k);
    }
    cmd.envs(envs.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    cmd
}

async fn finished(mut child: Child) -> (i32, String, String) {
    let out = tokio::time::timeout(Duration::from_secs(30), async {
        let (mut o, mut e) = (String::new(), String::new());
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut o)
            .await
            .unwrap();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut e)
            .await
            .unwrap();
        let status = child.wait().await.unwrap();
        (status.code().unwrap_or(-1), o, e)
    });
    out.await.expect("the plugin exits")
}

/// Reads the handshake line and splits it.
async fn handshake(child: &mut Child) -> Vec<String> {
    let stdout = child.stdout.as_mut().unwrap();
    let mut line = String::new();
    let mut reader = BufReader::new(stdout);
    tokio::time::timeout(Duration::from_secs(30), reader.read_line(&mut line))
        .await
        .unwrap()
        .unwrap();
    assert!(line.ends_with('\n'), "{line:?}");
    line.trim_end().split('|').map(str::to_owned).collect()
}

fn pem(cert: &ServerCert) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(cert.cert.as_ref());
    format!("-----BEGIN CERTIFICATE-----\n{b64}\n-----END CERTIFICATE-----\n")
}

fn client_tls(server_der: Vec<u8>, client: Option<&ServerCert>) -> Arc<rustls::ClientConfig> {
    let b = rustls::ClientConfig::builder_with_provider(tfplugin::tls::crypto_provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(PinnedCert::new(server_der.into())));
    Arc::new(match client {
        Some(c) => b
            .with_client_auth_cert(vec![c.cert.clone()], c.key.clone_key())
            .unwrap(),
        None => b.with_no_client_auth(),
    })
}

async fn schema_call(
    socket: &std::path::Path,
    tls: Option<Arc<rustls::ClientConfig>>,
) -> Result<(), String> {
    let attempt = async {
        let mut c = tfplugin::connect(socket, tls)
            .await
            .map_err(|e| e.to_string())?;
        c.get_provider_schema(pb::get_provider_schema::Request {})
            .await
            .map_err(|e| e.to_string())?;
        Ok(())
    };
    tokio::time::timeout(Duration::from_secs(20), attempt)
        .await
        .unwrap_or_else(|_| Err("timed out".into()))
}

#[tokio::test]
async fn handshake_without_the_magic_cookie_exits_1_and_explains() {
    let (code, out, err) = finished(command(&[]).spawn().unwrap()).await;
    assert_eq!(code, 1);
    assert_eq!(out, "", "nothing on stdout");
    assert!(err.contains("This binary is a plugin"), "{err}");
}

#[tokio::test]
async fn handshake_refuses_when_protocol_6_is_not_offered() {
    let (code, out, err) = finished(
        command(&[
            (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
            ("PLUGIN_PROTOCOL_VERSIONS", "4,5"),
        ])
        .spawn()
        .unwrap(),
    )
    .await;
    assert_eq!(code, 1);
    assert_eq!(out, "");
    assert!(err.contains("protocol 6") && err.contains("4,5"), "{err}");
}

#[tokio::test]
async fn handshake_serves_on_a_private_socket_and_shuts_down_cleanly() {
    let parent = tempfile::tempdir().unwrap();
    let parent_s = parent.path().to_str().unwrap();
    let mut child = command(&[
        (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
        ("PLUGIN_PROTOCOL_VERSIONS", "5,6"),
        ("PLUGIN_UNIX_SOCKET_DIR", parent_s),
        ("TF_LOG", "debug"),
    ])
    .spawn()
    .unwrap();
    let f = handshake(&mut child).await;
    assert_eq!(&f[..3], ["1", "6", "unix"]);
    assert_eq!((f[4].as_str(), f[5].as_str()), ("grpc", ""));
    let socket = PathBuf::from(&f[3]);
    let dir = socket.parent().unwrap().to_owned();
    assert_eq!(dir.parent().unwrap(), parent.path());
    assert_eq!(
        std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
        0o700
    );

    schema_call(&socket, None).await.unwrap();
    let channel = tfplugin::serve::channel(&socket, None).await.unwrap();
    let health = goplugin::health_client::HealthClient::new(channel.clone())
        .check(goplugin::HealthCheckRequest {
            service: "plugin".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(health.status, goplugin::SERVING);
    goplugin::g_r_p_c_controller_client::GRPCControllerClient::new(channel)
        .shutdown(goplugin::Empty {})
        .await
        .unwrap();

    let (code, rest_of_stdout, stderr) = finished(child).await;
    assert_eq!(code, 0, "{stderr}");
    assert!(
        !stderr.contains("exiting anyway"),
        "in-flight work drains: {stderr}"
    );
    assert_eq!(rest_of_stdout, "", "only the handshake line on stdout");
    assert!(!dir.exists(), "the socket directory is removed");
    let line = stderr
        .lines()
        .find(|l| l.contains("plugin serving"))
        .expect("a debug log line");
    let log: serde_json::Value = serde_json::from_str(line).unwrap();
    assert_eq!(log["@module"], "provider.terraform-provider-tfexample");
    assert_eq!(log["@level"], "debug");
    assert!(log["@timestamp"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn mtls_requires_exactly_the_client_certificate_terraform_sent() {
    let client = generate_cert().unwrap();
    let mut child = command(&[
        (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
        ("PLUGIN_CLIENT_CERT", &pem(&client)),
    ])
    .spawn()
    .unwrap();
    let f = handshake(&mut child).await;
    let server_der = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(&f[5])
        .unwrap();
    let socket = PathBuf::from(&f[3]);

    schema_call(&socket, Some(client_tls(server_der.clone(), Some(&client))))
        .await
        .unwrap();
    let stranger = generate_cert().unwrap();
    let wrong = schema_call(
        &socket,
        Some(client_tls(server_der.clone(), Some(&stranger))),
    )
    .await;
    assert!(wrong.is_err(), "another certificate is refused");
    let none = schema_call(&socket, Some(client_tls(server_der.clone(), None))).await;
    assert!(none.is_err(), "no certificate is refused");
    let plain = schema_call(&socket, None).await;
    assert!(plain.is_err(), "plaintext is refused");
    // Still serving the right client afterwards.
    schema_call(&socket, Some(client_tls(server_der.clone(), Some(&client))))
        .await
        .unwrap();

    let channel = tfplugin::serve::channel(&socket, Some(client_tls(server_der, Some(&client))))
        .await
        .unwrap();
    goplugin::g_r_p_c_controller_client::GRPCControllerClient::new(channel)
        .shutdown(goplugin::Empty {})
        .await
        .unwrap();
    let (code, _, stderr) = finished(child).await;
    assert_eq!(code, 0, "{stderr}");
}

/// The last `TF_LOG` line a plugin wrote to `stderr` that says it saw Terraform go, as JSON.
fn gone_line(stderr: &str) -> Option<serde_json::Value> {
    stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|l| l["@message"] == "Terraform is gone; the provider exits")
}

#[tokio::test]
async fn lifeline_plugin_exits_when_the_reader_of_its_stdout_is_gone() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("stderr.log");
    // stderr to a file and this test (its parent) alive: only the stdout pipe can tell.
    let mut child = command(&[
        (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
        ("PLUGIN_UNIX_SOCKET_DIR", dir.path().to_str().unwrap()),
        ("TF_LOG", "info"),
    ])
    .stderr(std::fs::File::create(&log).unwrap())
    .spawn()
    .unwrap();
    let f = handshake(&mut child).await;
    let socket_dir = PathBuf::from(&f[3]).parent().unwrap().to_owned();
    schema_call(&PathBuf::from(&f[3]), None).await.unwrap();

    drop(child.stdout.take());
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("the plugin exits once nobody reads its stdout")
        .unwrap();
    assert!(status.success(), "{status}");
    assert!(!socket_dir.exists(), "the socket directory is removed");
    let stderr = std::fs::read_to_string(&log).unwrap();
    let line = gone_line(&stderr).unwrap_or_else(|| panic!("says why:\n{stderr}"));
    assert_eq!(line["@level"], "info");
    assert!(
        line["reason"].as_str().unwrap().contains("stdout"),
        "{line}"
    );
}

/// Whether process `pid` still runs: it is in `/proc` and has not exited (an orphan that exited
/// stays a zombie until init reaps it).
#[cfg(target_os = "linux")]
fn running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        let state = stat.rfind(')').and_then(|i| stat[i + 2..].chars().next());
        !matches!(state, None | Some('Z' | 'X'))
    })
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn lifeline_plugin_exits_when_its_parent_is_killed() {
    let dir = tempfile::tempdir().unwrap();
    let (out, err) = (dir.path().join("stdout"), dir.path().join("stderr"));
    // A shell plays Terraform: it starts the plugin with stdout and stderr in files (so no pipe
    // can tell), prints its pid, and waits. Killing it leaves only the parent to go by.
    let mut parent = Command::new("/bin/sh");
    parent
        .arg("-c")
        .arg("\"$0\" >\"$1\" 2>\"$2\" & echo $!; wait")
        .arg(common::example_binary())
        .arg(&out)
        .arg(&err)
        .env(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE)
        .env("PLUGIN_UNIX_SOCKET_DIR", dir.path())
        .env("TF_LOG", "info")
        .env_remove("TF_LOG_PROVIDER")
        .env_remove("PLUGIN_CLIENT_CERT")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .kill_on_drop(true);
    let mut parent = parent.spawn().unwrap();
    let mut line = String::new();
    BufReader::new(parent.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .await
        .unwrap();
    let plugin: u32 = line.trim().parse().expect("the plugin's pid");
    // Serving (the handshake is written after the lifeline is set up).
    let serving = common::wait_for(Duration::from_secs(30), || {
        std::fs::read_to_string(&out).is_ok_and(|s| s.ends_with('\n'))
    })
    .await;
    assert!(serving, "the plugin did not start");

    parent.kill().await.unwrap();
    let killed = std::time::Instant::now();
    let exited = common::wait_for(Duration::from_secs(5), || !running(plugin)).await;
    let took = killed.elapsed();
    if !exited {
        let _ = std::process::Command::new("kill")
            .arg(plugin.to_string())
            .status();
    }
    assert!(
        exited,
        "the plugin still runs {took:?} after its parent was killed"
    );
    let stderr = std::fs::read_to_string(&err).unwrap();
    let line = gone_line(&stderr).unwrap_or_else(|| panic!("says why:\n{stderr}"));
    let reason = line["reason"].as_str().unwrap();
    // The death signal, or the parent pid looked at within a second: either names the parent.
    assert!(
        reason.contains("Terraform (pid ") && reason.contains("exited"),
        "{reason}"
    );
    eprintln!("plugin exited {took:?} after its parent was killed: {reason}");
}
