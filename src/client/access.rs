//! The access service (`com.spirl.api.v1.access.API`): service accounts, users and realm roles
//! looked up by name, and realm role assignments made, listed and removed. The API identifies
//! everything by id; Terraform configurations name things, so the resources resolve names here.
//!
//! `AssignRoleAssignment` has no idempotency key: an assignment whose answer was lost is looked
//! up among the principal's assignments (same realm, same role) and adopted.

use spirl_api_proto::access as wire;
use spirl_api_proto::access::api_client::ApiClient as AccessApi;
use tokio::time::Instant;
use tonic::transport::Channel;

use super::engine::{MAX_ANSWER_BYTES, Rpc, gone_is_done};
use super::models::rfc3339;
use super::{ApiError, Client};

const LIST_ROLES: Rpc = rpc!("list realm roles", "access.API/ListRoles");
const LIST_USERS: Rpc = rpc!("list users", "access.API/ListUsers");
pub(super) const LIST_SERVICE_ACCOUNTS: Rpc =
    rpc!("list service accounts", "access.API/ListServiceAccounts");
const ASSIGN_ROLE: Rpc = rpc!("assign realm role", "access.API/AssignRoleAssignment");
const REMOVE_ROLE: Rpc = rpc!(
    "remove realm role assignment",
    "access.API/RemoveRoleAssignment"
);
const LIST_ASSIGNMENTS: Rpc = rpc!("list role assignments", "access.API/ListRoleAssignments");
const LIST_DELEGATED_ADMINS: Rpc = rpc!("list delegated admins", "access.API/ListDelegatedAdmins");

/// A service account.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServiceAccount {
    /// `sa-…`.
    pub id: String,
    /// Unique in the organisation.
    pub name: String,
    /// Free text.
    pub description: String,
    /// The organisation-level role.
    pub role_id: String,
    /// RFC 3339.
    pub created_at: String,
}

/// A user of the organisation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct User {
    /// The user's id.
    pub id: String,
    /// Their email.
    pub email: String,
}

/// A role (realm roles: `Administrator`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Role {
    /// The role's id.
    pub id: String,
    /// Its name.
    pub name: String,
}

/// Who holds a role assignment.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Principal {
    /// A service account, `sa-…`.
    ServiceAccount(String),
    /// A user, by id.
    User(String),
}

/// A realm role assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleAssignment {
    /// `ra-…`.
    pub id: String,
    /// Who holds it; `None` when the answer names no principal this provider knows.
    pub principal: Option<Principal>,
    /// `rlm-…`.
    pub realm_id: String,
    /// The role's id.
    pub role_id: String,
    /// RFC 3339.
    pub created_at: String,
}

impl From<wire::RoleAssignment> for RoleAssignment {
    fn from(a: wire::RoleAssignment) -> Self {
        use wire::role_assignment::{Assignment, Principal as P};
        let realm = a
            .assignment
            .map(|Assignment::RealmRole(r)| r)
            .unwrap_or_default();
        RoleAssignment {
            id: a.id,
            principal: a.principal.map(|p| match p {
                P::ServiceAccountId(id) => Principal::ServiceAccount(id),
                P::UserId(id) => Principal::User(id),
            }),
            realm_id: realm.realm_id,
            role_id: realm.role_id,
            created_at: rfc3339(a.created_at.as_ref()),
        }
    }
}

pub(super) fn access(channel: Channel) -> AccessApi<Channel> {
    AccessApi::new(channel).max_decoding_message_size(MAX_ANSWER_BYTES)
}

impl Client {
    /// `ListServiceAccounts`, by exact name when `name` is given.
    pub async fn list_service_accounts(
        &self,
        name: Option<&str>,
    ) -> Result<Vec<ServiceAccount>, ApiError> {
        let request = wire::ListServiceAccountsRequest {
            by_name: name.unwrap_or_default().to_owned(),
        };
        let answer = self
            .call(
                LIST_SERVICE_ACCOUNTS,
                self.deadline(),
                request,
                |c, r| async move { access(c).list_service_accounts(r).await },
            )
            .await?;
        Ok(answer
            .service_accounts
            .into_iter()
            .map(ServiceAccount::from)
            .filter(|a| name.is_none_or(|n| a.name == n))
            .collect())
    }

    /// `ListUsers`, by exact email when `email` is given.
    pub async fn list_users(&self, email: Option<&str>) -> Result<Vec<User>, ApiError> {
        let request = wire::ListUsersRequest {
            by_email: email.unwrap_or_default().to_owned(),
        };
        let answer = self
            .call(LIST_USERS, self.deadline(), request, |c, r| async move {
                access(c).list_users(r).await
            })
            .await?;
        Ok(answer
            .users
            .into_iter()
            .map(|u| User {
                id: u.id,
                email: u.email,
            })
            .filter(|u| email.is_none_or(|e| u.email == e))
            .collect())
    }

    /// `ListRoles` of the realm type.
    pub async fn list_realm_roles(&self) -> Result<Vec<Role>, ApiError> {
        let request = wire::ListRolesRequest {
            role_type: wire::RoleType::Realm.into(),
        };
        let answer = self
            .call(LIST_ROLES, self.deadline(), request, |c, r| async move {
                access(c).list_roles(r).await
            })
            .await?;
        Ok(answer
            .roles
            .into_iter()
            .map(|r| Role {
                id: r.id,
                name: r.name,
            })
            .collect())
    }

    /// `AssignRoleAssignment` of realm role `role_id` in `realm_id` to `principal`; returns the
    /// assignment's id. An assignment whose answer was lost is found and adopted.
    pub async fn assign_realm_role(
        &self,
        principal: &Principal,
        realm_id: &str,
        role_id: &str,
    ) -> Result<String, ApiError> {
        use wire::assign_role_assignment_request::{Principal as P, RoleAssignment as R};
        let request = wire::AssignRoleAssignmentRequest {
            principal: Some(match principal {
                Principal::ServiceAccount(id) => P::ServiceAccountId(id.clone()),
                Principal::User(id) => P::UserId(id.clone()),
            }),
            role_assignment: Some(R::RealmRole(wire::RealmRoleAssignment {
                realm_id: realm_id.to_owned(),
                role_id: role_id.to_owned(),
            })),
        };
        let lookup = |deadline| async move {
            let found = self
                .list_role_assignments_until(principal, deadline)
                .await?;
            Ok(found
                .into_iter()
                .find(|a| a.realm_id == realm_id && a.role_id == role_id)
                .map(|a| a.id))
        };
        self.create(
            ASSIGN_ROLE,
            request,
            |c, r| async move { access(c).assign_role_assignment(r).await },
            |a: &wire::AssignRoleAssignmentResponse| a.assignment_id.clone(),
            lookup,
        )
        .await
    }

    /// The assignments of `principal`.
    pub async fn list_role_assignments(
        &self,
        principal: &Principal,
    ) -> Result<Vec<RoleAssignment>, ApiError> {
        self.list_role_assignments_until(principal, self.deadline())
            .await
    }

    async fn list_role_assignments_until(
        &self,
        principal: &Principal,
        deadline: Instant,
    ) -> Result<Vec<RoleAssignment>, ApiError> {
        use wire::list_role_assignments_request::Principal as P;
        let filter = match principal {
            Principal::ServiceAccount(id) => P::ServiceAccountId(id.clone()),
            Principal::User(id) => P::UserId(id.clone()),
        };
        self.list_assignments(Some(filter), deadline).await
    }

    /// The assignment `id`, or `None`.
    pub async fn role_assignment(&self, id: &str) -> Result<Option<RoleAssignment>, ApiError> {
        use wire::list_role_assignments_request::Principal as P;
        let found = self
            .list_assignments(Some(P::AssignmentId(id.to_owned())), self.deadline())
            .await?;
        Ok(found.into_iter().find(|a| a.id == id))
    }

    async fn list_assignments(
        &self,
        principal: Option<wire::list_role_assignments_request::Principal>,
        deadline: Instant,
    ) -> Result<Vec<RoleAssignment>, ApiError> {
        let request = wire::ListRoleAssignmentsRequest { principal };
        let answer = self
            .call(LIST_ASSIGNMENTS, deadline, request, |c, r| async move {
                access(c).list_role_assignments(r).await
            })
            .await?;
        Ok(answer.assignments.into_iter().map(Into::into).collect())
    }

    /// `RemoveRoleAssignment`; `NOT_FOUND` is success.
    pub async fn remove_role_assignment(&self, id: &str) -> Result<(), ApiError> {
        let request = wire::RemoveRoleAssignmentRequest {
            assignment_id: id.to_owned(),
        };
        let result = self
            .call(REMOVE_ROLE, self.deadline(), request, |c, r| async move {
                access(c).remove_role_assignment(r).await
            })
            .await;
        gone_is_done(result)
    }

    /// `ListDelegatedAdmins` of one realm: its administrators' assignments, as
    /// `(assignment id, principal, created_at)`.
    pub async fn delegated_admins(
        &self,
        realm_id: &str,
    ) -> Result<Vec<(String, Principal, String)>, ApiError> {
        use wire::delegated_admin::Principal as P;
        let request = wire::ListDelegatedAdminsRequest {
            realm_ids: vec![realm_id.to_owned()],
        };
        let answer = self
            .call(
                LIST_DELEGATED_ADMINS,
                self.deadline(),
                request,
                |c, r| async move { access(c).list_delegated_admins(r).await },
            )
            .await?;
        Ok(answer
            .realms
            .into_iter()
            .filter(|r| r.realm_id == realm_id)
            .flat_map(|r| r.delegated_admins)
            .filter_map(|a| {
                let principal = match a.principal? {
                    P::ServiceAccountId(id) => Principal::ServiceAccount(id),
                    P::UserId(id) => Principal::User(id),
                };
                Some((a.assignment_id, principal, rfc3339(a.created_at.as_ref())))
            })
            .collect())
    }
}
