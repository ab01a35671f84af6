//! `spirl_service_account`: a non-human identity of the organisation, with an organisation role
//! (`access.API`). The data source of the same name (`crate::data_sources::service_account`)
//! shares its state struct. Its keys are `spirl_service_account_key` resources.
//!
//! The API has no rename and no description edit: `name` and `description` replace the
//! account. `role_name` is resolved to a role id through `ListOrgRoles` at plan time (so an
//! unknown name fails the plan) and changed in place with `UpdateServiceAccountRole`. Whether the
//! caller may grant the role is the control plane's call: its refusal is reported at
//! `role_name`.
//!
//! Deleting: the account's own delete semantics. Without `force_destroy` the provider asks the
//! control plane to delete the account as it is; Terraform has destroyed the account's
//! `spirl_service_account_key` resources first (they refer to it), so only keys made elsewhere
//! can be left, and the control plane refuses to delete an account that still has keys
//! (`FAILED_PRECONDITION`, reported with the keys' ids). With `force_destroy = true` the provider
//! sets the API's `force`, which "deletes the service account regardless of state", keys
//! included (`spirl_api_proto`'s `DeleteServiceAccountRequest`).

use serde::{Deserialize, Serialize};
use tfplugin::{
    Attr, AttributePath, Change, Diagnostics, Kind, Model, Read, Resource, Schema, async_trait,
};

use crate::client::assumptions::SERVICE_ACCOUNT_ID_PREFIX;
use crate::client::{ApiError, Client, ClientHandle, ReadBack, Role, ServiceAccount, has_id_shape};
use crate::diagnostics;
use crate::problem::quote;

/// Configuration and state of `spirl_service_account`, and the result of the data source (looked
/// up by `name`; the rest read-only).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Model)]
pub struct ServiceAccountState {
    /// The service account's name, unique in the organisation. The API cannot rename an
    /// account: changing it replaces the account (and its keys with it).
    #[tf(required, replace, check = check_name, data(required,
        doc = "The service account's name (exact)."))]
    pub name: Attr<String>,
    /// The service account's id, `sa-…`: what `spirl_service_account_key.service_account_id`
    /// and `spirl_realm_role_assignment` take.
    #[tf(
        computed,
        keep,
        data(computed, doc = "The service account's id (`sa-…`).")
    )]
    pub id: Attr<String>,
    /// Free text about the account; empty by default. The API cannot edit it: changing it
    /// replaces the account (and its keys with it).
    #[tf(
        default = "",
        replace,
        data(computed, doc = "The service account's description.")
    )]
    pub description: Attr<String>,
    /// The organisation role the account has, by name as the control plane lists it
    /// (`ListOrgRoles`; for example `Auditor`, `Operator`, `Administrator`; case does not
    /// matter), or by role id. An unknown name fails the plan, listing the roles there are. A
    /// role may be at most as permissive as the role of whoever applies (and service accounts
    /// cannot hold `Owner`); the control plane refuses others, and the error says so. Changing
    /// it changes the account's role in place. Unset: the control plane's default role for a new
    /// account (the SDK: the admin role), read back; removing it later keeps the role the
    /// account has.
    #[tf(optional, computed, keep, check = check_role_name, data(computed,
        doc = "The name of the organisation role the service account has."))]
    pub role_name: Attr<String>,
    /// The id of the organisation role the account has.
    #[tf(
        computed,
        data(
            computed,
            doc = "The id of the organisation-level role the service account has."
        )
    )]
    pub role_id: Attr<String>,
    /// When the service account was created (RFC 3339, UTC).
    #[tf(computed, keep, data(computed))]
    pub created_at: Attr<String>,
    /// What `terraform destroy` does when the account still has keys that are not in this
    /// configuration (made with `spirlctl`, or by another workspace): `false` (the default)
    /// leaves the account and reports the keys, since the control plane refuses to delete an
    /// account with keys; `true` deletes the account regardless, with its keys (the API's
    /// `force`). Keys this configuration manages are destroyed before the account either way.
    #[tf(default = false, data(omit))]
    pub force_destroy: Attr<bool>,
}

impl ServiceAccountState {
    /// The state of `account`, whose role is named `role_name`; `force_destroy` as given.
    pub fn of(account: ServiceAccount, role_name: String, force_destroy: Attr<bool>) -> Self {
        ServiceAccountState {
            name: Attr::Value(account.name),
            id: Attr::Value(account.id),
            description: Attr::Value(account.description),
            role_name: Attr::Value(role_name),
            role_id: Attr::Value(account.role_id),
            created_at: Attr::Value(account.created_at),
            force_destroy,
        }
    }
}

/// Why `name` cannot name a service account, or `None`: only an empty one is refused (an empty
/// filter would list every account, and the SDK says the name is required).
pub fn service_account_name_problem(attr: &str, name: &str) -> Option<String> {
    name.is_empty()
        .then(|| format!("{attr} is empty. Set it to the service account's name."))
}

fn check_name(name: &str, at: &AttributePath, diags: &mut Diagnostics) {
    if let Some(problem) = service_account_name_problem(&at.to_string(), name) {
        diags.error_at(at.clone(), "Invalid name", problem);
    }
}

fn check_role_name(role: &str, at: &AttributePath, diags: &mut Diagnostics) {
    if role.trim().is_empty() {
        diags.error_at(
            at.clone(),
            "Invalid role_name",
            format!(
                "{at} is empty. Set it to an organisation role's name, such as \"Operator\" (the \
                 roles are listed by `spirlctl iam role list` and in the Defakto console)."
            ),
        );
    }
}

/// The role `wanted` names among `roles`: by exact name, then by name in any case (when only one
/// matches), then by id.
fn role_named<'a>(roles: &'a [Role], wanted: &str) -> Option<&'a Role> {
    let wanted = wanted.trim();
    let exact = roles.iter().find(|r| r.name == wanted);
    let folded = || {
        let mut matching = roles.iter().filter(|r| r.name.eq_ignore_ascii_case(wanted));
        match (matching.next(), matching.next()) {
            (Some(one), None) => Some(one),
            _ => None,
        }
    };
    exact
        .or_else(folded)
        .or_else(|| roles.iter().find(|r| r.id == wanted))
}

/// The name to record for role `role_id`: `configured` while it names that role, else the role's
/// name as listed (its id when the list lacks it).
pub(crate) fn role_name_of(roles: &[Role], role_id: &str, configured: Option<&str>) -> String {
    if let Some(configured) = configured
        && role_named(roles, configured).is_some_and(|r| r.id == role_id)
    {
        return configured.to_owned();
    }
    roles
        .iter()
        .find(|r| r.id == role_id)
        .map_or_else(|| role_id.to_owned(), |r| r.name.clone())
}

/// The id of the role `role_name` names, or `None` after reporting why there is none.
async fn resolve_role(diags: &mut Diagnostics, client: &Client, role_name: &str) -> Option<String> {
    let at = ServiceAccountState::paths().role_name;
    let roles = match client.list_org_roles().await {
        Ok(roles) => roles,
        Err(e) => {
            diagnostics::api_error(diags, &e, Some(at));
            return None;
        }
    };
    if let Some(role) = role_named(&roles, role_name) {
        return Some(role.id.clone());
    }
    let names: Vec<String> = roles.iter().map(|r| format!("`{}`", r.name)).collect();
    diags.error_at(
        at,
        "Unknown organisation role",
        format!(
            "role_name is {}, which is not a role of the organisation. The roles are: {}. Set \
             role_name to one of them.",
            quote(role_name),
            names.join(", ")
        ),
    );
    None
}

/// Reports a refused create or role change: at `role_name` when the control plane refused the
/// role (permission, `Owner`), with what to do.
fn refused(diags: &mut Diagnostics, err: &ApiError) {
    let at = ServiceAccountState::paths();
    match err {
        ApiError::PermissionDenied(_) => {
            diagnostics::service_account_refused(diags, err, at.role_name)
        }
        ApiError::NotFound(_) => diagnostics::missing_reference(diags, err, at.role_name),
        _ => {
            let fields = [
                ("name", at.name),
                ("description", at.description),
                ("role_id", at.role_name),
            ];
            diagnostics::api_error_at_field(diags, err, &fields, None);
        }
    }
}

/// The `spirl_service_account` resource.
pub struct ServiceAccountResource {
    client: ClientHandle,
}

impl ServiceAccountResource {
    /// The resource, calling the API through `client` once the provider is configured.
    pub fn new(client: &ClientHandle) -> Self {
        ServiceAccountResource {
            client: client.clone(),
        }
    }

    /// The account `id` as state, its role named as `configured` says while that names it.
    async fn read_account(
        &self,
        client: &Client,
        id: &str,
        configured: Option<&str>,
        known_role: Option<&str>,
        force_destroy: Attr<bool>,
    ) -> Result<Option<ServiceAccountState>, ApiError> {
        let Some((account, _keys)) = client.service_account(id).await? else {
            return Ok(None);
        };
        // The role list is read only when the role is not the one the state names already.
        let role_name = match (configured, known_role) {
            (Some(name), Some(role_id)) if role_id == account.role_id => name.to_owned(),
            _ => {
                let roles = client.list_org_roles().await?;
                role_name_of(&roles, &account.role_id, configured)
            }
        };
        Ok(Some(ServiceAccountState::of(
            account,
            role_name,
            force_destroy,
        )))
    }
}

#[async_trait]
impl Resource for ServiceAccountResource {
    type State = ServiceAccountState;

    fn schema(&self) -> Schema {
        Schema::of::<ServiceAccountState>(Kind::Resource).description(
            "A service account: a non-human identity of the organisation (a CI pipeline, \
             Terraform itself, a trust-domain server) with an organisation role. It signs in \
             with the keys of `spirl_service_account_key`, whose private keys never reach the \
             control plane nor, with `public_key_wo`, the Terraform state.\n\n\
             The control plane lets users, not service accounts, create service accounts, with \
             a role at most as permissive as their own: apply this with a `spirlctl login` \
             session (the provider's `spirlctl_config_path`). `role_name` changes in place; \
             `name` and `description` replace the account. Destroying it destroys this \
             configuration's keys of it first; keys made elsewhere block the delete unless \
             `force_destroy = true`. Import with `terraform import \
             spirl_service_account.<name> sa-…` or with the account's name.",
        )
    }

    async fn read(
        &self,
        diags: &mut Diagnostics,
        state: ServiceAccountState,
    ) -> Option<Read<ServiceAccountState>> {
        let client = self.client.get(diags)?;
        let id = state.id.known()?;
        let found = self
            .read_account(
                client,
                id,
                state.role_name.known().map(String::as_str),
                state.role_id.known().map(String::as_str),
                state.force_destroy.clone(),
            )
            .await;
        super::refreshed(diags, "service account", id, found)
    }

    async fn plan(
        &self,
        diags: &mut Diagnostics,
        change: &mut Change<ServiceAccountState>,
    ) -> Option<()> {
        let prior = change.prior.as_ref();
        let role_name = match &change.config.role_name {
            Attr::Value(role_name) => role_name,
            // Unset: the role the account has (kept from the state), or the control plane's
            // default for a new account.
            Attr::Null => {
                change.planned.role_id = prior.map_or(Attr::Unknown, |p| p.role_id.clone());
                return Some(());
            }
            Attr::Unknown => {
                change.planned.role_id = Attr::Unknown;
                return Some(());
            }
        };
        if let Some(prior) = prior
            && prior.role_name.known() == Some(role_name)
        {
            // The same words, the same role: no call.
            change.planned.role_id = prior.role_id.clone();
            return Some(());
        }
        // Resolved now when a client is configured (a provider configured from values not known
        // yet resolves it at apply).
        let Some(client) = self.client.ready() else {
            change.planned.role_id = Attr::Unknown;
            return Some(());
        };
        let role_id = resolve_role(diags, client, role_name).await?;
        // Another spelling of the role the account has is no change.
        if let Some(prior) = prior
            && prior.role_id.known() == Some(&role_id)
            && let Some(kept) = prior.role_name.known()
        {
            change.planned.role_name = Attr::Value(kept.clone());
        }
        change.planned.role_id = Attr::Value(role_id);
        Some(())
    }

    async fn create(
        &self,
        diags: &mut Diagnostics,
        planned: ServiceAccountState,
        _config: ServiceAccountState,
    ) -> Option<ServiceAccountState> {
        let client = self.client.get(diags)?;
        let name = planned.name.known()?.clone();
        let description = planned.description.known().cloned().unwrap_or_default();
        // No role configured: none is sent, and the control plane gives its default.
        let role_name = planned.role_name.known().cloned();
        let role_id = match (planned.role_id.known(), &role_name) {
            (Some(id), _) => id.clone(),
            (None, Some(role_name)) => resolve_role(diags, client, role_name).await?,
            (None, None) => String::new(),
        };
        let id = match client
            .create_service_account(&name, &description, &role_id)
            .await
        {
            Ok(id) => id,
            Err(e @ ApiError::AlreadyExists(_)) => {
                let existing = client
                    .list_service_accounts(Some(&name))
                    .await
                    .ok()
                    .and_then(|found| found.into_iter().next())
                    .map(|a| a.id);
                diagnostics::name_taken(
                    diags,
                    &e,
                    "service account",
                    &name,
                    existing.as_deref(),
                    ServiceAccountState::paths().name,
                    "terraform import spirl_service_account.<name> <id>",
                );
                return None;
            }
            Err(e) => {
                refused(diags, &e);
                return None;
            }
        };
        log::info!(id = id.as_str(), name = name.as_str(); "created service account");
        // Nothing half-created: an account Terraform cannot record is removed (it has no keys
        // yet, so no force is needed).
        let read_back = client
            .read_back_or_remove(
                ReadBack::service_account(&id),
                self.read_account(
                    client,
                    &id,
                    role_name.as_deref(),
                    Some(&role_id).filter(|r| !r.is_empty()).map(String::as_str),
                    planned.force_destroy.clone(),
                ),
                client.delete_service_account(&id, false),
            )
            .await;
        diagnostics::read_back(diags, read_back, &[])
    }

    async fn update(
        &self,
        diags: &mut Diagnostics,
        prior: ServiceAccountState,
        planned: ServiceAccountState,
        _config: ServiceAccountState,
    ) -> Option<ServiceAccountState> {
        let client = self.client.get(diags)?;
        let id = prior.id.known()?.clone();
        let role_name = planned.role_name.known()?.clone();
        let role_id = match planned.role_id.known() {
            Some(id) => id.clone(),
            None => resolve_role(diags, client, &role_name).await?,
        };
        if prior.role_id.known() != Some(&role_id) {
            if let Err(e) = client.update_service_account_role(&id, &role_id).await {
                refused(diags, &e);
                return None;
            }
            log::info!(id = id.as_str(), role = role_id.as_str(); "changed service account role");
        }
        match self
            .read_account(
                client,
                &id,
                Some(&role_name),
                None,
                planned.force_destroy.clone(),
            )
            .await
        {
            Ok(Some(state)) => Some(state),
            Ok(None) => {
                diagnostics::api_error(diags, &ReadBack::service_account(&id).missing(), None);
                None
            }
            Err(e) => {
                diagnostics::api_error(diags, &e, None);
                None
            }
        }
    }

    async fn delete(&self, diags: &mut Diagnostics, prior: ServiceAccountState) -> Option<()> {
        let client = self.client.get(diags)?;
        let id = prior.id.known()?;
        let force = prior.force_destroy.known().copied().unwrap_or(false);
        match client.delete_service_account(id, force).await {
            Ok(()) => Some(()),
            Err(e @ ApiError::FailedPrecondition(_)) => {
                let name = prior.name.known().map_or("", String::as_str);
                let keys = match client.service_account(id).await {
                    Ok(Some((_, keys))) => keys.into_iter().map(|k| k.id).collect(),
                    _ => Vec::new(),
                };
                diagnostics::still_in_use(
                    diags,
                    &e,
                    "service account",
                    name,
                    id,
                    &keys,
                    "Its keys were not made by this configuration. Delete them (`spirlctl iam \
                     service-account key delete`), or set `force_destroy = true` on the \
                     service account and apply, to delete it with its keys.",
                );
                None
            }
            Err(e) => {
                diagnostics::api_error(diags, &e, None);
                None
            }
        }
    }

    async fn import(&self, diags: &mut Diagnostics, id: String) -> Option<ServiceAccountState> {
        let client = self.client.get(diags)?;
        let wanted = id.trim();
        if wanted.is_empty() {
            diags.error(
                "Cannot import service account",
                "The import id is empty. `terraform import` takes the service account's id \
                 (`sa-…`) or its name.",
            );
            return None;
        }
        // An id, or else a name (names are unique in the organisation).
        let id = if has_id_shape(wanted, SERVICE_ACCOUNT_ID_PREFIX) {
            Ok(Some(wanted.to_owned()))
        } else {
            client
                .list_service_accounts(Some(wanted))
                .await
                .map(|found| found.into_iter().next().map(|a| a.id))
        };
        let found = match id {
            Ok(Some(id)) => {
                self.read_account(client, &id, None, None, Attr::Value(false))
                    .await
            }
            Ok(None) => Ok(None),
            Err(e) => Err(e),
        };
        super::imported(diags, "service account", found, || {
            format!(
                "No service account has the id or name {}. Check it in the Defakto console \
                 (`spirlctl iam service-account list`), and that the provider points at the \
                 right control plane.",
                quote(wanted)
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles() -> Vec<Role> {
        [("r-a", "Auditor"), ("r-o", "Operator"), ("r-x", "operator")]
            .into_iter()
            .map(|(id, name)| Role {
                id: id.into(),
                name: name.into(),
            })
            .collect()
    }

    #[test]
    fn role_named_prefers_the_exact_name_then_one_in_any_case_then_the_id() {
        let roles = roles();
        assert_eq!(role_named(&roles, "Operator").map(|r| &*r.id), Some("r-o"));
        assert_eq!(role_named(&roles, "auditor").map(|r| &*r.id), Some("r-a"));
        // Two roles differ only in case: the folded spelling names neither.
        assert_eq!(role_named(&roles, "OPERATOR").map(|r| &*r.id), None);
        assert_eq!(role_named(&roles, "r-x").map(|r| &*r.id), Some("r-x"));
        assert_eq!(role_named(&roles, "Owner").map(|r| &*r.id), None);
    }

    #[test]
    fn role_name_of_keeps_the_configured_spelling_of_the_same_role() {
        let roles = roles();
        assert_eq!(role_name_of(&roles, "r-a", Some("AUDITOR")), "AUDITOR");
        assert_eq!(role_name_of(&roles, "r-a", Some("r-a")), "r-a");
        // Drift: the listed name of the role the account has.
        assert_eq!(role_name_of(&roles, "r-o", Some("auditor")), "Operator");
        assert_eq!(role_name_of(&roles, "r-gone", None), "r-gone");
    }
}
