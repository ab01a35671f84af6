//! Federation links: a trust domain's trust in foreign trust domains' bundles, one link per
//! foreign trust domain name. `SetLink` creates or updates (keeping the link's id and creation
//! time); links go with their trust domain.

use spirl_api_proto::federation as pb;

use super::{Change, Ctx, FederationLinkRecord, Store};
use crate::assumptions::{FEDERATION_LINK_ID_PREFIX, UNKNOWN_FILTER_IS_EMPTY};
use crate::error::ApiError;
use crate::validate;

use crate::validate::invalid;

impl Store {
    fn federation_link_view(&self, link: &FederationLinkRecord) -> pb::LinkStatus {
        pb::LinkStatus {
            id: link.id.clone(),
            trust_domain_id: link.trust_domain_id.clone(),
            trust_domain_name: self
                .trust_domains
                .get(&link.trust_domain_id)
                .map(|td| td.record.name.clone())
                .unwrap_or_default(),
            link: Some(pb::Link {
                trust_domain_name: link.foreign_trust_domain_name.clone(),
                endpoint: Some(pb::Endpoint {
                    url: link.endpoint_url.clone(),
                    profile: Some(pb::endpoint::Profile::HttpsWeb(pb::HttpsWebProfile {})),
                }),
            }),
            created_at: Some(link.created_at.into()),
            ..pb::LinkStatus::default()
        }
    }

    /// `ListLinks`: by trust domain when given (an unknown one matches nothing), in the order
    /// of trust domain and foreign name.
    pub fn list_federation_links(&self, trust_domain_id: &str) -> Vec<pb::LinkStatus> {
        let _ = UNKNOWN_FILTER_IS_EMPTY;
        self.federation_links
            .values()
            .filter(|l| trust_domain_id.is_empty() || l.trust_domain_id == trust_domain_id)
            .map(|l| self.federation_link_view(l))
            .collect()
    }

    /// `SetLink`: the change (none when the link is already so) and the link's id.
    pub fn plan_set_federation_link(
        &self,
        trust_domain_id: &str,
        link: Option<&pb::Link>,
        ctx: &Ctx<'_>,
    ) -> Result<(Option<Change>, String), ApiError> {
        let parent = self.trust_domain(trust_domain_id)?;
        let link = link.ok_or_else(|| invalid("link is required".into()))?;
        let foreign = link.trust_domain_name.as_str();
        validate::trust_domain_name(foreign)
            .map_err(|e| invalid(format!("link.trust_domain_name: {e}")))?;
        if foreign == parent.record.name {
            return Err(invalid(format!(
                "link.trust_domain_name: {foreign} is this trust domain; a trust domain does not \
                 federate with itself"
            )));
        }
        let endpoint = link
            .endpoint
            .as_ref()
            .ok_or_else(|| invalid("link.endpoint is required".into()))?;
        validate::https_url("link.endpoint.url", &endpoint.url, "")?;
        if endpoint.profile.is_none() {
            return Err(invalid(
                "link.endpoint.profile is required (https_web)".into(),
            ));
        }
        let key = (trust_domain_id.to_owned(), foreign.to_owned());
        let record = match self.federation_links.get(&key) {
            Some(existing) if existing.endpoint_url == endpoint.url => {
                return Ok((None, existing.id.clone()));
            }
            Some(existing) => FederationLinkRecord {
                endpoint_url: endpoint.url.clone(),
                ..existing.clone()
            },
            None => FederationLinkRecord {
                id: self.fresh_id(FEDERATION_LINK_ID_PREFIX, ctx),
                trust_domain_id: trust_domain_id.to_owned(),
                foreign_trust_domain_name: foreign.to_owned(),
                endpoint_url: endpoint.url.clone(),
                created_at: ctx.now,
            },
        };
        let id = record.id.clone();
        Ok((Some(Change::FederationLinkSet { link: record }), id))
    }

    /// `DeleteLink`: `NOT_FOUND` when there is no such link.
    pub fn plan_delete_federation_link(
        &self,
        trust_domain_id: &str,
        foreign: &str,
    ) -> Result<Change, ApiError> {
        self.trust_domain(trust_domain_id)?;
        validate::required("foreign_trust_domain_name", foreign)?;
        let key = (trust_domain_id.to_owned(), foreign.to_owned());
        let link = self.federation_links.get(&key).ok_or_else(|| {
            ApiError::NotFound(format!(
                "trust domain {trust_domain_id} has no federation link to {foreign}"
            ))
        })?;
        Ok(Change::FederationLinkDeleted {
            id: link.id.clone(),
        })
    }
}
