//! The objects a mock holds and every rule about them (trust domains and deployments in their
//! own files).
//!
//! A write is two steps: a `plan_*` method checks a request against the current objects and
//! returns the [`Change`] it would make, without touching anything; [`Store::apply`] then makes
//! the change. The state layer writes the change to the journal between the two, so replaying the
//! journal on start goes through exactly the code that served the writes.

use std::collections::{BTreeMap, HashMap};
use std::time::SystemTime;

use axum::http::StatusCode;
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::DecodePrivateKey as _;
use serde::{Deserialize, Serialize};

use crate::config::{IdGenerator, rfc3339};
use crate::error::ApiError;
use crate::wire::{self, JwtIssuerMode};

mod deployments;
mod trust_domains;

use deployments::key_view;

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

    /// How many objects of each kind exist.
    pub fn counts(&self) -> ObjectCounts {
        ObjectCounts {
            trust_domains: self.trust_domains.len(),
            deployments: self.deployments.len(),
            keys: self.key_owner.len(),
        }
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
}

fn to_value(value: impl Serialize) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(value).map_err(|e| ApiError::Internal(format!("cannot render JSON: {e}")))
}
