//! Deployments and their keys: views and the plans of their writes.

use super::{Change, Ctx, DeploymentEntry, DeploymentRecord, KeyRecord, Store};
use crate::config::rfc3339;
use crate::error::ApiError;
use crate::validate;
use crate::wire;

impl Store {
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

    pub(super) fn key_view(&self, deployment_id: &str, id: &str) -> Result<wire::Key, ApiError> {
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
}

pub(super) fn key_view(key: &KeyRecord) -> wire::Key {
    wire::Key {
        id: key.id.clone(),
        public_key: key.public_key.clone(),
        active: key.active,
        created_at: key.created_at.clone(),
    }
}
