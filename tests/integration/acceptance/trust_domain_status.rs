//! `spirl_trust_domain` against a control plane whose `ListTrustDomains` answers say nothing of
//! the JWT issuer: no `jwt_issuer_status` and an empty `jwt_issuer_endpoint_url` (the mock's
//! `omit_list_jwt_issuer_status`; `TrustDomainInfo` still answers both). The provider reads such
//! trust domains with `TrustDomainInfo` instead of guessing their issuer mode, so built-in, custom
//! and disabled issuers all plan empty and the data source reports the mode each trust domain
//! has. Run with `TF_ACC=1`.
//!
//! Why this fails if the provider inferred the mode from the list answer: the answer holds
//! nothing to infer from but the empty URL, which reads as "disabled" (what the provider once did).
//! Then `builtin` and `builtin_too` would refresh as `disabled` with an empty `jwt_issuer`, and
//! `custom` as `disabled` without its URL: the plan would update three trust domains, and the
//! data sources would report `disabled` for the built-in and the custom one. Only `disabled` would
//! come out right, by accident.

use crate::support::Harness;
use spirl_mock_api::MockOptions;

const INFO: &str = "/com.spirl.api.v1.trustdomain.API/TrustDomainInfo";
const LIST: &str = "/com.spirl.api.v1.trustdomain.API/ListTrustDomains";

/// Four trust domains (more than the provider reads one by one before it lists them all), one
/// per issuer mode and a second built-in one, and the data source over one of each mode.
const CONFIG: &str = r#"
resource "spirl_trust_domain" "builtin" {
  domain_name = "builtin.example.org"
}

resource "spirl_trust_domain" "builtin_too" {
  domain_name     = "builtin-too.example.org"
  jwt_issuer_mode = "builtin"
}

resource "spirl_trust_domain" "disabled" {
  domain_name     = "disabled.example.org"
  jwt_issuer_mode = "disabled"
}

resource "spirl_trust_domain" "custom" {
  domain_name     = "custom.example.org"
  jwt_issuer_mode = "custom"
  jwt_issuer      = "https://issuer.example.com"
}

data "spirl_trust_domain" "builtin" {
  domain_name = spirl_trust_domain.builtin.domain_name
}

data "spirl_trust_domain" "disabled" {
  domain_name = spirl_trust_domain.disabled.domain_name
}

data "spirl_trust_domain" "custom" {
  domain_name = spirl_trust_domain.custom.domain_name
}

output "builtin" {
  value = [data.spirl_trust_domain.builtin.jwt_issuer_mode, data.spirl_trust_domain.builtin.jwt_issuer]
}

output "disabled" {
  value = [data.spirl_trust_domain.disabled.jwt_issuer_mode, data.spirl_trust_domain.disabled.jwt_issuer]
}

output "custom" {
  value = [data.spirl_trust_domain.custom.jwt_issuer_mode, data.spirl_trust_domain.custom.jwt_issuer]
}
"#;

#[test]
fn trust_domain_status_missing_from_lists_is_read_not_guessed() {
    let Some(h) = Harness::start_with(
        "trust_domain_status",
        MockOptions {
            omit_list_jwt_issuer_status: true,
            ..MockOptions::default()
        },
    ) else {
        return;
    };
    h.write_config(CONFIG);
    let out = h.apply();
    assert!(!out.all().contains("inconsistent"), "{out}");

    let builtin = h.resource("spirl_trust_domain.builtin");
    let id = builtin["id"].as_str().expect("id");
    let issuer = format!("https://{id}.oidc.spirl.test");
    assert_eq!(builtin["jwt_issuer_mode"], "builtin");
    assert_eq!(builtin["jwt_issuer"], issuer.as_str());

    let outputs = h.outputs();
    assert_eq!(outputs["builtin"], serde_json::json!(["builtin", issuer]));
    assert_eq!(outputs["disabled"], serde_json::json!(["disabled", ""]));
    assert_eq!(
        outputs["custom"],
        serde_json::json!(["custom", "https://issuer.example.com"])
    );

    // A refresh of four trust domains lists them, and reads each one the list left without a
    // status: still nothing to change (a guessed "disabled" would plan three updates).
    let (lists, infos) = (h.mock_requests(LIST), h.mock_requests(INFO));
    h.assert_plan_empty();
    assert!(h.mock_requests(LIST) > lists, "the refresh listed");
    assert!(
        h.mock_requests(INFO) > infos,
        "and read what the list lacked"
    );
    for (address, mode, issuer) in [
        ("spirl_trust_domain.builtin_too", "builtin", None),
        ("spirl_trust_domain.disabled", "disabled", Some("")),
        (
            "spirl_trust_domain.custom",
            "custom",
            Some("https://issuer.example.com"),
        ),
    ] {
        let state = h.resource(address);
        assert_eq!(state["jwt_issuer_mode"], mode, "{address}");
        match issuer {
            Some(issuer) => assert_eq!(state["jwt_issuer"], issuer, "{address}"),
            None => assert!(
                state["jwt_issuer"]
                    .as_str()
                    .is_some_and(|url| url.ends_with(".oidc.spirl.test")),
                "{address}: {state}"
            ),
        }
    }

    h.destroy();
    assert_eq!(h.mock_objects().trust_domains, 0);
}
