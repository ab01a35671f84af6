//! The federation service (`com.spirl.api.v1.federation.API`): a trust domain's SPIFFE
//! federation links, one per foreign trust domain. `SetLink` is an upsert, so a retried set
//! whose first answer was lost does no harm, and changing a link's endpoint is a set.

use spirl_api_proto::federation as wire;
use spirl_api_proto::federation::api_client::ApiClient as FederationApi;
use tonic::transport::Channel;

use super::engine::{MAX_ANSWER_BYTES, Rpc, gone_is_done};
use super::models::rfc3339;
use super::{ApiError, Client};

const SET_LINK: Rpc = rpc!("set federation link", "federation.API/SetLink");
const LIST_LINKS: Rpc = rpc!("list federation links", "federation.API/ListLinks");
const DELETE_LINK: Rpc = rpc!("delete federation link", "federation.API/DeleteLink");

/// A federation link as the control plane reports it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FederationLink {
    /// The link's id.
    pub id: String,
    /// The trust domain that trusts the foreign one, `td-…`.
    pub trust_domain_id: String,
    /// The foreign trust domain's name.
    pub foreign_trust_domain_name: String,
    /// Its SPIFFE bundle endpoint (https_web profile).
    pub endpoint_url: String,
    /// RFC 3339.
    pub created_at: String,
}

impl From<wire::LinkStatus> for FederationLink {
    fn from(status: wire::LinkStatus) -> Self {
        let link = status.link.unwrap_or_default();
        FederationLink {
            id: status.id,
            trust_domain_id: status.trust_domain_id,
            foreign_trust_domain_name: link.trust_domain_name,
            endpoint_url: link.endpoint.map(|e| e.url).unwrap_or_default(),
            created_at: rfc3339(status.created_at.as_ref()),
        }
    }
}

fn links(channel: Channel) -> FederationApi<Channel> {
    FederationApi::new(channel).max_decoding_message_size(MAX_ANSWER_BYTES)
}

impl Client {
    /// `SetLink`: creates or updates the link of `trust_domain_id` to `foreign` with the
    /// https_web endpoint `url`; returns the link's id.
    pub async fn set_federation_link(
        &self,
        trust_domain_id: &str,
        foreign: &str,
        url: &str,
    ) -> Result<String, ApiError> {
        let request = wire::SetLinkRequest {
            trust_domain_id: trust_domain_id.to_owned(),
            link: Some(wire::Link {
                trust_domain_name: foreign.to_owned(),
                endpoint: Some(wire::Endpoint {
                    url: url.to_owned(),
                    profile: Some(wire::endpoint::Profile::HttpsWeb(wire::HttpsWebProfile {})),
                }),
            }),
        };
        let answer = self
            .call(SET_LINK, self.deadline(), request, |c, r| async move {
                links(c).set_link(r).await
            })
            .await?;
        Ok(answer.id)
    }

    /// `ListLinks` of one trust domain (or, `None`, of all).
    pub async fn list_federation_links(
        &self,
        trust_domain_id: Option<&str>,
    ) -> Result<Vec<FederationLink>, ApiError> {
        let request = wire::ListLinksRequest {
            trust_domain_id: trust_domain_id.unwrap_or_default().to_owned(),
        };
        let answer = self
            .call(LIST_LINKS, self.deadline(), request, |c, r| async move {
                links(c).list_links(r).await
            })
            .await?;
        Ok(answer.link_statuses.into_iter().map(Into::into).collect())
    }

    /// The link of `trust_domain_id` to `foreign`, if there is one.
    pub async fn find_federation_link(
        &self,
        trust_domain_id: &str,
        foreign: &str,
    ) -> Result<Option<FederationLink>, ApiError> {
        let all = self.list_federation_links(Some(trust_domain_id)).await?;
        Ok(all.into_iter().find(|l| {
            l.foreign_trust_domain_name == foreign
                && (l.trust_domain_id.is_empty() || l.trust_domain_id == trust_domain_id)
        }))
    }

    /// `DeleteLink`; `NOT_FOUND` is success.
    pub async fn delete_federation_link(
        &self,
        trust_domain_id: &str,
        foreign: &str,
    ) -> Result<(), ApiError> {
        let request = wire::DeleteLinkRequest {
            trust_domain_id: trust_domain_id.to_owned(),
            foreign_trust_domain_name: foreign.to_owned(),
        };
        let result = self
            .call(DELETE_LINK, self.deadline(), request, |c, r| async move {
                links(c).delete_link(r).await
            })
            .await;
        gone_is_done(result)
    }
}
