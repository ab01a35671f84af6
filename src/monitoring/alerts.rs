//! The runbook as data: every alert, threshold and health query of the Trust Domain Server
//! runbook (second seed), with the PromQL each one renders. The texts are ours; the metrics,
//! thresholds and diagnosis queries are the runbook's.

/// The label selector every query adds, and the rate window the runbook uses.
pub struct Ctx {
    /// `namespace=~"…"` or `namespace="tdd-…"`.
    pub namespace: String,
}

/// The window of every `rate()` in the runbook.
pub const RATE_WINDOW: &str = "5m";
/// The window of the OOM and restart alerts (the runbook's restart query uses 15 minutes).
pub const EVENT_WINDOW: &str = "15m";

impl Ctx {
    /// `metric{matchers…, namespace…}`.
    pub fn series(&self, metric: &str, matchers: &[&str]) -> String {
        let mut all: Vec<&str> = matchers.to_vec();
        all.push(&self.namespace);
        format!("{metric}{{{}}}", all.join(", "))
    }

    /// `rate(metric{…}[5m])`.
    fn rate(&self, metric: &str, matchers: &[&str]) -> String {
        format!("rate({}[{RATE_WINDOW}])", self.series(metric, matchers))
    }

    /// `increase(metric{…}[15m])`.
    fn increase(&self, metric: &str, matchers: &[&str]) -> String {
        format!(
            "increase({}[{EVENT_WINDOW}])",
            self.series(metric, matchers)
        )
    }
}

const SERVER: &str = r#"spirl_component="server""#;
const AGENT_SERVICES: &str = r#"grpc_service=~"com.spirl.agent.*""#;
const SIGNER_SERVICES: &str = r#"grpc_service=~"com.spirl.private.signer.*""#;
const EVENTS_SERVICES: &str = r#"grpc_service=~"com.spirl.events.*""#;
const NOT_OK: &str = r#"grpc_code!~"OK|Canceled""#;
/// cAdvisor also reports a whole-pod cgroup with an empty `container` label; counting it too
/// would double the pod's usage.
const CONTAINERS: &str = r#"container!="""#;
/// Streaming RPCs stay open for minutes by design (agents hold them for bundle and configuration
/// updates), so their "handling time" is no latency; a negative matcher keeps series that have
/// no `grpc_type` label at all.
const NOT_STREAMS: &str = r#"grpc_type!~".+_stream""#;

/// A threshold input: its attribute, default, allowed range and unit.
pub struct ThresholdSpec {
    /// The attribute name.
    pub name: &'static str,
    /// The runbook's value.
    pub default: f64,
    /// Smallest allowed value.
    pub min: f64,
    /// Whether `min` itself is allowed.
    pub min_inclusive: bool,
    /// Largest allowed value (inclusive).
    pub max: f64,
    /// What the number counts, for messages and docs.
    pub unit: &'static str,
}

/// Every threshold input, in schema order.
pub const THRESHOLDS: &[ThresholdSpec] = &[
    ThresholdSpec {
        name: "api_error_percent",
        default: 1.0,
        min: 0.0,
        min_inclusive: true,
        max: 99.999,
        unit: "percent of agent API calls",
    },
    ThresholdSpec {
        name: "svid_failure_rate",
        default: 0.0,
        min: 0.0,
        min_inclusive: true,
        max: 1e6,
        unit: "failed SVID mints per second",
    },
    ThresholdSpec {
        name: "control_plane_error_rate",
        default: 0.0,
        min: 0.0,
        min_inclusive: true,
        max: 1e6,
        unit: "failed control-plane calls per second",
    },
    ThresholdSpec {
        name: "mint_latency_p95_seconds",
        default: 0.5,
        min: 0.0,
        min_inclusive: false,
        max: 3600.0,
        unit: "seconds",
    },
    ThresholdSpec {
        name: "grpc_latency_p95_seconds",
        default: 1.0,
        min: 0.0,
        min_inclusive: false,
        max: 3600.0,
        unit: "seconds",
    },
    ThresholdSpec {
        name: "cpu_limit_percent",
        default: 70.0,
        min: 0.0,
        min_inclusive: false,
        max: 100.0,
        unit: "percent of the CPU limit",
    },
    ThresholdSpec {
        name: "memory_limit_percent",
        default: 80.0,
        min: 0.0,
        min_inclusive: false,
        max: 100.0,
        unit: "percent of the memory limit",
    },
    ThresholdSpec {
        name: "pod_restarts",
        default: 0.0,
        min: 0.0,
        min_inclusive: true,
        max: 1000.0,
        unit: "container restarts per pod in 15 minutes",
    },
];

/// One alert of the runbook.
pub struct AlertSpec {
    /// `alertname`.
    pub name: &'static str,
    /// The threshold input it compares with, if any.
    pub threshold: Option<&'static str>,
    /// Whether it reads a latency histogram (needs `emitLatencyMetrics`).
    pub needs_latency: bool,
    /// Default `for`.
    pub default_for: &'static str,
    /// Default `severity` label.
    pub default_severity: &'static str,
    /// The expression, given the rendered threshold.
    pub expr: fn(&Ctx, &str) -> String,
    /// The `summary` annotation, given the rendered threshold.
    pub summary: fn(&str) -> String,
    /// The `description` annotation: what it means.
    pub description: &'static str,
    /// The `diagnosis` annotation: the first thing to check.
    pub diagnosis: &'static str,
    /// The `diagnosis_query` annotation: the runbook's first diagnosis query.
    pub diagnosis_query: fn(&Ctx) -> String,
}

/// Every alert, in rendering order.
pub const ALERTS: &[AlertSpec] = &[
    AlertSpec {
        name: "SpirlServerApiErrorRateHigh",
        threshold: Some("api_error_percent"),
        needs_latency: false,
        default_for: "10m",
        default_severity: "warning",
        expr: |c, t| {
            format!(
                "100 * sum by (namespace) ({})\n  / sum by (namespace) ({})\n  > {t}",
                c.rate(
                    "grpc_server_handled_total",
                    &[SERVER, AGENT_SERVICES, NOT_OK]
                ),
                c.rate("grpc_server_handled_total", &[SERVER, AGENT_SERVICES]),
            )
        },
        summary: |t| {
            format!(
                "Trust domain server in {{{{ $labels.namespace }}}}: more than {t}% of agent API calls end in an error"
            )
        },
        description: "The server answers agents with errors (any gRPC code but OK and Canceled) on the API agents use to mint SVIDs, fetch trust bundles and receive configuration. Depending on the failing method, workloads may stop getting fresh SVIDs.",
        diagnosis: "Find which gRPC code, service and method dominate. FailedPrecondition points at the control-plane connection, Unauthenticated at rejected agent sessions, InvalidArgument at agent requests (often a path template using an attribute that was not attested), Internal or Unknown at signing failures; then search the server logs for that code.",
        diagnosis_query: |c| {
            format!(
                "sum by (grpc_code, grpc_service, grpc_method) ({}) > 0",
                c.rate("grpc_server_handled_total", &[SERVER, NOT_OK])
            )
        },
    },
    AlertSpec {
        name: "SpirlServerSvidIssuanceFailing",
        threshold: Some("svid_failure_rate"),
        needs_latency: false,
        default_for: "10m",
        default_severity: "critical",
        expr: |c, t| {
            format!(
                "sum by (namespace, svid_type, status_code) ({})\n  > {t}",
                c.rate("spirl_server_mint_svid_total", &[r#"status_code!="ok""#])
            )
        },
        summary: |_| {
            "Trust domain server in {{ $labels.namespace }} keeps failing to mint {{ $labels.svid_type }} SVIDs ({{ $labels.status_code }})".to_owned()
        },
        description: "Agents reach the server, but it refuses to issue SVIDs for an application reason given by status_code: attestation_failed (a server-side attestation extension failed), signing_failed (the CA or key manager, such as KMS, returned an error), template_error (a SPIFFE ID or X.509 template did not evaluate), auth_failed (an agent session was rejected after being accepted), invalid_request or invalid_public_key (agent and server versions may not match). Workloads that hold valid SVIDs keep working; new workloads and renewals do not get SVIDs.",
        diagnosis: "Break the failures down by status_code and act on the main one: for signing_failed check the key manager (KMS health, IAM permissions); for template_error check recently changed path templates and X.509 customisations and the attributes they use; for attestation_failed check the attestation extension; for auth_failed report to Defakto support; for invalid_request check agent and server version compatibility.",
        diagnosis_query: |c| {
            format!(
                "sum by (svid_type, status_code) ({})",
                c.rate("spirl_server_mint_svid_total", &[r#"status_code!="ok""#])
            )
        },
    },
    AlertSpec {
        name: "SpirlServerControlPlaneOutboundErrors",
        threshold: Some("control_plane_error_rate"),
        needs_latency: false,
        default_for: "15m",
        default_severity: "warning",
        expr: |c, t| {
            format!(
                "sum by (namespace, grpc_code, grpc_method) ({})\n  > {t}",
                c.rate(
                    "grpc_client_handled_total",
                    &[SERVER, EVENTS_SERVICES, NOT_OK]
                )
            )
        },
        summary: |_| {
            "Trust domain server in {{ $labels.namespace }} cannot deliver events to the Defakto control plane ({{ $labels.grpc_code }})".to_owned()
        },
        description: "Calls from the server to the control plane fail, so the events behind the Console dashboard are not delivered. The server buffers and retries them in memory, but a long outage loses Console visibility. Minting SVIDs is not affected.",
        diagnosis: "Check that egress from the server to the control plane is open (firewall rules, NetworkPolicy, required proxies), and with a TLS-intercepting proxy that its CA is in controlPlane.relay.webPKISupplementalRootCAs. `spirldbg network-diagnostics` in a debug container on the server pod tests DNS, TLS, HTTP/2 and gRPC to the control plane.",
        diagnosis_query: |c| {
            format!(
                "sum by (grpc_code, grpc_method) ({})",
                c.rate("grpc_client_handled_total", &[SERVER, NOT_OK])
            )
        },
    },
    AlertSpec {
        name: "SpirlServerControlPlaneInboundErrors",
        threshold: Some("control_plane_error_rate"),
        needs_latency: false,
        default_for: "30m",
        default_severity: "info",
        expr: |c, t| {
            format!(
                "sum by (namespace, grpc_code, grpc_method) ({})\n  > {t}",
                c.rate(
                    "grpc_server_handled_total",
                    &[SERVER, SIGNER_SERVICES, NOT_OK]
                )
            )
        },
        summary: |_| {
            "The Defakto control plane's calls to the trust domain server in {{ $labels.namespace }} fail ({{ $labels.grpc_code }})".to_owned()
        },
        description: "The control plane cannot push configuration or coordinate key rotations and trust bundles with this server. The server keeps running on its last configuration snapshot, and agents keep working for at least 7 days; Defakto also monitors this path and reaches out when it fails.",
        diagnosis: "Check the server's connectivity to the control plane (as for outbound errors) and its logs for control-plane and Unavailable errors; check the Defakto status page and contact support if the network does not explain it.",
        diagnosis_query: |c| {
            format!(
                "sum by (grpc_code, grpc_method) ({})",
                c.rate(
                    "grpc_server_handled_total",
                    &[SERVER, SIGNER_SERVICES, NOT_OK]
                )
            )
        },
    },
    AlertSpec {
        name: "SpirlServerMintLatencyHigh",
        threshold: Some("mint_latency_p95_seconds"),
        needs_latency: true,
        default_for: "10m",
        default_severity: "warning",
        expr: |c, t| {
            format!(
                "histogram_quantile(0.95, sum by (namespace, le, svid_type) ({}))\n  > {t}",
                c.rate("spirl_server_mint_svid_duration_seconds_bucket", &[])
            )
        },
        summary: |t| {
            format!(
                "Trust domain server in {{{{ $labels.namespace }}}}: p95 {{{{ $labels.svid_type }}}} SVID mint latency above {t}s"
            )
        },
        description: "Minting SVIDs has slowed down; the healthy p95 is under 100 ms. Slow mints often come before failed ones and usually mean an overloaded or CPU-throttled server, or a slow signing authority.",
        diagnosis: "Check the server pods for CPU throttling first (the CPU alert and its query), then the key manager's latency.",
        diagnosis_query: |c| {
            format!(
                "histogram_quantile(0.95, sum by (le, svid_type) ({}))",
                c.rate("spirl_server_mint_svid_duration_seconds_bucket", &[])
            )
        },
    },
    AlertSpec {
        name: "SpirlServerGrpcLatencyHigh",
        threshold: Some("grpc_latency_p95_seconds"),
        needs_latency: true,
        default_for: "10m",
        default_severity: "warning",
        expr: |c, t| {
            format!(
                "histogram_quantile(0.95, sum by (namespace, le, grpc_method) ({}))\n  > {t}",
                c.rate(
                    "grpc_server_handling_seconds_bucket",
                    &[SERVER, NOT_STREAMS]
                )
            )
        },
        summary: |t| {
            format!(
                "Trust domain server in {{{{ $labels.namespace }}}}: p95 latency of {{{{ $labels.grpc_method }}}} above {t}s"
            )
        },
        description: "The server takes long to answer gRPC calls. Streaming calls are left out: agents keep them open on purpose.",
        diagnosis: "Look for resource saturation; CPU throttling is the most common cause. Compare with the SVID mint latency to see whether signing is the slow part.",
        diagnosis_query: |c| {
            format!(
                "histogram_quantile(0.95, sum by (le, grpc_method) ({}))",
                c.rate("grpc_server_handling_seconds_bucket", &[SERVER])
            )
        },
    },
    AlertSpec {
        name: "SpirlServerCpuNearLimit",
        threshold: Some("cpu_limit_percent"),
        needs_latency: false,
        default_for: "15m",
        default_severity: "warning",
        expr: |c, t| format!("{}\n  > {t}", cpu_percent(c, "namespace, pod")),
        summary: |t| {
            format!(
                "Trust domain server pod {{{{ $labels.namespace }}}}/{{{{ $labels.pod }}}} uses more than {t}% of its CPU limit"
            )
        },
        description: "The server is close to its CPU limit and will be throttled, which shows up first as slower SVID mints. A healthy server stays under half of its limit.",
        diagnosis: "Enable or tune the HorizontalPodAutoscaler, raise the CPU limit, or spread agents over more trust domain deployments.",
        diagnosis_query: |c| cpu_percent(c, "pod"),
    },
    AlertSpec {
        name: "SpirlServerMemoryNearLimit",
        threshold: Some("memory_limit_percent"),
        needs_latency: false,
        default_for: "15m",
        default_severity: "warning",
        expr: |c, t| format!("{}\n  > {t}", memory_percent(c, "namespace, pod")),
        summary: |t| {
            format!(
                "Trust domain server pod {{{{ $labels.namespace }}}}/{{{{ $labels.pod }}}} uses more than {t}% of its memory limit"
            )
        },
        description: "The server's memory grows with the number of connected agents and is otherwise stable; near the limit the pod risks being OOM-killed. A healthy server stays under 60% of its limit.",
        diagnosis: "Raise the memory requests and limits or the number of replicas. If memory keeps growing while the number of agents does not, contact Defakto support.",
        diagnosis_query: |c| memory_percent(c, "pod"),
    },
    AlertSpec {
        name: "SpirlServerOomKilled",
        threshold: None,
        needs_latency: false,
        default_for: "0s",
        default_severity: "warning",
        expr: |c, _| {
            format!(
                "sum by (namespace, pod) ({})\n  > 0",
                c.increase("container_oom_events_total", &[CONTAINERS])
            )
        },
        summary: |_| {
            "Trust domain server pod {{ $labels.namespace }}/{{ $labels.pod }} ran out of memory"
                .to_owned()
        },
        description: "A server container was killed for exceeding its memory limit in the last 15 minutes.",
        diagnosis: "Raise the memory limit; 512Mi is a reasonable start, then adjust to the observed usage.",
        diagnosis_query: |c| {
            format!(
                "sum by (pod) ({})",
                c.series("container_oom_events_total", &[])
            )
        },
    },
    AlertSpec {
        name: "SpirlServerPodRestarting",
        threshold: Some("pod_restarts"),
        needs_latency: false,
        default_for: "0s",
        default_severity: "warning",
        expr: |c, t| {
            format!(
                "sum by (namespace, pod) ({})\n  > {t}",
                c.increase("kube_pod_container_status_restarts_total", &[])
            )
        },
        summary: |_| {
            "Trust domain server pod {{ $labels.namespace }}/{{ $labels.pod }} restarted".to_owned()
        },
        description: "A server container restarted in the last 15 minutes; a healthy server does not restart at all. More than 3 restarts in 10 minutes puts the pod in CrashLoopBackOff.",
        diagnosis: "See how the previous container ended (`kubectl describe pod`, Last State) and read its logs (`kubectl logs --previous`): OOMKilled needs more memory, exit code 1 or 2 at start-up is usually a configuration error.",
        diagnosis_query: |c| {
            format!(
                "rate({}[15m]) > 0",
                c.series("kube_pod_container_status_restarts_total", &[])
            )
        },
    },
];

/// CPU usage as a percentage of the limit, summed `by`.
fn cpu_percent(c: &Ctx, by: &str) -> String {
    format!(
        "100 * sum by ({by}) ({})\n  / sum by ({by}) ({})",
        c.rate("container_cpu_usage_seconds_total", &[CONTAINERS]),
        c.series("kube_pod_container_resource_limits", &[r#"resource="cpu""#]),
    )
}

/// Memory working set as a percentage of the limit, summed `by`.
fn memory_percent(c: &Ctx, by: &str) -> String {
    format!(
        "100 * sum by ({by}) ({})\n  / sum by ({by}) ({})",
        c.series("container_memory_working_set_bytes", &[CONTAINERS]),
        c.series(
            "kube_pod_container_resource_limits",
            &[r#"resource="memory""#]
        ),
    )
}

fn mint_success_ratio(c: &Ctx) -> String {
    format!(
        "sum({})\n  / sum({})",
        c.rate("spirl_server_mint_svid_total", &[r#"status_code="ok""#]),
        c.rate("spirl_server_mint_svid_total", &[])
    )
}

fn agent_error_ratio(c: &Ctx) -> String {
    format!(
        "sum({})\n  / sum({})",
        c.rate(
            "grpc_server_handled_total",
            &[SERVER, AGENT_SERVICES, NOT_OK]
        ),
        c.rate("grpc_server_handled_total", &[SERVER, AGENT_SERVICES])
    )
}

fn control_plane_error_ratio(c: &Ctx) -> String {
    format!(
        "(\n  (sum({}) or vector(0))\n  +\n  (sum({}) or vector(0))\n)\n/\n(\n  (sum({}) or vector(0))\n  +\n  (sum({}) or vector(0))\n)",
        c.rate(
            "grpc_server_handled_total",
            &[SERVER, SIGNER_SERVICES, NOT_OK]
        ),
        c.rate(
            "grpc_client_handled_total",
            &[SERVER, EVENTS_SERVICES, NOT_OK]
        ),
        c.rate("grpc_server_handled_total", &[SERVER, SIGNER_SERVICES]),
        c.rate("grpc_client_handled_total", &[SERVER, EVENTS_SERVICES]),
    )
}

fn mint_p95(c: &Ctx) -> String {
    format!(
        "histogram_quantile(0.95, sum by (le) ({}))",
        c.rate("spirl_server_mint_svid_duration_seconds_bucket", &[])
    )
}

fn grpc_p95(c: &Ctx) -> String {
    format!(
        "histogram_quantile(0.95, sum by (le, grpc_method) ({}))",
        c.rate("grpc_server_handling_seconds_bucket", &[SERVER])
    )
}

/// The runbook's "checking overall health" snapshot, name → PromQL.
pub fn health_queries(c: &Ctx, latency: bool) -> Vec<(&'static str, String)> {
    let mut q = vec![
        ("svid_mint_success_rate", mint_success_ratio(c)),
        ("agent_grpc_error_rate", agent_error_ratio(c)),
        ("control_plane_error_rate", control_plane_error_ratio(c)),
        ("cpu_percent_of_limit", cpu_percent(c, "pod")),
        ("memory_percent_of_limit", memory_percent(c, "pod")),
        (
            "oom_events",
            format!(
                "sum by (pod) ({})",
                c.series("container_oom_events_total", &[])
            ),
        ),
        (
            "pod_restart_rate",
            format!(
                "rate({}[15m])",
                c.series("kube_pod_container_status_restarts_total", &[])
            ),
        ),
    ];
    if latency {
        q.push(("svid_mint_latency_p95_seconds", mint_p95(c)));
        q.push(("grpc_latency_p95_seconds", grpc_p95(c)));
    }
    q
}

/// The runbook's healthy baseline as queries that return series only while it is not met.
pub fn baseline_checks(c: &Ctx, latency: bool) -> Vec<(&'static str, String)> {
    let mut q = vec![
        (
            "svid_mint_success_rate_below_99_percent",
            format!("(\n{}\n) < 0.99", mint_success_ratio(c)),
        ),
        (
            "agent_grpc_success_rate_below_99_percent",
            format!("(\n{}\n) > 0.01", agent_error_ratio(c)),
        ),
        (
            "control_plane_errors_above_zero",
            format!("(\n{}\n) > 0", control_plane_error_ratio(c)),
        ),
        (
            "pod_restarts_in_the_last_hour",
            format!(
                "sum by (namespace, pod) (increase({}[1h])) > 0",
                c.series("kube_pod_container_status_restarts_total", &[])
            ),
        ),
        (
            "cpu_above_50_percent_of_limit",
            format!("{}\n  > 50", cpu_percent(c, "namespace, pod")),
        ),
        (
            "memory_above_60_percent_of_limit",
            format!("{}\n  > 60", memory_percent(c, "namespace, pod")),
        ),
    ];
    if latency {
        q.push((
            "svid_mint_latency_p95_above_100ms",
            format!("{}\n  > 0.1", mint_p95(c)),
        ));
    }
    q
}

/// Recording rules of the health ratios: record name → PromQL.
pub fn recording_rules(c: &Ctx, latency: bool) -> Vec<(&'static str, String)> {
    let mut r = vec![
        (
            "spirl:server_mint_svid_success:ratio_rate5m",
            mint_success_ratio(c),
        ),
        (
            "spirl:server_agent_grpc_errors:ratio_rate5m",
            agent_error_ratio(c),
        ),
        (
            "spirl:server_control_plane_errors:ratio_rate5m",
            control_plane_error_ratio(c),
        ),
    ];
    if latency {
        r.push((
            "spirl:server_mint_svid_duration_seconds:p95_rate5m",
            mint_p95(c),
        ));
    }
    r
}
