#![allow(clippy::unwrap_used)]

use super::*;
use crate::problem::Severity;

use crate::test_support::{known, map};

fn with_latency() -> MonitoringInputs {
    MonitoringInputs {
        latency_metrics_enabled: Attr::Value(true),
        ..MonitoringInputs::default()
    }
}

fn threshold(name: &str, value: f64) -> MonitoringInputs {
    MonitoringInputs {
        thresholds: BTreeMap::from([(name.to_owned(), Attr::Value(value))]),
        ..with_latency()
    }
}

/// The single problem `inputs` produce.
fn only_problem(inputs: MonitoringInputs) -> Problem {
    let (output, mut problems) = render(&inputs);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let problem = problems.remove(0);
    assert_eq!(output.is_none(), problem.is_error());
    problem
}

fn alert_rule<'a>(output: &'a MonitoringOutput, name: &str) -> &'a Rule {
    output.groups[1]
        .rules
        .iter()
        .find(|r| r.name == name)
        .unwrap()
}

#[test]
fn monitoring_defaults_render_every_runbook_alert_but_latency_and_warn() {
    let (output, problems) = render(&MonitoringInputs::default());
    let output = output.unwrap();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].severity, Severity::Warning);
    assert_eq!(problems[0].path.to_string(), "latency_metrics_enabled");
    assert!(problems[0].detail.contains(LATENCY_HELM_VALUE));
    assert_eq!(
        output.alert_names,
        [
            "SpirlServerApiErrorRateHigh",
            "SpirlServerSvidIssuanceFailing",
            "SpirlServerControlPlaneOutboundErrors",
            "SpirlServerControlPlaneInboundErrors",
            "SpirlServerCpuNearLimit",
            "SpirlServerMemoryNearLimit",
            "SpirlServerOomKilled",
            "SpirlServerPodRestarting",
        ]
    );
    assert!(
        !output
            .health_queries
            .contains_key("svid_mint_latency_p95_seconds")
    );
    assert_eq!(output.groups[0].name, "spirl-server-health");
    assert_eq!(output.groups[1].name, "spirl-server-alerts");
    assert_eq!(output.groups[0].rules.len(), 3);
}

#[test]
fn monitoring_defaults_use_runbook_thresholds_and_selectors() {
    let (output, problems) = render(&with_latency());
    assert!(problems.is_empty(), "{problems:?}");
    let output = output.unwrap();
    assert_eq!(output.alert_names.len(), 10);
    let expr = |name: &str| alert_rule(&output, name).expr.clone();
    assert!(expr("SpirlServerApiErrorRateHigh").ends_with("> 1"));
    assert!(expr("SpirlServerApiErrorRateHigh").contains(
        r#"grpc_server_handled_total{spirl_component="server", grpc_service=~"com.spirl.agent.*", grpc_code!~"OK|Canceled", namespace=~"tdd-.*"}[5m]"#
    ));
    assert!(expr("SpirlServerSvidIssuanceFailing").contains(
        r#"sum by (namespace, svid_type, status_code) (rate(spirl_server_mint_svid_total{status_code!="ok", namespace=~"tdd-.*"}[5m]))"#
    ));
    assert!(expr("SpirlServerControlPlaneOutboundErrors").contains("grpc_client_handled_total"));
    assert!(
        expr("SpirlServerControlPlaneInboundErrors")
            .contains(r#"grpc_service=~"com.spirl.private.signer.*""#)
    );
    assert!(expr("SpirlServerMintLatencyHigh").ends_with("> 0.5"));
    assert!(expr("SpirlServerGrpcLatencyHigh").ends_with("> 1"));
    assert!(expr("SpirlServerCpuNearLimit").ends_with("> 70"));
    assert!(expr("SpirlServerMemoryNearLimit").ends_with("> 80"));
    assert!(expr("SpirlServerPodRestarting").ends_with("> 0"));
    let svid = alert_rule(&output, "SpirlServerSvidIssuanceFailing");
    assert_eq!(svid.labels["severity"], "critical");
    assert_eq!(svid.for_duration.as_deref(), Some("10m"));
    for key in ["summary", "description", "diagnosis", "diagnosis_query"] {
        assert!(!svid.annotations[key].is_empty(), "{key}");
    }
    assert_eq!(
        alert_rule(&output, "SpirlServerOomKilled").for_duration,
        None
    );
    assert_eq!(
        output.baseline_checks["svid_mint_latency_p95_above_100ms"]
            .lines()
            .last(),
        Some("  > 0.1")
    );
    assert_eq!(output.health_queries.len(), 9);
    assert_eq!(output.groups[0].rules.len(), 4);
}

#[test]
fn monitoring_custom_inputs_render() {
    let mut inputs = MonitoringInputs {
        deployment_id: known("tdd-abc123"),
        for_durations: map(&[
            ("SpirlServerCpuNearLimit", "1h30m"),
            ("SpirlServerOomKilled", "1m"),
        ]),
        severities: map(&[("SpirlServerPodRestarting", "critical")]),
        extra_labels: map(&[("team", "identity")]),
        prometheus_rule_namespace: known("monitoring"),
        prometheus_rule_labels: map(&[("release", "kube-prometheus-stack")]),
        ..with_latency()
    };
    inputs
        .thresholds
        .insert("api_error_percent".into(), Attr::Value(2.5));
    inputs
        .thresholds
        .insert("mint_latency_p95_seconds".into(), Attr::Value(0.25));
    let (output, problems) = render(&inputs);
    assert!(problems.is_empty(), "{problems:?}");
    let output = output.unwrap();
    let api = alert_rule(&output, "SpirlServerApiErrorRateHigh");
    assert!(api.expr.ends_with("> 2.5"));
    assert!(api.expr.contains(r#"namespace="tdd-abc123""#));
    assert!(api.annotations["summary"].contains("2.5%"));
    assert_eq!(api.labels["team"], "identity");
    assert!(
        alert_rule(&output, "SpirlServerMintLatencyHigh")
            .expr
            .ends_with("> 0.25")
    );
    assert_eq!(
        alert_rule(&output, "SpirlServerCpuNearLimit")
            .for_duration
            .as_deref(),
        Some("1h30m")
    );
    assert_eq!(
        alert_rule(&output, "SpirlServerPodRestarting").labels["severity"],
        "critical"
    );
    assert_eq!(output.groups[1].name, "spirl-server-tdd-abc123-alerts");
    let yaml = output.prometheus_rule_yaml();
    assert!(
        yaml.starts_with(
            "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: spirl-server-tdd-abc123-runbook\n  namespace: monitoring\n  labels:\n    release: kube-prometheus-stack\nspec:\n  groups:\n  - name: spirl-server-tdd-abc123-health\n"
        ),
        "{yaml}"
    );
    let rules = output.rules_yaml();
    assert!(rules.starts_with("groups:\n- name: spirl-server-tdd-abc123-health\n  rules:\n  - record: spirl:server_mint_svid_success:ratio_rate5m\n    expr: |-\n      sum(rate("));
}

#[test]
fn monitoring_render_is_deterministic() {
    let a = render(&with_latency()).0.unwrap();
    let b = render(&with_latency()).0.unwrap();
    assert_eq!(a.rules_yaml(), b.rules_yaml());
    assert_eq!(a.prometheus_rule_yaml(), b.prometheus_rule_yaml());
}

#[test]
fn monitoring_unknown_inputs_render_nothing() {
    for inputs in [
        MonitoringInputs {
            deployment_id: Attr::Unknown,
            ..with_latency()
        },
        MonitoringInputs {
            latency_metrics_enabled: Attr::Unknown,
            ..MonitoringInputs::default()
        },
        MonitoringInputs {
            extra_labels: Attr::Value(BTreeMap::from([("team".to_owned(), Attr::Unknown)])),
            ..with_latency()
        },
        threshold_unknown(),
    ] {
        assert_eq!(render(&inputs), (None, vec![]));
    }
}

fn threshold_unknown() -> MonitoringInputs {
    MonitoringInputs {
        thresholds: BTreeMap::from([("cpu_limit_percent".to_owned(), Attr::Unknown)]),
        ..with_latency()
    }
}

#[test]
fn monitoring_thresholds_out_of_range() {
    for (name, value) in [
        ("api_error_percent", -1.0),
        ("api_error_percent", 100.0),
        ("svid_failure_rate", -0.1),
        ("mint_latency_p95_seconds", 0.0),
        ("grpc_latency_p95_seconds", 7200.0),
        ("cpu_limit_percent", 0.0),
        ("memory_limit_percent", 101.0),
        ("pod_restarts", f64::INFINITY),
        ("control_plane_error_rate", f64::NAN),
    ] {
        let p = only_problem(threshold(name, value));
        assert_eq!(p.path.to_string(), name);
        assert!(p.detail.contains("out of range"), "{}", p.detail);
    }
    for (name, value) in [
        ("api_error_percent", 0.0),
        ("cpu_limit_percent", 100.0),
        ("pod_restarts", 3.0),
    ] {
        assert_eq!(render(&threshold(name, value)).1, vec![]);
    }
}

#[test]
fn monitoring_latency_threshold_without_latency_metrics_warns() {
    let inputs = MonitoringInputs {
        thresholds: BTreeMap::from([("mint_latency_p95_seconds".to_owned(), Attr::Value(0.3))]),
        ..MonitoringInputs::default()
    };
    let (output, problems) = render(&inputs);
    assert!(output.is_some());
    let paths: Vec<String> = problems.iter().map(|p| p.path.to_string()).collect();
    assert_eq!(
        paths,
        ["mint_latency_p95_seconds", "latency_metrics_enabled"]
    );
    assert!(problems.iter().all(|p| p.severity == Severity::Warning));
}

#[test]
fn monitoring_namespace_selectors() {
    let p = only_problem(MonitoringInputs {
        namespace_regex: known("tdd-(a"),
        ..with_latency()
    });
    assert_eq!(p.path.to_string(), "namespace_regex");
    let p = only_problem(MonitoringInputs {
        namespace_regex: known(""),
        ..with_latency()
    });
    assert!(p.detail.contains("empty"));
    let p = only_problem(MonitoringInputs {
        namespace_regex: known("tdd-.*"),
        deployment_id: known("tdd-abc"),
        ..with_latency()
    });
    assert_eq!(p.summary, "Conflicting namespace selectors");
    for bad in [
        "td-abc",
        "tdd-",
        "tdd-ABC",
        "tdd-a_b",
        &format!("tdd-{}", "a".repeat(60)),
    ] {
        let p = only_problem(MonitoringInputs {
            deployment_id: known(bad),
            ..with_latency()
        });
        assert_eq!(p.path.to_string(), "deployment_id", "{bad}");
    }
    // Quotes and backslashes stay inside the PromQL string.
    let (output, problems) = render(&MonitoringInputs {
        namespace_regex: known(r#"tdd-\d+|"x""#),
        ..with_latency()
    });
    assert!(problems.is_empty(), "{problems:?}");
    assert!(
        output.unwrap().groups[1].rules[0]
            .expr
            .contains(r#"namespace=~"tdd-\\d+|\"x\"""#)
    );
}

#[test]
fn monitoring_for_durations_and_severities() {
    for (value, reason) in [
        ("", "empty"),
        ("10", "lacks its unit"),
        ("m", "whole number"),
        ("5m10h", "largest to smallest"),
        ("1.5m", "lacks its unit"),
        ("-1m", "whole number"),
        ("10 m", "lacks its unit"),
    ] {
        let p = only_problem(MonitoringInputs {
            for_durations: map(&[("SpirlServerCpuNearLimit", value)]),
            ..with_latency()
        });
        assert_eq!(
            p.path.to_string(),
            r#"for_durations["SpirlServerCpuNearLimit"]"#
        );
        assert!(p.detail.contains(reason), "{value}: {}", p.detail);
    }
    let p = only_problem(MonitoringInputs {
        for_durations: map(&[("SpirlServerCpuNearLimit", "2d")]),
        ..with_latency()
    });
    assert_eq!(p.summary, "Duration too long");
    let p = only_problem(MonitoringInputs {
        for_durations: map(&[("CpuHigh", "5m")]),
        ..with_latency()
    });
    assert_eq!(p.summary, "Unknown alert");
    assert!(p.detail.contains("SpirlServerCpuNearLimit"));
    let p = only_problem(MonitoringInputs {
        severities: map(&[("SpirlServerCpuNearLimit", "very bad")]),
        ..with_latency()
    });
    assert_eq!(p.summary, "Invalid severity");
    let (output, problems) = render(&MonitoringInputs {
        for_durations: map(&[("SpirlServerApiErrorRateHigh", "0")]),
        ..with_latency()
    });
    assert!(problems.is_empty());
    assert_eq!(output.unwrap().groups[1].rules[0].for_duration, None);
}

#[test]
fn monitoring_parse_duration() {
    assert_eq!(parse_duration("0"), Ok(0));
    assert_eq!(parse_duration("0s"), Ok(0));
    assert_eq!(parse_duration("1h30m"), Ok(5_400_000));
    assert_eq!(parse_duration("1m500ms"), Ok(60_500));
    assert_eq!(parse_duration("1w1d"), Ok(8 * 86_400_000));
    assert!(parse_duration("1s1s").is_err());
    assert!(parse_duration("99999999999999999999y").is_err());
    assert!(parse_duration("9999999999y").is_err());
}

#[test]
fn monitoring_extra_labels_rules() {
    for (name, value, summary) in [
        ("1team", "x", "Invalid label name"),
        ("__name__", "x", "Invalid label name"),
        ("team-a", "x", "Invalid label name"),
        ("severity", "page", "Severity set in extra_labels"),
        ("namespace", "x", "Label owned by the alerts"),
        ("alertname", "x", "Label owned by the alerts"),
        ("team", "", "Invalid label value"),
        ("team", "{{ $value }}", "Invalid label value"),
    ] {
        let p = only_problem(MonitoringInputs {
            extra_labels: map(&[(name, value)]),
            ..with_latency()
        });
        assert_eq!(p.summary, summary, "{name}={value}");
        assert_eq!(p.path, AttributePath::root("extra_labels").key(name));
    }
}

#[test]
fn monitoring_prometheus_rule_metadata_rules() {
    let p = only_problem(MonitoringInputs {
        prometheus_rule_name: known("Spirl_Rules"),
        ..with_latency()
    });
    assert_eq!(p.path.to_string(), "prometheus_rule_name");
    let p = only_problem(MonitoringInputs {
        prometheus_rule_namespace: known("monitoring.svc"),
        ..with_latency()
    });
    assert_eq!(p.path.to_string(), "prometheus_rule_namespace");
    let p = only_problem(MonitoringInputs {
        prometheus_rule_labels: map(&[("bad key!", "x")]),
        ..with_latency()
    });
    assert_eq!(p.summary, "Invalid label key");
    let p = only_problem(MonitoringInputs {
        prometheus_rule_labels: map(&[("release", "-x")]),
        ..with_latency()
    });
    assert_eq!(p.summary, "Invalid label value");
}

#[test]
fn monitoring_messages_escape_and_shorten_hostile_values() {
    let p = only_problem(MonitoringInputs {
        deployment_id: known(&format!("x\u{1b}[31m{}", "y".repeat(10_000))),
        ..with_latency()
    });
    assert!(!p.detail.contains('\u{1b}'));
    assert!(p.detail.len() < 600, "{}", p.detail.len());
}

#[test]
fn monitoring_oom_for_longer_than_its_window_warns() {
    let p = only_problem(MonitoringInputs {
        for_durations: map(&[("SpirlServerOomKilled", "15m")]),
        ..with_latency()
    });
    assert_eq!(p.severity, Severity::Warning);
    assert_eq!(
        p.path.to_string(),
        r#"for_durations["SpirlServerOomKilled"]"#
    );
    assert_eq!(
        parse_duration(alerts::EVENT_WINDOW),
        Ok(EVENT_WINDOW_MS),
        "the constant follows the window"
    );
    let (_, problems) = render(&MonitoringInputs {
        for_durations: map(&[("SpirlServerOomKilled", "14m")]),
        ..with_latency()
    });
    assert!(problems.is_empty());
}
