//! Plan-time checks shared by resources and data sources: attributes that hold another object's
//! id (`trust_domain_id`, `cluster_id`, …) and URLs of issuers.

use tfplugin::{Attr, AttributePath, Diagnostics};

use crate::client::{MAX_ID_LEN, has_id_shape};
use crate::problem::quote;

/// Reports `attr` when its known value is not an id with `prefix` (`what` names the object, `hint`
/// says where a valid one comes from). Unknown and null values pass: they are checked at plan, or
/// are required by the schema.
pub fn check_id(
    diags: &mut Diagnostics,
    attr: &str,
    value: &Attr<String>,
    prefix: &str,
    what: &str,
    hint: &str,
) {
    if let Some(id) = value.known().filter(|id| !has_id_shape(id, prefix)) {
        diags.error_at(
            AttributePath::root(attr),
            format!("Invalid {what} id"),
            format!(
                "{attr} is {}; a {what} id looks like `{prefix}` followed by 1 to {MAX_ID_LEN} \
                 lowercase letters and digits. Use {hint}.",
                quote(id)
            ),
        );
    }
}

/// Why `url` in attribute `attr` is not an absolute `https://` URL with a plain host, or `None`;
/// `what` says what the URL should be, for the message.
pub fn https_url_problem(attr: &str, url: &str, what: &str) -> Option<String> {
    let q = quote(url);
    if url.len() > 2048 {
        return Some(format!(
            "{attr} is {} bytes long; at most 2048 are allowed.",
            url.len()
        ));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some(format!(
            "{attr} {q} contains whitespace or control characters."
        ));
    }
    let Some(rest) = url.strip_prefix("https://") else {
        return Some(format!("{attr} {q} must be an https:// URL: {what}."));
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || host.starts_with(':') || host.contains('@') || !host.is_ascii() {
        return Some(format!(
            "{attr} {q} needs a plain host name after https:// (no user name, ASCII only): \
             {what}."
        ));
    }
    None
}
