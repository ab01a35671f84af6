//! Access: the organisation's service accounts and their keys (those the mock makes itself,
//! the bootstrap one included, and those made through the API), its roles and users, the realm
//! roles, and realm role assignments (the realms' delegated administrators). Users come from the
//! mock's configuration or a test hook; the API only looks them up.

use ed25519_dalek::pkcs8::{DecodePrivateKey as _, DecodePublicKey as _, EncodePublicKey as _};
use ed25519_dalek::{SigningKey, VerifyingKey};
use spirl_api_proto::access as pb;

use super::{
    AccountKeyRecord, AccountRecord, AssignmentRecord, Change, Ctx, Principal,
    ServiceAccountRecord, Store, UserRecord,
};
use crate::assumptions::{
    BOOTSTRAP_SERVICE_ACCOUNT_NAME, DEFAULT_SERVICE_ACCOUNT_ROLE,
    DELETE_SERVICE_ACCOUNT_WITH_KEYS_NEEDS_FORCE, FIRST_USER_ROLE,
    LIST_ROLE_ASSIGNMENTS_UNFILTERED_LISTS_ALL, MAX_DESCRIPTION_BYTES, ORG_ROLES, REALM_ROLES,
    ROLE_ASSIGNMENT_ID_PREFIX, SERVICE_ACCOUNT_ID_PREFIX, SERVICE_ACCOUNT_KEY_ID_PREFIX,
    SERVICE_ACCOUNT_ROLE_AT_MOST_THE_CALLERS, SERVICE_ACCOUNTS_CANNOT_BE_OWNERS,
    SERVICE_ACCOUNTS_CANNOT_CREATE_SERVICE_ACCOUNTS, USER_ID_PREFIX,
};
use crate::error::ApiError;
use crate::state;
use crate::validate::{self, invalid};

/// A service account's id: its key's id with the service-account prefix.
fn service_account_id(key_id: &str) -> String {
    let suffix = key_id
        .strip_prefix(SERVICE_ACCOUNT_KEY_ID_PREFIX)
        .unwrap_or(key_id);
    format!("{SERVICE_ACCOUNT_ID_PREFIX}{suffix}")
}

/// The rank of an organisation role (its place in [`ORG_ROLES`]), or `None` for no such role.
fn rank(role_id: &str) -> Option<usize> {
    ORG_ROLES.iter().position(|(id, _)| *id == role_id)
}

fn role_name(role_id: &str) -> &str {
    ORG_ROLES
        .iter()
        .find(|(id, _)| *id == role_id)
        .map_or(role_id, |(_, name)| name)
}

/// The organisation role of the user at `index` (see [`UserRecord::role_id`]).
fn user_role(index: usize, user: &UserRecord) -> &str {
    match (user.role_id.as_str(), index) {
        ("", 0) => FIRST_USER_ROLE,
        ("", _) => DEFAULT_SERVICE_ACCOUNT_ROLE,
        (role, _) => role,
    }
}

fn not_found(what: &str, id: &str) -> ApiError {
    ApiError::NotFound(format!("{what} {id} not found"))
}

impl Store {
    /// The account `id`.
    fn service_account(&self, id: &str) -> Result<&AccountRecord, ApiError> {
        validate::required("id", id)?;
        self.accounts
            .iter()
            .find(|a| a.id == id)
            .ok_or_else(|| not_found("service account", id))
    }

    /// The accounts made through the API, not by the mock itself.
    pub(super) fn api_accounts(&self) -> impl Iterator<Item = &AccountRecord> {
        self.accounts.iter().filter(|a| a.created_by.is_some())
    }

    /// The first account the mock made itself: the one whose credentials it writes.
    pub fn bootstrap_account(&self) -> Option<&ServiceAccountRecord> {
        self.minted.first()
    }

    /// A new service account with a fresh key pair, made by the mock itself (not the API).
    pub fn plan_service_account(&self, name: &str, ctx: &Ctx<'_>) -> Result<Change, ApiError> {
        if !name.is_empty() && !self.list_service_accounts(name).is_empty() {
            return Err(ApiError::AlreadyExists(format!(
                "a service account named {name} exists"
            )));
        }
        use ed25519_dalek::pkcs8::{EncodePrivateKey as _, KeypairBytes};
        let key = SigningKey::generate(&mut rand::rngs::OsRng);
        // PKCS#8 v1 (no public key inside): what OpenSSL, Go and Python write and read
        // (SERVICE_ACCOUNT_KEY_IS_PKCS8_V1).
        let pem = KeypairBytes {
            secret_key: key.to_bytes(),
            public_key: None,
        }
        .to_pkcs8_pem(Default::default())
        .map_err(|e| ApiError::Internal(format!("cannot encode a private key: {e}")))?;
        Ok(Change::ServiceAccountCreated {
            account: ServiceAccountRecord {
                key_id: self.fresh_id(SERVICE_ACCOUNT_KEY_ID_PREFIX, ctx),
                private_key_pem: pem.to_string(),
                created_at: ctx.now,
                name: name.to_owned(),
            },
        })
    }

    /// The verifying key of an active service-account key, or `None` (no such key, or off).
    pub fn login_key(&self, key_id: &str) -> Option<VerifyingKey> {
        self.account_keys
            .iter()
            .find(|k| k.id == key_id && k.active)
            .and_then(|k| VerifyingKey::from_public_key_der(&k.public_key_der).ok())
    }

    /// The organisation role of whoever made a call.
    fn caller_role(&self, caller: &state::Principal) -> Option<&str> {
        match caller {
            state::Principal::ServiceAccountKey { key_id } => {
                let key = self.account_keys.iter().find(|k| &k.id == key_id)?;
                let account = self
                    .accounts
                    .iter()
                    .find(|a| a.id == key.service_account_id)?;
                Some(&account.role_id)
            }
            state::Principal::User { user_id } => {
                let (index, user) = self
                    .users
                    .iter()
                    .enumerate()
                    .find(|(_, u)| &u.id == user_id)?;
                Some(user_role(index, user))
            }
        }
    }

    /// Whether `caller` may give a service account `role_id` (which must be a role).
    fn check_grantable(&self, caller: &state::Principal, role_id: &str) -> Result<(), ApiError> {
        let Some(wanted) = rank(role_id) else {
            return Err(ApiError::NotFound(format!(
                "role_id: organisation role {role_id} not found"
            )));
        };
        if SERVICE_ACCOUNTS_CANNOT_BE_OWNERS && ORG_ROLES[wanted].1 == "Owner" {
            return Err(invalid(
                "role_id: a service account cannot hold the Owner role; choose a less \
                 permissive role"
                    .into(),
            ));
        }
        let own = self.caller_role(caller).and_then(rank);
        if SERVICE_ACCOUNT_ROLE_AT_MOST_THE_CALLERS && own.is_none_or(|own| own < wanted) {
            return Err(ApiError::PermissionDenied(format!(
                "role_id: the caller's role ({}) is less permissive than {}; a service account's \
                 role may be at most its creator's",
                own.map_or("none", |own| ORG_ROLES[own].1),
                ORG_ROLES[wanted].1
            )));
        }
        Ok(())
    }

    fn account_view(&self, a: &AccountRecord) -> pb::ServiceAccount {
        pb::ServiceAccount {
            id: a.id.clone(),
            name: a.name.clone(),
            description: a.description.clone(),
            role_id: a.role_id.clone(),
            created_at: Some(a.created_at.into()),
            created_by: a.created_by.as_ref().map(|user_id| pb::CreatedBy {
                id: user_id.clone(),
                email: self
                    .users
                    .iter()
                    .find(|u| &u.id == user_id)
                    .map(|u| u.email.clone())
                    .unwrap_or_default(),
            }),
        }
    }

    fn key_view(k: &AccountKeyRecord) -> pb::ServiceAccountKey {
        pb::ServiceAccountKey {
            id: k.id.clone(),
            service_account_id: k.service_account_id.clone(),
            is_active: k.active,
            public_key: Some(pb::PkixPublicKey {
                data: k.public_key_der.clone(),
            }),
            created_at: Some(k.created_at.into()),
        }
    }

    /// `ListServiceAccounts`, by exact name when given.
    pub fn list_service_accounts(&self, by_name: &str) -> Vec<pb::ServiceAccount> {
        self.accounts
            .iter()
            .filter(|a| by_name.is_empty() || a.name == by_name)
            .map(|a| self.account_view(a))
            .collect()
    }

    /// `ListOrgRoles`.
    pub fn list_org_roles(&self) -> Vec<pb::OrgRole> {
        ORG_ROLES
            .iter()
            .map(|(id, name)| pb::OrgRole {
                id: (*id).to_owned(),
                name: (*name).to_owned(),
            })
            .collect()
    }

    /// `CreateServiceAccount`: a unique name, a role no more permissive than the caller's (the
    /// default role when none is given), made by a user.
    pub fn plan_create_service_account(
        &self,
        r: &pb::CreateServiceAccountRequest,
        caller: &state::Principal,
        ctx: &Ctx<'_>,
    ) -> Result<(Change, pb::CreateServiceAccountResponse), ApiError> {
        let creator = match caller {
            state::Principal::User { user_id } => user_id.clone(),
            state::Principal::ServiceAccountKey { .. }
                if SERVICE_ACCOUNTS_CANNOT_CREATE_SERVICE_ACCOUNTS =>
            {
                return Err(ApiError::PermissionDenied(
                    "service accounts cannot create service accounts; a user must (for \
                     Terraform, a `spirlctl login` session)"
                        .into(),
                ));
            }
            state::Principal::ServiceAccountKey { key_id } => self
                .account_keys
                .iter()
                .find(|k| &k.id == key_id)
                .map(|k| k.service_account_id.clone())
                .unwrap_or_default(),
        };
        validate::required("name", &r.name)?;
        if r.description.len() > MAX_DESCRIPTION_BYTES {
            return Err(invalid(format!(
                "description is {} bytes; at most {MAX_DESCRIPTION_BYTES}",
                r.description.len()
            )));
        }
        let role_id = if r.role_id.is_empty() {
            DEFAULT_SERVICE_ACCOUNT_ROLE
        } else {
            &r.role_id
        };
        self.check_grantable(caller, role_id)?;
        if self.accounts.iter().any(|a| a.name == r.name) {
            return Err(ApiError::AlreadyExists(format!(
                "name: a service account named {} exists",
                r.name
            )));
        }
        let account = AccountRecord {
            id: self.fresh_id(SERVICE_ACCOUNT_ID_PREFIX, ctx),
            name: r.name.clone(),
            description: r.description.clone(),
            role_id: role_id.to_owned(),
            created_at: ctx.now,
            created_by: Some(creator),
        };
        let answer = pb::CreateServiceAccountResponse {
            service_account: Some(self.account_view(&account)),
        };
        Ok((Change::ServiceAccountAdded { account }, answer))
    }

    /// `GetServiceAccountInfo`: the account and its keys.
    pub fn service_account_info(
        &self,
        id: &str,
    ) -> Result<pb::GetServiceAccountInfoResponse, ApiError> {
        let account = self.service_account(id)?;
        Ok(pb::GetServiceAccountInfoResponse {
            service_account: Some(self.account_view(account)),
            service_account_keys: self
                .account_keys
                .iter()
                .filter(|k| k.service_account_id == id)
                .map(Self::key_view)
                .collect(),
        })
    }

    /// `UpdateServiceAccountRole`, under the same rule as create. The same role again changes
    /// nothing.
    pub fn plan_update_service_account_role(
        &self,
        r: &pb::UpdateServiceAccountRoleRequest,
        caller: &state::Principal,
    ) -> Result<(Option<Change>, pb::UpdateServiceAccountRoleResponse), ApiError> {
        let account = self.service_account(&r.id)?;
        validate::required("role_id", &r.role_id)?;
        self.check_grantable(caller, &r.role_id)?;
        let mut updated = account.clone();
        updated.role_id = r.role_id.clone();
        let answer = pb::UpdateServiceAccountRoleResponse {
            service_account: Some(self.account_view(&updated)),
        };
        let change = (account.role_id != r.role_id).then(|| Change::ServiceAccountRoleSet {
            id: r.id.clone(),
            role_id: r.role_id.clone(),
        });
        Ok((change, answer))
    }

    /// `DeleteServiceAccount`: one with keys only with `force`, which deletes them too.
    pub fn plan_delete_service_account(&self, id: &str, force: bool) -> Result<Change, ApiError> {
        let account = self.service_account(id)?;
        let keys = self
            .account_keys
            .iter()
            .filter(|k| k.service_account_id == id)
            .count();
        if DELETE_SERVICE_ACCOUNT_WITH_KEYS_NEEDS_FORCE && keys > 0 && !force {
            return Err(ApiError::FailedPrecondition(format!(
                "service account {} ({id}) has {keys} key(s); delete them first, or set force",
                account.name
            )));
        }
        Ok(Change::ServiceAccountDeleted { id: id.to_owned() })
    }

    /// `CreateServiceAccountKey`: an ed25519 public key for an account.
    pub fn plan_create_service_account_key(
        &self,
        r: &pb::CreateServiceAccountKeyRequest,
        ctx: &Ctx<'_>,
    ) -> Result<(Change, pb::CreateServiceAccountKeyResponse), ApiError> {
        validate::required("service_account_id", &r.service_account_id)?;
        let der = match &r.pub_key {
            Some(pb::create_service_account_key_request::PubKey::PkixPubkey(k)) => &k.data,
            None => return Err(invalid("pkix_pubkey is required".into())),
        };
        // SERVICE_ACCOUNT_KEYS_ARE_ED25519
        let key = VerifyingKey::from_public_key_der(der).map_err(|_| {
            invalid(
                "pkix_pubkey: not a DER SubjectPublicKeyInfo of an ed25519 key (only ed25519 \
                 keys are supported)"
                    .into(),
            )
        })?;
        self.service_account(&r.service_account_id)?;
        let record = AccountKeyRecord {
            id: self.fresh_id(SERVICE_ACCOUNT_KEY_ID_PREFIX, ctx),
            service_account_id: r.service_account_id.clone(),
            // Stored as the canonical encoding of the key.
            public_key_der: key
                .to_public_key_der()
                .map_err(|e| ApiError::Internal(format!("cannot encode a public key: {e}")))?
                .into_vec(),
            active: true,
            created_at: ctx.now,
        };
        let answer = pb::CreateServiceAccountKeyResponse {
            service_account_key: Some(Self::key_view(&record)),
        };
        Ok((Change::ServiceAccountKeyAdded { key: record }, answer))
    }

    fn account_key(&self, id: &str) -> Result<&AccountKeyRecord, ApiError> {
        validate::required("id", id)?;
        self.account_keys
            .iter()
            .find(|k| k.id == id)
            .ok_or_else(|| not_found("service account key", id))
    }

    /// `UpdateServiceAccountKeyStatus`; the status it has already changes nothing.
    pub fn plan_service_account_key_status(
        &self,
        r: &pb::UpdateServiceAccountKeyStatusRequest,
    ) -> Result<(Option<Change>, pb::UpdateServiceAccountKeyStatusResponse), ApiError> {
        let key = self.account_key(&r.id)?;
        let mut updated = key.clone();
        updated.active = r.is_active;
        let answer = pb::UpdateServiceAccountKeyStatusResponse {
            service_account_key: Some(Self::key_view(&updated)),
        };
        let change = (key.active != r.is_active).then(|| Change::ServiceAccountKeyStatusSet {
            id: r.id.clone(),
            active: r.is_active,
        });
        Ok((change, answer))
    }

    /// `DeleteServiceAccountKey`: an active key only with `force`.
    pub fn plan_delete_service_account_key(
        &self,
        id: &str,
        force: bool,
    ) -> Result<Change, ApiError> {
        let key = self.account_key(id)?;
        if key.active && !force {
            return Err(ApiError::FailedPrecondition(format!(
                "service account key {id} is active; deactivate it first, or set force"
            )));
        }
        Ok(Change::ServiceAccountKeyDeleted { id: id.to_owned() })
    }

    /// Makes a service-account change (see [`Store::apply`]).
    pub(super) fn apply_access(&mut self, change: &Change) -> Result<(), String> {
        match change {
            Change::ServiceAccountCreated { account } => {
                if self.account_keys.iter().any(|k| k.id == account.key_id) {
                    return Err(format!("service account key {} exists", account.key_id));
                }
                let public_key_der = SigningKey::from_pkcs8_pem(&account.private_key_pem)
                    .map_err(|e| format!("service account key {}: {e}", account.key_id))?
                    .verifying_key()
                    .to_public_key_der()
                    .map_err(|e| format!("service account key {}: {e}", account.key_id))?
                    .into_vec();
                let id = service_account_id(&account.key_id);
                // Journals from before names existed name the first account after the bootstrap
                // one, and the others after their keys.
                let name = if !account.name.is_empty() {
                    account.name.clone()
                } else if self.minted.is_empty() {
                    BOOTSTRAP_SERVICE_ACCOUNT_NAME.to_owned()
                } else {
                    account.key_id.clone()
                };
                self.accounts.push(AccountRecord {
                    id: id.clone(),
                    name,
                    description: String::new(),
                    role_id: DEFAULT_SERVICE_ACCOUNT_ROLE.to_owned(),
                    created_at: account.created_at,
                    created_by: None,
                });
                self.account_keys.push(AccountKeyRecord {
                    id: account.key_id.clone(),
                    service_account_id: id,
                    public_key_der,
                    active: true,
                    created_at: account.created_at,
                });
                self.minted.push(account.clone());
            }
            Change::ServiceAccountAdded { account } => {
                if self.accounts.iter().any(|a| a.id == account.id) {
                    return Err(format!("service account {} exists", account.id));
                }
                self.accounts.push(account.clone());
            }
            Change::ServiceAccountRoleSet { id, role_id } => {
                let account = self
                    .accounts
                    .iter_mut()
                    .find(|a| &a.id == id)
                    .ok_or_else(|| format!("service account {id} missing"))?;
                account.role_id = role_id.clone();
            }
            Change::ServiceAccountDeleted { id } => {
                let before = self.accounts.len();
                self.accounts.retain(|a| &a.id != id);
                if self.accounts.len() == before {
                    return Err(format!("service account {id} missing"));
                }
                self.account_keys.retain(|k| &k.service_account_id != id);
                let holder = Principal::ServiceAccount(id.clone());
                self.assignments.retain(|_, a| a.principal != holder);
            }
            Change::ServiceAccountKeyAdded { key } => {
                if self.account_keys.iter().any(|k| k.id == key.id) {
                    return Err(format!("service account key {} exists", key.id));
                }
                if !self.accounts.iter().any(|a| a.id == key.service_account_id) {
                    return Err(format!(
                        "service account {} missing",
                        key.service_account_id
                    ));
                }
                self.account_keys.push(key.clone());
            }
            Change::ServiceAccountKeyStatusSet { id, active } => {
                let key = self
                    .account_keys
                    .iter_mut()
                    .find(|k| &k.id == id)
                    .ok_or_else(|| format!("service account key {id} missing"))?;
                key.active = *active;
            }
            Change::ServiceAccountKeyDeleted { id } => {
                let before = self.account_keys.len();
                self.account_keys.retain(|k| &k.id != id);
                if self.account_keys.len() == before {
                    return Err(format!("service account key {id} missing"));
                }
            }
            _ => return Err("not an access change".into()),
        }
        Ok(())
    }

    /// The id of the organisation's first user, if it has one.
    pub fn first_user_id(&self) -> Option<String> {
        self.users.first().map(|u| u.id.clone())
    }

    /// `ListUsers`, by exact email when given.
    pub fn list_users(&self, by_email: &str) -> Vec<pb::User> {
        self.users
            .iter()
            .enumerate()
            .filter(|(_, u)| by_email.is_empty() || u.email == by_email)
            .map(|(index, u)| pb::User {
                id: u.id.clone(),
                email: u.email.clone(),
                name: u.name.clone(),
                role: Some(pb::OrgRole {
                    id: user_role(index, u).to_owned(),
                    name: role_name(user_role(index, u)).to_owned(),
                }),
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

    /// A user added by the mock's configuration or a test (not by the API), with the
    /// organisation role named `role` (by name or id; the default when `None`). A user who
    /// exists is left as they are.
    pub fn plan_add_user(
        &self,
        email: &str,
        role: Option<&str>,
        ctx: &Ctx<'_>,
    ) -> Result<Option<Change>, ApiError> {
        if !email.contains('@') || email.chars().any(char::is_whitespace) {
            return Err(invalid(format!("{email:?} is not an email address")));
        }
        if self.users.iter().any(|u| u.email == email) {
            return Ok(None);
        }
        let role_id = match role {
            None if self.users.is_empty() => FIRST_USER_ROLE,
            None => DEFAULT_SERVICE_ACCOUNT_ROLE,
            Some(role) => ORG_ROLES
                .iter()
                .find(|(id, name)| *id == role || name.eq_ignore_ascii_case(role))
                .map(|(id, _)| *id)
                .ok_or_else(|| invalid(format!("{role:?} is not an organisation role")))?,
        };
        Ok(Some(Change::UserAdded {
            user: UserRecord {
                id: self.fresh_id(USER_ID_PREFIX, ctx),
                email: email.to_owned(),
                name: email.split('@').next().unwrap_or_default().to_owned(),
                created_at: ctx.now,
                role_id: role_id.to_owned(),
            },
        }))
    }

    /// The id of the user with this email.
    pub fn user_id(&self, email: &str) -> Option<String> {
        self.users
            .iter()
            .find(|u| u.email == email)
            .map(|u| u.id.clone())
    }

    fn principal_exists(&self, principal: &Principal) -> Result<(), ApiError> {
        let found = match principal {
            Principal::ServiceAccount(id) => self.accounts.iter().any(|a| &a.id == id),
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

    /// `ListRoleAssignments` of a principal, or the one assignment with an id, or without a
    /// filter every assignment of the organisation, in id order.
    pub fn list_role_assignments(
        &self,
        filter: Option<&pb::list_role_assignments_request::Principal>,
    ) -> Vec<pb::RoleAssignment> {
        use pb::list_role_assignments_request::Principal as Filter;
        let matches = |a: &&AssignmentRecord| match filter {
            Some(Filter::ServiceAccountId(id)) => {
                a.principal == Principal::ServiceAccount(id.clone())
            }
            Some(Filter::UserId(id)) => a.principal == Principal::User(id.clone()),
            Some(Filter::AssignmentId(id)) => &a.id == id,
            None => LIST_ROLE_ASSIGNMENTS_UNFILTERED_LISTS_ALL,
        };
        self.assignments
            .values()
            .filter(matches)
            .map(Self::assignment_view)
            .collect()
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
