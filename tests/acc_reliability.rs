//! Reliability acceptance tests (issue 7): the real Terraform CLI and the built provider against
//! a mock that refuses requests, drops answers after committing, answers too slowly, hands out
//! short-lived tokens, or restarts between commands (run with `TF_ACC=1`). After each, the mock
//! must hold exactly what the state holds: the same trust domains, deployments and keys, by id.
//!
//! Deployments need Terraform 1.0.6 or later (see README); with an older Terraform every scenario
//! runs on trust domains alone, so the fault handling is still exercised.

mod client_support;
mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::{Harness, TfOutput};
use spirl_mock_api::{Faults, MockConfig};
use terraform_provider_spirl::client::Client;

/// Trust domains (each with a deployment and its own key pair, where Terraform allows) in the
/// large scenarios.
const FLEET: usize = 100;
/// `-parallelism` of the large applies: twice Terraform's default, as a CI job would set it to
/// get through 300 resources.
const PARALLELISM: &str = "-parallelism=20";

const CHALLENGE: &str = "POST /v1/auth/service-account/challenge";
const SESSION: &str = "POST /v1/auth/service-account/session";
const CREATE_TRUST_DOMAIN: &str = "POST /v1/trust-domains";
const CREATE_DEPLOYMENT: &str = "POST /v1/trust-domains/{id}/deployments";
const CREATE_KEY: &str = "POST /v1/trust-domains/{id}/deployments/{deployment_id}/keys";
const UPDATE_TRUST_DOMAIN: &str = "PATCH /v1/trust-domains/{id}";
const UPDATE_KEY: &str = "PATCH /v1/trust-domains/{id}/deployments/{deployment_id}/keys/{key_id}";

/// What a control plane holds: trust domains (id → (name, description)) and deployments
/// (id → what it is). Built from the mock through the API, or from the state; the two must be
/// equal.
#[derive(Debug, Default, PartialEq, Eq)]
struct Fleet {
    trust_domains: BTreeMap<String, (String, String)>,
    deployments: BTreeMap<String, DeploymentView>,
}

#[derive(Debug, PartialEq, Eq)]
struct DeploymentView {
    trust_domain_id: String,
    name: String,
    /// Key id → (public key PEM, active).
    keys: BTreeMap<String, (String, bool)>,
}

impl Fleet {
    /// The objects recorded in Terraform's state.
    fn in_state(h: &Harness) -> Fleet {
        let state = h.state();
        let mut fleet = Fleet::default();
        let resources = state["values"]["root_module"]["resources"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for r in resources {
            let v = &r["values"];
            let text = |attr: &str| {
                v[attr]
                    .as_str()
                    .unwrap_or_else(|| panic!("{}: {attr} is not a string: {v}", r["address"]))
                    .to_owned()
            };
            match r["type"].as_str() {
                Some("spirl_trust_domain") => {
                    let previous = fleet
                        .trust_domains
                        .insert(text("id"), (text("domain_name"), text("description")));
                    assert!(previous.is_none(), "two resources share an id: {v}");
                }
                Some("spirl_trust_domain_deployment") => {
                    let keys = v["keys"]
                        .as_object()
                        .into_iter()
                        .flatten()
                        .map(|(_, k)| {
                            let id = k["id"].as_str().expect("key id").to_owned();
                            let pem = k["public_key"].as_str().expect("public_key").to_owned();
                            // Unset `active` means active.
                            (id, (pem, k["active"].as_bool().unwrap_or(true)))
                        })
                        .collect();
                    let view = DeploymentView {
                        trust_domain_id: text("trust_domain_id"),
                        name: text("name"),
                        keys,
                    };
                    assert!(fleet.deployments.insert(text("id"), view).is_none());
                }
                _ => {}
            }
        }
        fleet
    }

    /// The objects the mock holds, read through the API with a client of its own.
    fn on_mock(h: &Harness) -> Fleet {
        let client = client_support::client_for(h.mock(), |c| c.max_retries = 20);
        h.block_on(Self::read(&client))
    }

    async fn read(client: &Client) -> Fleet {
        let mut fleet = Fleet::default();
        for td in client
            .list_trust_domains_all(None)
            .await
            .expect("list trust domains")
        {
            for d in client
                .list_deployments(&td.id, None)
                .await
                .expect("list deployments")
            {
                // The list may leave keys out; the GET has them.
                let d = client
                    .get_deployment(&td.id, &d.id)
                    .await
                    .expect("get deployment");
                let keys = d
                    .keys
                    .into_iter()
                    .map(|k| (k.id, (k.public_key, k.active)))
                    .collect();
                let view = DeploymentView {
                    trust_domain_id: d.trust_domain_id,
                    name: d.name,
                    keys,
                };
                assert!(fleet.deployments.insert(d.id, view).is_none());
            }
            let previous = fleet.trust_domains.insert(td.id, (td.name, td.description));
            assert!(previous.is_none());
        }
        fleet
    }

    fn keys(&self) -> usize {
        self.deployments.values().map(|d| d.keys.len()).sum()
    }
}

/// Asserts that the mock holds exactly what the state holds: no orphan, no duplicate, nothing
/// missing, every id, name and key registration equal. Reads the mock with its faults off, so
/// that checking costs no retries; the faults come back afterwards. Returns what both hold.
fn assert_mock_matches_state(h: &Harness) -> Fleet {
    let faults = h.mock().state.faults();
    h.set_mock_faults(Faults {
        latency: Duration::ZERO,
        fail_rate: 0.0,
        drop_after_commit_rate: 0.0,
    });
    let (remote, state) = (Fleet::on_mock(h), Fleet::in_state(h));
    h.set_mock_faults(faults);
    assert_eq!(remote, state, "the mock and the state differ");
    // Names are unique on the mock, so equal maps also mean no duplicate under another id.
    for d in state.deployments.values() {
        assert!(state.trust_domains.contains_key(&d.trust_domain_id));
    }
    let counts = h.mock_objects();
    assert_eq!(
        (counts.trust_domains, counts.deployments, counts.keys),
        (
            state.trust_domains.len(),
            state.deployments.len(),
            state.keys()
        ),
        "the mock holds objects the API did not list"
    );
    state
}

/// Asserts that the mock matches the state, and that both hold the whole configuration:
/// `trust_domains` trust domains and, with `deployments`, one deployment with one key in each.
fn assert_converged(h: &Harness, trust_domains: usize, deployments: bool) {
    let fleet = assert_mock_matches_state(h);
    let per_td = usize::from(deployments);
    assert_eq!(fleet.trust_domains.len(), trust_domains, "{fleet:#?}");
    assert_eq!(fleet.deployments.len(), trust_domains * per_td);
    assert_eq!(fleet.keys(), trust_domains * per_td);
}

/// Whether this Terraform can plan deployments (1.0.6+); otherwise the scenario runs on trust
/// domains alone, and says so.
fn deployments_supported(h: &Harness, test: &str) -> bool {
    let ok = h.terraform_version() >= (1, 0, 6);
    if !ok {
        eprintln!(
            "{test}: trust domains only; spirl_trust_domain_deployment needs Terraform 1.0.6+"
        );
    }
    ok
}

/// `n` trust domains and, with `deployments`, a deployment in each carrying the public key of
/// its own `spirl_key_pair`, under `provider` (the body of the provider block).
fn fleet_config(n: usize, deployments: bool, provider: &str) -> String {
    fleet_hcl(n, deployments, provider, false)
}

/// Like [`fleet_config`]; with `updated`, every trust domain has a description and every key is
/// disabled, which updates both in place.
fn fleet_hcl(n: usize, deployments: bool, provider: &str, updated: bool) -> String {
    let (description, active) = if updated {
        ("\n  description = \"updated in place\"", ", active = false")
    } else {
        ("", "")
    };
    let mut hcl = format!(
        r#"
provider "spirl" {{
{provider}
}}

resource "spirl_trust_domain" "td" {{
  count       = {n}
  domain_name = "td${{count.index}}.reliability.example.org"{description}
}}
"#
    );
    if deployments {
        hcl.push_str(&format!(
            r#"
resource "spirl_key_pair" "k" {{
  count = {n}
}}

resource "spirl_trust_domain_deployment" "d" {{
  count           = {n}
  trust_domain_id = spirl_trust_domain.td[count.index].id
  name            = "prod"
  keys = {{
    primary = {{ public_key = spirl_key_pair.k[count.index].public_key_pem{active} }}
  }}
}}
"#
        ));
    }
    hcl
}

/// Retries enough to ride out a 30% refusal rate across the ~700 calls of apply, plan and
/// destroy: a call fails only after 16 refusals in a row (0.3^16 ≈ 4e-9). With ten retries a
/// delete was once refused 11 times in a row in some twenty runs. At the mock's `Retry-After: 1`,
/// 15 retries need the longer deadline.
const PATIENT: &str = "  max_retries     = 15\n  request_timeout = \"60s\"";

fn apply_fleet(h: &Harness) -> TfOutput {
    h.tf_ok(&["apply", "-auto-approve", "-input=false", PARALLELISM])
}

fn destroy_fleet(h: &Harness) {
    h.tf_ok(&["destroy", "-auto-approve", "-input=false", PARALLELISM]);
    assert_eq!(h.mock_objects(), Default::default(), "destroy left objects");
}

/// Every request the mock has seen.
fn total_requests(h: &Harness) -> u64 {
    h.mock().stats().requests.values().sum()
}

/// Terraform's words with its line wrapping undone.
fn said(out: &TfOutput) -> String {
    out.all().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Nothing in `out` says the provider or Terraform broke instead of reporting an error.
fn assert_no_breakage(out: &TfOutput) {
    let all = out.all();
    for broken in [
        "panic",
        "TERRAFORM CRASH",
        "inconsistent result",
        "Plugin did not respond",
        "plugin exited",
        "rpc error",
    ] {
        assert!(!all.contains(broken), "output mentions {broken:?}:\n{out}");
    }
}

#[test]
fn reliability_fail_rate_apply_converges() {
    let test = "reliability_fail_rate";
    let Some(h) = Harness::start_with(
        test,
        MockConfig {
            fail_rate: 0.3,
            ..MockConfig::default()
        },
    ) else {
        return;
    };
    let deployments = deployments_supported(&h, test);
    h.write_config(&fleet_config(FLEET, deployments, PATIENT));

    let started = Instant::now();
    apply_fleet(&h);
    let apply_time = started.elapsed();
    let creates = h.mock_requests(CREATE_TRUST_DOMAIN)
        + h.mock_requests(CREATE_DEPLOYMENT)
        + h.mock_requests(CREATE_KEY);
    let needed = (FLEET * (1 + 2 * usize::from(deployments))) as u64;
    eprintln!(
        "{test}: apply of {FLEET} trust domains (deployments: {deployments}) took {apply_time:?}; \
         {creates} create requests for {needed} objects, {} requests in all",
        total_requests(&h)
    );
    // At 30%, a hundred creates without a single refusal is a 1e-15 event: the faults ran.
    assert!(creates > needed, "no create was refused and retried");
    assert_converged(&h, FLEET, deployments);

    // The refresh rides out the same refusals.
    h.assert_plan_empty();
    destroy_fleet(&h);
}

#[test]
fn reliability_drop_after_commit_leaves_no_duplicate_or_orphan() {
    let test = "reliability_drop_after_commit";
    let Some(h) = Harness::start_with(
        test,
        MockConfig {
            drop_after_commit_rate: 0.3,
            ..MockConfig::default()
        },
    ) else {
        return;
    };
    let deployments = deployments_supported(&h, test);
    h.write_config(&fleet_config(FLEET, deployments, PATIENT));

    let started = Instant::now();
    apply_fleet(&h);
    let creates = h.mock_requests(CREATE_TRUST_DOMAIN)
        + h.mock_requests(CREATE_DEPLOYMENT)
        + h.mock_requests(CREATE_KEY);
    let needed = (FLEET * (1 + 2 * usize::from(deployments))) as u64;
    eprintln!(
        "{test}: apply took {:?}; {creates} create requests for {needed} objects (each extra one \
         a retry after a dropped answer)",
        started.elapsed()
    );
    assert!(creates > needed, "no answer was dropped");
    assert_converged(&h, FLEET, deployments);
    h.assert_plan_empty();

    // Updates in place whose answers are lost are sent again: PATCH is idempotent.
    h.write_config(&fleet_hcl(FLEET, deployments, PATIENT, true));
    apply_fleet(&h);
    let patches = h.mock_requests(UPDATE_TRUST_DOMAIN) + h.mock_requests(UPDATE_KEY);
    let needed = (FLEET * (1 + usize::from(deployments))) as u64;
    eprintln!("{test}: {patches} update requests for {needed} updates");
    assert!(patches > needed, "no update answer was dropped");
    let fleet = assert_mock_matches_state(&h);
    assert_eq!(fleet.trust_domains.len(), FLEET);
    assert!(
        fleet
            .trust_domains
            .values()
            .all(|(_, description)| description == "updated in place")
    );
    assert!(
        fleet
            .deployments
            .values()
            .flat_map(|d| d.keys.values())
            .all(|(_, active)| !active)
    );
    assert_eq!(fleet.keys(), FLEET * usize::from(deployments));
    h.assert_plan_empty();

    // Deletes whose answers are lost find the object gone on retry: still a success.
    let deletes_before = total_requests(&h);
    destroy_fleet(&h);
    eprintln!(
        "{test}: destroy took {} requests",
        total_requests(&h) - deletes_before
    );
}

#[test]
fn reliability_timeout_names_the_operation_then_the_next_apply_converges() {
    const N: usize = 12;
    const TIMEOUT: &str = "  request_timeout = \"1s\"\n  max_retries     = 2";
    let test = "reliability_timeout";
    // Each call's deadline covers its login: the first creates wait for a login of two requests
    // (0.8 s) and then need 0.4 s more, past the 1 s `request_timeout`; calls that find the
    // token already there need only 0.4 s and succeed. A partial apply, as in real life.
    let Some(h) = Harness::start_with(
        test,
        MockConfig {
            latency: Duration::from_millis(400),
            ..MockConfig::default()
        },
    ) else {
        return;
    };
    let deployments = deployments_supported(&h, test);
    h.write_config(&fleet_config(N, deployments, TIMEOUT));

    let out = h.tf_err(&["apply", "-auto-approve", "-input=false"]);
    let words = said(&out);
    assert!(
        words.contains("Error: Could not create trust domain"),
        "the error names the operation:\n{out}"
    );
    assert!(
        words.contains("create trust domain: no complete answer within the request_timeout of 1s"),
        "the error says it timed out, doing what, and which limit:\n{out}"
    );
    assert!(words.contains("raise `request_timeout`"), "{out}");
    assert_no_breakage(&out);
    // What timed out was not created; what was created is in the state.
    let partial = assert_mock_matches_state(&h);
    eprintln!(
        "{test}: the slow apply created {} of {N} trust domains",
        partial.trust_domains.len()
    );
    assert!(partial.trust_domains.len() < N, "nothing timed out");

    // The same mock at full speed again: the next apply does the rest.
    h.set_mock_faults(Faults {
        latency: Duration::ZERO,
        ..h.mock().state.faults()
    });
    h.apply();
    assert_converged(&h, N, deployments);
    h.assert_plan_empty();

    // Slower than the timeout: a refresh fails the plan, naming the read it was doing.
    h.set_mock_faults(Faults {
        latency: Duration::from_millis(1500),
        ..h.mock().state.faults()
    });
    let out = h.tf_err(&["plan", "-input=false"]);
    let words = said(&out);
    assert!(
        words.contains("Error: Could not get trust domain")
            || words.contains("Error: Could not get deployment"),
        "{out}"
    );
    assert!(
        words.contains("no complete answer within the request_timeout of 1s"),
        "{out}"
    );
    assert_no_breakage(&out);

    h.set_mock_faults(Faults {
        latency: Duration::ZERO,
        ..h.mock().state.faults()
    });
    h.assert_plan_empty();
    destroy_fleet(&h);
}

#[test]
fn reliability_token_expiry_mid_apply_logs_in_again() {
    const N: usize = FLEET;
    const TTL: Duration = Duration::from_secs(2);
    let test = "reliability_token_expiry";
    let Some(h) = Harness::start_with(
        test,
        MockConfig {
            token_ttl: TTL,
            ..MockConfig::default()
        },
    ) else {
        return;
    };
    let deployments = deployments_supported(&h, test);
    // Slow enough that the apply spans several token lifetimes: three API calls a trust domain
    // with deployments, one without.
    let latency = if deployments { 150 } else { 350 };
    h.set_mock_faults(Faults {
        latency: Duration::from_millis(latency),
        ..h.mock().state.faults()
    });
    h.write_config(&fleet_config(N, deployments, ""));

    let started = Instant::now();
    h.apply();
    let took = started.elapsed();
    let sessions = h.mock_requests(SESSION);
    eprintln!(
        "{test}: apply took {took:?} with a {TTL:?} token lifetime; {sessions} tokens issued"
    );
    assert!(
        took > 3 * TTL,
        "the apply ({took:?}) did not outlive several tokens; raise N or latency"
    );
    // Nothing is refused, so every session request issued a token.
    assert!(
        sessions >= 2,
        "only {sessions} token(s) for a {took:?} apply"
    );
    assert_eq!(h.mock_requests(CHALLENGE), sessions);
    assert_converged(&h, N, deployments);
    h.assert_plan_empty();
    destroy_fleet(&h);
}

#[test]
fn reliability_mock_restart_between_apply_and_plan() {
    const N: usize = 20;
    let test = "reliability_restart";
    let data = tempfile::Builder::new()
        .prefix("acc-reliability-data-")
        .tempdir()
        .expect("data dir");
    let config = || MockConfig {
        data_dir: Some(data.path().to_owned()),
        ..MockConfig::default()
    };
    let Some(mut h) = Harness::start_with(test, config()) else {
        return;
    };
    let deployments = deployments_supported(&h, test);
    // The endpoint in the provider block, as a user would write it.
    let write = |h: &Harness| {
        let provider = format!("  endpoint = \"{}\"", h.mock().endpoint);
        h.write_config(&fleet_config(N, deployments, &provider));
    };
    write(&h);
    apply_fleet(&h);
    let before = Fleet::in_state(&h);
    assert_converged(&h, N, deployments);

    let old_endpoint = h.mock().endpoint.clone();
    h.restart_mock(config());
    assert_ne!(
        h.mock().endpoint,
        old_endpoint,
        "the restart took a new port"
    );
    // The journal brought back every object before anyone asked for one.
    let counts = h.mock_objects();
    assert_eq!(counts.trust_domains, N);
    write(&h);

    // A new endpoint is provider configuration: no resource changes.
    h.assert_plan_empty();
    assert_converged(&h, N, deployments);
    assert_eq!(Fleet::in_state(&h), before);
    destroy_fleet(&h);
}

/// Regression: the client's per-exchange lines (target `spirl::client` then) never reached
/// `TF_LOG`, because the provider forwards only targets under its crate name; an operator could
/// not see a single retry.
#[test]
fn reliability_retries_show_in_tf_log() {
    let test = "reliability_retries_logged";
    let Some(mut h) = Harness::start_with(
        test,
        MockConfig {
            fail_rate: 1.0,
            ..MockConfig::default()
        },
    ) else {
        return;
    };
    let log_path = h.path().join("terraform.log");
    h.set_env("TF_LOG", "debug");
    h.set_env("TF_LOG_PATH", log_path.to_str().expect("utf-8 temp path"));
    h.write_config(&fleet_config(1, false, "  max_retries = 2"));

    let out = h.tf_err(&["apply", "-auto-approve", "-input=false"]);
    let words = said(&out);
    assert!(
        words.contains("Error: Could not create trust domain"),
        "{out}"
    );
    assert!(words.contains("after 3 attempts"), "{out}");
    assert_no_breakage(&out);
    let log = std::fs::read_to_string(&log_path).expect("TF_LOG_PATH was written");
    for retry in 0..=2 {
        assert!(
            log.lines().any(|l| l
                .contains("create trust domain: POST /v1/auth/service-account/challenge -> ")
                && l.contains(&format!("retry {retry})"))),
            "no TF_LOG line for attempt {retry} of the login"
        );
    }
    assert!(
        log.contains("create trust domain: retrying in"),
        "no TF_LOG line for the wait between attempts"
    );
    assert_eq!(h.mock_objects(), Default::default());
}
