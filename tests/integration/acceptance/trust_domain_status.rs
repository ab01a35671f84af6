//! `spirl_trust_domain` against a control plane that leaves `jwt_issuer_status` out of
//! `ListTrustDomains` answers (the mock's `omit_list_jwt_issuer_status`): the provider reads such
//! trust domains with `TrustDomainInfo` instead of guessing their issuer mode, so a built-in
//! issuer plans empty and the data source reports the mode the trust domain has. Run with
//! `TF_ACC=1`.

use crate::support::Harness;
use spirl_mock_api::MockOptions;

const INFO: &str = "/com.spirl.api.v1.trustdomain.API/TrustDomainInfo";
const LIST: &str = "/com.spirl.api.v1.trustdomain.API/ListTrustDomains";

/// Four trust domains (more than the provider reads one by one before it lists them all), one
/// per issuer mode and a second built-in one, and the data source over two of them.
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

output "builtin" {
  value = [data.spirl_trust_domain.builtin.jwt_issuer_mode, data.spirl_trust_domain.builtin.jwt_issuer]
}

output "disabled" {
  value = [data.spirl_trust_domain.disabled.jwt_issuer_mode, data.spirl_trust_domain.disabled.jwt_issuer]
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

    // A refresh of four trust domains lists them, and reads each one the list left without a
    // status: still nothing to change (a guessed "disabled" would plan an update).
    let (lists, infos) = (h.mock_requests(LIST), h.mock_requests(INFO));
    h.assert_plan_empty();
    assert!(h.mock_requests(LIST) > lists, "the refresh listed");
    assert!(
        h.mock_requests(INFO) > infos,
        "and read what the list lacked"
    );
    assert_eq!(
        h.resource("spirl_trust_domain.custom")["jwt_issuer"],
        "https://issuer.example.com"
    );

    h.destroy();
    assert_eq!(h.mock_objects().trust_domains, 0);
}
