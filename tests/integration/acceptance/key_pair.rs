//! Acceptance tests of `spirl_key_pair` with the real Terraform CLI (run with `TF_ACC=1`).

use crate::support::Harness;
use terraform_provider_spirl::keys::{PublicKey, parse_private_key_pem};

const CONFIG: &str = r#"
resource "spirl_key_pair" "deployment" {
  algorithm = "ed25519"
}

output "public_key_pem" {
  value = spirl_key_pair.deployment.public_key_pem
}
"#;

#[test]
fn key_pair_basic_create_plan_empty_destroy() {
    let Some(h) = Harness::start("key_pair_basic") else {
        return;
    };
    h.write_config(CONFIG);
    h.apply();

    let kp = h.resource("spirl_key_pair.deployment");
    let private = kp["private_key_pem"].as_str().expect("private_key_pem");
    let public = kp["public_key_pem"].as_str().expect("public_key_pem");
    assert!(
        private.starts_with("-----BEGIN PRIVATE KEY-----\n"),
        "{private}"
    );
    assert!(
        public.starts_with("-----BEGIN PUBLIC KEY-----\n"),
        "{public}"
    );
    // The public attributes all describe the key the private PEM holds.
    let pair = parse_private_key_pem(private).expect("the private key parses");
    let derived = pair.public_key();
    assert_eq!(derived.to_pem(), public);
    assert_eq!(
        PublicKey::from_pem(public).expect("the public key parses"),
        derived
    );
    assert_eq!(kp["public_key_openssh"], derived.to_openssh());
    assert_eq!(
        kp["public_key_fingerprint_sha256"],
        derived.fingerprint_sha256()
    );
    assert_eq!(kp["id"], derived.fingerprint_sha256());
    assert_eq!(kp["algorithm"], "ed25519");
    assert_eq!(h.outputs()["public_key_pem"], public);

    h.assert_plan_empty();
    // The key is generated once: a refresh keeps it.
    h.tf_ok(&["apply", "-auto-approve", "-refresh-only"]);
    assert_eq!(
        h.resource("spirl_key_pair.deployment")["private_key_pem"],
        private
    );

    h.destroy();
    assert!(
        h.state()["values"].is_null(),
        "state is empty after destroy"
    );
}

#[test]
fn key_pair_default_algorithm_needs_no_credentials() {
    let Some(mut h) = Harness::start("key_pair_no_credentials") else {
        return;
    };
    // No provider block and no SPIRL_* variables: a key pair needs no control plane.
    h.stop_mock();
    h.write_config("resource \"spirl_key_pair\" \"k\" {}\n");
    h.apply();
    assert_eq!(h.resource("spirl_key_pair.k")["algorithm"], "ed25519");
    h.assert_plan_empty();
    h.destroy();
}

#[test]
fn key_pair_unknown_algorithm_fails_plan() {
    let Some(h) = Harness::start("key_pair_bad_algorithm") else {
        return;
    };
    h.write_config("resource \"spirl_key_pair\" \"k\" {\n  algorithm = \"rsa\"\n}\n");
    let out = h.tf_err(&["plan"]);
    assert!(out.all().contains("Unsupported key algorithm"), "{out}");
    assert!(out.all().contains("algorithm is \"rsa\""), "{out}");
}
