//! The release zip (`make release`'s packaging, via `cargo run -p xtask -- release --binary`)
//! installs and runs the way users get an unpublished provider, with no `dev_overrides`:
//!
//! 1. from a filesystem mirror (packed layout, the zip as is) named in the CLI configuration;
//! 2. from `terraform.d/plugins/…` beside the configuration (unpacked), with no
//!    `provider_installation` at all: Terraform's implied local mirror, which is how Terraform
//!    Cloud remote runs can use a provider that no registry serves.
//!
//! Each: `terraform init`, apply of a key pair and a trust domain on the mock, an empty plan,
//! destroy, and the mock is empty. Run with `TF_ACC=1`.
//!
//! The mock control plane ships beside it (`spirl-mock-api_<v>_linux_amd64.zip`, in
//! `SHA256SUMS`); unpacked, it runs and reports the release's version.
//!
//! 3. A module written for the official provider v0.12.1 (`tests/fixtures/official-v0.12.1`,
//!    every resource and data source of its docs, `version = "~> 0.12"`), unchanged, from the same
//!    mirror: the version line continues, so `terraform init` selects this release, and the
//!    module applies, plans empty and destroys.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{Harness, provider_binary, without_package_env};
use sha2::{Digest as _, Sha256};

/// The provider's version, which names the release files.
const VERSION: &str = env!("CARGO_PKG_VERSION");
const SOURCE: &str = "registry.terraform.io/spirl/spirl";

const CONFIG: &str = r#"
resource "spirl_key_pair" "k" {}

resource "spirl_trust_domain" "td" {
  domain_name = "mirror.example.org"
  description = "installed from a mirror"
}
"#;

fn zip_name() -> String {
    format!("terraform-provider-spirl_{VERSION}_linux_amd64.zip")
}

fn mock_zip_name() -> String {
    format!("spirl-mock-api_{VERSION}_linux_amd64.zip")
}

/// Runs `command`, which must succeed; `what` names it in the failure, with its stderr.
fn succeed(mut command: Command, what: &str) {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A cargo command for the workspace, without the variables of the package under test.
fn cargo(args: &[&str]) -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    without_package_env(&mut command)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    command
}

/// The `spirl-mock-api` binary beside the provider's, built if it is not (the integration tests
/// link the mock's library, not its binary).
fn mock_binary() -> PathBuf {
    succeed(
        cargo(&[
            "build",
            "--locked",
            "-q",
            "-p",
            "spirl-mock-api",
            "--bin",
            "spirl-mock-api",
        ]),
        "cargo build -p spirl-mock-api",
    );
    provider_binary().with_file_name("spirl-mock-api")
}

/// `unzip -q zip -d dir`.
fn unzip(zip: &Path, dir: &Path) {
    let mut command = Command::new("unzip");
    command.arg("-q").arg(zip).arg("-d").arg(dir);
    succeed(command, "unzip (Debian package unzip)");
}

/// The names of the files in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn sha256_hex(path: &Path) -> String {
    let mut file = std::fs::File::open(path).unwrap();
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).unwrap();
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Runs the release packaging on the provider binary this test run built and the mock's, into
/// `out`, checks the artifact set and the checksums, and returns the provider zip's path.
fn package(out: &Path) -> PathBuf {
    let mock = mock_binary();
    let mut release = cargo(&["run", "--locked", "-q", "-p", "xtask", "--", "release"]);
    release
        .arg("--binary")
        .arg(provider_binary())
        .arg("--mock-binary")
        .arg(&mock)
        .arg("--out")
        .arg(out)
        .env_remove("GPG_FINGERPRINT");
    succeed(release, "xtask release");
    let sums_name = format!("terraform-provider-spirl_{VERSION}_SHA256SUMS");
    let manifest_name = format!("terraform-provider-spirl_{VERSION}_manifest.json");
    assert_eq!(
        listing(out),
        [
            mock_zip_name(),
            sums_name.clone(),
            zip_name(),
            manifest_name.clone()
        ]
    );
    let sums = std::fs::read_to_string(out.join(&sums_name)).unwrap();
    let expected: String = [mock_zip_name(), zip_name(), manifest_name]
        .iter()
        .map(|name| format!("{}  {name}\n", sha256_hex(&out.join(name))))
        .collect();
    assert_eq!(sums, expected);
    check_mock_zip(&out.join(mock_zip_name()), &mock);
    out.join(zip_name())
}

/// The mock's zip holds only `spirl-mock-api`, the binary given, executable: unpacked, it runs
/// and says the release's version.
fn check_mock_zip(zip: &Path, mock: &Path) {
    let dir = tempfile::Builder::new()
        .prefix("acc-release-mock-")
        .tempdir()
        .unwrap();
    unzip(zip, dir.path());
    assert_eq!(listing(dir.path()), ["spirl-mock-api"]);
    let unpacked = dir.path().join("spirl-mock-api");
    assert!(
        std::fs::read(&unpacked).unwrap() == std::fs::read(mock).unwrap(),
        "the unpacked mock is the packaged one"
    );
    let version = Command::new(&unpacked)
        .arg("--version")
        .output()
        .expect("run the unpacked spirl-mock-api");
    assert!(version.status.success(), "{version:?}");
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("spirl-mock-api {VERSION}")
    );
}

/// A harness whose configuration pins the released version; its CLI config is `cli_config`.
fn start(test: &str, cli_config: &str) -> Option<Harness> {
    let h = Harness::start(test)?;
    // The harness's CLI config (dev_overrides) is this file; replace it.
    h.write_file("terraform.tfrc", cli_config);
    h.write_file(
        "versions.tf",
        &format!(
            "terraform {{\n  required_providers {{\n    spirl = {{\n      source  = \"spirl/spirl\"\n      version = \"{VERSION}\"\n    }}\n  }}\n}}\n"
        ),
    );
    h.write_config(CONFIG);
    Some(h)
}

/// `terraform init` installs the packaged binary (not the build tree's through dev_overrides),
/// then apply, empty plan, destroy. Returns the package hashes the lock file recorded.
fn init_apply_plan_destroy(h: &Harness) -> Vec<String> {
    let init = h.tf_ok(&["init", "-input=false"]);
    let text = init.all();
    assert!(
        text.contains(&format!("Installed spirl/spirl v{VERSION}")),
        "{init}"
    );
    assert!(!text.contains("overrides"), "{init}");
    let installed = h.path().join(format!(
        ".terraform/providers/{SOURCE}/{VERSION}/linux_amd64/terraform-provider-spirl_v{VERSION}"
    ));
    assert!(
        installed.is_file(),
        "{} missing:\n{init}",
        installed.display()
    );
    assert!(
        std::fs::read(&installed).unwrap() == std::fs::read(provider_binary()).unwrap(),
        "the installed binary is the packaged one"
    );
    let lock = std::fs::read_to_string(h.path().join(".terraform.lock.hcl")).unwrap();
    assert!(lock.contains(&format!("provider \"{SOURCE}\"")), "{lock}");
    assert!(
        lock.lines().any(
            |l| l.trim_start().starts_with("version") && l.ends_with(&format!("\"{VERSION}\""))
        ),
        "{lock}"
    );

    let apply = h.apply();
    assert!(!apply.all().contains("overrides"), "{apply}");
    let td = h.resource("spirl_trust_domain.td");
    assert!(td["id"].as_str().unwrap().starts_with("td-"), "{td}");
    let key = h.resource("spirl_key_pair.k");
    assert!(
        key["public_key_pem"]
            .as_str()
            .unwrap()
            .starts_with("-----BEGIN PUBLIC KEY-----")
    );
    assert_eq!(h.mock_objects().trust_domains, 1);
    h.assert_plan_empty();
    h.destroy();
    assert_eq!(h.mock_objects().trust_domains, 0);
    let hashes: Vec<String> = lock
        .lines()
        .map(|l| l.trim().trim_end_matches(',').trim_matches('"').to_owned())
        .filter(|l| l.starts_with("h1:") || l.starts_with("zh:"))
        .collect();
    assert!(!hashes.is_empty(), "{lock}");
    hashes
}

/// Puts the zip as is in a packed filesystem mirror in `h`'s directory, and names it in the CLI
/// configuration as the only source of this provider.
fn use_filesystem_mirror(h: &Harness, zip: &Path) {
    // Packed layout: HOSTNAME/NAMESPACE/TYPE/terraform-provider-TYPE_VERSION_OS_ARCH.zip.
    let mirror = h.path().join("mirror");
    let dir = mirror.join(SOURCE);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(zip, dir.join(zip_name())).unwrap();
    h.write_file(
        "terraform.tfrc",
        &format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path    = {:?}\n    include = [\"{SOURCE}\"]\n  }}\n}}\n",
            mirror.display().to_string()
        ),
    );
}

/// (1) The zip as is, in a packed filesystem mirror named by the CLI configuration.
fn filesystem_mirror(zip: &Path) -> Vec<String> {
    let h = start("release_fs_mirror", "").expect("TF_ACC=1");
    use_filesystem_mirror(&h, zip);
    init_apply_plan_destroy(&h)
}

/// (2) Unpacked into terraform.d/plugins beside the configuration, no provider_installation.
fn implied_local_mirror(zip: &Path) -> Vec<String> {
    let h = start(
        "release_implied_mirror",
        "# No provider_installation: Terraform's implied local mirrors, terraform.d/plugins first.\n",
    )
    .expect("TF_ACC=1");
    // Unpacked layout, committed with the configuration:
    // terraform.d/plugins/HOSTNAME/NAMESPACE/TYPE/VERSION/OS_ARCH/terraform-provider-TYPE_vVERSION
    let plugins = h.path().join(format!(
        "terraform.d/plugins/{SOURCE}/{VERSION}/linux_amd64"
    ));
    std::fs::create_dir_all(&plugins).unwrap();
    unzip(zip, &plugins);
    assert_eq!(
        listing(&plugins),
        [format!("terraform-provider-spirl_v{VERSION}")]
    );
    init_apply_plan_destroy(&h)
}

/// (3) The official provider's module from the packed mirror: its own `required_providers`
/// (`~> 0.12`) selects this release; apply, empty plan, destroy, nothing left on the mock.
fn official_module(zip: &Path) {
    let h = crate::support::start_official_module("release_official_module").expect("TF_ACC=1");
    use_filesystem_mirror(&h, zip);
    let init = h.tf_ok(&["init", "-input=false"]);
    assert!(
        init.all()
            .contains(&format!("Installed spirl/spirl v{VERSION}")),
        "{init}"
    );
    h.apply();
    let outputs = h.outputs();
    for name in ["deployment_key_id", "cluster_path_template", "realm_id"] {
        assert!(
            outputs[name].as_str().is_some_and(|v| !v.is_empty()),
            "{name}: {outputs:?}"
        );
    }
    assert_eq!(h.mock_objects().clusters, 5);
    h.assert_plan_empty();
    h.destroy();
    assert_eq!(h.mock_objects(), spirl_mock_api::ObjectCounts::default());
}

/// Packages once (zipping the unoptimised test binary takes a while), then runs the ways of
/// installing side by side, each with its own harness and mock.
#[test]
fn release_zip_installs_from_a_filesystem_mirror_and_from_terraform_d_plugins_and_runs_official_modules()
 {
    if std::env::var("TF_ACC").as_deref() != Ok("1") {
        eprintln!("skipped release_zip_installs…: acceptance tests run with TF_ACC=1 (see README)");
        return;
    }
    let dist = tempfile::Builder::new()
        .prefix("acc-release-dist-")
        .tempdir()
        .unwrap();
    let zip = package(dist.path());
    let (packed, unpacked, module) = std::thread::scope(|scope| {
        let packed = scope.spawn(|| filesystem_mirror(&zip));
        let unpacked = scope.spawn(|| implied_local_mirror(&zip));
        let module = scope.spawn(|| official_module(&zip));
        (packed.join(), unpacked.join(), module.join())
    });
    let (packed, unpacked) = match (packed, unpacked, module) {
        (Ok(packed), Ok(unpacked), Ok(())) => (packed, unpacked),
        (Err(panic), _, _) | (_, Err(panic), _) | (_, _, Err(panic)) => {
            std::panic::resume_unwind(panic)
        }
    };
    // Both installs are the same package to Terraform: a lock file made with one accepts the
    // other (the h1: hash covers the unpacked contents).
    assert_eq!(packed, unpacked);
}
