//! Acceptance tests of `spirl_cluster` (resource and data source) with the real Terraform CLI
//! against the gRPC mock (run with `TF_ACC=1`): one lifecycle that walks create, data source,
//! import, versions made in place (precise plans), version history, PSAT attestation,
//! replacement, repairs of out-of-band changes, the refused delete of a cluster with agents, and
//! destroy.

use crate::support::Action::{Create, Replace, Update};
use crate::support::{Harness, Is, Lifecycle, Step, out_of_band_client};
use serde_json::Value as Json;

const ADDRESS: &str = "spirl_cluster.my_cluster";
const CLUSTER_API: &str = "/com.spirl.api.v1.cluster.API/";

/// The trust domain, realm, two key pairs and the cluster with `body`, read back by the data
/// source.
fn config(body: &str) -> String {
    format!(
        r#"
resource "spirl_trust_domain" "td" {{
  domain_name = "clusters.example.org"
}}

resource "spirl_realm" "production" {{
  trust_domain_id = spirl_trust_domain.td.id
  name            = "production"
}}

resource "spirl_key_pair" "k1" {{
  algorithm = "ed25519"
}}

resource "spirl_key_pair" "k2" {{
  algorithm = "ed25519"
}}

resource "spirl_cluster" "my_cluster" {{
  trust_domain_id = spirl_trust_domain.td.id
  name            = "my-cluster"
  platform        = "k8s"
{body}
}}

data "spirl_cluster" "read" {{
  trust_domain_id = spirl_cluster.my_cluster.trust_domain_id
  name            = spirl_cluster.my_cluster.name
}}

output "read" {{
  value = data.spirl_cluster.read
}}
"#
    )
}

fn calls(h: &Harness, method: &str) -> u64 {
    h.mock_requests(&format!("{CLUSTER_API}{method}"))
}

fn str_of<'a>(v: &'a Json, attr: &str) -> &'a str {
    v[attr]
        .as_str()
        .unwrap_or_else(|| panic!("{attr} is not a string: {v}"))
}

/// A new version activated in place: one update, with only `version_id` and
/// `version_created_at` unknown.
fn new_version(step: Step) -> Step {
    step.plan([(ADDRESS, Update)])
        .plan_unknown(ADDRESS, ["version_id", "version_created_at"])
        .plan_lacks("must be replaced")
        .state(ADDRESS, "id", Is::Unchanged)
        .state(ADDRESS, "version_id", Is::Changed)
}

#[test]
fn cluster_lifecycle_versions_in_place_import_replace_repair_destroy() {
    let Some(h) = Harness::start("cluster_lifecycle") else {
        return;
    };
    let client = out_of_band_client(h.mock());
    let base = r#"  description         = "A cluster created with terraform"
  realm_name          = spirl_realm.production.name
  num_version_history = 3"#;
    let mut t = Lifecycle::new(&h);
    let applied = t.step(
        Step::config(config(&format!(
            "{base}\n  public_key = spirl_key_pair.k1.public_key_pem"
        )))
        .state(ADDRESS, "id", Is::prefix("c-"))
        .state(
            ADDRESS,
            "realm_id",
            Is::same("spirl_realm.production", "id"),
        )
        .state(ADDRESS, "realm_name", "production")
        // The platform's default, read back.
        .state(
            ADDRESS,
            "path_template",
            "/my-cluster/ns/{{kubernetes.pod.namespace}}/sa/{{kubernetes.pod.service_account}}",
        )
        .state(ADDRESS, "x509_customization_template", Is::Null)
        .state(ADDRESS, "version_id", Is::prefix("cv-"))
        .state(ADDRESS, "created_at", Is::Rfc3339)
        .state(ADDRESS, "version_created_at", Is::Rfc3339),
    );
    let created = applied.resource(ADDRESS);
    let id = str_of(&created, "id").to_owned();
    // The cluster's versions on the control plane, and how many of them are active.
    let versions = || {
        let listed = h
            .block_on(client.list_cluster_versions(&id))
            .expect("versions");
        let active = listed.iter().filter(|v| v.active).count();
        (listed, active)
    };
    // The data source reads what the resource holds.
    let read = applied.output("read");
    for attr in [
        "id",
        "public_key",
        "path_template",
        "realm_id",
        "realm_name",
        "version_id",
        "platform",
        "description",
    ] {
        assert_eq!(read[attr], created[attr], "{attr}");
    }

    // Import by `td-…/name`: the same cluster; num_version_history lives only in the
    // configuration, so the next apply sets it without touching the control plane's versions.
    let td = str_of(&created, "trust_domain_id").to_owned();
    // What is no `td-…/name`, or names no cluster, is refused with what to give instead.
    for bad in ["my-cluster", "td-x/", &format!("{td}/other")] {
        t.step(
            Step::import(ADDRESS)
                .id(bad)
                .expect_error("Cannot import cluster"),
        );
    }
    t.step(
        Step::import(ADDRESS)
            .id(format!("{td}/my-cluster"))
            .ignore(["num_version_history"])
            .plan([(ADDRESS, Update)]),
    );
    let versions_made = calls(&h, "NewClusterVersion");
    let adopted = t.step(Step::same_config().plan([(ADDRESS, Update)]));
    assert_eq!(adopted.resource(ADDRESS), created);
    assert_eq!(calls(&h, "NewClusterVersion"), versions_made);

    // A new key is a new version, activated in place: the plan says exactly that.
    let with_key2 = format!("{base}\n  public_key = spirl_key_pair.k2.public_key_pem");
    let rekeyed = t.step(
        new_version(Step::config(config(&with_key2)))
            .state(
                ADDRESS,
                "public_key",
                Is::same("spirl_key_pair.k2", "public_key_pem"),
            )
            // Kept.
            .state(ADDRESS, "path_template", Is::Unchanged),
    );
    assert_ne!(rekeyed.get(ADDRESS, "version_id"), created["version_id"]);
    let (listed, active) = versions();
    assert_eq!((listed.len(), active), (2, 1), "{listed:?}");

    // The same key with other line endings is no change: keys compare as keys.
    t.step(
        Step::config(config(&format!(
            "{base}\n  public_key = replace(spirl_key_pair.k2.public_key_pem, \"\\n\", \"\\r\\n\")"
        )))
        .plan_only(),
    );

    // More versions than num_version_history: the oldest inactive ones go.
    for template in ["CN=v3", "CN=v4", "CN=v5"] {
        t.step(new_version(Step::config(config(&format!(
            "{with_key2}\n  x509_customization_template = \"{template}\"\n  path_template = \"/prod/{{{{kubernetes.pod.namespace}}}}\""
        )))));
    }
    let (listed, _) = versions();
    assert_eq!(listed.len(), 3, "{listed:?}");
    let now = t.state().resource(ADDRESS);
    assert_eq!(now["x509_customization_template"], "CN=v5");
    assert_eq!(now["path_template"], "/prod/{{kubernetes.pod.namespace}}");
    assert_eq!(
        listed.last().map(|v| v.id.as_str()),
        now["version_id"].as_str()
    );

    // PSAT attestation instead of the key: a version naming an attestation configuration; the
    // block's defaults are planned, not left to apply.
    let psat = format!(
        "{base}\n  k8s_psat {{\n    issuer_url = \"https://oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE123\"\n  }}"
    );
    let attested = t.step(
        Step::config(config(&psat))
            .plan([(ADDRESS, Update)])
            .plan_says("\"spirl-system\"")
            .state(ADDRESS, "public_key", Is::Null)
            .state(ADDRESS, "k8s_psat.service_account_name", "spirl-agent"),
    );
    let active = attested.str(ADDRESS, "version_id");
    assert_eq!(h.mock_objects().agent_attestation_configs, 1);

    // Out of band: the active version deactivated. The plan activates a version again.
    h.block_on(client.deactivate_cluster_version(&active))
        .expect("deactivate");
    t.step(Step::same_config().plan([(ADDRESS, Update)]));
    let (listed, active) = versions();
    assert_eq!(active, 1, "{listed:?}");

    // The description cannot change in place: a new cluster.
    let id = t
        .step(
            Step::config(config(&psat.replace("created with terraform", "replaced")))
                .plan([(ADDRESS, Replace)])
                .plan_says("must be replaced")
                .state(ADDRESS, "id", Is::Changed),
        )
        .str(ADDRESS, "id");
    assert_eq!(h.mock_objects().clusters, 1);
    assert_eq!(
        h.mock_objects().agent_attestation_configs,
        1,
        "the old cluster's went with it"
    );

    // Deleted out of band: recreated.
    // (Its agent attestation configuration too, as whoever deletes a cluster by hand would.)
    h.block_on(async {
        let versions = client.list_cluster_versions(&id).await?;
        client.delete_cluster(&id).await?;
        for v in versions
            .iter()
            .filter(|v| !v.agent_attestation_config_id.is_empty())
        {
            client
                .delete_agent_attestation(&v.agent_attestation_config_id)
                .await?;
        }
        Ok::<_, terraform_provider_spirl::client::ApiError>(())
    })
    .expect("delete out of band");
    let id = t
        .step(Step::same_config().plan([(ADDRESS, Create)]))
        .str(ADDRESS, "id");

    // Agents connected: destroy is refused with what to do, and nothing is lost.
    h.mock().state.set_active_agents(&id, 2).expect("agents");
    t.step(
        Step::destroy()
            .expect_error("Could not delete cluster")
            .expect_error("2 active agents")
            .expect_error("Uninstall the SPIRL agent"),
    );
    assert_eq!(h.mock_objects().clusters, 1);
    h.mock().state.set_active_agents(&id, 0).expect("agents");
    t.finish();
}
