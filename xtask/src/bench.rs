//! `make bench` (`cargo run --release -p xtask -- bench`): terraform-provider-spirl against the Go
//! provider `hashicorp/null` v2.1.2, side by side in one run under the same Terraform CLI
//! (DESIGN.md §6, issue 7). Not a test: it prints a markdown table of medians with their min–max
//! spread, and the ratios ours/Go.
//!
//! | module | what it measures or does |
//! |---|---|
//! | [`setup`] | Terraform and the Go provider via `scripts/setup.sh --null`; our release build |
//! | [`startup`] | start-up to the handshake line with `PLUGIN_CLIENT_CERT`, and RSS there |
//! | [`workflow`] | `apply` / `plan` / `destroy` cycles of N resources, ours against the mock |
//! | [`rss`] | peak RSS of every provider process Terraform starts, and CPU accounting |
//! | [`stats`] | medians, spreads and ratios |
//!
//! Usage: `bench [-r REPEATS] [-s STARTS] [-n N,N,…] [-w key_pair,trust_domain]
//! [--terraform PATH] [--provider PATH]`. Defaults: 3 repeats, 30 starts, N = 1,100,1000, both
//! workloads, the Terraform CLI `scripts/setup.sh` finds, and our provider built here in release
//! mode (`--provider` measures another build of it instead, for comparisons).

mod rss;
mod setup;
mod startup;
mod stats;
mod workflow;

use std::collections::BTreeMap;
use std::path::PathBuf;

pub use rss::run_as_wrapper;
use stats::{Samples, Unit, ratio};
use workflow::{Bench, STEPS, Side, Workload};

struct Options {
    repeats: usize,
    starts: usize,
    counts: Vec<usize>,
    workloads: Vec<Workload>,
    terraform: Option<PathBuf>,
    provider: Option<PathBuf>,
}

const USAGE: &str = "usage: cargo run --release -p xtask -- bench [-r REPEATS] [-s STARTS] \
                     [-n N,N,...] [-w key_pair,trust_domain] [--terraform PATH] [--provider PATH]";

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        repeats: 3,
        starts: 30,
        counts: vec![1, 100, 1000],
        workloads: vec![Workload::KeyPairs, Workload::TrustDomains],
        terraform: None,
        provider: None,
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value; {USAGE}"))
        };
        let positive = |v: &str| match v.parse::<usize>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(format!("{flag}: `{v}` is not a positive integer; {USAGE}")),
        };
        match flag.as_str() {
            "-r" | "--repeats" => o.repeats = positive(&value()?)?,
            "-s" | "--starts" => o.starts = positive(&value()?)?,
            "-n" | "--counts" => {
                o.counts = value()?
                    .split(',')
                    .map(positive)
                    .collect::<Result<_, _>>()?
            }
            "-w" | "--workloads" => {
                o.workloads = value()?
                    .split(',')
                    .map(|w| match w {
                        "key_pair" => Ok(Workload::KeyPairs),
                        "trust_domain" => Ok(Workload::TrustDomains),
                        other => Err(format!("unknown workload `{other}`; {USAGE}")),
                    })
                    .collect::<Result<_, _>>()?
            }
            "--terraform" => o.terraform = Some(PathBuf::from(value()?)),
            "--provider" => o.provider = Some(PathBuf::from(value()?)),
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument `{other}`; {USAGE}")),
        }
    }
    Ok(o)
}

/// Runs the benchmark with its command-line arguments and prints the table.
pub fn run(args: &[String]) -> Result<(), String> {
    let table = measure(&parse_args(args)?)?;
    #[allow(clippy::print_stdout, reason = "the table is the program's output")]
    {
        println!("{table}");
    }
    Ok(())
}

/// Figures per (workload, N, side): per step wall time, cycle, CPU, RSS, plan requests.
type Key = (Workload, usize, Side);

fn measure(o: &Options) -> Result<String, String> {
    let tools = setup::prepare(o.terraform.clone(), o.provider.clone())?;
    let tmp = tempfile::Builder::new()
        .prefix("spirl-bench.")
        .tempdir()
        .map_err(|e| format!("cannot make a temp dir: {e}"))?;
    let bench = Bench::new(tools, tmp.path())?;
    let tf = bench.tools().terraform_version;
    let workloads: Vec<Workload> = o
        .workloads
        .iter()
        .copied()
        .filter(|w| {
            let ok = *w != Workload::TrustDomains || tf >= (1, 0, 6);
            if !ok {
                eprintln!(
                    "bench: skipping trust_domain: spirl_trust_domain_deployment needs Terraform 1.0.6+"
                );
            }
            ok
        })
        .collect();

    let mut figures: BTreeMap<(Key, &'static str), Samples> = BTreeMap::new();
    for &w in &workloads {
        for &n in &o.counts {
            for rep in 1..=o.repeats {
                // Interleaved, so background load on the machine hits every side alike. The
                // same-state baseline pads each resource by what our state has more than null's.
                let mut state: BTreeMap<Side, u64> = BTreeMap::new();
                for side in [Side::Spirl, Side::Null, Side::NullSameState] {
                    eprintln!("bench: {} {side:?} N={n} run {rep}/{}", w.name(), o.repeats);
                    let extra = state
                        .get(&Side::Spirl)
                        .copied()
                        .unwrap_or(0)
                        .saturating_sub(state.get(&Side::Null).copied().unwrap_or(0));
                    let pad = usize::try_from(extra).unwrap_or(0) / (n * w.resources_per_unit());
                    let c = bench.cycle(w, side, n, rep, pad)?;
                    state.insert(side, c.state_bytes);
                    let key = (w, n, side);
                    let mut record = |what, v: f64| figures.entry((key, what)).or_default().push(v);
                    for (step, secs) in &c.wall {
                        record(step, *secs);
                    }
                    record("cycle", c.wall.values().sum());
                    record("cpu", c.cpu);
                    record("state", c.state_bytes as f64);
                    record("provider_cpu", c.provider_cpu);
                    if let Some(mock_cpu) = c.mock_cpu {
                        record("mock_cpu", mock_cpu);
                    }
                    record("rss", c.provider_rss_kib as f64);
                    for (&(step, kind), count) in &c.rpcs {
                        record(rpc_figure(step, kind), *count as f64);
                    }
                }
            }
        }
    }

    eprintln!("bench: start-up, {} starts per provider", o.starts);
    let cert = setup::client_certificate(bench.root())?;
    let sock = bench.root().join("sock");
    let subjects = [
        (
            Side::Spirl,
            startup::Subject {
                binary: &bench.tools().spirl_provider,
                protocol: "6",
            },
        ),
        (
            Side::Null,
            startup::Subject {
                binary: &bench.tools().null_provider,
                protocol: "5",
            },
        ),
    ];
    let mut starts: BTreeMap<Side, startup::Figures> = BTreeMap::new();
    for _ in 0..o.starts {
        for (side, subject) in &subjects {
            let (secs, kib) = startup::start_once(subject, &cert, &sock)?;
            let f = starts.entry(*side).or_default();
            f.startup.push(secs);
            f.rss_kib.push(kib);
        }
    }
    Ok(table(o, &bench, &workloads, &figures, &starts))
}

/// The figure name of the RPCs of `kind` during `step`.
fn rpc_figure(step: &str, kind: &str) -> &'static str {
    match (step, kind) {
        ("apply", "login") => "apply_login",
        ("apply", "trust_domains") => "apply_trust_domains",
        ("apply", _) => "apply_deployments",
        ("plan", "login") => "plan_login",
        ("plan", "trust_domains") => "plan_trust_domains",
        ("plan", _) => "plan_deployments",
        (_, "login") => "destroy_login",
        (_, "trust_domains") => "destroy_trust_domains",
        _ => "destroy_deployments",
    }
}

fn table(
    o: &Options,
    bench: &Bench,
    workloads: &[Workload],
    figures: &BTreeMap<(Key, &'static str), Samples>,
    starts: &BTreeMap<Side, startup::Figures>,
) -> String {
    let empty = Samples::default();
    let get = |w, n, side, what: &'static str| figures.get(&((w, n, side), what)).unwrap_or(&empty);
    let (a, b, c) = bench.tools().terraform_version;
    let mut t = String::new();
    t.push_str(&format!(
        "Terraform v{a}.{b}.{c}; terraform-provider-spirl (release build, protocol 6) vs hashicorp/null \
         v2.1.2 (Go, protocol 5); R = {} cycles per provider and N, interleaved; {} starts each; \
         nproc = {}; -parallelism 10. Median (min–max).\n\n",
        o.repeats,
        o.starts,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
    ));

    t.push_str("### Start-up and memory\n\n| figure | ours | null | ours/null (target) |\n|---|---|---|---|\n");
    let (s, g) = (&starts[&Side::Spirl], &starts[&Side::Null]);
    t.push_str(&format!(
        "| start-up to handshake (PLUGIN_CLIENT_CERT set) | {} | {} | {} |\n",
        s.startup.cell(Unit::Millis),
        g.startup.cell(Unit::Millis),
        ratio(&s.startup, &g.startup, Some(0.15))
    ));
    t.push_str(&format!(
        "| peak RSS right after the handshake | {} | {} | {} |\n",
        s.rss_kib.cell(Unit::Kib),
        g.rss_kib.cell(Unit::Kib),
        ratio(&s.rss_kib, &g.rss_kib, Some(1.0 / 3.0))
    ));
    for &w in workloads {
        for &n in &o.counts {
            let (ours, null) = (get(w, n, Side::Spirl, "rss"), get(w, n, Side::Null, "rss"));
            t.push_str(&format!(
                "| peak RSS of any provider process, {} N={n} | {} | {} | {} |\n",
                w.name(),
                ours.cell(Unit::Kib),
                null.cell(Unit::Kib),
                ratio(ours, null, Some(1.0 / 3.0))
            ));
        }
    }

    for &w in workloads {
        t.push_str(&format!(
            "\n### Workflow `{}`: {}\n\n\
             `null, same state` pads each `null_resource` with a trigger so that its state is as \
             large as ours: its ratio is our own cost, without Terraform's handling of a larger \
             state.\n\n\
             | N | step | ours | null | null, same state | ours/null (target) | ours/null, same state |\n\
             |---|---|---|---|---|---|---|\n",
            w.name(),
            match w {
                Workload::KeyPairs => "N `spirl_key_pair` vs N `null_resource`",
                Workload::TrustDomains =>
                    "N × (`spirl_trust_domain` + `spirl_key_pair` + `spirl_trust_domain_deployment` with that key) \
                     against the mock (in-process, its CPU counted) vs N × three `null_resource`s wired the same way",
            }
        ));
        for &n in &o.counts {
            let target = match (w, n) {
                (Workload::KeyPairs, 100) => Some(0.7),
                (Workload::KeyPairs, 1000) => Some(0.9),
                (Workload::TrustDomains, _) => Some(1.0),
                _ => None,
            };
            for step in
                STEPS
                    .iter()
                    .copied()
                    .chain(["cycle", "cpu", "provider_cpu", "mock_cpu", "state"])
            {
                let (ours, null) = (get(w, n, Side::Spirl, step), get(w, n, Side::Null, step));
                let same = get(w, n, Side::NullSameState, step);
                if ours.is_empty() && null.is_empty() {
                    continue;
                }
                let label = match step {
                    "cycle" => "**apply+plan+destroy**",
                    "cpu" => "cycle CPU (Terraform + provider + mock)",
                    "provider_cpu" => "of which the provider processes",
                    "mock_cpu" => "of which the mock (ours only)",
                    "state" => "size of terraform.tfstate after apply",
                    s => s,
                };
                let target = if step == "cycle" { target } else { None };
                let unit = if step == "state" {
                    Unit::Bytes
                } else {
                    Unit::Seconds
                };
                t.push_str(&format!(
                    "| {n} | {label} | {} | {} | {} | {} | {} |\n",
                    ours.cell(unit),
                    null.cell(unit),
                    same.cell(unit),
                    ratio(ours, null, target),
                    ratio(ours, same, None)
                ));
            }
        }
    }

    if workloads.contains(&Workload::TrustDomains) {
        t.push_str(
            "\n### RPCs per step of the trust_domain workflow\n\n\
             Target (issue 11): a refresh (`plan`) of N trust domains and N deployments in at \
             most 5 RPCs plus the login, whatever N.\n\n\
             | N | step | login | trust-domain RPCs | deployment and key RPCs | total | per unit of N |\n\
             |---|---|---|---|---|---|---|\n",
        );
        for &n in &o.counts {
            let w = Workload::TrustDomains;
            for step in STEPS {
                let median = |kind| get(w, n, Side::Spirl, rpc_figure(step, kind)).median();
                let (login, tds, deps) = (
                    median("login"),
                    median("trust_domains"),
                    median("deployments"),
                );
                let verdict = match step {
                    "plan" if tds + deps <= 5.0 => " ✔ (≤ 5 + login)",
                    "plan" => " ✘ (≤ 5 + login)",
                    _ => "",
                };
                t.push_str(&format!(
                    "| {n} | {step} | {login:.0} | {tds:.0} | {deps:.0} | {:.0}{verdict} | {:.1} |\n",
                    login + tds + deps,
                    (login + tds + deps) / n as f64
                ));
            }
        }
    }
    t
}
