//! `spirl_realm_role_assignment`: a realm role (such as `Administrator`, which makes a
//! delegated administrator of the realm) for a service account or a user (`access.API`). The
//! configuration names everything (trust domain id, realm name, role name, service account
//! name or user email); create resolves the names to ids. An assignment cannot change: every
//! attribute replaces it. Import by the assignment id, `ra-…`.

use serde::{Deserialize, Serialize};
use tfplugin::{Attr, Attribute, AttributePath, Diagnostics, LegacyResource, Schema, async_trait};

use super::ids::check_id;
use super::realm::name_problem as realm_name_problem;
use super::realm_principal::{
    PrincipalInput, check_principal, principal_names, resolve_principal, resolve_realm,
};
use crate::client::assumptions::{
    REALM_ADMIN_ROLE, ROLE_ASSIGNMENT_ID_PREFIX, TRUST_DOMAIN_ID_PREFIX,
};
use crate::client::{ApiError, Client, ClientHandle, RoleAssignment};
use crate::diagnostics;
use crate::problem::quote;

/// Configuration and state of `spirl_realm_role_assignment`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RealmRoleAssignmentState {
    /// `ra-…`.
    pub id: Attr<String>,
    /// `td-…`.
    pub trust_domain_id: Attr<String>,
    /// The realm, by name.
    pub realm_name: Attr<String>,
    /// The realm role, by name.
    pub role_name: Attr<String>,
    /// The service account, by name (or `user_email`).
    pub service_account_name: Attr<String>,
    /// The user, by email (or `service_account_name`).
    pub user_email: Attr<String>,
    /// RFC 3339.
    pub created_at: Attr<String>,
}

impl RealmRoleAssignmentState {
    fn principal(&self) -> PrincipalInput<'_> {
        PrincipalInput {
            service_account_name: &self.service_account_name,
            user_email: &self.user_email,
        }
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
        let at = AttributePath::root("role_name");
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
impl LegacyResource for RealmRoleAssignmentResource {
    type State = RealmRoleAssignmentState;

    fn schema(&self) -> Schema {
        let replaces = |name: &str, description: &str| {
            Attribute::string(name)
                .required()
                .requires_replace()
                .description(description)
        };
        let principal = |name: &str, description: &str| {
            Attribute::string(name)
                .optional()
                .requires_replace()
                .description(description)
        };
        Schema::new()
            .description(
                "A realm role for a service account or a user: with `Administrator`, a delegated \
                 administrator of the realm. Exactly one of `service_account_name` and \
                 `user_email` is set (checked at plan time); names are resolved to ids at \
                 create. An assignment cannot change, so every attribute replaces it. The \
                 official provider's `idp_group` is not offered: the published API has no field \
                 for an IdP group. Import with `terraform import \
                 spirl_realm_role_assignment.<name> ra-…`.",
            )
            .attribute(
                Attribute::string("id")
                    .computed()
                    .use_state_for_unknown()
                    .description("The role assignment's id (`ra-…`)."),
            )
            .attribute(replaces(
                "trust_domain_id",
                "The id (`td-…`) of the trust domain the realm belongs to.",
            ))
            .attribute(replaces("realm_name", "The realm's name."))
            .attribute(replaces(
                "role_name",
                "The realm role's name: `Administrator` (the roles the control plane lists are \
                 accepted; another name is an error that lists them).",
            ))
            .attribute(principal(
                "service_account_name",
                "The name of the service account that gets the role (exclusive with \
                 `user_email`).",
            ))
            .attribute(principal(
                "user_email",
                "The email of the user that gets the role (exclusive with \
                 `service_account_name`).",
            ))
            .attribute(
                Attribute::string("created_at")
                    .computed()
                    .use_state_for_unknown()
                    .description("When the role was assigned (RFC 3339, UTC)."),
            )
    }

    async fn validate(
        &self,
        diags: &mut Diagnostics,
        config: RealmRoleAssignmentState,
    ) -> Option<()> {
        check_principal(diags, &config.principal());
        check_id(
            diags,
            "trust_domain_id",
            &config.trust_domain_id,
            TRUST_DOMAIN_ID_PREFIX,
            "trust domain",
            "`spirl_trust_domain.<name>.id`",
        );
        if let Some(problem) = config
            .realm_name
            .known()
            .and_then(|n| realm_name_problem(n))
        {
            diags.error_at(
                AttributePath::root("realm_name"),
                "Invalid realm_name",
                problem.replacen("name", "realm_name", 1),
            );
        }
        // Roles are resolved by name through the API, which lists the valid ones if this is not.
        if config.role_name.known().is_some_and(String::is_empty) {
            diags.error_at(
                AttributePath::root("role_name"),
                "Invalid role_name",
                "role_name is empty. Set it to the realm role's name, such as `Administrator`.",
            );
        }
        (!diags.has_errors()).then_some(())
    }

    async fn read(
        &self,
        diags: &mut Diagnostics,
        state: RealmRoleAssignmentState,
    ) -> Option<RealmRoleAssignmentState> {
        let client = self.client.get(diags)?;
        let id = state.id.known()?;
        let found = client.role_assignment(id).await;
        let assignment =
            super::refreshed_legacy::<_, RoleAssignment>(diags, "role assignment", id, found)?;
        Some(Self::state(assignment, state))
    }

    async fn create(
        &self,
        diags: &mut Diagnostics,
        planned: RealmRoleAssignmentState,
        _config: RealmRoleAssignmentState,
    ) -> Option<RealmRoleAssignmentState> {
        let client = self.client.get(diags)?;
        let td = planned.trust_domain_id.known()?;
        let realm = resolve_realm(diags, client, td, planned.realm_name.known()?).await?;
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

    async fn update(
        &self,
        _diags: &mut Diagnostics,
        prior: RealmRoleAssignmentState,
        planned: RealmRoleAssignmentState,
        _config: RealmRoleAssignmentState,
    ) -> Option<RealmRoleAssignmentState> {
        // Every attribute replaces: only a change of nothing reaches here.
        Some(RealmRoleAssignmentState {
            id: prior.id,
            created_at: prior.created_at,
            ..planned
        })
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
