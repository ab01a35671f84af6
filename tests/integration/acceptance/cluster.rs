//! Acceptance tests of `spirl_cluster` (resource and data source) with the real Terraform CLI
//! against the gRPC mock (run with `TF_ACC=1`): one lifecycle that walks create, data source,
//! import, versions made in place (precise plans), version history, PSAT attestation,
//! replacement, repairs of out-of-band changes, the refused delete of a cluster with agents, and
//! destroy.

use crate::support::{Harness, out_of_band_client};
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

/// Applies, with nothing inconsistent in what the provider returned.
fn apply_consistent(h: &Harness) {
    let out = h.apply();
    assert!(!out.all().contains("inconsistent"), "{out}");
}

/// The plan of an in-place version change: one update, and only `version_id` and
/// `version_created_at` unknown.
fn assert_version_plan(h: &Harness) {
    let plan = h.assert_plan_changes("0 to add, 1 to change, 0 to destroy");
    // The resource's own block of the plan (the data source reading it is deferred too).
    let block: Vec<&str> = plan
        .stdout
        .lines()
        .skip_while(|l| !l.contains("# spirl_cluster.my_cluster will be updated in-place"))
        .take_while(|l| !l.trim().is_empty())
        .collect();
    assert!(!block.is_empty(), "{plan}");
    let unknown: Vec<&&str> = block
        .iter()
        .filter(|l| l.contains("(known after apply)"))
        .collect();
    assert_eq!(unknown.len(), 2, "{plan}");
    assert!(unknown.iter().any(|l| l.contains("version_id")), "{plan}");
    assert!(
        unknown.iter().any(|l| l.contains("version_created_at")),
        "{plan}"
    );
    assert!(!plan.stdout.contains("must be replaced"), "{plan}");
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
    h.write_config(&config(&format!(
        "{base}\n  public_key = spirl_key_pair.k1.public_key_pem"
    )));
    apply_consistent(&h);
    let created = h.resource(ADDRESS);
    let id = str_of(&created, "id").to_owned();
    assert!(id.starts_with("c-"), "{created}");
    assert_eq!(
        created["realm_id"],
        h.resource("spirl_realm.production")["id"]
    );
    assert_eq!(created["realm_name"], "production");
    assert_eq!(
        created["path_template"],
        "/my-cluster/ns/{{kubernetes.pod.namespace}}/sa/{{kubernetes.pod.service_account}}",
        "the platform's default, read back"
    );
    assert!(
        created["x509_customization_template"].is_null(),
        "{created}"
    );
    assert!(
        str_of(&created, "version_id").starts_with("cv-"),
        "{created}"
    );
    for attr in ["created_at", "version_created_at"] {
        humantime::parse_rfc3339(str_of(&created, attr)).expect("RFC 3339");
    }
    h.assert_plan_empty();
    // The data source reads what the resource holds.
    let read = &h.outputs()["read"];
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
    h.tf_ok(&["state", "rm", ADDRESS]);
    // What is no `td-…/name`, or names no cluster, is refused with what to give instead.
    for bad in ["my-cluster", "td-x/", &format!("{td}/other")] {
        let out = h.tf_err(&["import", ADDRESS, bad]);
        assert!(out.said().contains("Cannot import cluster"), "{out}");
    }
    h.tf_ok(&["import", ADDRESS, &format!("{td}/my-cluster")]);
    let imported = h.resource(ADDRESS);
    for (attr, value) in created.as_object().expect("object") {
        if attr != "num_version_history" {
            assert_eq!(&imported[attr], value, "{attr} after import");
        }
    }
    let versions_made = calls(&h, "NewClusterVersion");
    apply_consistent(&h);
    assert_eq!(h.resource(ADDRESS), created);
    assert_eq!(calls(&h, "NewClusterVersion"), versions_made);
    h.assert_plan_empty();

    // A new key is a new version, activated in place: the plan says exactly that.
    let with_key2 = format!("{base}\n  public_key = spirl_key_pair.k2.public_key_pem");
    h.write_config(&config(&with_key2));
    assert_version_plan(&h);
    apply_consistent(&h);
    let rekeyed = h.resource(ADDRESS);
    assert_eq!(rekeyed["id"], id.as_str());
    assert_ne!(rekeyed["version_id"], created["version_id"]);
    assert_eq!(
        rekeyed["public_key"],
        h.resource("spirl_key_pair.k2")["public_key_pem"]
    );
    assert_eq!(rekeyed["path_template"], created["path_template"], "kept");
    h.assert_plan_empty();
    let versions = h
        .block_on(client.list_cluster_versions(&id))
        .expect("versions");
    assert_eq!(
        versions.iter().filter(|v| v.active).count(),
        1,
        "{versions:?}"
    );
    assert_eq!(versions.len(), 2);

    // The same key with other line endings is no change: keys compare as keys.
    h.write_config(&config(&format!(
        "{base}\n  public_key = replace(spirl_key_pair.k2.public_key_pem, \"\\n\", \"\\r\\n\")"
    )));
    h.assert_plan_empty();

    // More versions than num_version_history: the oldest inactive ones go.
    for template in ["CN=v3", "CN=v4", "CN=v5"] {
        h.write_config(&config(&format!(
            "{with_key2}\n  x509_customization_template = \"{template}\"\n  path_template = \"/prod/{{{{kubernetes.pod.namespace}}}}\""
        )));
        assert_version_plan(&h);
        apply_consistent(&h);
        h.assert_plan_empty();
    }
    let versions = h
        .block_on(client.list_cluster_versions(&id))
        .expect("versions");
    assert_eq!(versions.len(), 3, "{versions:?}");
    let now = h.resource(ADDRESS);
    assert_eq!(now["x509_customization_template"], "CN=v5");
    assert_eq!(now["path_template"], "/prod/{{kubernetes.pod.namespace}}");
    assert_eq!(
        versions.last().map(|v| v.id.as_str()),
        now["version_id"].as_str()
    );

    // PSAT attestation instead of the key: a version naming an attestation configuration; the
    // block's defaults are planned, not left to apply.
    let psat = format!(
        "{base}\n  k8s_psat {{\n    issuer_url = \"https://oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE123\"\n  }}"
    );
    h.write_config(&config(&psat));
    let plan = h.assert_plan_changes("0 to add, 1 to change, 0 to destroy");
    assert!(plan.stdout.contains("\"spirl-system\""), "{plan}");
    apply_consistent(&h);
    let attested = h.resource(ADDRESS);
    assert!(attested["public_key"].is_null(), "{attested}");
    assert_eq!(attested["k8s_psat"]["service_account_name"], "spirl-agent");
    assert_eq!(h.mock_objects().agent_attestation_configs, 1);
    h.assert_plan_empty();

    // Out of band: the active version deactivated. The plan activates a version again.
    let active = str_of(&attested, "version_id").to_owned();
    h.block_on(client.deactivate_cluster_version(&active))
        .expect("deactivate");
    h.assert_plan_changes("0 to add, 1 to change, 0 to destroy");
    apply_consistent(&h);
    h.assert_plan_empty();
    let versions = h
        .block_on(client.list_cluster_versions(&id))
        .expect("versions");
    assert_eq!(
        versions.iter().filter(|v| v.active).count(),
        1,
        "{versions:?}"
    );

    // The description cannot change in place: a new cluster.
    h.write_config(&config(&psat.replace("created with terraform", "replaced")));
    let plan = h.tf_ok(&["plan"]);
    assert!(plan.stdout.contains("must be replaced"), "{plan}");
    apply_consistent(&h);
    let replaced = h.resource(ADDRESS);
    assert_ne!(replaced["id"], id.as_str());
    assert_eq!(h.mock_objects().clusters, 1);
    assert_eq!(
        h.mock_objects().agent_attestation_configs,
        1,
        "the old cluster's went with it"
    );
    h.assert_plan_empty();
    let id = str_of(&replaced, "id").to_owned();

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
    h.assert_plan_changes("1 to add, 0 to change, 0 to destroy");
    apply_consistent(&h);
    let id = str_of(&h.resource(ADDRESS), "id").to_owned();
    h.assert_plan_empty();

    // Agents connected: destroy is refused with what to do, and nothing is lost.
    h.mock().state.set_active_agents(&id, 2).expect("agents");
    let out = h.tf_err(&["destroy", "-auto-approve"]);
    let said = out.said();
    assert!(said.contains("Could not delete cluster"), "{out}");
    assert!(said.contains("2 active agents"), "{out}");
    assert!(said.contains("Uninstall the SPIRL agent"), "{out}");
    assert!(!said.contains("panic"), "{out}");
    assert_eq!(h.mock_objects().clusters, 1);
    h.mock().state.set_active_agents(&id, 0).expect("agents");
    h.destroy();
    assert_eq!(h.mock_objects(), Default::default());
}
