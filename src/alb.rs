//! `spirl_alb_ingress_annotations`: renders and validates the ALB ingress annotations that the
//! ALB guide recommends for a trust-domain server's agent endpoint (DESIGN.md §2).
//!
//! Pure code: [`validate`] checks whatever inputs are known (validate and plan time), [`render`]
//! produces the annotation map once every input is known. With default inputs the map is, key for
//! key and byte for byte, the seed's Terraform example.

use std::collections::BTreeMap;

use crate::problem::{AttributePath, Problem, quote};
use tfplugin::Attr;

/// Annotation key prefix of the AWS Load Balancer Controller.
const PREFIX: &str = "alb.ingress.kubernetes.io/";
/// Default `scheme`.
pub const DEFAULT_SCHEME: &str = "internet-facing";
/// Default `target_type`.
pub const DEFAULT_TARGET_TYPE: &str = "ip";
/// Default `ssl_policy`: TLS 1.3 only, with post-quantum key exchange.
pub const DEFAULT_SSL_POLICY: &str = "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09";
/// Default `https_port`.
pub const DEFAULT_HTTPS_PORT: i64 = 443;
/// Default `idle_timeout_seconds`: the ALB maximum, as the guide recommends.
pub const DEFAULT_IDLE_TIMEOUT_SECONDS: i64 = 4000;
/// Largest idle timeout an ALB accepts.
pub const MAX_IDLE_TIMEOUT_SECONDS: i64 = 4000;
/// Below this (the agents' 30-minute maximum connection lifetime) the idle timeout is a warning.
pub const MIN_RECOMMENDED_IDLE_TIMEOUT_SECONDS: i64 = 1800;
/// The `ingress_class_name` output.
pub const INGRESS_CLASS_NAME: &str = "alb";
/// The `health_check_path` output: the standard gRPC health service.
pub const HEALTH_CHECK_PATH: &str = "/grpc.health.v1.Health/Check";
/// The load-balancer attribute that `idle_timeout_seconds` owns.
const IDLE_TIMEOUT_ATTRIBUTE: &str = "idle_timeout.timeout_seconds";

/// The data source's inputs, as Terraform hands them over; `Null` means "use the default".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlbInputs {
    /// `internet-facing` or `internal`.
    pub scheme: Attr<String>,
    /// `ip` or `instance`.
    pub target_type: Attr<String>,
    /// ACM or IAM certificate ARNs.
    pub certificate_arns: Attr<Vec<Attr<String>>>,
    /// The ALB TLS security policy.
    pub ssl_policy: Attr<String>,
    /// The HTTPS listener port.
    pub https_port: Attr<i64>,
    /// The ALB idle timeout in seconds.
    pub idle_timeout_seconds: Attr<i64>,
    /// The ingress group that shares one ALB.
    pub group_name: Attr<String>,
    /// More `load-balancer-attributes` entries.
    pub additional_load_balancer_attributes: Attr<BTreeMap<String, Attr<String>>>,
    /// Annotations merged last.
    pub extra_annotations: Attr<BTreeMap<String, Attr<String>>>,
}

/// The data source's outputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlbOutput {
    /// The `annotations` map for `ingress.annotations`.
    pub annotations: BTreeMap<String, String>,
    /// `alb`.
    pub ingress_class_name: &'static str,
    /// `/grpc.health.v1.Health/Check`.
    pub health_check_path: &'static str,
}

/// Annotations the data source renders itself, with the input that controls each: setting one
/// of these through `extra_annotations` would silently bypass that input's validation.
const OWNED_ANNOTATIONS: &[(&str, &str)] = &[
    ("scheme", "scheme"),
    ("target-type", "target_type"),
    ("certificate-arn", "certificate_arns"),
    ("ssl-policy", "ssl_policy"),
    ("listen-ports", "https_port"),
    (
        "load-balancer-attributes",
        "idle_timeout_seconds` and `additional_load_balancer_attributes",
    ),
    ("group.name", "group_name"),
];

/// Fixed annotations the guide requires for gRPC, with why; overriding one is allowed but warned.
const GRPC_ANNOTATIONS: &[(&str, &str, &str)] = &[
    (
        "backend-protocol",
        "HTTP",
        "the servers speak plain HTTP/2 behind the ALB",
    ),
    (
        "backend-protocol-version",
        "GRPC",
        "agents connect with gRPC over HTTP/2",
    ),
    (
        "healthcheck-path",
        HEALTH_CHECK_PATH,
        "the servers answer the standard gRPC health check",
    ),
    (
        "success-codes",
        "0",
        "gRPC health checks report success as gRPC status 0, not HTTP 200",
    ),
];

/// Checks every known input; unknown values and elements are skipped.
pub fn validate(inputs: &AlbInputs) -> Vec<Problem> {
    let mut problems = Vec::new();
    check_one_of(
        &mut problems,
        "scheme",
        &inputs.scheme,
        &["internet-facing", "internal"],
        "Use \"internet-facing\" for agents that connect over the internet, or \"internal\" for agents inside the VPC or connected networks.",
    );
    check_one_of(
        &mut problems,
        "target_type",
        &inputs.target_type,
        &["ip", "instance"],
        "Use \"ip\" (the guide's choice: traffic goes straight to the server pods) or \"instance\" (through node ports).",
    );
    if let Some(arns) = inputs.certificate_arns.known() {
        let mut seen = BTreeMap::new();
        for (i, arn) in arns.iter().enumerate() {
            let Some(arn) = arn.known() else { continue };
            let path =
                AttributePath::root("certificate_arns").index(i64::try_from(i).unwrap_or(i64::MAX));
            if let Err(reason) = check_certificate_arn(arn) {
                problems.push(Problem::error(
                    path,
                    "Invalid certificate ARN",
                    format!("{} is not an ACM or IAM certificate ARN: {reason}. Expected `arn:aws:acm:REGION:ACCOUNT_ID:certificate/CERTIFICATE_ID` (ACM) or `arn:aws:iam::ACCOUNT_ID:server-certificate/NAME` (IAM); copy it from the ACM console or `aws acm list-certificates`.", quote(arn)),
                ));
            } else if let Some(first) = seen.insert(arn.as_str(), i) {
                problems.push(Problem::error(
                    path,
                    "Duplicate certificate ARN",
                    format!("This ARN is already listed at certificate_arns[{first}]; list each certificate once."),
                ));
            }
        }
    }
    if let Some(policy) = inputs.ssl_policy.known() {
        let name_ok = policy
            .strip_prefix("ELBSecurityPolicy-")
            .is_some_and(|rest| {
                !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if !name_ok {
            problems.push(Problem::error(
                AttributePath::root("ssl_policy"),
                "Invalid SSL policy",
                format!("{} is not an ALB security policy name; ALB policies are predefined and named `ELBSecurityPolicy-…`. Omit `ssl_policy` for the guide's {DEFAULT_SSL_POLICY}.", quote(policy)),
            ));
        }
    }
    if let Some(&port) = inputs.https_port.known()
        && !(1..=65535).contains(&port)
    {
        problems.push(Problem::error(
            AttributePath::root("https_port"),
            "Invalid HTTPS port",
            format!("{port} is not a TCP port; use a value from 1 to 65535 (the guide uses 443)."),
        ));
    }
    if let Some(&timeout) = inputs.idle_timeout_seconds.known() {
        problems.extend(check_idle_timeout(timeout));
    }
    if let Some(group) = inputs.group_name.known()
        && let Err(reason) = check_group_name(group)
    {
        problems.push(Problem::error(
            AttributePath::root("group_name"),
            "Invalid ingress group name",
            format!("{} is not a valid AWS Load Balancer Controller group name: {reason}. A group name has at most 63 characters: lowercase letters, digits, `-` and `.`, starting and ending with a letter or digit. Omit `group_name` to give this ingress its own ALB.", quote(group)),
        ));
    }
    if let Some(attributes) = inputs.additional_load_balancer_attributes.known() {
        for (key, value) in attributes {
            check_lb_attribute(&mut problems, key, value.known());
        }
    }
    if let Some(extra) = inputs.extra_annotations.known() {
        for key in extra.keys() {
            check_extra_annotation(&mut problems, key);
        }
        for (key, value) in extra {
            if let Some(value) = value.known()
                && value.len() > MAX_ANNOTATION_VALUE_BYTES
            {
                problems.push(Problem::error(
                    AttributePath::root("extra_annotations").key(key),
                    "Annotation value too long",
                    format!("The value has {} bytes; Kubernetes limits all annotations of an object to {MAX_ANNOTATION_VALUE_BYTES} bytes together.", value.len()),
                ));
            }
        }
    }
    problems
}

/// Kubernetes' limit on the total size of an object's annotations.
const MAX_ANNOTATION_VALUE_BYTES: usize = 256 * 1024;

/// Validates and renders. The output is `None` when there is an error or when an input is not
/// known yet (Terraform then reads the data source at apply time); warnings come with an output.
pub fn render(inputs: &AlbInputs) -> (Option<AlbOutput>, Vec<Problem>) {
    let problems = validate(inputs);
    if crate::problem::has_errors(&problems) {
        return (None, problems);
    }
    (render_known(inputs), problems)
}

/// Renders valid inputs, or `None` if any of them is unknown.
fn render_known(inputs: &AlbInputs) -> Option<AlbOutput> {
    let scheme = or_default(&inputs.scheme, DEFAULT_SCHEME.to_owned())?;
    let target_type = or_default(&inputs.target_type, DEFAULT_TARGET_TYPE.to_owned())?;
    let certificate_arns = known_list(&inputs.certificate_arns)?;
    let ssl_policy = or_default(&inputs.ssl_policy, DEFAULT_SSL_POLICY.to_owned())?;
    let https_port = or_default(&inputs.https_port, DEFAULT_HTTPS_PORT)?;
    let idle_timeout = or_default(&inputs.idle_timeout_seconds, DEFAULT_IDLE_TIMEOUT_SECONDS)?;
    let group_name = match &inputs.group_name {
        Attr::Unknown => return None,
        group => group.known().cloned(),
    };
    let mut lb_attributes = known_map(&inputs.additional_load_balancer_attributes)?;
    let extra = known_map(&inputs.extra_annotations)?;

    lb_attributes.insert(IDLE_TIMEOUT_ATTRIBUTE.to_owned(), idle_timeout.to_string());
    let lb_attributes: Vec<String> = lb_attributes
        .iter()
        .map(|(key, value)| format!("{key}={value}"))
        .collect();

    let mut annotations = BTreeMap::new();
    let mut put = |name: &str, value: String| {
        annotations.insert(format!("{PREFIX}{name}"), value);
    };
    put("scheme", scheme);
    put("target-type", target_type);
    for (name, value, _) in GRPC_ANNOTATIONS {
        put(name, (*value).to_owned());
    }
    if !certificate_arns.is_empty() {
        put("certificate-arn", certificate_arns.join(","));
    }
    // What `jsonencode([{ HTTPS = 443 }])` produces in the seed.
    put("listen-ports", format!(r#"[{{"HTTPS":{https_port}}}]"#));
    put("ssl-policy", ssl_policy);
    put("load-balancer-attributes", lb_attributes.join(","));
    if let Some(group) = group_name {
        put("group.name", group);
    }
    annotations.extend(extra);
    Some(AlbOutput {
        annotations,
        ingress_class_name: INGRESS_CLASS_NAME,
        health_check_path: HEALTH_CHECK_PATH,
    })
}

/// The value, `default` when null, `None` when unknown (shared with [`crate::monitoring`]).
pub(crate) fn or_default<T: Clone>(value: &Attr<T>, default: T) -> Option<T> {
    match value {
        Attr::Null => Some(default),
        Attr::Unknown => None,
        Attr::Value(v) => Some(v.clone()),
    }
}

fn known_list(value: &Attr<Vec<Attr<String>>>) -> Option<Vec<String>> {
    or_default(value, Vec::new())?
        .iter()
        .map(|v| v.known().cloned())
        .collect()
}

/// A string map, empty when null, `None` when it or one of its values is unknown.
pub(crate) fn known_map(
    value: &Attr<BTreeMap<String, Attr<String>>>,
) -> Option<BTreeMap<String, String>> {
    or_default(value, BTreeMap::new())?
        .into_iter()
        .map(|(k, v)| Some((k, v.known()?.clone())))
        .collect()
}

/// The idle-timeout rules: 1–4000 or an error; under 1800 a warning in the seed's terms.
fn check_idle_timeout(timeout: i64) -> Option<Problem> {
    let path = AttributePath::root("idle_timeout_seconds");
    if !(1..=MAX_IDLE_TIMEOUT_SECONDS).contains(&timeout) {
        return Some(Problem::error(
            path,
            "Idle timeout out of range",
            format!(
                "{timeout} seconds is outside what an ALB accepts (1 to {MAX_IDLE_TIMEOUT_SECONDS}). Use {DEFAULT_IDLE_TIMEOUT_SECONDS}, the guide's value, so agent connections are not cut while idle."
            ),
        ));
    }
    if timeout < MIN_RECOMMENDED_IDLE_TIMEOUT_SECONDS {
        return Some(Problem::warning(
            path,
            "Idle timeout shorter than the agents' 30-minute connection lifetime",
            format!(
                "An idle timeout of {timeout} seconds is shorter than {MIN_RECOMMENDED_IDLE_TIMEOUT_SECONDS} seconds, the agents' default 30-minute maximum connection lifetime. \
Agents keep persistent HTTP/2 connections to the trust domain servers and hold bidirectional gRPC streams open on them for trust bundle rotation, federation configuration changes and agent configuration updates. \
The ALB considers those streams idle even while the agents send HTTP/2 ping frames, and resets them when the idle timeout expires: \
agents then log errors such as `stream terminated by RST_STREAM with error code: INTERNAL_ERROR` and reconnect over and over, which increases the load on your servers. \
Set idle_timeout_seconds to {DEFAULT_IDLE_TIMEOUT_SECONDS} (66 minutes, the guide's value) so connections outlive the agents' 30-minute lifetime and agents reconnect on their own schedule."
            ),
        ));
    }
    None
}

fn check_one_of(
    problems: &mut Vec<Problem>,
    attribute: &str,
    value: &Attr<String>,
    allowed: &[&str],
    advice: &str,
) {
    if let Some(value) = value.known()
        && !allowed.contains(&value.as_str())
    {
        problems.push(Problem::error(
            AttributePath::root(attribute),
            format!("Invalid {attribute}"),
            format!(
                "{} is not one of {}. {advice}",
                quote(value),
                allowed
                    .iter()
                    .map(|a| format!("\"{a}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
}

/// ACM (`arn:PARTITION:acm:REGION:ACCOUNT:certificate/ID`) or IAM
/// (`arn:PARTITION:iam::ACCOUNT:server-certificate/PATH/NAME`) certificate ARNs.
fn check_certificate_arn(arn: &str) -> Result<(), String> {
    if arn.contains(',') {
        // The annotation joins ARNs with commas.
        return Err("it contains a comma; list each certificate as its own element".into());
    }
    if arn.trim() != arn {
        return Err("it has leading or trailing whitespace".into());
    }
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [arn_prefix, partition, service, region, account, resource] = parts[..] else {
        return Err("it does not have the six `:`-separated parts of an ARN".into());
    };
    if arn_prefix != "arn" {
        return Err("it does not start with `arn:`".into());
    }
    let partition_ok = partition == "aws"
        || partition.strip_prefix("aws-").is_some_and(|p| {
            !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c == '-')
        });
    if !partition_ok {
        return Err(format!(
            "{} is not an AWS partition (`aws`, `aws-cn`, `aws-us-gov`, …)",
            quote(partition)
        ));
    }
    if service != "acm" && service != "iam" {
        return Err(format!(
            "its service is {}, but ALB certificates come from `acm` (ACM) or `iam` (IAM server certificates)",
            quote(service)
        ));
    }
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return Err("the account id is not 12 digits".into());
    }
    if service == "acm" {
        if !is_region(region) {
            return Err(format!(
                "{} is not an AWS region such as `us-east-1`",
                quote(region)
            ));
        }
        let id = resource
            .strip_prefix("certificate/")
            .ok_or("an ACM ARN's resource must be `certificate/ID`")?;
        if id.is_empty()
            || id.len() > 128
            || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(
                "the certificate id must be letters, digits and `-` (ACM ids are UUIDs)".into(),
            );
        }
    } else {
        if !region.is_empty() {
            return Err("IAM ARNs have an empty region (`arn:aws:iam::ACCOUNT_ID:…`)".into());
        }
        let name = resource
            .strip_prefix("server-certificate/")
            .ok_or("an IAM ARN's resource must be `server-certificate/NAME`")?;
        let valid = |c: char| c.is_ascii_alphanumeric() || "+=.@_-/".contains(c);
        if name.is_empty() || name.ends_with('/') || name.len() > 512 || !name.chars().all(valid) {
            return Err("the server certificate name must be letters, digits and `+=.@_-`, optionally under a `/path/`".into());
        }
    }
    Ok(())
}

/// `us-east-1`, `us-gov-west-1`, `eu-isoe-west-1`, `cn-north-1`, ...
fn is_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    match parts.as_slice() {
        [area, middle @ .., number] if !middle.is_empty() => {
            area.len() == 2
                && area.bytes().all(|b| b.is_ascii_lowercase())
                && middle
                    .iter()
                    .all(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_lowercase()))
                && (1..=2).contains(&number.len())
                && number.bytes().all(|b| b.is_ascii_digit())
        }
        _ => false,
    }
}

/// The AWS Load Balancer Controller's rule for `group.name`.
fn check_group_name(group: &str) -> Result<(), &'static str> {
    if group.is_empty() {
        return Err("it is empty");
    }
    if group.len() > 63 {
        return Err("it is longer than 63 characters");
    }
    if !group
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
    {
        return Err("it contains characters other than lowercase letters, digits, `-` and `.`");
    }
    let alnum = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_alphanumeric());
    if !alnum(group.as_bytes().first()) || !alnum(group.as_bytes().last()) {
        return Err("it does not start and end with a letter or digit");
    }
    Ok(())
}

fn check_lb_attribute(problems: &mut Vec<Problem>, key: &str, value: Option<&String>) {
    let path = AttributePath::root("additional_load_balancer_attributes").key(key);
    if key == IDLE_TIMEOUT_ATTRIBUTE {
        problems.push(Problem::error(
            path,
            "Idle timeout set in additional_load_balancer_attributes",
            format!("`{IDLE_TIMEOUT_ATTRIBUTE}` is controlled by `idle_timeout_seconds`, which validates it and explains its effect on agent connections; remove this entry and set `idle_timeout_seconds` instead."),
        ));
        return;
    }
    let key_ok = !key.is_empty()
        && key.len() <= 256
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_');
    if !key_ok {
        problems.push(Problem::error(
            path.clone(),
            "Invalid load balancer attribute name",
            format!("{} is not an ALB attribute name; names are letters, digits, `.` and `_`, such as `routing.http2.enabled` or `deletion_protection.enabled`.", quote(key)),
        ));
    }
    if let Some(value) = value
        && (value.contains(',') || value.chars().any(char::is_control) || value.len() > 1024)
    {
        problems.push(Problem::error(
            path,
            "Invalid load balancer attribute value",
            "The value must be at most 1024 characters, without commas (they separate the entries of the `load-balancer-attributes` annotation) or control characters.",
        ));
    }
}

fn check_extra_annotation(problems: &mut Vec<Problem>, key: &str) {
    let path = AttributePath::root("extra_annotations").key(key);
    if let Err(reason) = check_annotation_key(key) {
        problems.push(Problem::error(
            path,
            "Invalid annotation key",
            format!("{} is not a Kubernetes annotation key: {reason}. A key is an optional DNS-subdomain prefix and `/`, then a name of at most 63 characters (letters, digits, `-`, `_`, `.`, starting and ending with a letter or digit), such as `alb.ingress.kubernetes.io/tags`.", quote(key)),
        ));
        return;
    }
    let Some(name) = key.strip_prefix(PREFIX) else {
        return;
    };
    if let Some((_, attribute)) = OWNED_ANNOTATIONS.iter().find(|(n, _)| *n == name) {
        problems.push(Problem::error(
            path,
            "Annotation controlled by an input",
            format!("`{key}` is rendered from `{attribute}`; set that input instead, so it is validated and cannot contradict the rendered value."),
        ));
    } else if let Some((_, value, why)) = GRPC_ANNOTATIONS.iter().find(|(n, _, _)| *n == name) {
        problems.push(Problem::warning(
            path,
            "Annotation required for gRPC overridden",
            format!("This replaces `{key}: {value}`, which the ALB guide requires because {why}; agents may fail to connect or the ALB may mark every server unhealthy."),
        ));
    }
}

/// Kubernetes' qualified-name rule for annotation keys (label keys follow it too).
pub(crate) fn check_annotation_key(key: &str) -> Result<(), &'static str> {
    let (prefix, name) = match key.rsplit_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    if let Some(prefix) = prefix {
        let label_ok = |l: &str| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        };
        if prefix.is_empty() || prefix.len() > 253 || !prefix.split('.').all(label_ok) {
            return Err("the prefix before `/` is not a lowercase DNS subdomain");
        }
    }
    if name.is_empty() || name.len() > 63 {
        return Err("the name after the prefix is empty or longer than 63 characters");
    }
    let name_ok = name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        && name.as_bytes()[0].is_ascii_alphanumeric()
        && name.as_bytes()[name.len() - 1].is_ascii_alphanumeric();
    if !name_ok {
        return Err(
            "the name has characters other than letters, digits, `-`, `_` and `.`, or does not start and end with a letter or digit",
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::problem::Severity;

    /// The `annotations` map of the seed's Terraform example, copied key for key (with
    /// `jsonencode([{ HTTPS = 443 }])` evaluated); the acceptance tests read the same fixture.
    fn seed_annotations() -> BTreeMap<String, String> {
        serde_json::from_str(include_str!("../tests/fixtures/seed_annotations.json"))
            .expect("the fixture is a JSON object of strings")
    }

    use crate::test_support::{known, map};

    /// The single problem `inputs` produce.
    fn only_problem(inputs: AlbInputs) -> Problem {
        let (output, mut problems) = render(&inputs);
        assert_eq!(problems.len(), 1, "{problems:#?}");
        let problem = problems.remove(0);
        assert_eq!(output.is_none(), problem.is_error());
        problem
    }

    #[test]
    fn alb_defaults_equal_seed_annotations() {
        let (output, problems) = render(&AlbInputs::default());
        assert!(problems.is_empty(), "{problems:?}");
        let output = output.unwrap();
        assert_eq!(output.annotations.len(), 9);
        assert_eq!(output.annotations, seed_annotations());
        assert_eq!(output.ingress_class_name, "alb");
        assert_eq!(output.health_check_path, "/grpc.health.v1.Health/Check");
    }

    #[test]
    fn alb_all_inputs_render() {
        let inputs = AlbInputs {
            scheme: known("internal"),
            target_type: known("instance"),
            certificate_arns: Attr::Value(vec![
                known(
                    "arn:aws:acm:us-east-1:123456789012:certificate/0f2d3c4b-1a2b-4c5d-8e9f-0123456789ab",
                ),
                known(
                    "arn:aws-us-gov:iam::123456789012:server-certificate/prod/agents.example.com",
                ),
            ]),
            ssl_policy: known("ELBSecurityPolicy-TLS13-1-2-2021-06"),
            https_port: Attr::Value(8443),
            idle_timeout_seconds: Attr::Value(3600),
            group_name: known("spirl.agents-1"),
            additional_load_balancer_attributes: map(&[
                ("routing.http2.enabled", "true"),
                ("access_logs.s3.enabled", "false"),
            ]),
            extra_annotations: map(&[("alb.ingress.kubernetes.io/tags", "team=identity")]),
        };
        let (output, problems) = render(&inputs);
        assert!(problems.is_empty(), "{problems:?}");
        let a = output.unwrap().annotations;
        let get = |k: &str| a[&format!("alb.ingress.kubernetes.io/{k}")].as_str();
        assert_eq!(get("scheme"), "internal");
        assert_eq!(get("target-type"), "instance");
        assert_eq!(
            get("certificate-arn"),
            "arn:aws:acm:us-east-1:123456789012:certificate/0f2d3c4b-1a2b-4c5d-8e9f-0123456789ab,arn:aws-us-gov:iam::123456789012:server-certificate/prod/agents.example.com"
        );
        assert_eq!(get("listen-ports"), r#"[{"HTTPS":8443}]"#);
        assert_eq!(get("ssl-policy"), "ELBSecurityPolicy-TLS13-1-2-2021-06");
        assert_eq!(
            get("load-balancer-attributes"),
            "access_logs.s3.enabled=false,idle_timeout.timeout_seconds=3600,routing.http2.enabled=true"
        );
        assert_eq!(get("group.name"), "spirl.agents-1");
        assert_eq!(get("tags"), "team=identity");
        assert_eq!(a.len(), 12);
    }

    #[test]
    fn alb_unknown_inputs_validate_known_parts_and_render_nothing() {
        let inputs = AlbInputs {
            certificate_arns: Attr::Value(vec![Attr::Unknown, known("arn:aws:acm:nowhere")]),
            ..AlbInputs::default()
        };
        let problem = only_problem(inputs);
        assert_eq!(problem.path.to_string(), "certificate_arns[1]");
        let inputs = AlbInputs {
            certificate_arns: Attr::Value(vec![Attr::Unknown]),
            ..AlbInputs::default()
        };
        assert_eq!(render(&inputs), (None, vec![]));
        let inputs = AlbInputs {
            scheme: Attr::Unknown,
            ..AlbInputs::default()
        };
        assert_eq!(render(&inputs), (None, vec![]));
    }

    #[test]
    fn alb_scheme_and_target_type_invalid() {
        let p = only_problem(AlbInputs {
            scheme: known("public"),
            ..AlbInputs::default()
        });
        assert_eq!(p.path.to_string(), "scheme");
        assert!(
            p.detail
                .starts_with(r#""public" is not one of "internet-facing", "internal"."#),
            "{}",
            p.detail
        );
        let p = only_problem(AlbInputs {
            target_type: known("pod"),
            ..AlbInputs::default()
        });
        assert_eq!(p.path.to_string(), "target_type");
        assert!(p.detail.contains(r#""ip", "instance""#));
    }

    #[test]
    fn alb_certificate_arns_invalid() {
        let cases = [
            (
                "arn:aws:acm:us-east-1:12345:certificate/abc",
                "the account id is not 12 digits",
            ),
            (
                "arn:aws:acm:useast:123456789012:certificate/abc",
                "is not an AWS region",
            ),
            ("arn:aws:s3:::bucket", "its service is \"s3\""),
            (
                "arn:aws:acm:us-east-1:123456789012:cert/abc",
                "must be `certificate/ID`",
            ),
            (
                "arn:aws:iam:us-east-1:123456789012:server-certificate/x",
                "empty region",
            ),
            (
                "arn:azure:acm:us-east-1:123456789012:certificate/abc",
                "is not an AWS partition",
            ),
            (
                "arn:aws:acm:us-east-1:123456789012:certificate/a,b",
                "contains a comma",
            ),
            ("certificate/abc", "six `:`-separated parts"),
            (
                " arn:aws:acm:us-east-1:123456789012:certificate/abc",
                "whitespace",
            ),
        ];
        for (arn, reason) in cases {
            let p = only_problem(AlbInputs {
                certificate_arns: Attr::Value(vec![
                    known("arn:aws:acm:eu-west-1:123456789012:certificate/abcd-1234"),
                    known(arn),
                ]),
                ..AlbInputs::default()
            });
            assert_eq!(p.path.to_string(), "certificate_arns[1]");
            assert_eq!(p.summary, "Invalid certificate ARN");
            assert!(p.detail.contains(reason), "{arn}: {}", p.detail);
        }
        let arn = "arn:aws:acm:us-east-1:123456789012:certificate/abcd-1234";
        let p = only_problem(AlbInputs {
            certificate_arns: Attr::Value(vec![known(arn), known(arn)]),
            ..AlbInputs::default()
        });
        assert_eq!(
            (p.path.to_string().as_str(), p.summary.as_str()),
            ("certificate_arns[1]", "Duplicate certificate ARN")
        );
    }

    #[test]
    fn alb_empty_certificate_list_has_no_annotation() {
        let (output, problems) = render(&AlbInputs {
            certificate_arns: Attr::Value(vec![]),
            ..AlbInputs::default()
        });
        assert!(problems.is_empty());
        assert_eq!(output.unwrap().annotations, seed_annotations());
    }

    #[test]
    fn alb_ssl_policy_and_port_invalid() {
        let p = only_problem(AlbInputs {
            ssl_policy: known("TLS13"),
            ..AlbInputs::default()
        });
        assert_eq!(p.path.to_string(), "ssl_policy");
        for port in [0, 65536, -1] {
            let p = only_problem(AlbInputs {
                https_port: Attr::Value(port),
                ..AlbInputs::default()
            });
            assert_eq!(p.path.to_string(), "https_port");
            assert!(p.detail.contains("from 1 to 65535"));
        }
    }

    #[test]
    fn alb_idle_timeout_range_and_warning() {
        for timeout in [0, 4001, -5, i64::MAX] {
            let p = only_problem(AlbInputs {
                idle_timeout_seconds: Attr::Value(timeout),
                ..AlbInputs::default()
            });
            assert_eq!(
                (p.severity, p.path.to_string().as_str()),
                (Severity::Error, "idle_timeout_seconds")
            );
            assert!(p.detail.contains("1 to 4000"), "{}", p.detail);
        }
        for timeout in [1, 60, 1799] {
            let p = only_problem(AlbInputs {
                idle_timeout_seconds: Attr::Value(timeout),
                ..AlbInputs::default()
            });
            assert_eq!(p.severity, Severity::Warning);
            for term in [
                "HTTP/2",
                "gRPC streams",
                "30-minute maximum connection lifetime",
                "RST_STREAM",
                "reconnect",
                "4000",
            ] {
                assert!(p.detail.contains(term), "{term} missing from: {}", p.detail);
            }
        }
        let (output, problems) = render(&AlbInputs {
            idle_timeout_seconds: Attr::Value(60),
            ..AlbInputs::default()
        });
        assert_eq!(problems.len(), 1);
        assert_eq!(
            output.unwrap().annotations["alb.ingress.kubernetes.io/load-balancer-attributes"],
            "idle_timeout.timeout_seconds=60"
        );
        for timeout in [1800, 4000] {
            let (_, problems) = render(&AlbInputs {
                idle_timeout_seconds: Attr::Value(timeout),
                ..AlbInputs::default()
            });
            assert!(problems.is_empty());
        }
    }

    #[test]
    fn alb_group_name_rules() {
        for good in ["a", "spirl", "team-a.agents", &"a".repeat(63)] {
            assert_eq!(check_group_name(good), Ok(()), "{good}");
        }
        for (bad, reason) in [
            ("", "empty"),
            (&"a".repeat(64) as &str, "longer than 63"),
            ("Team", "other than lowercase"),
            ("team_a", "other than lowercase"),
            ("-team", "start and end"),
            ("team.", "start and end"),
        ] {
            let p = only_problem(AlbInputs {
                group_name: known(bad),
                ..AlbInputs::default()
            });
            assert_eq!(p.path.to_string(), "group_name");
            assert!(p.detail.contains(reason), "{bad}: {}", p.detail);
        }
    }

    #[test]
    fn alb_additional_attributes_rules() {
        let p = only_problem(AlbInputs {
            additional_load_balancer_attributes: map(&[("idle_timeout.timeout_seconds", "60")]),
            ..AlbInputs::default()
        });
        assert_eq!(
            p.path.to_string(),
            r#"additional_load_balancer_attributes["idle_timeout.timeout_seconds"]"#
        );
        assert!(p.detail.contains("set `idle_timeout_seconds` instead"));
        let p = only_problem(AlbInputs {
            additional_load_balancer_attributes: map(&[("routing http2", "true")]),
            ..AlbInputs::default()
        });
        assert_eq!(p.summary, "Invalid load balancer attribute name");
        let p = only_problem(AlbInputs {
            additional_load_balancer_attributes: map(&[("access_logs.s3.prefix", "a,b")]),
            ..AlbInputs::default()
        });
        assert_eq!(p.summary, "Invalid load balancer attribute value");
    }

    #[test]
    fn alb_extra_annotations_rules() {
        for bad in [
            "",
            "/x",
            "Example.com/x",
            "x/",
            "a b",
            "example.com/-x",
            "a/b/c",
        ] {
            let p = only_problem(AlbInputs {
                extra_annotations: map(&[(bad, "v")]),
                ..AlbInputs::default()
            });
            assert_eq!(p.summary, "Invalid annotation key", "{bad}");
            assert_eq!(p.path, AttributePath::root("extra_annotations").key(bad));
        }
        let p = only_problem(AlbInputs {
            extra_annotations: map(&[("alb.ingress.kubernetes.io/scheme", "internal")]),
            ..AlbInputs::default()
        });
        assert!(
            p.is_error() && p.detail.contains("`scheme`"),
            "{}",
            p.detail
        );
        let p = only_problem(AlbInputs {
            extra_annotations: map(&[(
                "alb.ingress.kubernetes.io/load-balancer-attributes",
                "x=1",
            )]),
            ..AlbInputs::default()
        });
        assert!(p.is_error() && p.detail.contains("idle_timeout_seconds"));
        // Overriding a gRPC requirement is allowed, merged last, and warned about.
        let inputs = AlbInputs {
            extra_annotations: map(&[
                ("alb.ingress.kubernetes.io/success-codes", "0-99"),
                ("example.com/owner", "me"),
            ]),
            ..AlbInputs::default()
        };
        let (output, problems) = render(&inputs);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].severity, Severity::Warning);
        let annotations = output.unwrap().annotations;
        assert_eq!(
            annotations["alb.ingress.kubernetes.io/success-codes"],
            "0-99"
        );
        assert_eq!(annotations["example.com/owner"], "me");
    }

    #[test]
    fn alb_messages_escape_and_shorten_hostile_values() {
        let p = only_problem(AlbInputs {
            scheme: known(&format!("x\u{1b}[31m{}", "y".repeat(10_000))),
            ..AlbInputs::default()
        });
        assert!(!p.detail.contains('\u{1b}'));
        assert!(p.detail.len() < 600, "{}", p.detail.len());
    }
}
