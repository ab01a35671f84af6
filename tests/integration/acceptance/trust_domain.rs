//! Acceptance tests of `spirl_trust_domain` (resource and data source) with the real Terraform
//! CLI against the gRPC mock (run with `TF_ACC=1`).

use std::time::Duration;

use crate::support::{Harness, out_of_band_client};
use serde_json::Value as Json;
use spirl_mock_api::MockConfig;
use terraform_provider_spirl::client::{CreateTrustDomain, TrustDomain};
use terraform_provider_spirl::keys::KeyPair;

const ADDRESS: &str = "spirl_trust_domain.example";
const TD_API: &str = "/com.spirl.api.v1.trustdomain.API/";
const REPLACE_WARNING: &str = "Changing the description replaces the trust domain";

/// Every API request the mock has seen so far.
fn total_requests(h: &Harness) -> u64 {
    h.mock().stats().requests.values().sum()
}

/// Calls of trust-domain method `name` the mock has seen.
fn calls(h: &Harness, name: &str) -> u64 {
    h.mock_requests(&format!("{TD_API}{name}"))
}

fn config(body: &str) -> String {
    format!("resource \"spirl_trust_domain\" \"example\" {{\n{body}\n}}\n")
}

fn str_of<'a>(v: &'a Json, attr: &str) -> &'a str {
    v[attr]
        .as_str()
        .unwrap_or_else(|| panic!("{attr} is not a string: {v}"))
}

/// The URLs the mock computes for trust domain `id` (its base domain is `spirl.test`), with the
/// discovery document of the built-in issuer.
fn assert_mock_urls(td: &Json, id: &str) {
    assert_eq!(
        td["spiffe_bundle_endpoint"],
        format!("https://{id}.bundle.spirl.test/")
    );
    assert_eq!(
        td["jwks_endpoint"],
        format!("https://{id}.oidc.spirl.test/keys")
    );
    assert_issuer(td, "builtin", &format!("https://{id}.oidc.spirl.test"));
}

/// The JWT issuer mode and effective issuer, and the discovery document derived from it.
fn assert_issuer(td: &Json, mode: &str, issuer: &str) {
    assert_eq!(td["jwt_issuer_mode"], mode, "{td}");
    assert_eq!(td["jwt_issuer"], issuer, "{td}");
    let discovery = if issuer.is_empty() {
        String::new()
    } else {
        format!("{issuer}/.well-known/openid-configuration")
    };
    assert_eq!(td["oidc_discovery_endpoint"], discovery, "{td}");
}

fn assert_rfc3339(s: &str) {
    humantime::parse_rfc3339(s).unwrap_or_else(|e| panic!("{s:?} is not RFC 3339: {e}"));
}

/// Applies, and checks that Terraform found nothing inconsistent in what the provider returned.
fn apply_consistent(h: &Harness) {
    let out = h.apply();
    assert!(!out.all().contains("inconsistent"), "{out}");
}

/// The state's values of the resource, without `timeouts` (which the data source lacks).
fn without_timeouts(mut v: Json) -> Json {
    if let Some(o) = v.as_object_mut() {
        o.remove("timeouts");
    }
    v
}

#[test]
fn trust_domain_lifecycle_create_import_update_replace_destroy() {
    let Some(h) = Harness::start("trust_domain_lifecycle") else {
        return;
    };
    h.write_config(&config(
        "  domain_name = \"example.org\"\n  description = \"first\"",
    ));
    apply_consistent(&h);
    // Self-hosted by default: RegisterTrustDomain, never CreateTrustDomain.
    assert_eq!(calls(&h, "RegisterTrustDomain"), 1);
    assert_eq!(calls(&h, "CreateTrustDomain"), 0);

    let created = h.resource(ADDRESS);
    let id = str_of(&created, "id").to_owned();
    assert!(id.starts_with("td-"), "{id}");
    assert_eq!(created["domain_name"], "example.org");
    assert_eq!(created["description"], "first");
    assert_eq!(created["self_hosted"], true);
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

    // The JWT issuer changes in place (UpdateTrustDomain): builtin → custom → disabled →
    // builtin, same id, the discovery document following the effective issuer.
    let body = |issuer: &str| {
        config(&format!(
            "  domain_name = \"example.org\"\n  description = \"first\"\n{issuer}"
        ))
    };
    h.write_config(&body(
        "  jwt_issuer_mode = \"custom\"\n  jwt_issuer = \"https://issuer.example.com\"",
    ));
    let plan = h.tf_ok(&["plan"]);
    assert!(
        plan.stdout.contains("0 to add, 1 to change, 0 to destroy"),
        "{plan}"
    );
    assert!(!plan.all().contains(REPLACE_WARNING), "{plan}");
    // The mock's clock ticks in seconds, so the plan, not the value, shows that updated_at moves.
    let updated_line = plan.stdout.lines().find(|l| l.contains("updated_at"));
    assert!(
        updated_line.is_some_and(|l| l.contains("(known after apply)")),
        "{plan}"
    );
    apply_consistent(&h);
    let custom = h.resource(ADDRESS);
    assert_eq!(custom["id"], id.as_str());
    assert_issuer(&custom, "custom", "https://issuer.example.com");
    assert_eq!(custom["created_at"], created["created_at"]);
    h.assert_plan_empty();

    h.write_config(&body("  jwt_issuer_mode = \"disabled\""));
    apply_consistent(&h);
    let disabled = h.resource(ADDRESS);
    assert_eq!(disabled["id"], id.as_str());
    assert_issuer(&disabled, "disabled", "");
    h.assert_plan_empty();

    // Back to builtin (the default): the computed issuer returns.
    h.write_config(&body(""));
    apply_consistent(&h);
    let builtin = h.resource(ADDRESS);
    assert_eq!(builtin["id"], id.as_str());
    assert_mock_urls(&builtin, &id);
    h.assert_plan_empty();
    assert_eq!(calls(&h, "UpdateTrustDomain"), 3);

    // The API cannot edit a description: a change plans a replacement, with a warning.
    h.write_config(&config(
        "  domain_name = \"example.org\"\n  description = \"second\"",
    ));
    let plan = h.tf_ok(&["plan"]);
    assert!(plan.stdout.contains("must be replaced"), "{plan}");
    assert!(plan.stdout.contains("-/+"), "{plan}");
    assert!(
        plan.stdout.contains("1 to add, 0 to change, 1 to destroy"),
        "{plan}"
    );
    assert!(plan.said().contains(REPLACE_WARNING), "{plan}");
    assert!(
        plan.said().contains(&id),
        "the warning names the trust domain:\n{plan}"
    );
    apply_consistent(&h);
    let described = h.resource(ADDRESS);
    let described_id = str_of(&described, "id").to_owned();
    assert_ne!(described_id, id);
    assert_eq!(described["description"], "second");
    assert_mock_urls(&described, &described_id);
    assert_eq!(h.mock_objects().trust_domains, 1);
    h.assert_plan_empty();

    // domain_name forces replacement too, without the description's warning.
    h.write_config(&config(
        "  domain_name = \"example.com\"\n  description = \"second\"",
    ));
    let plan = h.tf_ok(&["plan"]);
    assert!(plan.stdout.contains("must be replaced"), "{plan}");
    assert!(!plan.all().contains(REPLACE_WARNING), "{plan}");
    apply_consistent(&h);
    let renamed = h.resource(ADDRESS);
    assert_ne!(renamed["id"], described_id.as_str());
    assert_eq!(renamed["domain_name"], "example.com");
    assert_eq!(h.mock_objects().trust_domains, 1);
    h.assert_plan_empty();

    h.destroy();
    assert_eq!(h.mock_objects(), Default::default());
}

#[test]
fn trust_domain_hosted_waits_until_available_and_times_out_cleanly() {
    // Provisioning takes 3 s on the mock: a 1 s `timeouts.create` runs out, the default waits.
    let Some(h) = Harness::start_with(
        "trust_domain_hosted",
        MockConfig {
            provisioning: Duration::from_secs(3),
            ..MockConfig::default()
        },
    ) else {
        return;
    };
    let hosted = "  domain_name = \"hosted.example.org\"\n  self_hosted = false";
    h.write_config(&config(&format!(
        "{hosted}\n  timeouts {{\n    create = \"1s\"\n  }}"
    )));
    let out = h.tf_err(&["apply", "-auto-approve"]);
    let text = out.said();
    assert!(text.contains("timeouts.create"), "{out}");
    assert!(text.contains("provisioning"), "{out}");
    assert!(!text.contains("panic"), "{out}");
    // Nothing half-created: the trust domain Terraform could not record is gone again.
    assert_eq!(h.mock_objects(), Default::default());
    assert!(
        h.state()["values"].is_null(),
        "nothing in the state:\n{}",
        h.state()
    );

    h.write_config(&config(hosted));
    let polls_before = calls(&h, "TrustDomainInfo");
    apply_consistent(&h);
    assert_eq!(calls(&h, "CreateTrustDomain"), 2);
    assert_eq!(calls(&h, "RegisterTrustDomain"), 0);
    assert!(
        calls(&h, "TrustDomainInfo") - polls_before >= 2,
        "create polled until available: {:?}",
        h.mock().stats().requests
    );
    let td = h.resource(ADDRESS);
    let id = str_of(&td, "id").to_owned();
    assert_eq!(td["self_hosted"], false);
    assert_eq!(
        td["spirl_agent_endpoint"],
        format!("{id}.agents.spirl.test:443")
    );
    assert_mock_urls(&td, &id);
    // Create returned only once the control plane said `available`.
    let remote = h
        .block_on(out_of_band_client(h.mock()).trust_domain_info(&id))
        .expect("read out of band");
    assert_eq!(remote.state, "available");
    h.assert_plan_empty();

    // Hosting forces replacement: self-hosted again is a new trust domain.
    h.write_config(&config("  domain_name = \"hosted.example.org\""));
    let plan = h.tf_ok(&["plan"]);
    assert!(plan.stdout.contains("must be replaced"), "{plan}");
    apply_consistent(&h);
    let replaced = h.resource(ADDRESS);
    assert_ne!(replaced["id"], id.as_str());
    assert_eq!(replaced["self_hosted"], true);
    assert_eq!(replaced["spirl_agent_endpoint"], "");
    h.assert_plan_empty();

    h.destroy();
    assert_eq!(h.mock_objects(), Default::default());
}

#[test]
fn trust_domain_deleted_out_of_band_is_recreated() {
    let Some(h) = Harness::start("trust_domain_out_of_band") else {
        return;
    };
    let client = out_of_band_client(h.mock());
    h.write_config(&config("  domain_name = \"example.org\""));
    h.apply();
    let id = str_of(&h.resource(ADDRESS), "id").to_owned();

    h.block_on(client.delete_trust_domain(&id))
        .expect("delete out of band");
    h.assert_plan_changes("1 to add, 0 to change, 0 to destroy");

    h.apply();
    assert_ne!(h.resource(ADDRESS)["id"], id.as_str());
    assert_eq!(h.mock_objects().trust_domains, 1);
    h.assert_plan_empty();

    // A JWT issuer changed out of band is changed back in place.
    let id = str_of(&h.resource(ADDRESS), "id").to_owned();
    h.block_on(client.update_trust_domain_jwt_issuer(
        &id,
        &terraform_provider_spirl::client::JwtIssuerInput {
            mode: terraform_provider_spirl::client::JwtIssuerMode::Disabled,
            url: None,
        },
    ))
    .expect("disable the issuer out of band");
    h.assert_plan_changes("0 to add, 1 to change, 0 to destroy");
    apply_consistent(&h);
    assert_mock_urls(&h.resource(ADDRESS), &id);
    h.assert_plan_empty();

    // NOT_FOUND on delete counts as deleted.
    h.block_on(client.delete_trust_domain(&id))
        .expect("delete out of band");
    h.tf_ok(&["destroy", "-auto-approve", "-refresh=false"]);
    assert!(
        h.state()["values"].is_null(),
        "state is empty after destroy"
    );
    assert_eq!(h.mock_objects(), Default::default());
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
        (
            "domain_name = \"example.org\"\n  timeouts {\n    create = \"soon\"\n  }",
            // Terraform shows the line the diagnostic's path points at; the message names it.
            "create = \"soon\"",
            "timeouts.create is \"soon\", which is not a duration",
        ),
    ];
    for (body, attribute, says) in cases {
        h.write_config(&config(&format!("  {body}")));
        let out = h.tf_err(&["plan"]);
        let all = out.said();
        assert!(all.contains(says), "{body}: expected {says:?}:\n{out}");
        assert!(
            all.contains(attribute),
            "{body}: expected {attribute}:\n{out}"
        );
    }
    assert_eq!(h.mock_objects(), Default::default());
    assert_eq!(total_requests(&h), 0, "plan-time errors call no API");
}

/// A state entry for `td` as the provider wrote it while `timeouts` was a single nested
/// attribute (`timeouts = { create = "10m" }`): an object, or null when unset.
fn state_with_timeouts(td: &TrustDomain, name: &str, timeouts: Json) -> Json {
    serde_json::json!({
        "mode": "managed",
        "type": "spirl_trust_domain",
        "name": name,
        "provider": "provider[\"registry.terraform.io/spirl/spirl\"]",
        "instances": [{
            "schema_version": 0,
            "attributes": {
                "id": td.id,
                "domain_name": td.name,
                "description": td.description,
                "self_hosted": td.self_hosted,
                "jwt_issuer_mode": td.jwt_issuer.mode.as_str(),
                "jwt_issuer": td.jwt_issuer.url,
                "created_at": td.created_at,
                "updated_at": td.updated_at,
                "spiffe_bundle_endpoint": td.urls.spiffe_bundle_endpoint,
                "oidc_discovery_endpoint": td.urls.oidc_discovery_endpoint,
                "jwks_endpoint": td.urls.jwks_endpoint,
                "spirl_agent_endpoint": td.urls.agent_endpoint,
                "timeouts": timeouts,
            },
            "sensitive_attributes": [],
        }],
    })
}

#[test]
fn trust_domain_state_of_the_timeouts_attribute_plans_empty_with_the_block() {
    let Some(mut h) = Harness::start("trust_domain_timeouts_state") else {
        return;
    };
    let client = out_of_band_client(h.mock());
    let [with, without] = ["with.example.org", "without.example.org"].map(|name| {
        h.block_on(async {
            let id = client
                .create_trust_domain(&CreateTrustDomain {
                    name: name.into(),
                    self_hosted: true,
                    ..CreateTrustDomain::default()
                })
                .await?;
            client.trust_domain_info(&id).await
        })
        .expect("trust domain made out of band")
    });
    let state = serde_json::json!({
        "version": 4,
        "terraform_version": "1.0.3",
        "serial": 1,
        "lineage": "9d6a4a2e-6f55-4c1e-9f7d-0c8f6f0b1d2a",
        "outputs": {},
        "resources": [
            state_with_timeouts(&with, "with", serde_json::json!({ "create": "10m" })),
            state_with_timeouts(&without, "without", Json::Null),
        ],
    });
    h.write_config(
        "resource \"spirl_trust_domain\" \"with\" {\n  domain_name = \"with.example.org\"\n  \
         timeouts {\n    create = \"10m\"\n  }\n}\n\n\
         resource \"spirl_trust_domain\" \"without\" {\n  domain_name = \"without.example.org\"\n}\n",
    );
    let terraforms = std::iter::once(None).chain(crate::support::legacy_terraform().map(Some));
    for terraform in terraforms {
        if let Some(path) = terraform {
            h.use_terraform(path);
        }
        h.write_file("terraform.tfstate", &state.to_string());
        h.assert_plan_empty();
        let with_state = h.resource("spirl_trust_domain.with");
        assert_eq!(
            with_state["timeouts"],
            serde_json::json!({ "create": "10m" })
        );
        assert!(h.resource("spirl_trust_domain.without")["timeouts"].is_null());
    }
    h.destroy();
    assert_eq!(h.mock_objects(), Default::default());
}

#[test]
fn trust_domain_duplicate_name_says_which_and_how_to_import() {
    let Some(h) = Harness::start("trust_domain_duplicate") else {
        return;
    };
    let existing = h
        .block_on(
            out_of_band_client(h.mock()).create_trust_domain(&CreateTrustDomain {
                name: "example.org".into(),
                self_hosted: true,
                ..CreateTrustDomain::default()
            }),
        )
        .expect("create out of band");
    h.write_config(&config("  domain_name = \"example.org\""));
    let out = h.tf_err(&["apply", "-auto-approve"]);
    let all = out.said();
    assert!(all.contains("already exists"), "{out}");
    assert!(all.contains(&existing), "{out}");
    assert!(
        all.contains(&format!(
            "terraform import spirl_trust_domain.example {existing}"
        )),
        "{out}"
    );

    // The advice works: import, and the plan is empty.
    h.tf_ok(&["import", ADDRESS, &existing]);
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
        assert!(out.said().contains("Cannot import trust domain"), "{out}");
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
    let client = out_of_band_client(h.mock());
    let der = KeyPair::generate().public_key().to_spki_der();
    h.block_on(client.create_key(&id, "prod-cluster", &der))
        .expect("register a deployment out of band");

    let out = h.tf_err(&["destroy", "-auto-approve"]);
    let text = out.said();
    assert!(text.contains("still has deployments"), "{out}");
    assert!(
        text.contains("`prod-cluster`"),
        "names the deployment:\n{out}"
    );
    assert!(text.contains("spirl_trust_domain_deployment"), "{out}");
    assert_eq!(h.mock_objects().trust_domains, 1);
    assert_eq!(h.resource(ADDRESS)["id"], id.as_str(), "still in the state");

    h.block_on(client.delete_deployment(&id, "prod-cluster", true))
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
    let resource = without_timeouts(h.resource(ADDRESS));
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
    // One list of the organisation's trust domains, and a login: not one read each.
    let budget = 5;
    eprintln!("refresh of {N} trust domains cost {refresh} API requests (budget {budget})");
    assert!(
        refresh <= budget,
        "refresh of {N} trust domains cost {refresh} requests, more than {budget}: {:?}",
        h.mock().stats().requests
    );

    h.destroy();
    assert_eq!(h.mock_objects(), Default::default());
}
