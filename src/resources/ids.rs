//! Plan-time checks shared by resources and data sources: attributes that hold another object's
//! id (`trust_domain_id`, `cluster_id`, …), and the URLs the API documents as HTTPS.

use tfplugin::{AttributePath, Diagnostics};

use crate::client::assumptions::TRUST_DOMAIN_ID_PREFIX;
use crate::client::has_id_shape;
use crate::problem::quote;

/// A declared check (`#[tf(check = id(…))]`) that reports an attribute whose value is not an id
/// with `prefix` (`what` names the object, `hint` says where a valid one comes from). Ids are
/// opaque: only the prefix, which published examples show (see `crate::client::assumptions`),
/// and the absence of whitespace and `/` are checked.
pub fn id(
    prefix: &'static str,
    what: &'static str,
    hint: &'static str,
) -> impl Fn(&String, &AttributePath, &mut Diagnostics) {
    move |id, at, diags| {
        if !has_id_shape(id, prefix) {
            diags.error_at(
                at.clone(),
                format!("Invalid {what} id"),
                format!(
                    "{at} is {}; a {what} id starts with `{prefix}`, with no spaces or `/`. Use \
                     {hint}.",
                    quote(id)
                ),
            );
        }
    }
}

/// The check of a `trust_domain_id` attribute.
pub fn trust_domain_id() -> impl Fn(&String, &AttributePath, &mut Diagnostics) {
    id(
        TRUST_DOMAIN_ID_PREFIX,
        "trust domain",
        "`spirl_trust_domain.<name>.id`",
    )
}

/// Why `url` in attribute `attr` is not an `https://` URL with a host, or `None`; `want` says what
/// to set instead. The one URL rule, for the URLs the API documents as HTTPS: a custom JWT issuer
/// ("https://…", the SDK's `JwtIssuerConfig`) and a federation bundle endpoint ("the HTTPS URL
/// for the foreign trust domain bundle", the SDK's `federationsdk.Endpoint`).
pub fn https_url_problem(attr: &str, url: &str, want: &str) -> Option<String> {
    let what = match url.strip_prefix("https://") {
        _ if url.chars().any(|c| c.is_whitespace() || c.is_control()) => {
            "contains whitespace or control characters"
        }
        None => "is not an https:// URL",
        Some(rest)
            if rest
                .split(['/', '?', '#'])
                .next()
                .unwrap_or_default()
                .is_empty() =>
        {
            "has no host"
        }
        Some(_) => return None,
    };
    Some(format!("{attr} {} {what}. Set it to {want}.", quote(url)))
}

/// A declared check that refuses an empty value (all the SDK says of the names it requires),
/// with `summary` and `detail` (what to set instead); the control plane judges the rest.
pub fn not_empty(
    summary: &'static str,
    detail: &'static str,
) -> impl Fn(&String, &AttributePath, &mut Diagnostics) {
    move |value, at, diags| {
        if value.is_empty() {
            diags.error_at(at.clone(), summary, detail);
        }
    }
}
