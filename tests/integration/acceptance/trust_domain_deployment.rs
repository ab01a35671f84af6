//! Acceptance tests of `spirl_trust_domain_deployment` with the real Terraform CLI against the
//! gRPC mock (run with `TF_ACC=1`). The trust domain is created out of band, so these tests
//! stand on the deployment resource alone.

use std::collections::BTreeMap;

use crate::support::Action::{Create, Replace, Update};
use crate::support::{Harness, Is, Lifecycle, State, Step, out_of_band_client, trust_domain};
use spirl_mock_api::MockOptions;
use terraform_provider_spirl::client::Client;
use terraform_provider_spirl::keys::KeyPair;

const ADDRESS: &str = "spirl_trust_domain_deployment.d";
const TD_API: &str = "/com.spirl.api.v1.trustdomain.API/";

/// One test's world: the harness, a client for its mock, a trust domain to deploy into, and the
/// mock's data directory (its journal records every committed write in order).
struct World {
    h: Harness,
    client: Client,
    td: String,
    data_dir: tempfile::TempDir,
}

fn start(test: &str) -> Option<World> {
    let data_dir = tempfile::Builder::new()
        .prefix(&format!("acc-{test}-mock-"))
        .tempdir()
        .expect("temp dir");
    let h = Harness::start_with(
        test,
        MockOptions {
            data_dir: Some(data_dir.path().to_owned()),
            ..MockOptions::default()
        },
    )?;
    let client = out_of_band_client(h.mock());
    let td = h
        .block_on(client.create_trust_domain(&trust_domain("example.org")))
        .expect("create trust domain");
    Some(World {
        h,
        client,
        td,
        data_dir,
    })
}

/// Like [`start`], for tests that plan a deployment: Terraform before 1.0.6 crashes on such
/// plans (hashicorp/terraform#29473), so there the provider must refuse with a clear error,
/// which this checks before skipping the rest.
fn start_planning(test: &str) -> Option<World> {
    let w = start(test)?;
    if w.h.terraform_version() >= (1, 0, 6) {
        return Some(w);
    }
    w.h.write_config(&config(
        &w.td,
        "prod",
        "    key1 = { public_key = spirl_key_pair.a.public_key_pem }",
    ));
    let out = w.h.tf_err(&["plan"]);
    assert!(
        out.all().contains("Terraform 1.0.6 or later required"),
        "{out}"
    );
    assert!(!out.all().contains("TERRAFORM CRASH"), "{out}");
    assert_eq!(w.h.mock_objects().deployments, 0);
    eprintln!("skipped the rest of {test}: spirl_trust_domain_deployment needs Terraform 1.0.6+");
    None
}

impl World {
    /// The keys registered on the control plane for deployment `name`, as `id -> active`.
    fn remote_keys(&self, name: &str) -> BTreeMap<String, bool> {
        self.h
            .block_on(self.client.list_keys(Some(&self.td), Some(name)))
            .expect("list keys")
            .into_iter()
            .map(|k| (k.id, k.active))
            .collect()
    }

    /// Calls of trust-domain method `name` the mock has seen.
    fn calls(&self, name: &str) -> u64 {
        self.h.mock_requests(&format!("{TD_API}{name}"))
    }

    /// The mock's journal: one line per committed write, in order.
    fn journal(&self) -> Vec<String> {
        let path = self.data_dir.path().join(spirl_mock_api::JOURNAL_FILE);
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// Where in the journal the write `op` (`key_created`, `key_deleted`) of `id` is.
    fn journal_position(&self, op: &str, id: &str) -> usize {
        let journal = self.journal();
        let (op, id) = (format!("\"op\":\"{op}\""), format!("\"{id}\""));
        journal
            .iter()
            .position(|l| l.contains(&op) && l.contains(&id))
            .unwrap_or_else(|| panic!("no {op} of {id} in the journal"))
    }

    /// Deletes the trust domain out of band, after the test destroyed its deployments: the
    /// mock is then empty.
    fn assert_mock_empty_after_td_delete(&self) {
        let o = self.h.mock_objects();
        assert_eq!((o.deployments, o.keys), (0, 0));
        self.h
            .block_on(self.client.delete_trust_domain(&self.td))
            .expect("delete the trust domain");
        assert_eq!(self.h.mock_objects(), Default::default());
    }
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
fn keys(state: &State) -> BTreeMap<String, (String, bool, String)> {
    state
        .get(ADDRESS, "keys")
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

/// `name -> id` of what `keys` returned, as the control plane lists it (`id -> active`).
fn by_id(keys: &BTreeMap<String, (String, bool, String)>) -> BTreeMap<String, bool> {
    keys.values()
        .map(|(id, active, _)| (id.clone(), *active))
        .collect()
}

/// An in-place update of the deployment in which only the `keys` entries `new` (registered by
/// this apply) have an unknown `id`.
fn in_place<const N: usize>(step: Step, new: [&str; N]) -> Step {
    let ids = new.map(|k| format!("keys.{k}.id"));
    step.plan([(ADDRESS, Update)])
        .plan_unknown(ADDRESS, ids.each_ref().map(String::as_str))
        .state(ADDRESS, "id", Is::Unchanged)
}

#[test]
fn trust_domain_deployment_lifecycle() {
    let Some(w) = start_planning("deployment_lifecycle") else {
        return;
    };
    let (h, td) = (&w.h, w.td.as_str());
    let mut t = Lifecycle::new(h);
    let two_keys = config(
        td,
        "eks-alb-demo",
        r#"    key1 = { public_key = spirl_key_pair.a.public_key_pem, active = true }
    key2 = { public_key = spirl_key_pair.b.public_key_pem, active = false }"#,
    );

    // Create with two keys, one disabled: registered, then disabled.
    let applied = t.step(
        Step::config(&two_keys)
            .state(ADDRESS, "id", Is::prefix("tdd-"))
            .state(ADDRESS, "trust_domain_id", td)
            .state(ADDRESS, "name", "eks-alb-demo")
            .state(
                ADDRESS,
                "keys.key1.public_key",
                Is::same("spirl_key_pair.a", "public_key_pem"),
            ),
    );
    let deployment_id = applied.str(ADDRESS, "id");
    let created = keys(applied);
    assert_eq!(created.len(), 2);
    assert!(created["key1"].0.starts_with("tdk-") && created["key1"].1);
    assert!(created["key2"].0.starts_with("tdk-") && !created["key2"].1);
    assert_eq!(w.remote_keys("eks-alb-demo"), by_id(&created));
    assert_eq!(w.calls("CreateTrustDomainKey"), 2);
    assert_eq!(w.calls("DisableTrustDomainKey"), 1);

    // The same key in PEM with CRLF line endings is no change: keys compare as keys.
    let crlf = t.step(
        Step::config(config(
            td,
            "eks-alb-demo",
            r#"    key1 = { public_key = replace(spirl_key_pair.a.public_key_pem, "\n", "\r\n"), active = true }
    key2 = { public_key = spirl_key_pair.b.public_key_pem, active = false }"#,
        ))
        .plan([]),
    );
    assert_eq!(by_id(&keys(crlf)), by_id(&created));

    // Import by `td-…/name` and compare: the same deployment and the same registered keys,
    // named by their ids (so the configuration renames them: an update).
    let imported = t.step(
        Step::import(ADDRESS)
            .id(format!("{td}/eks-alb-demo"))
            .ignore(["keys"])
            .plan([(ADDRESS, Update)]),
    );
    let imported_keys = keys(imported);
    for (id, active, pem) in created.values() {
        let (named, (_, imported_active, imported_pem)) = imported_keys
            .iter()
            .find(|(_, (i, _, _))| i == id)
            .unwrap_or_else(|| panic!("key {id} imported: {imported_keys:?}"));
        assert_eq!(named, id, "imported keys are named by id");
        assert_eq!(imported_active, active);
        assert_eq!(imported_pem, pem);
    }
    // Applying the configuration renames them without touching the registrations, and the
    // plan says so: every id is known.
    let renamed = t.step(in_place(Step::config(&two_keys), []));
    assert_eq!(keys(renamed), created);

    // An `import` block (Terraform 1.5+) imports during plan, where the configuration's names
    // already apply: the plan (the renaming update) is precise and the apply registers nothing.
    if h.terraform_version() >= (1, 5, 0) {
        let registered = w.calls("CreateTrustDomainKey");
        let imported = t.step(
            Step::import(ADDRESS)
                .id(format!("{td}/eks-alb-demo"))
                .by_block()
                .plan([(ADDRESS, Update)])
                .plan_unknown(ADDRESS, []),
        );
        assert_eq!(keys(imported), created);
        assert_eq!(w.calls("CreateTrustDomainKey"), registered);
    }

    // In place: enable key2, remove key1, add key3 (unset `active` means active).
    let updated = t.step(in_place(
        Step::config(config(
            td,
            "eks-alb-demo",
            r#"    key2 = { public_key = spirl_key_pair.b.public_key_pem, active = true }
    key3 = { public_key = spirl_key_pair.c.public_key_pem }"#,
        )),
        ["key3"],
    ));
    let updated = keys(updated);
    assert_eq!(updated["key2"].0, created["key2"].0, "key2 keeps its id");
    assert!(updated["key2"].1, "key2 enabled");
    assert_eq!(
        w.remote_keys("eks-alb-demo"),
        BTreeMap::from([
            (updated["key2"].0.clone(), true),
            (updated["key3"].0.clone(), true)
        ])
    );

    // Disable key3 in place: same id, one call.
    let disabled = t.step(in_place(
        Step::config(config(
            td,
            "eks-alb-demo",
            r#"    key2 = { public_key = spirl_key_pair.b.public_key_pem, active = true }
    key3 = { public_key = spirl_key_pair.c.public_key_pem, active = false }"#,
        )),
        [],
    ));
    assert_eq!(keys(disabled)["key3"].0, updated["key3"].0);
    assert!(!w.remote_keys("eks-alb-demo")[&updated["key3"].0]);

    // Rotate key2: only its id is unknown in the plan; key3 keeps its id; the new key is
    // registered before the old one is deleted, so the deployment is never without it.
    let rotated = t.step(in_place(
        Step::config(config(
            td,
            "eks-alb-demo",
            r#"    key2 = { public_key = spirl_key_pair.a.public_key_pem, active = true }
    key3 = { public_key = spirl_key_pair.c.public_key_pem, active = false }"#,
        )),
        ["key2"],
    ));
    let rotated = keys(rotated);
    assert_ne!(rotated["key2"].0, updated["key2"].0);
    assert_eq!(rotated["key3"].0, updated["key3"].0);
    assert_eq!(w.remote_keys("eks-alb-demo"), by_id(&rotated));
    assert!(
        w.journal_position("key_created", &rotated["key2"].0)
            < w.journal_position("key_deleted", &updated["key2"].0),
        "the new key is registered before the old one is deleted"
    );

    // A new name replaces the deployment.
    t.step(
        Step::config(config(
            td,
            "production",
            r#"    key1 = { public_key = spirl_key_pair.a.public_key_pem }"#,
        ))
        .plan([(ADDRESS, Replace)])
        .plan_says("must be replaced")
        .state(ADDRESS, "id", Is::Changed)
        .state(ADDRESS, "name", "production"),
    );
    let objects = h.mock_objects();
    assert_eq!((objects.deployments, objects.keys), (1, 1));
    assert!(w.remote_keys("eks-alb-demo").is_empty());
    assert_ne!(t.state().str(ADDRESS, "id"), deployment_id);

    t.finish_with(|_| w.assert_mock_empty_after_td_delete());
}

#[test]
fn trust_domain_deployment_drift_is_repaired() {
    let Some(w) = start_planning("deployment_drift") else {
        return;
    };
    let (h, td, client) = (&w.h, w.td.as_str(), &w.client);
    let mut t = Lifecycle::new(h);
    let before = keys(t.step(Step::config(config(
        td,
        "prod",
        r#"    key1 = { public_key = spirl_key_pair.a.public_key_pem }
    key2 = { public_key = spirl_key_pair.b.public_key_pem }"#,
    ))));

    // key1 disabled, key2 deleted, and a rogue key added, all out of band.
    let rogue = h
        .block_on(async {
            client.disable_key(td, &before["key1"].0).await?;
            client.delete_key(td, &before["key2"].0, true).await?;
            let der = KeyPair::generate().public_key().to_spki_der();
            client.create_key(td, "prod", &der).await
        })
        .expect("out-of-band changes");
    let after = keys(
        t.step(
            Step::same_config()
                .plan([(ADDRESS, Update)])
                // The rogue key is shown.
                .plan_says(&rogue),
        ),
    );
    assert_eq!(
        after["key1"].0, before["key1"].0,
        "key1 is re-enabled, not replaced"
    );
    assert!(after["key1"].1);
    assert_ne!(after["key2"].0, before["key2"].0, "key2 registered again");
    let remote = w.remote_keys("prod");
    assert_eq!(remote, by_id(&after));
    assert!(!remote.contains_key(&rogue), "the rogue key is removed");
    assert!(remote.values().all(|active| *active));

    // The whole deployment deleted out of band: the plan recreates it.
    h.block_on(client.delete_deployment(td, "prod", true))
        .expect("delete out of band");
    let recreated = t.step(Step::same_config().plan([(ADDRESS, Create)]).state(
        ADDRESS,
        "id",
        Is::Changed,
    ));
    assert_eq!(h.mock_objects().keys, 2);
    assert_eq!(w.remote_keys("prod"), by_id(&keys(recreated)));

    // Deleted out of band once more, then destroyed without a refresh: NOT_FOUND is done.
    h.block_on(client.delete_deployment(td, "prod", true))
        .expect("delete out of band");
    h.tf_ok(&["destroy", "-auto-approve", "-refresh=false"]);
    w.assert_mock_empty_after_td_delete();
}

#[test]
fn trust_domain_deployment_existing_name_says_import_it() {
    let Some(w) = start_planning("deployment_existing") else {
        return;
    };
    let (h, td) = (&w.h, w.td.as_str());
    let der = KeyPair::generate().public_key().to_spki_der();
    let foreign = h
        .block_on(w.client.create_key(td, "prod", &der))
        .expect("register a deployment out of band");
    let mut t = Lifecycle::new(h);
    t.step(
        Step::config(config(
            td,
            "prod",
            "    key1 = { public_key = spirl_key_pair.a.public_key_pem }",
        ))
        .expect_error("Deployment already exists")
        .expect_error(format!(
            "terraform import spirl_trust_domain_deployment.<name> {td}/prod"
        )),
    );
    // Nothing was registered into the deployment someone else made.
    assert_eq!(
        w.remote_keys("prod"),
        BTreeMap::from([(foreign.clone(), true)])
    );

    // The advice works: imported, the configuration takes over; the foreign key, which the
    // configuration does not name, is removed.
    t.step(
        Step::import(ADDRESS)
            .id(format!("{td}/prod"))
            .plan([(ADDRESS, Update)]),
    );
    let adopted = keys(t.step(Step::same_config()));
    assert_eq!(adopted.len(), 1);
    assert_eq!(w.remote_keys("prod"), by_id(&adopted));
    assert!(!w.remote_keys("prod").contains_key(&foreign));
    t.finish_with(|_| w.assert_mock_empty_after_td_delete());
}

#[test]
fn trust_domain_deployment_invalid_inputs_fail_plan() {
    let Some(w) = start("deployment_invalid") else {
        return;
    };
    let (h, td) = (&w.h, w.td.as_str());
    let private = KeyPair::generate().private_key_pem().expose().to_owned();
    let public = KeyPair::generate().public_key().to_pem();
    let cases = [
        ("", format!("k = {{ public_key = {public:?} }}"), "name"),
        ("prod", String::new(), "keys"),
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
            // Text around a PEM block is ignored, as Go's pem.Decode ignores it; a block with
            // no END line is no key.
            format!(
                "k = {{ public_key = {:?} }}",
                public.replace("-----END PUBLIC KEY-----", "")
            ),
            "keys[\"k\"].public_key",
        ),
    ];
    for (name, keys, attribute) in cases {
        h.write_config(&config(td, name, &format!("    {keys}")));
        let out = h.tf_err(&["plan"]);
        assert!(
            out.all().contains(attribute),
            "{name} {keys}: names {attribute}:\n{out}"
        );
        assert!(
            !out.all().contains(&private),
            "the private key is not echoed"
        );
        if keys.is_empty() {
            assert!(out.all().contains("A deployment needs a key"), "{out}");
        }
    }
    let objects = h.mock_objects();
    assert_eq!(
        (objects.deployments, objects.keys),
        (0, 0),
        "nothing was created"
    );
}

/// A rotation whose new key is registered but whose old key cannot be deleted (the mock refuses
/// `DeleteTrustDomainKey` until told otherwise): the failed apply records what exists, the new
/// key under its entry and the old one under its id, so nothing registered is lost from the
/// state; once the refusal stops, the next apply deletes the old key and registers nothing
/// again.
#[test]
fn trust_domain_deployment_failed_rotation_records_the_new_key() {
    let Some(w) = start_planning("deployment_failed_rotation") else {
        return;
    };
    let (h, td) = (&w.h, w.td.as_str());
    let entry = |name: &str, pair: &str| {
        config(
            td,
            "prod",
            &format!("    {name} = {{ public_key = spirl_key_pair.{pair}.public_key_pem }}"),
        )
    };
    let mut t = Lifecycle::new(h);
    let old_id = keys(t.step(Step::config(entry("key1", "a"))))["key1"]
        .0
        .clone();

    h.mock().state.set_refused_methods(["DeleteTrustDomainKey"]);
    let failed =
        t.step(in_place(Step::config(entry("key2", "b")), ["key2"]).expect_error("unavailable"));
    let recorded = keys(failed);
    let new_id = recorded["key2"].0.clone();
    assert!(
        new_id.starts_with("tdk-") && new_id != old_id,
        "{recorded:?}"
    );
    assert_eq!(
        recorded[&old_id].0, old_id,
        "the old key stays under its id"
    );
    assert_eq!(by_id(&recorded), w.remote_keys("prod"));
    assert_eq!(w.calls("CreateTrustDomainKey"), 2);

    // Once deletes work again: an update that registers nothing (no id unknown).
    h.mock().state.set_refused_methods(Vec::<String>::new());
    let after = keys(t.step(in_place(Step::same_config(), [])));
    assert_eq!(
        w.calls("CreateTrustDomainKey"),
        2,
        "key2 registered exactly once"
    );
    assert_eq!(after.keys().collect::<Vec<_>>(), ["key2"]);
    assert_eq!(after["key2"].0, new_id);
    assert_eq!(w.remote_keys("prod"), BTreeMap::from([(new_id, true)]));
    t.finish_with(|_| w.assert_mock_empty_after_td_delete());
}
