//! Acceptance tests as lifecycle steps, in the spirit of terraform-plugin-testing's
//! `resource.Test(t, TestCase{Steps: …})`: each step is a configuration (or an import, or a
//! destroy) with what Terraform must make of it, and runs on a [`Harness`] as soon as it is given.
//!
//! ```ignore
//! let mut t = Lifecycle::new(&h);
//! let id = t
//!     .step(
//!         Step::config(config("a"))
//!             .plan([(ADDRESS, Create)]) // from `terraform show -json` of the saved plan
//!             .state(ADDRESS, "id", Is::prefix("rlm-")),
//!     )
//!     .str(ADDRESS, "id");
//! t.step(Step::import(ADDRESS)); // `terraform import` by id: the same state as before
//! t.step(Step::import(ADDRESS).by_block()); // the same with an `import` block
//! t.step(Step::import(ADDRESS).id("nope").expect_error("not a realm id"));
//! t.step(
//!     Step::config(config("b"))
//!         .plan([(ADDRESS, Replace)])
//!         .state(ADDRESS, "id", Is::Changed),
//! );
//! t.finish(); // destroy: the state and the mock hold nothing
//! ```
//!
//! What every step checks without being asked: an apply succeeds, says nothing about an
//! inconsistent result, and is followed by an empty plan; an import gives the values the state
//! held before and is followed by an empty plan; an expected error is an error, with no panic.
//! Between steps the test is plain Rust: changes out of band, assertions on the mock, values read
//! from the [`State`] a step returns.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;

use super::harness::{Harness, TfOutput, find_resource};

/// What Terraform plans for one managed resource, from the `actions` of `terraform show -json`
/// of a saved plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// `["create"]`.
    Create,
    /// `["update"]`: changed in place.
    Update,
    /// `["delete", "create"]` or, with `create_before_destroy`, `["create", "delete"]`.
    Replace,
    /// `["delete"]`.
    Delete,
}

impl Action {
    fn of(actions: &Json) -> Option<Action> {
        let actions: Vec<&str> = actions
            .as_array()
            .expect("actions")
            .iter()
            .map(|a| a.as_str().expect("action"))
            .collect();
        match actions.as_slice() {
            ["no-op"] | ["read"] => None,
            ["create"] => Some(Action::Create),
            ["update"] => Some(Action::Update),
            ["delete", "create"] | ["create", "delete"] => Some(Action::Replace),
            ["delete"] => Some(Action::Delete),
            other => panic!("a planned action the steps do not know: {other:?}"),
        }
    }
}

/// What an attribute's value must be after a step.
#[derive(Clone, Debug)]
pub enum Is {
    /// Equal to this value.
    Eq(Json),
    /// A string that starts with this (an id's prefix).
    Prefix(String),
    /// An RFC 3339 timestamp.
    Rfc3339,
    /// Null (unset).
    Null,
    /// Equal to its value before this step.
    Unchanged,
    /// Different from its value before this step (a replaced object's id).
    Changed,
    /// Equal to `(address, path)` of this same state (a reference between resources).
    Same(String, String),
}

impl Is {
    /// A string starting with `prefix`.
    pub fn prefix(prefix: &str) -> Is {
        Is::Prefix(prefix.to_owned())
    }

    /// Equal to the attribute at `path` of the resource at `address` in the same state.
    pub fn same(address: &str, path: &str) -> Is {
        Is::Same(address.to_owned(), path.to_owned())
    }
}

impl From<&str> for Is {
    fn from(v: &str) -> Is {
        Is::Eq(Json::from(v))
    }
}

impl From<String> for Is {
    fn from(v: String) -> Is {
        Is::Eq(Json::from(v))
    }
}

impl From<bool> for Is {
    fn from(v: bool) -> Is {
        Is::Eq(Json::from(v))
    }
}

impl From<Json> for Is {
    fn from(v: Json) -> Is {
        Is::Eq(v)
    }
}

/// The state as `terraform show -json` prints it, with lookups by resource address.
#[derive(Clone, Debug, Default)]
pub struct State(Json);

impl State {
    /// The whole `terraform show -json` document.
    pub fn json(&self) -> &Json {
        &self.0
    }

    /// Whether the state holds a resource at `address` (root module).
    pub fn has(&self, address: &str) -> bool {
        find_resource(&self.0, address).is_some()
    }

    /// The attribute values of the resource at `address`.
    pub fn resource(&self, address: &str) -> Json {
        find_resource(&self.0, address)
            .unwrap_or_else(|| panic!("{address} is not in the state:\n{}", self.0))
    }

    /// The value at `path` (attribute names and list indexes joined by `.`, e.g. `aws.role_arn`)
    /// of the resource at `address`; null when the path leads nowhere.
    pub fn get(&self, address: &str, path: &str) -> Json {
        at(&self.resource(address), path).clone()
    }

    /// [`State::get`] of a string.
    pub fn str(&self, address: &str, path: &str) -> String {
        match self.get(address, path) {
            Json::String(s) => s,
            other => panic!("{address}.{path} is not a string: {other}"),
        }
    }

    /// The value of root output `name`.
    pub fn output(&self, name: &str) -> Json {
        self.0["values"]["outputs"][name]["value"].clone()
    }

    /// Whether nothing is left in the state (after a destroy).
    pub fn is_empty(&self) -> bool {
        self.0["values"].is_null()
            || self.0["values"]["root_module"]["resources"]
                .as_array()
                .is_none_or(Vec::is_empty)
    }
}

/// The value at `path` (attribute names and list indexes joined by `.`) inside `value`; null
/// when the path leads nowhere.
fn at<'a>(value: &'a Json, path: &str) -> &'a Json {
    path.split('.')
        .fold(value, |v, step| match step.parse::<usize>() {
            Ok(i) if v.is_array() => &v[i],
            _ => &v[step],
        })
}

enum What {
    /// Apply a configuration: `Some` replaces `main.tf`, `None` keeps it.
    Config(Option<String>),
    /// Import into `address` (removed from the state first when it is there).
    Import {
        address: String,
        id: Option<String>,
        ignore: Vec<String>,
        block: bool,
    },
    /// `terraform destroy`.
    Destroy,
}

/// A check run on the harness at one point of a step.
type Check = Box<dyn FnOnce(&Harness)>;

/// One step: what to do, and what Terraform must make of it.
pub struct Step {
    what: What,
    files: Vec<(String, String)>,
    plan: Option<BTreeMap<String, Action>>,
    plan_says: Vec<String>,
    plan_lacks: Vec<String>,
    plan_only: bool,
    plan_unknown: Vec<(String, Vec<String>)>,
    errors: Vec<String>,
    values: Vec<(String, String, Is)>,
    after_apply: Option<Check>,
}

impl Step {
    fn new(what: What) -> Step {
        Step {
            what,
            files: Vec::new(),
            plan: None,
            plan_says: Vec::new(),
            plan_lacks: Vec::new(),
            plan_only: false,
            plan_unknown: Vec::new(),
            errors: Vec::new(),
            values: Vec::new(),
            after_apply: None,
        }
    }

    /// Writes `hcl` as `main.tf` and applies it.
    pub fn config(hcl: impl Into<String>) -> Step {
        Step::new(What::Config(Some(hcl.into())))
    }

    /// Applies the configuration as it is (after changes out of band, say).
    pub fn same_config() -> Step {
        Step::new(What::Config(None))
    }

    /// Removes `address` from the state (when there) and imports it again with `terraform
    /// import`, by its `id` attribute unless [`Step::id`] says otherwise; the imported values
    /// must equal those the state held before (but for [`Step::ignore`]d attributes), when it
    /// held any, and the plan that follows must be empty (unless [`Step::plan`] says otherwise:
    /// it is not applied).
    pub fn import(address: &str) -> Step {
        Step::new(What::Import {
            address: address.to_owned(),
            id: None,
            ignore: Vec::new(),
            block: false,
        })
    }

    /// `terraform destroy` (for destroys that must fail: [`Lifecycle::finish`] destroys at the
    /// end).
    pub fn destroy() -> Step {
        Step::new(What::Destroy)
    }

    /// The import id (an import step).
    pub fn id(mut self, id: impl Into<String>) -> Step {
        match &mut self.what {
            What::Import { id: slot, .. } => *slot = Some(id.into()),
            _ => panic!("only an import step has an id"),
        }
        self
    }

    /// Attributes left out when comparing what an import step read with the previous state.
    pub fn ignore<const N: usize>(mut self, attributes: [&str; N]) -> Step {
        match &mut self.what {
            What::Import { ignore, .. } => ignore.extend(attributes.map(str::to_owned)),
            _ => panic!("only an import step ignores attributes"),
        }
        self
    }

    /// Imports with an `import` block and `terraform apply` instead of `terraform import`; the
    /// plan must import the resource and change nothing else (unless [`Step::plan`] says
    /// otherwise), and the next plan be empty. Terraform before 1.5 has no import blocks: there
    /// the step says so and imports with `terraform import`.
    pub fn by_block(mut self) -> Step {
        match &mut self.what {
            What::Import { block, .. } => *block = true,
            _ => panic!("only an import step has an import block"),
        }
        self
    }

    /// A file beside `main.tf` for this step only (removed after it).
    pub fn file(mut self, name: &str, contents: impl Into<String>) -> Step {
        self.files.push((name.to_owned(), contents.into()));
        self
    }

    /// The plan (saved, then applied) must change exactly these managed resources this way;
    /// every other one is a no-op. Data sources are not counted. Without it, an apply step's plan
    /// may be anything, and other steps' must be empty.
    pub fn plan<const N: usize>(mut self, changes: [(&str, Action); N]) -> Step {
        self.plan = Some(changes.map(|(a, c)| (a.to_owned(), c)).into());
        self
    }

    /// Terraform's plan output must say `text` (matched with line wrapping and box drawing undone).
    pub fn plan_says(mut self, text: impl Into<String>) -> Step {
        self.plan_says.push(text.into());
        self
    }

    /// Terraform's plan output must not say `text`.
    pub fn plan_lacks(mut self, text: impl Into<String>) -> Step {
        self.plan_lacks.push(text.into());
        self
    }

    /// The plan must leave exactly these attributes of the resource at `address` unknown until
    /// apply (`(known after apply)`), nested ones as `block.attribute`.
    pub fn plan_unknown<const N: usize>(mut self, address: &str, paths: [&str; N]) -> Step {
        self.plan_unknown
            .push((address.to_owned(), paths.map(str::to_owned).into()));
        self
    }

    /// Plans without applying; the plan must be empty unless [`Step::plan`] says otherwise.
    pub fn plan_only(mut self) -> Step {
        self.plan_only = true;
        self
    }

    /// The step must fail, saying `text` (matched with line wrapping and box drawing undone);
    /// give it several times for several texts. A failed step leaves the recorded state as it was.
    pub fn expect_error(mut self, text: impl Into<String>) -> Step {
        self.errors.push(text.into());
        self
    }

    /// Runs `check` right after the apply, before the state is read and the next plan refreshes
    /// it: for what only the apply may have done (the calls it made, say).
    pub fn after_apply(mut self, check: impl FnOnce(&Harness) + 'static) -> Step {
        self.after_apply = Some(Box::new(check));
        self
    }

    /// After the step, the attribute at `path` of the resource at `address` must be as `is` says.
    pub fn state(mut self, address: &str, path: &str, is: impl Into<Is>) -> Step {
        self.values
            .push((address.to_owned(), path.to_owned(), is.into()));
        self
    }
}

/// A test's steps on one harness: the state each step left, and the destroy at the end.
pub struct Lifecycle<'h> {
    h: &'h Harness,
    /// The state the last successful step left.
    state: State,
    /// How many steps ran, for messages.
    steps: usize,
    /// Addresses an import step removed from Terraform's state and no step imported yet.
    removed: BTreeSet<String>,
}

const PLAN_FILE: &str = "step.tfplan";

impl<'h> Lifecycle<'h> {
    /// Steps on `h`, starting from what its state holds now.
    pub fn new(h: &'h Harness) -> Lifecycle<'h> {
        let state = if h.path().join("terraform.tfstate").exists() {
            State(h.state())
        } else {
            State::default()
        };
        Lifecycle {
            h,
            state,
            steps: 0,
            removed: BTreeSet::new(),
        }
    }

    /// The state the last successful step left.
    pub fn state(&self) -> &State {
        &self.state
    }

    /// Runs `step` now, checks what it expects, and returns the state it left.
    pub fn step(&mut self, mut step: Step) -> &State {
        self.steps += 1;
        for (name, contents) in &step.files {
            self.h.write_file(name, contents);
        }
        match &step.what {
            What::Config(hcl) => {
                if let Some(hcl) = hcl {
                    self.h.write_config(hcl);
                }
                self.apply(&mut step);
            }
            What::Import { .. } => self.import(&step),
            What::Destroy => self.destroy(&step),
        }
        for (name, _) in &step.files {
            std::fs::remove_file(self.h.path().join(name)).expect("remove the step's file");
        }
        let _ = std::fs::remove_file(self.h.path().join(PLAN_FILE));
        &self.state
    }

    /// Destroys everything and checks that the state and the mock hold nothing.
    pub fn finish(self) {
        self.finish_with(|h| {
            assert_eq!(
                h.mock_objects(),
                Default::default(),
                "the mock holds nothing"
            );
        });
    }

    /// Destroys everything, checks that the state holds nothing, and runs `check` (what the
    /// mock must hold, for a test whose other objects were made out of band).
    pub fn finish_with(self, check: impl FnOnce(&Harness)) {
        self.h.destroy();
        let state = State(self.h.state());
        assert!(state.is_empty(), "destroy left {}", state.json());
        check(self.h);
    }

    fn label(&self) -> String {
        format!("step {}", self.steps)
    }

    /// Runs a Terraform command that must succeed unless the step expects an error; when it
    /// failed as expected, checks what it said and returns `None`.
    fn run(&self, step: &Step, args: &[&str]) -> Option<TfOutput> {
        let out = self.h.tf(args);
        let label = self.label();
        if out.code == 0 {
            return Some(out);
        }
        assert!(
            !step.errors.is_empty(),
            "{label}: terraform {} failed:\n{out}",
            args.join(" ")
        );
        let said = out.said();
        for text in &step.errors {
            assert!(
                said.contains(text.as_str()),
                "{label}: expected {text:?}:\n{out}"
            );
        }
        assert!(!said.contains("panic"), "{label}: {out}");
        None
    }

    /// Fails when the step expected an error and none came.
    fn no_error_expected(&self, step: &Step, out: &TfOutput) {
        assert!(
            step.errors.is_empty(),
            "{}: expected an error saying {:?}:\n{out}",
            self.label(),
            step.errors
        );
    }

    /// Plans into [`PLAN_FILE`] and checks the plan: with no expected changes, it must be empty
    /// when `empty_by_default`. `importing` must be imported by it. `None` when the step's
    /// expected error came here.
    fn plan(&self, step: &Step, empty_by_default: bool, importing: Option<&str>) -> Option<()> {
        let plan_file = format!("-out={PLAN_FILE}");
        let out = self.run(step, &["plan", "-input=false", "-no-color", &plan_file])?;
        let label = self.label();
        let said = out.said();
        for text in &step.plan_says {
            assert!(
                said.contains(text.as_str()),
                "{label}: the plan should say {text:?}:\n{out}"
            );
        }
        for text in &step.plan_lacks {
            assert!(
                !said.contains(text.as_str()),
                "{label}: the plan says {text:?}:\n{out}"
            );
        }
        let shown = self.h.tf_ok(&["show", "-json", PLAN_FILE]);
        let plan: Json = serde_json::from_str(&shown.stdout).expect("a plan in JSON");
        let resource_changes: Vec<&Json> = plan["resource_changes"]
            .as_array()
            .into_iter()
            .flatten()
            .collect();
        let change_of = |address: &str| {
            resource_changes
                .iter()
                .find(|c| c["address"] == address)
                .map(|c| &c["change"])
                .unwrap_or_else(|| panic!("{label}: the plan has no change of {address}:\n{out}"))
        };
        if let Some(address) = importing {
            assert!(
                !change_of(address)["importing"].is_null(),
                "{label}: the plan does not import {address}:\n{out}"
            );
        }
        for (address, paths) in &step.plan_unknown {
            let mut unknown = Vec::new();
            unknown_paths(&change_of(address)["after_unknown"], "", &mut unknown);
            unknown.sort();
            let mut expected = paths.clone();
            expected.sort();
            assert!(
                unknown == expected,
                "{label}: {address} has {unknown:?} unknown until apply, expected {expected:?}:\n{out}"
            );
        }
        let changes: BTreeMap<String, Action> = resource_changes
            .iter()
            .filter(|c| c["mode"] == "managed")
            .filter_map(|c| {
                let action = Action::of(&c["change"]["actions"])?;
                Some((c["address"].as_str().expect("address").to_owned(), action))
            })
            .collect();
        match &step.plan {
            Some(expected) => assert!(
                &changes == expected,
                "{label}: planned {changes:?}, expected {expected:?}:\n{out}"
            ),
            None if empty_by_default => {
                assert!(
                    changes.is_empty(),
                    "{label}: expected an empty plan:\n{out}"
                )
            }
            None => {}
        }
        if step.plan_only {
            self.no_error_expected(step, &out);
        }
        Some(())
    }

    fn apply(&mut self, step: &mut Step) {
        let saved = step.plan.is_some()
            || step.plan_only
            || !step.plan_unknown.is_empty()
            || !step.plan_says.is_empty()
            || !step.plan_lacks.is_empty();
        if saved {
            let Some(()) = self.plan(step, step.plan_only, None) else {
                return;
            };
            if step.plan_only {
                return;
            }
        }
        let args: &[&str] = if saved {
            &["apply", "-input=false", "-no-color", PLAN_FILE]
        } else {
            &["apply", "-auto-approve", "-input=false", "-no-color"]
        };
        let Some(out) = self.run(step, args) else {
            // What a failed apply recorded (a partial state) is what the step returns.
            self.state = State(self.h.state());
            return;
        };
        self.no_error_expected(step, &out);
        assert!(
            !out.all().contains("inconsistent"),
            "{}: {out}",
            self.label()
        );
        if let Some(check) = step.after_apply.take() {
            check(self.h);
        }
        self.record(step, true);
    }

    fn import(&mut self, step: &Step) {
        let What::Import {
            address,
            id,
            ignore,
            block,
        } = &step.what
        else {
            unreachable!("an import step")
        };
        let id = id.clone().unwrap_or_else(|| self.state.str(address, "id"));
        if self.state.has(address) && !self.removed.contains(address) {
            self.h.tf_ok(&["state", "rm", address]);
            self.removed.insert(address.clone());
        }
        let wants_block = *block;
        let block = wants_block && self.h.terraform_version() >= (1, 5, 0);
        if wants_block != block {
            eprintln!(
                "{}: Terraform before 1.5 has no import blocks; imported with `terraform import`",
                self.label()
            );
        }
        if block {
            self.h.write_file(
                "import.tf",
                &format!("import {{\n  to = {address}\n  id = {id:?}\n}}\n"),
            );
            let applied = self
                .plan(step, true, Some(address))
                .and_then(|()| self.run(step, &["apply", "-input=false", "-no-color", PLAN_FILE]));
            std::fs::remove_file(self.h.path().join("import.tf")).expect("remove import.tf");
            if applied.is_none() {
                return;
            }
        } else {
            let Some(out) = self.run(step, &["import", "-input=false", "-no-color", address, &id])
            else {
                return;
            };
            self.no_error_expected(step, &out);
        }
        self.removed.remove(address);
        let without = |mut v: Json| {
            if let Some(o) = v.as_object_mut() {
                for attribute in ignore {
                    o.remove(attribute);
                }
            }
            v
        };
        // Made outside Terraform, it has no earlier values to compare with.
        if self.state.has(address) {
            let imported = State(self.h.state());
            assert_eq!(
                without(imported.resource(address)),
                without(self.state.resource(address)),
                "{}: imported {address} with {id:?}",
                self.label()
            );
        }
        if !block {
            self.plan(step, true, None);
        }
        self.record(step, block);
    }

    fn destroy(&mut self, step: &Step) {
        let args = ["destroy", "-auto-approve", "-input=false", "-no-color"];
        let Some(out) = self.run(step, &args) else {
            return;
        };
        self.no_error_expected(step, &out);
        self.state = State(self.h.state());
    }

    /// Reads the state the step left, checks its values (and, after an apply, that the next
    /// plan is empty), and records it.
    fn record(&mut self, step: &Step, plan_empty: bool) {
        let state = State(self.h.state());
        let label = self.label();
        for (address, path, is) in &step.values {
            let value = state.get(address, path);
            let what = format!("{label}: {address}.{path} = {value}");
            match is {
                Is::Eq(want) => assert_eq!(&value, want, "{what}"),
                Is::Prefix(prefix) => assert!(
                    value
                        .as_str()
                        .is_some_and(|s| s.starts_with(prefix.as_str())),
                    "{what}, expected a string starting with {prefix:?}"
                ),
                Is::Rfc3339 => {
                    let text = value
                        .as_str()
                        .unwrap_or_else(|| panic!("{what}: not a string"));
                    humantime::parse_rfc3339(text)
                        .unwrap_or_else(|e| panic!("{what}: not RFC 3339: {e}"));
                }
                Is::Null => assert!(value.is_null(), "{what}, expected null"),
                Is::Unchanged => {
                    assert_eq!(
                        value,
                        self.state.get(address, path),
                        "{what}, expected unchanged"
                    )
                }
                Is::Changed => {
                    assert_ne!(
                        value,
                        self.state.get(address, path),
                        "{what}, expected a change"
                    )
                }
                Is::Same(other, other_path) => assert_eq!(
                    value,
                    state.get(other, other_path),
                    "{what}, expected {other}.{other_path}"
                ),
            }
        }
        if plan_empty {
            self.h.assert_plan_empty();
        }
        self.state = state;
    }
}

/// The paths (joined by `.`) whose value is `true` in a plan's `after_unknown`.
fn unknown_paths(after_unknown: &Json, prefix: &str, out: &mut Vec<String>) {
    let join = |key: &str| {
        if prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{prefix}.{key}")
        }
    };
    match after_unknown {
        Json::Bool(true) => out.push(prefix.to_owned()),
        Json::Object(fields) => {
            for (key, value) in fields {
                unknown_paths(value, &join(key), out);
            }
        }
        Json::Array(items) => {
            for (i, value) in items.iter().enumerate() {
                unknown_paths(value, &join(&i.to_string()), out);
            }
        }
        _ => {}
    }
}
