//! Acceptance tests of `spirl_provider_attestation_config` with the real Terraform CLI against
//! the gRPC mock (run with `TF_ACC=1`), and of the cluster attribute that names it.

use crate::support::{Harness, out_of_band_client};
use terraform_provider_spirl::client::{ClusterVersionSpec, CreateCluster, Platform};
use terraform_provider_spirl::keys::KeyPair;

const ADDRESS: &str = "spirl_provider_attestation_config.test";

fn config(role: &str, cluster: bool) -> String {
    // Names are unique: the one that replaces it while the old one still exists needs another.
    let name = if role.contains("path/") {
        "my-attestation-config-2"
    } else {
        "my-attestation-config"
    };
    let mut hcl = format!(
        r#"
resource "spirl_provider_attestation_config" "test" {{
  name = "{name}"
  aws {{
    role_arn = "{role}"
  }}
  lifecycle {{
    create_before_destroy = true
  }}
}}
"#
    );
    if cluster {
        hcl.push_str(
            r#"
resource "spirl_trust_domain" "td" {
  domain_name = "attest.example.org"
}

resource "spirl_key_pair" "k" {
  algorithm = "ed25519"
}

resource "spirl_cluster" "eks" {
  trust_domain_id         = spirl_trust_domain.td.id
  name                    = "eks"
  platform                = "eks"
  public_key              = spirl_key_pair.k.public_key_pem
  provider_attestation_id = spirl_provider_attestation_config.test.id
}
"#,
        );
    }
    hcl
}

#[test]
fn provider_attestation_config_lifecycle_import_replace_cluster_refused_delete() {
    let Some(h) = Harness::start("provider_attestation_lifecycle") else {
        return;
    };
    let role = "arn:aws:iam::123456789012:role/my-role";
    h.write_config(&config(role, false));
    h.apply();
    let created = h.resource(ADDRESS);
    let id = created["id"].as_str().expect("id").to_owned();
    assert!(id.starts_with("pac-"), "{created}");
    assert_eq!(created["aws"]["role_arn"], role);
    h.assert_plan_empty();

    // Import by name, as the official docs show.
    h.tf_ok(&["state", "rm", ADDRESS]);
    let out = h.tf_err(&["import", ADDRESS, "no-such-config"]);
    assert!(
        out.said().contains("No provider attestation configuration"),
        "{out}"
    );
    h.tf_ok(&["import", ADDRESS, "my-attestation-config"]);
    assert_eq!(h.resource(ADDRESS), created);
    h.assert_plan_empty();

    // A cluster that names it reads back the id (the API reports the name).
    h.write_config(&config(role, true));
    h.apply();
    assert_eq!(
        h.resource("spirl_cluster.eks")["provider_attestation_id"],
        id.as_str()
    );
    h.assert_plan_empty();

    // No update RPC: a new role replaces the configuration; created before the old one goes
    // (`create_before_destroy`), the cluster moves to it in place, a new version naming it.
    let role2 = "arn:aws:iam::123456789012:role/path/other-role";
    h.write_config(&config(role2, true));
    let plan = h.tf_ok(&["plan"]);
    assert!(plan.stdout.contains("must be replaced"), "{plan}");
    assert!(
        plan.stdout.contains("1 to add, 1 to change, 1 to destroy"),
        "{plan}"
    );
    let out = h.apply();
    assert!(!out.all().contains("inconsistent"), "{out}");
    let replaced = h.resource(ADDRESS);
    assert_ne!(replaced["id"], id.as_str());
    assert_eq!(replaced["aws"]["role_arn"], role2);
    assert_eq!(
        h.resource("spirl_cluster.eks")["provider_attestation_id"],
        replaced["id"]
    );
    assert_eq!(h.mock_objects().provider_attestation_configs, 1);
    h.assert_plan_empty();
    let id = replaced["id"].as_str().expect("id").to_owned();

    // A cluster outside Terraform that uses it: destroy says so and keeps it.
    let client = out_of_band_client(h.mock());
    let td = h.resource("spirl_trust_domain.td")["id"]
        .as_str()
        .expect("td")
        .to_owned();
    h.block_on(client.create_cluster(&CreateCluster {
        trust_domain_id: td.clone(),
        name: "outsider".into(),
        description: String::new(),
        platform: Platform::Eks,
        realm_id: String::new(),
        version: ClusterVersionSpec {
            public_key_der: KeyPair::generate().public_key().to_spki_der(),
            provider_attestation_config_id: id.clone(),
            ..ClusterVersionSpec::default()
        },
    }))
    .expect("cluster out of band");
    let outsider = h
        .block_on(client.find_cluster(&td, "outsider"))
        .expect("list")
        .expect("found");
    // Active (agents connected): only an active cluster keeps its trust domain (the SDK).
    h.mock()
        .state
        .set_active_agents(&outsider.id, 1)
        .expect("agents");
    h.write_config(&config(role2, false));
    let out = h.tf_err(&["apply", "-auto-approve", "-input=false"]);
    assert!(out.said().contains("still in use"), "{out}");
    assert!(out.said().contains("provider_attestation_id"), "{out}");
    h.mock()
        .state
        .set_active_agents(&outsider.id, 0)
        .expect("agents gone");
    h.block_on(client.delete_cluster(&outsider.id))
        .expect("delete outsider");

    // Deleted out of band: recreated.
    h.apply();
    let now = h.resource(ADDRESS)["id"].as_str().expect("id").to_owned();
    h.block_on(client.delete_provider_attestation(&now))
        .expect("delete out of band");
    h.assert_plan_changes("1 to add, 0 to change, 0 to destroy");
    h.apply();
    h.assert_plan_empty();
    h.destroy();
    assert_eq!(h.mock_objects(), Default::default());
}
