//! CI/CD profiles (an OIDC issuer whose tokens map to identities) and their links to clusters.
//! Neither has an update.

use std::time::UNIX_EPOCH;

use spirl_api_proto::cicd as pb;

use super::{Change, CicdLinkRecord, CicdProfileRecord, Ctx, Store};
use crate::assumptions::{
    CICD_LINK_ID_PREFIX, CICD_PROFILE_ID_PREFIX, DEFAULT_JWKS_PATH,
    DELETE_LINKED_CICD_PROFILE_REFUSED, MAX_CICD_PROFILE_NAME, default_cicd_issuer,
};
use crate::error::ApiError;
use crate::validate;

fn profile_view(p: &CicdProfileRecord) -> pb::CicdProfile {
    pb::CicdProfile {
        id: p.id.clone(),
        name: p.name.clone(),
        issuer: p.issuer.clone(),
        jwks_url: p.jwks_url.clone(),
    }
}

impl Store {
    fn cicd_link_view(&self, l: &CicdLinkRecord) -> pb::CicdProfileLink {
        pb::CicdProfileLink {
            id: l.id.clone(),
            ci_cd_profile_id: l.profile_id.clone(),
            cluster_id: l.cluster_id.clone(),
            created_at: l
                .created_at
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or_default(),
            trust_domain_id: self
                .clusters
                .get(&l.cluster_id)
                .map(|c| c.record.trust_domain_id.clone())
                .unwrap_or_default(),
        }
    }

    fn cicd_profile(&self, id: &str, field: &str) -> Result<&CicdProfileRecord, ApiError> {
        validate::required(field, id)?;
        self.cicd_profiles
            .get(id)
            .ok_or_else(|| ApiError::NotFound(format!("{field}: CI/CD profile {id} not found")))
    }

    /// `ListCICDProfiles`, in id order.
    pub fn list_cicd_profiles(&self) -> Vec<pb::CicdProfile> {
        self.cicd_profiles.values().map(profile_view).collect()
    }

    /// `CreateCICDProfile`.
    pub fn plan_create_cicd_profile(
        &self,
        r: &pb::CreateCicdProfileRequest,
        ctx: &Ctx<'_>,
    ) -> Result<(Change, pb::CicdProfile), ApiError> {
        validate::required_within("name", &r.name, MAX_CICD_PROFILE_NAME)?;
        // An issuer is optional (the SDK): unset, the default; given, it is judged.
        let issuer = if r.issuer.is_empty() {
            default_cicd_issuer().to_owned()
        } else {
            validate::https_url("issuer", &r.issuer, "")?;
            r.issuer.clone()
        };
        if !r.jwks_url.is_empty() {
            validate::http_url("jwks_url", &r.jwks_url)?;
        }
        if let Some(existing) = self.cicd_profiles.values().find(|p| p.name == r.name) {
            return Err(ApiError::AlreadyExists(format!(
                "name: a CI/CD profile named `{}` already exists: {}",
                r.name, existing.id
            )));
        }
        let jwks_url = if r.jwks_url.is_empty() {
            format!("{}{DEFAULT_JWKS_PATH}", issuer.trim_end_matches('/'))
        } else {
            r.jwks_url.clone()
        };
        let profile = CicdProfileRecord {
            id: self.fresh_id(CICD_PROFILE_ID_PREFIX, ctx),
            name: r.name.clone(),
            issuer,
            jwks_url,
        };
        let view = profile_view(&profile);
        Ok((Change::CicdProfileCreated { profile }, view))
    }

    /// `DeleteCICDProfile`: refused while linked.
    pub fn plan_delete_cicd_profile(&self, id: &str) -> Result<Change, ApiError> {
        self.cicd_profile(id, "id")?;
        let clusters: Vec<&str> = self
            .cicd_links
            .values()
            .filter(|l| l.profile_id == id)
            .map(|l| l.cluster_id.as_str())
            .collect();
        if DELETE_LINKED_CICD_PROFILE_REFUSED && !clusters.is_empty() {
            return Err(ApiError::FailedPrecondition(format!(
                "CI/CD profile {id} is linked to clusters {}; unlink them first",
                clusters.join(", ")
            )));
        }
        Ok(Change::CicdProfileDeleted { id: id.to_owned() })
    }

    /// `ListCICDProfileLinks`: each filter applies when not empty.
    pub fn list_cicd_links(&self, profile_id: &str, cluster_id: &str) -> Vec<pb::CicdProfileLink> {
        self.cicd_links
            .values()
            .filter(|l| profile_id.is_empty() || l.profile_id == profile_id)
            .filter(|l| cluster_id.is_empty() || l.cluster_id == cluster_id)
            .map(|l| self.cicd_link_view(l))
            .collect()
    }

    /// `LinkCICDProfile`.
    pub fn plan_link_cicd_profile(
        &self,
        profile_id: &str,
        cluster_id: &str,
        ctx: &Ctx<'_>,
    ) -> Result<(Change, pb::CicdProfileLink), ApiError> {
        self.cicd_profile(profile_id, "ci_cd_profile_id")?;
        validate::required("cluster_id", cluster_id)?;
        if !self.clusters.contains_key(cluster_id) {
            return Err(ApiError::NotFound(format!(
                "cluster_id: cluster {cluster_id} not found"
            )));
        }
        if let Some(existing) = self
            .cicd_links
            .values()
            .find(|l| l.profile_id == profile_id && l.cluster_id == cluster_id)
        {
            return Err(ApiError::AlreadyExists(format!(
                "CI/CD profile {profile_id} is already linked to cluster {cluster_id}: {}",
                existing.id
            )));
        }
        let link = CicdLinkRecord {
            id: self.fresh_id(CICD_LINK_ID_PREFIX, ctx),
            profile_id: profile_id.to_owned(),
            cluster_id: cluster_id.to_owned(),
            created_at: ctx.now,
        };
        let view = self.cicd_link_view(&link);
        Ok((Change::CicdLinkCreated { link }, view))
    }

    /// `UnlinkCICDProfile`.
    pub fn plan_unlink_cicd_profile(
        &self,
        profile_id: &str,
        cluster_id: &str,
    ) -> Result<Change, ApiError> {
        validate::required("ci_cd_profile_id", profile_id)?;
        validate::required("cluster_id", cluster_id)?;
        let link = self
            .cicd_links
            .values()
            .find(|l| l.profile_id == profile_id && l.cluster_id == cluster_id)
            .ok_or_else(|| {
                ApiError::NotFound(format!(
                    "CI/CD profile {profile_id} is not linked to cluster {cluster_id}"
                ))
            })?;
        Ok(Change::CicdLinkDeleted {
            id: link.id.clone(),
        })
    }

    /// Applies a CI/CD change (see [`Store::apply`]).
    pub(super) fn apply_cicd(&mut self, change: &Change) -> Result<(), String> {
        match change {
            Change::CicdProfileCreated { profile } => {
                if self
                    .cicd_profiles
                    .insert(profile.id.clone(), profile.clone())
                    .is_some()
                {
                    return Err(format!("CI/CD profile {} exists", profile.id));
                }
            }
            Change::CicdProfileDeleted { id } => {
                self.cicd_profiles
                    .remove(id)
                    .ok_or_else(|| format!("CI/CD profile {id} missing"))?;
            }
            Change::CicdLinkCreated { link } => {
                if !self.clusters.contains_key(&link.cluster_id)
                    || !self.cicd_profiles.contains_key(&link.profile_id)
                {
                    return Err(format!("CI/CD link {} names what is missing", link.id));
                }
                if self
                    .cicd_links
                    .insert(link.id.clone(), link.clone())
                    .is_some()
                {
                    return Err(format!("CI/CD link {} exists", link.id));
                }
            }
            Change::CicdLinkDeleted { id } => {
                self.cicd_links
                    .remove(id)
                    .ok_or_else(|| format!("CI/CD link {id} missing"))?;
            }
            other => return Err(format!("not a CI/CD change: {other:?}")),
        }
        Ok(())
    }
}
