//! Field validation as a strict control plane does it. Every refusal is an
//! [`ApiError::InvalidArgument`] whose message starts with the field's name (as the request
//! message spells it) and says what is wrong.

use ed25519_dalek::pkcs8::spki::SubjectPublicKeyInfoRef;
use ed25519_dalek::pkcs8::spki::der::Decode as _;

use crate::assumptions::{
    MAX_DEPLOYMENT_NAME, MAX_DESCRIPTION_BYTES, MAX_ISSUER_URL_BYTES, MAX_REALM_NAME_BYTES,
};
use crate::error::ApiError;

/// Longest SPIFFE trust domain name.
pub const MAX_TRUST_DOMAIN_NAME: usize = 255;

/// `INVALID_ARGUMENT` with `message`.
pub fn invalid(message: String) -> ApiError {
    ApiError::InvalidArgument(message)
}

/// A required string field: refused when empty.
pub fn required(field: &str, value: &str) -> Result<(), ApiError> {
    if value.is_empty() {
        return Err(invalid(format!("{field} is required")));
    }
    Ok(())
}

/// A SPIFFE trust domain name (field `name`): lowercase letters, digits, `.`, `-`, `_`, 1–255
/// characters. That is all the SPIFFE ID specification and go-spiffe's
/// `spiffeid.TrustDomainFromString` ask: dots anywhere (`.a`, `a..b`, `a.`) are taken.
pub fn trust_domain_name(name: &str) -> Result<(), ApiError> {
    required("name", name)?;
    if name.len() > MAX_TRUST_DOMAIN_NAME {
        return Err(invalid(format!(
            "name is {} bytes long; a trust domain name has at most {MAX_TRUST_DOMAIN_NAME}",
            name.len()
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
            "name `{}` contains {c:?} at position {}; a trust domain name may only contain \
             lowercase letters, digits, '.', '-' and '_'",
            name.escape_debug(),
            at + 1
        )));
    }
    Ok(())
}

/// A deployment name (field `deployment_name`): required, at most [`MAX_DEPLOYMENT_NAME`] bytes.
pub fn deployment_name(name: &str) -> Result<(), ApiError> {
    required_within("deployment_name", name, MAX_DEPLOYMENT_NAME)
}

/// A required field of at most `max` bytes.
pub fn required_within(field: &str, value: &str, max: usize) -> Result<(), ApiError> {
    required(field, value)?;
    if value.len() > max {
        return Err(invalid(format!(
            "{field} is {} bytes long; at most {max} are allowed",
            value.len()
        )));
    }
    Ok(())
}

/// A SPIFFE ID path segment in field `field`: 1 to `max` bytes of ASCII letters, digits, `.`,
/// `-` and `_`, and not `.` or `..` (SPIFFE ID §2.2).
pub fn path_segment(field: &str, value: &str, max: usize) -> Result<(), ApiError> {
    required_within(field, value, max)?;
    if let Some((at, c)) = value
        .chars()
        .enumerate()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
    {
        return Err(invalid(format!(
            "{field} `{}` contains {c:?} at position {}; a SPIFFE ID path segment may only \
             contain ASCII letters, digits, '.', '-' and '_'",
            value.escape_debug(),
            at + 1
        )));
    }
    if value == "." || value == ".." {
        return Err(invalid(format!(
            "{field} `{value}` is not a SPIFFE ID path segment ('.' and '..' are not allowed)"
        )));
    }
    Ok(())
}

/// A realm name (field `name`): a SPIFFE ID path segment.
pub fn realm_name(name: &str) -> Result<(), ApiError> {
    path_segment("name", name, MAX_REALM_NAME_BYTES)
}

/// A description: at most [`MAX_DESCRIPTION_BYTES`], no control characters but `\n` and `\t`.
pub fn description(text: &str) -> Result<(), ApiError> {
    if text.len() > MAX_DESCRIPTION_BYTES {
        return Err(invalid(format!(
            "description is {} bytes long; at most {MAX_DESCRIPTION_BYTES} are allowed",
            text.len()
        )));
    }
    if let Some(c) = text
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\t'))
    {
        return Err(invalid(format!(
            "description contains the control character {c:?}; only newlines and tabs are \
             allowed"
        )));
    }
    Ok(())
}

/// A custom JWT issuer (field `jwt_issuer.issuer`): an absolute `https://` URL with a host.
pub fn issuer_url(url: &str) -> Result<(), ApiError> {
    https_url(
        "jwt_issuer.issuer",
        url,
        " (set it empty to disable JWT-SVIDs)",
    )
}

/// An absolute `https://` URL with a host and no user information, in field `field`; `hint` is
/// added to the refusal of another scheme.
pub fn https_url(field: &str, url: &str, hint: &str) -> Result<(), ApiError> {
    url_with_scheme(field, url, &["https://"], hint)
}

/// An absolute `http://` or `https://` URL with a host and no user information, in field
/// `field`: a URL the control plane fetches where the SDK does not say it must be HTTPS
/// ([`crate::assumptions::FETCHED_URLS_MAY_BE_HTTP`]).
pub fn http_url(field: &str, url: &str) -> Result<(), ApiError> {
    url_with_scheme(field, url, &["https://", "http://"], "")
}

/// An absolute URL with one of `schemes`, a host and no user information.
fn url_with_scheme(field: &str, url: &str, schemes: &[&str], hint: &str) -> Result<(), ApiError> {
    if url.len() > MAX_ISSUER_URL_BYTES {
        return Err(invalid(format!(
            "{field} is {} bytes long; at most {MAX_ISSUER_URL_BYTES} are allowed",
            url.len()
        )));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid(format!(
            "{field} `{}` contains whitespace or control characters",
            url.escape_debug()
        )));
    }
    let Some(rest) = schemes.iter().find_map(|scheme| url.strip_prefix(scheme)) else {
        return Err(invalid(format!(
            "{field} `{url}` must be an {} URL{hint}",
            schemes.join(" or ")
        )));
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err(invalid(format!(
            "{field} `{url}` must not carry user information"
        )));
    }
    if authority.is_empty() || authority.starts_with(':') {
        return Err(invalid(format!("{field} `{url}` has no host")));
    }
    Ok(())
}

/// What a public key must be; part of every refusal of one.
const EXPECTED_KEY: &str = "expected an ed25519 SubjectPublicKeyInfo in DER";

/// `pkix_pubkey.data`: exactly one DER SubjectPublicKeyInfo of an ed25519 key, nothing after it.
/// Returns the 32 raw key bytes, which identify the key.
pub fn public_key_der(der: &[u8]) -> Result<[u8; 32], ApiError> {
    const FIELD: &str = "pkix_pubkey";
    if der.is_empty() {
        return Err(invalid(format!("{FIELD} is required; {EXPECTED_KEY}")));
    }
    if der.starts_with(b"-----BEGIN") {
        return Err(invalid(format!(
            "{FIELD} holds PEM text; send the DER bytes of the key (the base64 body of the PEM, \
             decoded); {EXPECTED_KEY}"
        )));
    }
    // `from_der` refuses trailing bytes.
    let spki = SubjectPublicKeyInfoRef::from_der(der).map_err(|e| {
        invalid(format!(
            "{FIELD} is not one DER SubjectPublicKeyInfo ({e}); {EXPECTED_KEY}"
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
            "{FIELD} is {kind} (algorithm OID {}); only ed25519 keys are accepted",
            spki.algorithm.oid
        )));
    }
    // KEY_BYTES_ARE_NOT_CHECKED_AS_A_POINT: 32 bytes, not decompressed.
    spki.subject_public_key
        .as_bytes()
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
        .ok_or_else(|| {
            invalid(format!(
                "{FIELD} is not a valid ed25519 public key (the key is not 32 bytes); \
                 {EXPECTED_KEY}"
            ))
        })
}

/// A configuration section name ([`crate::assumptions::SECTION_NAMES_ARE_IDENTIFIERS`]).
pub fn section_name(name: &str) -> Result<(), String> {
    let valid = name.len() <= 128
        && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if valid {
        Ok(())
    } else {
        Err(format!("section {name:?} is not a section name"))
    }
}

/// A section's schema version: `v` and digits.
pub fn section_schema(schema: &str) -> Result<(), String> {
    let digits = schema.strip_prefix('v').unwrap_or_default();
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(format!(
            "schema {schema:?} is not a schema version such as v1"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::pkcs8::EncodePublicKey as _;

    fn message(result: Result<impl std::fmt::Debug, ApiError>) -> String {
        match result {
            Err(ApiError::InvalidArgument(m)) => m,
            other => panic!("expected invalid_argument, got {other:?}"),
        }
    }

    #[test]
    fn trust_domain_names() {
        let long = "a".repeat(255);
        for good in [
            "example.org",
            "a",
            "td_1-x.example",
            &long,
            // The SPIFFE spec's character set includes '.', with no rule on where it stands.
            ".example.org",
            "example.org.",
            "a..b",
        ] {
            assert!(trust_domain_name(good).is_ok(), "{good}");
        }
        assert!(message(trust_domain_name("")).starts_with("name is required"));
        assert!(message(trust_domain_name(&"a".repeat(256))).contains("at most 255"));
        assert!(message(trust_domain_name("Example.org")).contains("'E' at position 1"));
        assert!(message(trust_domain_name("spiffe://a.b")).contains("without `spiffe://`"));
    }

    #[test]
    fn deployment_names() {
        // Not DNS labels: only required and bounded.
        for good in [
            "a",
            "prod-1",
            "Prod_1",
            "eu west",
            "1abc",
            "abc-",
            &"a".repeat(255),
        ] {
            assert!(deployment_name(good).is_ok(), "{good}");
        }
        assert!(message(deployment_name("")).starts_with("deployment_name is required"));
        assert!(message(deployment_name(&"a".repeat(256))).contains("at most 255"));
    }

    #[test]
    fn descriptions() {
        assert!(description("two\nlines\tand a tab").is_ok());
        assert!(description(&"x".repeat(MAX_DESCRIPTION_BYTES)).is_ok());
        assert!(message(description(&"x".repeat(MAX_DESCRIPTION_BYTES + 1))).contains("at most"));
        assert!(message(description("bell\u{7}")).starts_with("description contains"));
    }

    #[test]
    fn issuer_urls() {
        assert!(issuer_url("https://issuer.example.com/x").is_ok());
        for bad in [
            "http://issuer.example.com",
            "https://",
            "https://a b",
            "https://u@h",
        ] {
            assert!(
                message(issuer_url(bad)).starts_with("jwt_issuer.issuer"),
                "{bad}"
            );
        }
    }

    #[test]
    fn public_keys_are_not_checked_as_points() {
        // The placeholder a published configuration registers with the real control plane: an
        // ed25519 SPKI whose 32 bytes are no point on the curve.
        use base64::Engine as _;
        let der = base64::engine::general_purpose::STANDARD
            .decode("MCowBQYDK2VwAyEANoPrivateKeyExistsForThisPlaceholderKeyless=")
            .expect("base64");
        let bytes: [u8; 32] = der[12..].try_into().expect("32 key bytes");
        assert!(ed25519_dalek::VerifyingKey::from_bytes(&bytes).is_err());
        assert!(public_key_der(&der).is_ok());
    }

    #[test]
    fn public_keys() {
        let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]).verifying_key();
        let der = key.to_public_key_der().expect("der");
        assert_eq!(public_key_der(der.as_bytes()), Ok(key.to_bytes()));
        let mut trailing = der.as_bytes().to_vec();
        trailing.push(0);
        let pem = key
            .to_public_key_pem(Default::default())
            .expect("pem")
            .into_bytes();
        for bad in [&[][..], &trailing, &pem, b"garbage"] {
            assert!(message(public_key_der(bad)).starts_with("pkix_pubkey"));
        }
    }
}
