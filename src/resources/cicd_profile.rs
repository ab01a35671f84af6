//! `spirl_cicd_profile`: a CI/CD profile, which maps tokens of a CI/CD system's OIDC issuer to
//! identities for the clusters it is linked to (`cicd.API`). The API has no update: every change
//! replaces the profile. A profile is found by listing (no get by id). The data source of the
//! same name (`crate::data_sources::cicd_profile`) shares the state struct and checks.

use serde::{Deserialize, Serialize};
use tfplugin::{Attr, Diagnostics, Kind, Model, Read, Resource, Schema, async_trait};

use super::ids::not_empty;
use crate::client::{ApiError, CicdProfile, Client, ClientHandle, ReadBack};
use crate::diagnostics;
use crate::problem::quote;

/// Configuration and state of `spirl_cicd_profile`, and the result of the data source (looked
/// up by name).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Model)]
pub struct CicdProfileState {
    /// The CI/CD profile's id, `cicdp-…`.
    #[tf(computed, keep, data(computed))]
    pub id: Attr<String>,
    /// The profile's name, unique in the organisation. Changing it replaces the profile.
    // The SDK says only that a name is required; the issuer and JWKS URLs are optional (the
    // SDK, the official docs) and the control plane's to judge.
    #[tf(required, replace, data(required), check = not_empty("Invalid CI/CD profile name",
        "name is empty. Set it to the profile's name, such as \"my-cicd-profile\"."))]
    pub name: Attr<String>,
    /// The OIDC issuer URL of the CI/CD system whose tokens the profile accepts (such as
    /// `https://gitlab.com` or `https://token.actions.githubusercontent.com`). Unset: the
    /// control plane provides a default, read back. Changing it replaces the profile.
    #[tf(optional, computed, keep, replace, data(computed))]
    pub issuer: Attr<String>,
    /// The URL of the issuer's JSON Web Key Set. Unset: the control plane derives one from the
    /// issuer, read back. Changing it replaces the profile.
    #[tf(optional, computed, keep, replace, data(computed))]
    pub jwks_url: Attr<String>,
}

impl From<CicdProfile> for CicdProfileState {
    fn from(p: CicdProfile) -> Self {
        CicdProfileState {
            id: Attr::Value(p.id),
            name: Attr::Value(p.name),
            issuer: Attr::Value(p.issuer),
            jwks_url: Attr::Value(p.jwks_url),
        }
    }
}

/// The profile named `name`, if there is one.
pub async fn find_by_name(client: &Client, name: &str) -> Result<Option<CicdProfile>, ApiError> {
    Ok(client
        .list_cicd_profiles()
        .await?
        .into_iter()
        .find(|p| p.name == name))
}

/// The `spirl_cicd_profile` resource.
pub struct CicdProfileResource {
    client: ClientHandle,
}

impl CicdProfileResource {
    /// The resource, calling the API through `client` once the provider is configured.
    pub fn new(client: &ClientHandle) -> Self {
        CicdProfileResource {
            client: client.clone(),
        }
    }
}

#[async_trait]
impl Resource for CicdProfileResource {
    type State = CicdProfileState;

    fn schema(&self) -> Schema {
        Schema::of::<CicdProfileState>(Kind::Resource).description(
            "A CI/CD profile: tokens of a CI/CD system's OIDC issuer map to identities in the \
             clusters it is linked to (`spirl_cicd_profile_link`). The control plane cannot edit \
             a profile, so every change replaces it, and it refuses to delete one that is still \
             linked. Import with `terraform import spirl_cicd_profile.<name> <profile name>`.",
        )
    }

    async fn read(
        &self,
        diags: &mut Diagnostics,
        state: CicdProfileState,
    ) -> Option<Read<CicdProfileState>> {
        let client = self.client.get(diags)?;
        let id = state.id.known()?;
        let found = client
            .list_cicd_profiles()
            .await
            .map(|all| all.into_iter().find(|p| &p.id == id));
        super::refreshed(diags, "CI/CD profile", id, found)
    }

    async fn create(
        &self,
        diags: &mut Diagnostics,
        planned: CicdProfileState,
        _config: CicdProfileState,
    ) -> Option<CicdProfileState> {
        let client = self.client.get(diags)?;
        let name = planned.name.known()?.clone();
        // Unset (unknown in the plan), the issuer and JWKS URL go empty, as the SDK sends them:
        // the control plane provides the defaults, read back below.
        let issuer = planned.issuer.known().cloned().unwrap_or_default();
        let jwks_url = planned.jwks_url.known().cloned().unwrap_or_default();
        let id = match client.create_cicd_profile(&name, &issuer, &jwks_url).await {
            Ok(id) => id,
            Err(e @ ApiError::AlreadyExists(_)) => {
                diagnostics::name_taken(
                    diags,
                    &e,
                    "CI/CD profile",
                    &name,
                    Some(&name),
                    CicdProfileState::paths().name,
                    "terraform import spirl_cicd_profile.<name> <id>",
                );
                return None;
            }
            Err(e) => {
                let at = CicdProfileState::paths();
                let fields = [
                    ("name", at.name),
                    ("issuer", at.issuer),
                    ("jwks_url", at.jwks_url),
                ];
                diagnostics::api_error_at_field(diags, &e, &fields, None);
                return None;
            }
        };
        log::info!(id = id.as_str(), name = name.as_str(); "created CI/CD profile");
        // Nothing half-created: a profile Terraform cannot record is removed.
        let read = async {
            let all = client.list_cicd_profiles().await?;
            Ok(all.into_iter().find(|p| p.id == id))
        };
        let read_back = client
            .read_back_or_remove(
                ReadBack::cicd_profile(&id),
                read,
                client.delete_cicd_profile(&id),
            )
            .await;
        diagnostics::read_back(diags, read_back, &[]).map(Into::into)
    }

    async fn delete(&self, diags: &mut Diagnostics, prior: CicdProfileState) -> Option<()> {
        let client = self.client.get(diags)?;
        let id = prior.id.known()?;
        match client.delete_cicd_profile(id).await {
            Ok(()) => Some(()),
            Err(e @ ApiError::FailedPrecondition(_)) => {
                let clusters: Vec<String> = match client.list_cicd_links(Some(id), None).await {
                    Ok(links) => links.into_iter().map(|l| l.cluster_id).collect(),
                    Err(_) => Vec::new(),
                };
                diagnostics::still_in_use(
                    diags,
                    &e,
                    "CI/CD profile",
                    prior.name.known().map_or("", String::as_str),
                    id,
                    &clusters,
                    "It is linked to clusters: destroy its `spirl_cicd_profile_link` resources \
                     first (they refer to it, so Terraform orders the deletes), or unlink \
                     clusters linked outside Terraform in the Defakto console.",
                );
                None
            }
            Err(e) => {
                diagnostics::api_error(diags, &e, None);
                None
            }
        }
    }

    async fn import(&self, diags: &mut Diagnostics, id: String) -> Option<CicdProfileState> {
        let client = self.client.get(diags)?;
        let name = id.trim();
        let found = find_by_name(client, name).await;
        super::imported(diags, "CI/CD profile", found, || {
            format!(
                "No CI/CD profile is named {}. `terraform import` takes the profile's name; \
                 check it in the Defakto console.",
                quote(name)
            )
        })
    }
}
