//! `spirl_key_pair`'s encodings checked by independent implementations: OpenSSL reads the private
//! key and derives the same public PEM; OpenSSH prints the same fingerprint and OpenSSH line.
//! Each test says it was skipped when its tool is not installed.
#![allow(clippy::unwrap_used)]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use std::io::Write as _;
use std::process::{Command, Stdio};

use terraform_provider_spirl::keys::{KeyPair, parse_private_key_pem, parse_public_key_pem};

/// Runs `program args` with `stdin` and returns its stdout as text, or `None` (and says so)
/// when the program is not installed.
fn run(program: &str, args: &[&str], stdin: &str) -> Option<String> {
    run_bytes(program, args, stdin).map(|out| String::from_utf8(out).unwrap())
}

/// [`run`] for binary output.
fn run_bytes(program: &str, args: &[&str], stdin: &str) -> Option<Vec<u8>> {
    let mut child = match Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("SKIPPED: `{program}` is not installed");
            return None;
        }
        Err(e) => panic!("spawning {program}: {e}"),
    };
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(out.stdout)
}

#[test]
fn key_pair_openssl_reads_private_key_and_derives_same_public_pem() {
    let encoded = KeyPair::generate().encode();
    let Some(public) = run(
        "openssl",
        &["pkey", "-pubout"],
        encoded.private_key_pem.expose(),
    ) else {
        return;
    };
    assert_eq!(public, encoded.public_key_pem);
    // And OpenSSL's own re-encoding of the private key is byte-identical to ours.
    let private = run("openssl", &["pkey"], encoded.private_key_pem.expose()).unwrap();
    assert_eq!(private, encoded.private_key_pem.expose());
}

#[test]
fn key_pair_openssl_generated_key_parses() {
    let Some(private) = run("openssl", &["genpkey", "-algorithm", "ed25519"], "") else {
        return;
    };
    let public = run("openssl", &["pkey", "-pubout"], &private).unwrap();
    let pair = parse_private_key_pem(&private).unwrap();
    assert_eq!(parse_public_key_pem(&public).unwrap(), pair.public_key());
    assert_eq!(pair.private_key_pem().expose(), private);
}

#[test]
fn key_pair_ssh_keygen_prints_same_fingerprint_and_openssh_line() {
    let encoded = KeyPair::generate().encode();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("key.pub");
    std::fs::write(&path, &encoded.public_key_openssh).unwrap();
    let path = path.to_str().unwrap();
    let Some(listing) = run("ssh-keygen", &["-l", "-E", "sha256", "-f", path], "") else {
        return;
    };
    // "256 SHA256:… no comment (ED25519)"
    let fingerprint = listing.split_whitespace().nth(1).unwrap();
    assert_eq!(fingerprint, encoded.public_key_fingerprint_sha256);

    // OpenSSH 9.x cannot read ed25519 PKCS#8, so tie the line to the private key through
    // OpenSSL instead: the raw key at the end of its DER public key is the line's key blob tail.
    let Some(der) = run_bytes(
        "openssl",
        &["pkey", "-pubout", "-outform", "DER"],
        encoded.private_key_pem.expose(),
    ) else {
        return;
    };
    let blob = STANDARD
        .decode(
            encoded
                .public_key_openssh
                .strip_prefix("ssh-ed25519 ")
                .unwrap(),
        )
        .unwrap();
    assert_eq!(&blob[blob.len() - 32..], &der[der.len() - 32..]);
}
