//! `spirlctl_config_path`: people who ran `spirlctl login` use an empty `provider "spirl" {}`
//! and no service-account key; the provider sends the session's token instead. With the real
//! Terraform CLI against the mock, whose `write_spirlctl_config` writes what
//! `--spirlctl-config-out` writes. Run with `TF_ACC=1`.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::support::Harness;
use spirl_mock_api::{ManualClock, MockOptions};

const LOGIN: &str = "/com.spirl.api.v1.session.API/AuthenticateServiceAccount";

/// The seed flow's API resources (trust domain, key pair, deployment) under an empty provider
/// block: no key, no path, so the session comes from `~/.spirl/config.json`.
const SEED: &str = r#"
provider "spirl" {}

resource "spirl_trust_domain" "prod" {
  domain_name = "acm.example.com"
  description = "EKS ALB demo trust domain"
}

resource "spirl_key_pair" "deployment" {
  algorithm = "ed25519"
}

resource "spirl_trust_domain_deployment" "deployment" {
  trust_domain_id = spirl_trust_domain.prod.id
  name            = "eks-alb-demo"
  keys = {
    "key1" = {
      public_key = spirl_key_pair.deployment.public_key_pem
      active     = true
    }
  }
}
"#;

/// A harness whose Terraform has no service-account key in its environment (the endpoint and
/// TLS variables stay, to reach the mock).
pub(crate) fn without_key(test: &str, config: MockOptions) -> Option<Harness> {
    let mut h = Harness::start_with(test, config)?;
    h.unset_env("SPIRL_SA_KEY_ID");
    h.unset_env("SPIRL_SA_PRIVATE_KEY");
    Some(h)
}

/// Writes a new session of the mock's user to `~/.spirl/config.json`; returns its token.
pub(crate) fn spirlctl_login(h: &Harness) -> String {
    let dir = h.home().join(".spirl");
    std::fs::create_dir_all(&dir).expect("create ~/.spirl");
    h.mock()
        .write_spirlctl_config(&dir.join("config.json"))
        .expect("write the session file")
}

#[test]
fn spirlctl_session_applies_the_seed_flow_and_never_shows_the_token() {
    let Some(mut h) = without_key("spirlctl_seed", MockOptions::default()) else {
        return;
    };
    if h.terraform_version() < (1, 0, 6) {
        eprintln!("skipped: spirl_trust_domain_deployment needs Terraform 1.0.6+");
        return;
    }
    let token = spirlctl_login(&h);
    h.write_config(SEED);
    h.set_env("TF_LOG", "trace");
    let out = h.apply();
    assert!(
        !out.all().contains(&token),
        "the token is in Terraform's output"
    );
    let said = out.all();
    assert!(
        said.contains("API calls authenticate with the spirlctl login session in"),
        "the debug log says which credential was used"
    );
    assert!(said.contains(".spirl/config.json"), "and names the file");
    assert_eq!(h.mock_requests(LOGIN), 0, "no service-account login");
    let objects = h.mock_objects();
    assert_eq!(
        (objects.trust_domains, objects.deployments, objects.keys),
        (1, 1, 1)
    );
    let state = std::fs::read_to_string(h.path().join("terraform.tfstate")).expect("state");
    assert!(!state.contains(&token), "the token is in the state");

    h.set_env("TF_LOG", "");
    h.assert_plan_empty();
    h.destroy();
    let objects = h.mock_objects();
    assert_eq!(
        (objects.trust_domains, objects.deployments, objects.keys),
        (0, 0, 0)
    );
}

#[test]
fn spirlctl_session_expired_or_missing_says_how_to_log_in() {
    let clock = ManualClock::new(SystemTime::now());
    let config = MockOptions {
        token_ttl: Duration::from_secs(600),
        clock: Arc::new(clock.clone()),
        ..MockOptions::default()
    };
    let Some(h) = without_key("spirlctl_expired", config) else {
        return;
    };
    let token = spirlctl_login(&h);
    h.write_config(
        r#"
provider "spirl" {}

resource "spirl_trust_domain" "prod" {
  domain_name = "expired.example.com"
}

resource "spirl_trust_domain" "staging" {
  domain_name = "expired-staging.example.com"
}
"#,
    );
    h.apply();
    clock.advance(Duration::from_secs(601));

    // The session expired: the refresh fails naming the file and `spirlctl login`, once for
    // both trust domains.
    let out = h.tf_err(&["plan", "-input=false"]);
    let said = out.said();
    assert!(said.contains("run `spirlctl login` again"), "{out}");
    assert_eq!(said.matches("refused the session").count(), 1, "{out}");
    assert_eq!(said.matches("Error: ").count(), 1, "{out}");
    assert!(said.contains(".spirl/config.json"), "{out}");
    assert!(!out.all().contains(&token), "{out}");
    assert!(!said.contains("panic"), "{out}");
    assert_eq!(h.mock_requests(LOGIN), 0, "nothing to log in with");

    // A new login makes it work again.
    let token = spirlctl_login(&h);
    h.assert_plan_empty();

    // No session file and no key: one error naming both ways to authenticate.
    std::fs::remove_file(h.home().join(".spirl/config.json")).expect("remove the session");
    let out = h.tf_err(&["plan", "-input=false"]);
    assert_one_missing_credentials(&out, "does not exist");
    assert!(out.said().contains(".spirl/config.json"), "{out}");
    assert!(!out.all().contains(&token), "{out}");

    // Resources that make no API calls still need no credentials (in a configuration whose
    // state holds nothing else to refresh).
    std::fs::remove_file(h.path().join("terraform.tfstate")).expect("forget the state");
    h.write_config(
        r#"
provider "spirl" {}

resource "spirl_key_pair" "k" {}

data "spirl_alb_ingress_annotations" "a" {}
"#,
    );
    let out = h.tf_ok(&["plan", "-input=false"]);
    assert!(out.stdout.contains("1 to add"), "{out}");
}

#[test]
fn spirlctl_session_is_ignored_when_a_service_account_key_is_set() {
    // The harness passes the mock's service-account key in SPIRL_SA_KEY_ID and
    // SPIRL_SA_PRIVATE_KEY; a session file exists too.
    let Some(mut h) = Harness::start("spirlctl_both") else {
        return;
    };
    let token = spirlctl_login(&h);
    let key_id = h.mock().credentials.sa_key_id.clone();
    h.write_config(
        r#"
provider "spirl" {}

resource "spirl_trust_domain" "prod" {
  domain_name = "both.example.com"
}
"#,
    );
    h.set_env("TF_LOG", "debug");
    let out = h.apply();
    let said = out.all();
    assert!(
        said.contains(&format!(
            "API calls authenticate with service-account key {key_id}"
        )),
        "the key is used"
    );
    assert!(
        said.contains("is not used, because a service-account key is set"),
        "the log says the session is not used"
    );
    assert!(!said.contains(&token));
    assert!(h.mock_requests(LOGIN) >= 1, "the key logged in");
    h.set_env("TF_LOG", "");
    h.destroy();
}

/// Two independent API resources, a key pair and an API data source, none of them in the state.
fn new_objects(provider: &str) -> String {
    format!(
        r#"
{provider}

resource "spirl_trust_domain" "a" {{
  domain_name = "a.example.com"
}}

resource "spirl_trust_domain" "b" {{
  domain_name = "b.example.com"
}}

resource "spirl_key_pair" "k" {{}}

data "spirl_trust_domain" "existing" {{
  domain_name = "existing.example.com"
}}
"#
    )
}

/// The provider block that reads the session from `path`.
fn session_at(path: &std::path::Path) -> String {
    format!(
        "provider \"spirl\" {{\n  spirlctl_config_path = {:?}\n}}",
        path.display().to_string()
    )
}

/// `out` failed with exactly one "Missing credentials" error, saying `reason` and naming both
/// ways to authenticate. A data source read Terraform ran after that error was reported cannot
/// produce its data without a diagnostic, so it may add one short error of its own, which does
/// not repeat the explanation; nothing else may.
fn assert_one_missing_credentials(out: &crate::support::TfOutput, reason: &str) {
    let said = out.said();
    assert_eq!(said.matches("Missing credentials").count(), 1, "{out}");
    assert!(said.contains(reason), "{out}");
    assert!(
        said.contains("SPIRL_SA_KEY_ID") && said.contains("SPIRL_SA_PRIVATE_KEY"),
        "{out}"
    );
    assert!(said.contains("`sa_key_id` and `sa_private_key`"), "{out}");
    assert!(said.contains("run `spirlctl login`"), "{out}");
    let short = said.matches("No credentials to call the API").count();
    assert!(short <= 1, "{out}");
    assert_eq!(said.matches("Error: ").count(), 1 + short, "{out}");
    assert!(!said.contains("panic"), "{out}");
}

#[test]
fn spirlctl_unusable_session_fails_the_plan_of_new_objects_once() {
    let Some(h) = without_key("spirlctl_plan_once", MockOptions::default()) else {
        return;
    };
    let missing = h.path().join("missing.json");
    let not_json = h.path().join("not-json.json");
    std::fs::write(&not_json, "{\"creds\": {\"token\": ").expect("write");
    let empty = h.path().join("empty-token.json");
    std::fs::write(&empty, r#"{"creds":{"token":""}}"#).expect("write");
    for (provider, reason) in [
        ("provider \"spirl\" {}".to_owned(), "does not exist"),
        (session_at(&missing), "does not exist"),
        (session_at(&not_json), "ends too early"),
        (session_at(&empty), "is empty"),
    ] {
        h.write_config(&new_objects(&provider));
        // The configuration itself is valid: validate needs no credentials.
        h.tf_ok(&["validate"]);
        let out = h.tf_err(&["plan", "-input=false"]);
        assert_one_missing_credentials(&out, reason);
    }
    assert!(h.mock().stats().requests.is_empty(), "nothing to call with");
}

#[test]
fn spirlctl_unusable_session_fails_the_refresh_and_the_destroy_once() {
    // Created with the harness's service-account key...
    let Some(mut h) = Harness::start("spirlctl_state_once") else {
        return;
    };
    let objects = |provider: &str| {
        format!(
            "{provider}\n\nresource \"spirl_trust_domain\" \"a\" {{\n  domain_name = \"a.example.com\"\n}}\n\nresource \"spirl_trust_domain\" \"b\" {{\n  domain_name = \"b.example.com\"\n}}\n\nresource \"spirl_key_pair\" \"k\" {{}}\n"
        )
    };
    h.write_config(&objects("provider \"spirl\" {}"));
    h.apply();
    assert_eq!(h.mock_objects().trust_domains, 2);

    // ...then planned without the key, from a session file that does not exist.
    h.unset_env("SPIRL_SA_KEY_ID");
    h.unset_env("SPIRL_SA_PRIVATE_KEY");
    let missing = h.path().join("missing.json");
    h.write_config(&objects(&session_at(&missing)));
    let out = h.tf_err(&["plan", "-input=false"]);
    assert_one_missing_credentials(&out, "does not exist");
    assert!(out.said().contains("missing.json"), "{out}");
    // Without the refresh, the plans of the existing objects fail it the same way.
    let out = h.tf_err(&["plan", "-input=false", "-refresh=false"]);
    assert_one_missing_credentials(&out, "does not exist");

    // A destroy plans without the API, and its apply fails once, deleting no trust domain:
    // every delete fails, the later ones with a short error.
    let out = h.tf_err(&["destroy", "-auto-approve", "-input=false", "-refresh=false"]);
    let said = out.said();
    assert_eq!(said.matches("Missing credentials").count(), 1, "{out}");
    assert!(said.contains("run `spirlctl login`"), "{out}");
    assert_eq!(
        said.matches("Error: ").count(),
        1 + said.matches("No credentials to call the API").count(),
        "{out}"
    );
    assert_eq!(h.mock_objects().trust_domains, 2, "nothing was deleted");
    let state = h.state();
    let kept: Vec<&str> = state["values"]["root_module"]["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["address"].as_str())
        .collect();
    assert_eq!(
        kept,
        ["spirl_trust_domain.a", "spirl_trust_domain.b"],
        "the state still holds the trust domains (the key pair needed no API)"
    );

    // With the key back, the trust domains are there to destroy.
    let key = h.mock().credentials.clone();
    h.set_env("SPIRL_SA_KEY_ID", &key.sa_key_id);
    h.set_env("SPIRL_SA_PRIVATE_KEY", &key.sa_private_key);
    h.assert_plan_changes("1 to add, 0 to change, 0 to destroy");
    h.destroy();
    assert_eq!(h.mock_objects().trust_domains, 0);
}
