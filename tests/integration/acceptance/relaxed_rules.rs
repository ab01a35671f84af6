//! The control plane judges what it accepts (DESIGN.md §2 "Migration"): values our own plan-time
//! rules used to refuse, with no published evidence behind them, now reach the API (run with
//! `TF_ACC=1`). Each case is one resource in one configuration, applied once against the mock:
//!
//! - what the API takes is created as written: cluster and deployment names that are no DNS
//!   labels, templates with the trailing newline `file()` leaves, a section with keys beyond
//!   `section`/`schema`/`spec`, an ed25519 key whose bytes are no curve point (a placeholder a
//!   published configuration registers), CI/CD and attestation names with spaces;
//! - what the API documents as wrong is refused by the mock, not by us, and the error stands at
//!   the attribute that set the value, as a plan-time check would: a path template without its
//!   leading `/`, a service account that is no Kubernetes name, a CI/CD issuer that is not
//!   `https://`, a provider attestation configuration with no provider, a trust domain id or user
//!   that does not exist.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::spirlctl::{spirlctl_login, without_key};
use crate::support::{Harness, out_of_band_client, trust_domain};
use serde_json::Value as Json;
use spirl_mock_api::MockOptions;
use terraform_provider_spirl::keys::KeyPair;

/// A key from a configuration that works with the official provider: an ed25519 SPKI whose 32
/// bytes are no point on the curve.
const PLACEHOLDER_KEY: &str = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEANoPrivateKeyExistsForThisPlaceholderKeyless=\n-----END PUBLIC KEY-----\n";

/// The configuration: `# case:` comments mark the line a case's diagnostic must point at.
fn config(td: &str) -> String {
    format!(
        r#"
resource "spirl_cluster" "not_a_dns_label" {{
  trust_domain_id = "{td}"
  name            = "Team_A.Cluster" # case:cluster_name
  platform        = "linux"
  public_key      = file("cluster.pem")
}}

resource "spirl_cluster" "templates_from_files" {{
  trust_domain_id             = "{td}"
  name                        = "templates-from-files"
  platform                    = "k8s"
  public_key                  = file("cluster.pem")
  path_template               = file("path_template.txt")
  x509_customization_template = file("x509_template.txt")
}}

resource "spirl_cluster" "path_without_slash" {{
  trust_domain_id = "{td}"
  name            = "path-without-slash"
  platform        = "k8s"
  public_key      = file("cluster.pem")
  path_template   = "no-leading-slash" # case:path_template
}}

resource "spirl_cluster" "psat_service_account" {{
  trust_domain_id = "{td}"
  name            = "psat-service-account"
  platform        = "eks"
  k8s_psat {{
    issuer_url           = "https://oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE"
    service_account_name = "Spirl_Agent" # case:service_account_name
  }}
}}

resource "spirl_trust_domain_deployment" "not_a_dns_label" {{
  trust_domain_id = "{td}"
  name            = "Prod_Deployment.1"
  keys = {{
    real        = {{ public_key = file("server.pem") }}
    placeholder = {{ public_key = file("placeholder.pem"), active = false }}
  }}
}}

resource "spirl_trust_domain_config" "extra_keys" {{
  trust_domain_id = "{td}"
  sections = {{
    AttributeRedaction = <<-YAML
      section: AttributeRedaction
      schema: v1
      metadata:
        owner: platform-team
      spec:
        policy:
          allowList:
            filters:
              - kubernetes.pod.namespace
    YAML
  }}
}}

resource "spirl_cicd_profile" "name_with_spaces" {{
  name   = "Team A pipelines"
  issuer = "https://gitlab.example.com"
}}

resource "spirl_cicd_profile" "plain_http_issuer" {{
  name   = "plain-http"
  issuer = "http://gitlab.example.com" # case:issuer
}}

resource "spirl_provider_attestation_config" "name_with_spaces" {{
  name = "Team A attestation"
  aws {{
    role_arn = "arn:aws-iso:iam::123456789012:role/spirl"
  }}
}}

resource "spirl_provider_attestation_config" "no_provider" {{
  name = "no-provider"
}}

resource "spirl_trust_domain" "long_description" {{
  domain_name = "long.example.com"
  description = "${{join("", [for i in range(300) : "word "])}}" # case:description
}}

resource "spirl_realm" "unknown_trust_domain" {{
  trust_domain_id = "td-Unknown_Trust_Domain" # case:trust_domain_id
  name            = "production"
}}

resource "spirl_realm" "for_assignment" {{
  trust_domain_id = "{td}"
  name            = "assignments"
}}

resource "spirl_realm_role_assignment" "unknown_user" {{
  trust_domain_id = "{td}"
  realm_name      = spirl_realm.for_assignment.name
  role_name       = "Administrator"
  user_email      = "nobody" # case:user_email
}}
"#
    )
}

/// The 1-based line of the `# case:NAME` marker.
fn line_of(config: &str, case: &str) -> u64 {
    let marker = format!("# case:{case}");
    let index = config
        .lines()
        .position(|l| l.contains(&marker))
        .unwrap_or_else(|| panic!("no {marker}"));
    index as u64 + 1
}

/// The error diagnostics of `terraform apply -json`, as (address, start line, summary, detail).
fn errors(out: &crate::support::TfOutput) -> Vec<(String, u64, String, String)> {
    out.stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Json>(l).ok())
        .filter(|l| l["type"] == "diagnostic" && l["@level"] == "error")
        .map(|l| {
            let d = &l["diagnostic"];
            (
                d["address"].as_str().unwrap_or_default().to_owned(),
                d["range"]["start"]["line"].as_u64().unwrap_or(0),
                d["summary"].as_str().unwrap_or_default().to_owned(),
                d["detail"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[test]
fn relaxed_rules_values_reach_the_control_plane_which_judges_them_at_the_attribute() {
    let Some(h) = Harness::start_with(
        "relaxed_rules",
        MockOptions {
            users: vec!["admin@example.com".into()],
            ..MockOptions::default()
        },
    ) else {
        return;
    };
    let client = out_of_band_client(h.mock());
    let td = h
        .block_on(client.create_trust_domain(&trust_domain("relaxed.example.com")))
        .expect("trust domain");
    h.write_file("cluster.pem", &KeyPair::generate().public_key().to_pem());
    h.write_file("server.pem", &KeyPair::generate().public_key().to_pem());
    h.write_file("placeholder.pem", PLACEHOLDER_KEY);
    // As an editor saves them: with a final newline.
    h.write_file(
        "path_template.txt",
        "/team/{{kubernetes.pod.namespace}}/{{kubernetes.pod.service_account}}\n",
    );
    h.write_file("x509_template.txt", "CN=Team\n");
    let config = config(&td);
    h.write_config(&config);
    // Nothing of the above is refused before the API is asked.
    h.tf_ok(&["validate"]);

    let applied = h.tf(&["apply", "-auto-approve", "-input=false", "-json"]);
    assert_ne!(
        applied.code, 0,
        "the refused cases fail the apply:\n{applied}"
    );
    let errors = errors(&applied);

    // Refused by the control plane, each at its attribute, each with the API's own words.
    for (address, case, says) in [
        (
            "spirl_cluster.path_without_slash",
            "path_template",
            "INVALID_ARGUMENT",
        ),
        (
            "spirl_cluster.psat_service_account",
            "service_account_name",
            "INVALID_ARGUMENT",
        ),
        (
            "spirl_cicd_profile.plain_http_issuer",
            "issuer",
            "INVALID_ARGUMENT",
        ),
        (
            "spirl_trust_domain.long_description",
            "description",
            "INVALID_ARGUMENT",
        ),
        (
            "spirl_realm.unknown_trust_domain",
            "trust_domain_id",
            "NOT_FOUND",
        ),
        (
            "spirl_realm_role_assignment.unknown_user",
            "user_email",
            "User not found",
        ),
    ] {
        let line = line_of(&config, case);
        assert!(
            errors.iter().any(|(a, l, s, d)| a == address
                && *l == line
                && (d.contains(says) || s.contains(says))),
            "{address}: no error at line {line} ({case}) saying {says:?}: {errors:#?}"
        );
    }
    // A configuration with no provider: the API marks it required, and says which field.
    assert!(
        errors.iter().any(
            |(a, _, _, d)| a == "spirl_provider_attestation_config.no_provider"
                && d.contains("INVALID_ARGUMENT")
                && d.contains("aws")
        ),
        "{errors:#?}"
    );
    assert_eq!(errors.len(), 7, "only the refused cases fail: {errors:#?}");

    // Taken by the control plane as written.
    let cluster = h.resource("spirl_cluster.not_a_dns_label");
    assert_eq!(cluster["name"], "Team_A.Cluster");
    let templates = h.resource("spirl_cluster.templates_from_files");
    assert_eq!(
        templates["path_template"],
        "/team/{{kubernetes.pod.namespace}}/{{kubernetes.pod.service_account}}\n"
    );
    assert_eq!(templates["x509_customization_template"], "CN=Team\n");
    let deployment = h.resource("spirl_trust_domain_deployment.not_a_dns_label");
    assert_eq!(deployment["name"], "Prod_Deployment.1");
    assert_eq!(deployment["keys"]["placeholder"]["active"], false);
    let keys = h
        .block_on(client.list_keys(Some(&td), Some("Prod_Deployment.1")))
        .expect("keys");
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert!(
        h.resource("spirl_trust_domain_config.extra_keys")["sections"]["AttributeRedaction"]
            .as_str()
            .is_some_and(|s| s.contains("owner: platform-team"))
    );
    assert_eq!(
        h.resource("spirl_cicd_profile.name_with_spaces")["name"],
        "Team A pipelines"
    );
    assert_eq!(
        h.resource("spirl_provider_attestation_config.name_with_spaces")["aws"]["role_arn"],
        "arn:aws-iso:iam::123456789012:role/spirl"
    );

    // What was taken plans no change; only the refused cases are still to create.
    let plan = h.tf(&["plan", "-input=false", "-no-color", "-json"]);
    let planned: Vec<String> = plan
        .stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Json>(l).ok())
        .filter(|l| l["type"] == "planned_change")
        .map(|l| l["change"]["resource"]["addr"].as_str().unwrap().to_owned())
        .collect();
    let mut planned = planned;
    planned.sort();
    assert_eq!(
        planned,
        [
            "spirl_cicd_profile.plain_http_issuer",
            "spirl_cluster.path_without_slash",
            "spirl_cluster.psat_service_account",
            "spirl_provider_attestation_config.no_provider",
            "spirl_realm.unknown_trust_domain",
            "spirl_realm_role_assignment.unknown_user",
            "spirl_trust_domain.long_description",
        ]
    );
    h.destroy();
}

/// The configuration of the second round of relaxed rules (issue 19): `# case:` markers as above.
fn config_round_two(td: &str) -> String {
    let long = |n: usize| "n".repeat(n);
    format!(
        r#"
resource "spirl_trust_domain" "dotted" {{
  domain_name = "relaxed..dotted.example."
}}

resource "spirl_federation_link" "dotted" {{
  trust_domain_id           = "{td}"
  foreign_trust_domain_name = ".partner..example"
  endpoint_url              = "https://bundle.partner.example/"
}}

resource "spirl_cluster" "commented_key" {{
  trust_domain_id            = "{td}"
  name                       = "commented-key"
  platform                   = "linux"
  public_key                 = file("commented_cluster.pem")
  jwt_customization_template = file("jwt_template.txt")
}}

resource "spirl_cluster" "plain_http_psat" {{
  trust_domain_id = "{td}"
  name            = "plain-http-psat"
  platform        = "eks"
  k8s_psat {{
    issuer_url = "http://issuer.cluster.internal:8080"
  }}
}}

resource "spirl_trust_domain_deployment" "commented_key" {{
  trust_domain_id = "{td}"
  name            = "commented-key"
  keys = {{
    main = {{ public_key = file("commented_server.pem") }}
  }}
}}

resource "spirl_trust_domain_config" "yaml_as_written" {{
  trust_domain_id = "{td}"
  sections = {{
    AttributeRedaction = <<-YAML
      section: AttributeRedaction
      schema: v1
      spec:
        policy:
          allowList: &filters
            filters:
              - kubernetes.pod.namespace
          denyList: *filters
    YAML
    KeyManager = <<-YAML
      section: KeyManager
      schema: v1
      extensions:
        awsKMS:
          region: us-east-1
    YAML
  }}
}}

resource "spirl_cicd_profile" "plain_http_jwks" {{
  name     = "plain-http-jwks"
  issuer   = "https://gitlab.example.com"
  jwks_url = "http://jwks.gitlab.internal/keys"
}}

resource "spirl_service_account" "long_name" {{
  name      = "{sa_name}"
  role_name = "Auditor"
}}

resource "spirl_cluster" "long_name" {{
  trust_domain_id = "{td}"
  name            = "{cluster_name}" # case:long_cluster_name
  platform        = "linux"
}}

resource "spirl_cicd_profile" "long_name" {{
  name   = "{cicd_name}" # case:long_cicd_name
  issuer = "https://gitlab.example.com"
}}

resource "spirl_realm" "long_name" {{
  trust_domain_id = "{td}"
  name            = "{realm_name}" # case:long_realm_name
}}
"#,
        sa_name = long(300),
        cluster_name = long(300),
        cicd_name = long(200),
        realm_name = long(300),
    )
}

#[test]
fn relaxed_rules_keys_sections_names_and_urls_reach_the_control_plane() {
    // As a user: service accounts cannot create service accounts.
    let Some(h) = without_key("relaxed_rules_two", MockOptions::default()) else {
        return;
    };
    spirlctl_login(&h);
    let client = out_of_band_client(h.mock());
    let td = h
        .block_on(client.create_trust_domain(&trust_domain("relaxed-two.example.com")))
        .expect("trust domain");
    let cluster_key = KeyPair::generate().public_key().to_pem();
    let server_key = KeyPair::generate().public_key().to_pem();
    // Keys as they are kept in a repository: a comment before, a note after.
    h.write_file(
        "commented_cluster.pem",
        &format!("# The cluster's key, from vault\n{cluster_key}rotated yearly\n"),
    );
    h.write_file(
        "commented_server.pem",
        &format!("Server key\n\n{server_key}\n-- ops\n"),
    );
    h.write_file("jwt_template.txt", "{\"team\": \"a\"}\n");
    let config = config_round_two(&td);
    h.write_config(&config);
    h.tf_ok(&["validate"]);

    let applied = h.tf(&["apply", "-auto-approve", "-input=false", "-json"]);
    assert_ne!(applied.code, 0, "the long names fail the apply:\n{applied}");
    let errors = errors(&applied);
    // Names longer than the mock's own bounds are refused by the mock, at the name.
    for (address, case) in [
        ("spirl_cluster.long_name", "long_cluster_name"),
        ("spirl_cicd_profile.long_name", "long_cicd_name"),
        ("spirl_realm.long_name", "long_realm_name"),
    ] {
        let line = line_of(&config, case);
        assert!(
            errors.iter().any(|(a, l, s, d)| a == address
                && *l == line
                && (d.contains("INVALID_ARGUMENT") || s.contains("INVALID_ARGUMENT"))),
            "{address}: no INVALID_ARGUMENT at line {line}: {errors:#?}"
        );
    }
    assert_eq!(errors.len(), 3, "only the long names fail: {errors:#?}");

    // Taken as written.
    assert_eq!(
        h.resource("spirl_trust_domain.dotted")["domain_name"],
        "relaxed..dotted.example."
    );
    assert_eq!(
        h.resource("spirl_federation_link.dotted")["foreign_trust_domain_name"],
        ".partner..example"
    );
    let cluster = h.resource("spirl_cluster.commented_key");
    assert!(
        cluster["public_key"]
            .as_str()
            .is_some_and(|k| k.starts_with("# The cluster's key")),
        "{cluster}"
    );
    assert_eq!(cluster["jwt_customization_template"], "{\"team\": \"a\"}\n");
    let registered = h
        .block_on(client.list_keys(Some(&td), Some("commented-key")))
        .expect("keys");
    assert_eq!(registered.len(), 1, "{registered:?}");
    assert_eq!(
        h.resource("spirl_cluster.plain_http_psat")["k8s_psat"]["issuer_url"],
        "http://issuer.cluster.internal:8080"
    );
    let sections = &h.resource("spirl_trust_domain_config.yaml_as_written")["sections"];
    assert!(
        sections["AttributeRedaction"]
            .as_str()
            .is_some_and(|s| s.contains("*filters")),
        "{sections}"
    );
    assert_eq!(
        h.resource("spirl_cicd_profile.plain_http_jwks")["jwks_url"],
        "http://jwks.gitlab.internal/keys"
    );
    assert_eq!(
        h.resource("spirl_service_account.long_name")["name"],
        "n".repeat(300)
    );

    // What was taken plans no change: keys compare as keys, sections by meaning.
    let plan = h.tf(&["plan", "-input=false", "-no-color", "-json"]);
    let mut planned: Vec<String> = plan
        .stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Json>(l).ok())
        .filter(|l| l["type"] == "planned_change")
        .map(|l| l["change"]["resource"]["addr"].as_str().unwrap().to_owned())
        .collect();
    planned.sort();
    assert_eq!(
        planned,
        [
            "spirl_cicd_profile.long_name",
            "spirl_cluster.long_name",
            "spirl_realm.long_name",
        ]
    );
    h.destroy();
}

#[test]
fn relaxed_rules_import_ids_of_any_alphabet_reach_the_control_plane() {
    let Some(h) = Harness::start("relaxed_rules_import") else {
        return;
    };
    h.write_config(
        r#"
import {
  to = spirl_realm.weird
  id = "rlm-Weird_ID.123"
}

resource "spirl_realm" "weird" {
  trust_domain_id = "td-Weird_ID.123"
  name            = "weird"
}

import {
  to = spirl_cluster.weird
  id = "td-Weird_ID.123/Weird Cluster"
}

resource "spirl_cluster" "weird" {
  trust_domain_id = "td-Weird_ID.123"
  name            = "Weird Cluster"
  platform        = "linux"
}

import {
  to = spirl_trust_domain.weird
  id = "td-Weird_ID.123"
}

resource "spirl_trust_domain" "weird" {
  domain_name = "weird.example"
}
"#,
    );
    let realm_reads = h.mock_requests("/com.spirl.api.v1.realm.API/ListRealms");
    let planned = h.tf(&["plan", "-input=false", "-no-color"]);
    assert_ne!(planned.code, 0, "{planned}");
    let said = planned.said();
    // Not refused for their shape: each id was looked up, and the control plane has none.
    for not_found in [
        "No realm has the id \"rlm-Weird_ID.123\"",
        "has no cluster named \"Weird Cluster\"",
        "No trust domain has the id or domain name \"td-Weird_ID.123\"",
    ] {
        assert!(said.contains(not_found), "{not_found}: {said}");
    }
    assert!(!said.contains("is not a"), "{said}");
    assert!(
        h.mock_requests("/com.spirl.api.v1.realm.API/ListRealms") > realm_reads,
        "the realm id reached the mock"
    );
}
