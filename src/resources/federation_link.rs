//! `spirl_federation_link`: a trust domain trusts a foreign trust domain's bundle, fetched from
//! its SPIFFE bundle endpoint (`federation.API`). The API keys a link by the trust domain and the
//! foreign trust domain's name, so both replace; `SetLink` upserts, so a new `endpoint_url` is
//! changed in place. Create refuses to take over a link that exists (import it instead), so two
//! configurations cannot silently fight over one link.

use serde::{Deserialize, Serialize};
use tfplugin::{
    Attr, AttributePath, Diagnostics, Kind, Model, Read, Resource, Schema, async_trait,
};

use super::ids::{https_url_problem, id};
use super::trust_domain::domain_name_problem;
use crate::client::assumptions::TRUST_DOMAIN_ID_PREFIX;
use crate::client::{ApiError, Client, ClientHandle, FederationLink};
use crate::diagnostics;
use crate::problem::quote;

/// Configuration and state of `spirl_federation_link`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Model)]
pub struct FederationLinkState {
    /// The federation link's id.
    #[tf(computed, keep)]
    pub id: Attr<String>,
    /// The id (`td-…`) of the trust domain that trusts the foreign one. Changing it replaces the
    /// link.
    #[tf(required, replace, check = id(TRUST_DOMAIN_ID_PREFIX, "trust domain",
        "the id, such as `spirl_trust_domain.example.id`, not the domain name"))]
    pub trust_domain_id: Attr<String>,
    /// The name of the foreign trust domain, such as `partner.example`: a SPIFFE trust domain
    /// name, not a SPIFFE ID, and not the trust domain's own name. Changing it replaces the link.
    #[tf(required, replace, check = check_foreign_name)]
    pub foreign_trust_domain_name: Attr<String>,
    /// The foreign trust domain's SPIFFE bundle endpoint, an `https://` URL (for a trust domain
    /// on Defakto: its `spiffe_bundle_endpoint`). Changed in place.
    #[tf(required, check = check_endpoint)]
    pub endpoint_url: Attr<String>,
}

impl From<FederationLink> for FederationLinkState {
    fn from(link: FederationLink) -> Self {
        FederationLinkState {
            id: Attr::Value(link.id),
            trust_domain_id: Attr::Value(link.trust_domain_id),
            foreign_trust_domain_name: Attr::Value(link.foreign_trust_domain_name),
            endpoint_url: Attr::Value(link.endpoint_url),
        }
    }
}

/// Why `name` cannot be the foreign trust domain's name, or `None`: the SPIFFE rules, said about
/// this attribute.
fn foreign_name_problem(name: &str) -> Option<String> {
    domain_name_problem(name).map(|p| p.replace("domain_name", "foreign_trust_domain_name"))
}

fn check_foreign_name(name: &str, at: &AttributePath, diags: &mut Diagnostics) {
    if let Some(problem) = foreign_name_problem(name) {
        diags.error_at(at.clone(), "Invalid foreign_trust_domain_name", problem);
    }
}

fn check_endpoint(url: &str, at: &AttributePath, diags: &mut Diagnostics) {
    let want = "the foreign trust domain's SPIFFE bundle endpoint, such as \
                \"https://bundle.partner.example/\"";
    if let Some(problem) = https_url_problem("endpoint_url", url, want) {
        diags.error_at(at.clone(), "Invalid endpoint_url", problem);
    }
}

/// The `spirl_federation_link` resource.
pub struct FederationLinkResource {
    client: ClientHandle,
}

impl FederationLinkResource {
    /// The resource, calling the API through `client` once the provider is configured.
    pub fn new(client: &ClientHandle) -> Self {
        FederationLinkResource {
            client: client.clone(),
        }
    }

    /// Sets the link and reads it back; the new state or `None` after reporting.
    async fn set(
        &self,
        diags: &mut Diagnostics,
        client: &Client,
        td: &str,
        foreign: &str,
        url: &str,
    ) -> Option<FederationLinkState> {
        let result = match client.set_federation_link(td, foreign, url).await {
            Ok(id) => match client.find_federation_link(td, foreign).await {
                Ok(Some(link)) => Ok(link),
                // Answered, but not listed: keep what was asked, with the id the set returned.
                Ok(None) => Ok(FederationLink {
                    id,
                    trust_domain_id: td.to_owned(),
                    foreign_trust_domain_name: foreign.to_owned(),
                    endpoint_url: url.to_owned(),
                    created_at: String::new(),
                }),
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        };
        match result {
            Ok(link) => Some(FederationLinkState {
                // The identifying attributes are what the configuration says (the API echoes
                // them); a control plane that normalised the URL must not break the plan.
                trust_domain_id: Attr::Value(td.to_owned()),
                foreign_trust_domain_name: Attr::Value(foreign.to_owned()),
                endpoint_url: Attr::Value(url.to_owned()),
                ..link.into()
            }),
            Err(e) => {
                let at = FederationLinkState::paths();
                let fields = [
                    ("trust_domain_name", at.foreign_trust_domain_name),
                    ("url", at.endpoint_url.clone()),
                ];
                match &e {
                    ApiError::NotFound(_) => {
                        diagnostics::missing_reference(diags, &e, at.trust_domain_id);
                    }
                    ApiError::InvalidArgument(_) => {
                        let about = Some(at.endpoint_url);
                        diagnostics::api_error_at_field(diags, &e, &fields, about);
                    }
                    _ => diagnostics::api_error(diags, &e, None),
                }
                None
            }
        }
    }
}

#[async_trait]
impl Resource for FederationLinkResource {
    type State = FederationLinkState;

    fn schema(&self) -> Schema {
        Schema::of::<FederationLinkState>(Kind::Resource).description(
            "A SPIFFE federation link: the trust domain `trust_domain_id` trusts the \
             foreign trust domain `foreign_trust_domain_name`, whose bundle the control \
             plane fetches from `endpoint_url` (the https_web profile). Changing the \
             endpoint updates the link in place; changing either trust domain replaces it. \
             Import with `terraform import spirl_federation_link.<name> \
             td-…/foreign-trust-domain-name`.",
        )
    }

    async fn read(
        &self,
        diags: &mut Diagnostics,
        state: FederationLinkState,
    ) -> Option<Read<FederationLinkState>> {
        let client = self.client.get(diags)?;
        let td = state.trust_domain_id.known()?;
        let foreign = state.foreign_trust_domain_name.known()?;
        let found = client.find_federation_link(td, foreign).await;
        let what = format!("{td}/{foreign}");
        let read = super::refreshed::<_, FederationLink>(diags, "federation link", &what, found)?;
        Some(read.map(|link| FederationLinkState {
            trust_domain_id: Attr::Value(td.clone()),
            foreign_trust_domain_name: Attr::Value(foreign.clone()),
            ..link.into()
        }))
    }

    async fn create(
        &self,
        diags: &mut Diagnostics,
        planned: FederationLinkState,
        _config: FederationLinkState,
    ) -> Option<FederationLinkState> {
        let client = self.client.get(diags)?;
        let td = planned.trust_domain_id.known()?;
        let foreign = planned.foreign_trust_domain_name.known()?;
        let url = planned.endpoint_url.known()?;
        match client.find_federation_link(td, foreign).await {
            Ok(None) => {}
            Ok(Some(existing)) => {
                diags.error_at(
                    FederationLinkState::paths().foreign_trust_domain_name,
                    "Federation link already exists",
                    format!(
                        "Trust domain {td} already has a federation link to `{foreign}` \
                         ({}, endpoint {}). Bring it under Terraform with `terraform import \
                         <address> {td}/{foreign}` instead of creating it, or remove it \
                         first.",
                        existing.id,
                        quote(&existing.endpoint_url)
                    ),
                );
                return None;
            }
            Err(e) => {
                diagnostics::api_error(diags, &e, None);
                return None;
            }
        }
        self.set(diags, client, td, foreign, url).await
    }

    async fn update(
        &self,
        diags: &mut Diagnostics,
        prior: FederationLinkState,
        planned: FederationLinkState,
        _config: FederationLinkState,
    ) -> Option<FederationLinkState> {
        let client = self.client.get(diags)?;
        let td = prior.trust_domain_id.known()?;
        let foreign = prior.foreign_trust_domain_name.known()?;
        let url = planned.endpoint_url.known()?;
        self.set(diags, client, td, foreign, url).await
    }

    async fn delete(&self, diags: &mut Diagnostics, prior: FederationLinkState) -> Option<()> {
        let client = self.client.get(diags)?;
        let td = prior.trust_domain_id.known()?;
        let foreign = prior.foreign_trust_domain_name.known()?;
        match client.delete_federation_link(td, foreign).await {
            Ok(()) => Some(()),
            Err(e) => {
                diagnostics::api_error(diags, &e, None);
                None
            }
        }
    }

    async fn import(&self, diags: &mut Diagnostics, id: String) -> Option<FederationLinkState> {
        let client = self.client.get(diags)?;
        let wanted = id.trim();
        let parsed = wanted.split_once('/').filter(|(td, foreign)| {
            crate::client::has_id_shape(td, TRUST_DOMAIN_ID_PREFIX)
                && foreign_name_problem(foreign).is_none()
        });
        let Some((td, foreign)) = parsed else {
            diags.error(
                "Cannot import federation link",
                format!(
                    "The import id {} is not `td-…/foreign-trust-domain-name`. Write the trust \
                     domain's id, a slash, and the foreign trust domain's name, such as \
                     `td-abc123/partner.example`.",
                    quote(wanted)
                ),
            );
            return None;
        };
        let found = client.find_federation_link(td, foreign).await;
        let link: FederationLinkState = super::imported(diags, "federation link", found, || {
            format!(
                "Trust domain {td} has no federation link to `{foreign}`. Check both in the \
                 Defakto console, and that the provider points at the right control plane."
            )
        })?;
        Some(FederationLinkState {
            trust_domain_id: Attr::Value(td.to_owned()),
            foreign_trust_domain_name: Attr::Value(foreign.to_owned()),
            ..link
        })
    }
}
