//! Acceptance tests of the `spirl_server_monitoring` data source with the real Terraform CLI
//! (run with `TF_ACC=1`): the rules reach a configuration as objects a user passes to
//! `kubernetes_manifest` and `yamlencode`, the YAML outputs decode to the same objects, the
//! latency warning names the Helm value, and bad inputs fail the plan naming the attribute.

use crate::support::Harness;
use serde_json::Value as Json;

/// Outputs comparing every shape of the rules with every other, as a user's configuration
/// would combine them.
const SHAPES: &str = r#"
locals {
  m = data.spirl_server_monitoring.this
  # kube-prometheus-stack values, as a helm_release would take them.
  stack_values = yamlencode({
    additionalPrometheusRulesMap = {
      "spirl-server" = { groups = local.m.rule_groups }
    }
  })
}

output "alert_names" {
  value = local.m.alert_names
}
output "groups" {
  value = local.m.rule_groups
}
output "kind" {
  value = "${local.m.prometheus_rule.apiVersion}/${local.m.prometheus_rule.kind}"
}
output "metadata" {
  value = local.m.prometheus_rule.metadata
}
output "manifest_groups_are_rule_groups" {
  value = local.m.prometheus_rule.spec.groups == local.m.rule_groups
}
output "rules_yaml_decodes_to_rule_groups" {
  value = yamldecode(local.m.rules_yaml) == { groups = local.m.rule_groups }
}
output "manifest_yaml_decodes_to_manifest" {
  value = yamldecode(local.m.prometheus_rule_yaml) == local.m.prometheus_rule
}
output "stack_values_round_trip" {
  value = yamldecode(local.stack_values).additionalPrometheusRulesMap["spirl-server"].groups == local.m.rule_groups
}
output "health_queries" {
  value = local.m.health_queries
}
output "baseline_checks" {
  value = local.m.baseline_checks
}
"#;

fn assert_shapes_agree(out: &std::collections::BTreeMap<String, Json>) {
    for check in [
        "manifest_groups_are_rule_groups",
        "rules_yaml_decodes_to_rule_groups",
        "manifest_yaml_decodes_to_manifest",
        "stack_values_round_trip",
    ] {
        assert_eq!(out[check], Json::Bool(true), "{check}");
    }
    assert_eq!(out["kind"], "monitoring.coreos.com/v1/PrometheusRule");
}

/// The rule named `name` in the output groups.
fn rule<'a>(groups: &'a Json, name: &str) -> &'a Json {
    groups
        .as_array()
        .unwrap_or_else(|| panic!("groups is a list: {groups}"))
        .iter()
        .flat_map(|g| g["rules"].as_array().into_iter().flatten())
        .find(|r| r["alert"] == name || r["record"] == name)
        .unwrap_or_else(|| panic!("no rule {name}"))
}

#[test]
fn server_monitoring_defaults_render_and_round_trip() {
    let Some(h) = Harness::start("server_monitoring_defaults") else {
        return;
    };
    // No credentials are needed for this data source; the latency warning is.
    h.write_config(&format!(
        "data \"spirl_server_monitoring\" \"this\" {{}}\n{SHAPES}"
    ));
    let applied = h.apply();
    let text = applied.all();
    assert!(text.contains("Latency alerts left out"), "{applied}");
    assert!(
        text.contains("telemetry.collectors.grpc.emitLatencyMetrics"),
        "the warning names the Helm value:\n{applied}"
    );
    let out = h.outputs();
    assert_shapes_agree(&out);
    assert_eq!(out["alert_names"].as_array().map(Vec::len), Some(8));
    assert_eq!(out["metadata"]["name"], "spirl-server-runbook");
    let groups = &out["groups"];
    let api = rule(groups, "SpirlServerApiErrorRateHigh");
    assert_eq!(api["for"], "10m");
    assert_eq!(api["labels"]["severity"], "warning");
    assert!(api["expr"].as_str().unwrap_or("").ends_with("> 1"));
    assert!(api["annotations"]["diagnosis_query"].is_string());
    // A rule with a zero `for` has no `for` at all.
    assert!(rule(groups, "SpirlServerOomKilled").get("for").is_none());
    assert!(out["health_queries"]["svid_mint_success_rate"].is_string());
    assert!(out["baseline_checks"]["svid_mint_success_rate_below_99_percent"].is_string());
    h.assert_plan_empty();
    h.destroy();
}

#[test]
fn server_monitoring_custom_inputs_render_and_round_trip() {
    let Some(h) = Harness::start("server_monitoring_custom") else {
        return;
    };
    // Label values that YAML must quote and escape, and one unknown until apply.
    h.write_config(&format!(
        r#"
resource "spirl_key_pair" "k" {{}}

data "spirl_server_monitoring" "this" {{
  deployment_id            = "tdd-abc123"
  latency_metrics_enabled  = true
  api_error_percent        = 2.5
  mint_latency_p95_seconds = 0.25
  cpu_limit_percent        = 60
  for_durations = {{
    SpirlServerCpuNearLimit = "1h30m"
  }}
  severities = {{
    SpirlServerPodRestarting = "critical"
  }}
  extra_labels = {{
    team    = "identity"
    hostile = "it's \"quoted\": #1\nsecond line\u2028 - [x]"
    key     = spirl_key_pair.k.id
  }}
  prometheus_rule_namespace = "monitoring"
  prometheus_rule_labels = {{
    release = "kube-prometheus-stack"
  }}
}}
{SHAPES}
"#
    ));
    let applied = h.apply();
    assert!(
        !applied.all().contains("Latency alerts left out"),
        "{applied}"
    );
    let out = h.outputs();
    assert_shapes_agree(&out);
    assert_eq!(out["alert_names"].as_array().map(Vec::len), Some(10));
    assert_eq!(out["metadata"]["name"], "spirl-server-tdd-abc123-runbook");
    assert_eq!(out["metadata"]["namespace"], "monitoring");
    assert_eq!(
        out["metadata"]["labels"]["release"],
        "kube-prometheus-stack"
    );
    let groups = &out["groups"];
    assert_eq!(groups[1]["name"], "spirl-server-tdd-abc123-alerts");
    let api = rule(groups, "SpirlServerApiErrorRateHigh");
    assert!(api["expr"].as_str().unwrap_or("").ends_with("> 2.5"));
    assert!(
        api["expr"]
            .as_str()
            .unwrap_or("")
            .contains(r#"namespace="tdd-abc123""#)
    );
    assert_eq!(
        api["labels"]["hostile"],
        "it's \"quoted\": #1\nsecond line\u{2028} - [x]"
    );
    assert!(api["labels"]["key"].is_string());
    assert_eq!(rule(groups, "SpirlServerCpuNearLimit")["for"], "1h30m");
    assert_eq!(
        rule(groups, "SpirlServerPodRestarting")["labels"]["severity"],
        "critical"
    );
    assert!(
        rule(groups, "SpirlServerMintLatencyHigh")["expr"]
            .as_str()
            .unwrap_or("")
            .ends_with("> 0.25")
    );
    h.assert_plan_empty();
    h.destroy();
}

#[test]
fn server_monitoring_invalid_inputs_fail_plan() {
    let Some(h) = Harness::start("server_monitoring_invalid") else {
        return;
    };
    let cases = [
        ("namespace_regex = \"tdd-(\"", "namespace_regex"),
        (
            "namespace_regex = \"tdd-.*\"\n  deployment_id = \"tdd-a\"",
            "deployment_id",
        ),
        ("deployment_id = \"TDD-1\"", "deployment_id"),
        ("api_error_percent = 100", "api_error_percent"),
        ("cpu_limit_percent = 0", "cpu_limit_percent"),
        ("memory_limit_percent = 150", "memory_limit_percent"),
        ("pod_restarts = -1", "pod_restarts"),
        (
            "for_durations = { SpirlServerCpuNearLimit = \"ten minutes\" }",
            "for_durations",
        ),
        ("for_durations = { NoSuchAlert = \"5m\" }", "for_durations"),
        (
            "severities = { SpirlServerOomKilled = \"very bad\" }",
            "severities",
        ),
        ("extra_labels = { severity = \"page\" }", "extra_labels"),
        ("extra_labels = { \"bad-name\" = \"x\" }", "extra_labels"),
        (
            "prometheus_rule_name = \"Bad_Name\"",
            "prometheus_rule_name",
        ),
        (
            "prometheus_rule_namespace = \"a.b\"",
            "prometheus_rule_namespace",
        ),
        (
            "prometheus_rule_labels = { release = \"-x\" }",
            "prometheus_rule_labels",
        ),
    ];
    for (input, attribute) in cases {
        h.write_config(&format!(
            "data \"spirl_server_monitoring\" \"this\" {{\n  latency_metrics_enabled = true\n  {input}\n}}\n"
        ));
        let out = h.tf_err(&["plan"]);
        assert!(out.all().contains("Error"), "{input}:\n{out}");
        assert!(
            out.all().contains(attribute),
            "{input}: the error names `{attribute}`:\n{out}"
        );
    }
}
