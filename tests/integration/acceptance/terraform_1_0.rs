//! Acceptance test with Terraform 1.0.3, the oldest Terraform the official provider supports
//! (run with `TF_ACC=1`; `scripts/setup.sh` keeps it in `tools/terraform-1.0.3`): one
//! configuration using every resource type and every data source the provider has, except
//! `spirl_trust_domain_deployment` (Terraform 1.0.0–1.0.5 crash on its map-nested `keys`, see
//! hashicorp/terraform#29473; the resource says so at plan time), applies, plans empty, changes
//! in place, and destroys, leaving the mock as it found it.
//!
//! Terraform 1.0.x has its own bugs with protocol-6 nested attributes, so this test is what
//! keeps nested attributes out of every other type (`timeouts` is a block for that reason).

use std::collections::BTreeSet;

use super::spirlctl::{spirlctl_login, without_key};
use crate::support::{Harness, official_principals, out_of_band_client, trust_domain};
use serde_json::Value as Json;
use terraform_provider_spirl::keys::KeyPair;

/// The resource types this test leaves out, each with the reason.
const NOT_ON_1_0_3: [&str; 1] = [
    // Terraform 1.0.0–1.0.5 crash planning a map of nested objects with computed attributes;
    // the resource refuses those versions at plan time with an error that says so.
    "spirl_trust_domain_deployment",
];

/// Every resource and data source but the deployment. `{tdd}` is a deployment made out of
/// band (in a trust domain made out of band), for `spirl_trust_domain_deployment_config`;
/// `{create}` is `timeouts.create` of the hosted trust domain and `{mode}` the JWT issuer mode
/// of the first, so that a second apply changes both in place.
fn config(tdd: &str, create: &str, mode: &str) -> String {
    format!(
        r#"
resource "spirl_trust_domain" "td" {{
  domain_name     = "legacy.example.org"
  jwt_issuer_mode = "{mode}"
}}

# SPIRL-hosted: create waits for provisioning, at most timeouts.create.
resource "spirl_trust_domain" "hosted" {{
  domain_name = "hosted.example.org"
  self_hosted = false

  timeouts {{
    create = "{create}"
  }}
}}

resource "spirl_trust_domain" "partner" {{
  domain_name = "partner.example.org"
}}

data "spirl_trust_domain" "read" {{
  domain_name = spirl_trust_domain.td.domain_name
  depends_on  = [spirl_trust_domain.td]
}}

resource "spirl_key_pair" "cluster" {{
  algorithm = "ed25519"
}}

resource "spirl_realm" "production" {{
  trust_domain_id = spirl_trust_domain.td.id
  name            = "production"
}}

data "spirl_realm" "production" {{
  trust_domain_id = spirl_realm.production.trust_domain_id
  name            = spirl_realm.production.name
}}

resource "spirl_provider_attestation_config" "aws" {{
  name = "legacy-attestation"
  aws {{
    role_arn = "arn:aws:iam::123456789012:role/legacy"
  }}
}}

resource "spirl_cluster" "keyed" {{
  trust_domain_id         = spirl_trust_domain.td.id
  realm_name              = spirl_realm.production.name
  name                    = "keyed"
  platform                = "eks"
  public_key              = spirl_key_pair.cluster.public_key_pem
  provider_attestation_id = spirl_provider_attestation_config.aws.id
}}

resource "spirl_cluster" "psat" {{
  trust_domain_id = spirl_trust_domain.td.id
  name            = "psat"
  platform        = "k8s"

  k8s_psat {{
    issuer_url = "https://oidc.eks.us-west-2.amazonaws.com/id/LEGACY"
  }}
}}

data "spirl_cluster" "keyed" {{
  trust_domain_id = spirl_cluster.keyed.trust_domain_id
  name            = spirl_cluster.keyed.name
}}

resource "spirl_cluster_config" "keyed" {{
  cluster_id = spirl_cluster.keyed.id
  sections = {{
    AttributeRedaction = <<-YAML
      section: AttributeRedaction
      schema: v1
      spec:
        policy:
          allowList:
            filters:
              - kubernetes.pod.namespace
    YAML
  }}
}}

resource "spirl_cicd_profile" "gitlab" {{
  name   = "legacy-gitlab"
  issuer = "https://gitlab.com"
}}

resource "spirl_cicd_profile_link" "gitlab" {{
  cicd_profile_id = spirl_cicd_profile.gitlab.id
  cluster_id      = spirl_cluster.keyed.id
}}

data "spirl_cicd_profile" "gitlab" {{
  name = spirl_cicd_profile.gitlab.name
}}

resource "spirl_federation_link" "partner" {{
  trust_domain_id           = spirl_trust_domain.td.id
  foreign_trust_domain_name = spirl_trust_domain.partner.domain_name
  endpoint_url              = spirl_trust_domain.partner.spiffe_bundle_endpoint
}}

# Service accounts are made by people: this Terraform signs in with a spirlctl session.
resource "spirl_service_account" "ci" {{
  name      = "legacy-ci"
  role_name = "Operator"
}}

resource "spirl_service_account_key" "ci" {{
  service_account_id = spirl_service_account.ci.id
  public_key         = spirl_key_pair.cluster.public_key_pem
}}

resource "spirl_realm_role_assignment" "user_admin" {{
  trust_domain_id = spirl_trust_domain.td.id
  realm_name      = spirl_realm.production.name
  role_name       = "Administrator"
  user_email      = "admin@example.com"
}}

resource "spirl_realm_role_assignment" "sa_admin" {{
  trust_domain_id      = spirl_trust_domain.td.id
  realm_name           = spirl_realm.production.name
  role_name            = "Administrator"
  service_account_name = "automation-sa"
}}

data "spirl_service_account" "automation" {{
  name = "automation-sa"
}}

data "spirl_delegated_admin" "by_user" {{
  trust_domain_id = spirl_realm_role_assignment.user_admin.trust_domain_id
  realm_name      = spirl_realm_role_assignment.user_admin.realm_name
  user_email      = spirl_realm_role_assignment.user_admin.user_email
}}

resource "spirl_org_config" "org" {{
  sections = {{}}
}}

resource "spirl_trust_domain_config" "td" {{
  trust_domain_id = spirl_trust_domain.td.id
  sections = {{
    AttributeRedaction = <<-YAML
      section: AttributeRedaction
      schema: v1
      spec:
        policy:
          allowList:
            filters:
              - kubernetes.pod.service_account
    YAML
  }}
}}

resource "spirl_trust_domain_deployment_config" "out_of_band" {{
  trust_domain_deployment_id = "{tdd}"
  sections = {{
    KeyManager = <<-YAML
      section: KeyManager
      schema: v1
      spec:
        extensions:
          awsKMS:
            region: eu-central-1
    YAML
  }}
}}

data "spirl_alb_ingress_annotations" "agents" {{}}

data "spirl_server_monitoring" "servers" {{
  latency_metrics_enabled = true
}}

output "read" {{
  value = {{
    trust_domain   = data.spirl_trust_domain.read.id
    realm          = data.spirl_realm.production.id
    cluster        = data.spirl_cluster.keyed.id
    cicd_profile   = data.spirl_cicd_profile.gitlab.id
    sa             = data.spirl_service_account.automation.id
    admin          = data.spirl_delegated_admin.by_user.assignment_id
    annotations    = length(data.spirl_alb_ingress_annotations.agents.annotations)
    alert_names    = length(data.spirl_server_monitoring.servers.alert_names)
  }}
}}
"#
    )
}

/// The `type` of every resource and data source block in `hcl` (`resource "t" "n" {`).
fn types_in(hcl: &str, kind: &str) -> BTreeSet<String> {
    hcl.lines()
        .filter_map(|l| l.strip_prefix(&format!("{kind} \"")))
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect()
}

/// The resource and data-source types the provider offers, as Terraform 1.0.3 sees them.
fn provider_types(h: &Harness) -> (BTreeSet<String>, BTreeSet<String>) {
    let out = h.tf_ok(&["providers", "schema", "-json"]);
    let schemas: Json = serde_json::from_str(&out.stdout).expect("providers schema -json");
    let provider = schemas["provider_schemas"]
        .as_object()
        .and_then(|p| p.values().next())
        .expect("one provider")
        .clone();
    let names = |key: &str| -> BTreeSet<String> {
        provider[key]
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    };
    (names("resource_schemas"), names("data_source_schemas"))
}

#[test]
fn terraform_1_0_3_applies_plans_updates_and_destroys_every_type_but_the_deployment() {
    let Some(mut h) = without_key("terraform_1_0_3", official_principals()) else {
        return;
    };
    if !h.use_legacy_terraform() {
        return;
    }
    // A person's session, since the configuration makes a service account.
    spirlctl_login(&h);

    // The deployment configuration needs a deployment, which this Terraform cannot make.
    let client = out_of_band_client(h.mock());
    let (oob_td, tdd) = h
        .block_on(async {
            let td = client
                .create_trust_domain(&trust_domain("deployments.example.org"))
                .await?;
            let key = KeyPair::generate().public_key().to_spki_der();
            client.create_key(&td, "production", &key).await?;
            let tdd = client.list_deployments(Some(&td)).await?.remove(0).id;
            Ok::<_, terraform_provider_spirl::client::ApiError>((td, tdd))
        })
        .expect("deployment made out of band");
    let before = h.mock_objects();

    let first = config(&tdd, "10m", "builtin");
    h.write_config(&first);
    // Every type the provider has is in the configuration, but the one left out on purpose.
    let (resources, data_sources) = provider_types(&h);
    let mut used = types_in(&first, "resource");
    used.extend(NOT_ON_1_0_3.iter().map(|t| (*t).to_owned()));
    assert_eq!(used, resources, "add new resource types to this test");
    assert_eq!(
        types_in(&first, "data"),
        data_sources,
        "add new data sources to this test"
    );

    // The plan-time check of the block's attribute names its path, which this Terraform shows.
    h.write_config(&first.replace("create = \"10m\"", "create = \"soon\""));
    let refused = h.tf_err(&["validate"]);
    let said = refused.said();
    assert!(
        said.contains("Invalid timeouts.create") && said.contains("create = \"soon\""),
        "{refused}"
    );
    h.write_config(&first);

    let applied = h.apply();
    assert!(!applied.all().contains("inconsistent"), "{applied}");
    assert_eq!(
        h.resource("spirl_trust_domain.hosted")["timeouts"]["create"],
        "10m"
    );
    // An absent single block is null, as Terraform expects.
    assert!(
        h.resource("spirl_trust_domain.td")["timeouts"].is_null(),
        "{}",
        h.resource("spirl_trust_domain.td")
    );
    let read = &h.outputs()["read"];
    for (output, resource) in [
        ("trust_domain", "spirl_trust_domain.td"),
        ("realm", "spirl_realm.production"),
        ("cluster", "spirl_cluster.keyed"),
        ("cicd_profile", "spirl_cicd_profile.gitlab"),
        ("admin", "spirl_realm_role_assignment.user_admin"),
    ] {
        assert_eq!(read[output], h.resource(resource)["id"], "{output}: {read}");
    }
    assert!(
        read["sa"].as_str().is_some_and(|id| id.starts_with("sa-")),
        "{read}"
    );
    assert!(
        read["annotations"].as_u64().is_some_and(|n| n > 0),
        "{read}"
    );
    assert_eq!(read["alert_names"], 10, "{read}");
    h.assert_plan_empty();

    // In place: the issuer mode (an API call) and the block's value (state only).
    h.write_config(&config(&tdd, "20m", "disabled"));
    h.assert_plan_changes("0 to add, 2 to change, 0 to destroy");
    let updated = h.apply();
    assert!(!updated.all().contains("inconsistent"), "{updated}");
    assert_eq!(h.resource("spirl_trust_domain.td")["jwt_issuer"], "");
    assert_eq!(
        h.resource("spirl_trust_domain.hosted")["timeouts"]["create"],
        "20m"
    );
    h.assert_plan_empty();

    h.destroy();
    assert_eq!(
        h.mock_objects(),
        before,
        "only the out-of-band objects remain"
    );
    h.block_on(async {
        client
            .delete_deployment(&oob_td, "production", true)
            .await?;
        client.delete_trust_domain(&oob_td).await
    })
    .expect("remove the out-of-band deployment");
    assert_eq!(h.mock_objects(), Default::default());
}
