//! Acceptance tests of `spirl_federation_link` with the real Terraform CLI against the gRPC mock
//! (run with `TF_ACC=1`). The lifecycle starts from the official provider's documented example,
//! applied unchanged.

use crate::support::{Harness, out_of_band_client};

const ADDRESS: &str = "spirl_federation_link.test";
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
    h.write_config(OFFICIAL_EXAMPLE);
    h.apply();
    let link = h.resource(ADDRESS);
    let td = h.resource("spirl_trust_domain.my_domain");
    let foreign = h.resource("spirl_trust_domain.foreign_domain");
    assert_eq!(link["trust_domain_id"], td["id"]);
    assert_eq!(
        link["foreign_trust_domain_name"],
        "foreign-trust-domain.internal"
    );
    assert_eq!(link["endpoint_url"], foreign["spiffe_bundle_endpoint"]);
    let id = link["id"].as_str().expect("id").to_owned();
    assert!(id.starts_with("fl-"), "{id}");
    let td_id = td["id"].as_str().expect("td id").to_owned();
    let remote = h
        .block_on(client.find_federation_link(&td_id, "foreign-trust-domain.internal"))
        .expect("list")
        .expect("the link exists");
    assert_eq!(remote.id, id);
    assert_eq!(h.mock_objects().federation_links, 1);
    h.assert_plan_empty();

    // Import by td-…/foreign name gives the same state.
    h.tf_ok(&["state", "rm", ADDRESS]);
    let out = h.tf_err(&["import", ADDRESS, "foreign-trust-domain.internal"]);
    assert!(
        out.all().contains("td-…/foreign-trust-domain-name"),
        "{out}"
    );
    h.tf_ok(&[
        "import",
        ADDRESS,
        &format!("{td_id}/foreign-trust-domain.internal"),
    ]);
    assert_eq!(h.resource(ADDRESS), link);
    h.assert_plan_empty();

    // Creating a link that exists is refused with import advice, not adopted silently.
    h.write_file(
        "twin.tf",
        &format!(
            "resource \"spirl_federation_link\" \"twin\" {{\n  trust_domain_id = \"{td_id}\"\n  foreign_trust_domain_name = \"foreign-trust-domain.internal\"\n  endpoint_url = \"https://elsewhere.example/\"\n}}\n"
        ),
    );
    let out = h.tf_err(&["apply", "-auto-approve"]);
    assert!(out.all().contains("already exists"), "{out}");
    assert!(out.all().contains("terraform import"), "{out}");
    std::fs::remove_file(h.path().join("twin.tf")).expect("remove twin.tf");
    h.assert_plan_empty();

    // A new endpoint is changed in place: same id, one SetLink.
    let before = sets(&h);
    h.write_config(&config(
        "foreign-trust-domain.internal",
        "https://bundle.foreign.example/v2",
    ));
    h.assert_plan_changes("0 to add, 1 to change, 0 to destroy");
    h.apply();
    let updated = h.resource(ADDRESS);
    assert_eq!(updated["id"], id.as_str());
    assert_eq!(updated["endpoint_url"], "https://bundle.foreign.example/v2");
    assert_eq!(sets(&h), before + 1);
    h.assert_plan_empty();

    // Changed out of band: the plan shows it and apply repairs it.
    h.block_on(client.set_federation_link(
        &td_id,
        "foreign-trust-domain.internal",
        "https://attacker.example/",
    ))
    .expect("out-of-band set");
    let plan = h.assert_plan_changes("1 to change");
    assert!(plan.stdout.contains("attacker.example"), "{plan}");
    h.apply();
    // Deleted out of band: recreated.
    h.block_on(client.delete_federation_link(&td_id, "foreign-trust-domain.internal"))
        .expect("out-of-band delete");
    h.assert_plan_changes("1 to add");
    h.apply();
    h.assert_plan_empty();

    // A new foreign trust domain replaces the link.
    h.write_config(&config(
        "partner.example",
        "https://bundle.partner.example/",
    ));
    h.assert_plan_changes("1 to add, 0 to change, 1 to destroy");
    h.apply();
    let links = h
        .block_on(client.list_federation_links(Some(&td_id)))
        .expect("list");
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].foreign_trust_domain_name, "partner.example");

    h.destroy();
    assert_eq!(h.mock_objects(), Default::default(), "the mock is empty");
}
