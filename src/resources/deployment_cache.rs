//! A read-through snapshot of every deployment and deployment key of the organisation, shared by
//! all `spirl_trust_domain_deployment` reads in one provider process: a refresh of any number of
//! deployments costs two calls (`ListTrustDomainDeployments` and `ListTrustDomainKeys`, both
//! organisation-wide), not two per deployment.
//!
//! Reads that arrive while the snapshot loads wait for it instead of starting their own. Writes
//! through the provider [`invalidate`](DeploymentSnapshot::invalidate) it, and it ages out after
//! [`MAX_AGE`]. A deployment missing from the snapshot is looked up in its trust domain before
//! it is declared gone, so a list that raced a create elsewhere never drops state.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::client::{ApiError, Client, Deployment, Key};

/// The `log` target of the snapshot's lines: under the crate's name, so that they reach `TF_LOG`.
const LOG_TARGET: &str = concat!(env!("CARGO_CRATE_NAME"), "::deployment");

/// How long a snapshot serves reads: one refresh, not a long-lived view of the control plane.
pub const MAX_AGE: Duration = Duration::from_secs(60);

/// A deployment and its keys.
#[derive(Debug, Clone)]
pub struct RemoteDeployment {
    /// The deployment.
    pub deployment: Deployment,
    /// Its keys.
    pub keys: Vec<Key>,
}

/// The shared snapshot; see the module docs.
#[derive(Default)]
pub struct DeploymentSnapshot {
    /// Bumped by every write; a snapshot loaded under an older generation is stale.
    generation: AtomicU64,
    loaded: Mutex<Option<Loaded>>,
    /// Set when an organisation-wide list failed (a role limited to some trust domains): from
    /// then on every read asks its own trust domain.
    list_failed: AtomicBool,
}

struct Loaded {
    generation: u64,
    at: Instant,
    deployments: Vec<Deployment>,
    keys: Vec<Key>,
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
        if !self.list_failed.load(Ordering::Relaxed)
            && let Some(found) = self.snapshot_lookup(client, id).await
        {
            return Ok(Some(found));
        }
        find(client, trust_domain_id, |d| d.id == id).await
    }

    /// Forgets the snapshot: the provider just changed a deployment.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    async fn snapshot_lookup(&self, client: &Client, id: &str) -> Option<RemoteDeployment> {
        // Held across the list calls on purpose: concurrent reads wait for the one load.
        let mut loaded = self.loaded.lock().await;
        let current = self.generation.load(Ordering::Acquire);
        let fresh = loaded
            .as_ref()
            .is_some_and(|l| l.generation == current && l.at.elapsed() < MAX_AGE);
        if !fresh {
            let started = Instant::now();
            let lists = match client.list_deployments(None).await {
                Ok(deployments) => client
                    .list_keys(None, None)
                    .await
                    .map(|keys| (deployments, keys)),
                Err(e) => Err(e),
            };
            match lists {
                Ok((deployments, keys)) => {
                    log::debug!(
                        target: LOG_TARGET,
                        deployments = deployments.len(), keys = keys.len(),
                        ms = started.elapsed().as_millis() as u64;
                        "loaded deployment snapshot for refresh"
                    );
                    *loaded = Some(Loaded {
                        generation: current,
                        at: started,
                        deployments,
                        keys,
                    });
                }
                Err(e) => {
                    log::debug!(
                        target: LOG_TARGET,
                        error = e.to_string().as_str();
                        "organisation-wide deployment list failed; reading per trust domain"
                    );
                    self.list_failed.store(true, Ordering::Relaxed);
                    *loaded = None;
                    return None;
                }
            }
        }
        let loaded = loaded.as_ref()?;
        let deployment = loaded.deployments.iter().find(|d| d.id == id)?.clone();
        let keys = loaded
            .keys
            .iter()
            .filter(|k| {
                k.trust_domain_id == deployment.trust_domain_id
                    && k.deployment_name == deployment.name
            })
            .cloned()
            .collect();
        Some(RemoteDeployment { deployment, keys })
    }
}

/// The deployment of trust domain `trust_domain_id` that `wanted` picks, with its keys, asking
/// the control plane directly (two calls); `None` when there is none.
pub async fn find(
    client: &Client,
    trust_domain_id: &str,
    wanted: impl Fn(&Deployment) -> bool,
) -> Result<Option<RemoteDeployment>, ApiError> {
    let deployments = match client.list_deployments(Some(trust_domain_id)).await {
        Ok(list) => list,
        // The trust domain itself is gone, and its deployments with it.
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(e),
    };
    let Some(deployment) = deployments.into_iter().find(|d| wanted(d)) else {
        return Ok(None);
    };
    let keys = client
        .list_keys(Some(trust_domain_id), Some(&deployment.name))
        .await?;
    Ok(Some(RemoteDeployment { deployment, keys }))
}
