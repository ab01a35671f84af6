//! The processes a test started, found through `/proc` (Linux): to kill what a failed test left
//! running, and to check that no provider process outlives the Terraform that started it.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rustix::process::{Pid, Signal, kill_process};

/// How long a provider may take to exit once the Terraform that started it is done: Terraform
/// stops its plugins as it exits, and the provider's lifeline ends it within a second or so if
/// Terraform could not.
pub const PROVIDER_EXIT_DEADLINE: Duration = Duration::from_secs(5);
/// Pause between two looks at a process or a file.
const POLL: Duration = Duration::from_millis(20);
/// What every build of the provider's executable is called: `terraform-provider-spirl`, or
/// `terraform-provider-spirl_v0.13.0` as a release zip installs it.
const PROVIDER_EXECUTABLE: &str = "terraform-provider-spirl";

/// One process as `/proc/<pid>/stat`, `/proc/<pid>/exe` and `/proc/<pid>/cwd` describe it.
#[derive(Clone, Debug)]
pub struct Proc {
    pub pid: i32,
    pub ppid: i32,
    /// `R`, `S`, … `Z` (exited, not yet reaped), `X` (dead).
    pub state: char,
    /// Clock ticks since boot: with the pid, names one process even if the pid is reused.
    pub start: u64,
    pub exe: Option<PathBuf>,
    /// The working directory: a plugin inherits Terraform's.
    pub cwd: Option<PathBuf>,
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
            cwd: std::fs::read_link(format!("/proc/{pid}/cwd")).ok(),
        })
    }

    /// Whether this very process (same pid, same start) still runs; an exited process that
    /// nobody has reaped yet (its parent is gone, and init may be slow) does not.
    pub fn running(&self) -> bool {
        Proc::read(self.pid)
            .is_some_and(|now| now.start == self.start && !matches!(now.state, 'Z' | 'X'))
    }

    /// Whether it runs `binary`.
    pub fn runs(&self, binary: &Path) -> bool {
        self.exe
            .as_deref()
            .is_some_and(|exe| same_file(exe, binary))
    }

    /// Whether it runs a build of the provider (a test's, the demo's or an installed release).
    fn runs_the_provider(&self) -> bool {
        self.exe
            .as_deref()
            .and_then(Path::file_name)
            .and_then(|name| name.to_str())
            .is_some_and(|name| name.starts_with(PROVIDER_EXECUTABLE))
    }

    /// Whether its working directory is `dir` or below it.
    fn works_in(&self, dir: &Path) -> bool {
        let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        self.cwd.as_deref().is_some_and(|cwd| cwd.starts_with(&dir))
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Every process now, from `/proc`.
pub fn processes() -> Vec<Proc> {
    std::fs::read_dir("/proc")
        .expect("/proc (these tests need Linux)")
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .filter_map(Proc::read)
        .collect()
}

/// The descendants of `root` (children, their children, …).
pub fn descendants(root: i32) -> Vec<Proc> {
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
pub fn poll_until(deadline: Duration, mut done: impl FnMut() -> bool) -> bool {
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

/// Sends SIGKILL; a process already gone is fine.
pub fn kill(pid: i32) {
    if let Some(pid) = Pid::from_raw(pid) {
        let _ = kill_process(pid, Signal::KILL);
    }
}

/// The provider processes still running whose working directory is `dir` or below it: those a
/// Terraform run there started.
pub fn providers_working_in(dir: &Path) -> Vec<Proc> {
    processes()
        .into_iter()
        .filter(|p| p.runs_the_provider() && p.works_in(dir) && !matches!(p.state, 'Z' | 'X'))
        .collect()
}

/// Waits up to [`PROVIDER_EXIT_DEADLINE`] for every provider process Terraform started in `dir`
/// to exit; kills the ones that do not (so that they do not outlive the test run) and returns
/// them.
pub fn providers_left_in(dir: &Path) -> Vec<Proc> {
    poll_until(PROVIDER_EXIT_DEADLINE, || {
        providers_working_in(dir).is_empty()
    });
    let left = providers_working_in(dir);
    for p in &left {
        kill(p.pid);
    }
    left
}
