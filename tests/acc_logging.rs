//! `TF_LOG=trace` across a configured provider's lifecycle: the provider's own lines reach
//! Terraform's log, and no secret (service-account private key, generated private keys) appears
//! in the log or in any output. Run with `TF_ACC=1`.

mod common;

use common::Harness;

#[test]
fn logging_trace_shows_provider_lines_and_no_secret() {
    let Some(mut h) = Harness::start("logging_trace") else {
        return;
    };
    let log_path = h.path().join("terraform.log");
    h.set_env("TF_LOG", "trace");
    h.set_env("TF_LOG_PATH", log_path.to_str().expect("utf-8 temp path"));
    h.write_config(
        r#"
resource "spirl_key_pair" "k" {}

data "spirl_alb_ingress_annotations" "a" {}

output "private_key" {
  value     = spirl_key_pair.k.private_key_pem
  sensitive = true
}
"#,
    );
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
