//! Acceptance tests of `spirl_cicd_profile` (resource and data source) and
//! `spirl_cicd_profile_link` with the real Terraform CLI against the gRPC mock (run with
//! `TF_ACC=1`).

use crate::support::Action::{Create, Replace};
use crate::support::{Harness, Is, Lifecycle, Step, out_of_band_client};
use terraform_provider_spirl::client::{ClusterVersionSpec, CreateCluster, Platform};
use terraform_provider_spirl::keys::KeyPair;

const PROFILE: &str = "spirl_cicd_profile.test";
const LINK: &str = "spirl_cicd_profile_link.test";
const CLUSTER: &str = "spirl_cluster.ci";

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
    let mut t = Lifecycle::new(&h);
    let created = t.step(
        Step::config(config("https://gitlab.com"))
            .state(PROFILE, "id", Is::prefix("cicdp-"))
            // The default, read back.
            .state(
                PROFILE,
                "jwks_url",
                "https://gitlab.com/.well-known/jwks.json",
            )
            .state(LINK, "cluster_id", Is::same(CLUSTER, "id"))
            .state(LINK, "cicd_profile_id", Is::same(PROFILE, "id")),
    );
    assert_eq!(created.output("read"), created.resource(PROFILE));
    let profile_id = created.str(PROFILE, "id");
    let cluster_id = created.str(CLUSTER, "id");

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
        t.step(Step::import(address).id(bad).expect_error("Cannot import"));
        t.step(Step::import(address).id(import_id));
    }

    // No update RPC: a new issuer replaces the profile, and the link with it.
    t.step(
        Step::config(config("https://token.actions.githubusercontent.com"))
            .plan([(PROFILE, Replace), (LINK, Replace)])
            .state(PROFILE, "id", Is::Changed)
            .state(LINK, "cicd_profile_id", Is::same(PROFILE, "id")),
    );
    assert_eq!(h.mock_objects().cicd_profiles, 1);
    let profile_id = t.state().str(PROFILE, "id");

    // Unlinked out of band: linked again.
    let client = out_of_band_client(h.mock());
    h.block_on(client.unlink_cicd_profile(&profile_id, &cluster_id))
        .expect("unlink");
    t.step(Step::same_config().plan([(LINK, Create)]));

    // Linked out of band to another cluster: the profile's delete is refused, naming it.
    let td = t.state().str("spirl_trust_domain.td", "id");
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
    t.step(
        Step::destroy()
            .expect_error("Could not delete CI/CD profile")
            // Names the cluster.
            .expect_error(&other),
    );
    assert_eq!(h.mock_objects().cicd_profiles, 1);
    h.block_on(client.delete_cluster(&other))
        .expect("delete the other cluster");
    t.finish();
}

/// A profile as the official docs allow it: `name` only, or with an issuer.
fn profile(issuer: Option<&str>) -> String {
    let issuer = issuer.map_or(String::new(), |i| format!("\n  issuer = \"{i}\""));
    format!(
        r#"
resource "spirl_cicd_profile" "test" {{
  name = "defaulted"{issuer}
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
fn cicd_profile_without_issuer_takes_the_control_planes_default() {
    let Some(h) = Harness::start("cicd_default_issuer") else {
        return;
    };
    let mut t = Lifecycle::new(&h);
    // Unset: sent empty, as the SDK does; the mock's default is read back and then plans no
    // change.
    let created = t.step(
        Step::config(profile(None))
            .plan([(PROFILE, Create)])
            .plan_unknown(PROFILE, ["id", "issuer", "jwks_url"])
            .state(PROFILE, "issuer", "https://gitlab.com")
            .state(
                PROFILE,
                "jwks_url",
                "https://gitlab.com/.well-known/jwks.json",
            ),
    );
    assert_eq!(created.output("read"), created.resource(PROFILE));

    // Imported by name (and with an import block): the same values, and an empty plan.
    t.step(Step::import(PROFILE).id("defaulted"));
    t.step(Step::import(PROFILE).id("defaulted").by_block());

    // Configuring the value it already has changes nothing; another one replaces it, and
    // leaving it unset again keeps the issuer the profile has.
    t.step(Step::config(profile(Some("https://gitlab.com"))).plan([]));
    let github = "https://token.actions.githubusercontent.com";
    t.step(
        Step::config(profile(Some(github)))
            .plan([(PROFILE, Replace)])
            .state(PROFILE, "id", Is::Changed)
            .state(PROFILE, "issuer", github),
    );
    t.step(
        Step::config(profile(None))
            .plan([])
            .state(PROFILE, "issuer", github),
    );
    assert_eq!(h.mock_objects().cicd_profiles, 1);
    t.finish();
}
