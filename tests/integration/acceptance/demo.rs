//! `scripts/demo.sh`, what `make demo` and `make demo-destroy` run, end to end in a temporary
//! `DEMO_DIR` with the mock on a free port: `up` applies, `up` again shows no changes (reusing the
//! running mock, then restarting a stopped one from its data directory on the same port), `down`
//! destroys and stops the mock, and `down` again is harmless. No run leaves a provider process
//! behind. With a Terraform older than 1.0.6 the demo must refuse with a clear message. Run with
//! `TF_ACC=1`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value as Json;

use crate::support::processes::providers_left_in;
use crate::support::without_package_env;

/// One demo directory and the address its mock listens on; stops a mock left running on drop.
struct Demo {
    dir: tempfile::TempDir,
    listen: String,
}

/// What one `scripts/demo.sh` run printed, colours removed.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit code {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A port nobody listens on right now: bind port 0, read the port, let it go.
fn free_addr() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local addr").to_string()
}

/// Removes terminal colour sequences (Terraform colours its output even into a pipe).
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `(major, minor, patch)` of the Terraform CLI that `scripts/setup.sh` picks, which is the one
/// the demo uses; `None` when acceptance tests are off.
fn terraform_version(test: &str) -> Option<(u64, u64, u64)> {
    if std::env::var("TF_ACC").as_deref() != Ok("1") {
        eprintln!("skipped {test}: acceptance tests run with TF_ACC=1 (see README)");
        return None;
    }
    let setup = Command::new(repo().join("scripts/setup.sh"))
        .output()
        .expect("run scripts/setup.sh");
    assert!(setup.status.success(), "scripts/setup.sh failed: {setup:?}");
    let terraform = PathBuf::from(String::from_utf8(setup.stdout).unwrap().trim());
    let out = Command::new(&terraform)
        .args(["version", "-json"])
        .current_dir(std::env::temp_dir())
        .output()
        .expect("terraform version");
    let v: Json = serde_json::from_slice(&out.stdout).expect("terraform version -json");
    let mut parts = v["terraform_version"]
        .as_str()
        .expect("terraform_version")
        .split(['.', '-'])
        .map(|p| p.parse().unwrap_or(0));
    Some((
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    ))
}

impl Demo {
    fn new(test: &str, listen: String) -> Demo {
        let dir = tempfile::Builder::new()
            .prefix(&format!("acc-{test}-"))
            .tempdir()
            .expect("temp dir");
        Demo { dir, listen }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `scripts/demo.sh <command>` with this demo's `DEMO_DIR` and, when `pin_listen`,
    /// `DEMO_LISTEN`.
    fn run(&self, command: &str, pin_listen: bool) -> Run {
        let mut cmd = Command::new(repo().join("scripts/demo.sh"));
        // demo.sh builds the provider with cargo.
        without_package_env(&mut cmd);
        cmd.arg(command)
            .current_dir(repo())
            .env("DEMO_DIR", self.path())
            .env_remove("DEMO_LISTEN")
            .env_remove("TF_LOG")
            .env_remove("TF_LOG_PROVIDER")
            .env_remove("TF_LOG_PATH");
        if pin_listen {
            cmd.env("DEMO_LISTEN", &self.listen);
        }
        let out = cmd.output().expect("run scripts/demo.sh");
        let run = Run {
            code: out.status.code().unwrap_or(-1),
            stdout: strip_ansi(&String::from_utf8_lossy(&out.stdout)),
            stderr: strip_ansi(&String::from_utf8_lossy(&out.stderr)),
        };
        // The demo's Terraform runs leave no provider process behind.
        let left = providers_left_in(self.path());
        assert!(
            left.is_empty(),
            "provider processes still ran after demo.sh {command}: {left:?}\n{run}"
        );
        run
    }

    fn run_ok(&self, command: &str, pin_listen: bool) -> Run {
        let run = self.run(command, pin_listen);
        assert_eq!(run.code, 0, "demo.sh {command} failed:\n{run}");
        run
    }

    /// The pid the demo recorded for its mock, if any.
    fn mock_pid(&self) -> Option<u32> {
        std::fs::read_to_string(self.path().join("mock.pid"))
            .ok()
            .and_then(|text| text.trim().parse().ok())
    }

    /// The mock's credentials file, as it wrote it at its last start.
    fn credentials(&self) -> Json {
        let path = self.path().join("credentials.json");
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        serde_json::from_str(&text).expect("credentials JSON")
    }

    /// The object counts `(trust_domains, deployments, keys)` of the mock's admin listener's
    /// `GET /_mock/stats` (the admin address is in the credentials file).
    fn mock_objects(&self) -> (u64, u64, u64) {
        let creds = self.credentials();
        let admin = creds["admin_endpoint"]
            .as_str()
            .and_then(|a| a.strip_prefix("http://"))
            .unwrap_or_else(|| panic!("admin_endpoint in {creds}"))
            .to_owned();
        let mut stream = TcpStream::connect(&admin).expect("connect to the demo's mock admin");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        write!(
            stream,
            "GET /_mock/stats HTTP/1.1\r\nHost: {admin}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let (head, body) = response.split_once("\r\n\r\n").expect("an HTTP response");
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        let stats: Json = serde_json::from_str(body).expect("stats JSON");
        let count = |name: &str| stats["objects"][name].as_u64().expect(name);
        (count("trust_domains"), count("deployments"), count("keys"))
    }

    /// Asserts that no secret the demo handles reached its output: the key pair's private key
    /// (only its name and `<sensitive>` may show) and the mock's service-account key.
    fn assert_no_secrets(&self, run: &Run) {
        let text = run.all();
        assert!(
            !text.contains("PRIVATE KEY-----"),
            "a PEM was printed:\n{run}"
        );
        if let Ok(creds) = std::fs::read_to_string(self.path().join("credentials.json")) {
            let creds: Json = serde_json::from_str(&creds).unwrap();
            let pem = creds["sa_private_key"].as_str().unwrap();
            let body = pem.lines().nth(1).expect("PEM body");
            assert!(!text.contains(body), "the mock's key was printed:\n{run}");
        }
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        // A failed assertion must not leave the mock running: stop the process this test's demo
        // started, by its pid.
        if let Some(pid) = self.mock_pid() {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
    }
}

fn running(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

fn wait_gone(pid: u32) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while running(pid) {
        assert!(Instant::now() < deadline, "pid {pid} still runs after 15 s");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Older Terraform: `up` stops before building or starting anything, and says what to do.
fn assert_refused_for_old_terraform(demo: &Demo, version: (u64, u64, u64)) {
    let run = demo.run("up", true);
    assert_ne!(
        run.code, 0,
        "demo.sh up should refuse Terraform {version:?}:\n{run}"
    );
    let text = run.all();
    assert!(
        text.contains("is too old") && text.contains("needs Terraform 1.0.6 or later"),
        "{run}"
    );
    assert!(text.contains("TF_ACC_TERRAFORM_PATH"), "{run}");
    assert_eq!(demo.mock_pid(), None, "no mock may be started");
    assert!(!demo.path().join("work/terraform.tfstate").exists());
}

#[test]
fn demo_up_twice_restart_down_twice() {
    let Some(version) = terraform_version("demo_up_twice_restart_down_twice") else {
        return;
    };
    let demo = Demo::new("demo", free_addr());
    if version < (1, 0, 6) {
        assert_refused_for_old_terraform(&demo, version);
        eprintln!("skipped the rest: the demo needs Terraform 1.0.6+");
        return;
    }

    // First run: everything is created and the outputs are printed.
    let first = demo.run_ok("up", true);
    demo.assert_no_secrets(&first);
    let text = first.all();
    assert!(
        text.contains("Resources: 3 added, 0 changed, 0 destroyed"),
        "{first}"
    );
    assert!(
        text.contains(&format!("mock: listening at {}", demo.listen)),
        "{first}"
    );
    // The mock speaks h2c: its credentials say so, and the demo's provider block follows them.
    let creds = demo.credentials();
    assert_eq!(creds["endpoint"], demo.listen.as_str());
    assert_eq!(creds["use_tls"], false);
    assert!(text.contains("/_mock/stats"), "{first}");
    for needle in [
        "trust_domain_id = \"td-",
        "deployment_id = \"tdd-",
        "deployment_key_id = \"tdk-",
        "idle_timeout.timeout_seconds=4000",
        "\"trustDomainName\": \"acm.example.com\"",
        "private_key_pem = <sensitive>",
        "make demo-destroy",
    ] {
        assert!(first.stdout.contains(needle), "{needle} missing:\n{first}");
    }
    let pid = demo.mock_pid().expect("the mock's pid file");
    assert!(running(pid), "the mock keeps running after demo.sh up");
    assert_eq!(demo.mock_objects(), (1, 1, 1));

    // Second run: the same mock, and nothing to change.
    let second = demo.run_ok("up", true);
    demo.assert_no_secrets(&second);
    assert!(second.all().contains("No changes."), "{second}");
    assert!(!second.all().contains("Apply complete"), "{second}");
    assert!(
        second.all().contains(&format!(
            "reusing the one already running at {} ",
            demo.listen
        )),
        "{second}"
    );
    assert_eq!(demo.mock_pid(), Some(pid));

    // The mock stopped (a reboot, say): the next run restarts it on the port it had, without
    // DEMO_LISTEN, from its data directory, and still has nothing to change.
    Command::new("kill")
        .arg(pid.to_string())
        .status()
        .expect("kill");
    wait_gone(pid);
    let third = demo.run_ok("up", false);
    assert!(
        third
            .all()
            .contains(&format!("mock: starting on {}", demo.listen)),
        "{third}"
    );
    assert!(third.all().contains("No changes."), "{third}");
    let restarted = demo.mock_pid().expect("the mock's pid file");
    assert_ne!(restarted, pid);
    assert_eq!(demo.mock_objects(), (1, 1, 1));

    // Down: destroyed, mock stopped, the demo's files gone; and down again does nothing.
    let down = demo.run_ok("down", false);
    assert!(down.all().contains("Resources: 3 destroyed"), "{down}");
    wait_gone(restarted);
    assert_eq!(demo.mock_pid(), None);
    assert!(!demo.path().join("work").exists(), "{down}");
    assert!(
        TcpStream::connect(&demo.listen).is_err(),
        "nothing listens any more"
    );
    let again = demo.run_ok("down", false);
    assert!(again.all().contains("nothing to destroy"), "{again}");
}

#[test]
fn demo_busy_port_says_what_to_do() {
    let Some(version) = terraform_version("demo_busy_port_says_what_to_do") else {
        return;
    };
    let taken = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let demo = Demo::new("demo-busy", taken.local_addr().unwrap().to_string());
    if version < (1, 0, 6) {
        assert_refused_for_old_terraform(&demo, version);
        return;
    }
    let run = demo.run("up", true);
    assert_ne!(run.code, 0, "{run}");
    let text = run.all();
    assert!(
        text.contains(&format!(
            "{} is already in use by another program",
            demo.listen
        )),
        "{run}"
    );
    assert!(text.contains("DEMO_LISTEN=127.0.0.1:"), "{run}");
    assert_eq!(demo.mock_pid(), None, "no mock pid is recorded");
    assert!(!demo.path().join("work/terraform.tfstate").exists());
    drop(taken);
}
