//! The deployment [`Snapshot`] of one provider process: every deployment and deployment key of
//! the organisation, so that a refresh of any number of deployments costs two calls
//! (`ListTrustDomainDeployments` and `ListTrustDomainKeys`, both organisation-wide), not two per
//! deployment. A deployment missing from the snapshot is looked up in its trust domain before it
//! is declared gone, so a list that raced a create elsewhere never drops state.

use super::snapshot::Snapshot;
use crate::client::{ApiError, Client, Deployment, Key};

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
pub struct DeploymentSnapshot {
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
        find(client, trust_domain_id, |d| d.id == id).await
    }

    /// Forgets the snapshot: the provider just changed a deployment.
    pub fn invalidate(&self) {
        self.organisation.invalidate();
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
