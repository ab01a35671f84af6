//! Acceptance tests of `spirl_cicd_profile` (resource and data source) and
//! `spirl_cicd_profile_link` with the real Terraform CLI against the gRPC mock (run with
//! `TF_ACC=1`).

use crate::support::{Harness, out_of_band_client};
use terraform_provider_spirl::client::{ClusterVersionSpec, CreateCluster, Platform};
use terraform_provider_spirl::keys::KeyPair;

const PROFILE: &str = "spirl_cicd_profile.test";
const LINK: &str = "spirl_cicd_profile_link.test";

fn config(issuer: &str) -> String {
    format!(
        r#"
resource "spirl_trust_domain" "td" {{
  domain_name = "cicd.example.org"
}}

resource "spirl_key_pair" "k" {{
  algorithm = "ed25519"
}}

resource "spirl_cluster" "ci" {{
  trust_domain_id = spirl_trust_domain.td.id
  name            = "ci"
  platform        = "linux"
  public_key      = spirl_key_pair.k.public_key_pem
}}

resource "spirl_cicd_profile" "test" {{
  name   = "my-cicd-profile"
  issuer = "{issuer}"
}}

resource "spirl_cicd_profile_link" "test" {{
  cicd_profile_id = spirl_cicd_profile.test.id
  cluster_id      = spirl_cluster.ci.id
}}

data "spirl_cicd_profile" "read" {{
  name = spirl_cicd_profile.test.name
}}

output "read" {{
  value = data.spirl_cicd_profile.read
}}
"#
    )
}

#[test]
fn cicd_profile_and_link_lifecycle_import_replace_repair_destroy() {
    let Some(h) = Harness::start("cicd_lifecycle") else {
        return;
    };
    h.write_config(&config("https://gitlab.com"));
    let out = h.apply();
    assert!(!out.all().contains("inconsistent"), "{out}");
    let profile = h.resource(PROFILE);
    let profile_id = profile["id"].as_str().expect("id").to_owned();
    assert!(profile_id.starts_with("cicdp-"), "{profile}");
    assert_eq!(
        profile["jwks_url"], "https://gitlab.com/.well-known/jwks.json",
        "the default, read back"
    );
    assert_eq!(h.outputs()["read"], profile);
    let link = h.resource(LINK);
    let cluster_id = h.resource("spirl_cluster.ci")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(link["cluster_id"], cluster_id.as_str());
    assert_eq!(link["cicd_profile_id"], profile_id.as_str());
    h.assert_plan_empty();

    // Imports as the official docs show: the profile by name, the link as `cicdp-…:c-…`.
    for (address, import_id, bad) in [
        (
            PROFILE,
            "my-cicd-profile".to_owned(),
            "no-such-profile".to_owned(),
        ),
        (
            LINK,
            format!("{profile_id}:{cluster_id}"),
            format!("{cluster_id}:{profile_id}"),
        ),
    ] {
        let before = h.resource(address);
        h.tf_ok(&["state", "rm", address]);
        let out = h.tf_err(&["import", address, &bad]);
        assert!(out.said().contains("Cannot import"), "{out}");
        h.tf_ok(&["import", address, &import_id]);
        assert_eq!(h.resource(address), before, "{address}");
    }
    h.assert_plan_empty();

    // No update RPC: a new issuer replaces the profile, and the link with it.
    h.write_config(&config("https://token.actions.githubusercontent.com"));
    let plan = h.tf_ok(&["plan"]);
    assert!(
        plan.stdout.contains("2 to add, 0 to change, 2 to destroy"),
        "{plan}"
    );
    h.apply();
    let replaced = h.resource(PROFILE);
    assert_ne!(replaced["id"], profile_id.as_str());
    assert_eq!(h.resource(LINK)["cicd_profile_id"], replaced["id"]);
    assert_eq!(h.mock_objects().cicd_profiles, 1);
    h.assert_plan_empty();
    let profile_id = replaced["id"].as_str().expect("id").to_owned();

    // Unlinked out of band: linked again.
    let client = out_of_band_client(h.mock());
    h.block_on(client.unlink_cicd_profile(&profile_id, &cluster_id))
        .expect("unlink");
    h.assert_plan_changes("1 to add, 0 to change, 0 to destroy");
    h.apply();
    h.assert_plan_empty();

    // Linked out of band to another cluster: the profile's delete is refused, naming it.
    let td = h.resource("spirl_trust_domain.td")["id"]
        .as_str()
        .expect("td")
        .to_owned();
    let other = h
        .block_on(async {
            client
                .create_cluster(&CreateCluster {
                    trust_domain_id: td.clone(),
                    name: "other".into(),
                    description: String::new(),
                    platform: Platform::Linux,
                    realm_id: String::new(),
                    version: ClusterVersionSpec {
                        public_key_der: KeyPair::generate().public_key().to_spki_der(),
                        ..ClusterVersionSpec::default()
                    },
                })
                .await?;
            let other = client.find_cluster(&td, "other").await?.expect("listed");
            client.link_cicd_profile(&profile_id, &other.id).await?;
            Ok::<_, terraform_provider_spirl::client::ApiError>(other.id)
        })
        .expect("link out of band");
    let out = h.tf_err(&["destroy", "-auto-approve"]);
    assert!(
        out.said().contains("Could not delete CI/CD profile"),
        "{out}"
    );
    assert!(out.said().contains(&other), "names the cluster: {out}");
    assert_eq!(h.mock_objects().cicd_profiles, 1);
    h.block_on(client.delete_cluster(&other))
        .expect("delete the other cluster");
    h.destroy();
    assert_eq!(h.mock_objects(), Default::default());
}
