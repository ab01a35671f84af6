//! `spirl_server_monitoring`: the Trust Domain Server runbook (second seed) as Prometheus rules.
//!
//! Pure code, like [`crate::alb`]: [`validate`] checks whatever inputs are known (validate and
//! plan time), [`render`] produces the alert and recording rules, the health queries and their
//! YAML once every input is known. [`alerts`] holds the runbook as data, [`yaml`] the emitter.

pub mod alerts;
pub mod yaml;

use std::collections::BTreeMap;

use crate::alb::{known_map, or_default};
use crate::problem::{AttributePath, Problem, has_errors, quote};
use alerts::{ALERTS, AlertSpec, Ctx, THRESHOLDS, ThresholdSpec};
use tfplugin::Attr;
pub use yaml::Node;

/// Default `namespace_regex`: the runbook's trust-domain-deployment namespaces (`^tdd-.*`;
/// Prometheus anchors regular expressions itself).
pub const DEFAULT_NAMESPACE_REGEX: &str = "tdd-.*";
/// The Helm value that turns the latency histograms on.
pub const LATENCY_HELM_VALUE: &str = "telemetry.collectors.grpc.emitLatencyMetrics";
/// `apiVersion` of the Prometheus Operator's `PrometheusRule`.
pub const PROMETHEUS_RULE_API_VERSION: &str = "monitoring.coreos.com/v1";
/// Longest `for` accepted: an alert that must wait longer than a day is no alert.
const MAX_FOR_MS: u64 = 24 * 3600 * 1000;
/// [`alerts::EVENT_WINDOW`] in milliseconds.
const EVENT_WINDOW_MS: u64 = 15 * 60 * 1000;
/// Longest `namespace_regex`: namespace names have at most 63 characters, so a sane expression
/// for them is short, and a long one slows every query.
const MAX_REGEX_BYTES: usize = 1024;
/// Labels the alert expressions produce; an extra label of that name would overwrite them.
const EXPRESSION_LABELS: &[&str] = &[
    "namespace",
    "pod",
    "svid_type",
    "status_code",
    "grpc_code",
    "grpc_method",
];

/// The data source's inputs, as Terraform hands them over; `Null` means "use the default".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MonitoringInputs {
    /// Regular expression for the `namespace` label.
    pub namespace_regex: Attr<String>,
    /// One deployment (`tdd-…`), whose namespace is selected exactly.
    pub deployment_id: Attr<String>,
    /// Whether the server emits its latency histograms.
    pub latency_metrics_enabled: Attr<bool>,
    /// Threshold inputs by attribute name (see [`alerts::THRESHOLDS`]); absent means null.
    pub thresholds: BTreeMap<String, Attr<f64>>,
    /// `for` durations by alert name.
    pub for_durations: Attr<BTreeMap<String, Attr<String>>>,
    /// `severity` labels by alert name.
    pub severities: Attr<BTreeMap<String, Attr<String>>>,
    /// Labels added to every alert.
    pub extra_labels: Attr<BTreeMap<String, Attr<String>>>,
    /// `metadata.name` of the PrometheusRule.
    pub prometheus_rule_name: Attr<String>,
    /// `metadata.namespace` of the PrometheusRule.
    pub prometheus_rule_namespace: Attr<String>,
    /// `metadata.labels` of the PrometheusRule.
    pub prometheus_rule_labels: Attr<BTreeMap<String, Attr<String>>>,
}

/// One rule of a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// `alert` name, or `record` name when `alert` is false.
    pub name: String,
    /// Whether this is an alerting rule.
    pub alert: bool,
    /// PromQL.
    pub expr: String,
    /// `for`, omitted when zero.
    pub for_duration: Option<String>,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// Annotations.
    pub annotations: BTreeMap<String, String>,
}

/// A rule group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleGroup {
    /// Its name.
    pub name: String,
    /// Its rules, in order.
    pub rules: Vec<Rule>,
}

/// The data source's outputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonitoringOutput {
    /// The recording-rule group and the alert group.
    pub groups: Vec<RuleGroup>,
    /// The runbook's health snapshot queries.
    pub health_queries: BTreeMap<String, String>,
    /// The healthy baseline as queries that return series only while it is not met.
    pub baseline_checks: BTreeMap<String, String>,
    /// The alerts rendered, in order.
    pub alert_names: Vec<String>,
    /// The PrometheusRule manifest.
    pub prometheus_rule: Node,
}

impl Rule {
    /// The rule as Prometheus writes it: `alert`/`record`, `expr`, `for`, `labels`, `annotations`.
    pub fn node(&self) -> Node {
        let mut entries = vec![
            (
                if self.alert { "alert" } else { "record" }.to_owned(),
                Node::str(&self.name),
            ),
            ("expr".to_owned(), Node::str(&self.expr)),
        ];
        if let Some(for_duration) = &self.for_duration {
            entries.push(("for".to_owned(), Node::str(for_duration)));
        }
        if !self.labels.is_empty() {
            entries.push(("labels".to_owned(), Node::string_map(&self.labels)));
        }
        if !self.annotations.is_empty() {
            entries.push((
                "annotations".to_owned(),
                Node::string_map(&self.annotations),
            ));
        }
        Node::Map(entries)
    }
}

impl RuleGroup {
    /// `{name, rules}`.
    pub fn node(&self) -> Node {
        Node::map([
            ("name", Node::str(&self.name)),
            (
                "rules",
                Node::Seq(self.rules.iter().map(Rule::node).collect()),
            ),
        ])
    }
}

impl MonitoringOutput {
    /// The groups as a sequence, for `spec.groups` and kube-prometheus-stack values.
    pub fn groups_node(&self) -> Node {
        Node::Seq(self.groups.iter().map(RuleGroup::node).collect())
    }

    /// A Prometheus rules file (`rule_files:`), as YAML.
    pub fn rules_yaml(&self) -> String {
        Node::map([("groups", self.groups_node())]).to_yaml()
    }

    /// The PrometheusRule manifest as YAML.
    pub fn prometheus_rule_yaml(&self) -> String {
        self.prometheus_rule.to_yaml()
    }
}

/// The alert with this name.
pub fn alert(name: &str) -> Option<&'static AlertSpec> {
    ALERTS.iter().find(|a| a.name == name)
}

/// Checks every known input; unknown values and elements are skipped.
pub fn validate(inputs: &MonitoringInputs) -> Vec<Problem> {
    let mut problems = Vec::new();
    if let Some(regex) = inputs.namespace_regex.known() {
        if let Err(reason) = check_regex(regex) {
            problems.push(Problem::error(
                AttributePath::root("namespace_regex"),
                "Invalid namespace regular expression",
                format!("{} is not a usable regular expression: {reason}. Give an RE2 expression matched against the whole `namespace` label, such as the runbook's `{DEFAULT_NAMESPACE_REGEX}`, or set `deployment_id` to watch one deployment.", quote(regex)),
            ));
        }
        if !inputs.deployment_id.is_null() {
            problems.push(Problem::error(
                AttributePath::root("deployment_id"),
                "Conflicting namespace selectors",
                "Set either `namespace_regex` (several deployments) or `deployment_id` (one deployment's namespace), not both.",
            ));
        }
    }
    if let Some(id) = inputs.deployment_id.known()
        && !is_deployment_id(id)
    {
        problems.push(Problem::error(
            AttributePath::root("deployment_id"),
            "Invalid deployment id",
            format!("{} is not a trust domain deployment id; ids look like `tdd-` followed by lowercase letters and digits (at most 63 characters, the namespace the server runs in). Use `spirl_trust_domain_deployment.<name>.id`.", quote(id)),
        ));
    }
    let latency_off = inputs.latency_metrics_enabled.known() != Some(&true)
        && !inputs.latency_metrics_enabled.is_unknown();
    for spec in THRESHOLDS {
        let Some(&value) = inputs.thresholds.get(spec.name).and_then(Attr::known) else {
            continue;
        };
        if let Some(problem) = check_threshold(spec, value) {
            problems.push(problem);
        } else if latency_off && latency_only(spec.name) {
            problems.push(Problem::warning(
                AttributePath::root(spec.name),
                "Threshold of a latency alert that is left out",
                format!("`{}` has no effect while `latency_metrics_enabled` is false: the latency alerts are not rendered. Set `{LATENCY_HELM_VALUE}` to true in the server's Helm values and `latency_metrics_enabled = true` here.", spec.name),
            ));
        }
    }
    if let Some(durations) = inputs.for_durations.known() {
        for (name, value) in durations {
            let path = AttributePath::root("for_durations").key(name);
            if let Some(problem) = check_alert_key(&path, name) {
                problems.push(problem);
                continue;
            }
            if let Some(value) = value.known() {
                match parse_duration(value) {
                    Err(reason) => problems.push(Problem::error(
                        path,
                        "Invalid duration",
                        format!("{} is not a Prometheus duration: {reason}. Write units from largest to smallest, such as `10m`, `1h30m` or `0s`.", quote(value)),
                    )),
                    Ok(ms) if ms > MAX_FOR_MS => problems.push(Problem::error(
                        path,
                        "Duration too long",
                        format!("{} is longer than 24h; an alert that waits that long is found too late. Use at most `24h`.", quote(value)),
                    )),
                    Ok(ms) if name == "SpirlServerOomKilled" && ms >= EVENT_WINDOW_MS => {
                        problems.push(Problem::warning(
                            path,
                            "OOM alert that cannot fire for one kill",
                            format!("The OOM alert counts kills over the last {}, so one kill keeps its condition true for that long only; with a `for` of {} it fires only while kills keep happening. Use a shorter `for` (the default is to fire at once).", alerts::EVENT_WINDOW, quote(value)),
                        ));
                    }
                    Ok(_) => {}
                }
            }
        }
    }
    if let Some(severities) = inputs.severities.known() {
        for (name, value) in severities {
            let path = AttributePath::root("severities").key(name);
            if let Some(problem) = check_alert_key(&path, name) {
                problems.push(problem);
                continue;
            }
            if let Some(value) = value.known()
                && !is_severity(value)
            {
                problems.push(Problem::error(
                    path,
                    "Invalid severity",
                    format!("{} is not a severity label value; use 1 to 63 letters, digits, `_` or `-`, such as `critical`, `warning` or `info`.", quote(value)),
                ));
            }
        }
    }
    if let Some(labels) = inputs.extra_labels.known() {
        for (name, value) in labels {
            let path = AttributePath::root("extra_labels").key(name);
            if let Some(problem) = check_extra_label(path, name, value.known()) {
                problems.push(problem);
            }
        }
    }
    if let Some(name) = inputs.prometheus_rule_name.known()
        && !is_dns_subdomain(name)
    {
        problems.push(Problem::error(
            AttributePath::root("prometheus_rule_name"),
            "Invalid PrometheusRule name",
            format!("{} is not a Kubernetes object name; use at most 253 lowercase letters, digits, `-` and `.`, starting and ending with a letter or digit.", quote(name)),
        ));
    }
    if let Some(namespace) = inputs.prometheus_rule_namespace.known()
        && !is_dns_label(namespace)
    {
        problems.push(Problem::error(
            AttributePath::root("prometheus_rule_namespace"),
            "Invalid namespace",
            format!("{} is not a Kubernetes namespace name; use at most 63 lowercase letters, digits and `-`, starting and ending with a letter or digit.", quote(namespace)),
        ));
    }
    if let Some(labels) = inputs.prometheus_rule_labels.known() {
        for (key, value) in labels {
            let path = AttributePath::root("prometheus_rule_labels").key(key);
            if let Err(reason) = crate::alb::check_annotation_key(key) {
                problems.push(Problem::error(
                    path,
                    "Invalid label key",
                    format!("{} is not a Kubernetes label key: {reason}. A key is an optional DNS-subdomain prefix and `/`, then a name of at most 63 characters, such as `release`.", quote(key)),
                ));
            } else if let Some(value) = value.known()
                && !is_k8s_label_value(value)
            {
                problems.push(Problem::error(
                    path,
                    "Invalid label value",
                    format!("{} is not a Kubernetes label value; use at most 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit (or an empty value).", quote(value)),
                ));
            }
        }
    }
    problems
}

/// Validates and renders. The output is `None` when there is an error or when an input is not
/// known yet (Terraform then reads the data source at apply time); warnings come with an output.
pub fn render(inputs: &MonitoringInputs) -> (Option<MonitoringOutput>, Vec<Problem>) {
    let mut problems = validate(inputs);
    if has_errors(&problems) {
        return (None, problems);
    }
    if inputs.latency_metrics_enabled.known() != Some(&true)
        && !inputs.latency_metrics_enabled.is_unknown()
    {
        problems.push(Problem::warning(
            AttributePath::root("latency_metrics_enabled"),
            "Latency alerts left out",
            format!("The server only fills the histograms spirl_server_mint_svid_duration_seconds and grpc_server_handling_seconds when `{LATENCY_HELM_VALUE}` is true in its Helm values, so the alerts on p95 mint latency and p95 gRPC latency and the latency health queries are not rendered. Set that Helm value to true and `latency_metrics_enabled = true` here to watch latency."),
        ));
    }
    (render_known(inputs), problems)
}

fn render_known(inputs: &MonitoringInputs) -> Option<MonitoringOutput> {
    let deployment = match &inputs.deployment_id {
        Attr::Unknown => return None,
        d => d.known().cloned(),
    };
    let namespace = match &deployment {
        Some(id) => format!("namespace=\"{id}\""),
        None => {
            let regex = or_default(&inputs.namespace_regex, DEFAULT_NAMESPACE_REGEX.to_owned())?;
            format!("namespace=~{}", promql_string(&regex))
        }
    };
    let ctx = Ctx { namespace };
    let latency = or_default(&inputs.latency_metrics_enabled, false)?;
    let mut thresholds = BTreeMap::new();
    for spec in THRESHOLDS {
        let value = match inputs.thresholds.get(spec.name) {
            None => spec.default,
            Some(v) => or_default(v, spec.default)?,
        };
        thresholds.insert(spec.name, value);
    }
    let for_durations = known_map(&inputs.for_durations)?;
    let severities = known_map(&inputs.severities)?;
    let extra_labels = known_map(&inputs.extra_labels)?;
    let base = match &deployment {
        Some(id) => format!("spirl-server-{id}"),
        None => "spirl-server".to_owned(),
    };
    let rule_name = or_default(&inputs.prometheus_rule_name, format!("{base}-runbook"))?;
    let rule_namespace = match &inputs.prometheus_rule_namespace {
        Attr::Unknown => return None,
        n => n.known().cloned(),
    };
    let rule_labels = known_map(&inputs.prometheus_rule_labels)?;

    let records = alerts::recording_rules(&ctx, latency)
        .into_iter()
        .map(|(name, expr)| Rule {
            name: name.to_owned(),
            alert: false,
            expr,
            for_duration: None,
            labels: BTreeMap::new(),
            annotations: BTreeMap::new(),
        })
        .collect();
    let mut alert_rules = Vec::new();
    for spec in ALERTS.iter().filter(|a| latency || !a.needs_latency) {
        let threshold = spec.threshold.map_or(0.0, |t| thresholds[t]);
        let threshold = format_number(threshold);
        let for_duration = for_durations
            .get(spec.name)
            .map_or(spec.default_for, String::as_str);
        let mut labels = extra_labels.clone();
        labels.insert(
            "severity".to_owned(),
            severities
                .get(spec.name)
                .map_or(spec.default_severity, String::as_str)
                .to_owned(),
        );
        let annotations = BTreeMap::from([
            ("summary".to_owned(), (spec.summary)(&threshold)),
            ("description".to_owned(), spec.description.to_owned()),
            ("diagnosis".to_owned(), spec.diagnosis.to_owned()),
            ("diagnosis_query".to_owned(), (spec.diagnosis_query)(&ctx)),
        ]);
        alert_rules.push(Rule {
            name: spec.name.to_owned(),
            alert: true,
            expr: (spec.expr)(&ctx, &threshold),
            for_duration: (parse_duration(for_duration).ok()? > 0).then(|| for_duration.to_owned()),
            labels,
            annotations,
        });
    }
    let alert_names = alert_rules.iter().map(|r| r.name.clone()).collect();
    let groups = vec![
        RuleGroup {
            name: format!("{base}-health"),
            rules: records,
        },
        RuleGroup {
            name: format!("{base}-alerts"),
            rules: alert_rules,
        },
    ];
    let mut metadata = vec![("name", Node::str(rule_name))];
    if let Some(namespace) = rule_namespace {
        metadata.push(("namespace", Node::str(namespace)));
    }
    if !rule_labels.is_empty() {
        metadata.push(("labels", Node::string_map(&rule_labels)));
    }
    let groups_node = Node::Seq(groups.iter().map(RuleGroup::node).collect());
    let prometheus_rule = Node::map([
        ("apiVersion", Node::str(PROMETHEUS_RULE_API_VERSION)),
        ("kind", Node::str("PrometheusRule")),
        ("metadata", Node::map(metadata)),
        ("spec", Node::map([("groups", groups_node)])),
    ]);
    let to_map = |q: Vec<(&str, String)>| q.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    Some(MonitoringOutput {
        groups,
        health_queries: to_map(alerts::health_queries(&ctx, latency)),
        baseline_checks: to_map(alerts::baseline_checks(&ctx, latency)),
        alert_names,
        prometheus_rule,
    })
}

/// Whether the threshold only matters to a latency alert.
fn latency_only(threshold: &str) -> bool {
    ALERTS
        .iter()
        .filter(|a| a.threshold == Some(threshold))
        .all(|a| a.needs_latency)
}

/// A number as PromQL reads it back: shortest round-trip decimal, never an exponent.
pub fn format_number(value: f64) -> String {
    format!("{value}")
}

/// A PromQL double-quoted string literal.
fn promql_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn check_threshold(spec: &ThresholdSpec, value: f64) -> Option<Problem> {
    let low_ok = if spec.min_inclusive {
        value >= spec.min
    } else {
        value > spec.min
    };
    if value.is_finite() && low_ok && value <= spec.max {
        return None;
    }
    let low = if spec.min_inclusive {
        format!("at least {}", format_number(spec.min))
    } else {
        format!("more than {}", format_number(spec.min))
    };
    Some(Problem::error(
        AttributePath::root(spec.name),
        format!("Invalid {}", spec.name),
        format!(
            "{value} is out of range: `{}` counts {} and must be {low} and at most {}. Omit it for the runbook's {}.",
            spec.name,
            spec.unit,
            format_number(spec.max),
            format_number(spec.default)
        ),
    ))
}

fn check_alert_key(path: &AttributePath, name: &str) -> Option<Problem> {
    if alert(name).is_some() {
        return None;
    }
    let names: Vec<&str> = ALERTS.iter().map(|a| a.name).collect();
    Some(Problem::error(
        path.clone(),
        "Unknown alert",
        format!(
            "{} is not one of the alerts this data source renders: {}.",
            quote(name),
            names.join(", ")
        ),
    ))
}

fn check_extra_label(path: AttributePath, name: &str, value: Option<&String>) -> Option<Problem> {
    let mut chars = name.chars();
    let name_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with("__");
    if !name_ok {
        return Some(Problem::error(
            path,
            "Invalid label name",
            format!(
                "{} is not a Prometheus label name; use a letter or `_`, then letters, digits and `_` (names starting with `__` are reserved).",
                quote(name)
            ),
        ));
    }
    if name == "severity" {
        return Some(Problem::error(
            path,
            "Severity set in extra_labels",
            "Each alert has its own `severity`; set it per alert in `severities` instead.",
        ));
    }
    if name == "alertname" || EXPRESSION_LABELS.contains(&name) {
        return Some(Problem::error(
            path,
            "Label owned by the alerts",
            format!(
                "`{name}` is set by the alert expressions (it says which deployment, pod or call is affected); choose another label name."
            ),
        ));
    }
    let value = value?;
    if value.is_empty() || value.contains("{{") || value.contains("}}") || value.len() > 1024 {
        return Some(Problem::error(
            path,
            "Invalid label value",
            "A label value must be 1 to 1024 bytes without `{{` or `}}` (Prometheus expands alert labels as templates; an empty value removes the label).",
        ));
    }
    None
}

/// Parses a Prometheus duration (`1h30m`, `10m`, `0s`, `0`) into milliseconds.
pub fn parse_duration(s: &str) -> Result<u64, &'static str> {
    const UNITS: &[(&str, u64)] = &[
        ("y", 365 * 24 * 3600 * 1000),
        ("w", 7 * 24 * 3600 * 1000),
        ("d", 24 * 3600 * 1000),
        ("h", 3600 * 1000),
        ("ms", 1),
        ("m", 60 * 1000),
        ("s", 1000),
    ];
    // Order of appearance: y w d h m s ms.
    const ORDER: &[&str] = &["y", "w", "d", "h", "m", "s", "ms"];
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err("it is empty");
    }
    let mut rest = s;
    let mut total: u64 = 0;
    let mut last = None;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err("each unit must follow a whole number");
        }
        let n: u64 = rest[..digits]
            .parse()
            .map_err(|_| "a number is too large")?;
        rest = &rest[digits..];
        let Some(&(unit, ms)) = UNITS.iter().find(|(u, _)| rest.starts_with(u)) else {
            return Err("a number lacks its unit (ms, s, m, h, d, w or y)");
        };
        let position = ORDER.iter().position(|u| *u == unit);
        if position <= last {
            return Err("units must go from largest to smallest, each at most once");
        }
        last = position;
        rest = &rest[unit.len()..];
        total = n
            .checked_mul(ms)
            .and_then(|v| total.checked_add(v))
            .ok_or("it is too long")?;
    }
    Ok(total)
}

fn check_regex(regex: &str) -> Result<(), String> {
    if regex.is_empty() {
        return Err("it is empty, which would also match series without a namespace".into());
    }
    if regex.len() > MAX_REGEX_BYTES {
        return Err(format!("it is longer than {MAX_REGEX_BYTES} bytes"));
    }
    if regex.chars().any(char::is_control) {
        return Err("it contains control characters".into());
    }
    regex_syntax::Parser::new()
        .parse(regex)
        .map(|_| ())
        .map_err(|e| match e {
            regex_syntax::Error::Parse(e) => e.kind().to_string(),
            regex_syntax::Error::Translate(e) => e.kind().to_string(),
            _ => "it does not parse".to_owned(),
        })
}

fn is_deployment_id(id: &str) -> bool {
    id.len() <= 63
        && id.strip_prefix("tdd-").is_some_and(|rest| {
            !rest.is_empty()
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

fn is_severity(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 63
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

fn is_dns_subdomain(s: &str) -> bool {
    !s.is_empty() && s.len() <= 253 && s.split('.').all(is_dns_label)
}

fn is_k8s_label_value(s: &str) -> bool {
    s.is_empty()
        || (s.len() <= 63
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            && s.as_bytes()[0].is_ascii_alphanumeric()
            && s.as_bytes()[s.len() - 1].is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests;
