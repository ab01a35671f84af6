//! Deployments and their keys: listing, and the plans of their writes. A deployment has no
//! create of its own: the first key registered under a name makes it.

use spirl_api_proto::trustdomain::{self as pb, trust_domain_key::Pubkey};

use super::{Change, Ctx, DeploymentEntry, DeploymentRecord, KeyRecord, Store, TrustDomainEntry};
use crate::assumptions::{
    DELETE_ACTIVE_NEEDS_FORCE, DEPLOYMENT_ID_PREFIX, KEY_ID_PREFIX, KEY_STATE_ACTIVE,
    KEY_STATE_CHANGES_ARE_IDEMPOTENT, KEY_STATE_INACTIVE, LAST_KEY_LEAVES_DEPLOYMENT, ORG_ID,
    UNKNOWN_FILTER_IS_EMPTY,
};
use crate::error::ApiError;
use crate::validate;

fn key_view(record: &DeploymentRecord, key: &KeyRecord) -> pb::TrustDomainKey {
    pb::TrustDomainKey {
        id: key.id.clone(),
        trust_domain_id: record.trust_domain_id.clone(),
        state: if key.active {
            KEY_STATE_ACTIVE
        } else {
            KEY_STATE_INACTIVE
        }
        .to_owned(),
        deployment_name: record.name.clone(),
        pubkey: Some(Pubkey::PkixPubkey(pb::PkixPublicKey {
            data: key.pkix_der.clone(),
        })),
    }
}

impl Store {
    fn deployment_named(&self, parent: &TrustDomainEntry, name: &str) -> Option<&DeploymentEntry> {
        parent
            .deployments
            .iter()
            .filter_map(|id| self.deployments.get(id))
            .find(|d| d.record.name == name)
    }

    /// The deployments of one trust domain (`Some(id)`) or of all, in creation order. A filter
    /// naming an unknown trust domain matches nothing.
    fn deployments_of<'a>(
        &'a self,
        trust_domain_id: Option<&'a str>,
    ) -> impl Iterator<Item = &'a DeploymentEntry> + 'a {
        self.trust_domain_order
            .values()
            .filter(move |id| trust_domain_id.is_none_or(|want| want == id.as_str()))
            .filter_map(|id| self.trust_domains.get(id))
            .flat_map(|td| td.deployments.iter())
            .filter_map(|id| self.deployments.get(id))
    }

    /// The trust-domain filter of a list: `None` when empty.
    fn list_filter<'a>(&self, trust_domain_id: &'a str) -> Result<Option<&'a str>, ApiError> {
        if trust_domain_id.is_empty() {
            return Ok(None);
        }
        if !UNKNOWN_FILTER_IS_EMPTY {
            self.trust_domain(trust_domain_id)?;
        }
        Ok(Some(trust_domain_id))
    }

    /// `ListTrustDomainDeployments`; an empty `trust_domain_id` lists the whole organisation.
    pub fn list_deployments(
        &self,
        trust_domain_id: &str,
    ) -> Result<Vec<pb::TrustDomainDeployment>, ApiError> {
        Ok(self
            .deployments_of(self.list_filter(trust_domain_id)?)
            .map(|d| pb::TrustDomainDeployment {
                id: d.record.id.clone(),
                trust_domain_id: d.record.trust_domain_id.clone(),
                org_id: ORG_ID.to_owned(),
                deployment_name: d.record.name.clone(),
                ..pb::TrustDomainDeployment::default()
            })
            .collect())
    }

    /// `ListTrustDomainKeys`; each empty filter matches everything.
    pub fn list_keys(
        &self,
        trust_domain_id: &str,
        deployment_name: &str,
    ) -> Result<Vec<pb::TrustDomainKey>, ApiError> {
        Ok(self
            .deployments_of(self.list_filter(trust_domain_id)?)
            .filter(|d| deployment_name.is_empty() || d.record.name == deployment_name)
            .flat_map(|d| d.keys.iter().map(|k| key_view(&d.record, k)))
            .collect())
    }

    /// `CreateTrustDomainKey`: returns the change and the new key's id.
    pub fn plan_create_key(
        &self,
        trust_domain_id: &str,
        deployment_name: &str,
        pkix_der: Option<&[u8]>,
        ctx: &Ctx<'_>,
    ) -> Result<(Change, String), ApiError> {
        let parent = self.trust_domain(trust_domain_id)?;
        validate::deployment_name(deployment_name)?;
        let raw = validate::public_key_der(pkix_der.unwrap_or_default())?;
        let existing = self.deployment_named(parent, deployment_name);
        if let Some(deployment) = existing
            && let Some(same) = deployment
                .keys
                .iter()
                .find(|k| validate::public_key_der(&k.pkix_der).is_ok_and(|other| other == raw))
        {
            return Err(ApiError::AlreadyExists(format!(
                "pkix_pubkey: deployment `{deployment_name}` of trust domain {trust_domain_id} \
                 already has this public key: {}",
                same.id
            )));
        }
        let new_deployment = match existing {
            Some(_) => None,
            None => Some(DeploymentRecord {
                id: self.fresh_id(DEPLOYMENT_ID_PREFIX, ctx),
                trust_domain_id: trust_domain_id.to_owned(),
                name: deployment_name.to_owned(),
                created_at: ctx.now,
            }),
        };
        let deployment_id = existing
            .map(|d| &d.record.id)
            .or(new_deployment.as_ref().map(|d| &d.id))
            .cloned()
            .unwrap_or_default();
        let key_id = loop {
            // The new deployment's id is not in the store yet.
            let id = self.fresh_id(KEY_ID_PREFIX, ctx);
            if id != deployment_id {
                break id;
            }
        };
        let change = Change::KeyCreated {
            new_deployment,
            deployment_id,
            key: KeyRecord {
                id: key_id.clone(),
                pkix_der: pkix_der.unwrap_or_default().to_vec(),
                active: true,
                created_at: ctx.now,
            },
        };
        Ok((change, key_id))
    }

    /// The key `key_id` of trust domain `trust_domain_id`, with its deployment.
    fn key(
        &self,
        trust_domain_id: &str,
        key_id: &str,
    ) -> Result<(&DeploymentEntry, &KeyRecord), ApiError> {
        self.trust_domain(trust_domain_id)?;
        validate::required("trust_domain_key_id", key_id)?;
        self.key_owner
            .get(key_id)
            .and_then(|d| self.deployments.get(d))
            .filter(|d| d.record.trust_domain_id == trust_domain_id)
            .and_then(|d| Some((d, d.keys.iter().find(|k| k.id == key_id)?)))
            .ok_or_else(|| {
                ApiError::NotFound(format!(
                    "trust_domain_key_id: key {key_id} not found in trust domain \
                     {trust_domain_id}"
                ))
            })
    }

    /// `EnableTrustDomainKey` / `DisableTrustDomainKey`: `None` when the key already is so.
    pub fn plan_key_state(
        &self,
        trust_domain_id: &str,
        key_id: &str,
        active: bool,
    ) -> Result<Option<Change>, ApiError> {
        let (_, key) = self.key(trust_domain_id, key_id)?;
        if KEY_STATE_CHANGES_ARE_IDEMPOTENT && key.active == active {
            return Ok(None);
        }
        Ok(Some(Change::KeyStateChanged {
            key_id: key_id.to_owned(),
            active,
        }))
    }

    /// `DeleteTrustDomainKey`. The deployment stays, even without keys.
    pub fn plan_delete_key(
        &self,
        trust_domain_id: &str,
        key_id: &str,
        force: bool,
    ) -> Result<Change, ApiError> {
        let (deployment, key) = self.key(trust_domain_id, key_id)?;
        if DELETE_ACTIVE_NEEDS_FORCE && key.active && !force {
            return Err(ApiError::FailedPrecondition(format!(
                "key {key_id} is active; disable it first (DisableTrustDomainKey) or delete it \
                 with force"
            )));
        }
        if !LAST_KEY_LEAVES_DEPLOYMENT && deployment.keys.len() == 1 {
            return Ok(Change::DeploymentDeleted {
                id: deployment.record.id.clone(),
            });
        }
        Ok(Change::KeyDeleted {
            key_id: key_id.to_owned(),
        })
    }

    /// `DeleteTrustDomainDeployment`, with its keys.
    pub fn plan_delete_deployment(
        &self,
        trust_domain_id: &str,
        deployment_name: &str,
        force: bool,
    ) -> Result<Change, ApiError> {
        let parent = self.trust_domain(trust_domain_id)?;
        validate::required("deployment_name", deployment_name)?;
        let deployment = self
            .deployment_named(parent, deployment_name)
            .ok_or_else(|| {
                ApiError::NotFound(format!(
                    "deployment_name: trust domain {trust_domain_id} has no deployment named \
                     `{deployment_name}`"
                ))
            })?;
        let active: Vec<&str> = deployment
            .keys
            .iter()
            .filter(|k| k.active)
            .map(|k| k.id.as_str())
            .collect();
        if DELETE_ACTIVE_NEEDS_FORCE && !active.is_empty() && !force {
            return Err(ApiError::FailedPrecondition(format!(
                "deployment `{deployment_name}` has active keys: {}; disable them first or \
                 delete the deployment with force",
                active.join(", ")
            )));
        }
        Ok(Change::DeploymentDeleted {
            id: deployment.record.id.clone(),
        })
    }
}
