//! The objects a mock holds and every rule about them.
//!
//! A write is two steps: a `plan_*` method checks a request against the current objects and
//! returns the [`Change`] it would make, without touching anything; [`Store::apply`] then makes
//! the change. The state layer writes the change to the journal between the two, so replaying the
//! journal on start goes through exactly the code that served the writes.

use std::collections::{BTreeMap, HashMap};
use std::time::SystemTime;

use axum::http::StatusCode;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::DecodePrivateKey as _;
use serde::{Deserialize, Serialize};

use crate::config::{IdGenerator, rfc3339};
use crate::error::ApiError;
use crate::validate;
use crate::wire::{self, JwtIssuerInput, JwtIssuerMode};

/// Default and largest page of `GET /v1/trust-domains`.
pub const DEFAULT_PAGE_SIZE: usize = 50;
/// Larger `page_size` values are clamped to this.
pub const MAX_PAGE_SIZE: usize = 100;

/// A service account key that may log in.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ServiceAccountRecord {
    pub key_id: String,
    /// PKCS#8 PEM. The mock keeps it so that `--credentials-out` works again after a restart.
    pub private_key_pem: String,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct TrustDomainRecord {
    pub id: String,
    pub name: String,
    pub description: String,
    pub self_hosted: bool,
    pub jwt_mode: JwtIssuerMode,
    /// Only for `custom`; the other modes' URLs are computed when rendered.
    pub jwt_custom_url: String,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct DeploymentRecord {
    pub id: String,
    pub trust_domain_id: String,
    pub name: String,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct KeyRecord {
    pub id: String,
    pub public_key: String,
    pub active: bool,
    pub created_at: String,
}

/// One committed mutation; what the journal records, one per line.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub(crate) enum Change {
    ServiceAccountCreated {
        account: ServiceAccountRecord,
    },
    TrustDomainCreated {
        trust_domain: TrustDomainRecord,
    },
    /// Carries the whole new record: replay needs no knowledge of what a PATCH meant.
    TrustDomainUpdated {
        trust_domain: TrustDomainRecord,
    },
    TrustDomainDeleted {
        id: String,
    },
    DeploymentCreated {
        deployment: DeploymentRecord,
    },
    /// Removes the deployment's keys too (a forced delete).
    DeploymentDeleted {
        id: String,
    },
    KeyCreated {
        deployment_id: String,
        key: KeyRecord,
    },
    KeyUpdated {
        deployment_id: String,
        key_id: String,
        active: bool,
    },
    KeyDeleted {
        deployment_id: String,
        key_id: String,
    },
}

struct TrustDomainEntry {
    record: TrustDomainRecord,
    seq: u64,
    /// Deployment ids in creation order.
    deployments: Vec<String>,
}

struct DeploymentEntry {
    record: DeploymentRecord,
    keys: Vec<KeyRecord>,
}

/// Counts of stored objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ObjectCounts {
    /// Trust domains.
    pub trust_domains: usize,
    /// Deployments, over all trust domains.
    pub deployments: usize,
    /// Deployment keys, over all deployments.
    pub keys: usize,
}

/// What a plan needs besides the store: the time and a source of ids.
pub(crate) struct Ctx<'a> {
    pub now: SystemTime,
    pub ids: &'a dyn IdGenerator,
}

/// All objects, indexed for the API's look-ups.
#[derive(Default)]
pub(crate) struct Store {
    base_domain: String,
    /// In creation order; the first is the bootstrap account.
    accounts: Vec<ServiceAccountRecord>,
    trust_domains: HashMap<String, TrustDomainEntry>,
    /// Creation sequence → trust domain id: the stable order of listing and paging.
    trust_domain_order: BTreeMap<u64, String>,
    trust_domain_by_name: HashMap<String, String>,
    deployments: HashMap<String, DeploymentEntry>,
    /// Key id → deployment id.
    key_owner: HashMap<String, String>,
    next_seq: u64,
}

fn not_found_td(id: &str) -> ApiError {
    ApiError::NotFound(format!("trust domain {id} not found"))
}

impl Store {
    /// An empty store whose trust-domain URLs live under `base_domain`.
    pub fn new(base_domain: &str) -> Self {
        Store {
            base_domain: base_domain.to_owned(),
            ..Store::default()
        }
    }

    /// Makes a planned change. Fails only on a change that does not fit the objects, which live
    /// writes rule out by planning under the same lock, and which on replay means a damaged
    /// journal.
    pub fn apply(&mut self, change: &Change) -> Result<(), String> {
        match change {
            Change::ServiceAccountCreated { account } => {
                if self.account(&account.key_id).is_some() {
                    return Err(format!("service account {} exists", account.key_id));
                }
                self.accounts.push(account.clone());
            }
            Change::TrustDomainCreated { trust_domain } => {
                if self.trust_domains.contains_key(&trust_domain.id)
                    || self.trust_domain_by_name.contains_key(&trust_domain.name)
                {
                    return Err(format!("trust domain {} exists", trust_domain.id));
                }
                let seq = self.next_seq;
                self.next_seq += 1;
                self.trust_domain_order.insert(seq, trust_domain.id.clone());
                self.trust_domain_by_name
                    .insert(trust_domain.name.clone(), trust_domain.id.clone());
                self.trust_domains.insert(
                    trust_domain.id.clone(),
                    TrustDomainEntry {
                        record: trust_domain.clone(),
                        seq,
                        deployments: Vec::new(),
                    },
                );
            }
            Change::TrustDomainUpdated { trust_domain } => {
                let entry = self
                    .trust_domains
                    .get_mut(&trust_domain.id)
                    .ok_or_else(|| format!("trust domain {} missing", trust_domain.id))?;
                if entry.record.name != trust_domain.name {
                    return Err(format!("trust domain {} renamed", trust_domain.id));
                }
                entry.record = trust_domain.clone();
            }
            Change::TrustDomainDeleted { id } => {
                let entry = self
                    .trust_domains
                    .remove(id)
                    .ok_or_else(|| format!("trust domain {id} missing"))?;
                self.trust_domain_order.remove(&entry.seq);
                self.trust_domain_by_name.remove(&entry.record.name);
                for deployment_id in entry.deployments {
                    self.remove_deployment(&deployment_id);
                }
            }
            Change::DeploymentCreated { deployment } => {
                if self.deployments.contains_key(&deployment.id) {
                    return Err(format!("deployment {} exists", deployment.id));
                }
                let parent = self
                    .trust_domains
                    .get_mut(&deployment.trust_domain_id)
                    .ok_or_else(|| {
                        format!("trust domain {} missing", deployment.trust_domain_id)
                    })?;
                parent.deployments.push(deployment.id.clone());
                self.deployments.insert(
                    deployment.id.clone(),
                    DeploymentEntry {
                        record: deployment.clone(),
                        keys: Vec::new(),
                    },
                );
            }
            Change::DeploymentDeleted { id } => {
                let parent_id = self
                    .deployments
                    .get(id)
                    .map(|d| d.record.trust_domain_id.clone())
                    .ok_or_else(|| format!("deployment {id} missing"))?;
                if let Some(parent) = self.trust_domains.get_mut(&parent_id) {
                    parent.deployments.retain(|d| d != id);
                }
                self.remove_deployment(id);
            }
            Change::KeyCreated { deployment_id, key } => {
                if self.key_owner.contains_key(&key.id) {
                    return Err(format!("key {} exists", key.id));
                }
                let deployment = self
                    .deployments
                    .get_mut(deployment_id)
                    .ok_or_else(|| format!("deployment {deployment_id} missing"))?;
                deployment.keys.push(key.clone());
                self.key_owner.insert(key.id.clone(), deployment_id.clone());
            }
            Change::KeyUpdated {
                deployment_id,
                key_id,
                active,
            } => {
                let key = self
                    .deployments
                    .get_mut(deployment_id)
                    .and_then(|d| d.keys.iter_mut().find(|k| &k.id == key_id))
                    .ok_or_else(|| format!("key {key_id} missing"))?;
                key.active = *active;
            }
            Change::KeyDeleted {
                deployment_id,
                key_id,
            } => {
                let deployment = self
                    .deployments
                    .get_mut(deployment_id)
                    .ok_or_else(|| format!("deployment {deployment_id} missing"))?;
                let before = deployment.keys.len();
                deployment.keys.retain(|k| &k.id != key_id);
                if deployment.keys.len() == before {
                    return Err(format!("key {key_id} missing"));
                }
                self.key_owner.remove(key_id);
            }
        }
        Ok(())
    }

    fn remove_deployment(&mut self, id: &str) {
        if let Some(entry) = self.deployments.remove(id) {
            for key in entry.keys {
                self.key_owner.remove(&key.id);
            }
        }
    }

    /// The status and body that answer the request making `change`, worked out before the
    /// change is applied so that the answer can be journaled with it (for idempotent replays).
    pub fn answer_for(
        &self,
        change: &Change,
    ) -> Result<(StatusCode, Option<serde_json::Value>), ApiError> {
        let (status, body) = match change {
            Change::TrustDomainCreated { trust_domain } => {
                (StatusCode::CREATED, to_value(self.view(trust_domain)))
            }
            Change::TrustDomainUpdated { trust_domain } => {
                (StatusCode::OK, to_value(self.view(trust_domain)))
            }
            Change::DeploymentCreated { deployment } => (
                StatusCode::CREATED,
                to_value(wire::Deployment {
                    id: deployment.id.clone(),
                    trust_domain_id: deployment.trust_domain_id.clone(),
                    name: deployment.name.clone(),
                    created_at: deployment.created_at.clone(),
                    keys: Vec::new(),
                }),
            ),
            Change::KeyCreated { key, .. } => (StatusCode::CREATED, to_value(key_view(key))),
            Change::KeyUpdated {
                deployment_id,
                key_id,
                active,
            } => {
                let mut key = self.key_view(deployment_id, key_id)?;
                key.active = *active;
                (StatusCode::OK, to_value(key))
            }
            Change::ServiceAccountCreated { .. }
            | Change::TrustDomainDeleted { .. }
            | Change::DeploymentDeleted { .. }
            | Change::KeyDeleted { .. } => return Ok((StatusCode::NO_CONTENT, None)),
        };
        Ok((status, Some(body?)))
    }

    // ----- service accounts -----

    /// The account with this key id.
    pub fn account(&self, key_id: &str) -> Option<&ServiceAccountRecord> {
        self.accounts.iter().find(|a| a.key_id == key_id)
    }

    /// The first account ever created.
    pub fn bootstrap_account(&self) -> Option<&ServiceAccountRecord> {
        self.accounts.first()
    }

    /// A new service account with a fresh key pair.
    pub fn plan_service_account(&self, ctx: &Ctx<'_>) -> Result<Change, ApiError> {
        use ed25519_dalek::pkcs8::EncodePrivateKey as _;
        let key = SigningKey::generate(&mut rand::rngs::OsRng);
        let pem = key
            .to_pkcs8_pem(Default::default())
            .map_err(|e| ApiError::Internal(format!("cannot encode a private key: {e}")))?;
        Ok(Change::ServiceAccountCreated {
            account: ServiceAccountRecord {
                key_id: self.fresh_id("sak", ctx),
                private_key_pem: pem.to_string(),
                created_at: rfc3339(ctx.now),
            },
        })
    }

    /// The verifying key of an account.
    pub fn account_key(&self, key_id: &str) -> Option<ed25519_dalek::VerifyingKey> {
        let account = self.account(key_id)?;
        SigningKey::from_pkcs8_pem(&account.private_key_pem)
            .ok()
            .map(|k| k.verifying_key())
    }

    // ----- ids -----

    fn id_taken(&self, id: &str) -> bool {
        self.trust_domains.contains_key(id)
            || self.deployments.contains_key(id)
            || self.key_owner.contains_key(id)
            || self.account(id).is_some()
    }

    /// `prefix-<suffix>`, redrawn until unused: a seeded generator repeats itself after a
    /// restart on the same data directory.
    fn fresh_id(&self, prefix: &str, ctx: &Ctx<'_>) -> String {
        loop {
            let id = format!("{prefix}-{}", ctx.ids.next_suffix());
            if !self.id_taken(&id) {
                return id;
            }
        }
    }

    // ----- trust domains -----

    fn trust_domain(&self, id: &str) -> Result<&TrustDomainEntry, ApiError> {
        self.trust_domains.get(id).ok_or_else(|| not_found_td(id))
    }

    fn view(&self, record: &TrustDomainRecord) -> wire::TrustDomain {
        let base = &self.base_domain;
        let id = &record.id;
        let oidc = format!("https://{id}.oidc.{base}");
        let issuer_url = match record.jwt_mode {
            JwtIssuerMode::Builtin => oidc.clone(),
            JwtIssuerMode::Custom => record.jwt_custom_url.clone(),
            JwtIssuerMode::Disabled => String::new(),
        };
        wire::TrustDomain {
            id: id.clone(),
            name: record.name.clone(),
            description: record.description.clone(),
            self_hosted: record.self_hosted,
            jwt_issuer: wire::JwtIssuer {
                mode: record.jwt_mode,
                url: issuer_url,
            },
            urls: wire::TrustDomainUrls {
                agent_endpoint: if record.self_hosted {
                    String::new()
                } else {
                    format!("{id}.agents.{base}:443")
                },
                spiffe_bundle_endpoint: format!("https://{id}.bundle.{base}/"),
                oidc_discovery_endpoint: format!("{oidc}/.well-known/openid-configuration"),
                jwks_endpoint: format!("{oidc}/keys"),
            },
            created_at: record.created_at.clone(),
            updated_at: record.updated_at.clone(),
        }
    }

    /// `GET /v1/trust-domains/{id}`.
    pub fn get_trust_domain(&self, id: &str) -> Result<wire::TrustDomain, ApiError> {
        Ok(self.view(&self.trust_domain(id)?.record))
    }

    /// `GET /v1/trust-domains`.
    pub fn list_trust_domains(
        &self,
        name: Option<&str>,
        page_size: Option<u32>,
        page_token: Option<&str>,
    ) -> Result<wire::ListTrustDomainsResponse, ApiError> {
        let page_size = match page_size {
            None | Some(0) => DEFAULT_PAGE_SIZE,
            Some(n) => (n as usize).min(MAX_PAGE_SIZE),
        };
        let after = match page_token {
            None | Some("") => None,
            Some(token) => Some(decode_page_token(token)?),
        };
        let start = after.map_or(0, |seq| seq + 1);
        let mut page: Vec<&TrustDomainEntry> = Vec::with_capacity(page_size + 1);
        match name {
            // A name matches at most one trust domain; no need to walk them all.
            Some(name) => page.extend(
                self.trust_domain_by_name
                    .get(name)
                    .and_then(|id| self.trust_domains.get(id))
                    .filter(|entry| entry.seq >= start),
            ),
            None => page.extend(
                self.trust_domain_order
                    .range(start..)
                    .filter_map(|(_, id)| self.trust_domains.get(id))
                    .take(page_size + 1),
            ),
        }
        let next_page_token = if page.len() > page_size {
            page.truncate(page_size);
            page.last()
                .map(|e| encode_page_token(e.seq))
                .unwrap_or_default()
        } else {
            String::new()
        };
        Ok(wire::ListTrustDomainsResponse {
            trust_domains: page.iter().map(|e| self.view(&e.record)).collect(),
            next_page_token,
        })
    }

    fn jwt_issuer(
        input: Option<&JwtIssuerInput>,
        computed_url: &str,
    ) -> Result<(JwtIssuerMode, String), ApiError> {
        let Some(input) = input else {
            return Ok((JwtIssuerMode::Builtin, String::new()));
        };
        let url = input.url.as_deref().unwrap_or_default();
        match input.mode {
            // The computed URL is tolerated so a client may send back what it read.
            JwtIssuerMode::Builtin if url.is_empty() || url == computed_url => {}
            JwtIssuerMode::Builtin => {
                return Err(ApiError::InvalidArgument(format!(
                    "jwt_issuer.url must be empty when jwt_issuer.mode is builtin: the server \
                     computes it ({computed_url}); use mode custom to set your own"
                )));
            }
            JwtIssuerMode::Custom if url.is_empty() => {
                return Err(ApiError::InvalidArgument(
                    "jwt_issuer.url is required when jwt_issuer.mode is custom".into(),
                ));
            }
            JwtIssuerMode::Custom => validate::issuer_url(url)?,
            JwtIssuerMode::Disabled if url.is_empty() => {}
            JwtIssuerMode::Disabled => {
                return Err(ApiError::InvalidArgument(
                    "jwt_issuer.url must be empty when jwt_issuer.mode is disabled".into(),
                ));
            }
        }
        let stored = if input.mode == JwtIssuerMode::Custom {
            url.to_owned()
        } else {
            String::new()
        };
        Ok((input.mode, stored))
    }

    fn builtin_issuer_url(&self, id: &str) -> String {
        format!("https://{id}.oidc.{}", self.base_domain)
    }

    /// `POST /v1/trust-domains`.
    pub fn plan_create_trust_domain(
        &self,
        request: &wire::CreateTrustDomainRequest,
        ctx: &Ctx<'_>,
    ) -> Result<Change, ApiError> {
        validate::trust_domain_name(&request.name)?;
        let description = request.description.clone().unwrap_or_default();
        validate::description(&description)?;
        let id = self.fresh_id("td", ctx);
        let (jwt_mode, jwt_custom_url) =
            Self::jwt_issuer(request.jwt_issuer.as_ref(), &self.builtin_issuer_url(&id))?;
        if let Some(existing) = self.trust_domain_by_name.get(&request.name) {
            return Err(ApiError::AlreadyExists(format!(
                "a trust domain named `{}` already exists: {existing}",
                request.name
            )));
        }
        let now = rfc3339(ctx.now);
        Ok(Change::TrustDomainCreated {
            trust_domain: TrustDomainRecord {
                id,
                name: request.name.clone(),
                description,
                self_hosted: request.self_hosted.unwrap_or(true),
                jwt_mode,
                jwt_custom_url,
                created_at: now.clone(),
                updated_at: now,
            },
        })
    }

    /// `PATCH /v1/trust-domains/{id}`.
    pub fn plan_update_trust_domain(
        &self,
        id: &str,
        request: &wire::UpdateTrustDomainRequest,
        ctx: &Ctx<'_>,
    ) -> Result<Change, ApiError> {
        for (field, present) in [
            ("name", request.name.is_some()),
            ("self_hosted", request.self_hosted.is_some()),
        ] {
            if present {
                return Err(ApiError::InvalidArgument(format!(
                    "{field} cannot be changed after a trust domain is created; only description \
                     and jwt_issuer can (replace the trust domain to change {field})"
                )));
            }
        }
        let mut record = self.trust_domain(id)?.record.clone();
        if let Some(description) = &request.description {
            validate::description(description)?;
            record.description.clone_from(description);
        }
        if let Some(issuer) = &request.jwt_issuer {
            let (mode, url) = Self::jwt_issuer(Some(issuer), &self.builtin_issuer_url(id))?;
            record.jwt_mode = mode;
            record.jwt_custom_url = url;
        }
        record.updated_at = rfc3339(ctx.now);
        Ok(Change::TrustDomainUpdated {
            trust_domain: record,
        })
    }

    /// `DELETE /v1/trust-domains/{id}`.
    pub fn plan_delete_trust_domain(&self, id: &str) -> Result<Change, ApiError> {
        let entry = self.trust_domain(id)?;
        match entry.deployments.len() {
            0 => Ok(Change::TrustDomainDeleted { id: id.to_owned() }),
            n => Err(ApiError::FailedPrecondition(format!(
                "trust domain {id} still has {n} deployment{}; delete {} first",
                if n == 1 { "" } else { "s" },
                if n == 1 { "it" } else { "them" },
            ))),
        }
    }

    // ----- deployments -----

    fn deployment(&self, trust_domain_id: &str, id: &str) -> Result<&DeploymentEntry, ApiError> {
        self.trust_domain(trust_domain_id)?;
        self.deployments
            .get(id)
            .filter(|d| d.record.trust_domain_id == trust_domain_id)
            .ok_or_else(|| {
                ApiError::NotFound(format!(
                    "deployment {id} not found in trust domain {trust_domain_id}"
                ))
            })
    }

    fn deployment_view(&self, id: &str) -> Result<wire::Deployment, ApiError> {
        let entry = self
            .deployments
            .get(id)
            .ok_or_else(|| ApiError::NotFound(format!("deployment {id} not found")))?;
        let record = &entry.record;
        Ok(wire::Deployment {
            id: record.id.clone(),
            trust_domain_id: record.trust_domain_id.clone(),
            name: record.name.clone(),
            created_at: record.created_at.clone(),
            keys: entry.keys.iter().map(key_view).collect(),
        })
    }

    /// `GET /v1/trust-domains/{id}/deployments`.
    pub fn list_deployments(
        &self,
        trust_domain_id: &str,
        name: Option<&str>,
    ) -> Result<wire::ListDeploymentsResponse, ApiError> {
        let parent = self.trust_domain(trust_domain_id)?;
        let deployments = parent
            .deployments
            .iter()
            .filter_map(|id| self.deployments.get(id))
            .filter(|d| name.is_none_or(|n| d.record.name == n))
            .map(|d| self.deployment_view(&d.record.id))
            .collect::<Result<_, _>>()?;
        Ok(wire::ListDeploymentsResponse { deployments })
    }

    /// `GET /v1/trust-domains/{id}/deployments/{deployment_id}`.
    pub fn get_deployment(
        &self,
        trust_domain_id: &str,
        id: &str,
    ) -> Result<wire::Deployment, ApiError> {
        self.deployment(trust_domain_id, id)?;
        self.deployment_view(id)
    }

    /// `POST /v1/trust-domains/{id}/deployments`.
    pub fn plan_create_deployment(
        &self,
        trust_domain_id: &str,
        request: &wire::CreateDeploymentRequest,
        ctx: &Ctx<'_>,
    ) -> Result<Change, ApiError> {
        let parent = self.trust_domain(trust_domain_id)?;
        validate::deployment_name(&request.name)?;
        if let Some(existing) = parent
            .deployments
            .iter()
            .filter_map(|id| self.deployments.get(id))
            .find(|d| d.record.name == request.name)
        {
            return Err(ApiError::AlreadyExists(format!(
                "trust domain {trust_domain_id} already has a deployment named `{}`: {}",
                request.name, existing.record.id
            )));
        }
        Ok(Change::DeploymentCreated {
            deployment: DeploymentRecord {
                id: self.fresh_id("tdd", ctx),
                trust_domain_id: trust_domain_id.to_owned(),
                name: request.name.clone(),
                created_at: rfc3339(ctx.now),
            },
        })
    }

    /// `DELETE /v1/trust-domains/{id}/deployments/{deployment_id}`.
    pub fn plan_delete_deployment(
        &self,
        trust_domain_id: &str,
        id: &str,
        force: bool,
    ) -> Result<Change, ApiError> {
        let entry = self.deployment(trust_domain_id, id)?;
        match entry.keys.len() {
            n if n > 0 && !force => Err(ApiError::FailedPrecondition(format!(
                "deployment {id} still has {n} key{}; delete {} first or pass force=true",
                if n == 1 { "" } else { "s" },
                if n == 1 { "it" } else { "them" },
            ))),
            _ => Ok(Change::DeploymentDeleted { id: id.to_owned() }),
        }
    }

    // ----- keys -----

    fn key(
        &self,
        trust_domain_id: &str,
        deployment_id: &str,
        id: &str,
    ) -> Result<&KeyRecord, ApiError> {
        self.deployment(trust_domain_id, deployment_id)?
            .keys
            .iter()
            .find(|k| k.id == id)
            .ok_or_else(|| {
                ApiError::NotFound(format!("key {id} not found in deployment {deployment_id}"))
            })
    }

    fn key_view(&self, deployment_id: &str, id: &str) -> Result<wire::Key, ApiError> {
        self.deployments
            .get(deployment_id)
            .and_then(|d| d.keys.iter().find(|k| k.id == id))
            .map(key_view)
            .ok_or_else(|| ApiError::NotFound(format!("key {id} not found")))
    }

    /// `POST .../deployments/{deployment_id}/keys`.
    pub fn plan_create_key(
        &self,
        trust_domain_id: &str,
        deployment_id: &str,
        request: &wire::CreateKeyRequest,
        ctx: &Ctx<'_>,
    ) -> Result<Change, ApiError> {
        let deployment = self.deployment(trust_domain_id, deployment_id)?;
        let raw = validate::public_key(&request.public_key)?;
        // Compared as key bytes, so the same key with other line breaks is still a duplicate.
        if let Some(existing) = deployment
            .keys
            .iter()
            .find(|k| validate::public_key(&k.public_key).is_ok_and(|other| other == raw))
        {
            return Err(ApiError::AlreadyExists(format!(
                "deployment {deployment_id} already has this public key: {}",
                existing.id
            )));
        }
        Ok(Change::KeyCreated {
            deployment_id: deployment_id.to_owned(),
            key: KeyRecord {
                id: self.fresh_id("tdk", ctx),
                public_key: request.public_key.clone(),
                active: request.active,
                created_at: rfc3339(ctx.now),
            },
        })
    }

    /// `PATCH .../keys/{key_id}`.
    pub fn plan_update_key(
        &self,
        trust_domain_id: &str,
        deployment_id: &str,
        id: &str,
        request: &wire::UpdateKeyRequest,
    ) -> Result<Change, ApiError> {
        self.key(trust_domain_id, deployment_id, id)?;
        Ok(Change::KeyUpdated {
            deployment_id: deployment_id.to_owned(),
            key_id: id.to_owned(),
            active: request.active,
        })
    }

    /// `DELETE .../keys/{key_id}`.
    pub fn plan_delete_key(
        &self,
        trust_domain_id: &str,
        deployment_id: &str,
        id: &str,
    ) -> Result<Change, ApiError> {
        self.key(trust_domain_id, deployment_id, id)?;
        Ok(Change::KeyDeleted {
            deployment_id: deployment_id.to_owned(),
            key_id: id.to_owned(),
        })
    }

    /// How many objects of each kind exist.
    pub fn counts(&self) -> ObjectCounts {
        ObjectCounts {
            trust_domains: self.trust_domains.len(),
            deployments: self.deployments.len(),
            keys: self.key_owner.len(),
        }
    }
}

fn key_view(key: &KeyRecord) -> wire::Key {
    wire::Key {
        id: key.id.clone(),
        public_key: key.public_key.clone(),
        active: key.active,
        created_at: key.created_at.clone(),
    }
}

fn to_value(value: impl Serialize) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(value).map_err(|e| ApiError::Internal(format!("cannot render JSON: {e}")))
}

/// Page tokens name the creation sequence number of the last item served, so deleting or
/// creating objects between pages neither repeats nor skips the ones that stay.
fn encode_page_token(seq: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("after:{seq}"))
}

fn decode_page_token(token: &str) -> Result<u64, ApiError> {
    URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix("after:")?.parse().ok())
        .ok_or_else(|| {
            ApiError::InvalidArgument(format!(
                "page_token `{token}` is not valid; pass the next_page_token of an earlier answer"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_tokens_round_trip_and_refuse_garbage() {
        assert_eq!(decode_page_token(&encode_page_token(42)), Ok(42));
        assert!(decode_page_token("nope!").is_err());
        assert!(decode_page_token(&URL_SAFE_NO_PAD.encode("after:x")).is_err());
    }
}
