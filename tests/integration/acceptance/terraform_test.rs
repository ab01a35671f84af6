//! `terraform test` (Terraform 1.6+) of the example module `examples/testing/`, as the guide
//! "Testing your modules" tells users to run it: the module and its `tests/*.tftest.hcl` copied as
//! they are into a temp dir, the provider's credentials for the mock in the `SPIRL_*` environment
//! variables, `terraform get` (the helper module; with `dev_overrides` there is nothing else to
//! install), then `terraform test`. Every run must pass, the apply runs must have created
//! objects on the mock, and Terraform's teardown must leave the mock empty. A file with a false
//! assertion and an expected failure that does not happen makes `terraform test` fail, so a pass
//! here means something. The plan-only file calls no API, as the guide says. Run
//! with `TF_ACC=1` and a Terraform of 1.6 or later.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value as Json;

use crate::support::{Harness, TfOutput};

const MODULE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/testing");

/// Written into the copy only by [`terraform_test_fails_on_a_false_assertion_and_on_an_expected_failure_that_does_not_happen`]:
/// a wrong prefix, and a valid input under `expect_failures`.
const MUST_FAIL: &str = r#"
variables {
  trust_domain_name = "failing.example.org"
  team              = "failing"
  clusters          = { web = {} }
}

run "wrong_prefix" {
  assert {
    condition     = startswith(output.trust_domain_id, "rlm-")
    error_message = "deliberately false: trust domain ids start with td-"
  }
}

run "valid_team_expected_to_fail" {
  command         = plan
  expect_failures = [var.team]
}
"#;

/// The gRPC methods whose calls show that the apply runs created objects on the mock.
const CREATES: [&str; 3] = [
    "/com.spirl.api.v1.trustdomain.API/RegisterTrustDomain",
    "/com.spirl.api.v1.realm.API/CreateRealm",
    "/com.spirl.api.v1.cluster.API/CreateCluster",
];

/// A harness holding a copy of `examples/testing/` (its own `versions.tf` replaces the
/// harness's), with its helper modules installed; `None` when acceptance tests are off or the
/// Terraform CLI predates `terraform test`.
fn start(test: &str) -> Option<Harness> {
    let h = Harness::start(test)?;
    let version = h.terraform_version();
    if version < (1, 6, 0) {
        eprintln!(
            "skipped {test}: `terraform test` needs Terraform 1.6 or later, this is {}.{}.{} \
             (TF_ACC_TERRAFORM_PATH)",
            version.0, version.1, version.2
        );
        return None;
    }
    std::fs::remove_file(h.path().join("versions.tf")).expect("remove versions.tf");
    copy_dir(Path::new(MODULE), h.path());
    h.tf_ok(&["get"]);
    Some(h)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("dir entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// What `terraform test -json` reported: the runs it found, by file, and how each ended.
struct Report {
    /// `file -> run names`, from the `test_abstract` message.
    found: BTreeMap<String, Vec<String>>,
    /// `(file, run) -> status` (`pass`, `fail`, `error`, `skip`) of every completed run.
    status: BTreeMap<(String, String), String>,
    /// The `test_summary` message's body.
    summary: Json,
}

fn report(out: &TfOutput) -> Report {
    let mut found = BTreeMap::new();
    let mut status = BTreeMap::new();
    let mut summary = Json::Null;
    for line in out.stdout.lines().filter(|l| l.starts_with('{')) {
        let message: Json = serde_json::from_str(line).expect("terraform test -json prints JSON");
        match message["type"].as_str() {
            Some("test_abstract") => {
                found = serde_json::from_value(message["test_abstract"].clone())
                    .expect("test_abstract maps files to run names");
            }
            Some("test_run") if message["test_run"]["progress"] == "complete" => {
                let run = &message["test_run"];
                status.insert(
                    (
                        run["path"].as_str().expect("path").to_owned(),
                        run["run"].as_str().expect("run").to_owned(),
                    ),
                    run["status"].as_str().expect("status").to_owned(),
                );
            }
            Some("test_summary") => summary = message["test_summary"].clone(),
            _ => {}
        }
    }
    Report {
        found,
        status,
        summary,
    }
}

#[test]
fn terraform_test_example_module_passes_against_the_mock_and_its_teardown_empties_it() {
    let Some(h) = start("terraform_test_pass") else {
        return;
    };
    let out = h.tf(&["test", "-json"]);
    assert_eq!(out.code, 0, "terraform test failed:\n{out}");
    let report = report(&out);

    let files: Vec<&str> = report.found.keys().map(String::as_str).collect();
    assert_eq!(files, ["tests/apply.tftest.hcl", "tests/plan.tftest.hcl"]);
    let apply_runs = &report.found["tests/apply.tftest.hcl"];
    assert!(apply_runs.len() >= 2, "{apply_runs:?}");
    let found: usize = report.found.values().map(Vec::len).sum();
    assert_eq!(report.status.len(), found, "every run completed:\n{out}");
    for ((file, run), status) in &report.status {
        assert_eq!(status, "pass", "{file}: run {run:?}\n{out}");
    }
    assert_eq!(report.summary["passed"], found, "{out}");

    for method in CREATES {
        assert!(h.mock_requests(method) > 0, "no {method}: nothing applied");
    }
    assert_eq!(
        h.mock_objects(),
        spirl_mock_api::ObjectCounts::default(),
        "terraform test destroys what its runs created"
    );
}

#[test]
fn terraform_test_fails_on_a_false_assertion_and_on_an_expected_failure_that_does_not_happen() {
    let Some(h) = start("terraform_test_fail") else {
        return;
    };
    h.write_file("tests/must_fail.tftest.hcl", MUST_FAIL);
    let out = h.tf(&["test", "-json", "-filter=tests/must_fail.tftest.hcl"]);
    assert_eq!(out.code, 1, "terraform test should have failed:\n{out}");
    let report = report(&out);

    let file = "tests/must_fail.tftest.hcl";
    let runs: Vec<&str> = report.found[file].iter().map(String::as_str).collect();
    assert_eq!(runs, ["wrong_prefix", "valid_team_expected_to_fail"]);
    // A false assertion fails the run; an expected failure that does not happen is an error.
    let status = |run: &str| {
        report
            .status
            .get(&(file.to_owned(), run.to_owned()))
            .cloned()
    };
    assert_eq!(status("wrong_prefix").as_deref(), Some("fail"), "{out}");
    assert_eq!(
        status("valid_team_expected_to_fail").as_deref(),
        Some("error"),
        "{out}"
    );
    let counts = ["passed", "failed", "errored"].map(|k| report.summary[k].clone());
    assert_eq!(counts, [0, 1, 1], "{out}");
    assert!(
        out.stdout.contains("deliberately false"),
        "the assertion's message is shown:\n{out}"
    );

    assert!(
        h.mock_requests(CREATES[0]) > 0,
        "the failing run applied first:\n{out}"
    );
    assert_eq!(
        h.mock_objects(),
        spirl_mock_api::ObjectCounts::default(),
        "a failed run is torn down too"
    );
}

/// As the guide and `plan.tftest.hcl` say: planning new objects calls no API, so the plan file
/// passes with credentials and the mock hears nothing; with no credentials at all, the plans fail
/// saying how to authenticate.
#[test]
fn terraform_test_plan_runs_call_no_api_but_need_credentials() {
    let Some(mut h) = start("terraform_test_plan") else {
        return;
    };
    let out = h.tf(&["test", "-json", "-filter=tests/plan.tftest.hcl"]);
    assert_eq!(out.code, 0, "terraform test failed:\n{out}");
    let report = report(&out);
    let runs = &report.found["tests/plan.tftest.hcl"];
    assert!(runs.len() >= 2, "{runs:?}");
    assert_eq!(report.summary["passed"], runs.len(), "{out}");
    assert!(
        h.mock().stats().requests.is_empty(),
        "the mock was called: {:?}",
        h.mock().stats().requests
    );

    for var in [
        "SPIRL_ENDPOINT",
        "SPIRL_USE_TLS",
        "SPIRL_SA_KEY_ID",
        "SPIRL_SA_PRIVATE_KEY",
    ] {
        h.unset_env(var);
    }
    let out = h.tf(&["test", "-filter=tests/plan.tftest.hcl"]);
    assert_ne!(
        out.code, 0,
        "terraform test passed without credentials:\n{out}"
    );
    assert!(out.said().contains("Missing credentials"), "{out}");
    assert!(h.mock().stats().requests.is_empty());
}
