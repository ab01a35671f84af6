//! What the benchmark needs before it measures: the Terraform CLI and the Go provider (through
//! `scripts/setup.sh --null`), our provider built in release mode, and a client certificate like
//! the one Terraform hands its plugins.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The binaries under test.
#[derive(Debug, Clone)]
pub struct Tools {
    /// The Terraform CLI both providers run under.
    pub terraform: PathBuf,
    /// Its version, `major.minor.patch`.
    pub terraform_version: (u64, u64, u64),
    /// `hashicorp/null` v2.1.2, the Go baseline.
    pub null_provider: PathBuf,
    /// Our provider, release build.
    pub spirl_provider: PathBuf,
}

/// Runs the setup step and the release build; `terraform` overrides the CLI setup finds, and
/// `provider` a build of our provider made elsewhere (then nothing is built).
pub fn prepare(terraform: Option<PathBuf>, provider: Option<PathBuf>) -> Result<Tools, String> {
    let repo = crate::workspace_root();
    let mut setup = Command::new(repo.join("scripts/setup.sh"));
    setup.arg("--null").stderr(Stdio::inherit());
    if let Some(tf) = &terraform {
        setup.env("TF_ACC_TERRAFORM_PATH", tf);
    }
    let out = setup
        .output()
        .map_err(|e| format!("cannot run scripts/setup.sh: {e}"))?;
    if !out.status.success() {
        return Err("scripts/setup.sh failed (its message is above)".into());
    }
    let terraform = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    let null_provider = repo.join("tools/null-provider/terraform-provider-null_v2.1.2_x4");
    if !null_provider.is_file() {
        return Err(format!("no Go provider at {}", null_provider.display()));
    }

    let spirl_provider = match provider {
        Some(p) if p.is_file() => p,
        Some(p) => return Err(format!("no provider binary at {}", p.display())),
        None => build_provider(&repo)?,
    };
    let terraform_version = version_of(&terraform)?;
    Ok(Tools {
        terraform,
        terraform_version,
        null_provider,
        spirl_provider,
    })
}

fn build_provider(repo: &Path) -> Result<PathBuf, String> {
    eprintln!("bench: building the provider (release)");
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args([
            "build",
            "--release",
            "--locked",
            "-p",
            "terraform-provider-spirl",
        ])
        .current_dir(repo)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("cargo build --release failed (its message is above)".into());
    }
    Ok(repo.join("target/release/terraform-provider-spirl"))
}

fn version_of(terraform: &Path) -> Result<(u64, u64, u64), String> {
    let out = Command::new(terraform)
        .arg("version")
        .output()
        .map_err(|e| format!("cannot run {}: {e}", terraform.display()))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let v = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("Terraform v"))
        .ok_or_else(|| format!("unexpected `terraform version` output: {text}"))?;
    let mut parts = v.split('.').map(|p| p.parse::<u64>().unwrap_or(0));
    Ok((
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    ))
}

/// A PEM client certificate like Terraform's (ECDSA P-521, from `openssl`), for the start-up
/// figure: the provider parses it and answers only TLS clients that present it.
pub fn client_certificate(dir: &Path) -> Result<String, String> {
    let cert = dir.join("client-cert.pem");
    let status = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-521",
        ])
        .args(["-nodes", "-days", "1", "-subj", "/O=HashiCorp/CN=localhost"])
        .args(["-addext", "subjectAltName=DNS:localhost"])
        .args(["-addext", "basicConstraints=critical,CA:TRUE"])
        .args(["-addext", "extendedKeyUsage=clientAuth,serverAuth"])
        .arg("-keyout")
        .arg(dir.join("client-key.pem"))
        .arg("-out")
        .arg(&cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("openssl is needed for the client certificate: {e}"))?;
    if !status.success() {
        return Err("openssl could not make a P-521 client certificate".into());
    }
    std::fs::read_to_string(&cert).map_err(|e| format!("cannot read {}: {e}", cert.display()))
}
