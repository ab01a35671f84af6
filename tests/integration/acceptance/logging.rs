//! `TF_LOG=trace` across a configured provider's lifecycle against the gRPC mock: the
//! provider's own lines (the API client's among them) reach Terraform's log, and no secret
//! (service-account private key, session token, login nonces and signatures, generated private
//! keys) appears in the log or in any output. Run with `TF_ACC=1`.

use crate::support::Harness;

const DEPLOYMENT: &str = r#"
resource "spirl_trust_domain_deployment" "d" {
  trust_domain_id = spirl_trust_domain.td.id
  name            = "logged"
  keys = {
    key1 = { public_key = spirl_key_pair.k.public_key_pem }
  }
}
"#;

#[test]
fn logging_trace_shows_provider_lines_and_no_secret() {
    let Some(mut h) = Harness::start("logging_trace") else {
        return;
    };
    let log_path = h.path().join("terraform.log");
    h.set_env("TF_LOG", "trace");
    h.set_env("TF_LOG_PATH", log_path.to_str().expect("utf-8 temp path"));
    // Terraform before 1.0.6 cannot plan a deployment (hashicorp/terraform#29473).
    let deployment = h.terraform_version() >= (1, 0, 6);
    let mut config = r#"
resource "spirl_key_pair" "k" {}

data "spirl_alb_ingress_annotations" "a" {}

resource "spirl_trust_domain" "td" {
  domain_name = "logging.example.org"
}

output "private_key" {
  value     = spirl_key_pair.k.private_key_pem
  sensitive = true
}
"#
    .to_owned();
    if deployment {
        config.push_str(DEPLOYMENT);
    }
    h.write_config(&config);
    let mut printed = h.apply().all();
    printed += &h.tf_ok(&["plan"]).all();
    let generated = h.resource("spirl_key_pair.k")["private_key_pem"]
        .as_str()
        .expect("private key in state")
        .to_owned();
    printed += &h.destroy().all();

    let log = std::fs::read_to_string(&log_path).expect("TF_LOG_PATH was written");
    assert!(
        log.contains("provider configured"),
        "the provider's configure line reaches TF_LOG"
    );
    assert!(
        log.contains("generated key pair"),
        "the provider's resource lines reach TF_LOG"
    );

    let mut calls = vec![
        "AuthenticateServiceAccount",
        "trustdomain.API/RegisterTrustDomain",
        "trustdomain.API/DeleteTrustDomain",
    ];
    if deployment {
        calls.push("trustdomain.API/CreateTrustDomainKey");
    }
    for line in calls {
        assert!(
            log.contains(line),
            "the client's call lines reach TF_LOG: {line}"
        );
    }
    assert_eq!(h.mock_objects(), Default::default());

    // What travelled in the logins: the mock recorded it, and none of it was logged or printed.
    let record = h.mock().state.auth_record();
    assert!(!record.tokens.is_empty(), "the provider logged in");
    for (name, secrets) in [
        ("session token", &record.tokens),
        ("server nonce", &record.server_nonces),
        ("client nonce", &record.client_nonces),
        ("signature", &record.signatures),
    ] {
        for secret in secrets {
            assert!(!log.contains(secret.as_str()), "a {name} appears in TF_LOG");
            assert!(
                !printed.contains(secret.as_str()),
                "a {name} appears in Terraform's output"
            );
        }
    }

    let sa_key = h.mock().credentials.sa_private_key.clone();
    for (name, secret) in [
        ("service-account key", sa_key),
        ("generated key", generated),
    ] {
        // The base64 body of a PEM is what must not leak, whatever the line breaks around it.
        let body: String = secret.lines().filter(|l| !l.starts_with("-----")).collect();
        assert!(body.len() > 40, "{name} has a body");
        for line in secret.lines().filter(|l| !l.starts_with("-----")) {
            assert!(!log.contains(line), "the {name} appears in TF_LOG");
            assert!(
                !printed.contains(line),
                "the {name} appears in Terraform's output"
            );
        }
    }
}
