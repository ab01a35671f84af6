//! Field validation as a strict control plane does it. Every refusal is an
//! [`ApiError::InvalidArgument`] whose message names the field and says what is wrong.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::VerifyingKey;
use ed25519_dalek::pkcs8::DecodePublicKey as _;
use ed25519_dalek::pkcs8::spki::SubjectPublicKeyInfoRef;

use crate::error::ApiError;

/// Longest SPIFFE trust domain name.
pub const MAX_TRUST_DOMAIN_NAME: usize = 255;
/// Longest deployment name (a DNS label).
pub const MAX_DEPLOYMENT_NAME: usize = 63;
/// Longest description, in characters.
pub const MAX_DESCRIPTION: usize = 1024;
/// Longest JWT issuer URL.
pub const MAX_URL: usize = 2048;

fn invalid(message: String) -> ApiError {
    ApiError::InvalidArgument(message)
}

/// A SPIFFE trust domain name: lowercase letters, digits, `.`, `-`, `_`, 1–255 characters, no
/// empty labels.
pub fn trust_domain_name(name: &str) -> Result<(), ApiError> {
    if name.is_empty() {
        return Err(invalid("name must not be empty".into()));
    }
    if name.len() > MAX_TRUST_DOMAIN_NAME {
        return Err(invalid(format!(
            "name is {} characters long; a trust domain name has at most {MAX_TRUST_DOMAIN_NAME}",
            name.chars().count()
        )));
    }
    if name.starts_with("spiffe://") {
        return Err(invalid(format!(
            "name `{name}` is a SPIFFE ID; give the bare trust domain name, without `spiffe://`"
        )));
    }
    if let Some((at, c)) = name
        .chars()
        .enumerate()
        .find(|(_, c)| !matches!(c, 'a'..='z' | '0'..='9' | '.' | '-' | '_'))
    {
        return Err(invalid(format!(
            "name `{name}` contains {c:?} at position {}; a trust domain name may only contain \
             lowercase letters, digits, '.', '-' and '_'",
            at + 1
        )));
    }
    if name.starts_with('.') || name.ends_with('.') {
        return Err(invalid(format!(
            "name `{name}` must not start or end with '.'"
        )));
    }
    if name.contains("..") {
        return Err(invalid(format!("name `{name}` has an empty label ('..')")));
    }
    Ok(())
}

/// A deployment name: 1–63 characters, lowercase letters, digits and `-`, starting with a letter
/// and not ending with `-`.
pub fn deployment_name(name: &str) -> Result<(), ApiError> {
    if name.is_empty() {
        return Err(invalid("name must not be empty".into()));
    }
    if name.len() > MAX_DEPLOYMENT_NAME {
        return Err(invalid(format!(
            "name is {} characters long; a deployment name has at most {MAX_DEPLOYMENT_NAME}",
            name.chars().count()
        )));
    }
    if let Some((at, c)) = name
        .chars()
        .enumerate()
        .find(|(_, c)| !matches!(c, 'a'..='z' | '0'..='9' | '-'))
    {
        return Err(invalid(format!(
            "name `{name}` contains {c:?} at position {}; a deployment name may only contain \
             lowercase letters, digits and '-'",
            at + 1
        )));
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err(invalid(format!(
            "name `{name}` must start with a lowercase letter"
        )));
    }
    if name.ends_with('-') {
        return Err(invalid(format!("name `{name}` must not end with '-'")));
    }
    Ok(())
}

/// A description: at most 1024 characters.
pub fn description(text: &str) -> Result<(), ApiError> {
    let length = text.chars().count();
    if length > MAX_DESCRIPTION {
        return Err(invalid(format!(
            "description is {length} characters long; at most {MAX_DESCRIPTION} are allowed"
        )));
    }
    Ok(())
}

/// A custom JWT issuer: an absolute `https://` URL with a host.
pub fn issuer_url(url: &str) -> Result<(), ApiError> {
    if url.len() > MAX_URL {
        return Err(invalid(format!(
            "jwt_issuer.url is {} characters long; at most {MAX_URL} are allowed",
            url.len()
        )));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid(format!(
            "jwt_issuer.url `{url}` contains whitespace or control characters"
        )));
    }
    let Some(rest) = url.strip_prefix("https://") else {
        return Err(invalid(format!(
            "jwt_issuer.url `{url}` must be an https:// URL"
        )));
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit('@').next().unwrap_or_default();
    if authority.contains('@') {
        return Err(invalid(format!(
            "jwt_issuer.url `{url}` must not carry user information"
        )));
    }
    if host.is_empty() || host.starts_with(':') {
        return Err(invalid(format!("jwt_issuer.url `{url}` has no host")));
    }
    Ok(())
}

/// What a public key looked like when it was refused; also used by tests to check messages.
const EXPECTED_KEY: &str =
    "expected an ed25519 public key in PEM (SPKI, `-----BEGIN PUBLIC KEY-----`)";

/// An ed25519 public key in SPKI PEM, alone. Returns the 32 raw key bytes, which identify the key
/// whatever its PEM line breaks.
pub fn public_key(pem: &str) -> Result<[u8; 32], ApiError> {
    let text = pem.trim();
    if text.is_empty() {
        return Err(invalid(format!("public_key is empty; {EXPECTED_KEY}")));
    }
    let Some(begin_at) = text.find("-----BEGIN ") else {
        return Err(invalid(format!(
            "public_key is not PEM: it has no `-----BEGIN …-----` line; {EXPECTED_KEY}"
        )));
    };
    if begin_at != 0 {
        return Err(invalid(format!(
            "public_key has text before its PEM block; {EXPECTED_KEY}"
        )));
    }
    let (begin_line, rest) = text.split_once('\n').unwrap_or((text, ""));
    let label = begin_line
        .trim_end()
        .strip_prefix("-----BEGIN ")
        .and_then(|l| l.strip_suffix("-----"))
        .ok_or_else(|| {
            invalid(format!(
                "public_key is not PEM: its first line `{}` is not a `-----BEGIN <label>-----` line",
                begin_line.trim_end()
            ))
        })?;
    let end_line = format!("-----END {label}-----");
    let Some(end_at) = rest.find(&end_line) else {
        return Err(invalid(format!(
            "public_key is not PEM: the `{label}` block has no `{end_line}` line"
        )));
    };
    let body = &rest[..end_at];
    let trailing = rest[end_at + end_line.len()..].trim();
    if !trailing.is_empty() {
        return Err(invalid(
            "public_key has trailing data after its PEM block; send exactly one `PUBLIC KEY` \
             block and nothing else"
                .into(),
        ));
    }
    if label.contains("PRIVATE KEY") {
        return Err(invalid(format!(
            "public_key is a private key (`-----BEGIN {label}-----`); send only the public key, \
             never the private key"
        )));
    }
    match label {
        "PUBLIC KEY" => {}
        "RSA PUBLIC KEY" => {
            return Err(invalid(
                "public_key is an RSA public key (PKCS#1); only ed25519 keys are accepted".into(),
            ));
        }
        "CERTIFICATE" => {
            return Err(invalid(format!(
                "public_key is a certificate, not a public key; {EXPECTED_KEY}"
            )));
        }
        other => {
            return Err(invalid(format!(
                "public_key has PEM label `{other}`; {EXPECTED_KEY}"
            )));
        }
    }
    let base64: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    let der = STANDARD.decode(base64.as_bytes()).map_err(|e| {
        invalid(format!(
            "public_key: the body of the PEM block is not valid base64 ({e})"
        ))
    })?;
    let spki = SubjectPublicKeyInfoRef::try_from(der.as_slice()).map_err(|e| {
        invalid(format!(
            "public_key: the PEM block does not hold a DER SubjectPublicKeyInfo ({e})"
        ))
    })?;
    let algorithm = match spki.algorithm.oid.to_string().as_str() {
        "1.3.101.112" => None,
        "1.2.840.113549.1.1.1" => Some("an RSA key"),
        "1.2.840.10045.2.1" => Some("an EC (ECDSA) key"),
        "1.3.101.113" => Some("an Ed448 key"),
        "1.3.101.110" => Some("an X25519 key"),
        "1.3.101.111" => Some("an X448 key"),
        _ => Some("a key of an unknown algorithm"),
    };
    if let Some(kind) = algorithm {
        return Err(invalid(format!(
            "public_key is {kind} (algorithm OID {}); only ed25519 keys are accepted",
            spki.algorithm.oid
        )));
    }
    let key = VerifyingKey::from_public_key_der(&der).map_err(|e| {
        invalid(format!(
            "public_key is not a valid ed25519 public key ({e})"
        ))
    })?;
    if key.is_weak() {
        return Err(invalid(
            "public_key is a weak ed25519 key (a small-order point); generate a new key pair"
                .into(),
        ));
    }
    Ok(key.to_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(result: Result<impl std::fmt::Debug, ApiError>) -> String {
        match result {
            Err(ApiError::InvalidArgument(m)) => m,
            other => panic!("expected invalid_argument, got {other:?}"),
        }
    }

    #[test]
    fn trust_domain_names() {
        for good in ["example.org", "a", "td_1-x.example", &"a".repeat(255)] {
            assert!(trust_domain_name(good).is_ok(), "{good}");
        }
        assert!(message(trust_domain_name("")).contains("must not be empty"));
        assert!(message(trust_domain_name(&"a".repeat(256))).contains("at most 255"));
        assert!(message(trust_domain_name("Example.org")).contains("'E' at position 1"));
        assert!(message(trust_domain_name(".example.org")).contains("start or end with '.'"));
        assert!(message(trust_domain_name("example.org.")).contains("start or end with '.'"));
        assert!(message(trust_domain_name("a..b")).contains("empty label"));
        assert!(message(trust_domain_name("spiffe://a.b")).contains("without `spiffe://`"));
    }

    #[test]
    fn deployment_names() {
        for good in ["a", "prod-1", &"a".repeat(63)] {
            assert!(deployment_name(good).is_ok(), "{good}");
        }
        assert!(message(deployment_name("")).contains("must not be empty"));
        assert!(message(deployment_name(&"a".repeat(64))).contains("at most 63"));
        assert!(message(deployment_name("1abc")).contains("start with a lowercase letter"));
        assert!(message(deployment_name("-abc")).contains("start with a lowercase letter"));
        assert!(message(deployment_name("abc-")).contains("must not end with '-'"));
        assert!(message(deployment_name("a_b")).contains("'_' at position 2"));
    }

    #[test]
    fn issuer_urls() {
        assert!(issuer_url("https://issuer.example.com/x").is_ok());
        assert!(message(issuer_url("http://issuer.example.com")).contains("https://"));
        assert!(message(issuer_url("https://")).contains("no host"));
        assert!(message(issuer_url("https://a b")).contains("whitespace"));
        assert!(message(issuer_url("https://u@h")).contains("user information"));
    }
}
