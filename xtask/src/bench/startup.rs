//! Start-up to handshake: how long a provider takes from `exec` to its go-plugin handshake line
//! with `PLUGIN_CLIENT_CERT` set, as Terraform starts it, and its peak RSS at that point.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use tfplugin::serve::{MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE};

use super::stats::Samples;

/// One provider binary and the plugin protocol it speaks.
pub struct Subject<'a> {
    /// The binary.
    pub binary: &'a Path,
    /// `PLUGIN_PROTOCOL_VERSIONS` to offer (6 for ours, 5 for `hashicorp/null` v2.1.2).
    pub protocol: &'a str,
}

/// Start-up seconds and peak RSS (KiB) right after the handshake.
#[derive(Debug, Default)]
pub struct Figures {
    /// Seconds from spawn to the handshake line.
    pub startup: Samples,
    /// `VmHWM` after the handshake, KiB.
    pub rss_kib: Samples,
}

/// Starts `subject` once: returns (seconds to the handshake line, VmHWM KiB).
pub fn start_once(subject: &Subject<'_>, cert: &str, tmp: &Path) -> Result<(f64, f64), String> {
    let t0 = Instant::now();
    let mut child = Command::new(subject.binary)
        .env(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE)
        .env("PLUGIN_PROTOCOL_VERSIONS", subject.protocol)
        .env("PLUGIN_CLIENT_CERT", cert)
        .env("TMPDIR", tmp)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", subject.binary.display()))?;
    let mut line = String::new();
    let read = match child.stdout.take() {
        Some(out) => BufReader::new(out).read_line(&mut line),
        None => Ok(0),
    };
    let seconds = t0.elapsed().as_secs_f64();
    let rss = vm_hwm_kib(child.id());
    let _ = child.kill();
    let _ = child.wait();
    read.map_err(|e| format!("reading the handshake: {e}"))?;
    let fields: Vec<&str> = line.trim().split('|').collect();
    if fields.len() < 6 || fields[0] != "1" || fields[1] != subject.protocol || fields[4] != "grpc"
    {
        return Err(format!(
            "{}: unexpected handshake line {line:?}",
            subject.binary.display()
        ));
    }
    Ok((seconds, rss?))
}

fn vm_hwm_kib(pid: u32) -> Result<f64, String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("reading /proc/{pid}/status: {e}"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| format!("no VmHWM in /proc/{pid}/status"))
}
