//! Acceptance tests of `spirl_trust_domain` (resource and data source) with the real Terraform
//! CLI against the gRPC mock (run with `TF_ACC=1`).

use std::time::Duration;

use crate::support::Action::{Create, Replace, Update};
use crate::support::{
    Harness, Is, Lifecycle, Step, out_of_band_client, total_requests, trust_domain,
};
use serde_json::Value as Json;
use spirl_mock_api::MockOptions;
use terraform_provider_spirl::client::TrustDomain;
use terraform_provider_spirl::keys::KeyPair;

const ADDRESS: &str = "spirl_trust_domain.example";
const TD_API: &str = "/com.spirl.api.v1.trustdomain.API/";
const REPLACE_WARNING: &str = "Changing the description replaces the trust domain";

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
    let mut t = Lifecycle::new(&h);
    let created = t
        .step(
            Step::config(config(
                "  domain_name = \"example.org\"\n  description = \"first\"",
            ))
            .plan([(ADDRESS, Create)])
            .state(ADDRESS, "id", Is::prefix("td-"))
            .state(ADDRESS, "domain_name", "example.org")
            .state(ADDRESS, "description", "first")
            .state(ADDRESS, "self_hosted", true)
            .state(ADDRESS, "spirl_agent_endpoint", "")
            .state(ADDRESS, "created_at", Is::Rfc3339)
            .state(ADDRESS, "updated_at", Is::Rfc3339),
        )
        .resource(ADDRESS);
    let id = str_of(&created, "id").to_owned();
    assert_mock_urls(&created, &id);
    // Self-hosted by default: RegisterTrustDomain, never CreateTrustDomain.
    assert_eq!(calls(&h, "RegisterTrustDomain"), 1);
    assert_eq!(calls(&h, "CreateTrustDomain"), 0);

    // Import by id, then by name, into a state without the resource: the same state comes back.
    t.step(Step::import(ADDRESS));
    t.step(Step::import(ADDRESS).id("example.org"));
    assert_eq!(h.mock_objects().trust_domains, 1);

    // The JWT issuer changes in place (UpdateTrustDomain): builtin → custom → disabled →
    // builtin, same id, the discovery document following the effective issuer.
    let body = |issuer: &str| {
        config(&format!(
            "  domain_name = \"example.org\"\n  description = \"first\"\n{issuer}"
        ))
    };
    let custom = t.step(
        Step::config(body(
            "  jwt_issuer_mode = \"custom\"\n  jwt_issuer = \"https://issuer.example.com\"",
        ))
        .plan([(ADDRESS, Update)])
        .plan_lacks(REPLACE_WARNING)
        // The mock's clock ticks in seconds, so the plan, not the value, shows that updated_at
        // moves; the JWKS endpoint is the control plane's to say for the new issuer.
        .plan_unknown(ADDRESS, ["jwks_endpoint", "updated_at"])
        .state(ADDRESS, "id", Is::Unchanged)
        .state(ADDRESS, "created_at", Is::Unchanged),
    );
    assert_issuer(
        &custom.resource(ADDRESS),
        "custom",
        "https://issuer.example.com",
    );

    let disabled = t.step(
        Step::config(body("  jwt_issuer_mode = \"disabled\"")).state(ADDRESS, "id", Is::Unchanged),
    );
    assert_issuer(&disabled.resource(ADDRESS), "disabled", "");

    // Back to builtin (the default): the computed issuer returns.
    let builtin = t.step(Step::config(body("")).state(ADDRESS, "id", Is::Unchanged));
    assert_mock_urls(&builtin.resource(ADDRESS), &id);
    assert_eq!(calls(&h, "UpdateTrustDomain"), 3);

    // The API cannot edit a description: a change plans a replacement, with a warning that
    // names the trust domain.
    let described = t.step(
        Step::config(config(
            "  domain_name = \"example.org\"\n  description = \"second\"",
        ))
        .plan([(ADDRESS, Replace)])
        .plan_says("must be replaced")
        .plan_says("-/+")
        .plan_says(REPLACE_WARNING)
        .plan_says(&id)
        .state(ADDRESS, "id", Is::Changed)
        .state(ADDRESS, "description", "second"),
    );
    let described = described.resource(ADDRESS);
    assert_mock_urls(&described, str_of(&described, "id"));
    assert_eq!(h.mock_objects().trust_domains, 1);

    // domain_name forces replacement too, without the description's warning.
    t.step(
        Step::config(config(
            "  domain_name = \"example.com\"\n  description = \"second\"",
        ))
        .plan([(ADDRESS, Replace)])
        .plan_says("must be replaced")
        .plan_lacks(REPLACE_WARNING)
        .state(ADDRESS, "id", Is::Changed)
        .state(ADDRESS, "domain_name", "example.com"),
    );
    assert_eq!(h.mock_objects().trust_domains, 1);
    t.finish();
}

#[test]
fn trust_domain_hosted_waits_until_available_and_times_out_cleanly() {
    // Provisioning takes 3 s on the mock: a 1 s `timeouts.create` runs out, the default waits.
    let Some(h) = Harness::start_with(
        "trust_domain_hosted",
        MockOptions {
            provisioning: Duration::from_secs(3),
            ..MockOptions::default()
        },
    ) else {
        return;
    };
    let hosted = "  domain_name = \"hosted.example.org\"\n  self_hosted = false";
    let mut t = Lifecycle::new(&h);
    t.step(
        Step::config(config(&format!(
            "{hosted}\n  timeouts {{\n    create = \"1s\"\n  }}"
        )))
        .expect_error("timeouts.create")
        .expect_error("provisioning"),
    );
    // Nothing half-created: the trust domain Terraform could not record is gone again.
    assert_eq!(h.mock_objects(), Default::default());
    assert!(
        h.state()["values"].is_null(),
        "nothing in the state:\n{}",
        h.state()
    );

    let polls_before = calls(&h, "TrustDomainInfo");
    let td = t
        .step(
            Step::config(config(hosted))
                .plan([(ADDRESS, Create)])
                .after_apply(move |h| {
                    assert_eq!(calls(h, "CreateTrustDomain"), 2);
                    assert_eq!(calls(h, "RegisterTrustDomain"), 0);
                    assert!(
                        calls(h, "TrustDomainInfo") - polls_before >= 2,
                        "create polled until available: {:?}",
                        h.mock().stats().requests
                    );
                })
                .state(ADDRESS, "self_hosted", false),
        )
        .resource(ADDRESS);
    let id = str_of(&td, "id").to_owned();
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

    // Hosting forces replacement: self-hosted again is a new trust domain.
    t.step(
        Step::config(config("  domain_name = \"hosted.example.org\""))
            .plan([(ADDRESS, Replace)])
            .plan_says("must be replaced")
            .state(ADDRESS, "id", Is::Changed)
            .state(ADDRESS, "self_hosted", true)
            .state(ADDRESS, "spirl_agent_endpoint", ""),
    );
    t.finish();
}

#[test]
fn trust_domain_deleted_out_of_band_is_recreated() {
    let Some(h) = Harness::start("trust_domain_out_of_band") else {
        return;
    };
    let client = out_of_band_client(h.mock());
    let mut t = Lifecycle::new(&h);
    let id = t
        .step(Step::config(config("  domain_name = \"example.org\"")))
        .str(ADDRESS, "id");

    h.block_on(client.delete_trust_domain(&id))
        .expect("delete out of band");
    let id = t
        .step(
            Step::same_config()
                .plan([(ADDRESS, Create)])
                .state(ADDRESS, "id", Is::Changed),
        )
        .str(ADDRESS, "id");
    assert_eq!(h.mock_objects().trust_domains, 1);

    // A JWT issuer changed out of band is changed back in place.
    h.block_on(client.update_trust_domain_jwt_issuer(
        &id,
        &terraform_provider_spirl::client::JwtIssuerInput {
            mode: terraform_provider_spirl::client::JwtIssuerMode::Disabled,
            url: None,
        },
    ))
    .expect("disable the issuer out of band");
    let repaired = t.step(Step::same_config().plan([(ADDRESS, Update)]));
    assert_mock_urls(&repaired.resource(ADDRESS), &id);

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
    let mut t = Lifecycle::new(&h);
    for (body, attribute, says) in cases {
        t.step(
            Step::config(config(&format!("  {body}")))
                .plan_only()
                .expect_error(says)
                .expect_error(attribute),
        );
    }
    assert_eq!(h.mock_objects(), Default::default());
    assert_eq!(total_requests(h.mock()), 0, "plan-time errors call no API");
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
            let id = client.create_trust_domain(&trust_domain(name)).await?;
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
        .block_on(out_of_band_client(h.mock()).create_trust_domain(&trust_domain("example.org")))
        .expect("create out of band");
    let mut t = Lifecycle::new(&h);
    t.step(
        Step::config(config("  domain_name = \"example.org\""))
            .expect_error("already exists")
            .expect_error(&existing)
            .expect_error(format!(
                "terraform import spirl_trust_domain.example {existing}"
            )),
    );

    // The advice works: import, and the plan is empty.
    t.step(Step::import(ADDRESS).id(&existing));
    t.finish();
}

#[test]
fn trust_domain_import_unknown_id_fails_clearly() {
    let Some(h) = Harness::start("trust_domain_import_unknown") else {
        return;
    };
    h.write_config(&config("  domain_name = \"example.org\""));
    let mut t = Lifecycle::new(&h);
    for bad in ["td-doesnotexist", "nowhere.example.org"] {
        t.step(
            Step::import(ADDRESS)
                .id(bad)
                .expect_error("Cannot import trust domain")
                .expect_error(bad),
        );
    }
}

#[test]
fn trust_domain_with_deployments_cannot_be_destroyed() {
    let Some(h) = Harness::start("trust_domain_with_deployments") else {
        return;
    };
    let mut t = Lifecycle::new(&h);
    let id = t
        .step(Step::config(config("  domain_name = \"example.org\"")))
        .str(ADDRESS, "id");
    let client = out_of_band_client(h.mock());
    let der = KeyPair::generate().public_key().to_spki_der();
    h.block_on(client.create_key(&id, "prod-cluster", &der))
        .expect("register a deployment out of band");

    t.step(
        Step::destroy()
            .expect_error("still has deployments")
            // Names the deployment and what manages one.
            .expect_error("`prod-cluster`")
            .expect_error("spirl_trust_domain_deployment"),
    );
    assert_eq!(h.mock_objects().trust_domains, 1);
    assert_eq!(h.resource(ADDRESS)["id"], id.as_str(), "still in the state");

    h.block_on(client.delete_deployment(&id, "prod-cluster", true))
        .expect("delete deployment");
    t.finish();
}

#[test]
fn trust_domain_data_source_reads_the_resource() {
    let Some(h) = Harness::start("trust_domain_data_source") else {
        return;
    };
    let mut t = Lifecycle::new(&h);
    let applied = t.step(Step::config(format!(
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
    )));
    assert_eq!(
        applied.resource("data.spirl_trust_domain.lookup"),
        without_timeouts(applied.resource(ADDRESS))
    );

    t.step(
        Step::same_config()
            .file("missing.auto.tfvars", "look_for_missing = true\n")
            .plan_only()
            .expect_error("Trust domain not found")
            .expect_error("missing.example.org"),
    );
    t.finish();
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

    let before = total_requests(h.mock());
    h.assert_plan_empty();
    let refresh = total_requests(h.mock()) - before;
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
