//! The `apply` / `plan` / `destroy` workflows, ours against the mock and the Go provider's
//! equivalent, under the same Terraform CLI.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use spirl_mock_api::{MockOptions, RunningMock};

use super::rss::{Recorder, usage};
use super::setup::Tools;

/// What the configuration holds, N times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Workload {
    /// `spirl_key_pair`s, no API; against `null_resource`s.
    KeyPairs,
    /// A `spirl_trust_domain`, a `spirl_key_pair` and a `spirl_trust_domain_deployment` with that
    /// key, against the mock API; against three `null_resource`s wired the same way.
    TrustDomains,
}

impl Workload {
    /// The name used in the table and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Workload::KeyPairs => "key_pair",
            Workload::TrustDomains => "trust_domain",
        }
    }

    /// Terraform resources per unit of N.
    pub fn resources_per_unit(self) -> usize {
        match self {
            Workload::KeyPairs => 1,
            Workload::TrustDomains => 3,
        }
    }
}

/// Which provider runs the workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Side {
    /// terraform-provider-spirl.
    Spirl,
    /// hashicorp/null v2.1.2.
    Null,
    /// hashicorp/null v2.1.2 whose `triggers` carry a padding string, so that its state is as
    /// large as ours: what is left of the ratio is our own cost, not Terraform's handling of a
    /// larger state.
    NullSameState,
}

impl Side {
    /// The provider binary's file name in the plugin directory.
    pub fn binary_name(self) -> &'static str {
        match self {
            Side::Spirl => "terraform-provider-spirl",
            // Terraform 1.0's dev_overrides take any executable named terraform-provider-TYPE*,
            // so the Go binary keeps its release name.
            Side::Null | Side::NullSameState => "terraform-provider-null_v2.1.2_x4",
        }
    }

    /// The provider whose plugin directory this side uses.
    fn plugin(self) -> Side {
        match self {
            Side::NullSameState => Side::Null,
            side => side,
        }
    }
}

/// The steps of a cycle, in order.
pub const STEPS: [&str; 3] = ["apply", "plan", "destroy"];

/// What one cycle measured.
#[derive(Debug, Default)]
pub struct Cycle {
    /// Wall seconds per step.
    pub wall: BTreeMap<&'static str, f64>,
    /// CPU seconds of Terraform and the providers it started, plus the in-process mock's.
    pub cpu: f64,
    /// CPU seconds of the provider processes alone.
    pub provider_cpu: f64,
    /// CPU seconds of this process, which serves the mock; `None` when there is no mock.
    pub mock_cpu: Option<f64>,
    /// The largest peak RSS of any process of the provider, KiB.
    pub provider_rss_kib: u64,
    /// Bytes of `terraform.tfstate` after `apply`: Terraform rewrites it as resources complete.
    pub state_bytes: u64,
    /// RPCs per step (`apply`, `plan`, `destroy`) and kind (`login`, `trust_domains`,
    /// `deployments`, which counts the deployment and key calls).
    pub rpcs: BTreeMap<(&'static str, &'static str), u64>,
}

/// A directory with one plugin directory per provider and a CLI config overriding both.
pub struct Bench {
    tools: Tools,
    root: PathBuf,
    cli_config: PathBuf,
    recorder: Recorder,
    runtime: tokio::runtime::Runtime,
}

impl Bench {
    /// Lays out plugin directories and the CLI config under `root`.
    pub fn new(tools: Tools, root: &Path) -> Result<Bench, String> {
        let io = |e: std::io::Error| format!("preparing {}: {e}", root.display());
        let recorder = Recorder::new(&root.join("rss")).map_err(io)?;
        let mut overrides = String::new();
        for (side, binary, address) in [
            (Side::Spirl, &tools.spirl_provider, "spirl/spirl"),
            (Side::Null, &tools.null_provider, "hashicorp/null"),
        ] {
            let dir = root.join("plugins").join(side.binary_name());
            recorder
                .install(binary, &dir, side.binary_name())
                .map_err(io)?;
            overrides.push_str(&format!(
                "    {address:?} = {:?}\n",
                dir.display().to_string()
            ));
        }
        let cli_config = root.join("cli.tfrc");
        std::fs::write(
            &cli_config,
            format!(
                "provider_installation {{\n  dev_overrides {{\n{overrides}  }}\n  direct {{}}\n}}\n"
            ),
        )
        .map_err(io)?;
        std::fs::create_dir_all(root.join("sock")).map_err(io)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(io)?;
        Ok(Bench {
            tools,
            root: root.to_path_buf(),
            cli_config,
            recorder,
            runtime,
        })
    }

    /// The tools under test.
    pub fn tools(&self) -> &Tools {
        &self.tools
    }

    /// The temporary root, for other figures' scratch files.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// One apply → plan (no changes) → destroy of `n` units of `workload` under `side`, in a
    /// fresh directory (and, for ours, against a fresh mock). `pad` is the length of the
    /// padding trigger of each [`Side::NullSameState`] resource.
    pub fn cycle(
        &self,
        workload: Workload,
        side: Side,
        n: usize,
        rep: usize,
        pad: usize,
    ) -> Result<Cycle, String> {
        let work = self
            .root
            .join(format!("work-{}-{side:?}-{n}-{rep}", workload.name()));
        let io = |e: std::io::Error| format!("preparing {}: {e}", work.display());
        std::fs::create_dir_all(&work).map_err(io)?;
        std::fs::write(work.join("main.tf"), config(workload, side, n, pad)).map_err(io)?;
        let mock = match (workload, side) {
            (Workload::TrustDomains, Side::Spirl) => Some(
                self.runtime
                    .block_on(spirl_mock_api::spawn(MockOptions::default()))
                    .map_err(|e| format!("starting the mock: {e}"))?,
            ),
            _ => None,
        };
        self.recorder.clear().map_err(io)?;
        let (children0, self0) = (usage(true).cpu, usage(false).cpu);
        let mut cycle = Cycle::default();
        let resources = n * workload.resources_per_unit();
        for step in STEPS {
            let before = mock.as_ref().map(RunningMock::stats);
            let (args, expect): (&[&str], String) = match step {
                "apply" => (
                    &["apply", "-auto-approve"],
                    format!("Resources: {resources} added"),
                ),
                "plan" => (&["plan", "-detailed-exitcode"], "No changes.".into()),
                _ => (
                    &["destroy", "-auto-approve"],
                    format!("Resources: {resources} destroyed"),
                ),
            };
            let t0 = Instant::now();
            let out = self.terraform(&work, args, mock.as_ref())?;
            cycle.wall.insert(step, t0.elapsed().as_secs_f64());
            if step == "apply" {
                cycle.state_bytes = std::fs::metadata(work.join("terraform.tfstate"))
                    .map(|m| m.len())
                    .unwrap_or(0);
            }
            if !out.0 || !out.1.contains(&expect) {
                return Err(format!(
                    "{} {side:?} N={n}: terraform {step} did not say {expect:?}:\n{}",
                    workload.name(),
                    tail(&out.1, 40)
                ));
            }
            if let (Some(mock), Some(before)) = (&mock, before) {
                let after = mock.stats();
                for (route, count) in after.requests {
                    let delta = count - before.requests.get(&route).copied().unwrap_or(0);
                    // Full gRPC method paths: `/com.spirl.api.v1.<service>.API/<Method>`.
                    let kind = if route.contains(".session.") {
                        "login"
                    } else if route.contains("Deployment") || route.contains("Key") {
                        "deployments"
                    } else {
                        "trust_domains"
                    };
                    *cycle.rpcs.entry((step, kind)).or_default() += delta;
                }
            }
        }
        let own = usage(false).cpu - self0;
        cycle.cpu = usage(true).cpu - children0 + own;
        cycle.mock_cpu = mock.as_ref().map(|_| own);
        let recorded = self
            .recorder
            .recorded(side.plugin().binary_name())
            .map_err(io)?;
        if recorded.processes == 0 {
            return Err(format!("no {side:?} provider process was recorded"));
        }
        cycle.provider_rss_kib = recorded.peak_rss_kib;
        cycle.provider_cpu = recorded.cpu;
        if let Some(mock) = mock {
            let left = mock.stats().objects;
            if left.trust_domains + left.deployments + left.keys > 0 {
                return Err(format!("the mock is not empty after destroy: {left:?}"));
            }
            let _ = self.runtime.block_on(mock.shutdown());
        }
        let _ = std::fs::remove_dir_all(&work);
        Ok(cycle)
    }

    /// Runs Terraform in `dir`; returns (exit 0, stdout + stderr).
    fn terraform(
        &self,
        dir: &Path,
        args: &[&str],
        mock: Option<&RunningMock>,
    ) -> Result<(bool, String), String> {
        let mut cmd = Command::new(&self.tools.terraform);
        cmd.args(args)
            .args(["-no-color", "-input=false"])
            .current_dir(dir)
            .env("TF_CLI_CONFIG_FILE", &self.cli_config)
            .env("TF_IN_AUTOMATION", "1")
            .env("CHECKPOINT_DISABLE", "1")
            // Both providers put their plugin sockets under TMPDIR.
            .env("TMPDIR", self.root.join("sock"))
            .env(super::rss::DIR_ENV, self.recorder.dir())
            .stdin(Stdio::null());
        for var in [
            "TF_LOG",
            "TF_LOG_PATH",
            "TF_LOG_PROVIDER",
            "TF_LOG_CORE",
            "TF_PLUGIN_CACHE_DIR",
            "TF_DATA_DIR",
            "SPIRL_ENDPOINT",
            "SPIRL_SA_KEY_ID",
            "SPIRL_SA_PRIVATE_KEY",
            "SPIRL_USE_TLS",
            "HTTPS_PROXY",
            "https_proxy",
        ] {
            cmd.env_remove(var);
        }
        if let Some(mock) = mock {
            cmd.env("SPIRL_ENDPOINT", &mock.credentials.endpoint)
                .env("SPIRL_USE_TLS", mock.credentials.use_tls.to_string())
                .env("SPIRL_SA_KEY_ID", &mock.credentials.sa_key_id)
                .env("SPIRL_SA_PRIVATE_KEY", &mock.credentials.sa_private_key);
        }
        let out = cmd
            .output()
            .map_err(|e| format!("cannot run {}: {e}", self.tools.terraform.display()))?;
        let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&out.stderr));
        Ok((out.status.success(), text))
    }
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// The configuration of `n` units of `workload` for `side`; `pad` as in [`Bench::cycle`].
pub fn config(workload: Workload, side: Side, n: usize, pad: usize) -> String {
    let head = match side {
        Side::Spirl => {
            "terraform {\n  required_providers {\n    spirl = { source = \"spirl/spirl\" }\n  }\n}\n\nprovider \"spirl\" {}\n"
        }
        Side::Null | Side::NullSameState => {
            "terraform {\n  required_providers {\n    null = { source = \"hashicorp/null\" }\n  }\n}\n"
        }
    };
    // Only the same-state baseline pads; a trigger is stored once per resource.
    let pad = match side {
        Side::NullSameState => format!(", pad = \"{}\"", "x".repeat(pad)),
        _ => String::new(),
    };
    let body = match (workload, side) {
        (Workload::KeyPairs, Side::Spirl) => format!(
            r#"
resource "spirl_key_pair" "k" {{
  count = {n}
}}
"#
        ),
        (Workload::KeyPairs, Side::Null | Side::NullSameState) => format!(
            r#"
resource "null_resource" "k" {{
  count    = {n}
  triggers = {{ name = "k${{count.index}}"{pad} }}
}}
"#
        ),
        (Workload::TrustDomains, Side::Spirl) => format!(
            r#"
resource "spirl_trust_domain" "td" {{
  count       = {n}
  domain_name = "td${{count.index}}.bench.example.com"
  description = "benchmark trust domain ${{count.index}}"
}}

resource "spirl_key_pair" "k" {{
  count = {n}
}}

resource "spirl_trust_domain_deployment" "d" {{
  count           = {n}
  trust_domain_id = spirl_trust_domain.td[count.index].id
  name            = "deployment-${{count.index}}"
  keys = {{
    key1 = {{ public_key = spirl_key_pair.k[count.index].public_key_pem }}
  }}
}}
"#
        ),
        (Workload::TrustDomains, Side::Null | Side::NullSameState) => format!(
            r#"
resource "null_resource" "td" {{
  count    = {n}
  triggers = {{ name = "td${{count.index}}.bench.example.com"{pad} }}
}}

resource "null_resource" "k" {{
  count    = {n}
  triggers = {{ name = "k${{count.index}}"{pad} }}
}}

resource "null_resource" "d" {{
  count = {n}
  triggers = {{
    trust_domain = null_resource.td[count.index].id
    key          = null_resource.k[count.index].id{pad}
  }}
}}
"#
        ),
    };
    format!("{head}{body}")
}
