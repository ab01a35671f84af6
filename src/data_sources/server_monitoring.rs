//! `spirl_server_monitoring`: the Trust Domain Server runbook's Prometheus alerts, recording
//! rules and health queries, in the shapes people deploy (a `PrometheusRule` object for
//! `kubernetes_manifest`, rule groups for kube-prometheus-stack values, a rules file as YAML).
//! Rendering and validation live in [`crate::monitoring`]; this file maps them onto Terraform.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tfplugin::{Attr, DataSource, Diagnostics, Kind, Model, Number, Schema, Value, async_trait};

use crate::diagnostics::{inputs_not_known, report};
use crate::monitoring::{self, MonitoringInputs, Node};

/// Configuration and result of the data source. The descriptions state the defaults and limits
/// of [`crate::monitoring`] (a test holds them to it).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Model)]
pub struct ServerMonitoringState {
    /// Which trust-domain server namespaces to watch: a regular expression (RE2, matched against
    /// the whole `namespace` label). Default `tdd-.*`, the runbook's deployments. Every query
    /// selects on the `namespace` label, which the Prometheus Operator (ServiceMonitor,
    /// PodMonitor) and the usual Kubernetes scrape configurations put on the server's own
    /// metrics too. Conflicts with `deployment_id`.
    #[tf(optional)]
    namespace_regex: Attr<String>,
    /// Watch one trust domain deployment (`tdd-…`, for example
    /// `spirl_trust_domain_deployment.this.id`): queries select its namespace exactly, and group
    /// and PrometheusRule names include it, so several deployments' rules can live side by
    /// side. Conflicts with `namespace_regex`.
    #[tf(optional)]
    deployment_id: Attr<String>,
    /// Whether the server emits its latency histograms
    /// (`spirl_server_mint_svid_duration_seconds`, `grpc_server_handling_seconds`), which it
    /// does only with the Helm value `telemetry.collectors.grpc.emitLatencyMetrics` set to true.
    /// Default false: the latency alerts, recording rule and queries are left out and the plan
    /// warns. Set both to true to watch latency.
    #[tf(optional)]
    latency_metrics_enabled: Attr<bool>,
    /// Threshold of `SpirlServerApiErrorRateHigh`, in percent of agent API calls: the alert
    /// fires above it. Default 1 (the runbook's). Allowed: ≥ 0 and ≤ 99.999.
    #[tf(optional)]
    api_error_percent: Attr<Number>,
    /// Threshold of `SpirlServerSvidIssuanceFailing`, in failed SVID mints per second: the
    /// alert fires above it. Default 0 (the runbook's). Allowed: ≥ 0 and ≤ 1000000.
    #[tf(optional)]
    svid_failure_rate: Attr<Number>,
    /// Threshold of `SpirlServerControlPlaneOutboundErrors` and
    /// `SpirlServerControlPlaneInboundErrors`, in failed control-plane calls per second: the
    /// alert fires above it. Default 0 (the runbook's). Allowed: ≥ 0 and ≤ 1000000.
    #[tf(optional)]
    control_plane_error_rate: Attr<Number>,
    /// Threshold of `SpirlServerMintLatencyHigh`, in seconds: the alert fires above it. Default
    /// 0.5 (the runbook's). Allowed: > 0 and ≤ 3600.
    #[tf(optional)]
    mint_latency_p95_seconds: Attr<Number>,
    /// Threshold of `SpirlServerGrpcLatencyHigh`, in seconds: the alert fires above it. Default
    /// 1 (the runbook's). Allowed: > 0 and ≤ 3600.
    #[tf(optional)]
    grpc_latency_p95_seconds: Attr<Number>,
    /// Threshold of `SpirlServerCpuNearLimit`, in percent of the CPU limit: the alert fires
    /// above it. Default 70 (the runbook's). Allowed: > 0 and ≤ 100.
    #[tf(optional)]
    cpu_limit_percent: Attr<Number>,
    /// Threshold of `SpirlServerMemoryNearLimit`, in percent of the memory limit: the alert
    /// fires above it. Default 80 (the runbook's). Allowed: > 0 and ≤ 100.
    #[tf(optional)]
    memory_limit_percent: Attr<Number>,
    /// Threshold of `SpirlServerPodRestarting`, in container restarts per pod in 15 minutes:
    /// the alert fires above it. Default 0 (the runbook's). Allowed: ≥ 0 and ≤ 1000.
    #[tf(optional)]
    pod_restarts: Attr<Number>,
    /// How long each alert's condition must hold before it fires, by alert name, as Prometheus
    /// durations (`10m`, `1h30m`, `0s`; at most `24h`). Alerts left out keep their defaults
    /// (see the table above). Alert names: `SpirlServerApiErrorRateHigh`,
    /// `SpirlServerSvidIssuanceFailing`, `SpirlServerControlPlaneOutboundErrors`,
    /// `SpirlServerControlPlaneInboundErrors`, `SpirlServerMintLatencyHigh`,
    /// `SpirlServerGrpcLatencyHigh`, `SpirlServerCpuNearLimit`, `SpirlServerMemoryNearLimit`,
    /// `SpirlServerOomKilled`, `SpirlServerPodRestarting`.
    #[tf(optional)]
    for_durations: Attr<BTreeMap<String, Attr<String>>>,
    /// The `severity` label of each alert, by alert name, for Alertmanager routing (for example
    /// `critical`). Alerts left out keep their defaults (see the table above).
    #[tf(optional)]
    severities: Attr<BTreeMap<String, Attr<String>>>,
    /// Labels added to every alert (for example `team`), for routing. Prometheus label names;
    /// `severity` is set per alert in `severities`, and the labels the expressions produce
    /// (`namespace`, `pod`, …) cannot be overwritten.
    #[tf(optional)]
    extra_labels: Attr<BTreeMap<String, Attr<String>>>,
    /// `metadata.name` of the `prometheus_rule` object. Default `spirl-server-runbook`, or
    /// `spirl-server-<deployment_id>-runbook`.
    #[tf(optional)]
    prometheus_rule_name: Attr<String>,
    /// `metadata.namespace` of the `prometheus_rule` object, where the Prometheus Operator
    /// looks for rules (for example `monitoring`). Omitted when unset.
    #[tf(optional)]
    prometheus_rule_namespace: Attr<String>,
    /// `metadata.labels` of the `prometheus_rule` object: the labels your Prometheus'
    /// `ruleSelector` matches (kube-prometheus-stack selects `release = <its Helm release
    /// name>` by default).
    #[tf(optional)]
    prometheus_rule_labels: Attr<BTreeMap<String, Attr<String>>>,
    /// A fixed identifier; the data source has no remote object.
    #[tf(computed)]
    id: Attr<String>,
    /// The rule groups as a list of objects (`name`, `rules`; each rule with `alert` or
    /// `record`, `expr`, `for`, `labels`, `annotations`): a group of recording rules of the
    /// health ratios, then a group of alerts. Use it as `spec.groups` of a PrometheusRule, or
    /// in kube-prometheus-stack values as `additionalPrometheusRulesMap = { spirl-server = {
    /// groups = …rule_groups } }` (inside `yamlencode`).
    #[tf(computed)]
    rule_groups: Attr<Value>,
    /// A whole `monitoring.coreos.com/v1` `PrometheusRule` object (`apiVersion`, `kind`,
    /// `metadata`, `spec.groups`), ready for `kubernetes_manifest { manifest =
    /// data.spirl_server_monitoring.this.prometheus_rule }`.
    #[tf(computed)]
    prometheus_rule: Attr<Value>,
    /// A Prometheus rules file (`groups:` …) as YAML, for `rule_files`, a ConfigMap, or
    /// `promtool check rules`. Deterministic: the same inputs give the same bytes.
    #[tf(computed)]
    rules_yaml: Attr<String>,
    /// `prometheus_rule` as YAML, for `kubectl apply` or `yamldecode`.
    #[tf(computed)]
    prometheus_rule_yaml: Attr<String>,
    /// The runbook's health snapshot, name → PromQL: SVID mint success rate (healthy: 1), agent
    /// gRPC error rate and control-plane error rate (healthy: 0), CPU and memory as a
    /// percentage of the limit, OOM events, restart rate, and with latency metrics the p95 mint
    /// and gRPC latencies. For dashboards or the Grafana Explore view.
    #[tf(computed)]
    health_queries: Attr<BTreeMap<String, String>>,
    /// The runbook's healthy baseline, name → PromQL that returns series only while it is not
    /// met: success rates above 99%, no control-plane errors, no restart in the last hour, CPU
    /// under 50% and memory under 60% of the limit, and with latency metrics p95 mint latency
    /// under 100 ms.
    #[tf(computed)]
    baseline_checks: Attr<BTreeMap<String, String>>,
    /// The names of the alerts rendered, in order.
    #[tf(computed)]
    alert_names: Attr<Vec<String>>,
}

impl ServerMonitoringState {
    /// The threshold attributes by name, in [`monitoring::alerts::THRESHOLDS`] order.
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
impl DataSource for ServerMonitoring {
    type State = ServerMonitoringState;

    fn schema(&self) -> Schema {
        Schema::of::<ServerMonitoringState>(Kind::DataSource).description(
            "Renders the Defakto Trust Domain Server runbook as Prometheus rules: an alert for \
             each of its symptoms at its thresholds (agent API errors, SVID issuance failures, \
             control-plane connectivity, mint and gRPC latency, CPU and memory near the limits, \
             OOM kills, pod restarts), each with a severity label and annotations saying what \
             it means, the first diagnosis step and the runbook's PromQL for it; recording \
             rules of the health ratios; and the runbook's health snapshot and healthy \
             baseline as queries. The same `apply` that deploys a trust-domain server can \
             deploy its alerts: as a `PrometheusRule` through `kubernetes_manifest`, as \
             kube-prometheus-stack values, or as a Prometheus rules file. No API calls and no \
             credentials.\n\n\
             The latency histograms exist only when the server's Helm value \
             `telemetry.collectors.grpc.emitLatencyMetrics` is true: set it, and \
             `latency_metrics_enabled = true` here, to get the latency alerts.",
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
    use super::*;
    use crate::monitoring::alerts::{ALERTS, THRESHOLDS};
    use crate::monitoring::{DEFAULT_NAMESPACE_REGEX, LATENCY_HELM_VALUE, format_number};

    #[test]
    fn server_monitoring_descriptions_state_the_runbooks_defaults_and_limits() {
        let schema = ServerMonitoring.schema();
        let doc = |name: &str| {
            let attr = schema.block.attributes.iter().find(|a| a.name == name);
            attr.map_or(String::new(), |a| a.description.clone())
        };
        let names = |alerts: Vec<&str>| alerts.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>();
        for spec in THRESHOLDS {
            let users = ALERTS.iter().filter(|a| a.threshold == Some(spec.name));
            let low = if spec.min_inclusive { "≥" } else { ">" };
            let expected = format!(
                "Threshold of {}, in {}: the alert fires above it. Default {} (the runbook's). \
                 Allowed: {low} {} and ≤ {}.",
                names(users.map(|a| a.name).collect()).join(" and "),
                spec.unit,
                format_number(spec.default),
                format_number(spec.min),
                format_number(spec.max),
            );
            assert_eq!(doc(spec.name), expected);
        }
        let p = ServerMonitoringState::paths();
        let regex = format!("Default `{DEFAULT_NAMESPACE_REGEX}`");
        assert!(doc(&p.namespace_regex.to_string()).contains(&regex));
        assert!(doc(&p.latency_metrics_enabled.to_string()).contains(LATENCY_HELM_VALUE));
        let alerts = names(ALERTS.iter().map(|a| a.name).collect()).join(", ");
        let for_durations = doc(&p.for_durations.to_string());
        assert!(for_durations.ends_with(&format!("Alert names: {alerts}.")));
        let order: Vec<&str> = THRESHOLDS.iter().map(|t| t.name).collect();
        let state = ServerMonitoringState::default();
        assert_eq!(state.thresholds().map(|(n, _)| n).to_vec(), order);
    }

    #[test]
    fn server_monitoring_outputs_are_objects_and_tuples() {
        let node = Node::map([(
            "groups",
            Node::Seq(vec![Node::map([("name", Node::str("g"))])]),
        )]);
        let group = Value::object([("name", Value::from("g"))]);
        let expected = Value::object([("groups", Value::Tuple(vec![group]))]);
        assert_eq!(to_value(&node), expected);
    }
}
