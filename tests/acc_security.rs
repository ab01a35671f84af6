//! Security acceptance tests with the real Terraform CLI (run with `TF_ACC=1`):
//! - a `TF_LOG=trace` run over the whole lifecycle leaks no secret: not the service-account key,
//!   not the generated private keys (PEM lines, raw seed in base64 or hex), not a bearer token,
//!   login nonce or signature the mock saw travel, in the log, in any command's output or in a
//!   saved plan shown as text or JSON;
//! - every secret attribute is sensitive in the schema Terraform sees;
//! - plain HTTP to a host that is not loopback is refused unless `use_tls = false` says so, and
//!   then works with a warning;
//! - an untrusted TLS certificate is a clear error that names the endpoint, and a private CA
//!   given through `SSL_CERT_FILE` is trusted.
//!
//! `tests/acc_logging.rs` proves that the provider's own lines reach `TF_LOG`; this file proves
//! what must never reach it.

mod common;

use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use common::Harness;
use serde_json::Value as Json;
use spirl_mock_api::{MockConfig, MockState};
use terraform_provider_spirl::keys::parse_private_key_pem;
use tokio::net::{TcpListener, TcpStream};

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
    for (form, text) in [
        ("base64", STANDARD.encode(seed)),
        ("unpadded base64", STANDARD_NO_PAD.encode(seed)),
        ("URL-safe base64", URL_SAFE.encode(seed)),
        ("URL-safe unpadded base64", URL_SAFE_NO_PAD.encode(seed)),
        ("hex", hex(&seed)),
        ("uppercase hex", hex(&seed).to_ascii_uppercase()),
    ] {
        forms.push((format!("{name} (seed as {form})"), text));
    }
    forms
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Everything the mock saw travel during logins, each with what it is.
fn login_secrets(state: &MockState) -> Vec<(String, String)> {
    let record = state.auth_record();
    assert!(!record.tokens.is_empty(), "the provider logged in");
    let mut secrets = Vec::new();
    for (kind, values) in [
        ("bearer token", record.tokens),
        ("server nonce", record.server_nonces),
        ("client nonce", record.client_nonces),
        ("login signature", record.signatures),
    ] {
        for value in values {
            assert!(value.len() >= 40, "a {kind} is long enough to search for");
            secrets.push((kind.to_owned(), value));
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

fn lifecycle_config(deployments: bool, description: &str, b_active: bool) -> String {
    let mut hcl = format!(
        r#"
resource "spirl_key_pair" "a" {{}}

resource "spirl_key_pair" "b" {{}}

resource "spirl_trust_domain" "td" {{
  domain_name = "security.example.org"
  description = "{description}"
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
    h.write_config(&lifecycle_config(deployments, "v1", false));
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
    h.write_config(&lifecycle_config(deployments, "v2", true));
    run(&h, &["plan", "-input=false", "-out=update.tfplan"]);
    show_plan(&h, "update.tfplan");
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
    let state = MockState::new(MockConfig::default()).expect("mock state");
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
fn security_plain_http_to_a_remote_host_needs_explicit_use_tls_false() {
    let Some(mut h) = Harness::start("security_plain_http") else {
        return;
    };
    let Some(ip) = non_loopback_address() else {
        eprintln!(
            "skipped: this machine has no non-loopback address (tests/acc_provider.rs covers the plan-time part)"
        );
        return;
    };
    let (state, addr) = mock_on(&h, ip);
    let credentials = state.credentials(&format!("http://{addr}"));
    h.set_env("SPIRL_SA_KEY_ID", &credentials.sa_key_id);
    h.set_env("SPIRL_SA_PRIVATE_KEY", &credentials.sa_private_key);
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
        "Use `https://`, or set `use_tls = false`",
        &ip.to_string(),
    ] {
        assert!(text.contains(needed), "says {needed:?}:\n{out}");
    }
    assert!(
        state.stats().requests.is_empty(),
        "nothing was sent in plain text"
    );

    // Explicitly allowed: it works, with a warning.
    h.write_config(&format!(
        "provider \"spirl\" {{\n  endpoint = \"http://{addr}\"\n  use_tls  = false\n}}\n{resources}"
    ));
    let out = h.apply();
    let text = out.all();
    assert!(
        text.contains("Warning") && text.contains("Plain HTTP to a remote host"),
        "plain HTTP is warned about:\n{out}"
    );
    assert_eq!(
        state.stats().objects.trust_domains,
        1,
        "created over plain HTTP"
    );
    h.destroy();
    assert_eq!(state.stats().objects, Default::default());
}

/// A private CA and a certificate for `localhost` signed by it: (CA PEM, server config).
fn private_ca() -> (String, Arc<rustls::ServerConfig>) {
    let ca_key = rcgen::KeyPair::generate().expect("CA key");
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "spirl test CA (test only)");
    let ca_cert = ca_params.self_signed(&ca_key).expect("CA certificate");
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let leaf_key = rcgen::KeyPair::generate().expect("server key");
    let leaf = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
        .expect("server params")
        .signed_by(&leaf_key, &issuer)
        .expect("server certificate");
    let ca_pem = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        STANDARD
            .encode(ca_cert.der())
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n")
    );
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("protocol versions")
    .with_no_client_auth()
    .with_single_cert(vec![leaf.der().clone()], key)
    .expect("server config");
    (ca_pem, Arc::new(config))
}

/// Terminates TLS on `127.0.0.1:0` and relays to `target`; returns the port.
fn tls_front(h: &Harness, config: Arc<rustls::ServerConfig>, target: SocketAddr) -> u16 {
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    h.block_on(async move {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("address").port();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    // A refused handshake ends here: nothing reaches the mock.
                    let Ok(mut tls) = acceptor.accept(stream).await else {
                        return;
                    };
                    let Ok(mut upstream) = TcpStream::connect(target).await else {
                        return;
                    };
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut upstream).await;
                });
            }
        });
        port
    })
}

#[test]
fn security_tls_untrusted_certificate_fails_clearly_and_private_ca_works() {
    let Some(mut h) = Harness::start("security_tls") else {
        return;
    };
    let (ca_pem, config) = private_ca();
    let port = tls_front(&h, config, h.mock().addr);
    let endpoint = format!("https://localhost:{port}");
    h.set_env("SPIRL_ENDPOINT", &endpoint);
    h.write_config(
        "resource \"spirl_trust_domain\" \"td\" {\n  domain_name = \"tls.example.org\"\n}\n",
    );

    // Nobody trusts the CA yet: a clear error, at once, and nothing reaches the API.
    let out = h.tf_err(&["apply", "-auto-approve", "-input=false"]);
    let text = one_line(&out.all());
    for needed in [
        "certificate",
        "could not be verified",
        &format!("localhost:{port}"),
        "SSL_CERT_FILE",
    ] {
        assert!(text.contains(needed), "says {needed:?}:\n{out}");
    }
    assert!(
        !text.contains("after 2 attempts"),
        "a certificate error is not retried:\n{out}"
    );
    assert!(
        h.mock().stats().requests.is_empty(),
        "no request got through the refused handshake"
    );

    // The CA through SSL_CERT_FILE, as for a private control plane: it works.
    h.write_file("ca.pem", &ca_pem);
    let ca_path = h.path().join("ca.pem");
    h.set_env("SSL_CERT_FILE", ca_path.to_str().expect("utf-8 temp path"));
    h.apply();
    assert_eq!(
        h.mock_objects().trust_domains,
        1,
        "created over verified TLS"
    );
    h.destroy();
    assert_eq!(h.mock_objects(), Default::default());
}
