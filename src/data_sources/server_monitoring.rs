//! `spirl_server_monitoring`: the Trust Domain Server runbook's Prometheus alerts, recording
//! rules and health queries, in the shapes people deploy (a `PrometheusRule` object for
//! `kubernetes_manifest`, rule groups for kube-prometheus-stack values, a rules file as YAML).
//! Rendering and validation live in [`crate::monitoring`]; this file maps them onto Terraform.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tfplugin::{
    Attr, Attribute, Diagnostics, LegacyDataSource, Number, Schema, Type, Value, async_trait,
};

use crate::diagnostics::{inputs_not_known, report};
use crate::monitoring::{
    self, DEFAULT_NAMESPACE_REGEX, LATENCY_HELM_VALUE, MonitoringInputs, Node,
    alerts::{ALERTS, THRESHOLDS},
};

/// Configuration and result of the data source.
#[derive(Serialize, Deserialize)]
pub struct ServerMonitoringState {
    namespace_regex: Attr<String>,
    deployment_id: Attr<String>,
    latency_metrics_enabled: Attr<bool>,
    api_error_percent: Attr<Number>,
    svid_failure_rate: Attr<Number>,
    control_plane_error_rate: Attr<Number>,
    mint_latency_p95_seconds: Attr<Number>,
    grpc_latency_p95_seconds: Attr<Number>,
    cpu_limit_percent: Attr<Number>,
    memory_limit_percent: Attr<Number>,
    pod_restarts: Attr<Number>,
    for_durations: Attr<BTreeMap<String, Attr<String>>>,
    severities: Attr<BTreeMap<String, Attr<String>>>,
    extra_labels: Attr<BTreeMap<String, Attr<String>>>,
    prometheus_rule_name: Attr<String>,
    prometheus_rule_namespace: Attr<String>,
    prometheus_rule_labels: Attr<BTreeMap<String, Attr<String>>>,
    id: Attr<String>,
    rule_groups: Attr<Value>,
    prometheus_rule: Attr<Value>,
    rules_yaml: Attr<String>,
    prometheus_rule_yaml: Attr<String>,
    health_queries: Attr<BTreeMap<String, String>>,
    baseline_checks: Attr<BTreeMap<String, String>>,
    alert_names: Attr<Vec<String>>,
}

impl ServerMonitoringState {
    /// The threshold attributes by name, in [`THRESHOLDS`] order.
    fn thresholds(&self) -> [(&'static str, &Attr<Number>); 8] {
        [
            ("api_error_percent", &self.api_error_percent),
            ("svid_failure_rate", &self.svid_failure_rate),
            ("control_plane_error_rate", &self.control_plane_error_rate),
            ("mint_latency_p95_seconds", &self.mint_latency_p95_seconds),
            ("grpc_latency_p95_seconds", &self.grpc_latency_p95_seconds),
            ("cpu_limit_percent", &self.cpu_limit_percent),
            ("memory_limit_percent", &self.memory_limit_percent),
            ("pod_restarts", &self.pod_restarts),
        ]
    }

    /// The inputs of [`monitoring::render`].
    fn inputs(&self) -> MonitoringInputs {
        let thresholds = self
            .thresholds()
            .into_iter()
            .map(|(name, value)| {
                let value = match value {
                    Attr::Null => Attr::Null,
                    Attr::Unknown => Attr::Unknown,
                    Attr::Value(n) => Attr::Value(n.as_f64()),
                };
                (name.to_owned(), value)
            })
            .collect();
        MonitoringInputs {
            namespace_regex: self.namespace_regex.clone(),
            deployment_id: self.deployment_id.clone(),
            latency_metrics_enabled: self.latency_metrics_enabled.clone(),
            thresholds,
            for_durations: self.for_durations.clone(),
            severities: self.severities.clone(),
            extra_labels: self.extra_labels.clone(),
            prometheus_rule_name: self.prometheus_rule_name.clone(),
            prometheus_rule_namespace: self.prometheus_rule_namespace.clone(),
            prometheus_rule_labels: self.prometheus_rule_labels.clone(),
        }
    }
}

/// A rendered tree as a Terraform value: objects and tuples, as `yamldecode` would give.
fn to_value(node: &Node) -> Value {
    match node {
        Node::Str(s) => Value::String(s.clone()),
        Node::Seq(items) => Value::Tuple(items.iter().map(to_value).collect()),
        Node::Map(entries) => Value::object(entries.iter().map(|(k, v)| (k.clone(), to_value(v)))),
    }
}

/// The `spirl_server_monitoring` data source.
pub struct ServerMonitoring;

#[async_trait]
impl LegacyDataSource for ServerMonitoring {
    type State = ServerMonitoringState;

    fn schema(&self) -> Schema {
        let string_map = Type::Map(Box::new(Type::String));
        let alert_list = ALERTS
            .iter()
            .map(|a| format!("`{}`", a.name))
            .collect::<Vec<_>>()
            .join(", ");
        let mut schema = Schema::new()
            .description(
                "Renders the Defakto Trust Domain Server runbook as Prometheus rules: an alert \
                 for each of its symptoms at its thresholds (agent API errors, SVID issuance \
                 failures, control-plane connectivity, mint and gRPC latency, CPU and memory \
                 near the limits, OOM kills, pod restarts), each with a severity label and \
                 annotations saying what it means, the first diagnosis step and the runbook's \
                 PromQL for it; recording rules of the health ratios; and the runbook's health \
                 snapshot and healthy baseline as queries. The same `apply` that deploys a \
                 trust-domain server can deploy its alerts: as a `PrometheusRule` through \
                 `kubernetes_manifest`, as kube-prometheus-stack values, or as a Prometheus \
                 rules file. No API calls and no credentials.\n\n\
                 The latency histograms exist only when the server's Helm value \
                 `telemetry.collectors.grpc.emitLatencyMetrics` is true: set it, and \
                 `latency_metrics_enabled = true` here, to get the latency alerts.",
            )
            .attribute(Attribute::string("namespace_regex").optional().description(format!(
                "Which trust-domain server namespaces to watch: a regular expression (RE2, \
                 matched against the whole `namespace` label). Default `{DEFAULT_NAMESPACE_REGEX}`, \
                 the runbook's deployments. Every query selects on the `namespace` label, which \
                 the Prometheus Operator (ServiceMonitor, PodMonitor) and the usual Kubernetes \
                 scrape configurations put on the server's own metrics too. Conflicts with \
                 `deployment_id`."
            )))
            .attribute(Attribute::string("deployment_id").optional().description(
                "Watch one trust domain deployment (`tdd-…`, for example \
                 `spirl_trust_domain_deployment.this.id`): queries select its namespace \
                 exactly, and group and PrometheusRule names include it, so several \
                 deployments' rules can live side by side. Conflicts with `namespace_regex`.",
            ))
            .attribute(Attribute::bool("latency_metrics_enabled").optional().description(format!(
                "Whether the server emits its latency histograms \
                 (`spirl_server_mint_svid_duration_seconds`, `grpc_server_handling_seconds`), \
                 which it does only with the Helm value `{LATENCY_HELM_VALUE}` set to true. \
                 Default false: the latency alerts, recording rule and queries are left out and \
                 the plan warns. Set both to true to watch latency."
            )));
        for spec in THRESHOLDS {
            let users: Vec<String> = ALERTS
                .iter()
                .filter(|a| a.threshold == Some(spec.name))
                .map(|a| format!("`{}`", a.name))
                .collect();
            let low = if spec.min_inclusive { "≥" } else { ">" };
            schema =
                schema.attribute(Attribute::number(spec.name).optional().description(format!(
                    "Threshold of {}, in {}: the alert fires above it. Default {} (the runbook's). \
                 Allowed: {low} {} and ≤ {}.",
                    users.join(" and "),
                    spec.unit,
                    monitoring::format_number(spec.default),
                    monitoring::format_number(spec.min),
                    monitoring::format_number(spec.max),
                )));
        }
        schema
            .attribute(Attribute::new("for_durations", string_map.clone()).optional().description(format!(
                "How long each alert's condition must hold before it fires, by alert name, as \
                 Prometheus durations (`10m`, `1h30m`, `0s`; at most `24h`). Alerts left out \
                 keep their defaults (see the table above). Alert names: {alert_list}."
            )))
            .attribute(Attribute::new("severities", string_map.clone()).optional().description(
                "The `severity` label of each alert, by alert name, for Alertmanager routing \
                 (for example `critical`). Alerts left out keep their defaults (see the table \
                 above).",
            ))
            .attribute(Attribute::new("extra_labels", string_map.clone()).optional().description(
                "Labels added to every alert (for example `team`), for routing. Prometheus \
                 label names; `severity` is set per alert in `severities`, and the labels the \
                 expressions produce (`namespace`, `pod`, …) cannot be overwritten.",
            ))
            .attribute(Attribute::string("prometheus_rule_name").optional().description(
                "`metadata.name` of the `prometheus_rule` object. Default \
                 `spirl-server-runbook`, or `spirl-server-<deployment_id>-runbook`.",
            ))
            .attribute(Attribute::string("prometheus_rule_namespace").optional().description(
                "`metadata.namespace` of the `prometheus_rule` object, where the Prometheus \
                 Operator looks for rules (for example `monitoring`). Omitted when unset.",
            ))
            .attribute(Attribute::new("prometheus_rule_labels", string_map.clone()).optional().description(
                "`metadata.labels` of the `prometheus_rule` object: the labels your \
                 Prometheus' `ruleSelector` matches (kube-prometheus-stack selects \
                 `release = <its Helm release name>` by default).",
            ))
            .attribute(
                Attribute::string("id")
                    .computed()
                    .description("A fixed identifier; the data source has no remote object."),
            )
            .attribute(Attribute::new("rule_groups", Type::Dynamic).computed().description(
                "The rule groups as a list of objects (`name`, `rules`; each rule with \
                 `alert` or `record`, `expr`, `for`, `labels`, `annotations`): a group of \
                 recording rules of the health ratios, then a group of alerts. Use it as \
                 `spec.groups` of a PrometheusRule, or in kube-prometheus-stack values as \
                 `additionalPrometheusRulesMap = { spirl-server = { groups = …rule_groups } }` \
                 (inside `yamlencode`).",
            ))
            .attribute(Attribute::new("prometheus_rule", Type::Dynamic).computed().description(
                "A whole `monitoring.coreos.com/v1` `PrometheusRule` object (`apiVersion`, \
                 `kind`, `metadata`, `spec.groups`), ready for \
                 `kubernetes_manifest { manifest = data.spirl_server_monitoring.this.prometheus_rule }`.",
            ))
            .attribute(Attribute::string("rules_yaml").computed().description(
                "A Prometheus rules file (`groups:` …) as YAML, for `rule_files`, a ConfigMap, \
                 or `promtool check rules`. Deterministic: the same inputs give the same bytes.",
            ))
            .attribute(Attribute::string("prometheus_rule_yaml").computed().description(
                "`prometheus_rule` as YAML, for `kubectl apply` or `yamldecode`.",
            ))
            .attribute(Attribute::new("health_queries", string_map.clone()).computed().description(
                "The runbook's health snapshot, name → PromQL: SVID mint success rate (healthy: \
                 1), agent gRPC error rate and control-plane error rate (healthy: 0), CPU and \
                 memory as a percentage of the limit, OOM events, restart rate, and with \
                 latency metrics the p95 mint and gRPC latencies. For dashboards or the \
                 Grafana Explore view.",
            ))
            .attribute(Attribute::new("baseline_checks", string_map).computed().description(
                "The runbook's healthy baseline, name → PromQL that returns series only while \
                 it is not met: success rates above 99%, no control-plane errors, no restart in \
                 the last hour, CPU under 50% and memory under 60% of the limit, and with \
                 latency metrics p95 mint latency under 100 ms.",
            ))
            .attribute(
                Attribute::new("alert_names", Type::List(Box::new(Type::String)))
                    .computed()
                    .description("The names of the alerts rendered, in order."),
            )
    }

    async fn validate(&self, diags: &mut Diagnostics, config: ServerMonitoringState) -> Option<()> {
        report(diags, monitoring::validate(&config.inputs()))
    }

    async fn read(
        &self,
        diags: &mut Diagnostics,
        mut config: ServerMonitoringState,
    ) -> Option<ServerMonitoringState> {
        let (output, problems) = monitoring::render(&config.inputs());
        report(diags, problems)?;
        let Some(output) = output else {
            inputs_not_known(diags);
            return None;
        };
        config.id = Attr::Value(match config.deployment_id.known() {
            Some(id) => format!("server-monitoring-{id}"),
            None => "server-monitoring".to_owned(),
        });
        config.rule_groups = Attr::Value(to_value(&output.groups_node()));
        config.prometheus_rule = Attr::Value(to_value(&output.prometheus_rule));
        config.rules_yaml = Attr::Value(output.rules_yaml());
        config.prometheus_rule_yaml = Attr::Value(output.prometheus_rule_yaml());
        config.health_queries = Attr::Value(output.health_queries);
        config.baseline_checks = Attr::Value(output.baseline_checks);
        config.alert_names = Attr::Value(output.alert_names);
        Some(config)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use tfplugin::AttributePath;

    #[test]
    fn server_monitoring_schema_has_every_threshold_and_state_field() {
        let schema = ServerMonitoring.schema();
        let names: Vec<&str> = schema
            .block
            .attributes
            .iter()
            .map(|a| a.name.as_str())
            .collect();
        for spec in THRESHOLDS {
            assert!(names.contains(&spec.name), "{}", spec.name);
        }
        // The state struct and the schema agree: a default state writes as the schema's type.
        let state: ServerMonitoringState =
            tfplugin::typed::from_value(&Value::object(names.iter().map(|n| (*n, Value::Null))))
                .unwrap();
        tfplugin::typed::to_value(&state, &schema.value_type()).unwrap();
        let order: Vec<&str> = THRESHOLDS.iter().map(|t| t.name).collect();
        assert_eq!(state.thresholds().map(|(n, _)| n).to_vec(), order);
    }

    #[test]
    fn server_monitoring_outputs_are_objects_and_tuples() {
        let node = Node::map([(
            "groups",
            Node::Seq(vec![Node::map([("name", Node::str("g"))])]),
        )]);
        let value = to_value(&node);
        assert!(matches!(value.get_attr("groups"), Some(Value::Tuple(_))));
        assert_eq!(
            value.get_path(&AttributePath::root("groups").index(0).attr("name")),
            Some(&Value::from("g"))
        );
    }
}
