//! The seed's flow with the private key never in the state, with the real Terraform CLI (1.11+)
//! against the gRPC mock (run with `TF_ACC=1`): an ephemeral `spirl_key_pair` feeds
//! `keys[…].public_key_wo` of a deployment.
//!
//! - The state file, `terraform show -json`, saved plans (shown, and the files themselves) and a
//!   `TF_LOG=trace` log hold no line of an ed25519 private key and no public-key PEM of the
//!   ephemeral pair; the mock holds the pair's public key, and the state its fingerprint.
//! - A second plan is empty although the ephemeral resource made a new pair; bumping
//!   `public_key_wo_version` rotates the key on the mock (the new one registered before the old
//!   one is deleted), with the entry's id unknown in the plan only then.
//! - A key replaced out of band shows up in the next plan and is put back.
//! - Exactly one of `public_key` and `public_key_wo` per entry, named in the error.
//! - With a Terraform before 1.11, a configuration setting `public_key_wo` fails validation,
//!   naming the entry and the version needed.
//! - The ALB guide's write-only variant (`examples/guides/alb-ingress-write-only`), without its
//!   helm and kubernetes parts, applies, plans empty, rotates with `key_version` and destroys.

use std::io::Read as _;

use crate::support::{Harness, out_of_band_client, trust_domain, without_blocks};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value as Json;
use spirl_mock_api::MockOptions;
use terraform_provider_spirl::client::{Client, Key as TrustDomainKey};
use terraform_provider_spirl::keys::{KeyPair, PublicKey};

const ADDRESS: &str = "spirl_trust_domain_deployment.d";

/// The base64 that starts every line of an ed25519 PKCS#8 v1 private key PEM's body (its 48 DER
/// bytes fit one line): the DER header `30 2e 02 01 00 30 05 06 03 2b 65 70 04 22 04`.
const PRIVATE_KEY_LINE_PREFIX: &str = "MC4CAQAwBQYDK2VwBCIE";
/// The base64 that starts every ed25519 SubjectPublicKeyInfo PEM body line (44 DER bytes, one
/// line): `30 2a 30 05 06 03 2b 65 70 03 21 00`.
const PUBLIC_KEY_LINE_PREFIX: &str = "MCowBQYDK2VwAyEA";

fn config(td: &str, version: u32) -> String {
    format!(
        r#"
ephemeral "spirl_key_pair" "server" {{}}

resource "spirl_trust_domain_deployment" "d" {{
  trust_domain_id = "{td}"
  name            = "prod"
  keys = {{
    key1 = {{
      public_key_wo         = ephemeral.spirl_key_pair.server.public_key_pem
      public_key_wo_version = {version}
    }}
  }}
}}
"#
    )
}

/// The keys registered for deployment `prod`.
fn remote_keys(h: &Harness, client: &Client, td: &str) -> Vec<TrustDomainKey> {
    remote_keys_named(h, client, td, "prod")
}

/// The keys registered for deployment `name`.
fn remote_keys_named(h: &Harness, client: &Client, td: &str, name: &str) -> Vec<TrustDomainKey> {
    h.block_on(client.list_keys(Some(td), Some(name)))
        .expect("list keys")
}

/// `keys.key1` in the state: (id, fingerprint).
fn state_key(h: &Harness) -> (String, String) {
    let key = &h.resource(ADDRESS)["keys"]["key1"];
    assert!(
        key["public_key"].is_null() && key["public_key_wo"].is_null(),
        "{key}"
    );
    (
        key["id"].as_str().expect("key id").to_owned(),
        key["public_key_fingerprint_sha256"]
            .as_str()
            .expect("fingerprint")
            .to_owned(),
    )
}

fn fingerprint(k: &TrustDomainKey) -> String {
    PublicKey::from_spki_der(&k.public_key_der)
        .expect("an ed25519 key")
        .fingerprint_sha256()
}

/// The texts of every entry of a saved plan file (a zip archive).
pub(crate) fn plan_file_entries(path: &std::path::Path) -> Vec<(String, String)> {
    let file = std::fs::File::open(path).expect("saved plan");
    let mut zip = zip::ZipArchive::new(file).expect("a saved plan is a zip archive");
    (0..zip.len())
        .map(|i| {
            let mut entry = zip.by_index(i).expect("zip entry");
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).expect("read zip entry");
            (
                entry.name().to_owned(),
                String::from_utf8_lossy(&bytes).into_owned(),
            )
        })
        .collect()
}

/// Asserts that `text` (named `what`) holds no private key, none of `public_keys` (PEM), and no
/// other public key PEM than `stranger` (a key registered out of band, which the plan that
/// removes it shows).
pub(crate) fn assert_no_key_material(
    what: &str,
    text: &str,
    public_keys: &[String],
    stranger: &str,
) {
    let body = |pem: &str| -> String { pem.lines().filter(|l| !l.starts_with("-----")).collect() };
    let text = text.replace(&body(stranger), "");
    assert!(!text.contains("PRIVATE KEY"), "a private key PEM in {what}");
    assert!(
        !text.contains(PRIVATE_KEY_LINE_PREFIX),
        "a private key PEM line in {what}"
    );
    assert!(
        !text.contains(PUBLIC_KEY_LINE_PREFIX),
        "a public key PEM line in {what}"
    );
    for pem in public_keys {
        assert!(
            !text.contains(&body(pem)),
            "the ephemeral public key in {what}"
        );
    }
}

#[test]
fn key_line_prefixes_match_every_generated_key() {
    // The detectors above are only as good as these prefixes: each PEM body is one line that
    // starts with them.
    for _ in 0..16 {
        let pair = KeyPair::generate();
        let private = pair.private_key_pem();
        let lines: Vec<&str> = private
            .expose()
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        assert_eq!(lines.len(), 1);
        assert!(lines[0].starts_with(PRIVATE_KEY_LINE_PREFIX));
        let public = pair.public_key().to_pem();
        let lines: Vec<&str> = public.lines().filter(|l| !l.starts_with("-----")).collect();
        assert_eq!(lines.len(), 1);
        assert!(lines[0].starts_with(PUBLIC_KEY_LINE_PREFIX));
        assert_eq!(
            STANDARD.decode(lines[0]).expect("base64"),
            pair.public_key().to_spki_der()
        );
    }
}

#[test]
fn write_only_key_flow_keeps_every_key_out_of_plan_state_and_logs() {
    let data_dir = tempfile::Builder::new()
        .prefix("acc-write-only-mock-")
        .tempdir()
        .expect("temp dir");
    let Some(mut h) = Harness::start_with(
        "write_only_keys",
        MockOptions {
            data_dir: Some(data_dir.path().to_owned()),
            ..MockOptions::default()
        },
    ) else {
        return;
    };
    let client = out_of_band_client(h.mock());
    let td = h
        .block_on(client.create_trust_domain(&trust_domain("example.org")))
        .expect("create trust domain");

    if h.terraform_version() < (1, 11, 0) {
        refused_before_1_11(&h, &td);
        eprintln!("skipped the rest: write-only arguments need Terraform 1.11+");
        return;
    }

    let log_path = h.path().join("terraform.log");
    h.set_env("TF_LOG", "trace");
    h.set_env("TF_LOG_PATH", log_path.to_str().expect("utf-8 temp path"));
    let mut printed = String::new();
    let mut plans: Vec<(String, String)> = Vec::new();

    // Create from a saved plan.
    h.write_config(&config(&td, 1));
    printed.push_str(
        &h.tf_ok(&["plan", "-input=false", "-out=create.tfplan"])
            .all(),
    );
    for (name, text) in plan_file_entries(&h.path().join("create.tfplan")) {
        plans.push((format!("create.tfplan:{name}"), text));
    }
    plans.push((
        "create plan as JSON".into(),
        h.tf_ok(&["show", "-json", "create.tfplan"]).stdout,
    ));
    printed.push_str(&h.tf_ok(&["apply", "-input=false", "create.tfplan"]).all());
    let registered = remote_keys(&h, &client, &td);
    assert_eq!(registered.len(), 1, "one key registered");
    let (id1, fingerprint1) = state_key(&h);
    assert_eq!(registered[0].id, id1);
    assert!(registered[0].active);
    assert_eq!(
        fingerprint(&registered[0]),
        fingerprint1,
        "the state keeps the registered key's fingerprint"
    );
    let mut public_keys = vec![
        PublicKey::from_spki_der(&registered[0].public_key_der)
            .expect("key")
            .to_pem(),
    ];

    // The ephemeral resource makes a new pair at every run; without a new version that is no
    // change.
    printed.push_str(
        &h.tf_ok(&["plan", "-input=false", "-detailed-exitcode"])
            .all(),
    );

    // A new version rotates the key in place: only the entry's id and fingerprint are unknown.
    h.write_config(&config(&td, 2));
    printed.push_str(
        &h.tf_ok(&["plan", "-input=false", "-out=rotate.tfplan"])
            .all(),
    );
    let shown: Json =
        serde_json::from_str(&h.tf_ok(&["show", "-json", "rotate.tfplan"]).stdout).expect("JSON");
    let change = shown["resource_changes"]
        .as_array()
        .expect("changes")
        .iter()
        .find(|c| c["address"] == ADDRESS)
        .expect("the deployment changes")
        .clone();
    assert_eq!(change["change"]["actions"], serde_json::json!(["update"]));
    assert_eq!(
        change["change"]["after_unknown"]["keys"]["key1"],
        serde_json::json!({"id": true, "public_key_fingerprint_sha256": true})
    );
    assert_eq!(
        change["change"]["after"]["keys"]["key1"]["public_key_wo_version"],
        2
    );
    plans.push(("rotate plan as JSON".into(), shown.to_string()));
    for (name, text) in plan_file_entries(&h.path().join("rotate.tfplan")) {
        plans.push((format!("rotate.tfplan:{name}"), text));
    }
    printed.push_str(&h.tf_ok(&["apply", "-input=false", "rotate.tfplan"]).all());
    let rotated = remote_keys(&h, &client, &td);
    assert_eq!(rotated.len(), 1, "the old key is gone");
    let (id2, fingerprint2) = state_key(&h);
    assert_eq!(rotated[0].id, id2);
    assert_ne!(id2, id1);
    assert_ne!(fingerprint2, fingerprint1, "a new key");
    assert_eq!(fingerprint(&rotated[0]), fingerprint2);
    public_keys.push(
        PublicKey::from_spki_der(&rotated[0].public_key_der)
            .expect("key")
            .to_pem(),
    );
    let journal = std::fs::read_to_string(data_dir.path().join(spirl_mock_api::JOURNAL_FILE))
        .expect("journal");
    let position = |op: &str, id: &str| {
        journal
            .lines()
            .position(|l| l.contains(&format!("\"op\":\"{op}\"")) && l.contains(id))
            .unwrap_or_else(|| panic!("no {op} of {id} in the journal"))
    };
    assert!(
        position("key_created", &id2) < position("key_deleted", &id1),
        "the new key was registered before the old one was deleted"
    );
    printed.push_str(
        &h.tf_ok(&["plan", "-input=false", "-detailed-exitcode"])
            .all(),
    );

    // Out of band, the key is replaced by another: the plan shows it, apply puts the entry's
    // key back (a new ephemeral one) and removes the stranger.
    let stranger = KeyPair::generate().public_key();
    let stranger_pem = stranger.to_pem();
    h.block_on(client.create_key(&td, "prod", &stranger.to_spki_der()))
        .expect("register a key out of band");
    h.block_on(client.delete_key(&td, &id2, true))
        .expect("delete the key out of band");
    let out = h.assert_plan_changes("0 to add, 1 to change, 0 to destroy");
    printed.push_str(&out.all());
    printed.push_str(&h.apply().all());
    let repaired = remote_keys(&h, &client, &td);
    assert_eq!(repaired.len(), 1, "only the entry's key is left");
    let (id3, fingerprint3) = state_key(&h);
    assert_eq!(repaired[0].id, id3);
    assert_eq!(fingerprint(&repaired[0]), fingerprint3);
    assert_ne!(fingerprint3, stranger.fingerprint_sha256());
    public_keys.push(
        PublicKey::from_spki_der(&repaired[0].public_key_der)
            .expect("key")
            .to_pem(),
    );
    printed.push_str(
        &h.tf_ok(&["plan", "-input=false", "-detailed-exitcode"])
            .all(),
    );

    // Where the keys must not be.
    let state_file =
        std::fs::read_to_string(h.path().join("terraform.tfstate")).expect("state file");
    assert!(state_file.contains("public_key_fingerprint_sha256"));
    assert_no_key_material("the state file", &state_file, &public_keys, &stranger_pem);
    let show = h.tf_ok(&["show", "-json"]).stdout;
    assert_no_key_material("terraform show -json", &show, &public_keys, &stranger_pem);
    for (what, text) in &plans {
        assert_no_key_material(what, text, &public_keys, &stranger_pem);
    }
    assert_no_key_material("Terraform's output", &printed, &public_keys, &stranger_pem);
    let log = std::fs::read_to_string(&log_path).expect("TF_LOG_PATH was written");
    assert!(
        log.contains("provider configured") && log.contains("spirl_key_pair"),
        "the provider's lines reach the trace log, so its silence about keys means something"
    );
    assert_no_key_material("the TF_LOG=trace log", &log, &public_keys, &stranger_pem);

    // Destroy: nothing left.
    h.destroy();
    h.block_on(client.delete_trust_domain(&td))
        .expect("delete the trust domain");
    assert_eq!(h.mock_objects(), Default::default());
}

/// A Terraform before 1.11 (no ephemeral blocks before 1.10; a literal value shows the refusal
/// just as well) stops at validate on `public_key_wo`, naming the entry and the version needed.
fn refused_before_1_11(h: &Harness, td: &str) {
    let pem = KeyPair::generate().public_key().to_pem();
    h.write_config(&format!(
        "resource \"spirl_trust_domain_deployment\" \"d\" {{\n  trust_domain_id = \"{td}\"\n  \
         name = \"prod\"\n  keys = {{ key1 = {{ public_key_wo = <<EOT\n{pem}EOT\n  }} }}\n}}\n"
    ));
    let out = h.tf_err(&["validate"]);
    let said = out.said();
    assert!(
        said.contains("Write-only argument needs Terraform 1.11 or later")
            && said.contains("keys[\"key1\"].public_key_wo is write-only"),
        "{out}"
    );
    assert_eq!(h.mock_objects().keys, 0);
}

#[test]
fn write_only_key_is_refused_by_a_real_terraform_1_0() {
    let Some(mut h) = Harness::start("write_only_legacy_terraform") else {
        return;
    };
    if !h.use_legacy_terraform() {
        return;
    }
    refused_before_1_11(&h, "td-abc123");
}

#[test]
fn write_only_key_entries_need_exactly_one_public_key() {
    let Some(h) = Harness::start("write_only_key_entries") else {
        return;
    };
    if h.terraform_version() < (1, 11, 0) {
        eprintln!("skipped: write-only arguments need Terraform 1.11+");
        return;
    }
    let pem = KeyPair::generate().public_key().to_pem();
    let cases = [
        (
            "key1 = { active = true }",
            "keys[\"key1\"] sets neither public_key nor public_key_wo",
        ),
        (
            "key1 = {\n public_key = local.pem\n public_key_wo = local.pem\n }",
            "keys[\"key1\"] sets both public_key and public_key_wo",
        ),
        (
            "key1 = {\n public_key = local.pem\n public_key_wo_version = 1\n }",
            "keys[\"key1\"].public_key_wo_version only says when to register public_key_wo",
        ),
        (
            "key1 = {\n public_key_wo = \"not a key\"\n public_key_wo_version = 1\n }",
            "keys[\"key1\"].public_key_wo is not an ed25519 public key",
        ),
    ];
    for (keys, expected) in cases {
        h.write_config(&format!(
            "locals {{\n  pem = <<EOT\n{pem}EOT\n}}\n\
             resource \"spirl_trust_domain_deployment\" \"d\" {{\n  trust_domain_id = \"td-abc\"\n  \
             name = \"prod\"\n  keys = {{\n {keys}\n }}\n}}\n"
        ));
        let out = h.tf_err(&["plan", "-input=false"]);
        assert!(out.said().contains(expected), "{keys}:\n{out}");
        assert!(
            !out.all().contains("not a key"),
            "the value is not echoed:\n{out}"
        );
    }
    assert_eq!(h.mock_objects().keys, 0);
}

#[test]
fn write_only_alb_guide_applies_rotates_and_destroys() {
    let Some(h) = Harness::start("write_only_alb_guide") else {
        return;
    };
    if h.terraform_version() < (1, 11, 0) {
        eprintln!("skipped: the write-only guide needs Terraform 1.11+");
        return;
    }
    let guide = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/guides/alb-ingress-write-only/main.tf"
    ))
    .expect("the guide's configuration");
    assert!(
        guide.contains("set_wo_revision = var.key_version"),
        "{guide}"
    );
    // The harness supplies the spirl provider; the cluster's providers are not here.
    let spirl_only = without_blocks(
        &guide,
        &[
            "terraform {",
            "provider \"helm\"",
            "provider \"kubernetes\"",
            "resource \"helm_release\"",
            "resource \"kubernetes_manifest\"",
        ],
    );
    assert!(
        !spirl_only.contains("\"helm_release\"")
            && !spirl_only.contains("set_wo =")
            && spirl_only.contains("public_key_wo"),
        "{spirl_only}"
    );
    h.write_config(&spirl_only);
    h.apply();
    let client = out_of_band_client(h.mock());
    let outputs = h.outputs();
    let td = h.resource("spirl_trust_domain.prod")["id"]
        .as_str()
        .expect("trust domain id")
        .to_owned();
    let keys = remote_keys_named(&h, &client, &td, "eks-alb-demo");
    assert_eq!(keys.len(), 1);
    assert_eq!(outputs["key_fingerprint"], fingerprint(&keys[0]).as_str());
    h.assert_plan_empty();

    // Rotation through the one variable.
    h.tf_ok(&[
        "apply",
        "-auto-approve",
        "-input=false",
        "-var=key_version=2",
    ]);
    let rotated = remote_keys_named(&h, &client, &td, "eks-alb-demo");
    assert_eq!(rotated.len(), 1);
    assert_ne!(rotated[0].id, keys[0].id);
    assert_eq!(
        h.outputs()["key_fingerprint"],
        fingerprint(&rotated[0]).as_str()
    );
    let out = h.tf(&[
        "plan",
        "-detailed-exitcode",
        "-input=false",
        "-var=key_version=2",
    ]);
    assert_eq!(out.code, 0, "{out}");

    h.tf_ok(&[
        "destroy",
        "-auto-approve",
        "-input=false",
        "-var=key_version=2",
    ]);
    assert_eq!(h.mock_objects(), Default::default());
}
