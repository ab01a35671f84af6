//! Reliability acceptance tests: the real Terraform CLI and the built provider against the gRPC
//! mock control plane when it refuses calls, commits and then drops its answer, answers too
//! slowly, hands out short-lived session tokens, or restarts between commands (run with
//! `TF_ACC=1`). After each, the mock must hold exactly what the state holds: the same trust
//! domains, deployments and keys, by id, name, description, JWT issuer and key registration.
//!
//! The API has no idempotency keys (DESIGN.md §3): a create whose answer was lost is looked up
//! (a trust domain by name, a key by its public key) and adopted. The drop-after-commit scenario
//! proves it twice over: the provider's debug log says which creates it adopted, and the mock
//! saw exactly one create call per object.
//!
//! Deployments need Terraform 1.0.6 or later (see README); with an older Terraform every scenario
//! runs on trust domains alone, so the fault handling is still exercised.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::support::{Harness, TfOutput, out_of_band_client};
use spirl_mock_api::{Faults, MockOptions};
use terraform_provider_spirl::client::Client;
use terraform_provider_spirl::keys::{PublicKey, parse_public_key_pem};

/// Trust domains (each with a deployment and its own key pair, where Terraform allows) in the
/// large scenarios: the issue's figure.
const FLEET: usize = 100;
/// `-parallelism` of the large applies: twice Terraform's default, as a CI job would set it to
/// get through 300 resources.
const PARALLELISM: &str = "-parallelism=20";

/// The login stream, as the mock counts it.
const LOGIN: &str = "/com.spirl.api.v1.session.API/AuthenticateServiceAccount";

/// A trust domain as both sides see it: name, description, JWT issuer mode and issuer URL.
type TrustDomainView = (String, String, String, String);

/// What a control plane holds: trust domains by id, and deployments by id. Built from the mock
/// through the API, or from the state; the two must be equal.
#[derive(Debug, Default, PartialEq, Eq)]
struct Fleet {
    trust_domains: BTreeMap<String, TrustDomainView>,
    deployments: BTreeMap<String, DeploymentView>,
}

#[derive(Debug, PartialEq, Eq)]
struct DeploymentView {
    trust_domain_id: String,
    name: String,
    /// Key id → (SHA-256 fingerprint of the public key, active).
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
                    let view = (
                        text("domain_name"),
                        text("description"),
                        text("jwt_issuer_mode"),
                        text("jwt_issuer"),
                    );
                    let previous = fleet.trust_domains.insert(text("id"), view);
                    assert!(previous.is_none(), "two resources share an id: {v}");
                }
                Some("spirl_trust_domain_deployment") => {
                    let keys = v["keys"]
                        .as_object()
                        .into_iter()
                        .flatten()
                        .map(|(_, k)| {
                            let id = k["id"].as_str().expect("key id").to_owned();
                            let pem = k["public_key"].as_str().expect("public_key");
                            let key = parse_public_key_pem(pem).expect("a public key PEM");
                            // Unset `active` means active.
                            let active = k["active"].as_bool().unwrap_or(true);
                            (id, (key.fingerprint_sha256(), active))
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

    /// The objects the mock holds, read through the API with the provider's own client: the
    /// organisation-wide lists, so that nothing outside the state's trust domains hides.
    fn on_mock(h: &Harness) -> Fleet {
        let client = out_of_band_client(h.mock());
        h.block_on(Self::read(&client))
    }

    async fn read(client: &Client) -> Fleet {
        let mut fleet = Fleet::default();
        for td in client
            .list_trust_domains(None)
            .await
            .expect("list trust domains")
        {
            let view = (
                td.name,
                td.description,
                td.jwt_issuer.mode.as_str().to_owned(),
                td.jwt_issuer.url,
            );
            assert!(fleet.trust_domains.insert(td.id, view).is_none());
        }
        let mut ids = BTreeMap::new();
        for d in client
            .list_deployments(None)
            .await
            .expect("list deployments")
        {
            ids.insert((d.trust_domain_id.clone(), d.name.clone()), d.id.clone());
            let view = DeploymentView {
                trust_domain_id: d.trust_domain_id,
                name: d.name,
                keys: BTreeMap::new(),
            };
            assert!(fleet.deployments.insert(d.id, view).is_none());
        }
        for k in client.list_keys(None, None).await.expect("list keys") {
            let fingerprint = PublicKey::from_spki_der(&k.public_key_der)
                .expect("an ed25519 key")
                .fingerprint_sha256();
            // A key of no listed deployment is an orphan: file it where the comparison fails.
            let deployment = ids
                .get(&(k.trust_domain_id.clone(), k.deployment_name.clone()))
                .cloned()
                .unwrap_or_else(|| {
                    format!(
                        "(orphan key of {}/{})",
                        k.trust_domain_id, k.deployment_name
                    )
                });
            let view = fleet
                .deployments
                .entry(deployment)
                .or_insert_with(|| DeploymentView {
                    trust_domain_id: k.trust_domain_id.clone(),
                    name: k.deployment_name.clone(),
                    keys: BTreeMap::new(),
                });
            assert!(view.keys.insert(k.id, (fingerprint, k.active)).is_none());
        }
        fleet
    }

    fn keys(&self) -> usize {
        self.deployments.values().map(|d| d.keys.len()).sum()
    }
}

/// Asserts that the mock holds exactly what the state holds: no orphan, no duplicate, nothing
/// missing, every id, name, description, issuer and key registration equal. Reads the mock with
/// its faults off, so that checking costs no retries; the faults come back afterwards. Returns
/// what both hold.
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
fn assert_converged(h: &Harness, trust_domains: usize, deployments: bool) -> Fleet {
    let fleet = assert_mock_matches_state(h);
    let per_td = usize::from(deployments);
    assert_eq!(fleet.trust_domains.len(), trust_domains, "{fleet:#?}");
    assert_eq!(fleet.deployments.len(), trust_domains * per_td);
    assert_eq!(fleet.keys(), trust_domains * per_td);
    fleet
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

/// The configuration a fleet goes through. Each step after the first changes every trust domain
/// and every deployment in place.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Built-in JWT issuer; each deployment's key is `k[i]`, active.
    Initial,
    /// A custom JWT issuer; the key rotated to `k2[i]` (registered, disabled, then the old one
    /// deleted).
    Rotated,
    /// JWT issuing disabled; the key `k2[i]` enabled again.
    Restored,
}

/// `n` trust domains and, with `deployments`, a deployment in each carrying the public key of
/// its own `spirl_key_pair`, under `provider` (the body of the provider block).
fn fleet_config(n: usize, deployments: bool, provider: &str) -> String {
    fleet_hcl(n, deployments, provider, Stage::Initial)
}

fn fleet_hcl(n: usize, deployments: bool, provider: &str, stage: Stage) -> String {
    let issuer = match stage {
        Stage::Initial => "",
        Stage::Rotated => {
            "\n  jwt_issuer_mode = \"custom\"\n  jwt_issuer      = \"https://issuer${count.index}.reliability.example.org\""
        }
        Stage::Restored => "\n  jwt_issuer_mode = \"disabled\"",
    };
    let key = match stage {
        Stage::Initial => "{ public_key = spirl_key_pair.k[count.index].public_key_pem }",
        Stage::Rotated => {
            "{ public_key = spirl_key_pair.k2[count.index].public_key_pem, active = false }"
        }
        Stage::Restored => {
            "{ public_key = spirl_key_pair.k2[count.index].public_key_pem, active = true }"
        }
    };
    let mut hcl = format!(
        r#"
provider "spirl" {{
{provider}
}}

resource "spirl_trust_domain" "td" {{
  count       = {n}
  domain_name = "td${{count.index}}.reliability.example.org"
  description = "fleet member ${{count.index}}"{issuer}
}}
"#
    );
    if deployments {
        hcl.push_str(&format!(
            r#"
resource "spirl_key_pair" "k" {{
  count = {n}
}}

resource "spirl_key_pair" "k2" {{
  count = {n}
}}

resource "spirl_trust_domain_deployment" "d" {{
  count           = {n}
  trust_domain_id = spirl_trust_domain.td[count.index].id
  name            = "prod"
  keys = {{
    primary = {key}
  }}
}}
"#
        ));
    }
    hcl
}

/// Retries enough to ride out a 30% refusal rate across the ~1000 calls of apply, plan and
/// destroy: a call fails only after 16 refusals in a row (0.3^16 ≈ 4e-9), within a deadline
/// that the backoff (at most 10 s a wait) leaves room for.
const PATIENT: &str = "  max_retries     = 15\n  request_timeout = \"60s\"";

fn apply_fleet(h: &Harness) -> TfOutput {
    h.tf_ok(&["apply", "-auto-approve", "-input=false", PARALLELISM])
}

fn destroy_fleet(h: &Harness) {
    h.tf_ok(&["destroy", "-auto-approve", "-input=false", PARALLELISM]);
    assert_eq!(h.mock_objects(), Default::default(), "destroy left objects");
}

/// Every call the mock has seen, per method.
fn requests(h: &Harness) -> BTreeMap<String, u64> {
    h.mock().stats().requests
}

/// Calls per method since `before`, without the methods not called.
fn since(h: &Harness, before: &BTreeMap<String, u64>) -> BTreeMap<String, u64> {
    requests(h)
        .into_iter()
        .map(|(m, n)| {
            let d = n - before.get(&m).copied().unwrap_or(0);
            (m.rsplit('/').next().unwrap_or(&m).to_owned(), d)
        })
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// The calls of `method` (`RegisterTrustDomain`) in a [`since`] map.
fn count(calls: &BTreeMap<String, u64>, method: &str) -> u64 {
    calls.get(method).copied().unwrap_or(0)
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

/// Sends the provider's debug lines (only the provider's) of the following commands to `path`.
fn provider_log_to(h: &mut Harness, path: &Path) {
    h.set_env("TF_LOG_PROVIDER", "debug");
    h.set_env("TF_LOG_PATH", path.to_str().expect("utf-8 temp path"));
}

/// How many creates of `operation` the provider's log says it adopted after a lost answer.
fn adopted(log: &Path, operation: &str) -> usize {
    let text = std::fs::read_to_string(log).expect("TF_LOG_PATH was written");
    assert!(
        text.contains(&format!("{operation}: ")),
        "the provider's debug lines reach {}",
        log.display()
    );
    text.lines()
        .filter(|l| l.contains(&format!("{operation}: ")) && l.contains("adopting "))
        .count()
}

#[test]
fn reliability_fail_rate_apply_converges() {
    let test = "reliability_fail_rate";
    let Some(h) = Harness::start_with(
        test,
        MockOptions {
            fail_rate: 0.3,
            ..MockOptions::default()
        },
    ) else {
        return;
    };
    let deployments = deployments_supported(&h, test);
    h.write_config(&fleet_config(FLEET, deployments, PATIENT));

    let started = Instant::now();
    apply_fleet(&h);
    let apply_time = started.elapsed();
    let calls = since(&h, &BTreeMap::new());
    let creates = count(&calls, "RegisterTrustDomain") + count(&calls, "CreateTrustDomainKey");
    let needed = (FLEET * (1 + usize::from(deployments))) as u64;
    let total: u64 = calls.values().sum();
    eprintln!(
        "{test}: apply of {FLEET} trust domains (deployments: {deployments}) took \
         {apply_time:?}; {creates} create calls for {needed} objects, {total} calls in all: \
         {calls:?}"
    );
    // At 30%, a hundred creates without a single refusal is a 1e-15 event: the faults ran.
    assert!(creates > needed, "no create was refused and retried");
    let fleet = assert_converged(&h, FLEET, deployments);
    eprintln!(
        "{test}: converged: {} trust domains, {} deployments, {} keys; 0 duplicates, 0 orphans",
        fleet.trust_domains.len(),
        fleet.deployments.len(),
        fleet.keys()
    );

    // The refresh rides out the same refusals.
    h.assert_plan_empty();
    destroy_fleet(&h);
}

#[test]
fn reliability_drop_after_commit_leaves_no_duplicate_or_orphan() {
    let test = "reliability_drop_after_commit";
    let Some(mut h) = Harness::start_with(
        test,
        MockOptions {
            drop_after_commit_rate: 0.3,
            ..MockOptions::default()
        },
    ) else {
        return;
    };
    let deployments = deployments_supported(&h, test);
    let n = FLEET as u64;
    let per_td = u64::from(deployments);

    // Create: every create commits, and about a third lose their answer.
    let log = h.path().join("create.log");
    provider_log_to(&mut h, &log);
    h.write_config(&fleet_config(FLEET, deployments, PATIENT));
    let started = Instant::now();
    apply_fleet(&h);
    let calls = since(&h, &BTreeMap::new());
    let (tds, keys) = (
        adopted(&log, "create trust domain"),
        adopted(&log, "register deployment key"),
    );
    eprintln!(
        "{test}: create took {:?}; adopted after a lost answer: {tds} trust domains, {keys} \
         keys; calls: {calls:?}",
        started.elapsed()
    );
    // Each object was created by exactly one call: a lost answer was followed by a lookup that
    // found the object, never by a second create (which would be a duplicate or ALREADY_EXISTS).
    assert_eq!(count(&calls, "RegisterTrustDomain"), n, "{calls:?}");
    assert_eq!(
        count(&calls, "CreateTrustDomainKey"),
        n * per_td,
        "{calls:?}"
    );
    assert!(tds > 0, "no trust-domain answer was dropped and adopted");
    assert!(
        !deployments || keys > 0,
        "no key answer was dropped and adopted"
    );
    assert!(count(&calls, "ListTrustDomains") >= tds as u64, "{calls:?}");
    assert_converged(&h, FLEET, deployments);
    h.assert_plan_empty();

    // Update in place: a JWT issuer change and a key rotation (register the new key, disable
    // it, delete the old one) in each. Lost answers of updates are sent again (they are
    // idempotent); a lost registration is found by its public key.
    let log = h.path().join("rotate.log");
    provider_log_to(&mut h, &log);
    h.write_config(&fleet_hcl(FLEET, deployments, PATIENT, Stage::Rotated));
    let before = requests(&h);
    apply_fleet(&h);
    let calls = since(&h, &before);
    let keys = adopted(&log, "register deployment key");
    eprintln!("{test}: rotation adopted {keys} keys after a lost answer; calls: {calls:?}");
    assert!(
        count(&calls, "UpdateTrustDomain") > n,
        "no update answer was dropped and sent again: {calls:?}"
    );
    assert_eq!(
        count(&calls, "CreateTrustDomainKey"),
        n * per_td,
        "{calls:?}"
    );
    assert!(!deployments || keys > 0, "no registration answer was lost");
    assert!(count(&calls, "DisableTrustDomainKey") >= n * per_td);
    assert!(count(&calls, "DeleteTrustDomainKey") >= n * per_td);
    let fleet = assert_mock_matches_state(&h);
    assert_eq!(fleet.trust_domains.len(), FLEET);
    assert!(
        fleet
            .trust_domains
            .values()
            .all(|(_, _, mode, issuer)| mode == "custom"
                && issuer.ends_with(".reliability.example.org")),
        "{fleet:#?}"
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

    // Another issuer change, and every key enabled again.
    h.write_config(&fleet_hcl(FLEET, deployments, PATIENT, Stage::Restored));
    let before = requests(&h);
    apply_fleet(&h);
    let calls = since(&h, &before);
    eprintln!("{test}: enable and disable JWT; calls: {calls:?}");
    assert!(count(&calls, "EnableTrustDomainKey") >= n * per_td);
    let fleet = assert_mock_matches_state(&h);
    assert!(
        fleet
            .trust_domains
            .values()
            .all(|(_, _, mode, issuer)| mode == "disabled" && issuer.is_empty())
    );
    assert!(
        fleet
            .deployments
            .values()
            .flat_map(|d| d.keys.values())
            .all(|(_, active)| *active)
    );
    h.assert_plan_empty();

    // Deletes whose answers are lost find the object gone on retry: still a success.
    let before = requests(&h);
    destroy_fleet(&h);
    eprintln!("{test}: destroy calls: {:?}", since(&h, &before));
}

#[test]
fn reliability_timeout_names_the_operation_then_the_next_apply_converges() {
    const N: usize = 12;
    const TIMEOUT: &str = "  request_timeout = \"1s\"\n  max_retries     = 2";
    let test = "reliability_timeout";
    // Each call's deadline covers its login: the first creates wait for a login (0.6 s) and
    // then need 0.6 s more, past the 1 s `request_timeout`. A partial apply, as in real life.
    let Some(h) = Harness::start_with(
        test,
        MockOptions {
            latency: Duration::from_millis(600),
            ..MockOptions::default()
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
        words.contains("create trust domain: no answer within the request_timeout of 1s"),
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

    // Slower than the timeout: a refresh fails the plan, naming what it was doing.
    h.set_mock_faults(Faults {
        latency: Duration::from_millis(1500),
        ..h.mock().state.faults()
    });
    let out = h.tf_err(&["plan", "-input=false"]);
    let words = said(&out);
    assert!(
        ["list trust domains", "read trust domain", "list deployment"]
            .iter()
            .any(|op| words.contains(&format!("Error: Could not {op}"))),
        "{out}"
    );
    assert!(
        words.contains("no answer within the request_timeout of 1s"),
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
    const N: usize = 50;
    const TTL: Duration = Duration::from_secs(1);
    let test = "reliability_token_expiry";
    let Some(h) = Harness::start_with(
        test,
        MockOptions {
            token_ttl: TTL,
            ..MockOptions::default()
        },
    ) else {
        return;
    };
    let deployments = deployments_supported(&h, test);
    // Slow enough that the apply spans several token lifetimes.
    let latency = if deployments { 150 } else { 350 };
    h.set_mock_faults(Faults {
        latency: Duration::from_millis(latency),
        ..h.mock().state.faults()
    });
    h.write_config(&fleet_config(N, deployments, ""));

    let started = Instant::now();
    let out = h.apply();
    let took = started.elapsed();
    assert_no_breakage(&out);
    let logins = h.mock_requests(LOGIN);
    let tokens = h.mock().state.auth_record().tokens.len() as u64;
    eprintln!(
        "{test}: apply took {took:?} with a {TTL:?} token lifetime; {logins} logins, {tokens} \
         tokens issued"
    );
    assert!(
        took > 3 * TTL,
        "the apply ({took:?}) did not outlive several tokens; raise N or latency"
    );
    // Nothing is refused, so every login issued a token; several were needed.
    assert_eq!(tokens, logins, "every login succeeded");
    assert!(logins >= 3, "only {logins} login(s) for a {took:?} apply");
    // One login at a time for all the calls whose token expired: not one per call. Each
    // provider process (plan, apply) logs in once, and once more per expired token at most.
    let bound = 2 * (took.as_secs_f64() / TTL.as_secs_f64()).ceil() as u64 + 4;
    assert!(
        logins <= bound,
        "{logins} logins in {took:?}: calls logged in on their own"
    );
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
    let config = || MockOptions {
        data_dir: Some(data.path().to_owned()),
        ..MockOptions::default()
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

    // A new endpoint is provider configuration: no resource changes. The tokens of before the
    // restart are gone; the new provider process logs in on the new mock.
    h.assert_plan_empty();
    assert!(h.mock_requests(LOGIN) >= 1);
    assert_converged(&h, N, deployments);
    assert_eq!(Fleet::in_state(&h), before);
    destroy_fleet(&h);
}

/// Regression: the client's per-call lines must reach `TF_LOG` (the provider forwards only
/// targets under its crate name), so that an operator can see every retry.
#[test]
fn reliability_retries_show_in_tf_log() {
    let test = "reliability_retries_logged";
    let Some(mut h) = Harness::start_with(
        test,
        MockOptions {
            fail_rate: 1.0,
            ..MockOptions::default()
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
                .contains("create trust domain: session.API/AuthenticateServiceAccount")
                && l.contains(&format!("(retry {retry})"))),
            "no TF_LOG line for attempt {retry} of the login"
        );
    }
    assert!(
        log.contains("create trust domain: retrying in"),
        "no TF_LOG line for the wait between attempts"
    );
    assert_eq!(h.mock_requests(LOGIN), 3, "three attempts, no more");
    assert_eq!(h.mock_objects(), Default::default());
}

/// Clusters in the reliability scenarios: enough that about a third of them lose an answer.
const CLUSTERS: usize = 20;

/// A trust domain with two realms, a provider attestation configuration, a CI/CD profile, and
/// [`CLUSTERS`] clusters (every fourth with PSAT attestation, the others with their own key;
/// alternately in the two realms; every other one linked to the profile), each with the X.509
/// template `template`.
fn cluster_fleet_hcl(template: &str) -> String {
    format!(
        r#"
provider "spirl" {{
{PATIENT}
}}

resource "spirl_trust_domain" "td" {{
  domain_name = "clusters.reliability.example.org"
}}

resource "spirl_realm" "r" {{
  count           = 2
  trust_domain_id = spirl_trust_domain.td.id
  name            = "realm${{count.index}}"
}}

resource "spirl_provider_attestation_config" "aws" {{
  name = "reliability"
  aws {{
    role_arn = "arn:aws:iam::123456789012:role/reliability"
  }}
}}

resource "spirl_cicd_profile" "ci" {{
  name   = "reliability"
  issuer = "https://gitlab.com"
}}

resource "spirl_key_pair" "k" {{
  count = {CLUSTERS}
}}

resource "spirl_cluster" "c" {{
  count                       = {CLUSTERS}
  trust_domain_id             = spirl_trust_domain.td.id
  name                        = "cluster${{count.index}}"
  platform                    = "eks"
  realm_name                  = spirl_realm.r[count.index % 2].name
  provider_attestation_id     = spirl_provider_attestation_config.aws.id
  public_key                  = count.index % 4 == 0 ? null : spirl_key_pair.k[count.index].public_key_pem
  x509_customization_template = "{template}"

  dynamic "k8s_psat" {{
    for_each = count.index % 4 == 0 ? [1] : []
    content {{
      issuer_url = "https://oidc.eks.us-west-2.amazonaws.com/id/C${{count.index}}"
    }}
  }}
}}

resource "spirl_cicd_profile_link" "l" {{
  count           = {CLUSTERS} / 2
  cicd_profile_id = spirl_cicd_profile.ci.id
  cluster_id      = spirl_cluster.c[count.index * 2].id
}}
"#
    )
}

/// Asserts that the mock holds exactly the clusters of the state: the same ids, each with one
/// active version, the state's `version_id`, the state's template; an agent attestation
/// configuration for each PSAT cluster and none left over; the links of the state.
fn assert_clusters_match_state(h: &Harness, template: &str) {
    let faults = h.mock().state.faults();
    h.set_mock_faults(Faults {
        fail_rate: 0.0,
        drop_after_commit_rate: 0.0,
        ..faults
    });
    let client = out_of_band_client(h.mock());
    let state = h.state();
    let resources = state["values"]["root_module"]["resources"]
        .as_array()
        .expect("resources");
    let in_state = |kind: &str| -> Vec<&serde_json::Value> {
        resources
            .iter()
            .filter(|r| r["type"] == kind)
            .map(|r| &r["values"])
            .collect()
    };
    let clusters = in_state("spirl_cluster");
    assert_eq!(clusters.len(), CLUSTERS);
    let td = h.resource("spirl_trust_domain.td")["id"]
        .as_str()
        .expect("td")
        .to_owned();
    let remote = h
        .block_on(client.list_clusters(Some(&td), None, None))
        .expect("list clusters");
    assert_eq!(
        remote.len(),
        CLUSTERS,
        "no duplicate, no orphan: {remote:?}"
    );
    for c in &clusters {
        let id = c["id"].as_str().expect("id");
        let versions = h
            .block_on(client.list_cluster_versions(id))
            .expect("versions");
        let active: Vec<_> = versions.iter().filter(|v| v.active).collect();
        assert_eq!(active.len(), 1, "{id}: {versions:?}");
        assert_eq!(c["version_id"], active[0].id.as_str(), "{id}");
        assert_eq!(active[0].x509_customization_template, template, "{id}");
    }
    let psat = clusters.iter().filter(|c| !c["k8s_psat"].is_null()).count();
    let objects = h.mock_objects();
    assert_eq!(objects.clusters, CLUSTERS);
    assert_eq!(objects.realms, 2);
    assert_eq!(objects.provider_attestation_configs, 1);
    assert_eq!(objects.cicd_profiles, 1);
    assert_eq!(objects.cicd_profile_links, CLUSTERS / 2);
    assert_eq!(
        objects.agent_attestation_configs, psat,
        "one attestation configuration per PSAT cluster, none left behind"
    );
    h.set_mock_faults(faults);
}

#[test]
fn reliability_clusters_survive_lost_answers_and_refusals() {
    let test = "reliability_clusters";
    let Some(mut h) = Harness::start_with(
        test,
        MockOptions {
            drop_after_commit_rate: 0.3,
            ..MockOptions::default()
        },
    ) else {
        return;
    };
    // Create: every create commits, about a third lose their answer, and each is adopted by a
    // lookup, never sent twice.
    let log = h.path().join("clusters.log");
    provider_log_to(&mut h, &log);
    h.write_config(&cluster_fleet_hcl("CN=first"));
    apply_fleet(&h);
    let calls = since(&h, &BTreeMap::new());
    let lost = adopted(&log, "create cluster") + adopted(&log, "link CI/CD profile");
    eprintln!("{test}: {lost} clusters and links adopted after a lost answer; calls: {calls:?}");
    // At 30% of 30 answers, none lost is a 2e-5 event: the faults ran.
    assert!(lost > 0, "no cluster or link answer was lost");
    assert_eq!(count(&calls, "CreateCluster"), CLUSTERS as u64, "{calls:?}");
    assert_eq!(count(&calls, "CreateRealm"), 2, "{calls:?}");
    assert_eq!(count(&calls, "LinkCICDProfile"), (CLUSTERS / 2) as u64);
    assert_eq!(count(&calls, "CreateCICDProfile"), 1);
    // Both attestation services have a `CreateConfig`: count them by their full paths.
    assert_eq!(
        h.mock_requests("/com.spirl.api.v1.agentattestation.API/CreateConfig"),
        (CLUSTERS / 4) as u64
    );
    assert_eq!(
        h.mock_requests("/com.spirl.api.v1.providerattestation.API/CreateConfig"),
        1
    );
    assert_clusters_match_state(&h, "CN=first");
    h.assert_plan_empty();

    // A new version of every cluster, in place, with answers lost and calls refused.
    h.set_mock_faults(Faults {
        fail_rate: 0.2,
        drop_after_commit_rate: 0.3,
        latency: Duration::ZERO,
    });
    h.write_config(&cluster_fleet_hcl("CN=second"));
    let before = requests(&h);
    apply_fleet(&h);
    let calls = since(&h, &before);
    eprintln!("{test}: new versions: {calls:?}");
    assert!(
        count(&calls, "NewClusterVersion") >= CLUSTERS as u64,
        "{calls:?}"
    );
    assert_clusters_match_state(&h, "CN=second");
    h.assert_plan_empty();
    destroy_fleet(&h);
}
