//! The access service, `com.spirl.api.v1.access.API`: service accounts made, changed and
//! deleted with their keys, organisation roles, users and realm roles looked up, realm roles
//! assigned and removed (`store::access` holds the rules).

use spirl_api_proto::access::api_server::Api;
use spirl_api_proto::access::*;
use tonic::{Request, Response, Status};

use crate::gate::Calls;
use crate::state::MockState;
use crate::store::Principal;

/// The gRPC service name.
pub const SERVICE: &str = "com.spirl.api.v1.access.API";

/// The access service.
#[derive(Debug, Clone)]
pub struct AccessService {
    calls: Calls,
}

impl AccessService {
    /// The service over `state`.
    pub fn new(state: MockState) -> Self {
        AccessService {
            calls: Calls::new(state, SERVICE),
        }
    }
}

#[tonic::async_trait]
impl Api for AccessService {
    async fn list_roles(
        &self,
        request: Request<ListRolesRequest>,
    ) -> Result<Response<ListRolesResponse>, Status> {
        self.calls.enter(request, "ListRoles").await?;
        Ok(self.calls.read(|store, _| {
            Ok(ListRolesResponse {
                roles: store.list_roles(),
            })
        })?)
    }

    async fn list_users(
        &self,
        request: Request<ListUsersRequest>,
    ) -> Result<Response<ListUsersResponse>, Status> {
        let r = self.calls.enter(request, "ListUsers").await?;
        Ok(self.calls.read(|store, _| {
            Ok(ListUsersResponse {
                users: store.list_users(&r.by_email),
            })
        })?)
    }

    async fn list_service_accounts(
        &self,
        request: Request<ListServiceAccountsRequest>,
    ) -> Result<Response<ListServiceAccountsResponse>, Status> {
        let r = self.calls.enter(request, "ListServiceAccounts").await?;
        Ok(self.calls.read(|store, _| {
            Ok(ListServiceAccountsResponse {
                service_accounts: store.list_service_accounts(&r.by_name),
            })
        })?)
    }

    async fn assign_role_assignment(
        &self,
        request: Request<AssignRoleAssignmentRequest>,
    ) -> Result<Response<AssignRoleAssignmentResponse>, Status> {
        let r = self.calls.enter(request, "AssignRoleAssignment").await?;
        let principal = r.principal.map(|p| match p {
            assign_role_assignment_request::Principal::ServiceAccountId(id) => {
                Principal::ServiceAccount(id)
            }
            assign_role_assignment_request::Principal::UserId(id) => Principal::User(id),
        });
        let realm_role = r
            .role_assignment
            .map(|assign_role_assignment_request::RoleAssignment::RealmRole(role)| role);
        Ok(self.calls.write(|store, ctx| {
            let (change, answer) = store.plan_assign_role(principal, realm_role.as_ref(), ctx)?;
            Ok((Some(change), answer))
        })?)
    }

    async fn remove_role_assignment(
        &self,
        request: Request<RemoveRoleAssignmentRequest>,
    ) -> Result<Response<RemoveRoleAssignmentResponse>, Status> {
        let r = self.calls.enter(request, "RemoveRoleAssignment").await?;
        Ok(self.calls.write(|store, _| {
            let change = store.plan_remove_role(&r.assignment_id)?;
            Ok((Some(change), RemoveRoleAssignmentResponse {}))
        })?)
    }

    async fn list_role_assignments(
        &self,
        request: Request<ListRoleAssignmentsRequest>,
    ) -> Result<Response<ListRoleAssignmentsResponse>, Status> {
        let r = self.calls.enter(request, "ListRoleAssignments").await?;
        Ok(self.calls.read(|store, _| {
            Ok(ListRoleAssignmentsResponse {
                assignments: store.list_role_assignments(r.principal.as_ref()),
            })
        })?)
    }

    async fn list_delegated_admins(
        &self,
        request: Request<ListDelegatedAdminsRequest>,
    ) -> Result<Response<ListDelegatedAdminsResponse>, Status> {
        let r = self.calls.enter(request, "ListDelegatedAdmins").await?;
        Ok(self.calls.read(|store, _| {
            Ok(ListDelegatedAdminsResponse {
                realms: store.list_delegated_admins(&r.realm_ids),
            })
        })?)
    }

    async fn list_org_roles(
        &self,
        request: Request<ListOrgRolesRequest>,
    ) -> Result<Response<ListOrgRolesResponse>, Status> {
        self.calls.enter(request, "ListOrgRoles").await?;
        Ok(self.calls.read(|store, _| {
            Ok(ListOrgRolesResponse {
                roles: store.list_org_roles(),
            })
        })?)
    }

    async fn create_service_account(
        &self,
        request: Request<CreateServiceAccountRequest>,
    ) -> Result<Response<CreateServiceAccountResponse>, Status> {
        let (r, caller) = self.calls.enter_as(request, "CreateServiceAccount").await?;
        Ok(self.calls.write(|store, ctx| {
            let (change, answer) = store.plan_create_service_account(&r, &caller, ctx)?;
            Ok((Some(change), answer))
        })?)
    }

    async fn get_service_account_info(
        &self,
        request: Request<GetServiceAccountInfoRequest>,
    ) -> Result<Response<GetServiceAccountInfoResponse>, Status> {
        let r = self.calls.enter(request, "GetServiceAccountInfo").await?;
        Ok(self
            .calls
            .read(|store, _| store.service_account_info(&r.id))?)
    }

    async fn update_service_account_role(
        &self,
        request: Request<UpdateServiceAccountRoleRequest>,
    ) -> Result<Response<UpdateServiceAccountRoleResponse>, Status> {
        let (r, caller) = self
            .calls
            .enter_as(request, "UpdateServiceAccountRole")
            .await?;
        Ok(self
            .calls
            .write(|store, _| store.plan_update_service_account_role(&r, &caller))?)
    }

    async fn delete_service_account(
        &self,
        request: Request<DeleteServiceAccountRequest>,
    ) -> Result<Response<DeleteServiceAccountResponse>, Status> {
        let r = self.calls.enter(request, "DeleteServiceAccount").await?;
        Ok(self.calls.write(|store, _| {
            let change = store.plan_delete_service_account(&r.id, r.force)?;
            Ok((Some(change), DeleteServiceAccountResponse {}))
        })?)
    }

    async fn create_service_account_key(
        &self,
        request: Request<CreateServiceAccountKeyRequest>,
    ) -> Result<Response<CreateServiceAccountKeyResponse>, Status> {
        let r = self.calls.enter(request, "CreateServiceAccountKey").await?;
        Ok(self.calls.write(|store, ctx| {
            let (change, answer) = store.plan_create_service_account_key(&r, ctx)?;
            Ok((Some(change), answer))
        })?)
    }

    async fn delete_service_account_key(
        &self,
        request: Request<DeleteServiceAccountKeyRequest>,
    ) -> Result<Response<DeleteServiceAccountKeyResponse>, Status> {
        let r = self.calls.enter(request, "DeleteServiceAccountKey").await?;
        Ok(self.calls.write(|store, _| {
            let change = store.plan_delete_service_account_key(&r.id, r.force)?;
            Ok((Some(change), DeleteServiceAccountKeyResponse {}))
        })?)
    }

    async fn update_service_account_key_status(
        &self,
        request: Request<UpdateServiceAccountKeyStatusRequest>,
    ) -> Result<Response<UpdateServiceAccountKeyStatusResponse>, Status> {
        let r = self
            .calls
            .enter(request, "UpdateServiceAccountKeyStatus")
            .await?;
        Ok(self
            .calls
            .write(|store, _| store.plan_service_account_key_status(&r))?)
    }
}
