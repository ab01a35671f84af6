//! Security acceptance tests with the real Terraform CLI against the gRPC mock (run with
//! `TF_ACC=1`):
//! - a `TF_LOG=trace` run over the whole lifecycle (create, plan, refresh, import, update,
//!   destroy) leaks no secret: not the service-account key, not the generated private keys (PEM
//!   lines, raw seed in base64 or hex), not a session token, login nonce or signature the mock
//!   saw travel (in base64 or hex), in the log, in any command's output or in a saved plan shown
//!   as text or JSON;
//! - every secret attribute is sensitive in the schema Terraform sees;
//! - plaintext HTTP/2 to a host that is not loopback is refused unless `use_tls = false` says
//!   so, and then works with a warning;
//! - against the mock serving TLS, an untrusted certificate is a clear error that names
//!   SSL_CERT_FILE, and its CA given through `SSL_CERT_FILE` is trusted;
//! - the metadata `x-spirl-client` and `x-spirl-client-version` reach the server.
//!
//! `acceptance::logging` proves that the provider's own lines reach `TF_LOG`; this file proves
//! what must never reach it.

use std::collections::BTreeSet;
use std::net::{IpAddr, SocketAddr, UdpSocket};

use crate::support::Harness;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use serde_json::Value as Json;
use spirl_mock_api::{ClientMetadata, MockOptions, MockState};
use terraform_provider_spirl::client::{CLIENT_NAME, CLIENT_VERSION};
use terraform_provider_spirl::keys::parse_private_key_pem;
use tokio::net::TcpListener;

/// Terraform 1.0.0 to 1.0.5 cannot plan the deployment resource (README).
fn supports_deployments(h: &Harness) -> bool {
    h.terraform_version() >= (1, 0, 6)
}

/// Every way a secret PEM could show up: each base64 line of its body, and the raw 32-byte
/// ed25519 seed in base64 (padded, unpadded, URL-safe) and hex.
fn forms_of_private_key(name: &str, pem: &str) -> Vec<(String, String)> {
    let mut forms: Vec<(String, String)> = pem
        .lines()
        .filter(|l| !l.starts_with("-----") && !l.trim().is_empty())
        .map(|l| (format!("{name} (PEM line)"), l.trim().to_owned()))
        .collect();
    assert!(!forms.is_empty(), "{name} has a PEM body");
    let seed = parse_private_key_pem(pem)
        .unwrap_or_else(|e| panic!("{name} is an ed25519 PKCS#8 key: {e}"))
        .signing_key()
        .to_bytes();
    forms.extend(forms_of_bytes(&format!("{name} seed"), &seed));
    forms
}

/// Every usual text form of secret bytes: base64 (padded, unpadded, URL-safe) and hex.
fn forms_of_bytes(name: &str, bytes: &[u8]) -> Vec<(String, String)> {
    [
        ("base64", STANDARD.encode(bytes)),
        ("unpadded base64", STANDARD_NO_PAD.encode(bytes)),
        ("URL-safe base64", URL_SAFE.encode(bytes)),
        ("URL-safe unpadded base64", URL_SAFE_NO_PAD.encode(bytes)),
        ("hex", hex(bytes)),
        ("uppercase hex", hex(bytes).to_ascii_uppercase()),
    ]
    .into_iter()
    .map(|(form, text)| (format!("{name} (as {form})"), text))
    .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Everything the mock saw travel during logins, each with what it is: the session tokens as
/// sent, the nonces and signatures (recorded in base64) in every text form.
fn login_secrets(state: &MockState) -> Vec<(String, String)> {
    let record = state.auth_record();
    assert!(!record.tokens.is_empty(), "the provider logged in");
    assert!(
        !record.client_nonces.is_empty() && !record.signatures.is_empty(),
        "the mock recorded the login proofs"
    );
    let mut secrets = Vec::new();
    for token in record.tokens {
        assert!(token.len() >= 40, "a token is long enough to search for");
        secrets.push(("session token".to_owned(), token));
    }
    for (kind, values) in [
        ("server nonce", record.server_nonces),
        ("client nonce", record.client_nonces),
        ("login signature", record.signatures),
    ] {
        for value in values {
            let bytes = STANDARD
                .decode(&value)
                .unwrap_or_else(|e| panic!("the mock records a {kind} in base64: {e}"));
            assert!(bytes.len() >= 32, "a {kind} is long enough to search for");
            secrets.extend(forms_of_bytes(kind, &bytes));
        }
    }
    secrets
}

/// Asserts that none of `secrets` appears in `text` (named `what` in the failure, which never
/// prints the secret itself).
fn assert_no_secret(what: &str, text: &str, secrets: &[(String, String)]) {
    for (name, secret) in secrets {
        assert!(
            !text.contains(secret.as_str()),
            "the {name} appears in {what}"
        );
    }
}

/// Replaces the values of `private_key_pem` (and of the sensitive output that carries it) in a
/// `terraform show -json` document, after checking that Terraform marks each as sensitive: the
/// JSON view of a plan holds state values in the clear by design, flagged by `*_sensitive`.
fn redact_marked_private_keys(plan: &mut Json) -> usize {
    let mut redacted = 0;
    if let Some(changes) = plan["resource_changes"].as_array_mut() {
        for change in changes.iter_mut().filter(|c| c["type"] == "spirl_key_pair") {
            for (side, mask) in [("before", "before_sensitive"), ("after", "after_sensitive")] {
                if change["change"][side]["private_key_pem"].is_string() {
                    assert_eq!(
                        change["change"][mask]["private_key_pem"],
                        Json::Bool(true),
                        "{side} private_key_pem of {} is marked sensitive",
                        change["address"]
                    );
                    change["change"][side]["private_key_pem"] = Json::from("<redacted>");
                    redacted += 1;
                }
            }
        }
    }
    for root in ["prior_state", "planned_values"] {
        let values = if root == "prior_state" {
            &mut plan[root]["values"]
        } else {
            &mut plan[root]
        };
        if let Some(resources) = values["root_module"]["resources"].as_array_mut() {
            for r in resources
                .iter_mut()
                .filter(|r| r["type"] == "spirl_key_pair")
            {
                // Terraform 1.0 leaves schema sensitivity out of `sensitive_values` here; the
                // changes above and the schema test prove the marking.
                if r["values"]["private_key_pem"].is_string() {
                    r["values"]["private_key_pem"] = Json::from("<redacted>");
                    redacted += 1;
                }
            }
        }
        if let Some(outputs) = values["outputs"].as_object_mut() {
            for (name, output) in outputs.iter_mut() {
                if output["value"].is_string() && name.starts_with("private_key") {
                    assert_eq!(output["sensitive"], Json::Bool(true), "output {name}");
                    output["value"] = Json::from("<redacted>");
                }
            }
        }
    }
    if let Some(outputs) = plan["output_changes"].as_object_mut() {
        for (name, change) in outputs.iter_mut() {
            for (side, mask) in [("before", "before_sensitive"), ("after", "after_sensitive")] {
                if change[side].is_string() {
                    assert_eq!(change[mask], Json::Bool(true), "output {name} {side}");
                    change[side] = Json::from("<redacted>");
                }
            }
        }
    }
    redacted
}

/// The lifecycle's configuration; `updated` changes the JWT issuer and enables key `b`, both in
/// place (the description cannot change in place on the real API).
fn lifecycle_config(deployments: bool, updated: bool) -> String {
    let (issuer, b_active) = if updated {
        (
            "\n  jwt_issuer_mode = \"custom\"\n  jwt_issuer      = \"https://issuer.security.example.org\"",
            true,
        )
    } else {
        ("", false)
    };
    let mut hcl = format!(
        r#"
resource "spirl_key_pair" "a" {{}}

resource "spirl_key_pair" "b" {{}}

resource "spirl_trust_domain" "td" {{
  domain_name = "security.example.org"
  description = "security lifecycle"{issuer}
}}

data "spirl_alb_ingress_annotations" "alb" {{
  group_name = "security"
}}

output "private_key_a" {{
  value     = spirl_key_pair.a.private_key_pem
  sensitive = true
}}

output "annotations" {{
  value = data.spirl_alb_ingress_annotations.alb.annotations
}}
"#
    );
    if deployments {
        hcl.push_str(&format!(
            r#"
resource "spirl_trust_domain_deployment" "d" {{
  trust_domain_id = spirl_trust_domain.td.id
  name            = "prod"
  keys = {{
    a = {{ public_key = spirl_key_pair.a.public_key_pem }}
    b = {{
      public_key = spirl_key_pair.b.public_key_pem
      active     = {b_active}
    }}
  }}
}}
"#
        ));
    }
    hcl
}

#[test]
fn security_trace_lifecycle_leaks_no_secret() {
    let Some(mut h) = Harness::start("security_trace") else {
        return;
    };
    let deployments = supports_deployments(&h);
    if !deployments {
        eprintln!(
            "Terraform before 1.0.6: the lifecycle runs without spirl_trust_domain_deployment"
        );
    }
    let log_path = h.path().join("terraform.log");
    h.set_env("TF_LOG", "trace");
    h.set_env("TF_LOG_PATH", log_path.to_str().expect("utf-8 temp path"));
    // What Terraform printed, and the saved plans as `terraform show` prints them.
    let mut printed = String::new();
    let mut plans_json = Vec::new();
    let mut run = |h: &Harness, args: &[&str]| printed.push_str(&h.tf_ok(args).all());
    let mut show_plan = |h: &Harness, file: &str| -> String {
        let human = h.tf_ok(&["show", file]).all();
        plans_json.push((human.clone(), h.tf_ok(&["show", "-json", file]).stdout));
        human
    };

    // Create, from a saved plan.
    h.write_config(&lifecycle_config(deployments, false));
    run(&h, &["plan", "-input=false", "-out=create.tfplan"]);
    show_plan(&h, "create.tfplan");
    run(&h, &["apply", "-input=false", "create.tfplan"]);
    let mut keys: Vec<(String, String)> = Vec::new();
    for name in ["a", "b"] {
        let pem = h.resource(&format!("spirl_key_pair.{name}"))["private_key_pem"]
            .as_str()
            .expect("private key in state")
            .to_owned();
        keys.extend(forms_of_private_key(&format!("private key {name}"), &pem));
    }
    let td = h.resource("spirl_trust_domain.td")["id"]
        .as_str()
        .expect("trust domain id")
        .to_owned();

    // Plan, refresh, import.
    run(&h, &["plan", "-input=false", "-detailed-exitcode"]);
    run(&h, &["refresh", "-input=false"]);
    run(&h, &["state", "rm", "spirl_trust_domain.td"]);
    run(
        &h,
        &["import", "-input=false", "spirl_trust_domain.td", &td],
    );
    if deployments {
        run(&h, &["state", "rm", "spirl_trust_domain_deployment.d"]);
        let id = format!("{td}/prod");
        run(
            &h,
            &[
                "import",
                "-input=false",
                "spirl_trust_domain_deployment.d",
                &id,
            ],
        );
    }

    // Update in place, from a saved plan.
    h.write_config(&lifecycle_config(deployments, true));
    run(&h, &["plan", "-input=false", "-out=update.tfplan"]);
    let update = one_line(&show_plan(&h, "update.tfplan"));
    assert!(
        update.contains("0 to add") && update.contains("0 to destroy"),
        "the update is in place:\n{update}"
    );
    run(&h, &["apply", "-input=false", "update.tfplan"]);
    run(&h, &["plan", "-input=false", "-detailed-exitcode"]);

    // Destroy, from a saved plan: it lists every attribute of what goes, secrets included.
    run(
        &h,
        &["plan", "-destroy", "-input=false", "-out=destroy.tfplan"],
    );
    let destroy = show_plan(&h, "destroy.tfplan");
    assert!(
        destroy.contains("private_key_pem") && destroy.contains("(sensitive value)"),
        "the destroy plan shows the private keys as (sensitive value):\n{destroy}"
    );
    run(&h, &["apply", "-input=false", "destroy.tfplan"]);
    assert_eq!(
        h.mock_objects(),
        Default::default(),
        "destroy left the mock empty"
    );

    let log = std::fs::read_to_string(&log_path).expect("TF_LOG_PATH was written");
    assert!(
        log.contains("provider configured"),
        "the provider's lines reach the trace log, so its silence about secrets means something"
    );
    let mut secrets = keys;
    secrets.extend(forms_of_private_key(
        "service-account key",
        &h.mock().credentials.sa_private_key,
    ));
    secrets.extend(login_secrets(&h.mock().state));
    assert_no_secret("the TF_LOG=trace log", &log, &secrets);
    assert_no_secret("Terraform's output", &printed, &secrets);
    let mut redacted = 0;
    for (human, text) in plans_json {
        assert_no_secret("a plan shown as text", &human, &secrets);
        let mut plan: Json = serde_json::from_str(&text).expect("show -json prints JSON");
        redacted += redact_marked_private_keys(&mut plan);
        assert_no_secret("a plan shown as JSON", &plan.to_string(), &secrets);
    }
    assert!(
        redacted >= 4,
        "the JSON plans hold the generated keys where Terraform keeps state values ({redacted} found)"
    );
}

/// Every attribute of every type in the schema Terraform sees, as (type, attribute, schema).
fn schema_attributes(schemas: &Json) -> Vec<(String, String, Json)> {
    fn walk(owner: &str, prefix: &str, block: &Json, out: &mut Vec<(String, String, Json)>) {
        for (name, attribute) in block["attributes"].as_object().into_iter().flatten() {
            let path = format!("{prefix}{name}");
            out.push((owner.to_owned(), path.clone(), attribute.clone()));
            if let Some(nested) = attribute.get("nested_type") {
                walk(owner, &format!("{path}."), nested, out);
            }
        }
        for (name, nested) in block["block_types"].as_object().into_iter().flatten() {
            walk(owner, &format!("{prefix}{name}."), &nested["block"], out);
        }
    }
    let provider = schemas["provider_schemas"]
        .as_object()
        .and_then(|p| p.values().next())
        .expect("one provider");
    let mut out = Vec::new();
    walk("provider", "", &provider["provider"]["block"], &mut out);
    for kind in [
        "resource_schemas",
        "data_source_schemas",
        "ephemeral_resource_schemas",
    ] {
        for (name, schema) in provider[kind].as_object().into_iter().flatten() {
            walk(&format!("{kind} {name}"), "", &schema["block"], &mut out);
        }
    }
    out
}

#[test]
fn security_secret_attributes_are_sensitive_in_the_schema() {
    let Some(h) = Harness::start("security_schema") else {
        return;
    };
    h.write_config("resource \"spirl_key_pair\" \"k\" {}\n");
    let out = h.tf_ok(&["providers", "schema", "-json"]);
    let schemas: Json = serde_json::from_str(&out.stdout).expect("providers schema -json");
    let attributes = schema_attributes(&schemas);
    let secret_like = |name: &str| {
        ["private", "secret", "token", "password"]
            .iter()
            .any(|word| name.contains(word))
    };
    let mut secret = Vec::new();
    for (owner, name, attribute) in &attributes {
        let sensitive = attribute["sensitive"] == Json::Bool(true);
        if secret_like(name) {
            assert!(
                sensitive,
                "{owner}: `{name}` holds a secret but is not sensitive"
            );
            secret.push(format!("{owner}: {name}"));
        } else if name.contains("public") || name == "id" {
            assert!(
                !sensitive,
                "{owner}: `{name}` is public and must stay readable"
            );
        }
    }
    for expected in [
        "provider: sa_private_key",
        "resource_schemas spirl_key_pair: private_key_pem",
    ] {
        assert!(
            secret.iter().any(|s| s == expected),
            "{expected} is in the schema and sensitive: {secret:?}"
        );
    }
}

/// Terraform's output with its line wrapping undone, for matching sentences.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A local IPv4 address that is not loopback (the one the default route would use), if the
/// machine has one. Connecting a UDP socket sends nothing.
fn non_loopback_address() -> Option<IpAddr> {
    ["192.0.2.1:9", "10.255.255.254:9", "198.51.100.1:9"]
        .iter()
        .find_map(|target| {
            let socket = UdpSocket::bind("0.0.0.0:0").ok()?;
            socket.connect(target).ok()?;
            let ip = socket.local_addr().ok()?.ip();
            (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
        })
}

/// Serves a fresh mock on `ip`; returns its state and address.
fn mock_on(h: &Harness, ip: IpAddr) -> (MockState, SocketAddr) {
    let state = MockState::new(MockOptions::default()).expect("mock state");
    let served = state.clone();
    let addr = h.block_on(async move {
        let listener = TcpListener::bind((ip, 0)).await.expect("bind");
        let addr = listener.local_addr().expect("address");
        tokio::spawn(spirl_mock_api::serve(
            listener,
            served,
            std::future::pending::<()>(),
        ));
        addr
    });
    (state, addr)
}

#[test]
fn security_plaintext_to_a_remote_host_needs_explicit_use_tls_false() {
    let Some(mut h) = Harness::start("security_plaintext") else {
        return;
    };
    let Some(ip) = non_loopback_address() else {
        eprintln!(
            "skipped: this machine has no non-loopback address (acceptance::provider covers the plan-time part)"
        );
        return;
    };
    let (state, addr) = mock_on(&h, ip);
    let credentials = state.credentials(&addr.to_string());
    h.set_env("SPIRL_SA_KEY_ID", &credentials.sa_key_id);
    h.set_env("SPIRL_SA_PRIVATE_KEY", &credentials.sa_private_key);
    // The harness's SPIRL_USE_TLS=false would be an explicit choice: unset it (empty is unset).
    h.set_env("SPIRL_USE_TLS", "");
    let resources =
        "\nresource \"spirl_trust_domain\" \"td\" {\n  domain_name = \"plain.example.org\"\n}\n";

    // Refused before anything travels: the login would be readable on the network.
    h.write_config(&format!(
        "provider \"spirl\" {{\n  endpoint = \"http://{addr}\"\n}}\n{resources}"
    ));
    let out = h.tf_err(&["plan", "-input=false"]);
    let text = one_line(&out.all());
    for needed in [
        "Plain HTTP refused",
        "endpoint",
        "set `use_tls = false`",
        &ip.to_string(),
    ] {
        assert!(text.contains(needed), "says {needed:?}:\n{out}");
    }
    assert!(
        state.stats().requests.is_empty(),
        "nothing was sent in plain text"
    );

    // Explicitly allowed, in the gRPC target form: it works, with a warning.
    h.write_config(&format!(
        "provider \"spirl\" {{\n  endpoint = \"{addr}\"\n  use_tls  = false\n}}\n{resources}"
    ));
    let out = h.apply();
    let text = out.all();
    assert!(
        text.contains("Warning") && text.contains("Plain HTTP to a remote host"),
        "plaintext is warned about:\n{out}"
    );
    assert_eq!(
        state.stats().objects.trust_domains,
        1,
        "created over plaintext HTTP/2"
    );
    h.destroy();
    assert_eq!(state.stats().objects, Default::default());
}

#[test]
fn security_tls_untrusted_certificate_fails_clearly_and_its_ca_works() {
    let Some(mut h) = Harness::start_with(
        "security_tls",
        MockOptions {
            tls: true,
            ..MockOptions::default()
        },
    ) else {
        return;
    };
    let credentials = h.mock().credentials.clone();
    assert!(
        credentials.use_tls,
        "the harness points the provider at TLS"
    );
    let ca_pem = credentials
        .ca_cert_pem
        .expect("a TLS mock hands out its CA");
    // Whatever the machine trusts, the mock's throw-away CA is not among it.
    h.set_env("SSL_CERT_FILE", "");
    h.write_config(
        "resource \"spirl_trust_domain\" \"td\" {\n  domain_name = \"tls.example.org\"\n}\n",
    );

    // Nobody trusts the CA yet: a clear error, at once, and nothing reaches the API.
    let out = h.tf_err(&["apply", "-auto-approve", "-input=false"]);
    let text = one_line(&out.all());
    let endpoint = h.mock().endpoint.clone();
    for needed in [
        "Error: Could not create trust domain",
        "TLS certificate verification failed",
        &endpoint,
        "could not be verified",
        "SSL_CERT_FILE",
    ] {
        assert!(text.contains(needed), "says {needed:?}:\n{out}");
    }
    assert!(
        !text.contains(" attempts"),
        "a certificate error is not retried:\n{out}"
    );
    for noise in ["panic", "MetadataMap", "details: ["] {
        assert!(!text.contains(noise), "{noise:?} in:\n{out}");
    }
    assert!(
        h.mock().stats().requests.is_empty(),
        "no call got through the refused handshake"
    );

    // The CA through SSL_CERT_FILE, as for a private control plane: it works end to end.
    h.write_file("ca.pem", &ca_pem);
    let ca_path = h.path().join("ca.pem");
    h.set_env("SSL_CERT_FILE", ca_path.to_str().expect("utf-8 temp path"));
    h.apply();
    assert_eq!(
        h.mock_objects().trust_domains,
        1,
        "created over verified TLS"
    );
    h.assert_plan_empty();
    h.destroy();
    assert_eq!(h.mock_objects(), Default::default());
}

#[test]
fn security_client_metadata_reaches_the_server() {
    let Some(h) = Harness::start("security_metadata") else {
        return;
    };
    h.write_config(
        "resource \"spirl_trust_domain\" \"td\" {\n  domain_name = \"metadata.example.org\"\n}\n",
    );
    h.apply();
    h.assert_plan_empty();
    h.destroy();
    // Every authenticated call (create, read, refresh, delete) said who it was: the mock keeps
    // each distinct pair, so one pair means all of them carried the same.
    let expected = BTreeSet::from([ClientMetadata {
        client: Some(CLIENT_NAME.to_owned()),
        version: Some(CLIENT_VERSION.to_owned()),
    }]);
    assert_eq!(h.mock().state.client_metadata(), expected);
    assert_eq!(CLIENT_NAME, "terraform-provider-spirl");
    assert_eq!(CLIENT_VERSION, env!("CARGO_PKG_VERSION"));
    // They carried the session token too: the mock refuses calls without a live one, and
    // these went through.
    let calls = h.mock().stats().requests;
    for method in ["RegisterTrustDomain", "DeleteTrustDomain"] {
        let path = format!("/com.spirl.api.v1.trustdomain.API/{method}");
        assert_eq!(calls.get(&path), Some(&1), "{calls:?}");
    }
    assert_eq!(h.mock_objects(), Default::default());
}
