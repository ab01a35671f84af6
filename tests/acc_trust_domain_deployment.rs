//! Acceptance tests of `spirl_trust_domain_deployment` with the real Terraform CLI (run with
//! `TF_ACC=1`). The trust domain is created out of band, so these tests stand on the deployment
//! resource alone.

mod client_support;
mod common;

use std::collections::BTreeMap;

use common::Harness;
use serde_json::Value as Json;
use terraform_provider_spirl::client::{Client, CreateKey, UpdateKey};
use terraform_provider_spirl::keys::KeyPair;

/// A harness, a client for its mock, and a trust domain to deploy into.
fn start(test: &str) -> Option<(Harness, Client, String)> {
    let h = Harness::start(test)?;
    let client = client_support::client_for(h.mock(), |_| {});
    let td = h
        .block_on(client.create_trust_domain(&client_support::trust_domain("example.org")))
        .expect("create trust domain")
        .id;
    Some((h, client, td))
}

/// Like [`start`], for tests that plan a deployment: Terraform before 1.0.6 crashes on such
/// plans (hashicorp/terraform#29473), so there the provider must refuse with a clear error,
/// which this checks before skipping the rest.
fn start_planning(test: &str) -> Option<(Harness, Client, String)> {
    let (h, client, td) = start(test)?;
    if h.terraform_version() >= (1, 0, 6) {
        return Some((h, client, td));
    }
    h.write_config(&config(
        &td,
        "prod",
        "    key1 = { public_key = spirl_key_pair.a.public_key_pem }",
    ));
    let out = h.tf_err(&["plan"]);
    assert!(
        out.all().contains("Terraform 1.0.6 or later required"),
        "{out}"
    );
    assert!(!out.all().contains("TERRAFORM CRASH"), "{out}");
    assert_eq!(h.mock_objects().deployments, 0);
    eprintln!("skipped the rest of {test}: spirl_trust_domain_deployment needs Terraform 1.0.6+");
    None
}

/// A configuration with three key pairs and a deployment whose `keys` block is `keys`.
fn config(td: &str, name: &str, keys: &str) -> String {
    format!(
        r#"
resource "spirl_key_pair" "a" {{}}
resource "spirl_key_pair" "b" {{}}
resource "spirl_key_pair" "c" {{}}

resource "spirl_trust_domain_deployment" "d" {{
  trust_domain_id = "{td}"
  name            = "{name}"
  keys = {{
{keys}
  }}
}}
"#
    )
}

/// `keys` as `name -> (id, active, public_key)` from the state.
fn keys(h: &Harness) -> BTreeMap<String, (String, bool, String)> {
    let d = h.resource("spirl_trust_domain_deployment.d");
    d["keys"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    let id = v["id"].as_str().unwrap_or_default().to_owned();
                    // Unset `active` means active.
                    let active = v["active"].as_bool().unwrap_or(true);
                    let pem = v["public_key"].as_str().unwrap_or_default().to_owned();
                    (k.clone(), (id, active, pem))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The keys registered on the control plane, as `id -> active`.
fn remote_keys(h: &Harness, client: &Client, td: &str) -> BTreeMap<String, bool> {
    let id = h.resource("spirl_trust_domain_deployment.d")["id"]
        .as_str()
        .expect("deployment id")
        .to_owned();
    h.block_on(client.get_deployment(td, &id))
        .expect("get deployment")
        .keys
        .into_iter()
        .map(|k| (k.id, k.active))
        .collect()
}

/// Which `keys` entries have an unknown `id` in a saved plan.
fn unknown_key_ids(h: &Harness) -> Vec<String> {
    h.tf_ok(&["plan", "-out=tfplan"]);
    let plan: Json =
        serde_json::from_str(&h.tf_ok(&["show", "-json", "tfplan"]).stdout).expect("plan JSON");
    let change = plan["resource_changes"]
        .as_array()
        .expect("resource_changes")
        .iter()
        .find(|c| c["address"] == "spirl_trust_domain_deployment.d")
        .expect("the deployment changes")
        .clone();
    assert_eq!(change["change"]["actions"], serde_json::json!(["update"]));
    let mut unknown: Vec<String> = change["change"]["after_unknown"]["keys"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(_, v)| v["id"] == Json::Bool(true))
                .map(|(k, _)| k.clone())
                .collect()
        })
        .unwrap_or_default();
    unknown.sort();
    unknown
}

#[test]
fn trust_domain_deployment_lifecycle() {
    let Some((h, client, td)) = start_planning("deployment_lifecycle") else {
        return;
    };

    // Create with two keys, one disabled.
    h.write_config(&config(
        &td,
        "eks-alb-demo",
        r#"    key1 = { public_key = spirl_key_pair.a.public_key_pem, active = true }
    key2 = { public_key = spirl_key_pair.b.public_key_pem, active = false }"#,
    ));
    h.apply();
    let d = h.resource("spirl_trust_domain_deployment.d");
    let deployment_id = d["id"].as_str().expect("id").to_owned();
    assert!(deployment_id.starts_with("tdd-"), "{d}");
    assert_eq!(d["trust_domain_id"], td.as_str());
    assert_eq!(d["name"], "eks-alb-demo");
    let created = keys(&h);
    assert_eq!(created.len(), 2);
    assert!(created["key1"].0.starts_with("tdk-") && created["key1"].1);
    assert!(created["key2"].0.starts_with("tdk-") && !created["key2"].1);
    assert_eq!(
        created["key1"].2,
        h.resource("spirl_key_pair.a")["public_key_pem"]
    );
    assert_eq!(
        remote_keys(&h, &client, &td),
        BTreeMap::from([
            (created["key1"].0.clone(), true),
            (created["key2"].0.clone(), false)
        ])
    );
    h.assert_plan_empty();

    // Import by `td-…/name` and compare: the same deployment and the same registered keys.
    h.tf_ok(&["state", "rm", "spirl_trust_domain_deployment.d"]);
    h.tf_ok(&[
        "import",
        "spirl_trust_domain_deployment.d",
        &format!("{td}/eks-alb-demo"),
    ]);
    let imported = h.resource("spirl_trust_domain_deployment.d");
    assert_eq!(imported["id"], deployment_id.as_str());
    assert_eq!(imported["name"], "eks-alb-demo");
    let by_id: BTreeMap<String, (bool, String)> = keys(&h)
        .into_values()
        .map(|(id, active, pem)| (id, (active, pem)))
        .collect();
    for (id, active, pem) in created.values() {
        assert_eq!(
            by_id.get(id),
            Some(&(*active, pem.clone())),
            "key {id} imported"
        );
    }
    // Imported keys are named by id; applying the configuration renames them without
    // touching the registrations, and the plan says so: every id is known.
    assert_eq!(unknown_key_ids(&h), Vec::<String>::new());
    h.apply();
    assert_eq!(keys(&h), created);
    h.assert_plan_empty();

    // In place: enable key2, remove key1, add key3.
    h.write_config(&config(
        &td,
        "eks-alb-demo",
        r#"    key2 = { public_key = spirl_key_pair.b.public_key_pem, active = true }
    key3 = { public_key = spirl_key_pair.c.public_key_pem }"#,
    ));
    assert_eq!(unknown_key_ids(&h), ["key3"]);
    h.apply();
    let updated = keys(&h);
    assert_eq!(
        h.resource("spirl_trust_domain_deployment.d")["id"],
        deployment_id.as_str()
    );
    assert_eq!(updated["key2"].0, created["key2"].0, "key2 keeps its id");
    assert!(updated["key2"].1, "key2 enabled");
    assert!(
        remote_keys(&h, &client, &td)[&updated["key3"].0],
        "unset active means active"
    );
    assert_eq!(
        remote_keys(&h, &client, &td),
        BTreeMap::from([
            (updated["key2"].0.clone(), true),
            (updated["key3"].0.clone(), true)
        ])
    );
    h.assert_plan_empty();

    // Re-key key2: only its id is unknown in the plan; key3 keeps its id.
    h.write_config(&config(
        &td,
        "eks-alb-demo",
        r#"    key2 = { public_key = spirl_key_pair.a.public_key_pem, active = true }
    key3 = { public_key = spirl_key_pair.c.public_key_pem }"#,
    ));
    assert_eq!(unknown_key_ids(&h), ["key2"]);
    h.apply();
    let rekeyed = keys(&h);
    assert_ne!(rekeyed["key2"].0, updated["key2"].0);
    assert_eq!(rekeyed["key3"].0, updated["key3"].0);
    assert_eq!(remote_keys(&h, &client, &td).len(), 2);
    h.assert_plan_empty();

    // A new name replaces the deployment.
    h.write_config(&config(
        &td,
        "production",
        r#"    key1 = { public_key = spirl_key_pair.a.public_key_pem }"#,
    ));
    h.apply();
    let replaced = h.resource("spirl_trust_domain_deployment.d");
    assert_ne!(replaced["id"], deployment_id.as_str());
    assert_eq!(replaced["name"], "production");
    let objects = h.mock_objects();
    assert_eq!((objects.deployments, objects.keys), (1, 1));
    h.assert_plan_empty();

    h.destroy();
    let objects = h.mock_objects();
    assert_eq!((objects.deployments, objects.keys), (0, 0));
}

#[test]
fn trust_domain_deployment_drift_is_repaired() {
    let Some((h, client, td)) = start_planning("deployment_drift") else {
        return;
    };
    h.write_config(&config(
        &td,
        "prod",
        r#"    key1 = { public_key = spirl_key_pair.a.public_key_pem }
    key2 = { public_key = spirl_key_pair.b.public_key_pem }"#,
    ));
    h.apply();
    let before = keys(&h);
    let dep = h.resource("spirl_trust_domain_deployment.d")["id"]
        .as_str()
        .expect("id")
        .to_owned();

    // key1 disabled, key2 deleted, and a rogue key added, all out of band.
    let rogue = h
        .block_on(async {
            let body = UpdateKey { active: false };
            client
                .update_key(&td, &dep, &before["key1"].0, &body)
                .await?;
            client.delete_key(&td, &dep, &before["key2"].0).await?;
            let body = CreateKey {
                public_key: KeyPair::generate().public_key().to_pem(),
                active: true,
            };
            client.create_key(&td, &dep, &body).await
        })
        .expect("out-of-band changes");
    let out = h.tf(&["plan", "-detailed-exitcode", "-no-color"]);
    assert_eq!(out.code, 2, "the drift shows as a diff:\n{out}");
    assert!(
        out.stdout.contains(&rogue.id),
        "the rogue key is shown:\n{out}"
    );
    h.apply();
    let after = keys(&h);
    assert_eq!(
        after["key1"].0, before["key1"].0,
        "key1 is re-enabled, not replaced"
    );
    assert!(after["key1"].1);
    let remote = remote_keys(&h, &client, &td);
    assert_eq!(remote.len(), 2, "{remote:?}");
    assert!(!remote.contains_key(&rogue.id), "the rogue key is removed");
    assert!(remote.values().all(|active| *active));
    h.assert_plan_empty();

    // The whole deployment deleted out of band: the plan recreates it.
    h.block_on(client.delete_deployment(&td, &dep, true))
        .expect("delete out of band");
    let out = h.tf(&["plan", "-detailed-exitcode", "-no-color"]);
    assert_eq!(out.code, 2, "{out}");
    h.apply();
    assert_ne!(
        h.resource("spirl_trust_domain_deployment.d")["id"],
        dep.as_str()
    );
    assert_eq!(h.mock_objects().keys, 2);
    h.assert_plan_empty();
    h.destroy();
    assert_eq!(h.mock_objects().deployments, 0);
}

#[test]
fn trust_domain_deployment_invalid_inputs_fail_plan() {
    let Some((h, _client, td)) = start("deployment_invalid") else {
        return;
    };
    let private = KeyPair::generate().private_key_pem().expose().to_owned();
    let public = KeyPair::generate().public_key().to_pem();
    let cases = [
        ("", format!("k = {{ public_key = {public:?} }}"), "name"),
        ("Prod", format!("k = {{ public_key = {public:?} }}"), "name"),
        (
            "prod",
            "k = { public_key = \"garbage\" }".to_owned(),
            "keys[\"k\"].public_key",
        ),
        (
            "prod",
            format!("k = {{ public_key = {private:?} }}"),
            "keys[\"k\"].public_key",
        ),
        (
            "prod",
            format!("k = {{ public_key = {:?} }}", format!("{public}trailing")),
            "keys[\"k\"].public_key",
        ),
    ];
    for (name, keys, attribute) in cases {
        h.write_config(&config(&td, name, &format!("    {keys}")));
        let out = h.tf_err(&["plan"]);
        assert!(
            out.all().contains(attribute),
            "{name} {keys}: names {attribute}:\n{out}"
        );
        assert!(
            !out.all().contains(&private),
            "the private key is not echoed"
        );
    }
    let objects = h.mock_objects();
    assert_eq!(
        (objects.deployments, objects.keys),
        (0, 0),
        "nothing was created"
    );
}
