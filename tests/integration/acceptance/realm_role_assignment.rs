//! Acceptance tests of `spirl_realm_role_assignment` and the `spirl_service_account` and
//! `spirl_delegated_admin` data sources with the real Terraform CLI against the gRPC mock (run
//! with `TF_ACC=1`). The mock's organisation has the user and the service account the official
//! provider's example names; realms are made out of band.

use crate::support::{Harness, out_of_band_client};
use spirl_mock_api::MockConfig;
use terraform_provider_spirl::client::{CreateTrustDomain, Principal};

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
    let Some(h) = Harness::start_with(
        "realm-role-assignment",
        MockConfig {
            users: vec!["admin@example.com".into()],
            service_accounts: vec!["automation-sa".into()],
            ..MockConfig::default()
        },
    ) else {
        return;
    };
    let client = out_of_band_client(h.mock());
    let td = h
        .block_on(client.create_trust_domain(&CreateTrustDomain {
            name: "realms.example".into(),
            self_hosted: true,
            ..CreateTrustDomain::default()
        }))
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
    h.write_config(&config(&td, "nowhere"));
    let out = h.tf_err(&["apply", "-auto-approve"]);
    assert!(
        out.all().contains("has no realm named \"nowhere\""),
        "{out}"
    );

    // Create.
    h.write_config(&config(&td, "production"));
    h.apply();
    let user = h.resource(USER);
    let id = user["id"].as_str().expect("id").to_owned();
    assert!(id.starts_with("ra-"), "{id}");
    assert!(!user["created_at"].as_str().unwrap_or_default().is_empty());
    let sa = h.resource(SA);
    assert!(sa["user_email"].is_null());
    let outputs = h.outputs();
    let sa_id = outputs["sa_id"].as_str().expect("sa id").to_owned();
    assert!(sa_id.starts_with("sa-"), "{sa_id}");
    assert_eq!(outputs["admin_assignment"], id.as_str());
    let held = h
        .block_on(client.list_role_assignments(&Principal::ServiceAccount(sa_id.clone())))
        .expect("assignments");
    assert_eq!(held.len(), 1);
    assert_eq!(h.mock_objects().role_assignments, 2);
    h.assert_plan_empty();

    // Import by ra-… writes the names back.
    h.tf_ok(&["state", "rm", USER]);
    let out = h.tf_err(&["import", USER, "admin@example.com"]);
    assert!(out.all().contains("`ra-…`"), "{out}");
    h.tf_ok(&["import", USER, &id]);
    assert_eq!(h.resource(USER), user);
    h.assert_plan_empty();

    // The same assignment again is refused with the id to import.
    h.write_file(
        "twin.tf",
        &format!(
            "resource \"spirl_realm_role_assignment\" \"twin\" {{\n  trust_domain_id = \"{td}\"\n  realm_name = \"production\"\n  role_name = \"Administrator\"\n  user_email = \"admin@example.com\"\n}}\n"
        ),
    );
    let out = h.tf_err(&["apply", "-auto-approve"]);
    assert!(out.all().contains("Import it instead"), "{out}");
    assert!(out.all().contains(&id), "{out}");
    std::fs::remove_file(h.path().join("twin.tf")).expect("remove twin.tf");
    // An unknown role lists the roles there are.
    h.write_file(
        "typo.tf",
        &format!(
            "resource \"spirl_realm_role_assignment\" \"typo\" {{\n  trust_domain_id = \"{td}\"\n  realm_name = \"staging\"\n  role_name = \"Admin\"\n  service_account_name = \"automation-sa\"\n}}\n"
        ),
    );
    let out = h.tf_err(&["apply", "-auto-approve"]);
    assert!(out.all().contains("`Administrator`"), "{out}");
    std::fs::remove_file(h.path().join("typo.tf")).expect("remove typo.tf");
    h.assert_plan_empty();

    // Another realm replaces the assignment.
    h.write_config(&config(&td, "staging"));
    h.assert_plan_changes("1 to add, 0 to change, 1 to destroy");
    h.apply();
    let moved = h.resource(USER);
    assert_ne!(moved["id"], id.as_str());
    assert_eq!(moved["realm_name"], "staging");
    assert_eq!(h.mock_objects().role_assignments, 2);

    // Removed out of band: planned again and restored.
    let moved_id = moved["id"].as_str().expect("id").to_owned();
    h.block_on(client.remove_role_assignment(&moved_id))
        .expect("out-of-band remove");
    h.assert_plan_changes("1 to add");
    h.apply();
    h.assert_plan_empty();

    h.destroy();
    assert_eq!(h.mock_objects().role_assignments, 0);
}
