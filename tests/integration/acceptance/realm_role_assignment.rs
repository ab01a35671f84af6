//! Acceptance tests of `spirl_realm_role_assignment` and the `spirl_service_account` and
//! `spirl_delegated_admin` data sources with the real Terraform CLI against the gRPC mock (run
//! with `TF_ACC=1`). The mock's organisation has the user and the service account the official
//! provider's example names; realms are made out of band.

use crate::support::Action::{Create, Replace};
use crate::support::{
    Harness, Is, Lifecycle, Step, official_principals, out_of_band_client, trust_domain,
};
use terraform_provider_spirl::client::Principal;

const USER: &str = "spirl_realm_role_assignment.user_admin";
const SA: &str = "spirl_realm_role_assignment.sa_admin";

/// The official provider's example (its user and service-account blocks; `idp_group` has no
/// field in the published API), with the trust domain and realm written out.
fn config(td: &str, user_realm: &str) -> String {
    format!(
        r#"
# Assign a realm role to a user
resource "spirl_realm_role_assignment" "user_admin" {{
  trust_domain_id = "{td}"
  realm_name      = "{user_realm}"
  role_name       = "Administrator"
  user_email      = "admin@example.com"
}}

# Assign a realm role to a service account
resource "spirl_realm_role_assignment" "sa_admin" {{
  trust_domain_id      = "{td}"
  realm_name           = "production"
  role_name            = "Administrator"
  service_account_name = "automation-sa"
}}

data "spirl_service_account" "automation" {{
  name = "automation-sa"
}}

data "spirl_delegated_admin" "by_user" {{
  trust_domain_id = "{td}"
  realm_name      = spirl_realm_role_assignment.user_admin.realm_name
  user_email      = "admin@example.com"
}}

output "sa_id" {{
  value = data.spirl_service_account.automation.id
}}

output "admin_assignment" {{
  value = data.spirl_delegated_admin.by_user.assignment_id
}}
"#
    )
}

#[test]
fn realm_role_assignment_lifecycle_names_import_data_sources_replace_and_drift() {
    let Some(h) = Harness::start_with("realm-role-assignment", official_principals()) else {
        return;
    };
    let client = out_of_band_client(h.mock());
    let td = h
        .block_on(client.create_trust_domain(&trust_domain("realms.example")))
        .expect("trust domain");
    for realm in ["production", "staging"] {
        h.block_on(client.create_realm(&td, realm)).expect("realm");
    }

    // Plan-time: exactly one principal, named where it is wrong.
    h.write_config(&config(&td, "production").replace(
        "  user_email      = \"admin@example.com\"\n}",
        "  user_email      = \"admin@example.com\"\n  service_account_name = \"automation-sa\"\n}",
    ));
    let out = h.tf_err(&["validate"]);
    assert!(out.all().contains("Conflicting principals"), "{out}");
    h.write_config(
        &config(&td, "production").replace("  user_email      = \"admin@example.com\"\n}", "}"),
    );
    let out = h.tf_err(&["validate"]);
    assert!(out.all().contains("No principal"), "{out}");
    // A realm that does not exist is named at apply, and nothing is left behind.
    let mut t = Lifecycle::new(&h);
    t.step(Step::config(config(&td, "nowhere")).expect_error("has no realm named \"nowhere\""));

    // Create (the service account's assignment, in a realm that exists, was made already).
    let created = t.step(
        Step::config(config(&td, "production"))
            .plan([(USER, Create)])
            .state(USER, "id", Is::prefix("ra-"))
            .state(USER, "created_at", Is::Rfc3339)
            .state(SA, "user_email", Is::Null),
    );
    let id = created.str(USER, "id");
    let sa_id = created.output("sa_id").as_str().expect("sa id").to_owned();
    assert!(sa_id.starts_with("sa-"), "{sa_id}");
    assert_eq!(created.output("admin_assignment"), id.as_str());
    let held = h
        .block_on(client.list_role_assignments(&Principal::ServiceAccount(sa_id.clone())))
        .expect("assignments");
    assert_eq!(held.len(), 1);
    assert_eq!(h.mock_objects().role_assignments, 2);

    // Import by ra-… writes the names back.
    t.step(
        Step::import(USER)
            .id("admin@example.com")
            .expect_error("`ra-…`"),
    );
    t.step(Step::import(USER));

    // The same assignment again is refused with the id to import.
    t.step(
        Step::same_config()
            .file(
                "twin.tf",
                format!(
                    "resource \"spirl_realm_role_assignment\" \"twin\" {{\n  trust_domain_id = \"{td}\"\n  realm_name = \"production\"\n  role_name = \"Administrator\"\n  user_email = \"admin@example.com\"\n}}\n"
                ),
            )
            .expect_error("Import it instead")
            .expect_error(&id),
    );
    // An unknown role lists the roles there are.
    t.step(
        Step::same_config()
            .file(
                "typo.tf",
                format!(
                    "resource \"spirl_realm_role_assignment\" \"typo\" {{\n  trust_domain_id = \"{td}\"\n  realm_name = \"staging\"\n  role_name = \"Admin\"\n  service_account_name = \"automation-sa\"\n}}\n"
                ),
            )
            .expect_error("`Administrator`"),
    );
    t.step(Step::same_config().plan_only());

    // Another realm replaces the assignment.
    let moved = t.step(
        Step::config(config(&td, "staging"))
            .plan([(USER, Replace)])
            .state(USER, "id", Is::Changed)
            .state(USER, "realm_name", "staging"),
    );
    let moved_id = moved.str(USER, "id");
    assert_eq!(h.mock_objects().role_assignments, 2);

    // Removed out of band: planned again and restored.
    h.block_on(client.remove_role_assignment(&moved_id))
        .expect("out-of-band remove");
    t.step(Step::same_config().plan([(USER, Create)]));

    // The trust domain and realms were made out of band and stay.
    t.finish_with(|h| assert_eq!(h.mock_objects().role_assignments, 0));
}
