//! `spirl_realm_role_assignment`: a realm role (such as `Administrator`, which makes a
//! delegated administrator of the realm) for a service account or a user (`access.API`). The
//! configuration names everything (trust domain id, realm name, role name, service account
//! name or user email); create resolves the names to ids. An assignment cannot change: every
//! attribute replaces it. Import by the assignment id, `ra-…`.

use serde::{Deserialize, Serialize};
use tfplugin::{
    Attr, AttributePath, Diagnostics, Kind, Model, Read, Resource, Schema, async_trait,
};

use super::ids::{not_empty, trust_domain_id};
use super::realm::name_problem as realm_name_problem;
use super::realm_principal::{
    PrincipalInput, check_principal, principal_names, resolve_principal, resolve_realm,
};
use crate::client::assumptions::{REALM_ADMIN_ROLE, ROLE_ASSIGNMENT_ID_PREFIX};
use crate::client::{ApiError, Client, ClientHandle, RoleAssignment};
use crate::diagnostics;
use crate::problem::quote;

/// Configuration and state of `spirl_realm_role_assignment`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Model)]
pub struct RealmRoleAssignmentState {
    /// The role assignment's id (`ra-…`).
    #[tf(computed, keep)]
    pub id: Attr<String>,
    /// The id (`td-…`) of the trust domain the realm belongs to.
    #[tf(required, replace, check = trust_domain_id())]
    pub trust_domain_id: Attr<String>,
    /// The realm's name.
    #[tf(required, replace, check = check_realm_name)]
    pub realm_name: Attr<String>,
    /// The realm role's name: `Administrator` (the roles the control plane lists are accepted;
    /// another name is an error that lists them).
    // Resolved by name through the API, which lists the valid ones if this is not.
    #[tf(required, replace, check = not_empty("Invalid role_name",
        "role_name is empty. Set it to the realm role's name, such as `Administrator`."))]
    pub role_name: Attr<String>,
    /// The name of the service account that gets the role (exclusive with `user_email`).
    #[tf(optional, replace)]
    pub service_account_name: Attr<String>,
    /// The email of the user that gets the role (exclusive with `service_account_name`).
    #[tf(optional, replace)]
    pub user_email: Attr<String>,
    /// When the role was assigned (RFC 3339, UTC).
    #[tf(computed, keep)]
    pub created_at: Attr<String>,
}

impl RealmRoleAssignmentState {
    fn principal(&self) -> PrincipalInput<'_> {
        let at = Self::paths();
        let at = (at.service_account_name, at.user_email);
        PrincipalInput::new(&self.service_account_name, &self.user_email, at)
    }
}

fn check_realm_name(name: &str, at: &AttributePath, diags: &mut Diagnostics) {
    if let Some(problem) = realm_name_problem(name) {
        let problem = problem.replacen("name", "realm_name", 1);
        diags.error_at(at.clone(), "Invalid realm_name", problem);
    }
}

/// The `spirl_realm_role_assignment` resource.
pub struct RealmRoleAssignmentResource {
    client: ClientHandle,
}

impl RealmRoleAssignmentResource {
    /// The resource, calling the API through `client` once the provider is configured.
    pub fn new(client: &ClientHandle) -> Self {
        RealmRoleAssignmentResource {
            client: client.clone(),
        }
    }

    /// The id of the realm role `name`, or `None` after reporting at `role_name` with the
    /// roles there are.
    async fn resolve_role(diags: &mut Diagnostics, client: &Client, name: &str) -> Option<String> {
        let at = RealmRoleAssignmentState::paths().role_name;
        match client.list_realm_roles().await {
            Ok(roles) => {
                if let Some(role) = roles.iter().find(|r| r.name == name) {
                    return Some(role.id.clone());
                }
                let known: Vec<String> = roles.iter().map(|r| format!("`{}`", r.name)).collect();
                diags.error_at(
                    at,
                    "Unknown realm role",
                    format!(
                        "role_name {} is not a realm role. The control plane has: {}.",
                        quote(name),
                        known.join(", ")
                    ),
                );
                None
            }
            Err(e) => {
                diagnostics::api_error(diags, &e, Some(at));
                None
            }
        }
    }

    /// The state of `assignment`, named by `names`' configuration when it has them.
    fn state(
        assignment: RoleAssignment,
        named: RealmRoleAssignmentState,
    ) -> RealmRoleAssignmentState {
        RealmRoleAssignmentState {
            id: Attr::Value(assignment.id),
            created_at: Attr::Value(assignment.created_at),
            ..named
        }
    }
}

#[async_trait]
impl Resource for RealmRoleAssignmentResource {
    type State = RealmRoleAssignmentState;

    fn schema(&self) -> Schema {
        Schema::of::<RealmRoleAssignmentState>(Kind::Resource).description(
            "A realm role for a service account or a user: with `Administrator`, a delegated \
             administrator of the realm. Exactly one of `service_account_name` and \
             `user_email` is set (checked at plan time); names are resolved to ids at \
             create. An assignment cannot change, so every attribute replaces it. The \
             official provider's `idp_group` is not offered: the published API has no field \
             for an IdP group. Import with `terraform import \
             spirl_realm_role_assignment.<name> ra-…`.",
        )
    }

    async fn validate(
        &self,
        diags: &mut Diagnostics,
        config: RealmRoleAssignmentState,
    ) -> Option<()> {
        check_principal(diags, &config.principal());
        Some(())
    }

    async fn read(
        &self,
        diags: &mut Diagnostics,
        state: RealmRoleAssignmentState,
    ) -> Option<Read<RealmRoleAssignmentState>> {
        let client = self.client.get(diags)?;
        let id = state.id.known()?;
        let found = client.role_assignment(id).await;
        let read = super::refreshed::<_, RoleAssignment>(diags, "role assignment", id, found)?;
        Some(read.map(|assignment| Self::state(assignment, state)))
    }

    async fn create(
        &self,
        diags: &mut Diagnostics,
        planned: RealmRoleAssignmentState,
        _config: RealmRoleAssignmentState,
    ) -> Option<RealmRoleAssignmentState> {
        let client = self.client.get(diags)?;
        let td = planned.trust_domain_id.known()?;
        let at = RealmRoleAssignmentState::paths();
        let realm_at = (at.realm_name, at.trust_domain_id);
        let realm = resolve_realm(diags, client, td, planned.realm_name.known()?, realm_at).await?;
        let role = Self::resolve_role(diags, client, planned.role_name.known()?).await?;
        let principal = resolve_principal(diags, client, &planned.principal()).await?;
        let id = match client.assign_realm_role(&principal, &realm, &role).await {
            Ok(id) => id,
            Err(e @ ApiError::AlreadyExists(_)) => {
                let existing = client
                    .list_role_assignments(&principal)
                    .await
                    .ok()
                    .and_then(|all| {
                        all.into_iter()
                            .find(|a| a.realm_id == realm && a.role_id == role)
                    });
                diagnostics::role_assignment_exists(diags, &e, existing.map(|a| a.id).as_deref());
                return None;
            }
            Err(e) => {
                diagnostics::api_error(diags, &e, None);
                return None;
            }
        };
        match client.role_assignment(&id).await {
            Ok(Some(assignment)) => Some(Self::state(assignment, planned)),
            Ok(None) | Err(_) => Some(RealmRoleAssignmentState {
                id: Attr::Value(id),
                created_at: Attr::Value(String::new()),
                ..planned
            }),
        }
    }

    async fn delete(&self, diags: &mut Diagnostics, prior: RealmRoleAssignmentState) -> Option<()> {
        let client = self.client.get(diags)?;
        let id = prior.id.known()?;
        match client.remove_role_assignment(id).await {
            Ok(()) => Some(()),
            Err(e) => {
                diagnostics::api_error(diags, &e, None);
                None
            }
        }
    }

    async fn import(
        &self,
        diags: &mut Diagnostics,
        id: String,
    ) -> Option<RealmRoleAssignmentState> {
        let client = self.client.get(diags)?;
        let id = id.trim().to_owned();
        if !crate::client::has_id_shape(&id, ROLE_ASSIGNMENT_ID_PREFIX) {
            diags.error(
                "Cannot import role assignment",
                format!(
                    "`terraform import` takes the role assignment's id (`ra-…`), and {} is not \
                     one.",
                    quote(&id)
                ),
            );
            return None;
        }
        let found = match client.role_assignment(&id).await {
            Ok(found) => found,
            Err(e) => {
                diagnostics::api_error(diags, &e, None);
                return None;
            }
        };
        let Some(assignment) = found else {
            diags.error(
                "Cannot import role assignment",
                format!("No role assignment has the id {id}."),
            );
            return None;
        };
        let names = async {
            let realm = client.find_realm(&assignment.realm_id, None).await?;
            let role = client
                .list_realm_roles()
                .await?
                .into_iter()
                .find(|r| r.id == assignment.role_id);
            let principal = match &assignment.principal {
                Some(p) => principal_names(client, p).await?,
                None => None,
            };
            Ok::<_, ApiError>((realm, role, principal))
        };
        match names.await {
            Ok((Some(realm), Some(role), Some((sa, email)))) => Some(Self::state(
                assignment,
                RealmRoleAssignmentState {
                    trust_domain_id: Attr::Value(realm.trust_domain_id),
                    realm_name: Attr::Value(realm.name),
                    role_name: Attr::Value(role.name),
                    service_account_name: sa,
                    user_email: email,
                    ..RealmRoleAssignmentState::default()
                },
            )),
            Ok(_) => {
                diags.error(
                    "Cannot import role assignment",
                    format!(
                        "Role assignment {id} names a realm, a role (`{REALM_ADMIN_ROLE}` is the \
                         one this provider knows) or a principal that could not be found; it \
                         cannot be written as names. Remove it in the Defakto console and \
                         create it with Terraform."
                    ),
                );
                None
            }
            Err(e) => {
                diagnostics::api_error(diags, &e, None);
                None
            }
        }
    }
}
