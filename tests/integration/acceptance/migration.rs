//! Migration from the official provider `spirl/spirl` v0.12.1, with the real Terraform CLI
//! against the mock (run with `TF_ACC=1`). The module is `tests/fixtures/official-v0.12.1`: every
//! resource and data source of the official docs, as its examples use them.
//!
//! - State the official provider wrote holds only its own attributes (none of ours, such as key
//!   fingerprints, `public_key_wo_version` or `timeouts`; `num_version_history` at its default 10;
//!   no `id` on three of the configuration resources). For every resource type such a state
//!   plans with no error and no replacement, and one apply leaves the next plan empty.
//! - Objects made elsewhere (the console, another workspace) are adopted the way people adopt many
//!   at once: `import` blocks with the official id formats only, `terraform plan
//!   -generate-config-out`, and the plan then shows only imports: nothing to add, change or
//!   destroy. Applying it writes nothing to the control plane.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use crate::support::Harness;
use serde_json::Value as Json;

/// The data sources of the official provider v0.12.1 (its `docs/data-sources/*.md`), sorted.
const OFFICIAL_DATA_SOURCES: [&str; 6] = [
    "spirl_cicd_profile",
    "spirl_cluster",
    "spirl_delegated_admin",
    "spirl_realm",
    "spirl_service_account",
    "spirl_trust_domain",
];

/// The attributes each resource type of the official provider v0.12.1 documents (its
/// `docs/resources/*.md`); a nested attribute's own attributes after a `.`.
const OFFICIAL_ATTRIBUTES: [(&str, &[&str]); 14] = [
    (
        "spirl_trust_domain",
        &[
            "id",
            "domain_name",
            "description",
            "self_hosted",
            "jwt_issuer_mode",
            "jwt_issuer",
            "created_at",
            "updated_at",
            "jwks_endpoint",
            "oidc_discovery_endpoint",
            "spiffe_bundle_endpoint",
            "spirl_agent_endpoint",
        ],
    ),
    (
        "spirl_trust_domain_deployment",
        &[
            "id",
            "trust_domain_id",
            "name",
            "keys",
            "keys.id",
            "keys.public_key",
            "keys.active",
        ],
    ),
    (
        "spirl_cluster",
        &[
            "id",
            "trust_domain_id",
            "name",
            "platform",
            "public_key",
            "description",
            "num_version_history",
            "path_template",
            "x509_customization_template",
            "jwt_customization_template",
            "provider_attestation_id",
            "realm_name",
            "realm_id",
            "k8s_psat",
            "created_at",
            "version_id",
            "version_created_at",
        ],
    ),
    ("spirl_provider_attestation_config", &["id", "name", "aws"]),
    ("spirl_cicd_profile", &["id", "name", "issuer", "jwks_url"]),
    (
        "spirl_cicd_profile_link",
        &["id", "cicd_profile_id", "cluster_id"],
    ),
    (
        "spirl_realm",
        &["id", "trust_domain_id", "name", "created_at"],
    ),
    (
        "spirl_realm_role_assignment",
        &[
            "id",
            "trust_domain_id",
            "realm_name",
            "role_name",
            "user_email",
            "service_account_name",
            "created_at",
        ],
    ),
    (
        "spirl_federation_link",
        &[
            "id",
            "trust_domain_id",
            "foreign_trust_domain_name",
            "endpoint_url",
        ],
    ),
    (
        "spirl_org_config",
        &["id", "sections", "version", "updated_at"],
    ),
    (
        "spirl_trust_domain_config",
        &["trust_domain_id", "sections", "version", "updated_at"],
    ),
    (
        "spirl_cluster_config",
        &["cluster_id", "sections", "version", "updated_at"],
    ),
    (
        "spirl_trust_domain_deployment_config",
        &[
            "trust_domain_deployment_id",
            "sections",
            "version",
            "updated_at",
        ],
    ),
    (
        "spirl_key_pair",
        &["id", "algorithm", "private_key_pem", "public_key_pem"],
    ),
];

/// The official provider's default of `num_version_history`, which its states carry.
const OFFICIAL_VERSION_HISTORY: i64 = 10;

fn official_attributes(kind: &str) -> &'static [&'static str] {
    OFFICIAL_ATTRIBUTES
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, attrs)| *attrs)
        .unwrap_or_else(|| panic!("{kind} is not a type of the official provider"))
}

/// `attributes` with only what the official provider stores for `kind`.
fn as_official(kind: &str, attributes: &Json) -> Json {
    let keep = official_attributes(kind);
    let mut out = serde_json::Map::new();
    for (name, value) in attributes.as_object().unwrap() {
        if !keep.contains(&name.as_str()) {
            continue;
        }
        let nested: Vec<&str> = keep
            .iter()
            .filter_map(|a| a.strip_prefix(&format!("{name}.")))
            .collect();
        let value = match value {
            // A map of nested objects (the deployment's keys): each element trimmed.
            Json::Object(entries) if !nested.is_empty() => Json::Object(
                entries
                    .iter()
                    .map(|(k, entry)| {
                        let trimmed = entry
                            .as_object()
                            .unwrap()
                            .iter()
                            .filter(|(a, _)| nested.contains(&a.as_str()))
                            .map(|(a, v)| (a.clone(), v.clone()))
                            .collect();
                        (k.clone(), Json::Object(trimmed))
                    })
                    .collect(),
            ),
            other => other.clone(),
        };
        out.insert(name.clone(), value);
    }
    if kind == "spirl_cluster" && out["num_version_history"].is_null() {
        out.insert(
            "num_version_history".into(),
            Json::from(OFFICIAL_VERSION_HISTORY),
        );
    }
    Json::Object(out)
}

/// Rewrites `terraform.tfstate` as the official provider would have written it, and returns how
/// many attributes of ours it dropped, per resource type.
fn rewrite_state_as_official(h: &Harness) -> BTreeMap<String, usize> {
    let path = h.path().join("terraform.tfstate");
    let mut state: Json = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let mut dropped = BTreeMap::new();
    for resource in state["resources"].as_array_mut().unwrap() {
        if resource["mode"] != "managed" {
            continue;
        }
        let kind = resource["type"].as_str().unwrap().to_owned();
        for instance in resource["instances"].as_array_mut().unwrap() {
            let official = as_official(&kind, &instance["attributes"]);
            *dropped.entry(kind.clone()).or_default() +=
                usize::from(instance["attributes"] != official);
            instance["attributes"] = official;
            instance["schema_version"] = Json::from(0);
            instance["sensitive_attributes"] = Json::Array(Vec::new());
            instance.as_object_mut().unwrap().remove("private");
        }
    }
    let serial = state["serial"].as_u64().unwrap();
    state["serial"] = Json::from(serial + 1);
    std::fs::write(&path, serde_json::to_string_pretty(&state).unwrap()).unwrap();
    dropped
}

/// The planned actions of every resource change in a saved plan, by address.
fn planned_actions(h: &Harness) -> BTreeMap<String, Vec<String>> {
    h.tf_ok(&["plan", "-input=false", "-out=migration.tfplan"]);
    let shown = h.tf_ok(&["show", "-json", "migration.tfplan"]);
    let plan: Json = serde_json::from_str(&shown.stdout).unwrap();
    plan["resource_changes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            let actions = c["change"]["actions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().to_owned())
                .collect();
            (c["address"].as_str().unwrap().to_owned(), actions)
        })
        .collect()
}

#[test]
fn migration_state_written_by_the_official_provider_plans_without_replacement() {
    let Some(h) = crate::support::start_official_module("migration_official_state") else {
        return;
    };
    h.apply();
    let objects = h.mock_objects();
    let dropped = rewrite_state_as_official(&h);
    // Every managed type of the official docs is in the module.
    let types: Vec<&str> = dropped.keys().map(String::as_str).collect();
    let mut official: Vec<&str> = OFFICIAL_ATTRIBUTES.iter().map(|(k, _)| *k).collect();
    official.sort_unstable();
    assert_eq!(types, official);
    // And every data source of the official docs.
    let mut data: Vec<String> = h.state()["values"]["root_module"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["mode"] == "data")
        .map(|r| r["type"].as_str().unwrap().to_owned())
        .collect();
    data.sort_unstable();
    data.dedup();
    assert_eq!(data, OFFICIAL_DATA_SOURCES);
    // The rewrite took something away (our extra attributes), or there is nothing to prove.
    for kind in [
        "spirl_trust_domain_deployment",
        "spirl_key_pair",
        "spirl_cluster",
    ] {
        assert!(dropped[kind] > 0, "{kind}: {dropped:?}");
    }
    for (address, actions) in planned_actions(&h) {
        assert!(
            actions == ["no-op"] || actions == ["update"] || actions == ["read"],
            "{address} plans {actions:?}: the official provider's state must not be replaced"
        );
    }
    h.apply();
    h.assert_plan_empty();
    assert_eq!(h.mock_objects(), objects, "the migration created nothing");
    // What ours adds is filled in again: derived encodings, fingerprints the API reports.
    let key = h.resource("spirl_key_pair.cluster");
    assert!(
        key["public_key_openssh"]
            .as_str()
            .unwrap()
            .starts_with("ssh-ed25519 "),
        "{key}"
    );
    let deployment = h.resource("spirl_trust_domain_deployment.server");
    assert_eq!(
        deployment["keys"]["key1"]["public_key_fingerprint_sha256"],
        h.resource("spirl_key_pair.server")["public_key_fingerprint_sha256"]
    );
    h.destroy();
    assert_eq!(h.mock_objects(), spirl_mock_api::ObjectCounts::default());
}

/// The `import` block id of `address` in the official provider's formats (its docs' `terraform
/// import` examples), from the resource's state; `None` for a type with no import.
fn import_id(kind: &str, v: &Json) -> Option<String> {
    let s = |a: &str| v[a].as_str().unwrap_or_default().to_owned();
    Some(match kind {
        "spirl_trust_domain" | "spirl_realm" | "spirl_realm_role_assignment" => s("id"),
        "spirl_trust_domain_deployment" | "spirl_cluster" => {
            format!("{}/{}", s("trust_domain_id"), s("name"))
        }
        "spirl_provider_attestation_config" | "spirl_cicd_profile" => s("name"),
        "spirl_cicd_profile_link" => format!("{}:{}", s("cicd_profile_id"), s("cluster_id")),
        "spirl_federation_link" => format!(
            "{}/{}",
            s("trust_domain_id"),
            s("foreign_trust_domain_name")
        ),
        "spirl_org_config" => "ORG".into(),
        "spirl_trust_domain_config" => s("trust_domain_id"),
        "spirl_cluster_config" => s("cluster_id"),
        "spirl_trust_domain_deployment_config" => s("trust_domain_deployment_id"),
        _ => return None,
    })
}

/// The one JSON line of `terraform plan -json` output of `type`.
fn json_line(out: &crate::support::TfOutput, kind: &str) -> Json {
    out.stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Json>(l).ok())
        .find(|l| l["type"] == kind)
        .unwrap_or_else(|| panic!("no {kind} line:\n{out}"))
}

/// The `required_providers` block of a configuration written for the official provider.
const OFFICIAL_REQUIRED_PROVIDERS: &str = "terraform {\n  required_providers {\n    spirl = {\n      source  = \"spirl/spirl\"\n      version = \"~> 0.12\"\n    }\n  }\n}\n";

/// Adopts the objects that `imports` (a configuration of `import` blocks only) names, the way
/// people adopt many objects at once, after removing the configuration and state that made
/// them: `terraform plan -generate-config-out`, `validate`, a plan that shows only the imports
/// (nothing to add, change or destroy), and an apply that writes nothing to the control plane
/// and leaves the next plan empty. Returns the generated configuration.
pub(crate) fn adopt_with_generated_configuration(h: &Harness, imports: &str) -> String {
    for file in ["main.tf", "terraform.tfstate", "terraform.tfstate.backup"] {
        let _ = std::fs::remove_file(h.path().join(file));
    }
    let objects = h.mock_objects();
    h.write_file("imports.tf", imports);
    let generated = h.tf(&[
        "plan",
        "-input=false",
        "-no-color",
        "-generate-config-out=generated.tf",
    ]);
    assert_eq!(
        generated.code, 0,
        "generate-config-out failed:\n{generated}"
    );
    let config = std::fs::read_to_string(h.path().join("generated.tf")).unwrap();
    h.tf_ok(&["validate"]);

    let plan = h.tf(&["plan", "-input=false", "-no-color", "-json"]);
    assert_eq!(plan.code, 0, "{plan}");
    let summary = json_line(&plan, "change_summary");
    let changes = &summary["changes"];
    assert_eq!(
        (
            &changes["add"],
            &changes["change"],
            &changes["remove"],
            &changes["import"]
        ),
        (
            &Json::from(0),
            &Json::from(0),
            &Json::from(0),
            &Json::from(imports.matches("import {").count())
        ),
        "{summary}\n{config}"
    );
    h.apply();
    h.assert_plan_empty();
    assert_eq!(h.mock_objects(), objects, "importing wrote nothing");
    config
}

#[test]
fn migration_import_blocks_and_generated_configuration_plan_only_imports() {
    let Some(h) = crate::support::start_official_module("migration_generate_config") else {
        return;
    };
    h.apply();
    // The objects now exist "elsewhere": a new configuration knows only their ids.
    let state = h.state();
    let mut imports = String::from(OFFICIAL_REQUIRED_PROVIDERS);
    let mut kinds = Vec::new();
    for r in state["values"]["root_module"]["resources"]
        .as_array()
        .unwrap()
    {
        let kind = r["type"].as_str().unwrap();
        if r["mode"] != "managed" {
            continue;
        }
        let Some(id) = import_id(kind, &r["values"]) else {
            assert_eq!(kind, "spirl_key_pair", "every other type imports");
            continue;
        };
        kinds.push(kind.to_owned());
        imports.push_str(&format!(
            "\nimport {{\n  to = {}\n  id = {:?}\n}}\n",
            r["address"].as_str().unwrap(),
            id
        ));
    }
    kinds.sort();
    kinds.dedup();
    assert_eq!(kinds.len(), 13, "{kinds:?}");
    let config = adopt_with_generated_configuration(&h, &imports);
    // The trust domain with the built-in issuer carries its effective issuer, which is accepted.
    assert!(config.contains("jwt_issuer_mode = \"builtin\""), "{config}");

    // The built-in issuer may be written out; another one is refused at it, naming the right one.
    let builtin = h.resource("spirl_trust_domain.main")["jwt_issuer"]
        .as_str()
        .unwrap()
        .to_owned();
    let wrong = config.replace(&builtin, "https://wrong.example.com");
    assert_ne!(wrong, config);
    h.write_file("generated.tf", &wrong);
    let refused = h.tf_err(&["plan", "-input=false"]);
    let text = refused.all();
    assert!(
        text.contains("jwt_issuer is not the built-in issuer") && text.contains(&builtin),
        "{refused}"
    );
    h.write_file("generated.tf", &config);
    // A generated configuration has literal ids, no references, so Terraform does not order the
    // deletes: what the control plane refuses while a dependant exists goes in a later round.
    (1..=6)
        .find(|_| h.tf(&["destroy", "-auto-approve", "-input=false"]).code == 0)
        .expect("destroy succeeds within 6 rounds");
    assert_eq!(h.mock_objects(), spirl_mock_api::ObjectCounts::default());
}
