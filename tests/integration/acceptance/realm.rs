//! Acceptance tests of `spirl_realm` (resource and data source) with the real Terraform CLI
//! against the gRPC mock (run with `TF_ACC=1`).

use crate::support::Action::{Create, Replace};
use crate::support::{Harness, Is, Lifecycle, Step, out_of_band_client};
use terraform_provider_spirl::client::{ClusterVersionSpec, CreateCluster, Platform};
use terraform_provider_spirl::keys::KeyPair;

const ADDRESS: &str = "spirl_realm.production";
const TD: &str = "spirl_trust_domain.td";

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
    let mut t = Lifecycle::new(&h);
    let created = t.step(
        Step::config(config("production"))
            .plan([(TD, Create), (ADDRESS, Create)])
            .state(ADDRESS, "id", Is::prefix("rlm-"))
            .state(ADDRESS, "name", "production")
            .state(ADDRESS, "trust_domain_id", Is::same(TD, "id"))
            .state(ADDRESS, "created_at", Is::Rfc3339),
    );
    // The data source reads exactly what the resource holds.
    assert_eq!(created.output("read"), created.resource(ADDRESS));

    // Import by id (the API has no get by id: found by listing) gives the same state, with
    // `terraform import` and with an import block.
    t.step(Step::import(ADDRESS));
    t.step(Step::import(ADDRESS).by_block());
    // Import of what is no realm id, or of an unknown one, says what to give instead.
    t.step(
        Step::import(ADDRESS)
            .id("production")
            .expect_error("not a realm id"),
    );
    t.step(
        Step::import(ADDRESS)
            .id("rlm-unknown0")
            .expect_error("No realm"),
    );
    t.step(Step::import(ADDRESS));

    // No update RPC: a new name replaces the realm.
    t.step(
        Step::config(config("staging"))
            .plan([(ADDRESS, Replace)])
            .plan_says("must be replaced")
            .state(ADDRESS, "id", Is::Changed)
            .state(ADDRESS, "name", "staging"),
    );
    assert_eq!(h.mock_objects().realms, 1);

    // Deleted out of band: the plan recreates it, the apply repairs it.
    let client = out_of_band_client(h.mock());
    h.block_on(client.delete_realm(&t.state().str(ADDRESS, "id")))
        .expect("delete out of band");
    t.step(
        Step::same_config()
            .plan([(ADDRESS, Create)])
            .state(ADDRESS, "id", Is::Changed),
    );

    // Its trust domain deleted out of band takes the realm along: the realm reads as gone (no
    // error), and the plan creates both again.
    h.block_on(client.delete_trust_domain(&t.state().str(TD, "id")))
        .expect("delete the trust domain out of band");
    t.step(
        Step::same_config()
            .plan([(TD, Create), (ADDRESS, Create)])
            .state(TD, "id", Is::Changed)
            .state(ADDRESS, "id", Is::Changed)
            .state(ADDRESS, "trust_domain_id", Is::same(TD, "id")),
    );
    assert_eq!(h.mock_objects().realms, 1);

    // A cluster made outside Terraform in the realm: destroy is refused, naming it and what to
    // do, and nothing is lost.
    let td_id = t.state().str(TD, "id");
    let body = CreateCluster {
        trust_domain_id: td_id.clone(),
        name: "outsider".into(),
        description: String::new(),
        platform: Platform::Kubernetes,
        realm_id: t.state().str(ADDRESS, "id"),
        version: ClusterVersionSpec {
            public_key_der: KeyPair::generate().public_key().to_spki_der(),
            ..ClusterVersionSpec::default()
        },
    };
    h.block_on(client.create_cluster(&body))
        .expect("cluster out of band");
    t.step(
        Step::destroy()
            .expect_error("Could not delete realm")
            .expect_error("`outsider`")
            .expect_error("spirl_cluster"),
    );
    assert_eq!(h.mock_objects().realms, 1, "the realm stays");
    let cluster = h
        .block_on(client.find_cluster(&td_id, "outsider"))
        .expect("list")
        .expect("cluster");
    h.block_on(client.delete_cluster(&cluster.id))
        .expect("delete cluster");
    t.finish();
}
