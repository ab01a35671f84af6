//! Release artifacts in the Terraform Registry's naming, as HashiCorp's goreleaser
//! configuration writes them:
//!
//! | file | what |
//! |---|---|
//! | `terraform-provider-spirl_<v>_<os>_<arch>.zip` | one per platform, holding only `terraform-provider-spirl_v<v>` (mode 0755) |
//! | `spirl-mock-api_<v>_<os>_<arch>.zip` | one per platform, holding only `spirl-mock-api` (mode 0755): the mock control plane, for users' module tests |
//! | `terraform-provider-spirl_<v>_manifest.json` | a copy of `terraform-registry-manifest.json` (protocol 6.0) |
//! | `terraform-provider-spirl_<v>_SHA256SUMS` | `<sha256 hex>  <file>` for the zips (the mock's too) and the manifest |
//! | `terraform-provider-spirl_<v>_SHA256SUMS.sig` | detached binary signature, when `GPG_FINGERPRINT` is set |
//!
//! Platforms are the installed Rust targets (`rustup target list --installed`) that map to a
//! registry `os_arch`; the binaries are `cargo build --release --locked` of the provider and of
//! `spirl-mock-api` (stripped, fat LTO), both versioned as the workspace. `--binary PATH` (and
//! `--mock-binary PATH`) packages already-built binaries for this machine's platform instead.
//! Zips are deterministic: fixed timestamps and modes, so the same binary gives the same
//! checksum. Terraform and the registry look up only the provider's files in `SHA256SUMS`; the
//! mock's line is for users who download it.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest as _, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

/// The provider's name in every artifact's file name.
const PROJECT: &str = "terraform-provider-spirl";
/// The Cargo package that builds the provider binary.
const PACKAGE: &str = "terraform-provider-spirl";
/// The mock control plane: its Cargo package, its binary and the first word of its zip's name.
const MOCK: &str = "spirl-mock-api";
/// The registry manifest in the repository root, copied into the release as is.
const MANIFEST_FILE: &str = "terraform-registry-manifest.json";
/// The environment variable naming the GPG key that signs `SHA256SUMS` (goreleaser's name).
const SIGNING_KEY_ENV: &str = "GPG_FINGERPRINT";

const USAGE: &str =
    "usage: cargo run -p xtask -- release [--binary PATH [--mock-binary PATH]] [--out DIR]

  --binary PATH       package this already-built provider binary for this machine's platform
                      instead of building the provider and the mock per installed target
  --mock-binary PATH  with --binary: package this already-built spirl-mock-api beside it
                      (without it, the release has no mock zip)
  --out DIR           write the artifacts here (default: dist/ in the workspace)

Set GPG_FINGERPRINT to sign SHA256SUMS with that key (gpg --detach-sign).";

/// A registry platform: `os` and `arch` as in `linux_amd64`, and the binary's suffix there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Platform {
    /// Registry OS name (`linux`, `darwin`, `windows`, …).
    pub os: &'static str,
    /// Registry architecture name (`amd64`, `arm64`, `386`, `arm`).
    pub arch: &'static str,
}

impl Platform {
    /// The registry platform for an OS and CPU named as Rust names them (`std::env::consts`).
    pub fn from_rust(os: &str, arch: &str) -> Option<Platform> {
        let os = match os {
            "linux" => "linux",
            "macos" => "darwin",
            "windows" => "windows",
            "freebsd" => "freebsd",
            "openbsd" => "openbsd",
            "solaris" => "solaris",
            _ => return None,
        };
        let arch = match arch {
            "x86_64" => "amd64",
            "x86" => "386",
            "aarch64" => "arm64",
            "arm" => "arm",
            _ => return None,
        };
        Some(Platform { os, arch })
    }

    /// The registry platform a Rust target triple builds for, or `None` when the registry has
    /// no name for it (Android, WebAssembly, RISC-V, …).
    pub fn from_triple(triple: &str) -> Option<Platform> {
        let parts: Vec<&str> = triple.split('-').collect();
        let (cpu, rest) = parts.split_first()?;
        let arch = match *cpu {
            "x86_64" => "x86_64",
            "i586" | "i686" => "x86",
            "aarch64" => "aarch64",
            cpu if cpu.starts_with("armv7") || cpu == "arm" || cpu == "armv6" => "arm",
            _ => return None,
        };
        let has = |name: &str| rest.contains(&name);
        let os = if has("android") || has("ohos") {
            return None;
        } else if has("linux") {
            "linux"
        } else if has("darwin") {
            "macos"
        } else if has("windows") {
            "windows"
        } else if has("freebsd") {
            "freebsd"
        } else if has("openbsd") {
            "openbsd"
        } else if has("solaris") {
            "solaris"
        } else {
            return None;
        };
        Platform::from_rust(os, arch)
    }

    /// The platform this xtask runs on.
    pub fn host() -> Option<Platform> {
        Platform::from_rust(std::env::consts::OS, std::env::consts::ARCH)
    }

    /// `linux_amd64`.
    pub fn os_arch(&self) -> String {
        format!("{}_{}", self.os, self.arch)
    }

    fn exe_suffix(&self) -> &'static str {
        if self.os == "windows" { ".exe" } else { "" }
    }
}

/// One platform's binaries: the provider's, and the mock's when it is part of the release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Build {
    /// The registry platform they run on.
    pub platform: Platform,
    /// The provider binary.
    pub provider: PathBuf,
    /// The `spirl-mock-api` binary.
    pub mock: Option<PathBuf>,
}

/// `terraform-provider-spirl_<v>_<os>_<arch>.zip`.
pub fn zip_name(version: &str, platform: Platform) -> String {
    format!("{PROJECT}_{version}_{}.zip", platform.os_arch())
}

/// The binary inside the zip: `terraform-provider-spirl_v<v>` (`.exe` on Windows), the name
/// Terraform looks for.
pub fn binary_name(version: &str, platform: Platform) -> String {
    format!("{PROJECT}_v{version}{}", platform.exe_suffix())
}

/// `spirl-mock-api_<v>_<os>_<arch>.zip`.
pub fn mock_zip_name(version: &str, platform: Platform) -> String {
    format!("{MOCK}_{version}_{}.zip", platform.os_arch())
}

/// The mock's binary inside its zip: `spirl-mock-api` (`.exe` on Windows), the command the
/// testing guide runs.
pub fn mock_binary_name(platform: Platform) -> String {
    format!("{MOCK}{}", platform.exe_suffix())
}

/// `terraform-provider-spirl_<v>_manifest.json`.
pub fn manifest_name(version: &str) -> String {
    format!("{PROJECT}_{version}_manifest.json")
}

/// `terraform-provider-spirl_<v>_SHA256SUMS`.
pub fn sums_name(version: &str) -> String {
    format!("{PROJECT}_{version}_SHA256SUMS")
}

/// `terraform-provider-spirl_<v>_SHA256SUMS.sig`.
pub fn signature_name(version: &str) -> String {
    format!("{}.sig", sums_name(version))
}

/// Builds (or takes `--binary`) and packages the release artifacts into `dist/` (or `--out`).
pub fn run(args: &[String]) -> Result<(), String> {
    let Some(options) = Options::parse(args)? else {
        eprintln!("{USAGE}");
        return Ok(());
    };
    let meta = Metadata::load()?;
    let out = options
        .out
        .clone()
        .unwrap_or_else(|| meta.workspace_root.join("dist"));
    let builds = match &options.binary {
        Some(path) => {
            let platform = Platform::host().ok_or_else(|| {
                format!(
                    "this machine ({} {}) has no Terraform Registry platform name",
                    std::env::consts::OS,
                    std::env::consts::ARCH
                )
            })?;
            for (flag, path) in [
                ("--binary", Some(path)),
                ("--mock-binary", options.mock_binary.as_ref()),
            ] {
                if let Some(path) = path.filter(|p| !p.is_file()) {
                    return Err(format!("{flag} {}: no such file", path.display()));
                }
            }
            if options.mock_binary.is_none() {
                eprintln!("release: no --mock-binary: {MOCK} is not packed");
            }
            vec![Build {
                platform,
                provider: path.clone(),
                mock: options.mock_binary.clone(),
            }]
        }
        None if options.mock_binary.is_some() => {
            return Err(format!("--mock-binary goes with --binary\n{USAGE}"));
        }
        None => build(&meta)?,
    };
    let manifest_path = meta.workspace_root.join(MANIFEST_FILE);
    let manifest = std::fs::read(&manifest_path)
        .map_err(|e| format!("cannot read {}: {e}", manifest_path.display()))?;
    let signer = std::env::var(SIGNING_KEY_ENV)
        .ok()
        .filter(|fingerprint| !fingerprint.trim().is_empty())
        .map(|fingerprint| Signer {
            fingerprint,
            gnupg_home: None,
        });
    let written = package(&meta.version, &builds, &manifest, &out, signer.as_ref())?;
    eprintln!("release {} in {}:", meta.version, out.display());
    for path in &written {
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        eprintln!("  {name} ({size} bytes)");
    }
    if signer.is_none() {
        eprintln!(
            "  (SHA256SUMS not signed: set {SIGNING_KEY_ENV} to the fingerprint of a GPG key to sign it)"
        );
    }
    Ok(())
}

/// The command line.
#[derive(Debug, Default, PartialEq, Eq)]
struct Options {
    binary: Option<PathBuf>,
    mock_binary: Option<PathBuf>,
    out: Option<PathBuf>,
}

impl Options {
    /// The options, or `None` when help was asked for.
    fn parse(args: &[String]) -> Result<Option<Options>, String> {
        let mut options = Options::default();
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((flag, value)) => (flag, Some(value.to_owned())),
                None => (arg.as_str(), None),
            };
            let slot = match flag {
                "-h" | "--help" => return Ok(None),
                "--binary" => &mut options.binary,
                "--mock-binary" => &mut options.mock_binary,
                "--out" => &mut options.out,
                _ => return Err(format!("unknown argument `{arg}`\n{USAGE}")),
            };
            let value = match inline {
                Some(value) => value,
                None => args
                    .next()
                    .cloned()
                    .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?,
            };
            *slot = Some(PathBuf::from(value));
        }
        Ok(Some(options))
    }
}

/// What `cargo metadata` says about the workspace.
struct Metadata {
    version: String,
    workspace_root: PathBuf,
    target_dir: PathBuf,
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Runs `cmd`, returning its stdout, or an error naming `what` with its stderr.
fn output_of(mut cmd: Command, what: &str) -> Result<String, String> {
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {what}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{what} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    String::from_utf8(out.stdout).map_err(|_| format!("{what} printed something not UTF-8"))
}

impl Metadata {
    fn load() -> Result<Metadata, String> {
        let mut cmd = cargo();
        cmd.args(["metadata", "--format-version", "1", "--no-deps"]);
        let text = output_of(cmd, "cargo metadata")?;
        let json: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| format!("cargo metadata printed no JSON: {e}"))?;
        let version_of = |name: &str| {
            json["packages"]
                .as_array()
                .and_then(|packages| packages.iter().find(|p| p["name"] == name))
                .and_then(|p| p["version"].as_str())
                .map(str::to_owned)
                .ok_or_else(|| format!("cargo metadata lists no package {name}"))
        };
        let version = version_of(PACKAGE)?;
        // The mock ships under the provider's version: `spirl-mock-api --version` must say it.
        let mock_version = version_of(MOCK)?;
        if mock_version != version {
            return Err(format!(
                "{MOCK} is version {mock_version}, {PACKAGE} {version}: both take the \
                 workspace's version (version.workspace = true)"
            ));
        }
        let path = |key: &str| {
            json[key]
                .as_str()
                .map(PathBuf::from)
                .ok_or_else(|| format!("cargo metadata has no {key}"))
        };
        Ok(Metadata {
            version,
            workspace_root: path("workspace_root")?,
            target_dir: path("target_directory")?,
        })
    }
}

/// The host's target triple, from `rustc -vV`.
fn host_triple() -> Result<String, String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let mut cmd = Command::new(rustc);
    cmd.arg("-vV");
    let text = output_of(cmd, "rustc -vV")?;
    text.lines()
        .find_map(|line| line.strip_prefix("host: "))
        .map(str::to_owned)
        .ok_or_else(|| "rustc -vV names no host".to_owned())
}

/// The installed targets to build for, host first, with their platforms; says which ones are
/// skipped and why.
fn targets() -> Result<Vec<(String, Platform)>, String> {
    let host = host_triple()?;
    let mut triples = vec![host.clone()];
    let mut cmd = Command::new("rustup");
    cmd.args(["target", "list", "--installed"]);
    match output_of(cmd, "rustup target list --installed") {
        Ok(text) => triples.extend(
            text.lines()
                .map(str::trim)
                .filter(|t| !t.is_empty() && *t != host)
                .map(str::to_owned),
        ),
        Err(e) => eprintln!("release: {e}; building for the host ({host}) only"),
    }
    let mut chosen: Vec<(String, Platform)> = Vec::new();
    for triple in triples {
        match Platform::from_triple(&triple) {
            None => eprintln!("release: skipping {triple}: the registry has no platform for it"),
            Some(platform) => {
                if let Some((first, _)) = chosen.iter().find(|(_, p)| *p == platform) {
                    eprintln!(
                        "release: skipping {triple}: {} is already built from {first}",
                        platform.os_arch()
                    );
                } else {
                    chosen.push((triple, platform));
                }
            }
        }
    }
    if chosen.is_empty() {
        return Err("no installed Rust target maps to a Terraform Registry platform".to_owned());
    }
    Ok(chosen)
}

/// `cargo build --release --locked` of the provider and the mock for every target; the
/// binaries' paths.
fn build(meta: &Metadata) -> Result<Vec<Build>, String> {
    let host = host_triple()?;
    let mut builds = Vec::new();
    for (triple, platform) in targets()? {
        let mut cmd = cargo();
        cmd.args(["build", "--release", "--locked", "-p", PACKAGE, "-p", MOCK]);
        // The host build goes to target/release, shared with every other release build.
        let dir = if triple == host {
            meta.target_dir.join("release")
        } else {
            cmd.args(["--target", &triple]);
            meta.target_dir.join(&triple).join("release")
        };
        eprintln!(
            "release: building {PACKAGE} and {MOCK} for {triple} ({})",
            platform.os_arch()
        );
        let status = cmd
            .current_dir(&meta.workspace_root)
            .status()
            .map_err(|e| format!("cannot run cargo build: {e}"))?;
        if !status.success() {
            return Err(format!(
                "cargo build --release for {triple} failed ({status}); see the compiler's message above"
            ));
        }
        let [provider, mock] = [PACKAGE, MOCK].map(|name| {
            let binary = dir.join(format!("{name}{}", platform.exe_suffix()));
            if binary.is_file() {
                Ok(binary)
            } else {
                Err(format!(
                    "cargo build succeeded but {} is missing",
                    binary.display()
                ))
            }
        });
        builds.push(Build {
            platform,
            provider: provider?,
            mock: Some(mock?),
        });
    }
    Ok(builds)
}

/// A GPG key to sign `SHA256SUMS` with.
pub struct Signer {
    /// The key's fingerprint (or any `--local-user` name).
    pub fingerprint: String,
    /// `GNUPGHOME` for gpg; `None` keeps the environment's.
    pub gnupg_home: Option<PathBuf>,
}

/// Writes the zips, the manifest, `SHA256SUMS` and (with a signer) its signature into `out`,
/// replacing earlier artifacts of this version. Returns the files written, sorted by name.
pub fn package(
    version: &str,
    builds: &[Build],
    manifest: &[u8],
    out: &Path,
    signer: Option<&Signer>,
) -> Result<Vec<PathBuf>, String> {
    check_manifest(manifest)?;
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    remove_previous(version, out)?;

    let mut files = Vec::new();
    for build in builds {
        let zip = out.join(zip_name(version, build.platform));
        write_zip(&build.provider, &binary_name(version, build.platform), &zip)?;
        files.push(zip);
        if let Some(mock) = &build.mock {
            let zip = out.join(mock_zip_name(version, build.platform));
            write_zip(mock, &mock_binary_name(build.platform), &zip)?;
            files.push(zip);
        }
    }
    let manifest_path = out.join(manifest_name(version));
    std::fs::write(&manifest_path, manifest)
        .map_err(|e| format!("cannot write {}: {e}", manifest_path.display()))?;
    files.push(manifest_path);

    let sums_path = out.join(sums_name(version));
    let sums = sha256sums(&files)?;
    std::fs::write(&sums_path, sums)
        .map_err(|e| format!("cannot write {}: {e}", sums_path.display()))?;
    files.push(sums_path.clone());
    if let Some(signer) = signer {
        let sig = out.join(signature_name(version));
        sign(&sums_path, &sig, signer)?;
        files.push(sig);
    }
    files.sort();
    Ok(files)
}

/// The manifest must be the registry's format and announce protocol 6.0, the one we serve.
fn check_manifest(manifest: &[u8]) -> Result<(), String> {
    let json: serde_json::Value = serde_json::from_slice(manifest)
        .map_err(|e| format!("{MANIFEST_FILE} is not JSON: {e}"))?;
    let protocols = json["metadata"]["protocol_versions"].as_array();
    if json["version"] != 1 || !protocols.is_some_and(|p| p.iter().any(|v| v == "6.0")) {
        return Err(format!(
            "{MANIFEST_FILE} must be {{\"version\":1,\"metadata\":{{\"protocol_versions\":[\"6.0\"]}}}}"
        ));
    }
    Ok(())
}

/// Removes this version's artifacts from an earlier run, so that nothing stale (a platform no
/// longer built, an old signature) sits beside the new checksums.
fn remove_previous(version: &str, out: &Path) -> Result<(), String> {
    let prefixes = [PROJECT, MOCK].map(|name| format!("{name}_{version}_"));
    let entries =
        std::fs::read_dir(out).map_err(|e| format!("cannot list {}: {e}", out.display()))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if prefixes.iter().any(|prefix| name.starts_with(prefix)) {
            std::fs::remove_file(entry.path())
                .map_err(|e| format!("cannot remove {}: {e}", entry.path().display()))?;
        }
    }
    Ok(())
}

/// Writes a zip holding only `binary`, as `member`, mode 0755, with a fixed timestamp so the
/// same binary always gives the same bytes.
pub fn write_zip(binary: &Path, member: &str, dest: &Path) -> Result<(), String> {
    let err = |action: &str, path: &Path, e: &dyn std::fmt::Display| {
        format!("cannot {action} {}: {e}", path.display())
    };
    let mut input = File::open(binary).map_err(|e| err("open", binary, &e))?;
    let partial = dest.with_extension("zip.partial");
    let file = File::create(&partial).map_err(|e| err("create", &partial, &e))?;
    let mut zip = ZipWriter::new(file);
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::default())
        .unix_permissions(0o755);
    zip.start_file(member, options)
        .map_err(|e| err("write", &partial, &e))?;
    io::copy(&mut input, &mut zip).map_err(|e| err("compress", binary, &e))?;
    let file = zip.finish().map_err(|e| err("finish", &partial, &e))?;
    file.sync_all().map_err(|e| err("write", &partial, &e))?;
    std::fs::rename(&partial, dest).map_err(|e| err("rename into", dest, &e))
}

/// The SHA-256 of a file, in lowercase hex.
pub fn sha256_hex(path: &Path) -> Result<String, String> {
    let mut file = File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let mut hasher = Sha256::new();
    io::copy(&mut file, &mut hasher).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// `SHA256SUMS` for `files` in goreleaser's (and `sha256sum`'s) format, sorted by file name:
/// `<hex>  <name>` per line.
pub fn sha256sums(files: &[PathBuf]) -> Result<String, String> {
    let mut lines = Vec::new();
    for path in files {
        let name = path
            .file_name()
            .ok_or_else(|| format!("{} has no file name", path.display()))?
            .to_string_lossy()
            .into_owned();
        lines.push((name, sha256_hex(path)?));
    }
    lines.sort();
    let mut text = String::new();
    for (name, hex) in lines {
        text.push_str(&format!("{hex}  {name}\n"));
    }
    Ok(text)
}

/// `gpg --batch --local-user <key> --detach-sign` of `sums` into `sig`, as goreleaser signs: a
/// binary (not armoured) signature.
fn sign(sums: &Path, sig: &Path, signer: &Signer) -> Result<(), String> {
    let mut cmd = Command::new("gpg");
    if let Some(home) = &signer.gnupg_home {
        cmd.env("GNUPGHOME", home);
    }
    cmd.args([
        "--batch",
        "--yes",
        "--local-user",
        &signer.fingerprint,
        "--output",
    ])
    .arg(sig)
    .arg("--detach-sign")
    .arg(sums);
    let out = cmd.output().map_err(|e| {
        format!("cannot run gpg to sign with {SIGNING_KEY_ENV}: {e} (install gnupg, or unset {SIGNING_KEY_ENV})")
    })?;
    if !out.status.success() {
        return Err(format!(
            "gpg could not sign {} with key {} ({}): {}",
            sums.display(),
            signer.fingerprint,
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
