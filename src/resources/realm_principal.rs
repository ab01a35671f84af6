//! What `spirl_realm_role_assignment` and the `spirl_delegated_admin` data source share: a
//! realm named within a trust domain, and a principal named by exactly one of
//! `service_account_name` and `user_email`, checked at plan time and resolved to ids through
//! the API, each failure reported at its attribute.
//!
//! The official provider also accepts `idp_group`; the published API has no field for an IdP
//! group in a role assignment, so it is not offered (the docs say so).

use tfplugin::{Attr, AttributePath, Diagnostics};

use crate::client::{ApiError, Client, Principal};
use crate::diagnostics;
use crate::problem::quote;
use crate::resources::service_account::service_account_name_problem;

/// The principal attributes of a configuration, with where each is reported.
pub struct PrincipalInput<'a> {
    /// `service_account_name`.
    pub service_account_name: &'a Attr<String>,
    /// `user_email`.
    pub user_email: &'a Attr<String>,
    /// The paths of `service_account_name` and `user_email`.
    pub at: (AttributePath, AttributePath),
}

impl<'a> PrincipalInput<'a> {
    /// The principal attributes of a configuration, reported at `at`.
    pub fn new(
        service_account_name: &'a Attr<String>,
        user_email: &'a Attr<String>,
        at: (AttributePath, AttributePath),
    ) -> Self {
        PrincipalInput {
            service_account_name,
            user_email,
            at,
        }
    }
}

/// Checks the principal attributes: exactly one set (the official docs), none empty. Unknown
/// values are checked once known.
pub fn check_principal(diags: &mut Diagnostics, input: &PrincipalInput<'_>) {
    let set = |a: &Attr<String>| !matches!(a, Attr::Null);
    match (set(input.service_account_name), set(input.user_email)) {
        (true, true) => diags.error_at(
            input.at.1.clone(),
            "Conflicting principals",
            "Both service_account_name and user_email are set; a role assignment is for \
             exactly one principal. Keep one of them (use two resources for two principals).",
        ),
        (false, false) => diags.error(
            "No principal",
            "Set exactly one of service_account_name (a service account's name) and user_email \
             (a user's email). IdP groups (`idp_group` of the official provider) are not \
             supported: the published API has no field for them.",
        ),
        _ => {}
    }
    if let Some(problem) = input
        .service_account_name
        .known()
        .and_then(|n| service_account_name_problem("service_account_name", n))
    {
        diags.error_at(input.at.0.clone(), "Invalid service_account_name", problem);
    }
    // The lookup by email is exact, so anything but an empty value (which would filter nothing)
    // is the control plane's to find or not.
    if input.user_email.known().is_some_and(String::is_empty) {
        diags.error_at(
            input.at.1.clone(),
            "Invalid user_email",
            "user_email is empty. Set it to the email the user signs in to Defakto with, such as \
             \"admin@example.com\".",
        );
    }
}

/// The id of realm `name` of trust domain `trust_domain_id`, or `None` after reporting at `at`:
/// the paths of the configuration's `realm_name` and `trust_domain_id`.
pub async fn resolve_realm(
    diags: &mut Diagnostics,
    client: &Client,
    trust_domain_id: &str,
    name: &str,
    at: (AttributePath, AttributePath),
) -> Option<String> {
    match client.list_realms(Some(trust_domain_id), Some(name)).await {
        Ok(found) => match found.into_iter().find(|r| r.name == name) {
            Some(realm) => Some(realm.id),
            None => {
                diags.error_at(
                    at.0,
                    "Realm not found",
                    format!(
                        "Trust domain {trust_domain_id} has no realm named {}. Create it with \
                         a `spirl_realm` resource (and refer to it, `realm_name = \
                         spirl_realm.<name>.name`, so Terraform creates it first), or fix the \
                         name.",
                        quote(name)
                    ),
                );
                None
            }
        },
        Err(e) => {
            diagnostics::api_error(diags, &e, Some(at.1));
            None
        }
    }
}

/// The principal the input names, resolved to its id, or `None` after reporting at its
/// attribute.
pub async fn resolve_principal(
    diags: &mut Diagnostics,
    client: &Client,
    input: &PrincipalInput<'_>,
) -> Option<Principal> {
    if let Some(name) = input.service_account_name.known() {
        let at = input.at.0.clone();
        return match client.list_service_accounts(Some(name)).await {
            Ok(found) => match found.into_iter().next() {
                Some(a) => Some(Principal::ServiceAccount(a.id)),
                None => {
                    diags.error_at(
                        at,
                        "Service account not found",
                        format!(
                            "No service account named {} exists in the organisation. Check the \
                             name in the Defakto console (it is exact, case included).",
                            quote(name)
                        ),
                    );
                    None
                }
            },
            Err(e) => {
                diagnostics::api_error(diags, &e, Some(at));
                None
            }
        };
    }
    let email = input.user_email.known()?;
    let at = input.at.1.clone();
    match client.list_users(Some(email)).await {
        Ok(found) => match found.into_iter().next() {
            Some(u) => Some(Principal::User(u.id)),
            None => {
                diags.error_at(
                    at,
                    "User not found",
                    format!(
                        "No user with the email {} is in the organisation. Invite them in the \
                         Defakto console first, or check the spelling.",
                        quote(email)
                    ),
                );
                None
            }
        },
        Err(e) => {
            diagnostics::api_error(diags, &e, Some(at));
            None
        }
    }
}

/// The names of `principal` (service account name or user email), for import and reads:
/// `(service_account_name, user_email)`.
pub async fn principal_names(
    client: &Client,
    principal: &Principal,
) -> Result<Option<(Attr<String>, Attr<String>)>, ApiError> {
    Ok(match principal {
        Principal::ServiceAccount(id) => client
            .list_service_accounts(None)
            .await?
            .into_iter()
            .find(|a| &a.id == id)
            .map(|a| (Attr::Value(a.name), Attr::Null)),
        Principal::User(id) => client
            .list_users(None)
            .await?
            .into_iter()
            .find(|u| &u.id == id)
            .map(|u| (Attr::Null, Attr::Value(u.email))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(sa: Attr<String>, email: Attr<String>) -> Vec<String> {
        let mut diags = Diagnostics::new();
        check_principal(
            &mut diags,
            &PrincipalInput {
                service_account_name: &sa,
                user_email: &email,
                at: (AttributePath::new(), AttributePath::new()),
            },
        );
        diags.items.iter().map(|d| d.summary.clone()).collect()
    }

    #[test]
    fn realm_principal_exactly_one_not_empty() {
        let v = |s: &str| Attr::Value(s.to_owned());
        assert!(check(v("ci-bot"), Attr::Null).is_empty());
        assert!(check(Attr::Null, v("admin@example.com")).is_empty());
        assert!(check(Attr::Unknown, Attr::Null).is_empty());
        assert_eq!(
            check(v("ci-bot"), v("a@example.com")),
            ["Conflicting principals"]
        );
        assert_eq!(check(Attr::Null, Attr::Null), ["No principal"]);
        // Only emptiness is ours to refuse: the lookups are exact, so an address or name that
        // belongs to nobody is reported as not found by the control plane's answer.
        for unusual in ["admin", "a@b", "a@example.com\n", "sso|user"] {
            assert!(check(Attr::Null, v(unusual)).is_empty(), "{unusual:?}");
        }
        assert_eq!(check(Attr::Null, v("")), ["Invalid user_email"]);
        assert!(check(v(" "), Attr::Null).is_empty());
        assert_eq!(check(v(""), Attr::Null), ["Invalid service_account_name"]);
    }
}
