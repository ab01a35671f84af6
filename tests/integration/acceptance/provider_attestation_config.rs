//! Acceptance tests of `spirl_provider_attestation_config` with the real Terraform CLI against
//! the gRPC mock (run with `TF_ACC=1`), and of the cluster attribute that names it.

use crate::support::Action::{Create, Replace, Update};
use crate::support::{Harness, Is, Lifecycle, Step, find_resource, out_of_band_client};
use terraform_provider_spirl::client::{ClusterVersionSpec, CreateCluster, Platform};
use terraform_provider_spirl::keys::KeyPair;

const ADDRESS: &str = "spirl_provider_attestation_config.test";
const CLUSTER: &str = "spirl_cluster.eks";

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
    let mut t = Lifecycle::new(&h);
    t.step(
        Step::config(config(role, false))
            .plan([(ADDRESS, Create)])
            .state(ADDRESS, "id", Is::prefix("pac-"))
            .state(ADDRESS, "aws.role_arn", role),
    );

    // Import by name, as the official docs show.
    t.step(
        Step::import(ADDRESS)
            .id("no-such-config")
            .expect_error("No provider attestation configuration"),
    );
    t.step(Step::import(ADDRESS).id("my-attestation-config"));

    // A cluster that names it reads back the id (the API reports the name).
    t.step(Step::config(config(role, true)).state(
        CLUSTER,
        "provider_attestation_id",
        Is::same(ADDRESS, "id"),
    ));

    // No update RPC: a new role replaces the configuration; created before the old one goes
    // (`create_before_destroy`), the cluster moves to it in place, a new version naming it.
    let role2 = "arn:aws:iam::123456789012:role/path/other-role";
    let replaced = t.step(
        Step::config(config(role2, true))
            .plan([(ADDRESS, Replace), (CLUSTER, Update)])
            .plan_says("must be replaced")
            .state(ADDRESS, "id", Is::Changed)
            .state(ADDRESS, "aws.role_arn", role2)
            .state(CLUSTER, "provider_attestation_id", Is::same(ADDRESS, "id")),
    );
    let id = replaced.str(ADDRESS, "id");
    assert_eq!(h.mock_objects().provider_attestation_configs, 1);

    // A cluster outside Terraform that uses it: destroy says so and keeps it.
    let client = out_of_band_client(h.mock());
    let td = t.state().str("spirl_trust_domain.td", "id");
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
    t.step(
        Step::config(config(role2, false))
            .expect_error("still in use")
            .expect_error("provider_attestation_id"),
    );
    h.mock()
        .state
        .set_active_agents(&outsider.id, 0)
        .expect("agents gone");
    h.block_on(client.delete_cluster(&outsider.id))
        .expect("delete outsider");

    // Deleted out of band: recreated.
    let now = t.step(Step::same_config()).str(ADDRESS, "id");
    h.block_on(client.delete_provider_attestation(&now))
        .expect("delete out of band");
    t.step(Step::same_config().plan([(ADDRESS, Create)]));
    t.finish();
}

#[test]
fn provider_attestation_config_role_arn_is_judged_by_the_control_plane_at_the_attribute() {
    let Some(h) = Harness::start("provider_attestation_role_arn") else {
        return;
    };
    // Not an IAM role ARN: the SDK states no format, so Terraform's own checks let it through.
    h.write_config(&config("arn:aws:iam::123456789012:user/not-a-role", false));
    h.tf_ok(&["validate"]);
    h.tf_ok(&["plan", "-input=false"]);

    // The control plane refuses it: the error stands at `aws.role_arn`, in the API's words,
    // with what to do.
    let applied = h.tf_err(&["apply", "-auto-approve", "-input=false", "-json"]);
    let errors: Vec<serde_json::Value> = applied
        .stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|l| l["type"] == "diagnostic" && l["@level"] == "error")
        .map(|l| l["diagnostic"].clone())
        .collect();
    assert_eq!(errors.len(), 1, "{applied}");
    let error = &errors[0];
    let role_line = config("x", false)
        .lines()
        .position(|l| l.contains("role_arn"))
        .expect("the role_arn line") as u64
        + 1;
    assert_eq!(error["address"], ADDRESS, "{error:#}");
    assert_eq!(
        error["range"]["start"]["line"], role_line,
        "the error points at role_arn: {error:#}"
    );
    assert_eq!(
        error["snippet"]["code"].as_str().map(str::trim),
        Some("role_arn = \"arn:aws:iam::123456789012:user/not-a-role\""),
        "{error:#}"
    );
    let detail = error["detail"].as_str().unwrap_or_default();
    for says in [
        "INVALID_ARGUMENT",
        "aws.role_arn",
        "not an IAM role ARN",
        "Correct the value",
    ] {
        assert!(detail.contains(says), "detail lacks {says:?}: {error:#}");
    }
    assert!(!applied.all().contains("panic"), "{applied}");

    // Nothing half-created: neither on the control plane nor in the state.
    assert_eq!(h.mock_objects().provider_attestation_configs, 0);
    let state = h.state();
    assert!(find_resource(&state, ADDRESS).is_none(), "{state:#}");

    // Corrected, it applies.
    h.write_config(&config("arn:aws:iam::123456789012:role/my-role", false));
    h.apply();
    assert_eq!(h.mock_objects().provider_attestation_configs, 1);
    h.destroy();
    assert_eq!(h.mock_objects().provider_attestation_configs, 0);
}
