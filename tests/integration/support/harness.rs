//! Acceptance-test harness: the real Terraform CLI, the freshly built provider and a mock
//! control-plane API on a free port, each test in its own temporary directory.
//!
//! Acceptance tests run only when `TF_ACC=1` (the README's test command sets it, with
//! `TF_ACC_TERRAFORM_PATH` pointing at the Terraform CLI that `scripts/setup.sh` found or
//! installed); otherwise [`Harness::start`] says the test was skipped and returns `None`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value as Json;
use spirl_mock_api::{MockOptions, RunningMock};

/// One acceptance test's world: a temp dir holding the Terraform configuration and CLI config,
/// a mock API, and the runtime that serves it.
pub struct Harness {
    /// The directory Terraform runs in.
    pub dir: tempfile::TempDir,
    terraform: PathBuf,
    cli_config: PathBuf,
    extra_env: BTreeMap<String, String>,
    /// Variables removed from Terraform's environment after everything else is set.
    removed_env: std::collections::BTreeSet<String>,
    /// The mock; `None` once [`Harness::stop_mock`] took it down.
    pub mock: Option<RunningMock>,
    runtime: tokio::runtime::Runtime,
}

/// What one Terraform command printed.
pub struct TfOutput {
    /// Exit code (`-1` when killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl TfOutput {
    /// Everything Terraform said, for assertions on messages that may land on either stream.
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// [`TfOutput::all`] with Terraform's line wrapping and the diagnostics' box drawing undone,
    /// for assertions on long messages.
    pub fn said(&self) -> String {
        self.all()
            .split_whitespace()
            .filter(|w| *w != "│")
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl std::fmt::Display for TfOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit code {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// The provider binary Cargo built for this test run.
pub fn provider_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_terraform-provider-spirl"))
}

/// Removes from `command` the variables Cargo sets for the package under test
/// (`CARGO_PKG_*`, `CARGO_MANIFEST_*`, `OUT_DIR`, ...), for a command that runs `cargo` itself:
/// build scripts such as ring's rerun when those change, so a nested cargo that inherits them
/// rebuilds ring and everything above it, and the next ordinary build rebuilds it all back.
pub fn without_package_env(command: &mut Command) -> &mut Command {
    for (key, _) in std::env::vars_os() {
        if let Some(k) = key.to_str()
            && (k.starts_with("CARGO_PKG_")
                || k.starts_with("CARGO_MANIFEST_")
                || matches!(k, "CARGO_CRATE_NAME" | "CARGO_PRIMARY_PACKAGE" | "OUT_DIR"))
        {
            command.env_remove(&key);
        }
    }
    command
}

/// When a test is done, every provider process its Terraform runs started has exited: no plugin
/// outlives the Terraform that started it (a failing test's leftovers are killed quietly).
impl Drop for Harness {
    fn drop(&mut self) {
        let left = super::processes::providers_left_in(self.dir.path());
        if !left.is_empty() && !std::thread::panicking() {
            panic!(
                "provider processes still ran {:?} after the test's last Terraform command \
                 (killed now): {left:?}",
                super::processes::PROVIDER_EXIT_DEADLINE
            );
        }
    }
}

impl Harness {
    /// Starts a harness with a default mock, or returns `None` (after saying so) when acceptance
    /// tests are not enabled.
    pub fn start(test: &str) -> Option<Harness> {
        Self::start_with(test, MockOptions::default())
    }

    /// Like [`Harness::start`], with a mock configured by the test (faults, TTLs, data dir).
    pub fn start_with(test: &str, config: MockOptions) -> Option<Harness> {
        if std::env::var("TF_ACC").as_deref() != Ok("1") {
            eprintln!("skipped {test}: acceptance tests run with TF_ACC=1 (see README)");
            return None;
        }
        let terraform = std::env::var_os("TF_ACC_TERRAFORM_PATH")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("terraform"));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio runtime");
        let mock = runtime
            .block_on(spirl_mock_api::spawn(config))
            .expect("start the mock API");
        let dir = tempfile::Builder::new()
            .prefix(&format!("acc-{test}-"))
            .tempdir()
            .expect("temp dir");
        let cli_config = dir.path().join("terraform.tfrc");
        let plugin_dir = provider_binary()
            .parent()
            .expect("provider binary has a parent directory")
            .to_path_buf();
        std::fs::write(
            &cli_config,
            format!(
                "provider_installation {{\n  dev_overrides {{\n    \"spirl/spirl\" = {:?}\n  }}\n  direct {{}}\n}}\n",
                plugin_dir.display().to_string()
            ),
        )
        .expect("write CLI config");
        // Terraform (and the provider it starts) get a home of their own, so that a developer's
        // ~/.spirl/config.json (a `spirlctl login` session) never reaches a test.
        std::fs::create_dir_all(dir.path().join("home")).expect("create the home directory");
        // Modules keep this in versions.tf; the test configurations stay as users write them.
        std::fs::write(
            dir.path().join("versions.tf"),
            "terraform {\n  required_providers {\n    spirl = {\n      source = \"spirl/spirl\"\n    }\n  }\n}\n",
        )
        .expect("write versions.tf");
        Some(Harness {
            dir,
            terraform,
            cli_config,
            extra_env: BTreeMap::new(),
            removed_env: Default::default(),
            mock: Some(mock),
            runtime,
        })
    }

    /// Runs Terraform commands with the CLI at `path` from now on.
    pub fn use_terraform(&mut self, path: PathBuf) {
        self.terraform = path;
    }

    /// Runs Terraform commands with Terraform 1.0.3 ([`legacy_terraform`]) from now on, and
    /// checks that it is that version; false (after saying the test is skipped) when it is not
    /// installed.
    pub fn use_legacy_terraform(&mut self) -> bool {
        let Some(legacy) = legacy_terraform() else {
            eprintln!("skipped: no tools/terraform-1.0.3 (scripts/setup.sh installs it)");
            return false;
        };
        self.use_terraform(legacy);
        assert_eq!(self.terraform_version(), (1, 0, 3));
        true
    }

    /// The Terraform CLI's version as `(major, minor, patch)`.
    pub fn terraform_version(&self) -> (u64, u64, u64) {
        // `terraform version` reads the configuration where it runs; ask from an empty directory.
        let empty = self.dir.path().join(".version");
        std::fs::create_dir_all(&empty).expect("create empty dir");
        let chdir = format!("-chdir={}", empty.display());
        let out = self.tf_ok(&[&chdir, "version", "-json"]);
        let v: Json = serde_json::from_str(&out.stdout).expect("terraform version -json");
        let text = v["terraform_version"].as_str().expect("terraform_version");
        let mut parts = text.split(['.', '-']).map(|p| p.parse().unwrap_or(0));
        (
            parts.next().unwrap_or(0),
            parts.next().unwrap_or(0),
            parts.next().unwrap_or(0),
        )
    }

    /// The running mock.
    pub fn mock(&self) -> &RunningMock {
        self.mock.as_ref().expect("mock is running")
    }

    /// Runs a future on the harness's runtime (for out-of-band calls against the mock).
    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.runtime.block_on(f)
    }

    /// Sets an environment variable for every following Terraform command.
    pub fn set_env(&mut self, key: &str, value: &str) {
        self.removed_env.remove(key);
        self.extra_env.insert(key.to_owned(), value.to_owned());
    }

    /// Removes an environment variable from every following Terraform command, even one the
    /// harness sets itself (`SPIRL_SA_KEY_ID`, …).
    pub fn unset_env(&mut self, key: &str) {
        self.extra_env.remove(key);
        self.removed_env.insert(key.to_owned());
    }

    /// The home directory (`HOME`) of Terraform and the provider: `home/` in the test's
    /// directory, empty unless a test puts something there (`.spirl/config.json`).
    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// Writes `main.tf` (replacing what was there).
    pub fn write_config(&self, hcl: &str) {
        self.write_file("main.tf", hcl);
    }

    /// Writes a file into the working directory.
    pub fn write_file(&self, name: &str, contents: &str) {
        std::fs::write(self.dir.path().join(name), contents).expect("write file");
    }

    /// The working directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs `terraform <args>` in the working directory with the mock's credentials in the
    /// provider's environment variables, as a Terraform Cloud run would pass them. Proxy
    /// variables of the machine are removed: tests that want a proxy set their own. `HOME` is
    /// [`Harness::home`].
    pub fn tf(&self, args: &[&str]) -> TfOutput {
        let Output {
            status,
            stdout,
            stderr,
        } = self.command(args).output().unwrap_or_else(|e| {
            panic!(
                "could not run {} (set TF_ACC_TERRAFORM_PATH): {e}",
                self.terraform.display()
            )
        });
        TfOutput {
            code: status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
        }
    }

    /// The command [`Harness::tf`] runs, for a test that starts Terraform and does not wait
    /// for it (to kill it, say).
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.terraform);
        cmd.args(args)
            .current_dir(self.dir.path())
            .env("TF_CLI_CONFIG_FILE", &self.cli_config)
            .env("TF_IN_AUTOMATION", "1")
            .env("TF_INPUT", "0")
            .env("CHECKPOINT_DISABLE", "1")
            .env("HOME", self.home())
            .env_remove("TF_LOG")
            .env_remove("TF_LOG_PROVIDER")
            .env_remove("TF_LOG_PATH");
        for var in [
            "SPIRL_ENDPOINT",
            "SPIRL_SA_KEY_ID",
            "SPIRL_SA_PRIVATE_KEY",
            "SPIRL_USE_TLS",
            "HTTPS_PROXY",
            "https_proxy",
            "NO_PROXY",
            "no_proxy",
        ] {
            cmd.env_remove(var);
        }
        if let Some(mock) = &self.mock {
            // The mock speaks plaintext HTTP/2 on loopback unless it was started with TLS.
            cmd.env("SPIRL_ENDPOINT", &mock.endpoint)
                .env("SPIRL_USE_TLS", mock.credentials.use_tls.to_string())
                .env("SPIRL_SA_KEY_ID", &mock.credentials.sa_key_id)
                .env("SPIRL_SA_PRIVATE_KEY", &mock.credentials.sa_private_key);
        }
        cmd.envs(&self.extra_env);
        for key in &self.removed_env {
            cmd.env_remove(key);
        }
        cmd
    }

    /// Runs a Terraform command that must succeed (`-no-color` added), and returns its output.
    pub fn tf_ok(&self, args: &[&str]) -> TfOutput {
        let out = self.tf(&with_no_color(args));
        assert_eq!(out.code, 0, "terraform {} failed:\n{out}", args.join(" "));
        out
    }

    /// Runs a Terraform command that must fail, and returns its output.
    pub fn tf_err(&self, args: &[&str]) -> TfOutput {
        let out = self.tf(&with_no_color(args));
        assert_ne!(
            out.code,
            0,
            "terraform {} should have failed:\n{out}",
            args.join(" ")
        );
        out
    }

    /// `terraform apply -auto-approve`.
    pub fn apply(&self) -> TfOutput {
        self.tf_ok(&["apply", "-auto-approve", "-input=false"])
    }

    /// `terraform destroy -auto-approve`.
    pub fn destroy(&self) -> TfOutput {
        self.tf_ok(&["destroy", "-auto-approve", "-input=false"])
    }

    /// Asserts that `terraform plan -detailed-exitcode` proposes no change.
    pub fn assert_plan_empty(&self) {
        let out = self.tf(&["plan", "-detailed-exitcode", "-input=false", "-no-color"]);
        assert_eq!(out.code, 0, "expected an empty plan:\n{out}");
    }

    /// Asserts that `terraform plan -detailed-exitcode` proposes a change summed up as
    /// `summary` (`"1 to add, 0 to change, 0 to destroy"`), and returns its output.
    pub fn assert_plan_changes(&self, summary: &str) -> TfOutput {
        let out = self.tf(&["plan", "-detailed-exitcode", "-input=false", "-no-color"]);
        assert_eq!(out.code, 2, "expected a plan with changes:\n{out}");
        assert!(out.stdout.contains(summary), "expected {summary:?}:\n{out}");
        out
    }

    /// The state as `terraform show -json` prints it.
    pub fn state(&self) -> Json {
        let out = self.tf_ok(&["show", "-json"]);
        serde_json::from_str(&out.stdout).expect("terraform show -json prints JSON")
    }

    /// The attribute values of the resource at `address` (`spirl_key_pair.k`) in the state.
    pub fn resource(&self, address: &str) -> Json {
        find_resource(&self.state(), address)
            .unwrap_or_else(|| panic!("{address} is not in the state"))
    }

    /// `terraform output -json`, as `name -> value`.
    pub fn outputs(&self) -> BTreeMap<String, Json> {
        let out = self.tf_ok(&["output", "-json"]);
        let parsed: BTreeMap<String, Json> =
            serde_json::from_str(&out.stdout).expect("terraform output -json prints JSON");
        parsed
            .into_iter()
            .map(|(name, o)| (name, o["value"].clone()))
            .collect()
    }

    /// Object counts on the mock.
    pub fn mock_objects(&self) -> spirl_mock_api::ObjectCounts {
        self.mock().stats().objects
    }

    /// Takes the mock down (to test what the provider does when the API is unreachable).
    pub fn stop_mock(&mut self) {
        if let Some(mock) = self.mock.take() {
            self.runtime
                .block_on(mock.shutdown())
                .expect("mock shutdown");
        }
    }

    /// Stops the running mock (if any) and starts another with `config`, as after a crash and
    /// restart: with the same `data_dir` it holds the same objects and accepts the same
    /// credentials, on a new port. Following Terraform commands get the new endpoint.
    pub fn restart_mock(&mut self, config: MockOptions) {
        self.stop_mock();
        let mock = self.runtime.block_on(super::respawn(|| config.clone()));
        self.mock = Some(mock);
    }

    /// Calls the mock has seen of the gRPC method `path` (`/com.spirl.api.v1.trustdomain.API/…`),
    /// refused ones included.
    pub fn mock_requests(&self, path: &str) -> u64 {
        self.mock().stats().requests.get(path).copied().unwrap_or(0)
    }

    /// Changes the faults the running mock injects, from its next request on.
    pub fn set_mock_faults(&self, faults: spirl_mock_api::Faults) {
        self.mock()
            .state
            .set_faults(faults)
            .expect("valid mock faults");
    }
}

fn with_no_color<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut v = args.to_vec();
    if !v.contains(&"-no-color") {
        v.push("-no-color");
    }
    v
}

/// A module written for the official provider v0.12.1: every resource and data source of its
/// docs, `version = "~> 0.12"` (`tests/fixtures/official-v0.12.1`).
pub const OFFICIAL_MODULE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/official-v0.12.1/main.tf"
));

/// A mock whose organisation has the user (`admin@example.com`) and the service account
/// (`automation-sa`) that the official provider's examples name.
pub fn official_principals() -> MockOptions {
    MockOptions {
        users: vec!["admin@example.com".into()],
        service_accounts: vec!["automation-sa".into()],
        ..MockOptions::default()
    }
}

/// A harness whose configuration is [`OFFICIAL_MODULE`] (its own `terraform` block replaces the
/// harness's), with the user and service account it names on the mock.
pub fn start_official_module(test: &str) -> Option<Harness> {
    let h = Harness::start_with(test, official_principals())?;
    std::fs::remove_file(h.path().join("versions.tf")).expect("remove versions.tf");
    h.write_config(OFFICIAL_MODULE);
    Some(h)
}

/// `text` without its top-level blocks whose header starts with one of `headers` (the file is
/// `terraform fmt` clean: a block ends at the first `}` in column 0).
pub fn without_blocks(text: &str, headers: &[&str]) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for line in text.lines() {
        if skipping {
            skipping = line != "}";
            continue;
        }
        if headers.iter().any(|h| line.starts_with(h)) {
            skipping = !line.ends_with('}');
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// `spirl_cluster`'s agent installation attributes: only the answer that made the cluster's
/// version carries them, so the API cannot read them back and an import leaves them null.
pub const CLUSTER_INSTALL_ATTRIBUTES: [&str; 4] = [
    "kubernetes_manifest",
    "kubernetes_manifests",
    "vm_agent_config",
    "vm_docker_compose_yaml",
];

/// `resource` (its attribute values) without [`CLUSTER_INSTALL_ATTRIBUTES`].
pub fn without_cluster_install(mut resource: Json) -> Json {
    if let Some(attributes) = resource.as_object_mut() {
        for attr in CLUSTER_INSTALL_ATTRIBUTES {
            attributes.remove(attr);
        }
    }
    resource
}

/// Finds a resource's `values` in `terraform show -json` output (root module only).
pub fn find_resource(state: &Json, address: &str) -> Option<Json> {
    state["values"]["root_module"]["resources"]
        .as_array()?
        .iter()
        .find(|r| r["address"] == address)
        .map(|r| r["values"].clone())
}

/// The seed's annotation map (`../shared/seeds/000_d5df6832b08a9060.txt`, the Terraform tab),
/// with `jsonencode([{ HTTPS = 443 }])` evaluated.
pub fn seed_annotations() -> BTreeMap<String, String> {
    serde_json::from_str(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/seed_annotations.json"
    )))
    .expect("the fixture is a JSON object of strings")
}

/// The provider served in-process as Terraform starts it, on a unix socket in a temp dir, with
/// a client acting as Terraform core: for protocol-level tests of what the installed Terraform
/// cannot or does not send.
pub struct Served {
    pub client:
        magma_protocol::tfplugin6::provider_client::ProviderClient<tonic::transport::Channel>,
    stop: tfplugin::stop::StopSignal,
    server: tokio::task::JoinHandle<Result<(), tfplugin::serve::ServeError>>,
    _dir: tempfile::TempDir,
}

impl Served {
    /// Serves a fresh `SpirlProvider` and connects to it.
    pub async fn start() -> Served {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("plugin.sock");
        let listener = tokio::net::UnixListener::bind(&socket).unwrap();
        let stop = tfplugin::stop::StopSignal::new();
        let server = tokio::spawn(tfplugin::serve_on(
            listener,
            terraform_provider_spirl::provider::SpirlProvider::default(),
            stop.clone(),
        ));
        let client = tfplugin::connect(&socket, None).await.unwrap();
        Served {
            client,
            stop,
            server,
            _dir: dir,
        }
    }

    /// The schemas the provider serves (`GetProviderSchema`), as Terraform first asks for them.
    pub async fn schemas(&mut self) -> magma_protocol::tfplugin6::get_provider_schema::Response {
        self.client
            .get_provider_schema(magma_protocol::tfplugin6::get_provider_schema::Request {})
            .await
            .expect("GetProviderSchema")
            .into_inner()
    }

    /// Stops serving, as Terraform does when it is done with the provider.
    pub async fn stop(self) {
        self.stop.stop();
        drop(self.client);
        let _ = self.server.await;
    }
}

/// Terraform 1.0.3 as `scripts/setup.sh` keeps it for the tests of what an old Terraform gets
/// (`tools/terraform-1.0.3/terraform`), when it is there.
pub fn legacy_terraform() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/terraform-1.0.3/terraform");
    path.is_file().then_some(path)
}
