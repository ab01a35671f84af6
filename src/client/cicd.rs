//! The CI/CD service (`com.spirl.api.v1.cicd.API`): profiles, which map tokens of a CI/CD
//! system's OIDC issuer to identities, and their links to clusters. Neither has an update; a
//! profile is found by listing (no get by id).

use spirl_api_proto::cicd as wire;
use spirl_api_proto::cicd::api_client::ApiClient as CicdApi;
use tokio::time::Instant;
use tonic::transport::Channel;

use super::engine::{MAX_ANSWER_BYTES, Rpc, gone_is_done};
use super::read_back::ReadBack;
use super::{ApiError, Client};

const CREATE_PROFILE: Rpc = rpc!("create CI/CD profile", "cicd.API/CreateCICDProfile");
const LIST_PROFILES: Rpc = rpc!("list CI/CD profiles", "cicd.API/ListCICDProfiles");
const DELETE_PROFILE: Rpc = rpc!("delete CI/CD profile", "cicd.API/DeleteCICDProfile");
const LINK: Rpc = rpc!("link CI/CD profile", "cicd.API/LinkCICDProfile");
const UNLINK: Rpc = rpc!("unlink CI/CD profile", "cicd.API/UnlinkCICDProfile");
const LIST_LINKS: Rpc = rpc!("list CI/CD profile links", "cicd.API/ListCICDProfileLinks");

/// A CI/CD profile.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CicdProfile {
    /// `cicdp-…`.
    pub id: String,
    /// Unique in the organisation.
    pub name: String,
    /// The CI/CD system's OIDC issuer.
    pub issuer: String,
    /// Where its token signing keys are.
    pub jwks_url: String,
}

impl From<wire::CicdProfile> for CicdProfile {
    fn from(p: wire::CicdProfile) -> Self {
        CicdProfile {
            id: p.id,
            name: p.name,
            issuer: p.issuer,
            jwks_url: p.jwks_url,
        }
    }
}

/// A profile's link to a cluster.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CicdLink {
    /// The link's id.
    pub id: String,
    /// `cicdp-…`.
    pub profile_id: String,
    /// `c-…`.
    pub cluster_id: String,
    /// The cluster's trust domain.
    pub trust_domain_id: String,
}

impl From<wire::CicdProfileLink> for CicdLink {
    fn from(l: wire::CicdProfileLink) -> Self {
        CicdLink {
            id: l.id,
            profile_id: l.ci_cd_profile_id,
            cluster_id: l.cluster_id,
            trust_domain_id: l.trust_domain_id,
        }
    }
}

fn cicd(channel: Channel) -> CicdApi<Channel> {
    CicdApi::new(channel).max_decoding_message_size(MAX_ANSWER_BYTES)
}

impl Client {
    /// `CreateCICDProfile`; an empty `issuer` or `jwks_url` lets the control plane choose.
    /// Returns the new profile's id. A create whose answer was lost is found by name and adopted.
    pub async fn create_cicd_profile(
        &self,
        name: &str,
        issuer: &str,
        jwks_url: &str,
    ) -> Result<String, ApiError> {
        let request = wire::CreateCicdProfileRequest {
            name: name.to_owned(),
            issuer: issuer.to_owned(),
            jwks_url: jwks_url.to_owned(),
        };
        let lookup = |deadline| async move {
            let all = self.list_cicd_profiles_until(deadline).await?;
            Ok(all.into_iter().find(|p| p.name == name).map(|p| p.id))
        };
        self.create(
            CREATE_PROFILE,
            request,
            |c, r| async move { cicd(c).create_cicd_profile(r).await },
            |a: &wire::CreateCicdProfileResponse| {
                a.profile.as_ref().map(|p| p.id.clone()).unwrap_or_default()
            },
            lookup,
        )
        .await
    }

    /// `ListCICDProfiles`: every profile of the organisation.
    pub async fn list_cicd_profiles(&self) -> Result<Vec<CicdProfile>, ApiError> {
        self.list_cicd_profiles_until(self.deadline()).await
    }

    async fn list_cicd_profiles_until(
        &self,
        deadline: Instant,
    ) -> Result<Vec<CicdProfile>, ApiError> {
        let answer = self
            .call(
                LIST_PROFILES,
                deadline,
                wire::ListCicdProfilesRequest {},
                |c, r| async move { cicd(c).list_cicd_profiles(r).await },
            )
            .await?;
        Ok(answer.profiles.into_iter().map(Into::into).collect())
    }

    /// `DeleteCICDProfile`. `NOT_FOUND` is success; a linked profile is refused
    /// (`FAILED_PRECONDITION`).
    pub async fn delete_cicd_profile(&self, id: &str) -> Result<(), ApiError> {
        let request = wire::DeleteCicdProfileRequest { id: id.to_owned() };
        let result = self
            .call(
                DELETE_PROFILE,
                self.deadline(),
                request,
                |c, r| async move { cicd(c).delete_cicd_profile(r).await },
            )
            .await;
        gone_is_done(result)
    }

    /// `LinkCICDProfile`; returns the link's id. A link whose answer was lost is found and
    /// adopted.
    pub async fn link_cicd_profile(
        &self,
        profile_id: &str,
        cluster_id: &str,
    ) -> Result<String, ApiError> {
        let request = wire::LinkCicdProfileRequest {
            ci_cd_profile_id: profile_id.to_owned(),
            cluster_id: cluster_id.to_owned(),
        };
        let lookup = |deadline| async move {
            let found = self
                .list_cicd_links_until(Some(profile_id), Some(cluster_id), deadline)
                .await?;
            Ok(found
                .into_iter()
                .find(|l| l.profile_id == profile_id && l.cluster_id == cluster_id)
                .map(|l| l.id))
        };
        self.create(
            LINK,
            request,
            |c, r| async move { cicd(c).link_cicd_profile(r).await },
            |a: &wire::LinkCicdProfileResponse| {
                a.link.as_ref().map(|l| l.id.clone()).unwrap_or_default()
            },
            lookup,
        )
        .await
    }

    /// `UnlinkCICDProfile`. `NOT_FOUND` is success.
    pub async fn unlink_cicd_profile(
        &self,
        profile_id: &str,
        cluster_id: &str,
    ) -> Result<(), ApiError> {
        let request = wire::UnlinkCicdProfileRequest {
            ci_cd_profile_id: profile_id.to_owned(),
            cluster_id: cluster_id.to_owned(),
        };
        let result = self
            .call(UNLINK, self.deadline(), request, |c, r| async move {
                cicd(c).unlink_cicd_profile(r).await
            })
            .await;
        gone_is_done(result)
    }

    /// `ListCICDProfileLinks`, filtered by profile and cluster when given.
    pub async fn list_cicd_links(
        &self,
        profile_id: Option<&str>,
        cluster_id: Option<&str>,
    ) -> Result<Vec<CicdLink>, ApiError> {
        self.list_cicd_links_until(profile_id, cluster_id, self.deadline())
            .await
    }

    async fn list_cicd_links_until(
        &self,
        profile_id: Option<&str>,
        cluster_id: Option<&str>,
        deadline: Instant,
    ) -> Result<Vec<CicdLink>, ApiError> {
        let request = wire::ListCicdProfileLinksRequest {
            ci_cd_profile_id: profile_id.unwrap_or_default().to_owned(),
            cluster_id: cluster_id.unwrap_or_default().to_owned(),
        };
        let answer = self
            .call(LIST_LINKS, deadline, request, |c, r| async move {
                cicd(c).list_cicd_profile_links(r).await
            })
            .await?;
        Ok(answer.links.into_iter().map(Into::into).collect())
    }
}

impl ReadBack {
    /// CI/CD profile `id`, just created: read back by listing the profiles.
    pub fn cicd_profile(id: &str) -> Self {
        Self::created(
            "CI/CD profile",
            id,
            "read the new CI/CD profile",
            LIST_PROFILES,
        )
    }
}
