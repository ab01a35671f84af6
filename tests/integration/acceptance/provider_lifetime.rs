//! The provider's lifetime under a real Terraform CLI (run with `TF_ACC=1`): when Terraform is
//! killed with SIGKILL in the middle of an apply, so that it can neither stop nor kill its
//! plugins, the provider notices (tfplugin's lifeline: parent-death signal, parent pid, the end
//! of its stdout/stderr pipes) and exits within seconds instead of lingering. With Terraform
//! 1.0.3, whose crash handler waits for the pipes the provider holds, a lingering provider
//! made a crashed `terraform apply` hang forever.
//!
//! Processes are found through `/proc` (Linux): Terraform's descendants that run the provider
//! binary Cargo built for this test run.

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::support::{Harness, provider_binary};
use rustix::process::{Pid, Signal, kill_process};
use spirl_mock_api::MockOptions;

/// Longer than the test: the create the provider sends stays in flight until it is killed.
const LATENCY: Duration = Duration::from_secs(300);
/// How long Terraform may take to reach the create.
const START_DEADLINE: Duration = Duration::from_secs(120);
/// How long the provider may take to exit once Terraform is gone.
const EXIT_DEADLINE: Duration = Duration::from_secs(5);
/// Pause between two looks at a process or a file.
const POLL: Duration = Duration::from_millis(20);

/// One process as `/proc/<pid>/stat` and `/proc/<pid>/exe` describe it.
#[derive(Clone, Debug)]
struct Proc {
    pid: i32,
    ppid: i32,
    /// `R`, `S`, … `Z` (exited, not yet reaped), `X` (dead).
    state: char,
    /// Clock ticks since boot: with the pid, names one process even if the pid is reused.
    start: u64,
    exe: Option<PathBuf>,
}

impl Proc {
    fn read(pid: i32) -> Option<Proc> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // The command name is in parentheses and may hold spaces or parentheses itself.
        let rest = &stat[stat.rfind(')')? + 2..];
        let fields: Vec<&str> = rest.split_whitespace().collect();
        Some(Proc {
            pid,
            state: fields.first()?.chars().next()?,
            ppid: fields.get(1)?.parse().ok()?,
            start: fields.get(19)?.parse().ok()?,
            exe: std::fs::read_link(format!("/proc/{pid}/exe")).ok(),
        })
    }

    /// Whether this very process (same pid, same start) still runs; an exited process that
    /// nobody has reaped yet (its parent is gone, and init may be slow) does not.
    fn running(&self) -> bool {
        Proc::read(self.pid)
            .is_some_and(|now| now.start == self.start && !matches!(now.state, 'Z' | 'X'))
    }

    fn runs(&self, binary: &Path) -> bool {
        self.exe
            .as_deref()
            .is_some_and(|exe| same_file(exe, binary))
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Every process now, from `/proc`.
fn processes() -> Vec<Proc> {
    std::fs::read_dir("/proc")
        .expect("/proc (these tests need Linux)")
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .filter_map(Proc::read)
        .collect()
}

/// The descendants of `root` (children, their children, …).
fn descendants(root: i32) -> Vec<Proc> {
    let all = processes();
    let mut found: Vec<Proc> = Vec::new();
    let mut parents = vec![root];
    while let Some(parent) = parents.pop() {
        for p in all.iter().filter(|p| p.ppid == parent) {
            parents.push(p.pid);
            found.push(p.clone());
        }
    }
    found
}

/// Polls `done` until it holds or `deadline` passes; says whether it held.
fn poll_until(deadline: Duration, mut done: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + deadline;
    loop {
        if done() {
            return true;
        }
        if Instant::now() >= end {
            return false;
        }
        std::thread::sleep(POLL);
    }
}

fn kill(pid: i32) {
    if let Some(pid) = Pid::from_raw(pid) {
        // Already gone is fine: that is what the test wants.
        let _ = kill_process(pid, Signal::KILL);
    }
}

/// Terraform started by the test; killed (with what it started) if the test fails first.
struct Started {
    child: Child,
}

impl Drop for Started {
    fn drop(&mut self) {
        for p in descendants(self.child.id() as i32) {
            kill(p.pid);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `terraform apply` of a trust domain against a mock that answers after [`LATENCY`],
/// kills every Terraform process once the provider is creating it, and checks that each
/// provider process Terraform started exits within [`EXIT_DEADLINE`]. Returns how long the
/// slowest took.
fn killed_mid_apply(h: &Harness) -> Duration {
    h.write_config(
        "resource \"spirl_trust_domain\" \"slow\" {\n  domain_name = \"slow.example.org\"\n}\n",
    );
    let log = |name: &str| std::fs::File::create(h.path().join(name)).expect("log file");
    let mut started = Started {
        child: h
            .command(&["apply", "-auto-approve", "-input=false", "-no-color"])
            .stdin(Stdio::null())
            .stdout(log("apply.out"))
            .stderr(log("apply.err"))
            .spawn()
            .expect("start terraform apply"),
    };
    let terraform = started.child.id() as i32;
    let said = || std::fs::read_to_string(h.path().join("apply.out")).unwrap_or_default();
    // Mid-apply: Terraform announced the create and the provider's first call reached the mock.
    let in_flight = poll_until(START_DEADLINE, || {
        said().contains("spirl_trust_domain.slow: Creating...")
            && h.mock().stats().requests.values().sum::<u64>() > 0
    });
    assert!(
        in_flight,
        "the apply did not reach the create:\n{}\n{}",
        said(),
        std::fs::read_to_string(h.path().join("apply.err")).unwrap_or_default()
    );
    assert!(
        started
            .child
            .try_wait()
            .expect("terraform status")
            .is_none(),
        "terraform still runs"
    );

    let tree = descendants(terraform);
    let (providers, others): (Vec<Proc>, Vec<Proc>) =
        tree.into_iter().partition(|p| p.runs(&provider_binary()));
    assert!(
        !providers.is_empty(),
        "terraform {terraform} started the provider"
    );
    // Terraform 1.0.x runs itself under a crash handler: the parent and its child Terraform go.
    let killed = Instant::now();
    kill(terraform);
    for p in &others {
        kill(p.pid);
    }
    let status = started.child.wait().expect("reap terraform");
    assert_eq!(status.code(), None, "killed by a signal");

    poll_until(EXIT_DEADLINE, || providers.iter().all(|p| !p.running()));
    let took = killed.elapsed();
    let lingering: Vec<&Proc> = providers.iter().filter(|p| p.running()).collect();
    // Not left behind for the next test run.
    for p in &lingering {
        kill(p.pid);
    }
    assert!(
        lingering.is_empty(),
        "provider processes still run {took:?} after Terraform was killed: {lingering:?}"
    );
    took
}

#[test]
fn provider_lifetime_exits_within_seconds_when_terraform_is_killed_mid_apply() {
    let Some(h) = Harness::start_with(
        "provider_lifetime",
        MockOptions {
            latency: LATENCY,
            ..MockOptions::default()
        },
    ) else {
        return;
    };
    let took = killed_mid_apply(&h);
    eprintln!("provider exited {took:?} after Terraform was killed");
}

#[test]
fn provider_lifetime_exits_within_seconds_when_terraform_1_0_3_is_killed_mid_apply() {
    let Some(mut h) = Harness::start_with(
        "provider_lifetime_1_0_3",
        MockOptions {
            latency: LATENCY,
            ..MockOptions::default()
        },
    ) else {
        return;
    };
    if !h.use_legacy_terraform() {
        return;
    }
    let took = killed_mid_apply(&h);
    eprintln!("provider exited {took:?} after Terraform 1.0.3 was killed");
}
