//! Unit tests of the release artifacts: names, platforms, sums, zips, signing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Read as _;

use super::*;

const LINUX_AMD64: Platform = Platform {
    os: "linux",
    arch: "amd64",
};

/// A fresh directory under the system's temp dir, removed on drop (xtask has no tempfile).
struct TempDir(PathBuf);

impl TempDir {
    fn new(test: &str) -> TempDir {
        use std::sync::atomic::{AtomicU32, Ordering};
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("xtask-release-{test}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Stops the gpg-agent a test's GNUPGHOME started, however the test ends.
struct GpgAgent<'a>(&'a Path);

impl Drop for GpgAgent<'_> {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .env("GNUPGHOME", self.0)
            .args(["--kill", "gpg-agent"])
            .status();
    }
}

#[test]
fn names_follow_the_registry() {
    assert_eq!(
        zip_name("0.1.0", LINUX_AMD64),
        "terraform-provider-spirl_0.1.0_linux_amd64.zip"
    );
    assert_eq!(
        binary_name("0.1.0", LINUX_AMD64),
        "terraform-provider-spirl_v0.1.0"
    );
    let windows = Platform::from_triple("x86_64-pc-windows-msvc").unwrap();
    assert_eq!(
        binary_name("1.2.3", windows),
        "terraform-provider-spirl_v1.2.3.exe"
    );
    assert_eq!(
        mock_zip_name("0.1.0", LINUX_AMD64),
        "spirl-mock-api_0.1.0_linux_amd64.zip"
    );
    assert_eq!(mock_binary_name(LINUX_AMD64), "spirl-mock-api");
    assert_eq!(mock_binary_name(windows), "spirl-mock-api.exe");
    assert_eq!(
        manifest_name("0.1.0"),
        "terraform-provider-spirl_0.1.0_manifest.json"
    );
    assert_eq!(
        sums_name("0.1.0"),
        "terraform-provider-spirl_0.1.0_SHA256SUMS"
    );
    assert_eq!(
        signature_name("0.1.0"),
        "terraform-provider-spirl_0.1.0_SHA256SUMS.sig"
    );
}

#[test]
fn triples_map_to_registry_platforms() {
    for (triple, os_arch) in [
        ("x86_64-unknown-linux-gnu", Some("linux_amd64")),
        ("x86_64-unknown-linux-musl", Some("linux_amd64")),
        ("aarch64-unknown-linux-gnu", Some("linux_arm64")),
        ("i686-unknown-linux-gnu", Some("linux_386")),
        ("armv7-unknown-linux-gnueabihf", Some("linux_arm")),
        ("x86_64-apple-darwin", Some("darwin_amd64")),
        ("aarch64-apple-darwin", Some("darwin_arm64")),
        ("x86_64-pc-windows-msvc", Some("windows_amd64")),
        ("x86_64-pc-windows-gnu", Some("windows_amd64")),
        ("x86_64-unknown-freebsd", Some("freebsd_amd64")),
        ("aarch64-linux-android", None),
        ("wasm32-unknown-unknown", None),
        ("riscv64gc-unknown-linux-gnu", None),
        ("x86_64-unknown-none", None),
    ] {
        assert_eq!(
            Platform::from_triple(triple)
                .map(|p| p.os_arch())
                .as_deref(),
            os_arch,
            "{triple}"
        );
    }
    assert_eq!(Platform::from_rust("linux", "x86_64"), Some(LINUX_AMD64));
}

#[test]
fn options_parse() {
    let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        Options::parse(&args(&["--binary", "/b", "--out=/o"])).unwrap(),
        Some(Options {
            binary: Some("/b".into()),
            mock_binary: None,
            out: Some("/o".into())
        })
    );
    assert_eq!(
        Options::parse(&args(&["--binary=/b", "--mock-binary", "/m"])).unwrap(),
        Some(Options {
            binary: Some("/b".into()),
            mock_binary: Some("/m".into()),
            out: None
        })
    );
    assert_eq!(Options::parse(&args(&["--help"])).unwrap(), None);
    assert!(Options::parse(&args(&["--out"])).is_err());
    assert!(Options::parse(&args(&["--sign"])).is_err());
}

#[test]
fn the_repository_manifest_announces_protocol_6() {
    let manifest = include_bytes!("../../../terraform-registry-manifest.json");
    let json: serde_json::Value = serde_json::from_slice(manifest).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"version": 1, "metadata": {"protocol_versions": ["6.0"]}})
    );
    check_manifest(manifest).unwrap();
    assert!(check_manifest(br#"{"version":1,"metadata":{"protocol_versions":["5.0"]}}"#).is_err());
}

#[test]
fn sums_are_sorted_sha256sum_lines() {
    let dir = TempDir::new("sums");
    let b = dir.path().join("b.zip");
    let a = dir.path().join("a_manifest.json");
    std::fs::write(&b, b"abc").unwrap();
    std::fs::write(&a, b"").unwrap();
    assert_eq!(
        sha256sums(&[b, a]).unwrap(),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  a_manifest.json\n\
         ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  b.zip\n"
    );
}

/// A stand-in for the provider binary: the zip code does not care what the bytes are.
fn fake_binary(dir: &Path) -> PathBuf {
    let path = dir.join("terraform-provider-spirl");
    let bytes: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&path, bytes).unwrap();
    path
}

/// A stand-in for the mock's binary, with other bytes than [`fake_binary`].
fn fake_mock_binary(dir: &Path) -> PathBuf {
    let path = dir.join("spirl-mock-api");
    let bytes: Vec<u8> = (0..100_000u32).map(|i| (i * 13 % 241) as u8).collect();
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The linux_amd64 build of `provider`, without the mock.
fn provider_only(provider: PathBuf) -> [Build; 1] {
    [Build {
        platform: LINUX_AMD64,
        provider,
        mock: None,
    }]
}

/// The one member of the zip at `path`: its name, unix mode and contents.
fn only_member(path: &Path) -> (String, Option<u32>, Vec<u8>) {
    let mut archive = zip::ZipArchive::new(File::open(path).unwrap()).unwrap();
    assert_eq!(archive.len(), 1, "{}", path.display());
    let mut entry = archive.by_index(0).unwrap();
    assert_eq!(entry.compression(), CompressionMethod::Deflated);
    assert_eq!(entry.last_modified(), Some(DateTime::default()));
    let mut contents = Vec::new();
    entry.read_to_end(&mut contents).unwrap();
    (entry.name().to_owned(), entry.unix_mode(), contents)
}

#[test]
fn zip_holds_only_the_executable_and_is_deterministic() {
    let dir = TempDir::new("zip");
    let binary = fake_binary(dir.path());
    let first = dir.path().join("first.zip");
    let second = dir.path().join("second.zip");
    write_zip(&binary, "terraform-provider-spirl_v0.1.0", &first).unwrap();
    write_zip(&binary, "terraform-provider-spirl_v0.1.0", &second).unwrap();
    assert_eq!(
        std::fs::read(&first).unwrap(),
        std::fs::read(&second).unwrap()
    );

    assert_eq!(
        only_member(&first),
        (
            "terraform-provider-spirl_v0.1.0".to_owned(),
            Some(0o100755),
            std::fs::read(&binary).unwrap()
        )
    );
}

#[test]
fn package_writes_the_registry_set_and_the_mock_and_replaces_an_earlier_run() {
    let dir = TempDir::new("package");
    let binary = fake_binary(dir.path());
    let mock = fake_mock_binary(dir.path());
    let out = dir.path().join("dist");
    std::fs::create_dir_all(&out).unwrap();
    // Leftovers of an earlier run of this version go; other files stay.
    std::fs::write(out.join(signature_name("0.1.0")), b"stale").unwrap();
    std::fs::write(
        out.join("terraform-provider-spirl_0.1.0_darwin_arm64.zip"),
        b"x",
    )
    .unwrap();
    std::fs::write(out.join("spirl-mock-api_0.1.0_darwin_arm64.zip"), b"x").unwrap();
    std::fs::write(out.join("notes.txt"), b"keep").unwrap();
    // Another version's mock is not this release's leftover.
    std::fs::write(out.join("spirl-mock-api_0.0.9_linux_amd64.zip"), b"keep").unwrap();
    let manifest = include_bytes!("../../../terraform-registry-manifest.json");

    let build = Build {
        platform: LINUX_AMD64,
        provider: binary,
        mock: Some(mock.clone()),
    };
    let written = package("0.1.0", &[build], manifest, &out, None).unwrap();
    let names: Vec<String> = written
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "spirl-mock-api_0.1.0_linux_amd64.zip",
            "terraform-provider-spirl_0.1.0_SHA256SUMS",
            "terraform-provider-spirl_0.1.0_linux_amd64.zip",
            "terraform-provider-spirl_0.1.0_manifest.json",
        ]
    );
    let mut listing: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    listing.sort();
    let mut expected = names.clone();
    expected.extend(["notes.txt", "spirl-mock-api_0.0.9_linux_amd64.zip"].map(String::from));
    expected.sort();
    assert_eq!(listing, expected);
    // The mock's zip holds only its executable, under the name users run.
    assert_eq!(
        only_member(&out.join(mock_zip_name("0.1.0", LINUX_AMD64))),
        (
            "spirl-mock-api".to_owned(),
            Some(0o100755),
            std::fs::read(&mock).unwrap()
        )
    );
    assert_eq!(
        std::fs::read(out.join(manifest_name("0.1.0"))).unwrap(),
        manifest
    );
    let sums = std::fs::read_to_string(out.join(sums_name("0.1.0"))).unwrap();
    let zip_hex = sha256_hex(&out.join(zip_name("0.1.0", LINUX_AMD64))).unwrap();
    let mock_hex = sha256_hex(&out.join(mock_zip_name("0.1.0", LINUX_AMD64))).unwrap();
    let manifest_hex = sha256_hex(&out.join(manifest_name("0.1.0"))).unwrap();
    assert_eq!(
        sums,
        format!(
            "{mock_hex}  spirl-mock-api_0.1.0_linux_amd64.zip\n\
             {zip_hex}  terraform-provider-spirl_0.1.0_linux_amd64.zip\n\
             {manifest_hex}  terraform-provider-spirl_0.1.0_manifest.json\n"
        )
    );
}

#[test]
fn package_signs_the_sums_with_the_configured_key() {
    if Command::new("gpg").arg("--version").output().is_err() {
        eprintln!("skipped: gpg is not installed");
        return;
    }
    let dir = TempDir::new("sign");
    let home = dir.path().join("gnupg");
    std::fs::create_dir(&home).unwrap();
    let _agent = GpgAgent(&home);
    let gpg = |args: &[&str]| {
        let out = Command::new("gpg")
            .env("GNUPGHOME", &home)
            .args(["--batch", "--passphrase", ""])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "gpg {args:?}: {out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    gpg(&[
        "--quick-gen-key",
        "Release Test <release@example.test>",
        "ed25519",
        "sign",
        "never",
    ]);
    let fingerprint = gpg(&["--with-colons", "--list-secret-keys"])
        .lines()
        .find_map(|l| l.strip_prefix("fpr:"))
        .map(|l| l.trim_matches(':').to_owned())
        .expect("a fingerprint");
    let binary = fake_binary(dir.path());
    let out = dir.path().join("dist");
    let signer = Signer {
        fingerprint,
        gnupg_home: Some(home.clone()),
    };
    let manifest = include_bytes!("../../../terraform-registry-manifest.json");
    let written = package(
        "0.1.0",
        &provider_only(binary),
        manifest,
        &out,
        Some(&signer),
    )
    .unwrap();
    let sig = out.join(signature_name("0.1.0"));
    assert!(written.contains(&sig));
    let bytes = std::fs::read(&sig).unwrap();
    assert_ne!(
        bytes.first(),
        Some(&b'-'),
        "a binary signature, not ASCII armour"
    );
    let sums = out.join(sums_name("0.1.0"));
    let verify = Command::new("gpg")
        .env("GNUPGHOME", &home)
        .args(["--batch", "--verify"])
        .args([&sig, &sums])
        .output()
        .unwrap();
    assert!(verify.status.success(), "{verify:?}");

    // A key gpg does not have is an error that names it, not an unsigned release.
    let missing = Signer {
        fingerprint: "0000000000000000000000000000000000000000".to_owned(),
        gnupg_home: Some(home.clone()),
    };
    let binary = fake_binary(dir.path());
    let err = package(
        "0.1.0",
        &provider_only(binary),
        manifest,
        &out,
        Some(&missing),
    )
    .unwrap_err();
    assert!(
        err.contains("0000000000000000000000000000000000000000"),
        "{err}"
    );
}
