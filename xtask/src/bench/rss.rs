//! Peak RSS of provider processes that Terraform starts.
//!
//! Terraform starts a provider several times per command and kills it when done, so nobody can
//! read its `/proc/PID/status` at the end. Instead the plugin directory Terraform is pointed at
//! holds a link to this benchmark binary under the provider's name: started that way, it runs the
//! real provider as its only child (same stdin, stdout, stderr and environment, so the handshake
//! passes through untouched), waits for it, and appends the child's peak RSS and CPU time, which
//! the kernel keeps after exit, to a record file.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// The environment variable that tells a wrapper where the real binaries and the record are.
pub const DIR_ENV: &str = "SPIRL_BENCH_RSS_DIR";

/// A directory of real provider binaries (`real/<name>`) and the peak-RSS record (`rss.log`).
#[derive(Debug, Clone)]
pub struct Recorder {
    dir: PathBuf,
}

impl Recorder {
    /// Makes `dir/real` and an empty record.
    pub fn new(dir: &Path) -> std::io::Result<Recorder> {
        std::fs::create_dir_all(dir.join("real"))?;
        std::fs::write(dir.join("rss.log"), "")?;
        Ok(Recorder {
            dir: dir.to_path_buf(),
        })
    }

    /// The directory to export in [`DIR_ENV`].
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Puts `binary` in place as `plugin_dir/name`: the real one under `real/`, and a link to
    /// this benchmark in `plugin_dir`.
    pub fn install(&self, binary: &Path, plugin_dir: &Path, name: &str) -> std::io::Result<()> {
        std::fs::create_dir_all(plugin_dir)?;
        std::fs::copy(binary, self.dir.join("real").join(name))?;
        std::os::unix::fs::symlink(std::env::current_exe()?, plugin_dir.join(name))
    }

    /// Empties the record.
    pub fn clear(&self) -> std::io::Result<()> {
        std::fs::write(self.dir.join("rss.log"), "")
    }

    /// What was recorded for `name` since the last [`Recorder::clear`].
    pub fn recorded(&self, name: &str) -> std::io::Result<Recorded> {
        let text = std::fs::read_to_string(self.dir.join("rss.log"))?;
        let mut r = Recorded::default();
        for line in text.lines() {
            let mut fields = line.split('\t');
            if fields.next() != Some(name) {
                continue;
            }
            let kib: u64 = fields.next().and_then(|v| v.parse().ok()).unwrap_or(0);
            let cpu: f64 = fields.next().and_then(|v| v.parse().ok()).unwrap_or(0.0);
            r.processes += 1;
            r.peak_rss_kib = r.peak_rss_kib.max(kib);
            r.cpu += cpu;
        }
        Ok(r)
    }
}

/// The provider processes of one workflow, as the wrappers recorded them.
#[derive(Debug, Default, Clone, Copy)]
pub struct Recorded {
    /// How many processes ran.
    pub processes: usize,
    /// The largest peak RSS among them, KiB.
    pub peak_rss_kib: u64,
    /// Their CPU seconds, user + system, summed.
    pub cpu: f64,
}

/// When this process was started under a provider's name, runs as the wrapper and returns its
/// exit code; otherwise `None`.
pub fn run_as_wrapper() -> Option<ExitCode> {
    let argv0 = std::env::args_os().next()?;
    let name = Path::new(&argv0).file_name()?.to_str()?.to_string();
    if !name.starts_with("terraform-provider-") {
        return None;
    }
    Some(match wrap(&name) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("bench wrapper for {name}: {e}");
            ExitCode::FAILURE
        }
    })
}

fn wrap(name: &str) -> Result<ExitCode, String> {
    let dir = std::env::var_os(DIR_ENV).ok_or(format!("{DIR_ENV} is not set"))?;
    let dir = PathBuf::from(dir);
    let status = Command::new(dir.join("real").join(name))
        .args(std::env::args_os().skip(1))
        .status()
        .map_err(|e| format!("cannot start the real provider: {e}"))?;
    let child = usage(true);
    let mut record = std::fs::OpenOptions::new()
        .append(true)
        .open(dir.join("rss.log"))
        .map_err(|e| format!("cannot open the record: {e}"))?;
    // One short write per line: O_APPEND keeps concurrent wrappers' lines whole.
    record
        .write_all(format!("{name}\t{}\t{:.4}\n", child.max_rss_kib, child.cpu).as_bytes())
        .map_err(|e| format!("cannot write the record: {e}"))?;
    Ok(ExitCode::from(
        status.code().unwrap_or(1).clamp(0, 255) as u8
    ))
}

/// What the kernel accounts to a process, or to the children it waited for.
#[derive(Debug, Clone, Copy, Default)]
pub struct Usage {
    /// User + system CPU seconds.
    pub cpu: f64,
    /// Peak RSS in KiB (for children: the largest single child's).
    pub max_rss_kib: i64,
}

/// This process's usage (`children = false`) or its waited-for children's (`true`).
#[allow(unsafe_code)]
pub fn usage(children: bool) -> Usage {
    let who = if children {
        libc::RUSAGE_CHILDREN
    } else {
        libc::RUSAGE_SELF
    };
    let mut raw = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes one `rusage` through a valid pointer to one, and returns -1
    // without writing on error; the struct was zeroed, so it is initialised either way.
    let rc = unsafe { libc::getrusage(who, raw.as_mut_ptr()) };
    if rc != 0 {
        return Usage::default();
    }
    // SAFETY: zero-initialised above, and possibly filled in by the call.
    let raw = unsafe { raw.assume_init() };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Usage {
        cpu: secs(raw.ru_utime) + secs(raw.ru_stime),
        max_rss_kib: raw.ru_maxrss,
    }
}
