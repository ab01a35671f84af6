//! The rules `spirl_server_monitoring` renders, checked by a real Prometheus: `promtool check
//! rules` on default and custom inputs, and `promtool test rules` with synthetic series proving
//! that each alert fires just above its threshold once its `for` has passed, not before, and
//! stays silent just below it.
//!
//! Needs `promtool` (Debian's `prometheus` package; `scripts/setup.sh` installs it). Without it
//! the tests say "skipped: …" and pass. No Terraform, no `TF_ACC`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use terraform_provider_spirl::monitoring::{
    self, MonitoringInputs, MonitoringOutput, Node, Rule, alerts, parse_duration,
};
use tfplugin::Attr;

/// `promtool` on PATH or at Debian's path, or `None` after saying the test is skipped.
fn promtool(test: &str) -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("promtool"))
            .find(|p| p.is_file())
    });
    let found = on_path.or_else(|| {
        let debian = PathBuf::from("/usr/bin/promtool");
        debian.is_file().then_some(debian)
    });
    if found.is_none() {
        eprintln!(
            "skipped: {test}: promtool not found on PATH or at /usr/bin/promtool; run scripts/setup.sh (installs Debian's prometheus package) to run it"
        );
    }
    found
}

fn run(promtool: &Path, dir: &Path, args: &[&str]) -> String {
    let out = Command::new(promtool)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("promtool runs");
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "promtool {args:?} failed:\n{text}\n--- rules ---\n{}",
        std::fs::read_to_string(dir.join("rules.yml")).unwrap_or_default()
    );
    text
}

fn known(s: &str) -> Attr<String> {
    Attr::Value(s.to_owned())
}

fn string_map(entries: &[(&str, &str)]) -> Attr<BTreeMap<String, Attr<String>>> {
    Attr::Value(
        entries
            .iter()
            .map(|(k, v)| ((*k).to_owned(), known(v)))
            .collect(),
    )
}

fn render(inputs: &MonitoringInputs) -> MonitoringOutput {
    let (output, problems) = monitoring::render(inputs);
    assert!(problems.iter().all(|p| !p.is_error()), "{problems:#?}");
    output.expect("known inputs render")
}

fn defaults_with_latency() -> MonitoringInputs {
    MonitoringInputs {
        latency_metrics_enabled: Attr::Value(true),
        ..MonitoringInputs::default()
    }
}

/// Every threshold and `for` moved away from the runbook's, one deployment, extra labels.
fn custom() -> MonitoringInputs {
    let thresholds = [
        ("api_error_percent", 2.5),
        ("svid_failure_rate", 0.2),
        ("control_plane_error_rate", 0.05),
        ("mint_latency_p95_seconds", 0.25),
        ("grpc_latency_p95_seconds", 2.0),
        ("cpu_limit_percent", 60.0),
        ("memory_limit_percent", 90.0),
        ("pod_restarts", 2.0),
    ];
    MonitoringInputs {
        deployment_id: known("tdd-abc123"),
        latency_metrics_enabled: Attr::Value(true),
        thresholds: thresholds
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Attr::Value(*v)))
            .collect(),
        for_durations: string_map(&[
            ("SpirlServerApiErrorRateHigh", "3m"),
            ("SpirlServerSvidIssuanceFailing", "1m30s"),
            ("SpirlServerControlPlaneInboundErrors", "1h"),
            ("SpirlServerCpuNearLimit", "0s"),
            ("SpirlServerOomKilled", "2m"),
            ("SpirlServerPodRestarting", "5m"),
        ]),
        severities: string_map(&[("SpirlServerOomKilled", "critical")]),
        extra_labels: string_map(&[("team", "identity"), ("runbook", "it's \"quoted\": #1")]),
        prometheus_rule_namespace: known("monitoring"),
        prometheus_rule_labels: string_map(&[("release", "kube-prometheus-stack")]),
        ..MonitoringInputs::default()
    }
}

#[test]
fn server_monitoring_promtool_check_rules_accepts_every_rendering() {
    let Some(promtool) = promtool("server_monitoring_promtool_check_rules") else {
        return;
    };
    let cases = [
        ("defaults", MonitoringInputs::default()),
        ("defaults_with_latency", defaults_with_latency()),
        ("custom", custom()),
        (
            "regex",
            MonitoringInputs {
                namespace_regex: known(r#"tdd-(prod|staging)-\d+|"odd""#),
                ..defaults_with_latency()
            },
        ),
    ];
    for (name, inputs) in cases {
        let output = render(&inputs);
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("rules.yml"), output.rules_yaml()).unwrap();
        let text = run(&promtool, dir.path(), &["check", "rules", "rules.yml"]);
        let rules: usize = output.groups.iter().map(|g| g.rules.len()).sum();
        assert!(
            text.contains(&format!("SUCCESS: {rules} rules found")),
            "{name}: {text}"
        );
    }
}

#[test]
fn server_monitoring_promtool_alerts_fire_above_threshold_after_for_and_not_below_defaults() {
    let Some(promtool) = promtool("server_monitoring_promtool_defaults") else {
        return;
    };
    prove_alerts(&promtool, &defaults_with_latency(), "tdd-demo");
}

#[test]
fn server_monitoring_promtool_alerts_fire_above_threshold_after_for_and_not_below_custom() {
    let Some(promtool) = promtool("server_monitoring_promtool_custom") else {
        return;
    };
    prove_alerts(&promtool, &custom(), "tdd-abc123");
}

#[test]
fn server_monitoring_promtool_recording_rules_compute_the_health_ratios() {
    let Some(promtool) = promtool("server_monitoring_promtool_recording") else {
        return;
    };
    let output = render(&defaults_with_latency());
    let n = 30;
    let series = vec![
        counter(
            r#"spirl_server_mint_svid_total{svid_type="x509", status_code="ok", namespace="tdd-demo"}"#,
            99.0,
            n,
        ),
        counter(
            r#"spirl_server_mint_svid_total{svid_type="x509", status_code="signing_failed", namespace="tdd-demo"}"#,
            1.0,
            n,
        ),
    ];
    let test = Node::map([
        ("interval", Node::str("1m")),
        ("input_series", Node::Seq(series)),
        (
            "promql_expr_test",
            Node::Seq(vec![Node::map([
                (
                    "expr",
                    Node::str("spirl:server_mint_svid_success:ratio_rate5m"),
                ),
                ("eval_time", Node::str("20m")),
                (
                    "exp_samples",
                    Node::Seq(vec![Node::map([
                        (
                            "labels",
                            Node::str("spirl:server_mint_svid_success:ratio_rate5m"),
                        ),
                        ("value", Node::str("0.99")),
                    ])]),
                ),
            ])]),
        ),
    ]);
    run_unit_tests(&promtool, &output, vec![test]);
}

/// `exp_samples` values are numbers, which [`Node`] (strings only) writes quoted.
fn unquote_values(yaml: String) -> String {
    yaml.lines()
        .map(|line| match line.split_once("value: '") {
            Some((indent, number)) if indent.trim().is_empty() => {
                format!("{indent}value: {}\n", number.trim_end_matches('\''))
            }
            _ => format!("{line}\n"),
        })
        .collect()
}

/// Writes the rules and a unit-test file with `tests`, and runs `promtool test rules`.
fn run_unit_tests(promtool: &Path, output: &MonitoringOutput, tests: Vec<Node>) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("rules.yml"), output.rules_yaml()).unwrap();
    let file = Node::map([
        ("rule_files", Node::Seq(vec![Node::str("rules.yml")])),
        ("evaluation_interval", Node::str("1m")),
        ("tests", Node::Seq(tests)),
    ]);
    std::fs::write(dir.path().join("tests.yml"), unquote_values(file.to_yaml())).unwrap();
    let text = run(promtool, dir.path(), &["test", "rules", "tests.yml"]);
    assert!(text.contains("SUCCESS"), "{text}");
}

/// One synthetic world for one alert: its series and the labels it fires with.
struct Scenario {
    series: Vec<Node>,
    labels: BTreeMap<String, String>,
    /// Minutes the alert's window needs after [`WARM`] to hold only anomalous samples.
    window: u64,
}

/// For every alert: above its threshold it is silent a minute before its `for` has passed and
/// firing after it; just below its threshold it is silent.
fn prove_alerts(promtool: &Path, inputs: &MonitoringInputs, namespace: &str) {
    let output = render(inputs);
    let alert_group = &output.groups[1];
    assert_eq!(alert_group.rules.len(), alerts::ALERTS.len());
    let mut tests = Vec::new();
    for rule in &alert_group.rules {
        let threshold = threshold_of(inputs, &rule.name);
        let for_min =
            parse_duration(rule.for_duration.as_deref().unwrap_or("0s")).unwrap() / 60_000;
        for above in [true, false] {
            let s = scenario(&rule.name, threshold, above, samples(for_min), namespace);
            // The condition cannot hold before WARM, so a minute short of WARM + `for` the
            // alert is at most pending; once the window is full and `for` has passed, it fires.
            let fire_at = WARM + s.window + for_min + 1;
            let mut checks = Vec::new();
            if above {
                if for_min > 0 {
                    checks.push(alert_check(rule, WARM + for_min - 1, None));
                }
                checks.push(alert_check(rule, fire_at, Some(&s.labels)));
            } else {
                checks.push(alert_check(rule, fire_at, None));
            }
            tests.push(Node::map([
                ("name", Node::str(format!("{} above={above}", rule.name))),
                ("interval", Node::str("1m")),
                ("input_series", Node::Seq(s.series)),
                ("alert_rule_test", Node::Seq(checks)),
            ]));
        }
    }
    run_unit_tests(promtool, &output, tests);
}

fn threshold_of(inputs: &MonitoringInputs, alert: &str) -> f64 {
    let spec = monitoring::alert(alert).unwrap();
    let Some(name) = spec.threshold else {
        return 0.0;
    };
    let default = alerts::THRESHOLDS
        .iter()
        .find(|t| t.name == name)
        .unwrap()
        .default;
    inputs
        .thresholds
        .get(name)
        .and_then(Attr::known)
        .copied()
        .unwrap_or(default)
}

/// `alertname` expected at `minute`: firing with `labels`, or not firing.
fn alert_check(rule: &Rule, minute: u64, firing: Option<&BTreeMap<String, String>>) -> Node {
    let exp = match firing {
        None => Vec::new(),
        Some(series_labels) => {
            let mut labels = rule.labels.clone();
            labels.extend(series_labels.clone());
            let annotations: BTreeMap<String, String> = rule
                .annotations
                .iter()
                .map(|(k, v)| (k.clone(), expand(v, &labels)))
                .collect();
            vec![Node::map([
                ("exp_labels", Node::string_map(&labels)),
                ("exp_annotations", Node::string_map(&annotations)),
            ])]
        }
    };
    Node::map([
        ("eval_time", Node::str(format!("{minute}m"))),
        ("alertname", Node::str(&rule.name)),
        ("exp_alerts", Node::Seq(exp)),
    ])
}

/// What Prometheus makes of `{{ $labels.x }}` in an annotation.
fn expand(template: &str, labels: &BTreeMap<String, String>) -> String {
    let mut out = template.to_owned();
    for (k, v) in labels {
        out = out.replace(&format!("{{{{ $labels.{k} }}}}"), v);
    }
    assert!(!out.contains("{{"), "unexpanded template in {out}");
    out
}

/// Minute at which every scenario's anomaly begins; before it the counters stand still (no
/// traffic, no ratio, no alert) and the usage gauges read zero.
const WARM: u64 = 16;

/// A counter that grows by `per_minute` each minute from minute [`WARM`], `n` samples.
fn counter(series: &str, per_minute: f64, n: u64) -> Node {
    values(
        series,
        (0..n).map(|i| i.saturating_sub(WARM) as f64 * per_minute),
    )
}

/// A gauge at `value` from minute [`WARM`], zero before; `n` samples.
fn gauge(series: &str, value: f64, n: u64) -> Node {
    values(series, (0..n).map(|i| if i >= WARM { value } else { 0.0 }))
}

/// A gauge at `value` throughout; `n` samples.
fn constant(series: &str, value: f64, n: u64) -> Node {
    values(series, (0..n).map(|_| value))
}

fn values(series: &str, values: impl Iterator<Item = f64>) -> Node {
    let values: Vec<String> = values.map(|v| format!("{v}")).collect();
    Node::map([
        ("series", Node::str(series)),
        ("values", Node::str(values.join(" "))),
    ])
}

fn labels(entries: &[(&str, &str)]) -> BTreeMap<String, String> {
    entries
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// "Just above" and "just below" a threshold: 5% (and for a zero threshold, a small step) away.
fn near(threshold: f64, above: bool) -> f64 {
    if above {
        threshold * 1.05 + 0.01
    } else {
        threshold * 0.95
    }
}

/// How many one-minute samples a scenario needs for an alert with this `for`.
fn samples(for_min: u64) -> u64 {
    WARM + 15 + for_min + 3
}

/// The synthetic series of one alert, `n` samples each, anomalous from minute [`WARM`].
fn scenario(alert: &str, threshold: f64, above: bool, n: u64, ns: &str) -> Scenario {
    let pod = "spirl-server-0";
    let mut window = 5;
    let (series, labels) = match alert {
        "SpirlServerApiErrorRateHigh" => {
            // 10000 calls a minute, `near` percent of them failing, 100 canceled (not errors).
            let failing = near(threshold, above) * 100.0;
            let svc = r#"spirl_component="server", grpc_service="com.spirl.agent.v1.agent.API", grpc_method="MintX509SVID""#;
            let s = |code: &str, per_minute: f64, namespace: &str| {
                counter(
                    &format!(
                        r#"grpc_server_handled_total{{{svc}, grpc_code="{code}", namespace="{namespace}"}}"#
                    ),
                    per_minute,
                    n,
                )
            };
            (
                vec![
                    s("OK", 10_000.0 - failing - 100.0, ns),
                    s("Internal", failing, ns),
                    s("Canceled", 100.0, ns),
                    // Another namespace failing everything must not count.
                    s("Internal", 1000.0, "other"),
                ],
                labels(&[("namespace", ns)]),
            )
        }
        "SpirlServerSvidIssuanceFailing" => (
            vec![
                counter(
                    &format!(
                        r#"spirl_server_mint_svid_total{{svid_type="x509", status_code="signing_failed", namespace="{ns}"}}"#
                    ),
                    near(threshold, above) * 60.0,
                    n,
                ),
                counter(
                    &format!(
                        r#"spirl_server_mint_svid_total{{svid_type="x509", status_code="ok", namespace="{ns}"}}"#
                    ),
                    6000.0,
                    n,
                ),
            ],
            labels(&[
                ("namespace", ns),
                ("svid_type", "x509"),
                ("status_code", "signing_failed"),
            ]),
        ),
        "SpirlServerControlPlaneOutboundErrors" | "SpirlServerControlPlaneInboundErrors" => {
            let (metric, service, method) = if alert.contains("Outbound") {
                (
                    "grpc_client_handled_total",
                    "com.spirl.events.v1.ingest.API",
                    "Ingest",
                )
            } else {
                (
                    "grpc_server_handled_total",
                    "com.spirl.private.signer.api.v1.configuration.API",
                    "PushResources",
                )
            };
            let s = |code: &str, per_minute: f64| {
                counter(
                    &format!(
                        r#"{metric}{{spirl_component="server", grpc_service="{service}", grpc_method="{method}", grpc_code="{code}", namespace="{ns}"}}"#
                    ),
                    per_minute,
                    n,
                )
            };
            (
                vec![
                    s("Unavailable", near(threshold, above) * 60.0),
                    s("OK", 600.0),
                    s("Canceled", 60.0),
                ],
                labels(&[
                    ("namespace", ns),
                    ("grpc_code", "Unavailable"),
                    ("grpc_method", method),
                ]),
            )
        }
        "SpirlServerMintLatencyHigh" | "SpirlServerGrpcLatencyHigh" => {
            let (metric, base, by) = if alert.contains("Mint") {
                (
                    "spirl_server_mint_svid_duration_seconds_bucket",
                    r#"svid_type="x509""#.to_owned(),
                    ("svid_type", "x509"),
                )
            } else {
                (
                    "grpc_server_handling_seconds_bucket",
                    r#"spirl_component="server", grpc_type="unary", grpc_method="MintX509SVID""#
                        .to_owned(),
                    ("grpc_method", "MintX509SVID"),
                )
            };
            // Buckets at 0.9× and 1.1× the threshold. Above: 80 of 100 calls a minute in the
            // first, p95 interpolates to 1.05×; below: 96 in the first, p95 is 0.89×.
            let (low, high) = (threshold * 0.9, threshold * 1.1);
            let first = if above { 80.0 } else { 96.0 };
            let bucket = |labels: &str, le: &str, per_minute: f64| {
                counter(
                    &format!(r#"{metric}{{{labels}, le="{le}", namespace="{ns}"}}"#),
                    per_minute,
                    n,
                )
            };
            let mut series = vec![
                bucket(&base, &format!("{low}"), first),
                bucket(&base, &format!("{high}"), 100.0),
                bucket(&base, "+Inf", 100.0),
            ];
            if alert.contains("Grpc") {
                // A stream open for the whole test: never latency, never an alert.
                let stream = r#"spirl_component="server", grpc_type="bidi_stream", grpc_method="StreamBundle""#;
                series.push(bucket(stream, &format!("{high}"), 0.0));
                series.push(bucket(stream, "+Inf", 10.0));
            }
            (series, labels(&[("namespace", ns), by]))
        }
        "SpirlServerCpuNearLimit" | "SpirlServerMemoryNearLimit" => {
            let cpu = alert.contains("Cpu");
            let limit = if cpu { 2.0 } else { 536_870_912.0 };
            let usage = limit * near(threshold, above) / 100.0;
            let resource = if cpu { "cpu" } else { "memory" };
            if !cpu {
                window = 0;
            }
            let s = |container: &str| {
                let selector = format!(r#"container="{container}", pod="{pod}", namespace="{ns}""#);
                if cpu {
                    counter(
                        &format!("container_cpu_usage_seconds_total{{{selector}}}"),
                        usage * 60.0,
                        n,
                    )
                } else {
                    gauge(
                        &format!("container_memory_working_set_bytes{{{selector}}}"),
                        usage,
                        n,
                    )
                }
            };
            (
                vec![
                    s("spirl-server"),
                    // cAdvisor's whole-pod cgroup repeats the usage; counting it would double it.
                    s(""),
                    constant(
                        &format!(
                            r#"kube_pod_container_resource_limits{{resource="{resource}", container="spirl-server", pod="{pod}", namespace="{ns}"}}"#
                        ),
                        limit,
                        n,
                    ),
                ],
                labels(&[("namespace", ns), ("pod", pod)]),
            )
        }
        "SpirlServerOomKilled" => {
            // One OOM kill at minute WARM; the alert's 15-minute window holds it from then on.
            window = 0;
            let events = (0..n).map(|i| if above && i >= WARM { 1.0 } else { 0.0 });
            (
                vec![values(
                    &format!(
                        r#"container_oom_events_total{{container="spirl-server", pod="{pod}", namespace="{ns}"}}"#
                    ),
                    events,
                )],
                labels(&[("namespace", ns), ("pod", pod)]),
            )
        }
        "SpirlServerPodRestarting" => {
            window = 15;
            (
                vec![counter(
                    &format!(
                        r#"kube_pod_container_status_restarts_total{{container="spirl-server", pod="{pod}", namespace="{ns}"}}"#
                    ),
                    near(threshold, above) / 15.0,
                    n,
                )],
                labels(&[("namespace", ns), ("pod", pod)]),
            )
        }
        other => panic!("no scenario for alert {other}: add one"),
    };
    Scenario {
        series,
        labels,
        window,
    }
}
