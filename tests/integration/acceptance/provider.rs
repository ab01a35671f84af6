//! Acceptance tests of the provider block with the real Terraform CLI (run with `TF_ACC=1`):
//! each configuration problem fails `terraform validate`/`plan` naming the attribute, never as a
//! crash or a gRPC error.

use crate::support::Harness;

/// A configuration that needs no API: only the provider block is under test.
fn with_provider(block: &str) -> String {
    format!("provider \"spirl\" {{\n{block}\n}}\n\nresource \"spirl_key_pair\" \"k\" {{}}\n")
}

#[test]
fn provider_config_errors_name_the_attribute() {
    let Some(h) = Harness::start("provider_errors") else {
        return;
    };
    let cases = [
        (
            "  sa_key_id = \"sak-abc\"\n  sa_private_key = \"not a pem\"",
            "sa_private_key",
        ),
        (
            "  sa_key_id = \"sak-abc\"\n  sa_private_key = <<-EOT\n    -----BEGIN PUBLIC KEY-----\n    MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n    -----END PUBLIC KEY-----\n  EOT",
            "sa_private_key",
        ),
        ("  endpoint = \"http://[::1\"", "endpoint"),
        (
            "  endpoint = \"http://127.0.0.1:1\"\n  use_tls = true",
            "use_tls",
        ),
        ("  sa_key_id = \"not-a-key-id\"", "sa_key_id"),
        ("  request_timeout = \"soon\"", "request_timeout"),
        ("  max_retries = 2.5", "max_retries"),
        ("  max_retries = -1", "max_retries"),
    ];
    for (block, attribute) in cases {
        h.write_config(&with_provider(block));
        for command in [&["validate"][..], &["plan"][..]] {
            let out = h.tf_err(command);
            let text = out.all();
            assert!(text.contains("Error"), "{block}:\n{out}");
            assert!(
                text.contains(attribute),
                "{block}: names `{attribute}`:\n{out}"
            );
            for crash in [
                "panic",
                "rpc error",
                "Plugin did not respond",
                "inconsistent",
            ] {
                assert!(!text.contains(crash), "{block}: {crash}:\n{out}");
            }
        }
    }
}

#[test]
fn provider_plain_http_to_remote_host_warns_when_explicit() {
    let Some(mut h) = Harness::start("provider_plain_http") else {
        return;
    };
    // No mock, so no SPIRL_* variables: only the provider block decides.
    h.stop_mock();
    // Plain HTTP to a non-loopback host is refused unless `use_tls = false` is explicit.
    h.write_config(&with_provider(
        "  endpoint = \"http://api.example.com:8080\"",
    ));
    let out = h.tf_err(&["plan"]);
    assert!(out.all().contains("use_tls"), "{out}");

    for block in [
        "  endpoint = \"http://api.example.com:8080\"\n  use_tls = false",
        "  endpoint = \"api.example.com:8080\"\n  use_tls = false",
    ] {
        h.write_config(&with_provider(block));
        let out = h.tf_ok(&["plan"]);
        assert!(
            out.all().contains("Plain HTTP to a remote host"),
            "plain HTTP is warned about:\n{out}"
        );
    }

    // SPIRL_USE_TLS=false is as explicit as the attribute.
    h.set_env("SPIRL_USE_TLS", "false");
    h.write_config(&with_provider("  endpoint = \"api.example.com:8080\""));
    let out = h.tf_ok(&["plan"]);
    assert!(out.all().contains("Plain HTTP to a remote host"), "{out}");
}

#[test]
fn provider_block_reaches_the_mock_over_h2c() {
    let Some(mut h) = Harness::start("provider_block_h2c") else {
        return;
    };
    let endpoint = h.mock().endpoint.clone();
    // The environment points elsewhere: only the provider block can reach the mock. The
    // mock's `host:port` with `use_tls = false` (over SPIRL_USE_TLS=true), and the same as an
    // `http://` URL (which SPIRL_USE_TLS must not contradict).
    h.set_env("SPIRL_ENDPOINT", "127.0.0.1:1");
    for (i, (block, env_tls)) in [
        (
            format!("  endpoint = \"{endpoint}\"\n  use_tls = false"),
            "true",
        ),
        (format!("  endpoint = \"http://{endpoint}\""), "false"),
    ]
    .iter()
    .enumerate()
    {
        h.set_env("SPIRL_USE_TLS", env_tls);
        h.write_config(&format!(
            "provider \"spirl\" {{\n{block}\n}}\n\nresource \"spirl_trust_domain\" \"td\" {{\n  domain_name = \"h2c{i}.example.org\"\n}}\n"
        ));
        let out = h.apply();
        assert!(!out.all().contains("Warning: Plain HTTP"), "{out}");
        h.assert_plan_empty();
        h.destroy();
        assert_eq!(h.mock_objects(), Default::default());
    }
    assert_eq!(
        h.mock_requests("/com.spirl.api.v1.trustdomain.API/RegisterTrustDomain"),
        2
    );
}

#[test]
fn provider_unknown_config_values_are_accepted() {
    let Some(h) = Harness::start("provider_unknown") else {
        return;
    };
    // An endpoint only known after apply must not be rejected at plan time.
    h.write_config(
        r#"
provider "spirl" {
  alias = "source"
}

resource "spirl_key_pair" "source" {
  provider = spirl.source
}

provider "spirl" {
  endpoint = "http://127.0.0.1:1/${substr(spirl_key_pair.source.id, 0, 0)}"
}

resource "spirl_key_pair" "k" {}
"#,
    );
    h.tf_ok(&["plan"]);
}
