//! Service accounts and their keys (`com.spirl.api.v1.access.API`): organisation roles listed,
//! accounts made, read with their keys, given another role and deleted; keys added, turned on or
//! off, and deleted. Only public keys travel: the private key of a service-account key never
//! reaches the control plane, nor this client.
//!
//! `CreateServiceAccount` and `CreateServiceAccountKey` have no idempotency key: an account whose
//! answer was lost is found by its (unique) name, a key by its public key among its account's.

use spirl_api_proto::access as wire;

use super::access::{LIST_SERVICE_ACCOUNTS, access};
use super::engine::{Rpc, gone_is_done};
use super::models::rfc3339;
use super::{ApiError, Client, ReadBack, Role, ServiceAccount};

const LIST_ORG_ROLES: Rpc = rpc!("list organisation roles", "access.API/ListOrgRoles");
const CREATE_SERVICE_ACCOUNT: Rpc =
    rpc!("create service account", "access.API/CreateServiceAccount");
const GET_SERVICE_ACCOUNT: Rpc = rpc!("read service account", "access.API/GetServiceAccountInfo");
const UPDATE_SERVICE_ACCOUNT_ROLE: Rpc = rpc!(
    "change the service account's role",
    "access.API/UpdateServiceAccountRole"
);
const DELETE_SERVICE_ACCOUNT: Rpc =
    rpc!("delete service account", "access.API/DeleteServiceAccount");
const CREATE_KEY: Rpc = rpc!(
    "create service account key",
    "access.API/CreateServiceAccountKey"
);
const UPDATE_KEY_STATUS: Rpc = rpc!(
    "change the service account key's status",
    "access.API/UpdateServiceAccountKeyStatus"
);
const DELETE_KEY: Rpc = rpc!(
    "delete service account key",
    "access.API/DeleteServiceAccountKey"
);

/// A key of a service account.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServiceAccountKey {
    /// `sak-…`: the `sa_key_id` a client logs in with.
    pub id: String,
    /// `sa-…`.
    pub service_account_id: String,
    /// Whether it may log in.
    pub active: bool,
    /// DER SubjectPublicKeyInfo.
    pub public_key_der: Vec<u8>,
    /// RFC 3339.
    pub created_at: String,
}

impl From<wire::ServiceAccount> for ServiceAccount {
    fn from(a: wire::ServiceAccount) -> Self {
        ServiceAccount {
            created_at: rfc3339(a.created_at.as_ref()),
            id: a.id,
            name: a.name,
            description: a.description,
            role_id: a.role_id,
        }
    }
}

impl From<wire::ServiceAccountKey> for ServiceAccountKey {
    fn from(k: wire::ServiceAccountKey) -> Self {
        ServiceAccountKey {
            created_at: rfc3339(k.created_at.as_ref()),
            id: k.id,
            service_account_id: k.service_account_id,
            active: k.is_active,
            public_key_der: k.public_key.map(|p| p.data).unwrap_or_default(),
        }
    }
}

impl ReadBack {
    /// The service account `id`, just created.
    pub fn service_account(id: &str) -> Self {
        Self::created(
            "service account",
            id,
            "read the new service account",
            GET_SERVICE_ACCOUNT,
        )
    }

    /// The service-account key `id`, just created.
    pub fn service_account_key(id: &str) -> Self {
        Self::created(
            "service account key",
            id,
            "read the new service account key",
            GET_SERVICE_ACCOUNT,
        )
    }
}

impl Client {
    /// `ListOrgRoles`: the organisation's roles.
    pub async fn list_org_roles(&self) -> Result<Vec<Role>, ApiError> {
        let answer = self
            .call(
                LIST_ORG_ROLES,
                self.deadline(),
                wire::ListOrgRolesRequest {},
                |c, r| async move { access(c).list_org_roles(r).await },
            )
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

    /// `CreateServiceAccount`; returns the new account's id. An account whose answer was lost is
    /// found by its name and adopted.
    pub async fn create_service_account(
        &self,
        name: &str,
        description: &str,
        role_id: &str,
    ) -> Result<String, ApiError> {
        let request = wire::CreateServiceAccountRequest {
            name: name.to_owned(),
            description: description.to_owned(),
            role_id: role_id.to_owned(),
        };
        let lookup = |deadline| async move {
            let request = wire::ListServiceAccountsRequest {
                by_name: name.to_owned(),
            };
            let found = self
                .call(
                    LIST_SERVICE_ACCOUNTS,
                    deadline,
                    request,
                    |c, r| async move { access(c).list_service_accounts(r).await },
                )
                .await?;
            Ok(found
                .service_accounts
                .into_iter()
                .find(|a| a.name == name)
                .map(|a| a.id))
        };
        self.create(
            CREATE_SERVICE_ACCOUNT,
            request,
            |c, r| async move { access(c).create_service_account(r).await },
            |a: &wire::CreateServiceAccountResponse| {
                a.service_account
                    .as_ref()
                    .map(|a| a.id.clone())
                    .unwrap_or_default()
            },
            lookup,
        )
        .await
    }

    /// `GetServiceAccountInfo`: the account `id` with its keys, or `None` when there is none.
    pub async fn service_account(
        &self,
        id: &str,
    ) -> Result<Option<(ServiceAccount, Vec<ServiceAccountKey>)>, ApiError> {
        let request = wire::GetServiceAccountInfoRequest { id: id.to_owned() };
        let answer = self
            .call(
                GET_SERVICE_ACCOUNT,
                self.deadline(),
                request,
                |c, r| async move { access(c).get_service_account_info(r).await },
            )
            .await;
        match answer {
            Ok(info) => Ok(info.service_account.filter(|a| a.id == id).map(|a| {
                let keys = info
                    .service_account_keys
                    .into_iter()
                    .map(ServiceAccountKey::from)
                    .collect();
                (a.into(), keys)
            })),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `UpdateServiceAccountRole`.
    pub async fn update_service_account_role(
        &self,
        id: &str,
        role_id: &str,
    ) -> Result<(), ApiError> {
        let request = wire::UpdateServiceAccountRoleRequest {
            id: id.to_owned(),
            role_id: role_id.to_owned(),
        };
        self.call(
            UPDATE_SERVICE_ACCOUNT_ROLE,
            self.deadline(),
            request,
            |c, r| async move { access(c).update_service_account_role(r).await },
        )
        .await?;
        Ok(())
    }

    /// `DeleteServiceAccount`, with the API's `force` (which deletes the account "regardless of
    /// state", its keys included); `NOT_FOUND` is success.
    pub async fn delete_service_account(&self, id: &str, force: bool) -> Result<(), ApiError> {
        let request = wire::DeleteServiceAccountRequest {
            id: id.to_owned(),
            force,
        };
        let result = self
            .call(
                DELETE_SERVICE_ACCOUNT,
                self.deadline(),
                request,
                |c, r| async move { access(c).delete_service_account(r).await },
            )
            .await;
        gone_is_done(result)
    }

    /// `CreateServiceAccountKey` of the public key `der` (DER SubjectPublicKeyInfo) for the
    /// account `service_account_id`; returns the key's id. A key whose answer was lost is found
    /// among the account's keys by its public key and adopted.
    pub async fn create_service_account_key(
        &self,
        service_account_id: &str,
        der: &[u8],
    ) -> Result<String, ApiError> {
        let request = wire::CreateServiceAccountKeyRequest {
            service_account_id: service_account_id.to_owned(),
            pub_key: Some(
                wire::create_service_account_key_request::PubKey::PkixPubkey(wire::PkixPublicKey {
                    data: der.to_vec(),
                }),
            ),
        };
        let lookup = |deadline| async move {
            let request = wire::GetServiceAccountInfoRequest {
                id: service_account_id.to_owned(),
            };
            let info = self
                .call(GET_SERVICE_ACCOUNT, deadline, request, |c, r| async move {
                    access(c).get_service_account_info(r).await
                })
                .await?;
            Ok(info
                .service_account_keys
                .into_iter()
                .map(ServiceAccountKey::from)
                .find(|k| crate::keys::same_der_key(&k.public_key_der, der))
                .map(|k| k.id))
        };
        self.create(
            CREATE_KEY,
            request,
            |c, r| async move { access(c).create_service_account_key(r).await },
            |a: &wire::CreateServiceAccountKeyResponse| {
                a.service_account_key
                    .as_ref()
                    .map(|k| k.id.clone())
                    .unwrap_or_default()
            },
            lookup,
        )
        .await
    }

    /// The key `id` of the account `service_account_id`, or `None` when either is gone.
    pub async fn service_account_key(
        &self,
        service_account_id: &str,
        id: &str,
    ) -> Result<Option<ServiceAccountKey>, ApiError> {
        Ok(self
            .service_account(service_account_id)
            .await?
            .and_then(|(_, keys)| keys.into_iter().find(|k| k.id == id)))
    }

    /// The key `id`, wherever it is: every account of the organisation is read until one has it
    /// (the API reads keys only through their account).
    pub async fn find_service_account_key(
        &self,
        id: &str,
    ) -> Result<Option<ServiceAccountKey>, ApiError> {
        for account in self.list_service_accounts(None).await? {
            if let Some(key) = self.service_account_key(&account.id, id).await? {
                return Ok(Some(key));
            }
        }
        Ok(None)
    }

    /// `UpdateServiceAccountKeyStatus`: turns the key `id` on or off.
    pub async fn set_service_account_key_active(
        &self,
        id: &str,
        active: bool,
    ) -> Result<(), ApiError> {
        let request = wire::UpdateServiceAccountKeyStatusRequest {
            id: id.to_owned(),
            is_active: active,
        };
        self.call(
            UPDATE_KEY_STATUS,
            self.deadline(),
            request,
            |c, r| async move { access(c).update_service_account_key_status(r).await },
        )
        .await?;
        Ok(())
    }

    /// `DeleteServiceAccountKey` with `force` (so that an active key goes too, as deployment keys
    /// do); `NOT_FOUND` is success.
    pub async fn delete_service_account_key(&self, id: &str) -> Result<(), ApiError> {
        let request = wire::DeleteServiceAccountKeyRequest {
            id: id.to_owned(),
            force: true,
        };
        let result = self
            .call(DELETE_KEY, self.deadline(), request, |c, r| async move {
                access(c).delete_service_account_key(r).await
            })
            .await;
        gone_is_done(result)
    }
}
