//! The read caches of one provider process: a refresh of many objects costs one list instead of
//! one call each. The client owns them and forgets them on its own writes, so resources only ask
//! ([`Client::refresh_trust_domain`], [`Client::refresh_deployment`]).
//!
//! ## The snapshot
//! A [`Snapshot`] is a read-through copy of what one list call returns, shared by every read of a
//! resource type in one provider process, so that a refresh of many objects costs one list
//! instead of one call each.
//!
//! Reads that arrive while the snapshot loads wait for that load instead of starting their own.
//! The client's writes [`invalidate`](Snapshot::invalidate) it, and it ages out after
//! [`MAX_AGE`]. A load that fails (for example a role that may read but not list) turns the
//! snapshot off for the rest of the process: the callers then read one by one.
//!
//! ## Trust domains
//! A refresh of many trust domains costs
//! one `ListTrustDomains` call (with dynamic data, as the client always asks; the API does not
//! page) instead of one `TrustDomainInfo` each, plus one for any entry that lacks its JWT issuer
//! status.
//!
//! The first [`DIRECT_READS`] reads go straight to `TrustDomainInfo`: a configuration with one or
//! two trust domains never pays for a list. A trust domain missing from the snapshot is checked
//! with `TrustDomainInfo` before it is declared gone, so a list that raced a create elsewhere
//! never drops state.
//!
//! ## Deployments
//! The deployment snapshot holds every deployment and deployment key of the organisation, so that a refresh of any number of deployments costs two calls
//! (`ListTrustDomainDeployments` and `ListTrustDomainKeys`, both organisation-wide), not two per
//! deployment. A deployment missing from the snapshot is looked up in its trust domain before it
//! is declared gone, so a list that raced a create elsewhere never drops state.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

use super::{ApiError, Client, Deployment, Key, TrustDomain};

/// The caches one [`Client`] holds.
#[derive(Default)]
pub(super) struct Caches {
    trust_domains: TrustDomainSnapshot,
    deployments: DeploymentSnapshot,
}

impl Caches {
    /// Forgets the trust domains: the client just changed one.
    pub(super) fn trust_domains_changed(&self) {
        self.trust_domains.invalidate();
    }

    /// Forgets the deployments and keys: the client just changed one.
    pub(super) fn deployments_changed(&self) {
        self.deployments.invalidate();
    }
}

impl Client {
    /// Trust domain `id` as a refresh sees it, or `None` when it does not exist (`NOT_FOUND`);
    /// see the module docs.
    pub async fn refresh_trust_domain(&self, id: &str) -> Result<Option<TrustDomain>, ApiError> {
        self.caches().trust_domains.get(self, id).await
    }

    /// Deployment `id` of trust domain `trust_domain_id` with its keys as a refresh sees it, or
    /// `None` when it does not exist; see the module docs.
    pub async fn refresh_deployment(
        &self,
        trust_domain_id: &str,
        id: &str,
    ) -> Result<Option<RemoteDeployment>, ApiError> {
        self.caches()
            .deployments
            .get(self, trust_domain_id, id)
            .await
    }
}

// ---- the snapshot ------------------------------------------------------------------------------

/// How long a snapshot serves reads: one refresh, not a long-lived view of the control plane.
pub const MAX_AGE: Duration = Duration::from_secs(60);

/// The shared snapshot; see the module docs.
pub struct Snapshot<T> {
    /// The `log` target of the snapshot's lines (under the crate's name, so they reach
    /// `TF_LOG`).
    log_target: &'static str,
    /// Bumped by every write; a snapshot loaded under an older generation is stale.
    generation: AtomicU64,
    loaded: Mutex<Option<Loaded<T>>>,
    failed: AtomicBool,
}

struct Loaded<T> {
    generation: u64,
    at: Instant,
    data: Arc<T>,
}

impl<T> Snapshot<T> {
    /// An empty snapshot whose log lines go to `log_target`.
    pub const fn new(log_target: &'static str) -> Self {
        Snapshot {
            log_target,
            generation: AtomicU64::new(0),
            loaded: Mutex::const_new(None),
            failed: AtomicBool::new(false),
        }
    }

    /// Forgets the snapshot: the provider just changed an object.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// The current data, loaded with `load` when there is none or it is stale; `None` once a
    /// load has failed (the caller then asks for its object alone, which reports errors with
    /// the precision of a single read).
    pub async fn current<F, Fut>(&self, what: &str, load: F) -> Option<Arc<T>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, ApiError>>,
    {
        if self.failed.load(Ordering::Relaxed) {
            return None;
        }
        // Held across the load on purpose: concurrent reads wait for the one load.
        let mut loaded = self.loaded.lock().await;
        let current = self.generation.load(Ordering::Acquire);
        if let Some(l) = loaded
            .as_ref()
            .filter(|l| l.generation == current && l.at.elapsed() < MAX_AGE)
        {
            return Some(l.data.clone());
        }
        let started = Instant::now();
        match load().await {
            Ok(data) => {
                log::debug!(
                    target: self.log_target,
                    ms = started.elapsed().as_millis() as u64;
                    "loaded the {what} snapshot for refresh"
                );
                let data = Arc::new(data);
                // A write that finished while the list was in flight makes it stale at once.
                *loaded = Some(Loaded {
                    generation: current,
                    at: started,
                    data: data.clone(),
                });
                Some(data)
            }
            Err(e) => {
                log::debug!(
                    target: self.log_target,
                    error = e.to_string().as_str();
                    "the {what} list failed; reading one by one"
                );
                self.failed.store(true, Ordering::Relaxed);
                *loaded = None;
                None
            }
        }
    }
}

// ---- trust domains -----------------------------------------------------------------------------

/// Reads served by a `TrustDomainInfo` each before the snapshot is used.
pub const DIRECT_READS: usize = 2;

/// The shared snapshot; see the module docs.
struct TrustDomainSnapshot {
    reads: AtomicUsize,
    by_id: Snapshot<HashMap<String, TrustDomain>>,
}

impl Default for TrustDomainSnapshot {
    fn default() -> Self {
        TrustDomainSnapshot {
            reads: AtomicUsize::new(0),
            by_id: Snapshot::new(concat!(env!("CARGO_CRATE_NAME"), "::trust_domain")),
        }
    }
}

impl TrustDomainSnapshot {
    /// The trust domain `id`, or `None` when it does not exist (`NOT_FOUND`).
    pub async fn get(&self, client: &Client, id: &str) -> Result<Option<TrustDomain>, ApiError> {
        if self.reads.fetch_add(1, Ordering::Relaxed) >= DIRECT_READS {
            let all = self
                .by_id
                .current("trust-domain", || async {
                    let all = client.list_trust_domains(None).await?;
                    Ok(all.into_iter().map(|td| (td.id.clone(), td)).collect())
                })
                .await;
            if let Some(found) = all.and_then(|all| all.get(id).cloned()) {
                return Ok(Some(found));
            }
        }
        match client.trust_domain_info(id).await {
            Ok(td) => Ok(Some(td)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Forgets the snapshot: the provider just changed a trust domain.
    pub fn invalidate(&self) {
        self.by_id.invalidate();
    }
}

// ---- deployments -------------------------------------------------------------------------------

/// A deployment and its keys.
#[derive(Debug, Clone)]
pub struct RemoteDeployment {
    /// The deployment.
    pub deployment: Deployment,
    /// Its keys.
    pub keys: Vec<Key>,
}

/// The organisation's deployments and keys.
struct Organisation {
    deployments: Vec<Deployment>,
    keys: Vec<Key>,
}

/// The shared snapshot; see the module docs.
struct DeploymentSnapshot {
    organisation: Snapshot<Organisation>,
}

impl Default for DeploymentSnapshot {
    fn default() -> Self {
        DeploymentSnapshot {
            organisation: Snapshot::new(concat!(env!("CARGO_CRATE_NAME"), "::deployment")),
        }
    }
}

impl DeploymentSnapshot {
    /// Deployment `id` of trust domain `trust_domain_id` with its keys, or `None` when it does
    /// not exist.
    pub async fn get(
        &self,
        client: &Client,
        trust_domain_id: &str,
        id: &str,
    ) -> Result<Option<RemoteDeployment>, ApiError> {
        let organisation = self
            .organisation
            .current("deployment", || async {
                Ok(Organisation {
                    deployments: client.list_deployments(None).await?,
                    keys: client.list_keys(None, None).await?,
                })
            })
            .await;
        if let Some(organisation) = organisation
            && let Some(deployment) = organisation.deployments.iter().find(|d| d.id == id)
        {
            let keys = organisation
                .keys
                .iter()
                .filter(|k| {
                    k.trust_domain_id == deployment.trust_domain_id
                        && k.deployment_name == deployment.name
                })
                .cloned()
                .collect();
            return Ok(Some(RemoteDeployment {
                deployment: deployment.clone(),
                keys,
            }));
        }
        client
            .find_deployment(trust_domain_id, |d| d.id == id)
            .await
    }

    /// Forgets the snapshot: the provider just changed a deployment.
    pub fn invalidate(&self) {
        self.organisation.invalidate();
    }
}

impl Client {
    /// The deployment of trust domain `trust_domain_id` that `wanted` picks, with its keys,
    /// asking the control plane directly (two calls); `None` when there is none.
    pub async fn find_deployment(
        &self,
        trust_domain_id: &str,
        wanted: impl Fn(&Deployment) -> bool,
    ) -> Result<Option<RemoteDeployment>, ApiError> {
        let deployments = match self.list_deployments(Some(trust_domain_id)).await {
            Ok(list) => list,
            // The trust domain itself is gone, and its deployments with it.
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(e),
        };
        let Some(deployment) = deployments.into_iter().find(|d| wanted(d)) else {
            return Ok(None);
        };
        let keys = self
            .list_keys(Some(trust_domain_id), Some(&deployment.name))
            .await?;
        Ok(Some(RemoteDeployment { deployment, keys }))
    }
}
