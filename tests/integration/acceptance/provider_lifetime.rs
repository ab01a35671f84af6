//! The provider's lifetime under a real Terraform CLI (run with `TF_ACC=1`): when Terraform is
//! killed with SIGKILL in the middle of an apply, so that it can neither stop nor kill its
//! plugins, the provider notices (tfplugin's lifeline: parent-death signal, parent pid, the end
//! of its stdout/stderr pipes) and exits within seconds instead of lingering. With Terraform
//! 1.0.3, whose crash handler waits for the pipes the provider holds, a lingering provider
//! made a crashed `terraform apply` hang forever.
//!
//! Processes are found through `/proc` (Linux): Terraform's descendants that run the provider
//! binary Cargo built for this test run.

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::support::processes::{
    PROVIDER_EXIT_DEADLINE, Proc, descendants, kill, poll_until, providers_working_in,
};
use crate::support::{Harness, provider_binary};
use spirl_mock_api::MockOptions;

/// Longer than the test: the create the provider sends stays in flight until it is killed.
const LATENCY: Duration = Duration::from_secs(300);
/// How long Terraform may take to reach the create.
const START_DEADLINE: Duration = Duration::from_secs(120);

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
/// provider process Terraform started exits within [`PROVIDER_EXIT_DEADLINE`]. Returns how long the
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
    // The harness's end-of-test check finds a test's providers by their working directory.
    let found: Vec<i32> = providers_working_in(h.path())
        .iter()
        .map(|p| p.pid)
        .collect();
    assert!(
        providers.iter().all(|p| found.contains(&p.pid)),
        "{providers:?} work in {}: {found:?}",
        h.path().display()
    );
    // Terraform 1.0.x runs itself under a crash handler: the parent and its child Terraform go.
    let killed = Instant::now();
    kill(terraform);
    for p in &others {
        kill(p.pid);
    }
    let status = started.child.wait().expect("reap terraform");
    assert_eq!(status.code(), None, "killed by a signal");

    poll_until(PROVIDER_EXIT_DEADLINE, || {
        providers.iter().all(|p| !p.running())
    });
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
