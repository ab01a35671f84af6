//! `spirl_realm`: a named part of a trust domain that clusters belong to (`realm.API`). The data
//! source of the same name (`crate::data_sources::realm`) shares its state struct, attributes and
//! checks.
//!
//! The API has no update and no get by id: both attributes force a replacement, and a realm is
//! read by listing its trust domain's realms. A realm that clusters still use cannot be deleted.

use serde::{Deserialize, Serialize};
use tfplugin::{
    Attr, AttributePath, Diagnostics, Kind, Model, Read, Resource, Schema, async_trait,
};

use super::ids::trust_domain_id;
use crate::client::assumptions::REALM_ID_PREFIX;
use crate::client::{ApiError, ClientHandle, ReadBack, Realm, has_id_shape};
use crate::diagnostics;
use crate::problem::quote;

/// Configuration and state of `spirl_realm`, and the result of the data source (the same
/// attributes: looked up by trust domain and name, the rest read-only).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Model)]
pub struct RealmState {
    /// The realm's id, `rlm-…`.
    #[tf(computed, keep, data(computed))]
    pub id: Attr<String>,
    /// The id of the trust domain to create the realm in (`td-…`), such as
    /// `spirl_trust_domain.example.id`. Changing it replaces the realm.
    #[tf(required, replace, check = trust_domain_id(), data(required,
        doc = "The id of the trust domain the realm belongs to (`td-…`)."))]
    pub trust_domain_id: Attr<String>,
    /// The realm's name, unique in its trust domain: a SPIFFE ID path segment (ASCII letters,
    /// digits, `.`, `-` and `_`, not `.` or `..`). The API cannot rename a realm: changing it
    /// replaces the realm.
    #[tf(required, replace, check = check_name, data(required, doc = "The realm's name."))]
    pub name: Attr<String>,
    /// When the realm was created (RFC 3339, UTC).
    #[tf(computed, keep, data(computed))]
    pub created_at: Attr<String>,
}

impl From<Realm> for RealmState {
    fn from(r: Realm) -> Self {
        RealmState {
            id: Attr::Value(r.id),
            trust_domain_id: Attr::Value(r.trust_domain_id),
            name: Attr::Value(r.name),
            created_at: Attr::Value(r.created_at),
        }
    }
}

/// Why `name` is not a valid realm name (what is wrong and what to do), or `None`: the official
/// docs say a realm name "must be a valid SPIFFE ID path segment", and no more.
pub fn name_problem(name: &str) -> Option<String> {
    let q = quote(name);
    if name.is_empty() {
        return Some("name is empty. Set it to the realm's name, such as \"production\".".into());
    }
    if let Some((at, c)) = name
        .chars()
        .enumerate()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
    {
        let what = if c == '/' {
            " (a realm name is one path segment, not a path)".to_owned()
        } else if c.is_ascii() {
            String::new()
        } else {
            " (not ASCII: it may look like a letter, but is not one)".to_owned()
        };
        return Some(format!(
            "name {q} contains {c:?} (U+{:04X}) at position {}{what}. A realm name is a SPIFFE \
             ID path segment: use only ASCII letters, digits, '.', '-' and '_'.",
            u32::from(c),
            at + 1
        ));
    }
    if name == "." || name == ".." {
        return Some(format!(
            "name {q} is not allowed: `.` and `..` are not SPIFFE ID path segments. Choose a \
             name such as \"production\"."
        ));
    }
    None
}

fn check_name(name: &str, at: &AttributePath, diags: &mut Diagnostics) {
    if let Some(problem) = name_problem(name) {
        diags.error_at(at.clone(), "Invalid realm name", problem);
    }
}

/// The `spirl_realm` resource.
pub struct RealmResource {
    client: ClientHandle,
}

impl RealmResource {
    /// The resource, calling the API through `client` once the provider is configured.
    pub fn new(client: &ClientHandle) -> Self {
        RealmResource {
            client: client.clone(),
        }
    }
}

#[async_trait]
impl Resource for RealmResource {
    type State = RealmState;

    fn schema(&self) -> Schema {
        Schema::of::<RealmState>(Kind::Resource).description(
            "A realm: a named part of a trust domain, so that a team manages its own clusters \
             (`spirl_cluster.realm_name`) without reaching what lies outside it. The control \
             plane cannot edit a realm, so every change replaces it, and it refuses to delete a \
             realm that clusters still belong to. Import with `terraform import \
             spirl_realm.<name> rlm-…`.",
        )
    }

    async fn read(&self, diags: &mut Diagnostics, state: RealmState) -> Option<Read<RealmState>> {
        let client = self.client.get(diags)?;
        let id = state.id.known()?;
        let found = client
            .find_realm(id, state.trust_domain_id.known().map(String::as_str))
            .await;
        super::refreshed(diags, "realm", id, found)
    }

    async fn create(
        &self,
        diags: &mut Diagnostics,
        planned: RealmState,
        _config: RealmState,
    ) -> Option<RealmState> {
        let client = self.client.get(diags)?;
        let trust_domain_id = planned.trust_domain_id.known()?.clone();
        let name = planned.name.known()?.clone();
        let id = match client.create_realm(&trust_domain_id, &name).await {
            Ok(id) => id,
            Err(e @ ApiError::AlreadyExists(_)) => {
                let existing = client
                    .list_realms(Some(&trust_domain_id), Some(&name))
                    .await
                    .ok()
                    .and_then(|all| all.into_iter().find(|r| r.name == name))
                    .map(|r| r.id);
                diagnostics::realm_name_taken(diags, &e, &name, existing.as_deref());
                return None;
            }
            Err(e) if e.is_not_found() => {
                diagnostics::missing_reference(diags, &e, RealmState::paths().trust_domain_id);
                return None;
            }
            Err(e) => {
                let at = RealmState::paths();
                let fields = [("name", at.name), ("trust_domain_id", at.trust_domain_id)];
                diagnostics::api_error_at_field(diags, &e, &fields, None);
                return None;
            }
        };
        log::info!(id = id.as_str(), name = name.as_str(); "created realm");
        // Nothing half-created: a realm Terraform cannot record is removed.
        let read_back = client
            .read_back_or_remove(
                ReadBack::realm(&id),
                client.find_realm(&id, Some(&trust_domain_id)),
                client.delete_realm(&id),
            )
            .await;
        diagnostics::read_back(diags, read_back, &[]).map(Into::into)
    }

    async fn delete(&self, diags: &mut Diagnostics, prior: RealmState) -> Option<()> {
        let client = self.client.get(diags)?;
        let id = prior.id.known()?;
        match client.delete_realm(id).await {
            Ok(()) => Some(()),
            Err(e @ ApiError::FailedPrecondition(_)) => {
                let name = prior.name.known().map_or("", String::as_str);
                let clusters = match client.list_cluster_items(None, None, Some(id)).await {
                    Ok(list) => list.into_iter().map(|c| c.name).collect(),
                    Err(_) => Vec::new(),
                };
                diagnostics::realm_has_clusters(diags, &e, name, id, &clusters);
                None
            }
            Err(e) => {
                diagnostics::api_error(diags, &e, None);
                None
            }
        }
    }

    async fn import(&self, diags: &mut Diagnostics, id: String) -> Option<RealmState> {
        let client = self.client.get(diags)?;
        let wanted = id.trim();
        if !has_id_shape(wanted, REALM_ID_PREFIX) {
            diags.error(
                "Cannot import realm",
                format!(
                    "{} is not a realm id. `terraform import` takes the realm's id, `rlm-…` \
                     (find it in the Defakto console or with the `spirl_realm` data source).",
                    quote(wanted)
                ),
            );
            return None;
        }
        let found = client.find_realm(wanted, None).await;
        super::imported(diags, "realm", found, || {
            format!(
                "No realm has the id {}. Check the id in the Defakto console, and that the \
                 provider points at the right control plane.",
                quote(wanted)
            )
        })
    }
}
