//! Acceptance tests of `spirl_federation_link` with the real Terraform CLI against the gRPC mock
//! (run with `TF_ACC=1`). The lifecycle starts from the official provider's documented example,
//! applied unchanged.

use crate::support::Action::{Create, Replace, Update};
use crate::support::{Harness, Is, Lifecycle, Step, out_of_band_client};

const ADDRESS: &str = "spirl_federation_link.test";
const TD: &str = "spirl_trust_domain.my_domain";
const FOREIGN: &str = "spirl_trust_domain.foreign_domain";
const FEDERATION_API: &str = "/com.spirl.api.v1.federation.API/";

/// The official provider's `spirl_federation_link` example, as published.
const OFFICIAL_EXAMPLE: &str = r#"
resource "spirl_federation_link" "test" {
  trust_domain_id           = spirl_trust_domain.my_domain.id
  foreign_trust_domain_name = spirl_trust_domain.foreign_domain.domain_name
  endpoint_url              = spirl_trust_domain.foreign_domain.spiffe_bundle_endpoint
}


resource "spirl_trust_domain" "my_domain" {
  domain_name = "my-trust-domain.internal"
  description = "A trust domain created with terraform"
}


resource "spirl_trust_domain" "foreign_domain" {
  domain_name = "foreign-trust-domain.internal"
  description = "A trust domain created with terraform"
}
"#;

/// The example with the link's foreign name and endpoint written out.
fn config(foreign: &str, url: &str) -> String {
    OFFICIAL_EXAMPLE
        .replace(
            "spirl_trust_domain.foreign_domain.domain_name",
            &format!("\"{foreign}\""),
        )
        .replace(
            "spirl_trust_domain.foreign_domain.spiffe_bundle_endpoint",
            &format!("\"{url}\""),
        )
}

fn sets(h: &Harness) -> u64 {
    h.mock_requests(&format!("{FEDERATION_API}SetLink"))
}

#[test]
fn federation_link_lifecycle_official_example_import_update_replace_drift_destroy() {
    let Some(h) = Harness::start("federation-link") else {
        return;
    };
    let client = out_of_band_client(h.mock());
    let mut t = Lifecycle::new(&h);
    let created = t.step(
        Step::config(OFFICIAL_EXAMPLE)
            .state(ADDRESS, "id", Is::prefix("fl-"))
            .state(ADDRESS, "trust_domain_id", Is::same(TD, "id"))
            .state(
                ADDRESS,
                "foreign_trust_domain_name",
                "foreign-trust-domain.internal",
            )
            .state(
                ADDRESS,
                "endpoint_url",
                Is::same(FOREIGN, "spiffe_bundle_endpoint"),
            ),
    );
    let id = created.str(ADDRESS, "id");
    let td_id = created.str(TD, "id");
    let remote = h
        .block_on(client.find_federation_link(&td_id, "foreign-trust-domain.internal"))
        .expect("list")
        .expect("the link exists");
    assert_eq!(remote.id, id);
    assert_eq!(h.mock_objects().federation_links, 1);

    // Import by td-…/foreign name gives the same state.
    t.step(
        Step::import(ADDRESS)
            .id("foreign-trust-domain.internal")
            .expect_error("td-…/foreign-trust-domain-name"),
    );
    t.step(Step::import(ADDRESS).id(format!("{td_id}/foreign-trust-domain.internal")));

    // Creating a link that exists is refused with import advice, not adopted silently.
    t.step(
        Step::same_config()
            .file(
                "twin.tf",
                format!(
                    "resource \"spirl_federation_link\" \"twin\" {{\n  trust_domain_id = \"{td_id}\"\n  foreign_trust_domain_name = \"foreign-trust-domain.internal\"\n  endpoint_url = \"https://elsewhere.example/\"\n}}\n"
                ),
            )
            .expect_error("already exists")
            .expect_error("terraform import"),
    );
    t.step(Step::same_config().plan_only());

    // A new endpoint is changed in place: same id, one SetLink.
    let before = sets(&h);
    t.step(
        Step::config(config(
            "foreign-trust-domain.internal",
            "https://bundle.foreign.example/v2",
        ))
        .plan([(ADDRESS, Update)])
        .state(ADDRESS, "id", Is::Unchanged)
        .state(ADDRESS, "endpoint_url", "https://bundle.foreign.example/v2"),
    );
    assert_eq!(sets(&h), before + 1);

    // Changed out of band: the plan shows it and apply repairs it.
    h.block_on(client.set_federation_link(
        &td_id,
        "foreign-trust-domain.internal",
        "https://attacker.example/",
    ))
    .expect("out-of-band set");
    t.step(
        Step::same_config()
            .plan([(ADDRESS, Update)])
            .plan_says("attacker.example"),
    );
    // Deleted out of band: recreated.
    h.block_on(client.delete_federation_link(&td_id, "foreign-trust-domain.internal"))
        .expect("out-of-band delete");
    t.step(Step::same_config().plan([(ADDRESS, Create)]));

    // A new foreign trust domain replaces the link.
    t.step(
        Step::config(config("partner.example", "https://bundle.partner.example/"))
            .plan([(ADDRESS, Replace)]),
    );
    let links = h
        .block_on(client.list_federation_links(Some(&td_id)))
        .expect("list");
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].foreign_trust_domain_name, "partner.example");

    t.finish();
}
