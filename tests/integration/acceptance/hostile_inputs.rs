//! Hostile inputs through the real Terraform CLI (run with `TF_ACC=1`): huge strings, control
//! characters, look-alike letters, keys of the wrong kind, numbers out of range, bad durations
//! and bad ids, in every attribute of every type. Each one must stop `terraform validate` (and so
//! `plan`) with a diagnostic of its own that names the attribute: no panic, no gRPC error text, no
//! "inconsistent result", no secret echoed, nothing created on the mock.
//!
//! Configuration sections get malformed, aliased (an alias bomb), deeply nested, multi-document,
//! tagged, huge and mislabelled YAML, and look-alike section names; federation links, role
//! assignments and the access data sources get bad URLs, SPIFFE names, emails and principals.
//!
//! Provider cases include gRPC target forms the provider does not dial (`dns:///`, `unix://`),
//! and the deployment's cases an empty `keys` map: the control plane has no deployment without a
//! key.
//!
//! The cases run together: one configuration holds one block per case (provider cases as aliased
//! provider blocks), and each diagnostic of one `terraform validate -json` is mapped back to its
//! case by the source line it points at.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::support::Harness;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rcgen::PublicKeyData as _;
use serde_json::Value as Json;
use terraform_provider_spirl::keys::KeyPair as Ed25519;

/// A value as HCL source: a string literal, or any other expression.
enum V {
    /// A string, escaped into an HCL literal.
    S(String),
    /// An HCL expression, written as is.
    Raw(String),
    /// A string of `len` bytes: `prefix` followed by `a`s, computed by Terraform so that the
    /// configuration file stays small.
    Huge(&'static str, usize),
    /// A string read with `file()`, as secrets are passed: a literal in the configuration would
    /// be echoed by Terraform itself, in the source snippet of any diagnostic about it.
    File(String),
}

fn s(text: &str) -> V {
    V::S(text.to_owned())
}

fn raw(expr: &str) -> V {
    V::Raw(expr.to_owned())
}

/// One MiB.
const MIB: usize = 1 << 20;

/// Where a case's value goes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Provider,
    TrustDomain,
    Deployment,
    KeyPair,
    TrustDomainData,
    Alb,
    Monitoring,
    Realm,
    RealmData,
    Cluster,
    ClusterData,
    ProviderAttestation,
    CicdProfile,
    CicdProfileData,
    CicdLink,
    OrgConfig,
    TrustDomainConfig,
    DeploymentConfig,
    ClusterConfig,
    FederationLink,
    RoleAssignment,
    ServiceAccountData,
    DelegatedAdminData,
}

struct Case {
    kind: Kind,
    /// The attribute that gets the hostile value; for `keys`, the nested `public_key`.
    attribute: &'static str,
    value: V,
    /// A substring of the summary or detail the diagnostic must carry.
    expect: &'static str,
    /// Secret material in the value that must never be printed.
    secret: Option<String>,
}

fn case(kind: Kind, attribute: &'static str, value: V, expect: &'static str) -> Case {
    Case {
        kind,
        attribute,
        value,
        expect,
        secret: None,
    }
}

/// An HCL string literal for `text`: quotes, backslashes and template sequences escaped, every
/// control or non-ASCII character as a `\u` escape (so the file shows exactly what is tested).
fn hcl_string(text: &str) -> String {
    let mut out = String::from("\"");
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            ' '..='~' => out.push(c),
            c if u32::from(c) <= 0xFFFF => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => {
                let _ = write!(out, "\\U{:08X}", u32::from(c));
            }
        }
    }
    out.push('"');
    out
}

fn hcl(value: &V, index: usize) -> String {
    match value {
        V::File(_) => format!("file(\"c{index}.txt\")"),
        V::S(text) => hcl_string(text),
        V::Raw(expr) => expr.clone(),
        V::Huge(prefix, len) => format!(
            "join(\"\", [{}, replace(format(\"%{}s\", \"\"), \" \", \"a\")])",
            hcl_string(prefix),
            len - prefix.len()
        ),
    }
}

// ----- key material -------------------------------------------------------------------------

/// DER: tag, length, content.
fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    der(0x30, &parts.concat())
}

/// An AlgorithmIdentifier with the given DER-encoded OID body and optional NULL parameters.
fn algorithm(oid: &[u8], null_params: bool) -> Vec<u8> {
    let mut parts = vec![der(0x06, oid)];
    if null_params {
        parts.push(vec![0x05, 0x00]);
    }
    seq(&parts)
}

const OID_X25519: &[u8] = &[0x2b, 0x65, 0x6e];
const OID_ED448: &[u8] = &[0x2b, 0x65, 0x71];
const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

fn spki(algorithm_id: Vec<u8>, key: &[u8]) -> Vec<u8> {
    let mut bits = vec![0u8];
    bits.extend_from_slice(key);
    seq(&[algorithm_id, der(0x03, &bits)])
}

fn pkcs8(algorithm_id: Vec<u8>, key: &[u8]) -> Vec<u8> {
    seq(&[der(0x02, &[0]), algorithm_id, der(0x04, key)])
}

fn to_pem(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

fn random_bytes(n: usize) -> Vec<u8> {
    (0..n).map(|_| rand::random::<u8>()).collect()
}

/// An RSA public key (SPKI) with a random 2048-bit modulus: what matters is the algorithm.
fn rsa_public_key() -> String {
    let mut modulus = vec![0u8];
    modulus.extend(random_bytes(256));
    modulus[1] |= 0x80;
    let rsa_key = seq(&[der(0x02, &modulus), der(0x02, &[0x01, 0x00, 0x01])]);
    to_pem("PUBLIC KEY", &spki(algorithm(OID_RSA, true), &rsa_key))
}

/// The body lines of a PEM: what must never be printed.
fn pem_body(pem: &str) -> String {
    pem.lines()
        .filter(|l| !l.starts_with("-----") && !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn cases() -> Vec<Case> {
    use Kind::*;
    let ed = Ed25519::generate();
    let ed_private = ed.private_key_pem().expose().to_owned();
    let ed_public = ed.public_key().to_pem();
    let ec = rcgen::KeyPair::generate().expect("P-256 key");
    let ec_private = to_pem("PRIVATE KEY", &ec.serialize_der());
    let ec_public = to_pem("PUBLIC KEY", &ec.subject_public_key_info());
    let x25519_public = to_pem(
        "PUBLIC KEY",
        &spki(algorithm(OID_X25519, false), &random_bytes(32)),
    );
    let x25519_private = to_pem(
        "PRIVATE KEY",
        &pkcs8(algorithm(OID_X25519, false), &der(0x04, &random_bytes(32))),
    );
    let ed448_public = to_pem(
        "PUBLIC KEY",
        &spki(algorithm(OID_ED448, false), &random_bytes(57)),
    );
    let unknown_public = to_pem(
        "PUBLIC KEY",
        &spki(algorithm(&[0x2a, 0x03, 0x04], false), &random_bytes(32)),
    );
    let rsa_private = to_pem(
        "PRIVATE KEY",
        &pkcs8(algorithm(OID_RSA, true), &random_bytes(600)),
    );
    let certificate = rcgen::generate_simple_self_signed(vec!["example.org".to_owned()])
        .expect("certificate")
        .cert;
    let certificate = to_pem("CERTIFICATE", certificate.der());
    let encrypted = to_pem("ENCRYPTED PRIVATE KEY", &random_bytes(150));
    // Secrets come from files, as users pass them (a literal would be printed by Terraform in
    // its source snippets, whatever the provider does).
    let with_secret = |mut c: Case, secret: &str| {
        if let V::S(text) = c.value {
            c.value = V::File(text);
        }
        c.secret = Some(pem_body(secret));
        c
    };

    let mut all = vec![
        // ---- provider block ----
        case(
            Provider,
            "endpoint",
            V::Huge("https://", MIB),
            "Invalid endpoint",
        ),
        case(
            Provider,
            "endpoint",
            s("api.spirl.com\0:443"),
            "control characters",
        ),
        case(
            Provider,
            "endpoint",
            s("https://api.spirl.com\n"),
            "control characters",
        ),
        case(
            Provider,
            "endpoint",
            s("https://\u{0430}pi.spirl.com"),
            "non-ASCII",
        ),
        case(
            Provider,
            "endpoint",
            s("https://api\u{FF0E}spirl\u{FF0E}com"),
            "non-ASCII",
        ),
        case(
            Provider,
            "endpoint",
            s("https://api.spi\u{200D}rl.com"),
            "non-ASCII",
        ),
        case(
            Provider,
            "endpoint",
            s("https://user:hunter2@api.spirl.com"),
            "user name or password",
        ),
        case(
            Provider,
            "endpoint",
            s("ftp://api.spirl.com"),
            "only `https` and `http`",
        ),
        case(
            Provider,
            "endpoint",
            s("api.spirl.com:99999"),
            "cannot be parsed",
        ),
        case(
            Provider,
            "endpoint",
            s("https://api.spirl.com/v1?x=1"),
            "path, query or fragment",
        ),
        case(
            Provider,
            "endpoint",
            s("http://api.spirl.com"),
            "Use `https://`, or set `use_tls = false`",
        ),
        case(Provider, "endpoint", s(""), "is empty"),
        // Ids are opaque (DESIGN.md §2): any alphabet and length after `sak-`, but no
        // whitespace or `/`.
        case(
            Provider,
            "sa_key_id",
            s("sak-abc/123"),
            "not a service-account key id",
        ),
        case(
            Provider,
            "sa_key_id",
            s("sak-abc\n123"),
            "not a service-account key id",
        ),
        case(
            Provider,
            "sa_key_id",
            s("sak-"),
            "not a service-account key id",
        ),
        with_secret(
            case(
                Provider,
                "sa_private_key",
                s(&ed_private.replace("-----END PRIVATE KEY-----", "")),
                "the END line is missing",
            ),
            &ed_private,
        ),
        case(
            Provider,
            "sa_private_key",
            s(&ed_public),
            "a private key is expected",
        ),
        with_secret(
            case(
                Provider,
                "sa_private_key",
                s(&ec_private),
                "an EC P-256 key",
            ),
            &ec_private,
        ),
        with_secret(
            case(Provider, "sa_private_key", s(&x25519_private), "X25519"),
            &x25519_private,
        ),
        with_secret(
            case(Provider, "sa_private_key", s(&rsa_private), "an RSA key"),
            &rsa_private,
        ),
        with_secret(
            case(
                Provider,
                "sa_private_key",
                // Text and other blocks around the key are passed over, as Go's pem.Decode
                // does; the key block found is judged.
                s(&format!("# key\n{ed_public}{ec_private}")),
                "an EC P-256 key",
            ),
            &ec_private,
        ),
        with_secret(
            case(Provider, "sa_private_key", s(&encrypted), "encrypted"),
            &encrypted,
        ),
        case(
            Provider,
            "sa_private_key",
            V::Huge("-----BEGIN PRIVATE KEY-----\n", MIB),
            "Invalid sa_private_key",
        ),
        case(Provider, "request_timeout", s("-5s"), "expected a number"),
        case(Provider, "request_timeout", s("30"), "has no unit"),
        case(Provider, "request_timeout", s("1d"), "is not a unit"),
        case(
            Provider,
            "request_timeout",
            s("99999999999999999999h"),
            "too long",
        ),
        case(Provider, "request_timeout", s("0.5ms"), "outside 1ms to 1h"),
        case(Provider, "request_timeout", s("3s\0"), "is not a unit"),
        case(Provider, "max_retries", raw("-1"), "outside 0 to 20"),
        case(Provider, "max_retries", raw("2.5"), "whole number"),
        case(Provider, "max_retries", raw("1e400"), "max_retries"),
        case(Provider, "use_tls", s("maybe"), "bool"),
        // ---- spirl_trust_domain ----
        case(
            TrustDomain,
            "domain_name",
            s("\u{0435}xample.org"),
            "U+0435",
        ),
        case(
            TrustDomain,
            "domain_name",
            s("example\u{FF0E}org"),
            "U+FF0E",
        ),
        case(
            TrustDomain,
            "domain_name",
            s("exa\u{200D}mple.org"),
            "U+200D",
        ),
        case(
            TrustDomain,
            "domain_name",
            s("\u{0430}\u{0440}\u{0440}\u{04CF}\u{0435}.com"),
            "not ASCII",
        ),
        case(TrustDomain, "domain_name", s("Example.org"), "uppercase"),
        case(
            TrustDomain,
            "domain_name",
            V::Huge("", 256),
            "256 characters",
        ),
        case(
            TrustDomain,
            "domain_name",
            V::Huge("", MIB),
            "1048576 characters",
        ),
        case(TrustDomain, "domain_name", s("example\0.org"), "U+0000"),
        case(TrustDomain, "domain_name", s("example.org\n"), "U+000A"),
        case(
            TrustDomain,
            "domain_name",
            s("spiffe://example.org"),
            "SPIFFE ID",
        ),
        case(TrustDomain, "domain_name", s(""), "empty"),
        case(
            TrustDomain,
            "jwt_issuer_mode",
            s("BUILTIN"),
            "must be \"builtin\"",
        ),
        case(
            TrustDomain,
            "jwt_issuer_mode",
            s("builtin\0"),
            "must be \"builtin\"",
        ),
        case(
            TrustDomain,
            "jwt_issuer",
            s("http://issuer.example.com"),
            "not an https:// URL",
        ),
        case(
            TrustDomain,
            "jwt_issuer",
            s("https://issuer.example.com/\nx"),
            "whitespace",
        ),
        case(TrustDomain, "self_hosted", s("maybe"), "bool"),
        case(TrustDomain, "jwt_issuer_mode", s("custom"), "jwt_issuer"),
        // ---- spirl_trust_domain_deployment ----
        case(
            Deployment,
            "trust_domain_id",
            s("example.org"),
            "Invalid trust domain id",
        ),
        case(
            Deployment,
            "trust_domain_id",
            s("td-abc/../td-def"),
            "Invalid trust domain id",
        ),
        case(
            Deployment,
            "trust_domain_id",
            s("td-abc\0"),
            "Invalid trust domain id",
        ),
        case(Deployment, "name", s(""), "name is empty"),
        // The control plane has no deployment without a key.
        case(Deployment, "keys", raw("{}"), "keys is empty"),
        case(Deployment, "active", s("maybe"), "bool"),
        case(Deployment, "active", raw("42"), "bool"),
        with_secret(
            case(Deployment, "keys", s(&ed_private), "private key"),
            &ed_private,
        ),
        case(
            Deployment,
            "keys",
            s(&ed_public.replace("-----END PUBLIC KEY-----", "-----END PRIVATE KEY-----")),
            "the BEGIN and END labels differ",
        ),
        case(
            Deployment,
            "keys",
            s(&format!("# key\n{certificate}{}", rsa_public_key())),
            "an RSA key",
        ),
        case(Deployment, "keys", s(&rsa_public_key()), "an RSA key"),
        case(Deployment, "keys", s(&ec_public), "an EC P-256 key"),
        case(Deployment, "keys", s(&x25519_public), "X25519"),
        case(Deployment, "keys", s(&ed448_public), "Ed448"),
        case(
            Deployment,
            "keys",
            s(&unknown_public),
            "unknown-algorithm (OID 1.2.3.4)",
        ),
        case(Deployment, "keys", s(&certificate), "CERTIFICATE"),
        case(
            Deployment,
            "keys",
            s(&ed.public_key().to_openssh()),
            "OpenSSH public key",
        ),
        case(Deployment, "keys", s(""), "empty"),
        case(
            Deployment,
            "keys",
            V::Huge("-----BEGIN PUBLIC KEY-----\n", MIB),
            "Invalid deployment public key",
        ),
        case(
            Deployment,
            "keys",
            s(&ed_public.replacen('M', "\0", 1)),
            "Invalid deployment public key",
        ),
        // The write-only key (Terraform 1.11+) gets the checks of `public_key`.
        with_secret(
            case(Deployment, "public_key_wo", s(&ed_private), "private key"),
            &ed_private,
        ),
        case(
            Deployment,
            "public_key_wo",
            s(&rsa_public_key()),
            "an RSA key",
        ),
        case(Deployment, "public_key_wo", s(""), "empty"),
        case(
            Deployment,
            "public_key_wo",
            V::Huge("-----BEGIN PUBLIC KEY-----\n", MIB),
            "Invalid deployment public key",
        ),
        case(Deployment, "public_key_wo_version", s("one"), "number"),
        case(
            Deployment,
            "public_key_wo_version",
            raw("1.5"),
            "public_key_wo_version",
        ),
        case(
            Deployment,
            "public_key_wo_version",
            raw("1e300"),
            "public_key_wo_version",
        ),
        // ---- spirl_key_pair ----
        case(KeyPair, "algorithm", s("rsa"), "Unsupported key algorithm"),
        case(
            KeyPair,
            "algorithm",
            s("ED25519"),
            "Unsupported key algorithm",
        ),
        case(
            KeyPair,
            "algorithm",
            s("ed25519\0"),
            "Unsupported key algorithm",
        ),
        case(
            KeyPair,
            "algorithm",
            s("x25519"),
            "Unsupported key algorithm",
        ),
        case(KeyPair, "algorithm", s(""), "Unsupported key algorithm"),
        case(
            KeyPair,
            "algorithm",
            V::Huge("ed25519", MIB),
            "Unsupported key algorithm",
        ),
        // ---- spirl_trust_domain (data source) ----
        case(
            TrustDomainData,
            "domain_name",
            s("\u{0435}xample.org"),
            "U+0435",
        ),
        case(
            TrustDomainData,
            "domain_name",
            s("EXAMPLE.ORG"),
            "uppercase",
        ),
        case(
            TrustDomainData,
            "domain_name",
            V::Huge("", MIB),
            "1048576 characters",
        ),
        // ---- spirl_alb_ingress_annotations ----
        case(Alb, "scheme", s("Internet-Facing"), "Invalid scheme"),
        case(Alb, "scheme", s("internal\0"), "Invalid scheme"),
        case(Alb, "target_type", s("ip\n"), "Invalid target_type"),
        case(
            Alb,
            "certificate_arns",
            raw(
                "[\"arn:aws:acm:us-east-1:123456789012:certificate/abc,arn:aws:acm:us-east-1:123456789012:certificate/def\"]",
            ),
            "contains a comma",
        ),
        case(
            Alb,
            "certificate_arns",
            raw(
                "[\"arn:aws:acm:us-east-1:123456789012:certificate/abc\", \"arn:aws:acm:us-east-1:123456789012:certificate/abc\"]",
            ),
            "Duplicate certificate ARN",
        ),
        case(
            Alb,
            "certificate_arns",
            raw("[\"arn:aws:acm:us-\\u0435ast-1:123456789012:certificate/abc\"]"),
            "not an AWS region",
        ),
        case(
            Alb,
            "certificate_arns",
            raw(&format!(
                "[{}]",
                hcl(
                    &V::Huge("arn:aws:acm:us-east-1:123456789012:certificate/", MIB),
                    0
                )
            )),
            "certificate id",
        ),
        case(
            Alb,
            "ssl_policy",
            s("ELBSecurityPolicy-TLS13-1-3-2021-06\0"),
            "Invalid SSL policy",
        ),
        case(
            Alb,
            "ssl_policy",
            s("ELBSecurityPolicy-\u{0422}LS13"),
            "Invalid SSL policy",
        ),
        case(Alb, "https_port", raw("0"), "is not a TCP port"),
        case(Alb, "https_port", raw("65536"), "is not a TCP port"),
        case(Alb, "https_port", raw("443.5"), "whole number"),
        case(Alb, "https_port", raw("1e300"), "https_port"),
        case(
            Alb,
            "idle_timeout_seconds",
            raw("-5"),
            "outside what an ALB accepts",
        ),
        case(
            Alb,
            "idle_timeout_seconds",
            raw("4001"),
            "outside what an ALB accepts",
        ),
        case(Alb, "idle_timeout_seconds", raw("1800.5"), "whole number"),
        case(
            Alb,
            "group_name",
            s("-group"),
            "start and end with a letter or digit",
        ),
        case(Alb, "group_name", V::Huge("g", 64), "longer than 63"),
        case(Alb, "group_name", s("Group"), "characters other than"),
        case(
            Alb,
            "group_name",
            s("gr\u{043E}up"),
            "characters other than",
        ),
        case(
            Alb,
            "additional_load_balancer_attributes",
            raw("{ \"routing.http2.enabled\" = \"true,deletion_protection.enabled=false\" }"),
            "without commas",
        ),
        case(
            Alb,
            "additional_load_balancer_attributes",
            raw("{ \"\" = \"x\" }"),
            "not an ALB attribute name",
        ),
        case(
            Alb,
            "additional_load_balancer_attributes",
            raw("{ \"idle_timeout.timeout_seconds\" = \"60\" }"),
            "controlled by `idle_timeout_seconds`",
        ),
        case(
            Alb,
            "additional_load_balancer_attributes",
            raw("{ \"access_logs.s3.prefix\" = \"a\\u0000b\" }"),
            "control characters",
        ),
        case(
            Alb,
            "extra_annotations",
            raw("{ \"alb.ingress.kubernetes.io/scheme\" = \"internal\" }"),
            "Annotation controlled by an input",
        ),
        case(
            Alb,
            "extra_annotations",
            raw("{ \"bad key\\u0000\" = \"x\" }"),
            "not a Kubernetes annotation key",
        ),
        case(
            Alb,
            "extra_annotations",
            raw(&format!(
                "{{ \"example.com/big\" = {} }}",
                hcl(&V::Huge("", MIB), 0)
            )),
            "Annotation value too long",
        ),
        // ---- spirl_server_monitoring ----
        case(
            Monitoring,
            "namespace_regex",
            s("tdd-("),
            "Invalid namespace regular expression",
        ),
        case(
            Monitoring,
            "namespace_regex",
            s("tdd-\n.*"),
            "control characters",
        ),
        case(
            Monitoring,
            "namespace_regex",
            V::Huge("tdd-", MIB),
            "longer than 1024 bytes",
        ),
        case(
            Monitoring,
            "deployment_id",
            s("tdd-\u{0430}bc"),
            "Invalid deployment id",
        ),
        case(
            Monitoring,
            "deployment_id",
            V::Huge("tdd-", MIB),
            "Invalid deployment id",
        ),
        case(Monitoring, "latency_metrics_enabled", s("maybe"), "bool"),
        case(
            Monitoring,
            "api_error_percent",
            raw("1e300"),
            "out of range",
        ),
        case(Monitoring, "api_error_percent", raw("-0.5"), "out of range"),
        case(
            Monitoring,
            "svid_failure_rate",
            raw("-1e-9"),
            "out of range",
        ),
        case(
            Monitoring,
            "control_plane_error_rate",
            raw("1e7"),
            "out of range",
        ),
        case(
            Monitoring,
            "mint_latency_p95_seconds",
            raw("0"),
            "out of range",
        ),
        case(
            Monitoring,
            "grpc_latency_p95_seconds",
            raw("-1"),
            "out of range",
        ),
        case(
            Monitoring,
            "cpu_limit_percent",
            raw("100.0001"),
            "out of range",
        ),
        case(
            Monitoring,
            "memory_limit_percent",
            raw("1e-400"),
            "out of range",
        ),
        case(Monitoring, "pod_restarts", raw("1001"), "out of range"),
        case(
            Monitoring,
            "for_durations",
            raw("{ SpirlServerCpuNearLimit = \"5m\\u0000\" }"),
            "Invalid duration",
        ),
        case(
            Monitoring,
            "for_durations",
            raw("{ SpirlServerCpuNearLimit = \"25h\" }"),
            "Duration too long",
        ),
        case(
            Monitoring,
            "for_durations",
            raw(&format!(
                "{{ SpirlServerCpuNearLimit = {} }}",
                hcl(&V::Huge("1", MIB), 0)
            )),
            "Invalid duration",
        ),
        case(
            Monitoring,
            "for_durations",
            raw("{ \"SpirlServerCpuNearLimit\\u0000\" = \"5m\" }"),
            "Unknown alert",
        ),
        case(
            Monitoring,
            "severities",
            raw("{ SpirlServerOomKilled = \"crit\\u0130cal\" }"),
            "Invalid severity",
        ),
        case(
            Monitoring,
            "severities",
            raw("{ NoSuchAlert = \"critical\" }"),
            "Unknown alert",
        ),
        case(
            Monitoring,
            "extra_labels",
            raw("{ \"__name__\" = \"x\" }"),
            "Invalid label name",
        ),
        case(
            Monitoring,
            "extra_labels",
            raw("{ \"t\\u0000\" = \"x\" }"),
            "Invalid label name",
        ),
        case(
            Monitoring,
            "extra_labels",
            raw("{ pod = \"x\" }"),
            "Label owned by the alerts",
        ),
        case(
            Monitoring,
            "extra_labels",
            raw("{ team = \"{{ .Foo }}\" }"),
            "Invalid label value",
        ),
        case(
            Monitoring,
            "extra_labels",
            raw(&format!("{{ team = {} }}", hcl(&V::Huge("", MIB), 0))),
            "Invalid label value",
        ),
        case(
            Monitoring,
            "prometheus_rule_name",
            s("rules\u{2028}"),
            "Invalid PrometheusRule name",
        ),
        case(
            Monitoring,
            "prometheus_rule_name",
            V::Huge("a", 300),
            "Invalid PrometheusRule name",
        ),
        case(
            Monitoring,
            "prometheus_rule_namespace",
            s("Monitoring"),
            "Invalid namespace",
        ),
        case(
            Monitoring,
            "prometheus_rule_labels",
            raw("{ release = \"a\\nb\" }"),
            "Invalid label value",
        ),
        case(
            Monitoring,
            "prometheus_rule_labels",
            raw("{ \"\" = \"x\" }"),
            "Invalid label key",
        ),
    ];
    // gRPC target forms that other clients accept but this provider does not dial.
    let long_label = format!("{}.spirl.com:443", "a".repeat(64));
    for (target, expect) in [
        ("dns:///api.spirl.com:443", "only `https` and `http`"),
        ("unix:///var/run/spirl.sock", "only `https` and `http`"),
        ("grpc://api.spirl.com:443", "only `https` and `http`"),
        (
            "api.spirl.com:443/com.spirl.api.v1.trustdomain.API",
            "path, query or fragment",
        ),
        ("api.spirl.com:0", "port 0"),
        ("[::1:443", "cannot be parsed"),
        (&long_label, "at most 63"),
        ("api.spirl.com :443", "control characters"),
    ] {
        all.push(case(Provider, "endpoint", s(target), expect));
    }
    // `timeouts` (an attribute or a block, as the schema says): the value is the body.
    let huge = format!("{{ create = {} }}", hcl(&V::Huge("1", MIB), 0));
    for body in [
        "{ create = \"ten minutes\" }",
        "{ create = \"-10m\" }",
        "{ create = \"1d\" }",
        "{ create = \"10m\\u0000\" }",
        "{ create = \"\" }",
        &huge,
    ] {
        all.push(case(
            TrustDomain,
            "timeouts",
            raw(body),
            "Invalid timeouts.create",
        ));
    }
    all.extend(sections_links_and_access_cases());
    all.extend(cluster_cases());
    all
}

/// The cases of the realm, cluster, attestation and CI/CD types: each new attribute.
fn cluster_cases() -> Vec<Case> {
    use Kind::*;
    let mut all = Vec::new();
    let mut add = |kind: Kind, attribute: &'static str, values: Vec<V>, expect: &'static str| {
        for value in values {
            all.push(case(kind, attribute, value, expect));
        }
    };
    let bad_realm_names = || {
        vec![
            s(""),
            s("a/b"),
            s(".."),
            s("prod\u{0}"),
            s("pr\u{043E}d"),
            s("white space"),
        ]
    };
    add(Realm, "name", bad_realm_names(), "Invalid realm name");
    add(
        Realm,
        "trust_domain_id",
        vec![s("example.org"), s("td-"), s("td-a b"), s("td-a/b")],
        "Invalid trust domain id",
    );
    add(
        RealmData,
        "name",
        vec![s("a b"), s(".")],
        "Invalid realm name",
    );
    add(
        RealmData,
        "trust_domain_id",
        vec![s("td_1")],
        "Invalid trust domain id",
    );

    add(Cluster, "name", vec![s("")], "Invalid cluster name");
    add(
        Cluster,
        "platform",
        vec![s("kubernetes"), s("K8S"), s(""), s("k8s ")],
        "Invalid platform",
    );
    add(
        Cluster,
        "trust_domain_id",
        vec![s("td-"), s("my-domain")],
        "Invalid trust domain id",
    );
    let mut keys = vec![
        s("not a key"),
        V::File(rsa_public_key()),
        s("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"),
    ];
    keys.push(V::Huge("-----BEGIN PUBLIC KEY-----", MIB));
    add(Cluster, "public_key", keys, "Invalid public_key");
    add(
        Cluster,
        "provider_attestation_id",
        vec![s(""), s("pac 1"), s("pac-1/2")],
        "Invalid provider_attestation_id",
    );
    add(
        Cluster,
        "realm_name",
        vec![s("a/b"), s("..")],
        "Invalid realm_name",
    );
    add(
        Cluster,
        "num_version_history",
        vec![raw("0"), raw("11"), raw("2.5"), raw("-1"), raw("1e6")],
        "Invalid num_version_history",
    );
    // Optional in the schema, as in the official one, but required with the block (the agent
    // attestation API: "Required. The OIDC issuer URL for the Kubernetes cluster.").
    add(
        Cluster,
        "issuer_url",
        vec![raw("null")],
        "Missing k8s_psat.issuer_url",
    );
    add(ClusterData, "name", vec![s("")], "Invalid cluster name");
    add(ClusterData, "platform", vec![s("vm")], "Invalid platform");

    add(ProviderAttestation, "name", vec![s("")], "Invalid name");
    // `aws.role_arn` has no format of ours: the control plane judges it
    // (provider_attestation_config.rs).
    add(
        CicdProfile,
        "name",
        vec![s("")],
        "Invalid CI/CD profile name",
    );
    add(
        CicdProfileData,
        "name",
        vec![s("")],
        "Invalid CI/CD profile name",
    );
    add(
        CicdLink,
        "cicd_profile_id",
        vec![s("c-123"), s("cicdp_1"), s("")],
        "Invalid CI/CD profile id",
    );
    add(
        CicdLink,
        "cluster_id",
        vec![s("cicdp-1"), s("c-"), s("C-1")],
        "Invalid cluster id",
    );
    all
}

/// The cases of the configuration-section, federation-link and access types.
fn sections_links_and_access_cases() -> Vec<Case> {
    use Kind::*;
    let mut all = Vec::new();
    for (value, expect) in [
        (
            s("section: KeyManager\nschema: v1\nspec: [unclosed\n"),
            "not valid YAML",
        ),
        (s("section: Other\nschema: v1\nspec: {}\n"), "differ"),
        (s("schema: v1\nspec: {}\n"), "no `section"),
        (s("section: KeyManager\nspec: {}\n"), "no `schema`"),
        (s("- a\n- b\n"), "not a mapping"),
        (
            s("section: KeyManager\nschema: v1\nspec: {a: 1, a: 2}\n"),
            "appears twice",
        ),
        (
            s("section: KeyManager\nschema: v1\nspec: {a: \"\u{0000}\"}\n"),
            "NUL",
        ),
        (s(""), "empty"),
        (
            s("section: K\u{0435}yManager\nschema: v1\nspec: {}\n"),
            "differ",
        ),
        (raw("{ \"\" = \"section: x\" }"), "section name is empty"),
    ] {
        all.push(case(OrgConfig, "sections", value, expect));
    }
    all.push(case(
        TrustDomainConfig,
        "sections",
        s("a: [1"),
        "not valid YAML",
    ));
    all.push(case(
        TrustDomainConfig,
        "trust_domain_id",
        s(" "),
        "Empty trust_domain_id",
    ));
    all.push(case(
        DeploymentConfig,
        "sections",
        s("section: X\nschema: v1\nspec: {}"),
        "differ",
    ));
    all.push(case(
        DeploymentConfig,
        "trust_domain_deployment_id",
        s(""),
        "Empty trust_domain_deployment_id",
    ));
    all.push(case(
        ClusterConfig,
        "sections",
        s("a: *x"),
        "not valid YAML",
    ));
    all.push(case(ClusterConfig, "cluster_id", s(""), "Empty cluster_id"));

    for (value, expect) in [
        (s("http://bundle.partner.example/"), "not an https:// URL"),
        (s("https://"), "has no host"),
        (s("https://bundle.partner.example/\n"), "whitespace"),
        (s("https://bundle partner.example/"), "whitespace"),
        (s("bundle.partner.example"), "not an https:// URL"),
        (s(""), "not an https:// URL"),
    ] {
        all.push(case(FederationLink, "endpoint_url", value, expect));
    }
    for (value, expect) in [
        (s("Partner.Example"), "uppercase"),
        (s("spiffe://partner.example"), "SPIFFE ID"),
        (s(""), "empty"),
        (s("p\u{0430}rtner.example"), "not ASCII"),
        (V::Huge("partner", 300), "at most 255"),
    ] {
        all.push(case(
            FederationLink,
            "foreign_trust_domain_name",
            value,
            expect,
        ));
    }
    all.push(case(
        FederationLink,
        "trust_domain_id",
        s("example.org"),
        "Invalid trust domain id",
    ));
    all.push(case(
        FederationLink,
        "trust_domain_id",
        s(""),
        "Invalid trust domain id",
    ));

    all.push(case(
        RoleAssignment,
        "user_email",
        s(""),
        "user_email is empty",
    ));
    all.push(case(
        DelegatedAdminData,
        "user_email",
        s(""),
        "user_email is empty",
    ));
    all.push(case(
        RoleAssignment,
        "service_account_name",
        s(""),
        "service_account_name is empty",
    ));
    all.push(case(
        RoleAssignment,
        "realm_name",
        s(""),
        "Invalid realm_name",
    ));
    all.push(case(
        RoleAssignment,
        "realm_name",
        s("a/b"),
        "Invalid realm_name",
    ));
    all.push(case(
        RoleAssignment,
        "role_name",
        s(""),
        "Invalid role_name",
    ));
    all.push(case(
        RoleAssignment,
        "trust_domain_id",
        s("  "),
        "Invalid trust domain id",
    ));
    // Both principals, and none.
    all.push(case(
        RoleAssignment,
        "service_account_name",
        raw("\"ci-bot\""),
        "service_account_name and user_email are set",
    ));
    // No principal at all.
    all.push(case(
        RoleAssignment,
        "user_email",
        raw("null"),
        "Set exactly one",
    ));
    all.push(case(ServiceAccountData, "name", s(""), "empty"));
    all.push(case(
        DelegatedAdminData,
        "service_account_name",
        raw("\"ci-bot\""),
        "service_account_name and user_email are set",
    ));
    all
}

/// The block for one case, named `c<index>`; `timeouts_block` says how `timeouts` is written.
fn block(index: usize, case: &Case, timeouts_block: bool) -> String {
    let name = format!("c{index}");
    let value = hcl(&case.value, index);
    let attribute = case.attribute;
    let valid_public = "-----BEGIN PUBLIC KEY-----\\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\\n-----END PUBLIC KEY-----\\n";
    match case.kind {
        Kind::Provider => format!(
            "provider \"spirl\" {{\n  alias = \"{name}\"\n  {attribute} = {value}\n}}\n\nresource \"spirl_key_pair\" \"{name}\" {{\n  provider = spirl.{name}\n}}\n"
        ),
        Kind::TrustDomain => {
            let mut body = BTreeMap::from([("domain_name", "\"example.org\"".to_owned())]);
            if attribute == "jwt_issuer" {
                body.insert("jwt_issuer_mode", "\"custom\"".to_owned());
            }
            let key = if attribute == "timeouts" && timeouts_block {
                TIMEOUTS_BLOCK
            } else {
                attribute
            };
            body.insert(key, value);
            resource("resource", "spirl_trust_domain", &name, &body)
        }
        Kind::Deployment => {
            let mut body = BTreeMap::from([
                ("trust_domain_id", "\"td-abc123\"".to_owned()),
                ("name", "\"prod\"".to_owned()),
                (
                    "keys",
                    format!("{{\n    key1 = {{ public_key = \"{valid_public}\" }}\n  }}"),
                ),
            ]);
            if attribute == "keys" && matches!(case.value, V::Raw(_)) {
                body.insert("keys", value);
            } else if attribute == "active" {
                body.insert(
                    "keys",
                    format!(
                        "{{\n    key1 = {{\n      public_key = \"{valid_public}\"\n      active = {value}\n    }}\n  }}"
                    ),
                );
            } else if attribute == "public_key_wo" || attribute == "public_key_wo_version" {
                let (wo, version) = if attribute == "public_key_wo" {
                    (value, "1".to_owned())
                } else {
                    (format!("\"{valid_public}\""), value)
                };
                body.insert(
                    "keys",
                    format!(
                        "{{\n    key1 = {{\n      public_key_wo = {wo}\n      public_key_wo_version = {version}\n    }}\n  }}"
                    ),
                );
            } else if attribute == "keys" {
                body.insert(
                    "keys",
                    format!(
                        "{{\n    key1 = {{ public_key = \"{valid_public}\" }}\n    hostile = {{\n      public_key = {value}\n    }}\n  }}"
                    ),
                );
            } else {
                body.insert(attribute, value);
            }
            resource("resource", "spirl_trust_domain_deployment", &name, &body)
        }
        Kind::KeyPair => resource(
            "resource",
            "spirl_key_pair",
            &name,
            &BTreeMap::from([(attribute, value)]),
        ),
        Kind::TrustDomainData => resource(
            "data",
            "spirl_trust_domain",
            &name,
            &BTreeMap::from([(attribute, value)]),
        ),
        Kind::Alb => resource(
            "data",
            "spirl_alb_ingress_annotations",
            &name,
            &BTreeMap::from([(attribute, value)]),
        ),
        Kind::Realm | Kind::RealmData => {
            let mut body = BTreeMap::from([
                ("trust_domain_id", "\"td-abc123\"".to_owned()),
                ("name", "\"production\"".to_owned()),
            ]);
            body.insert(attribute, value);
            let kind = if case.kind == Kind::Realm {
                "resource"
            } else {
                "data"
            };
            resource(kind, "spirl_realm", &name, &body)
        }
        Kind::Cluster | Kind::ClusterData => {
            let mut body = BTreeMap::from([
                ("trust_domain_id", "\"td-abc123\"".to_owned()),
                ("name", "\"my-cluster\"".to_owned()),
                ("platform", "\"k8s\"".to_owned()),
            ]);
            if case.kind == Kind::Cluster {
                body.insert("public_key", format!("\"{valid_public}\""));
            }
            match attribute {
                "issuer_url" | "service_account_name" | "service_account_namespace" => {
                    let issuer = "\"https://oidc.example.com\"".to_owned();
                    let mut psat = BTreeMap::from([("issuer_url", issuer)]);
                    psat.insert(attribute, value);
                    let lines: Vec<String> =
                        psat.iter().map(|(k, v)| format!("    {k} = {v}")).collect();
                    body.insert(
                        BLOCK_PREFIX_K8S_PSAT,
                        format!("{{\n{}\n  }}", lines.join("\n")),
                    );
                }
                _ => {
                    body.insert(attribute, value);
                }
            }
            let kind = if case.kind == Kind::Cluster {
                "resource"
            } else {
                "data"
            };
            resource(kind, "spirl_cluster", &name, &body)
        }
        Kind::ProviderAttestation => {
            let mut body = BTreeMap::from([("name", "\"my-attestation\"".to_owned())]);
            body.insert(attribute, value);
            let role = "\"arn:aws:iam::123456789012:role/my-role\"";
            body.insert(BLOCK_PREFIX_AWS, format!("{{\n    role_arn = {role}\n  }}"));
            resource(
                "resource",
                "spirl_provider_attestation_config",
                &name,
                &body,
            )
        }
        Kind::CicdProfile | Kind::CicdProfileData => {
            let mut body = BTreeMap::from([("name", "\"my-profile\"".to_owned())]);
            if case.kind == Kind::CicdProfile {
                body.insert("issuer", "\"https://gitlab.com\"".to_owned());
            }
            body.insert(attribute, value);
            let kind = if case.kind == Kind::CicdProfile {
                "resource"
            } else {
                "data"
            };
            resource(kind, "spirl_cicd_profile", &name, &body)
        }
        Kind::CicdLink => {
            let mut body = BTreeMap::from([
                ("cicd_profile_id", "\"cicdp-abc123\"".to_owned()),
                ("cluster_id", "\"c-abc123\"".to_owned()),
            ]);
            body.insert(attribute, value);
            resource("resource", "spirl_cicd_profile_link", &name, &body)
        }
        Kind::OrgConfig
        | Kind::TrustDomainConfig
        | Kind::DeploymentConfig
        | Kind::ClusterConfig => {
            let (type_name, scope) = match case.kind {
                Kind::OrgConfig => ("spirl_org_config", None),
                Kind::TrustDomainConfig => ("spirl_trust_domain_config", Some("trust_domain_id")),
                Kind::DeploymentConfig => (
                    "spirl_trust_domain_deployment_config",
                    Some("trust_domain_deployment_id"),
                ),
                _ => ("spirl_cluster_config", Some("cluster_id")),
            };
            let mut body = BTreeMap::from([("sections", "{}".to_owned())]);
            if let Some(scope) = scope {
                body.insert(scope, "\"id-abc123\"".to_owned());
            }
            let value = match (&case.value, attribute) {
                (V::Raw(_), _)
                | (_, "trust_domain_id" | "trust_domain_deployment_id" | "cluster_id") => value,
                _ => format!("{{ KeyManager = {value} }}"),
            };
            body.insert(attribute, value);
            resource("resource", type_name, &name, &body)
        }
        Kind::FederationLink => {
            let mut body = BTreeMap::from([
                ("trust_domain_id", "\"td-abc123\"".to_owned()),
                (
                    "foreign_trust_domain_name",
                    "\"partner.example\"".to_owned(),
                ),
                (
                    "endpoint_url",
                    "\"https://bundle.partner.example/\"".to_owned(),
                ),
            ]);
            body.insert(attribute, value);
            resource("resource", "spirl_federation_link", &name, &body)
        }
        Kind::RoleAssignment | Kind::DelegatedAdminData => {
            let mut body = BTreeMap::from([
                ("trust_domain_id", "\"td-abc123\"".to_owned()),
                ("realm_name", "\"production\"".to_owned()),
                ("user_email", "\"admin@example.com\"".to_owned()),
            ]);
            let kind = if case.kind == Kind::RoleAssignment {
                body.insert("role_name", "\"Administrator\"".to_owned());
                "resource"
            } else {
                "data"
            };
            // A raw service account name goes beside the user's email (both principals); a
            // string replaces it.
            match attribute {
                "service_account_name" if matches!(case.value, V::Raw(_)) => {
                    body.insert(attribute, value);
                }
                "service_account_name" => {
                    body.remove("user_email");
                    body.insert(attribute, value);
                }
                _ => {
                    body.insert(attribute, value);
                }
            }
            let type_name = if kind == "resource" {
                "spirl_realm_role_assignment"
            } else {
                "spirl_delegated_admin"
            };
            resource(kind, type_name, &name, &body)
        }
        Kind::ServiceAccountData => resource(
            "data",
            "spirl_service_account",
            &name,
            &BTreeMap::from([(attribute, value)]),
        ),
        // Latency metrics on, so no case draws the warning about leaving them out.
        Kind::Monitoring => {
            let mut body = BTreeMap::from([("latency_metrics_enabled", "true".to_owned())]);
            body.insert(attribute, value);
            resource("data", "spirl_server_monitoring", &name, &body)
        }
    }
}

fn resource(kind: &str, type_name: &str, name: &str, body: &BTreeMap<&str, String>) -> String {
    let mut out = format!("{kind} \"{type_name}\" \"{name}\" {{\n");
    for (attribute, value) in body {
        if *attribute == TIMEOUTS_BLOCK {
            let _ = writeln!(out, "  timeouts {value}");
        } else if let Some(block) = attribute.strip_prefix(BLOCK_PREFIX) {
            let _ = writeln!(out, "  {block} {value}");
        } else {
            let _ = writeln!(out, "  {attribute} = {value}");
        }
    }
    out.push_str("}\n");
    out
}

/// Keys of a body written as nested blocks (`k8s_psat { … }`) rather than attributes.
const BLOCK_PREFIX: &str = "block ";
/// See [`BLOCK_PREFIX`].
const BLOCK_PREFIX_K8S_PSAT: &str = "block k8s_psat";
/// See [`BLOCK_PREFIX`].
const BLOCK_PREFIX_AWS: &str = "block aws";

/// The key under which [`block`] gets `timeouts` when the schema makes it a block rather than
/// an attribute (terraform-plugin-framework-timeouts offers both; the case table is the same).
const TIMEOUTS_BLOCK: &str = "timeouts (block)";

/// Whether `spirl_trust_domain`'s `timeouts` is a block in the schema Terraform sees.
fn timeouts_is_a_block(h: &Harness) -> bool {
    h.write_config("resource \"spirl_key_pair\" \"k\" {}\n");
    let out = h.tf_ok(&["providers", "schema", "-json"]);
    let schemas: Json = serde_json::from_str(&out.stdout).expect("providers schema -json");
    let provider = schemas["provider_schemas"]
        .as_object()
        .and_then(|p| p.values().next())
        .expect("one provider");
    let block = &provider["resource_schemas"]["spirl_trust_domain"]["block"];
    assert!(
        block["attributes"].get("timeouts").is_some()
            || block["block_types"].get("timeouts").is_some(),
        "spirl_trust_domain has `timeouts`"
    );
    block["block_types"].get("timeouts").is_some()
}

/// Text that only a crash, a protocol failure or a provider bug prints.
const CRASH_TEXT: &[&str] = &[
    "panic",
    "rpc error",
    "Plugin did not respond",
    "plugin exited",
    "inconsistent",
    "transport is closing",
    "code = Unknown",
    "Unavailable desc",
];

#[test]
fn hostile_inputs_each_fail_validate_naming_the_attribute() {
    let Some(mut h) = Harness::start("hostile_inputs") else {
        return;
    };
    // The aliased provider blocks say everything about their endpoint themselves: the harness's
    // SPIRL_USE_TLS (empty counts as unset) would contradict their `https://` endpoints. The
    // default provider, which every other block uses, reaches the mock in plain text, so that
    // "nothing reached the mock" below means something.
    h.set_env("SPIRL_USE_TLS", "");
    let timeouts_block = timeouts_is_a_block(&h);
    let cases = cases();
    assert!(cases.len() >= 100, "{} cases", cases.len());
    eprintln!("hostile_inputs: {} hostile values", cases.len());

    // One file, one block per case; remember each block's lines.
    let mut config = String::from("provider \"spirl\" {\n  use_tls = false\n}\n\n");
    let mut spans = Vec::new();
    for (index, case) in cases.iter().enumerate() {
        if let V::File(text) = &case.value {
            h.write_file(&format!("c{index}.txt"), text);
        }
        let text = block(index, case, timeouts_block);
        let first = config.lines().count() + 1;
        config.push_str(&text);
        config.push('\n');
        spans.push(first..=config.lines().count());
    }
    h.write_config(&config);

    let out = h.tf(&["validate", "-json", "-no-color"]);
    assert_ne!(out.code, 0, "validate must fail:\n{}", out.stderr);
    let report: Json = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("validate -json prints JSON ({e}):\n{}", out.stderr));
    let diagnostics = report["diagnostics"].as_array().expect("diagnostics");

    let mut found: Vec<Vec<&Json>> = vec![Vec::new(); cases.len()];
    let mut stray = Vec::new();
    for d in diagnostics {
        if d["severity"] != "error" {
            continue;
        }
        let line = d["range"]["start"]["line"].as_u64().unwrap_or(0) as usize;
        match spans.iter().position(|span| span.contains(&line)) {
            Some(index) => found[index].push(d),
            None => stray.push(d),
        }
    }
    assert!(
        stray.is_empty(),
        "errors that belong to no case: {stray:#?}"
    );

    let mut failures = Vec::new();
    for (index, (case, diags)) in cases.iter().zip(&found).enumerate() {
        let label = format!("case c{index} ({:?}.{})", case.kind, case.attribute);
        if diags.is_empty() {
            failures.push(format!("{label}: no error; the value got through validate"));
            continue;
        }
        let matching = diags.iter().any(|d| {
            let text = format!(
                "{}\n{}\n{}",
                d["summary"].as_str().unwrap_or_default(),
                d["detail"].as_str().unwrap_or_default(),
                d["snippet"]["code"].as_str().unwrap_or_default(),
            );
            let names_it = text.contains(case.attribute);
            let says_it = d["summary"]
                .as_str()
                .unwrap_or_default()
                .contains(case.expect)
                || d["detail"]
                    .as_str()
                    .unwrap_or_default()
                    .contains(case.expect);
            names_it && says_it
        });
        if !matching {
            failures.push(format!(
                "{label}: expected an error naming `{}` that says {:?}, got {:#?}",
                case.attribute, case.expect, diags
            ));
        }
        for d in diags {
            let text = d.to_string();
            for crash in CRASH_TEXT {
                if text.contains(crash) {
                    failures.push(format!("{label}: {crash:?} in {d}"));
                }
            }
            // A hostile value is quoted cut short, never a megabyte back at the user.
            if text.len() > 8 * 1024 {
                failures.push(format!("{label}: a {} byte diagnostic", text.len()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));

    // `plan` stops at the same errors, and nothing reaches the control plane.
    let plan = h.tf(&["plan", "-input=false", "-no-color"]);
    assert_ne!(plan.code, 0, "plan must fail");
    let stats = h.mock().stats();
    assert_eq!(stats.objects, Default::default(), "nothing created");
    assert!(
        stats.requests.is_empty(),
        "no API call at all: {:?}",
        stats.requests
    );

    let printed = format!("{}\n{}", out.all(), plan.all());
    for crash in CRASH_TEXT {
        assert!(!printed.contains(crash), "{crash:?} printed");
    }
    for (index, case) in cases.iter().enumerate() {
        for line in case.secret.iter().flat_map(|s| s.lines()) {
            assert!(
                !printed.contains(line),
                "case c{index}: secret key material printed"
            );
        }
    }
}
