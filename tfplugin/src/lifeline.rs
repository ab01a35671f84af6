//! The plugin's lifeline to Terraform. Terraform ends a provider with `StopProvider` and the
//! go-plugin controller's `Shutdown`, or kills it; but a Terraform that crashes or is killed
//! (`kill -9`, the OOM killer, a CI runner timing out) does neither, and a provider that waits
//! for it lingers forever, holding the pipes a crashed Terraform's panic handler waits on (so
//! that `terraform apply` hangs too). [`Lifeline`] notices by itself, from any of three signs:
//!
//! - Linux: the parent-death signal (`PR_SET_PDEATHSIG`), at once. The kernel sends it when the
//!   *thread* that started the process ends, which in a Go program may happen while the process
//!   lives on, so it only counts when the parent pid has changed too.
//! - The parent pid has changed (looked at every [`PARENT_CHECK_INTERVAL`]): an orphan is
//!   adopted by init or a subreaper. The fallback where no death signal exists (macOS).
//! - The read end of stdout or stderr is closed: go-plugin reads both for as long as Terraform
//!   lives, so when `poll` reports `POLLERR`/`POLLHUP` on the write end, nobody is listening.
//!
//! The death signal's listener is set up before the `prctl`, so that the signal cannot end the
//! process unhandled, and the parent pid is looked at again after it, in case Terraform died in
//! between. The pipes and the parent pid are watched on a plain thread, so that a busy runtime
//! cannot delay the verdict.

use std::fmt;
use std::os::fd::{AsFd, BorrowedFd};
use std::time::Duration;

use rustix::event::{PollFd, PollFlags, Timespec, poll};
use rustix::io::Errno;
use rustix::process::{Pid, getppid};
use tokio::sync::mpsc;

use crate::log;

/// How often the parent pid is compared with the one the provider started with.
pub const PARENT_CHECK_INTERVAL: Duration = Duration::from_secs(1);

/// How Terraform was found gone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Gone {
    /// The parent-death signal arrived and the parent pid is no longer Terraform's.
    DeathSignal {
        /// Terraform's pid.
        parent: Option<Pid>,
    },
    /// The parent pid changed: Terraform ended and the provider was adopted.
    ParentChanged {
        /// Terraform's pid.
        from: Option<Pid>,
        /// The adopting process's pid (`None`: outside the provider's pid namespace).
        to: Option<Pid>,
    },
    /// Nobody reads this stream any more (`"stdout"` or `"stderr"`).
    PipeClosed(&'static str),
}

impl fmt::Display for Gone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pid = |p: &Option<Pid>| p.map_or("?".to_owned(), |p| p.as_raw_nonzero().to_string());
        match self {
            Gone::DeathSignal { parent } => write!(
                f,
                "the parent-death signal arrived: Terraform (pid {}) has exited",
                pid(parent)
            ),
            Gone::ParentChanged { from, to } => write!(
                f,
                "the parent process changed from Terraform (pid {}) to pid {}: Terraform has \
                 exited",
                pid(from),
                pid(to)
            ),
            Gone::PipeClosed(stream) => write!(
                f,
                "the reader of the provider's {stream} (Terraform) has closed it"
            ),
        }
    }
}

/// Resolves when Terraform is gone; see the module documentation.
#[derive(Debug)]
pub struct Lifeline {
    rx: mpsc::UnboundedReceiver<Gone>,
}

impl Lifeline {
    /// Starts watching Terraform, the parent of this process. Call it as early as possible
    /// (inside a tokio runtime with signals enabled): the parent pid it records first is the
    /// one every later look is compared with.
    pub fn start() -> Lifeline {
        let parent = getppid();
        let (tx, rx) = mpsc::unbounded_channel();
        death_signal(parent, &tx);
        let watcher_tx = tx.clone();
        let spawned = std::thread::Builder::new()
            .name("tfplugin-lifeline".to_owned())
            .spawn(move || {
                let (stdout, stderr) = (std::io::stdout(), std::io::stderr());
                let pipes = [("stdout", stdout.as_fd()), ("stderr", stderr.as_fd())];
                match watch(&pipes, parent, getppid, PARENT_CHECK_INTERVAL) {
                    Ok(gone) => {
                        let _ = watcher_tx.send(gone);
                    }
                    Err(e) => log::warn(
                        "cannot watch for the end of Terraform",
                        &[("error", &e.to_string())],
                    ),
                }
            });
        if let Err(e) = spawned {
            log::warn(
                "cannot watch for the end of Terraform",
                &[("error", &e.to_string())],
            );
        }
        Lifeline { rx }
    }

    /// Resolves once Terraform is gone, saying how that was seen; never when nothing can tell.
    pub async fn gone(&mut self) -> Gone {
        match self.rx.recv().await {
            Some(gone) => gone,
            None => std::future::pending().await,
        }
    }
}

/// Linux: asks the kernel for a parent-death signal (`SIGUSR2`, whose listener is set up
/// first so that it cannot end the process) and forwards it when the parent pid has changed;
/// then looks at the parent pid again, in case Terraform died before the `prctl`.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn death_signal(parent: Option<Pid>, tx: &mpsc::UnboundedSender<Gone>) {
    use rustix::process::{Signal, set_parent_process_death_signal};
    use tokio::signal::unix::{SignalKind, signal};

    let mut incoming = match signal(SignalKind::user_defined2()) {
        Ok(s) => s,
        Err(e) => {
            log::debug(
                "no parent-death signal: cannot listen for it",
                &[("error", &e.to_string())],
            );
            return;
        }
    };
    if let Err(e) = set_parent_process_death_signal(Some(Signal::USR2)) {
        log::debug(
            "no parent-death signal: prctl refused",
            &[("error", &e.to_string())],
        );
        return;
    }
    let now = getppid();
    if now != parent {
        let _ = tx.send(Gone::ParentChanged {
            from: parent,
            to: now,
        });
        return;
    }
    let tx = tx.clone();
    tokio::spawn(async move {
        while incoming.recv().await.is_some() {
            if getppid() != parent {
                let _ = tx.send(Gone::DeathSignal { parent });
                return;
            }
            log::debug(
                "parent-death signal while Terraform lives on: the thread that started the \
                 provider ended",
                &[],
            );
        }
    });
}

/// Elsewhere the parent pid and the pipes tell.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn death_signal(_parent: Option<Pid>, _tx: &mpsc::UnboundedSender<Gone>) {}

/// Blocks until the reader of one of `pipes` is gone, or `current_parent()` differs from
/// `parent`, which it looks at every `interval`. A stream that cannot be polled (not open, or a
/// device `poll` does not support) is left out; the parent is watched regardless.
pub fn watch(
    pipes: &[(&'static str, BorrowedFd<'_>)],
    parent: Option<Pid>,
    current_parent: impl Fn() -> Option<Pid>,
    interval: Duration,
) -> std::io::Result<Gone> {
    let timeout = Timespec::try_from(interval).map_err(std::io::Error::other)?;
    let mut watched: Vec<(&'static str, BorrowedFd<'_>)> = pipes.to_vec();
    loop {
        // No events asked for: POLLERR, POLLHUP and POLLNVAL are always reported, and a
        // writable pipe must not wake the thread.
        let mut fds: Vec<PollFd<'_>> = watched
            .iter()
            .map(|(_, fd)| PollFd::from_borrowed_fd(*fd, PollFlags::empty()))
            .collect();
        match poll(&mut fds, Some(&timeout)) {
            Ok(_) | Err(Errno::INTR) => {}
            Err(e) => return Err(e.into()),
        }
        let revents: Vec<PollFlags> = fds.iter().map(PollFd::revents).collect();
        drop(fds);
        if let Some((name, _)) = watched
            .iter()
            .zip(&revents)
            .find(|(_, r)| r.intersects(PollFlags::ERR | PollFlags::HUP))
            .map(|(w, _)| w)
        {
            return Ok(Gone::PipeClosed(name));
        }
        let mut flags = revents.iter();
        watched.retain(|_| !flags.next().is_some_and(|r| r.contains(PollFlags::NVAL)));
        let now = current_parent();
        if now != parent {
            return Ok(Gone::ParentChanged {
                from: parent,
                to: now,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsFd;
    use std::sync::atomic::{AtomicU32, Ordering};

    const QUICK: Duration = Duration::from_millis(10);

    #[test]
    fn lifeline_pipe_whose_reader_closes_is_seen_at_once() {
        let (reader, writer) = std::io::pipe().expect("pipe");
        let parent = getppid();
        let watching = std::thread::spawn(move || {
            // A long interval: only the pipe can end the wait quickly.
            watch(
                &[("stdout", writer.as_fd())],
                parent,
                getppid,
                Duration::from_secs(600),
            )
        });
        drop(reader);
        let gone = watching.join().expect("no panic").expect("watched");
        assert_eq!(gone, Gone::PipeClosed("stdout"));
        assert!(gone.to_string().contains("stdout"), "{gone}");
    }

    #[test]
    fn lifeline_open_pipe_and_same_parent_keep_watching_until_the_parent_changes() {
        let (_reader, writer) = std::io::pipe().expect("pipe");
        let looks = AtomicU32::new(0);
        let terraform = Pid::from_raw(4242);
        let adopted = Pid::from_raw(1);
        // The parent stays Terraform for three looks, then init adopts the provider.
        let current = || {
            if looks.fetch_add(1, Ordering::SeqCst) < 3 {
                terraform
            } else {
                adopted
            }
        };
        let gone =
            watch(&[("stderr", writer.as_fd())], terraform, current, QUICK).expect("watched");
        assert_eq!(
            gone,
            Gone::ParentChanged {
                from: terraform,
                to: adopted
            }
        );
        assert_eq!(looks.load(Ordering::SeqCst), 4);
        assert!(gone.to_string().contains("pid 4242"), "{gone}");
    }

    #[test]
    fn lifeline_stream_to_a_file_never_ends_the_watch_but_the_parent_does() {
        let (reader, writer) = std::io::pipe().expect("pipe");
        let file = tempfile::tempfile().expect("temp file");
        let terraform = Pid::from_raw(4242);
        let looks = AtomicU32::new(0);
        // A regular file never reports its reader gone; the parent still tells.
        let current = || {
            if looks.fetch_add(1, Ordering::SeqCst) < 2 {
                terraform
            } else {
                None
            }
        };
        let gone = watch(
            &[("stdout", file.as_fd()), ("stderr", writer.as_fd())],
            terraform,
            current,
            QUICK,
        )
        .expect("watched");
        assert_eq!(
            gone,
            Gone::ParentChanged {
                from: terraform,
                to: None
            }
        );
        drop(reader);
    }
}
