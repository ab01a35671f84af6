//! Acceptance tests of `spirl_trust_domain` (resource and data source) with the real Terraform
//! CLI against the mock (run with `TF_ACC=1`).

mod client_support;
mod common;

use common::Harness;
use serde_json::Value as Json;
use terraform_provider_spirl::client::{Client, CreateDeployment};

const ADDRESS: &str = "spirl_trust_domain.example";

/// A client for the harness's mock, for changes made out of band.
fn client(h: &Harness) -> Client {
    client_support::client_for(h.mock(), |_| {})
}

/// Every API request the mock has seen so far.
fn total_requests(h: &Harness) -> u64 {
    h.mock().stats().requests.values().sum()
}

fn config(body: &str) -> String {
    format!("resource \"spirl_trust_domain\" \"example\" {{\n{body}\n}}\n")
}

/// What Terraform said, with its line wrapping undone, for assertions on long messages.
fn said(out: &common::TfOutput) -> String {
    out.all().split_whitespace().collect::<Vec<_>>().join(" ")
}

fn str_of<'a>(v: &'a Json, attr: &str) -> &'a str {
    v[attr]
        .as_str()
        .unwrap_or_else(|| panic!("{attr} is not a string: {v}"))
}

/// The URLs the mock computes for trust domain `id` (its base domain is `spirl.test`).
fn assert_mock_urls(td: &Json, id: &str) {
    assert_eq!(
        td["spiffe_bundle_endpoint"],
        format!("https://{id}.bundle.spirl.test/")
    );
    assert_eq!(
        td["oidc_discovery_endpoint"],
        format!("https://{id}.oidc.spirl.test/.well-known/openid-configuration")
    );
    assert_eq!(
        td["jwks_endpoint"],
        format!("https://{id}.oidc.spirl.test/keys")
    );
}

fn assert_rfc3339(s: &str) {
    humantime::parse_rfc3339(s).unwrap_or_else(|e| panic!("{s:?} is not RFC 3339: {e}"));
}

#[test]
fn trust_domain_lifecycle_create_import_update_replace_destroy() {
    let Some(h) = Harness::start("trust_domain_lifecycle") else {
        return;
    };
    h.write_config(&config(
        "  domain_name = \"example.org\"\n  description = \"first\"",
    ));
    h.apply();

    let created = h.resource(ADDRESS);
    let id = str_of(&created, "id").to_owned();
    assert!(id.starts_with("td-"), "{id}");
    assert_eq!(created["domain_name"], "example.org");
    assert_eq!(created["description"], "first");
    assert_eq!(created["self_hosted"], true);
    assert_eq!(created["jwt_issuer_mode"], "builtin");
    assert_eq!(
        created["jwt_issuer"],
        format!("https://{id}.oidc.spirl.test")
    );
    assert_eq!(created["spirl_agent_endpoint"], "");
    assert_mock_urls(&created, &id);
    assert_rfc3339(str_of(&created, "created_at"));
    assert_rfc3339(str_of(&created, "updated_at"));
    h.assert_plan_empty();

    // Import by id, then by name, into a state without the resource: the same state comes back.
    for import_id in [id.as_str(), "example.org"] {
        h.tf_ok(&["state", "rm", ADDRESS]);
        h.tf_ok(&["import", ADDRESS, import_id]);
        assert_eq!(h.resource(ADDRESS), created, "imported with {import_id}");
        h.assert_plan_empty();
    }
    assert_eq!(h.mock_objects().trust_domains, 1);

    // In place: description and JWT issuer mode, same id.
    h.write_config(&config(
        "  domain_name = \"example.org\"\n  description = \"second\"\n  jwt_issuer_mode = \"custom\"\n  jwt_issuer = \"https://issuer.example.com\"",
    ));
    let plan = h.tf_ok(&["plan"]);
    assert!(plan.stdout.contains("1 to change, 0 to destroy"), "{plan}");
    // The mock's clock ticks in seconds, so the plan, not the value, shows that updated_at moves.
    let updated_line = plan.stdout.lines().find(|l| l.contains("updated_at"));
    assert!(
        updated_line.is_some_and(|l| l.contains("(known after apply)")),
        "{plan}"
    );
    h.apply();
    let custom = h.resource(ADDRESS);
    assert_eq!(custom["id"], id.as_str());
    assert_eq!(custom["description"], "second");
    assert_eq!(custom["jwt_issuer_mode"], "custom");
    assert_eq!(custom["jwt_issuer"], "https://issuer.example.com");
    assert_eq!(custom["created_at"], created["created_at"]);
    h.assert_plan_empty();

    h.write_config(&config(
        "  domain_name = \"example.org\"\n  jwt_issuer_mode = \"disabled\"",
    ));
    h.apply();
    let disabled = h.resource(ADDRESS);
    assert_eq!(disabled["id"], id.as_str());
    assert_eq!(disabled["description"], "");
    assert_eq!(disabled["jwt_issuer"], "");
    h.assert_plan_empty();

    // Back to builtin: the computed issuer returns.
    h.write_config(&config("  domain_name = \"example.org\""));
    h.apply();
    assert_eq!(
        h.resource(ADDRESS)["jwt_issuer"],
        format!("https://{id}.oidc.spirl.test")
    );
    h.assert_plan_empty();

    // domain_name and self_hosted force replacement: a new id, hosted by Defakto.
    h.write_config(&config(
        "  domain_name = \"example.com\"\n  self_hosted = false",
    ));
    let plan = h.tf_ok(&["plan"]);
    assert!(plan.stdout.contains("must be replaced"), "{plan}");
    h.apply();
    let replaced = h.resource(ADDRESS);
    let new_id = str_of(&replaced, "id");
    assert_ne!(new_id, id);
    assert_eq!(replaced["domain_name"], "example.com");
    assert_eq!(replaced["self_hosted"], false);
    assert_eq!(
        replaced["spirl_agent_endpoint"],
        format!("{new_id}.agents.spirl.test:443")
    );
    assert_mock_urls(&replaced, new_id);
    assert_eq!(h.mock_objects().trust_domains, 1);
    h.assert_plan_empty();

    h.destroy();
    assert_eq!(h.mock_objects(), Default::default());
}

#[test]
fn trust_domain_deleted_out_of_band_is_recreated() {
    let Some(h) = Harness::start("trust_domain_out_of_band") else {
        return;
    };
    h.write_config(&config("  domain_name = \"example.org\""));
    h.apply();
    let id = str_of(&h.resource(ADDRESS), "id").to_owned();

    h.block_on(client(&h).delete_trust_domain(&id))
        .expect("delete out of band");
    let plan = h.tf(&["plan", "-detailed-exitcode", "-no-color"]);
    assert_eq!(plan.code, 2, "the plan should propose a change:\n{plan}");
    assert!(
        plan.stdout.contains("1 to add, 0 to change, 0 to destroy"),
        "{plan}"
    );

    h.apply();
    assert_ne!(h.resource(ADDRESS)["id"], id.as_str());
    assert_eq!(h.mock_objects().trust_domains, 1);
    h.assert_plan_empty();

    // A 404 on delete counts as deleted.
    let id = str_of(&h.resource(ADDRESS), "id").to_owned();
    h.block_on(client(&h).delete_trust_domain(&id))
        .expect("delete out of band");
    h.tf_ok(&["destroy", "-auto-approve", "-refresh=false"]);
    assert!(
        h.state()["values"].is_null(),
        "state is empty after destroy"
    );
}

#[test]
fn trust_domain_invalid_inputs_fail_plan() {
    let Some(h) = Harness::start("trust_domain_invalid") else {
        return;
    };
    let long = format!("{}.org", "a".repeat(252));
    let cases = [
        (
            "domain_name = \"Example.org\"",
            "domain_name",
            "Use \"example.org\"",
        ),
        // A Cyrillic "е", which looks like the Latin one.
        (
            "domain_name = \"\u{0435}xample.org\"",
            "domain_name",
            "U+0435",
        ),
        (
            &format!("domain_name = \"{long}\""),
            "domain_name",
            "at most 255",
        ),
        (
            "domain_name = \"spiffe://example.org\"",
            "domain_name",
            "SPIFFE ID",
        ),
        (
            "domain_name = \"example..org\"",
            "domain_name",
            "empty label",
        ),
        (
            "domain_name = \"example.org\"\n  jwt_issuer_mode = \"custom\"",
            "jwt_issuer",
            "required when jwt_issuer_mode is \"custom\"",
        ),
        (
            "domain_name = \"example.org\"\n  jwt_issuer_mode = \"disabled\"\n  jwt_issuer = \"https://issuer.example.com\"",
            "jwt_issuer",
            "must not be set when jwt_issuer_mode is \"disabled\"",
        ),
        (
            "domain_name = \"example.org\"\n  jwt_issuer_mode = \"custom\"\n  jwt_issuer = \"http://issuer.example.com\"",
            "jwt_issuer",
            "not an https:// URL",
        ),
        (
            "domain_name = \"example.org\"\n  jwt_issuer_mode = \"sometimes\"",
            "jwt_issuer_mode",
            "must be \"builtin\", \"disabled\" or \"custom\"",
        ),
    ];
    for (body, attribute, says) in cases {
        h.write_config(&config(&format!("  {body}")));
        let out = h.tf_err(&["plan"]);
        let all = said(&out);
        assert!(all.contains(says), "{body}: expected {says:?}:\n{out}");
        assert!(
            all.contains(attribute),
            "{body}: expected {attribute}:\n{out}"
        );
    }
    assert_eq!(h.mock_objects(), Default::default());
}

#[test]
fn trust_domain_duplicate_name_says_which_and_how_to_import() {
    let Some(h) = Harness::start("trust_domain_duplicate") else {
        return;
    };
    let existing = h
        .block_on(client(&h).create_trust_domain(&client_support::trust_domain("example.org")))
        .expect("create out of band");
    h.write_config(&config("  domain_name = \"example.org\""));
    let out = h.tf_err(&["apply", "-auto-approve"]);
    let all = said(&out);
    assert!(all.contains("already exists"), "{out}");
    assert!(all.contains(&existing.id), "{out}");
    assert!(
        all.contains(&format!(
            "terraform import spirl_trust_domain.example {}",
            existing.id
        )),
        "{out}"
    );

    // The advice works: import, and the plan is empty.
    h.tf_ok(&["import", ADDRESS, &existing.id]);
    h.assert_plan_empty();
    h.destroy();
    assert_eq!(h.mock_objects(), Default::default());
}

#[test]
fn trust_domain_import_unknown_id_fails_clearly() {
    let Some(h) = Harness::start("trust_domain_import_unknown") else {
        return;
    };
    h.write_config(&config("  domain_name = \"example.org\""));
    for bad in ["td-doesnotexist", "nowhere.example.org"] {
        let out = h.tf_err(&["import", ADDRESS, bad]);
        assert!(said(&out).contains("Cannot import trust domain"), "{out}");
        assert!(out.all().contains(bad), "{out}");
    }
}

#[test]
fn trust_domain_with_deployments_cannot_be_destroyed() {
    let Some(h) = Harness::start("trust_domain_with_deployments") else {
        return;
    };
    h.write_config(&config("  domain_name = \"example.org\""));
    h.apply();
    let id = str_of(&h.resource(ADDRESS), "id").to_owned();
    let c = client(&h);
    let deployment = h
        .block_on(c.create_deployment(
            &id,
            &CreateDeployment {
                name: "prod".into(),
            },
        ))
        .expect("create deployment out of band");

    let out = h.tf_err(&["destroy", "-auto-approve"]);
    assert!(said(&out).contains("still has deployments"), "{out}");
    assert!(out.all().contains("spirl_trust_domain_deployment"), "{out}");
    assert_eq!(h.mock_objects().trust_domains, 1);

    h.block_on(c.delete_deployment(&id, &deployment.id, false))
        .expect("delete deployment");
    h.destroy();
    assert_eq!(h.mock_objects(), Default::default());
}

#[test]
fn trust_domain_data_source_reads_the_resource() {
    let Some(h) = Harness::start("trust_domain_data_source") else {
        return;
    };
    h.write_config(&format!(
        "{}\n{}",
        config("  domain_name = \"example.org\"\n  description = \"read me\""),
        r#"
data "spirl_trust_domain" "lookup" {
  domain_name = spirl_trust_domain.example.domain_name
  depends_on  = [spirl_trust_domain.example]
}

data "spirl_trust_domain" "missing" {
  count       = var.look_for_missing ? 1 : 0
  domain_name = "missing.example.org"
}

variable "look_for_missing" {
  default = false
}
"#
    ));
    h.apply();
    let resource = h.resource(ADDRESS);
    let data = h.resource("data.spirl_trust_domain.lookup");
    assert_eq!(data, resource);
    h.assert_plan_empty();

    let out = h.tf_err(&["plan", "-var", "look_for_missing=true"]);
    assert!(out.all().contains("Trust domain not found"), "{out}");
    assert!(out.all().contains("missing.example.org"), "{out}");
    h.destroy();
    assert_eq!(h.mock_objects(), Default::default());
}

#[test]
fn trust_domain_refresh_batches_reads() {
    const N: u64 = 60;
    let Some(h) = Harness::start("trust_domain_refresh") else {
        return;
    };
    h.write_config(&format!(
        "resource \"spirl_trust_domain\" \"many\" {{\n  count = {N}\n  domain_name = \"td${{count.index}}.example.org\"\n}}\n"
    ));
    h.apply();
    assert_eq!(h.mock_objects().trust_domains, N as usize);

    let before = total_requests(&h);
    h.assert_plan_empty();
    let refresh = total_requests(&h) - before;
    let budget = N / 50 + 5;
    eprintln!("refresh of {N} trust domains cost {refresh} API requests (budget {budget})");
    assert!(
        refresh <= budget,
        "refresh of {N} trust domains cost {refresh} requests, more than {budget}: {:?}",
        h.mock().stats().requests
    );

    h.destroy();
    assert_eq!(h.mock_objects(), Default::default());
}
