//! Plan-time checks of `spirl_trust_domain` (resource and data source): the SPIFFE name rules,
//! the JWT issuer mode and URL, each reported at its attribute with what is wrong and what to do.
//! The description has no rule of ours: the SDK states none, so the control plane judges it.

use tfplugin::{Attr, AttributePath, Diagnostics, Model};

use super::TrustDomainState;
use crate::client::JwtIssuerMode;
use crate::problem::quote;
use crate::resources::ids::https_url_problem;

/// Longest SPIFFE trust domain name.
pub const MAX_DOMAIN_NAME: usize = 255;

/// Why `name` is not a valid SPIFFE trust domain name (what is wrong and what to do), or `None`.
pub fn domain_name_problem(name: &str) -> Option<String> {
    let q = quote(name);
    if name.is_empty() {
        return Some(
            "domain_name is empty. Set it to the trust domain name, such as \"example.org\"."
                .into(),
        );
    }
    if let Some(rest) = name.strip_prefix("spiffe://") {
        return Some(format!(
            "domain_name {q} is a SPIFFE ID. Set it to the bare trust domain name, {}.",
            quote(rest.split('/').next().unwrap_or_default())
        ));
    }
    let bad = name
        .chars()
        .enumerate()
        .find(|(_, c)| !matches!(c, 'a'..='z' | '0'..='9' | '.' | '-' | '_'));
    if let Some((at, c)) = bad {
        let position = at + 1;
        return Some(if c.is_ascii_uppercase() {
            format!(
                "domain_name {q} contains the uppercase letter '{c}' at position {position}; \
                 SPIFFE trust domain names are lowercase. Use {}.",
                quote(&name.to_ascii_lowercase())
            )
        } else {
            let kind = if c.is_ascii() {
                ""
            } else {
                " (not ASCII: it may look like a letter or digit, but is not one)"
            };
            format!(
                "domain_name {q} contains {c:?} (U+{:04X}) at position {position}{kind}. A \
                 SPIFFE trust domain name may only contain lowercase ASCII letters, digits, '.', \
                 '-' and '_'; retype the name with those.",
                u32::from(c)
            )
        });
    }
    if name.len() > MAX_DOMAIN_NAME {
        return Some(format!(
            "domain_name is {} characters long; a SPIFFE trust domain name has at most \
             {MAX_DOMAIN_NAME}. Use a shorter name.",
            name.len()
        ));
    }
    // Where the dots stand is not checked: the SPIFFE ID specification and go-spiffe's
    // `spiffeid.TrustDomainFromString` ask only for the character set, so `a..b` is the control
    // plane's to judge.
    None
}

/// Why `url` cannot be a custom JWT issuer, or `None`.
fn issuer_url_problem(url: &str) -> Option<String> {
    https_url_problem(
        "jwt_issuer",
        url,
        "the https:// URL of your JWT issuer, such as \"https://issuer.example.com\"",
    )
}

/// The declared check of `domain_name`.
pub fn check_domain_name(name: &str, at: &AttributePath, diags: &mut Diagnostics) {
    if let Some(problem) = domain_name_problem(name) {
        diags.error_at(at.clone(), "Invalid trust domain name", problem);
    }
}

/// Checks `jwt_issuer_mode` and `jwt_issuer` together; values not known yet are checked at
/// apply by the control plane.
pub fn validate_config(diags: &mut Diagnostics, config: &TrustDomainState) -> Option<()> {
    match issuer_problem(config) {
        Some((at, summary, detail)) => {
            diags.error_at(at, summary, detail);
            None
        }
        None => Some(()),
    }
}

/// What is wrong with `jwt_issuer_mode` and `jwt_issuer` together, if anything.
fn issuer_problem(config: &TrustDomainState) -> Option<(AttributePath, &'static str, String)> {
    let paths = TrustDomainState::paths();
    let mode = match &config.jwt_issuer_mode {
        Attr::Value(m) => m.as_str(),
        Attr::Null => JwtIssuerMode::Builtin.as_str(),
        Attr::Unknown => return None,
    };
    let (attr, summary, detail) = match (parse_mode(mode), &config.jwt_issuer) {
        (None, _) => (
            paths.jwt_issuer_mode,
            "Invalid jwt_issuer_mode",
            format!(
                "jwt_issuer_mode is {}; it must be \"builtin\", \"disabled\" or \"custom\".",
                quote(mode)
            ),
        ),
        (Some(JwtIssuerMode::Custom), Attr::Null) => (
            paths.jwt_issuer,
            "Missing jwt_issuer",
            "jwt_issuer is required when jwt_issuer_mode is \"custom\". Set jwt_issuer to the \
             https:// URL of your JWT issuer, or use jwt_issuer_mode = \"builtin\"."
                .into(),
        ),
        (Some(JwtIssuerMode::Custom), Attr::Value(url)) => (
            paths.jwt_issuer,
            "Invalid jwt_issuer",
            issuer_url_problem(url)?,
        ),
        // What `terraform plan -generate-config-out` writes for a disabled issuer: the empty
        // value the control plane reports. Anything else names an issuer that cannot exist.
        (Some(JwtIssuerMode::Disabled), Attr::Value(url)) if !url.is_empty() => (
            paths.jwt_issuer,
            "jwt_issuer not allowed",
            "jwt_issuer must not be set when jwt_issuer_mode is \"disabled\": JWT-SVIDs are \
             disabled, so there is no issuer. Remove jwt_issuer, or set jwt_issuer_mode = \
             \"custom\"."
                .into(),
        ),
        // With "builtin" the issuer is the control plane's (computed): a configured value is
        // accepted here, as generated configurations carry it, and compared with the effective
        // issuer once that is known (plan of an existing trust domain, or after apply).
        _ => return None,
    };
    Some((attr, summary, detail))
}

/// The mode named by its Terraform (and wire) spelling.
pub(super) fn parse_mode(mode: &str) -> Option<JwtIssuerMode> {
    [
        JwtIssuerMode::Builtin,
        JwtIssuerMode::Disabled,
        JwtIssuerMode::Custom,
    ]
    .into_iter()
    .find(|m| m.as_str() == mode)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_names() {
        let long = "a".repeat(255);
        // Dots anywhere: the SPIFFE spec's character set has '.', with no rule on where it stands.
        for ok in [
            "example.org",
            "a",
            "prod_1.example-2.org",
            &long,
            ".example.org",
            "example..org",
            "example.org.",
        ] {
            assert_eq!(domain_name_problem(ok), None, "{ok}");
        }
        let cases = [
            ("", "empty"),
            ("Example.org", "Use \"example.org\""),
            ("\u{0435}xample.org", "U+0435"),
            (
                "spiffe://example.org/x",
                "bare trust domain name, \"example.org\"",
            ),
            ("a b", "' '"),
            (&"a".repeat(256), "256 characters"),
        ];
        for (bad, says) in cases {
            let problem = domain_name_problem(bad).unwrap_or_default();
            assert!(problem.contains(says), "{bad:?}: {problem}");
            assert!(problem.starts_with("domain_name"), "{problem}");
        }
    }

    #[test]
    fn issuer_urls() {
        assert_eq!(issuer_url_problem("https://issuer.example.com/x"), None);
        for (bad, says) in [
            ("http://issuer.example.com", "https://"),
            ("https://", "no host"),
            ("https://a b", "whitespace"),
        ] {
            let problem = issuer_url_problem(bad).unwrap_or_default();
            assert!(problem.contains(says), "{bad}: {problem}");
        }
    }
}
