//! Acceptance tests of `spirl_realm` (resource and data source) with the real Terraform CLI
//! against the gRPC mock (run with `TF_ACC=1`).

use crate::support::{Harness, out_of_band_client};
use terraform_provider_spirl::client::{ClusterVersionSpec, CreateCluster, Platform};
use terraform_provider_spirl::keys::KeyPair;

const ADDRESS: &str = "spirl_realm.production";

/// A trust domain, realm `name`, and the data source reading it back.
fn config(name: &str) -> String {
    format!(
        r#"
resource "spirl_trust_domain" "td" {{
  domain_name = "realms.example.org"
}}

resource "spirl_realm" "production" {{
  trust_domain_id = spirl_trust_domain.td.id
  name            = "{name}"
}}

data "spirl_realm" "read" {{
  trust_domain_id = spirl_realm.production.trust_domain_id
  name            = spirl_realm.production.name
}}

output "read" {{
  value = data.spirl_realm.read
}}
"#
    )
}

#[test]
fn realm_lifecycle_create_import_replace_refused_delete_destroy() {
    let Some(h) = Harness::start("realm_lifecycle") else {
        return;
    };
    h.write_config(&config("production"));
    let out = h.apply();
    assert!(!out.all().contains("inconsistent"), "{out}");
    let created = h.resource(ADDRESS);
    let id = created["id"].as_str().expect("id").to_owned();
    assert!(id.starts_with("rlm-"), "{created}");
    assert_eq!(created["name"], "production");
    let td = h.resource("spirl_trust_domain.td");
    assert_eq!(created["trust_domain_id"], td["id"]);
    humantime::parse_rfc3339(created["created_at"].as_str().expect("created_at"))
        .expect("RFC 3339");
    // The data source reads exactly what the resource holds.
    assert_eq!(h.outputs()["read"], created);
    h.assert_plan_empty();

    // Import by id (the API has no get by id: found by listing) gives the same state.
    h.tf_ok(&["state", "rm", ADDRESS]);
    h.tf_ok(&["import", ADDRESS, &id]);
    assert_eq!(h.resource(ADDRESS), created);
    h.assert_plan_empty();
    // Import of what is no realm id, or of an unknown one, says what to give instead.
    h.tf_ok(&["state", "rm", ADDRESS]);
    for (bad, said) in [
        ("production", "not a realm id"),
        ("rlm-unknown0", "No realm"),
    ] {
        let out = h.tf_err(&["import", ADDRESS, bad]);
        assert!(out.said().contains(said), "{out}");
    }
    h.tf_ok(&["import", ADDRESS, &id]);

    // No update RPC: a new name replaces the realm.
    h.write_config(&config("staging"));
    let plan = h.tf_ok(&["plan"]);
    assert!(plan.stdout.contains("must be replaced"), "{plan}");
    assert!(
        plan.stdout.contains("1 to add, 0 to change, 1 to destroy"),
        "{plan}"
    );
    h.apply();
    let renamed = h.resource(ADDRESS);
    assert_ne!(renamed["id"], id.as_str());
    assert_eq!(renamed["name"], "staging");
    assert_eq!(h.mock_objects().realms, 1);
    h.assert_plan_empty();
    let id = renamed["id"].as_str().expect("id").to_owned();

    // Deleted out of band: the plan recreates it, the apply repairs it.
    let client = out_of_band_client(h.mock());
    h.block_on(client.delete_realm(&id))
        .expect("delete out of band");
    h.assert_plan_changes("1 to add, 0 to change, 0 to destroy");
    h.apply();
    let repaired = h.resource(ADDRESS);
    assert_ne!(repaired["id"], id.as_str());
    h.assert_plan_empty();
    let id = repaired["id"].as_str().expect("id").to_owned();

    // A cluster made outside Terraform in the realm: destroy is refused, naming it and what to
    // do, and nothing is lost.
    let td_id = td["id"].as_str().expect("td id").to_owned();
    let body = CreateCluster {
        trust_domain_id: td_id.clone(),
        name: "outsider".into(),
        description: String::new(),
        platform: Platform::Kubernetes,
        realm_id: id.clone(),
        version: ClusterVersionSpec {
            public_key_der: KeyPair::generate().public_key().to_spki_der(),
            ..ClusterVersionSpec::default()
        },
    };
    h.block_on(client.create_cluster(&body))
        .expect("cluster out of band");
    let out = h.tf_err(&["destroy", "-auto-approve"]);
    let said = out.said();
    assert!(said.contains("Could not delete realm"), "{out}");
    assert!(said.contains("`outsider`"), "names the cluster: {out}");
    assert!(said.contains("spirl_cluster"), "says what to do: {out}");
    assert!(!said.contains("panic"), "{out}");
    assert_eq!(h.mock_objects().realms, 1, "the realm stays");
    let cluster = h
        .block_on(client.find_cluster(&td_id, "outsider"))
        .expect("list")
        .expect("cluster");
    h.block_on(client.delete_cluster(&cluster.id))
        .expect("delete cluster");
    h.destroy();
    assert_eq!(h.mock_objects(), Default::default());
}
