//! Access: the organisation's service accounts (one per login key, the bootstrap one
//! included), its users, the realm roles, and realm role assignments (the realms' delegated
//! administrators). Users come from the mock's configuration or a test hook; the API only looks
//! them up.

use spirl_api_proto::access as pb;

use super::{AssignmentRecord, Change, Ctx, Principal, Store, UserRecord};
use crate::assumptions::{
    BOOTSTRAP_SERVICE_ACCOUNT_NAME, LIST_ROLE_ASSIGNMENTS_NEEDS_A_FILTER, REALM_ROLES,
    ROLE_ASSIGNMENT_ID_PREFIX, SERVICE_ACCOUNT_ID_PREFIX, SERVICE_ACCOUNT_KEY_ID_PREFIX,
    USER_ID_PREFIX,
};
use crate::error::ApiError;
use crate::validate::{self, invalid};

/// A service account's id: its key's id with the service-account prefix.
fn service_account_id(key_id: &str) -> String {
    let suffix = key_id
        .strip_prefix(SERVICE_ACCOUNT_KEY_ID_PREFIX)
        .unwrap_or(key_id);
    format!("{SERVICE_ACCOUNT_ID_PREFIX}{suffix}")
}

impl Store {
    /// Every service account, in creation order.
    fn service_accounts(&self) -> Vec<pb::ServiceAccount> {
        self.accounts
            .iter()
            .enumerate()
            .map(|(index, a)| pb::ServiceAccount {
                id: service_account_id(&a.key_id),
                name: if !a.name.is_empty() {
                    a.name.clone()
                } else if index == 0 {
                    BOOTSTRAP_SERVICE_ACCOUNT_NAME.to_owned()
                } else {
                    a.key_id.clone()
                },
                description: String::new(),
                role_id: String::new(),
                created_at: Some(a.created_at.into()),
                created_by: None,
            })
            .collect()
    }

    /// `ListServiceAccounts`, by exact name when given.
    pub fn list_service_accounts(&self, by_name: &str) -> Vec<pb::ServiceAccount> {
        self.service_accounts()
            .into_iter()
            .filter(|a| by_name.is_empty() || a.name == by_name)
            .collect()
    }

    /// The id of the organisation's first user, if it has one.
    pub fn first_user_id(&self) -> Option<String> {
        self.users.first().map(|u| u.id.clone())
    }

    /// `ListUsers`, by exact email when given.
    pub fn list_users(&self, by_email: &str) -> Vec<pb::User> {
        self.users
            .iter()
            .filter(|u| by_email.is_empty() || u.email == by_email)
            .map(|u| pb::User {
                id: u.id.clone(),
                email: u.email.clone(),
                name: u.name.clone(),
                role: None,
                sso_provider: String::new(),
            })
            .collect()
    }

    /// `ListRoles`: the realm roles (for an unspecified type too: realm roles are the only kind).
    pub fn list_roles(&self) -> Vec<pb::Role> {
        REALM_ROLES
            .iter()
            .map(|(id, name)| pb::Role {
                id: (*id).to_owned(),
                name: (*name).to_owned(),
            })
            .collect()
    }

    /// A user added by the mock's configuration or a test (not by the API).
    pub fn plan_add_user(&self, email: &str, ctx: &Ctx<'_>) -> Result<Option<Change>, ApiError> {
        if !email.contains('@') || email.chars().any(char::is_whitespace) {
            return Err(invalid(format!("{email:?} is not an email address")));
        }
        if self.users.iter().any(|u| u.email == email) {
            return Ok(None);
        }
        Ok(Some(Change::UserAdded {
            user: UserRecord {
                id: self.fresh_id(USER_ID_PREFIX, ctx),
                email: email.to_owned(),
                name: email.split('@').next().unwrap_or_default().to_owned(),
                created_at: ctx.now,
            },
        }))
    }

    fn principal_exists(&self, principal: &Principal) -> Result<(), ApiError> {
        let found = match principal {
            Principal::ServiceAccount(id) => self
                .accounts
                .iter()
                .any(|a| &service_account_id(&a.key_id) == id),
            Principal::User(id) => self.users.iter().any(|u| &u.id == id),
        };
        if found {
            Ok(())
        } else {
            Err(ApiError::NotFound(format!(
                "principal {} not found",
                principal.id()
            )))
        }
    }

    fn assignment_view(a: &AssignmentRecord) -> pb::RoleAssignment {
        pb::RoleAssignment {
            id: a.id.clone(),
            principal: Some(match &a.principal {
                Principal::ServiceAccount(id) => {
                    pb::role_assignment::Principal::ServiceAccountId(id.clone())
                }
                Principal::User(id) => pb::role_assignment::Principal::UserId(id.clone()),
            }),
            created_at: Some(a.created_at.into()),
            assignment: Some(pb::role_assignment::Assignment::RealmRole(
                pb::RealmRoleAssignment {
                    realm_id: a.realm_id.clone(),
                    role_id: a.role_id.clone(),
                },
            )),
        }
    }

    /// `AssignRoleAssignment`: a realm role for a service account or a user. The same
    /// assignment twice is `ALREADY_EXISTS`.
    pub fn plan_assign_role(
        &self,
        principal: Option<Principal>,
        realm_role: Option<&pb::RealmRoleAssignment>,
        ctx: &Ctx<'_>,
    ) -> Result<(Change, pb::AssignRoleAssignmentResponse), ApiError> {
        let principal = principal.filter(|p| !p.id().is_empty()).ok_or_else(|| {
            invalid("principal (service_account_id or user_id) is required".into())
        })?;
        let realm_role = realm_role.ok_or_else(|| invalid("realm_role is required".into()))?;
        self.realm(&realm_role.realm_id)?;
        validate::required("realm_role.role_id", &realm_role.role_id)?;
        if !REALM_ROLES.iter().any(|(id, _)| *id == realm_role.role_id) {
            return Err(ApiError::NotFound(format!(
                "realm_role.role_id: role {} not found",
                realm_role.role_id
            )));
        }
        self.principal_exists(&principal)?;
        if let Some(existing) = self.assignments.values().find(|a| {
            a.principal == principal
                && a.realm_id == realm_role.realm_id
                && a.role_id == realm_role.role_id
        }) {
            return Err(ApiError::AlreadyExists(format!(
                "{} already has role {} in realm {}: assignment {}",
                principal.id(),
                realm_role.role_id,
                realm_role.realm_id,
                existing.id
            )));
        }
        let record = AssignmentRecord {
            id: self.fresh_id(ROLE_ASSIGNMENT_ID_PREFIX, ctx),
            principal,
            realm_id: realm_role.realm_id.clone(),
            role_id: realm_role.role_id.clone(),
            created_at: ctx.now,
        };
        let answer = pb::AssignRoleAssignmentResponse {
            assignment_id: record.id.clone(),
            created_at: Some(record.created_at.into()),
        };
        Ok((Change::RoleAssigned { assignment: record }, answer))
    }

    /// `RemoveRoleAssignment`: `NOT_FOUND` when there is no such assignment.
    pub fn plan_remove_role(&self, id: &str) -> Result<Change, ApiError> {
        validate::required("assignment_id", id)?;
        if !self.assignments.contains_key(id) {
            return Err(ApiError::NotFound(format!(
                "role assignment {id} not found"
            )));
        }
        Ok(Change::RoleRemoved { id: id.to_owned() })
    }

    /// `ListRoleAssignments` of a principal, or the one assignment with an id; one is required.
    pub fn list_role_assignments(
        &self,
        filter: Option<&pb::list_role_assignments_request::Principal>,
    ) -> Result<Vec<pb::RoleAssignment>, ApiError> {
        use pb::list_role_assignments_request::Principal as Filter;
        let matches = |a: &&AssignmentRecord| match filter {
            Some(Filter::ServiceAccountId(id)) => {
                a.principal == Principal::ServiceAccount(id.clone())
            }
            Some(Filter::UserId(id)) => a.principal == Principal::User(id.clone()),
            Some(Filter::AssignmentId(id)) => &a.id == id,
            None => false,
        };
        if LIST_ROLE_ASSIGNMENTS_NEEDS_A_FILTER && filter.is_none() {
            return Err(invalid(
                "one of service_account_id, user_id and assignment_id is required".into(),
            ));
        }
        Ok(self
            .assignments
            .values()
            .filter(matches)
            .map(Self::assignment_view)
            .collect())
    }

    /// `ListDelegatedAdmins`: for each known realm asked for, the assignments of its
    /// administrator role. Unknown realms are left out.
    pub fn list_delegated_admins(&self, realm_ids: &[String]) -> Vec<pb::RealmDelegatedAdmins> {
        let admin_role = REALM_ROLES[0].0;
        realm_ids
            .iter()
            .filter(|id| self.realm(id).is_ok())
            .map(|realm_id| pb::RealmDelegatedAdmins {
                realm_id: realm_id.clone(),
                delegated_admins: self
                    .assignments
                    .values()
                    .filter(|a| &a.realm_id == realm_id && a.role_id == admin_role)
                    .map(|a| pb::DelegatedAdmin {
                        assignment_id: a.id.clone(),
                        principal: Some(match &a.principal {
                            Principal::ServiceAccount(id) => {
                                pb::delegated_admin::Principal::ServiceAccountId(id.clone())
                            }
                            Principal::User(id) => {
                                pb::delegated_admin::Principal::UserId(id.clone())
                            }
                        }),
                        created_at: Some(a.created_at.into()),
                    })
                    .collect(),
            })
            .collect()
    }
}
