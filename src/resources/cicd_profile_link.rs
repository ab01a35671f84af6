//! `spirl_cicd_profile_link`: links a CI/CD profile to a cluster, so the cluster exchanges the
//! CI/CD system's tokens for identities (`cicd.API` Link/Unlink). The link is the pair of ids:
//! every change replaces it, and it imports as `cicdp-…:c-…`.

use serde::{Deserialize, Serialize};
use tfplugin::{Attr, Diagnostics, Kind, Model, Read, Resource, Schema, async_trait};

use super::ids::id;
use crate::client::assumptions::{CICD_PROFILE_ID_PREFIX, CLUSTER_ID_PREFIX};
use crate::client::{ApiError, CicdLink, Client, ClientHandle, has_id_shape};
use crate::diagnostics;
use crate::problem::quote;

/// Configuration and state of `spirl_cicd_profile_link`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Model)]
pub struct CicdLinkState {
    /// The link's id.
    #[tf(computed, keep)]
    pub id: Attr<String>,
    /// The id of the CI/CD profile to link (`spirl_cicd_profile.<name>.id`). Changing it
    /// replaces the link.
    #[tf(required, replace,
        check = id(CICD_PROFILE_ID_PREFIX, "CI/CD profile", "`spirl_cicd_profile.<name>.id`"))]
    pub cicd_profile_id: Attr<String>,
    /// The id of the cluster to link it to (`spirl_cluster.<name>.id`). Changing it replaces the
    /// link.
    #[tf(required, replace, check = id(CLUSTER_ID_PREFIX, "cluster", "`spirl_cluster.<name>.id`"))]
    pub cluster_id: Attr<String>,
}

impl From<CicdLink> for CicdLinkState {
    fn from(l: CicdLink) -> Self {
        CicdLinkState {
            id: Attr::Value(l.id),
            cicd_profile_id: Attr::Value(l.profile_id),
            cluster_id: Attr::Value(l.cluster_id),
        }
    }
}

/// The link of `profile` to `cluster`, if there is one.
async fn find(client: &Client, profile: &str, cluster: &str) -> Result<Option<CicdLink>, ApiError> {
    Ok(client
        .list_cicd_links(Some(profile), Some(cluster))
        .await?
        .into_iter()
        .find(|l| l.profile_id == profile && l.cluster_id == cluster))
}

/// The `spirl_cicd_profile_link` resource.
pub struct CicdProfileLinkResource {
    client: ClientHandle,
}

impl CicdProfileLinkResource {
    /// The resource, calling the API through `client` once the provider is configured.
    pub fn new(client: &ClientHandle) -> Self {
        CicdProfileLinkResource {
            client: client.clone(),
        }
    }
}

#[async_trait]
impl Resource for CicdProfileLinkResource {
    type State = CicdLinkState;

    fn schema(&self) -> Schema {
        Schema::of::<CicdLinkState>(Kind::Resource).description(
            "Links a CI/CD profile to a cluster, so the cluster exchanges the CI/CD system's \
             tokens for identities. A link cannot be edited: any change replaces it. Import \
             with `terraform import spirl_cicd_profile_link.<name> cicdp-…:c-…`.",
        )
    }

    async fn read(
        &self,
        diags: &mut Diagnostics,
        state: CicdLinkState,
    ) -> Option<Read<CicdLinkState>> {
        let client = self.client.get(diags)?;
        let profile = state.cicd_profile_id.known()?;
        let cluster = state.cluster_id.known()?;
        let found = find(client, profile, cluster).await;
        let what = format!("{profile}:{cluster}");
        super::refreshed(diags, "CI/CD profile link", &what, found)
    }

    async fn create(
        &self,
        diags: &mut Diagnostics,
        planned: CicdLinkState,
        _config: CicdLinkState,
    ) -> Option<CicdLinkState> {
        let client = self.client.get(diags)?;
        let profile = planned.cicd_profile_id.known()?.clone();
        let cluster = planned.cluster_id.known()?.clone();
        match client.link_cicd_profile(&profile, &cluster).await {
            Ok(id) => Some(CicdLinkState {
                id: Attr::Value(id),
                cicd_profile_id: Attr::Value(profile),
                cluster_id: Attr::Value(cluster),
            }),
            Err(e @ ApiError::AlreadyExists(_)) => {
                diagnostics::name_taken(
                    diags,
                    &e,
                    "CI/CD profile link",
                    &format!("{profile}:{cluster}"),
                    Some(&format!("{profile}:{cluster}")),
                    CicdLinkState::paths().cluster_id,
                    "terraform import spirl_cicd_profile_link.<name> <id>",
                );
                None
            }
            Err(e) => {
                match &e {
                    ApiError::NotFound(c) => {
                        let at = CicdLinkState::paths();
                        let at = if c.message.starts_with("cluster_id") {
                            at.cluster_id
                        } else {
                            at.cicd_profile_id
                        };
                        diagnostics::missing_reference(diags, &e, at);
                    }
                    _ => diagnostics::api_error(diags, &e, None),
                }
                None
            }
        }
    }

    async fn delete(&self, diags: &mut Diagnostics, prior: CicdLinkState) -> Option<()> {
        let client = self.client.get(diags)?;
        let (Some(profile), Some(cluster)) =
            (prior.cicd_profile_id.known(), prior.cluster_id.known())
        else {
            return Some(());
        };
        match client.unlink_cicd_profile(profile, cluster).await {
            Ok(()) => Some(()),
            Err(e) => {
                diagnostics::api_error(diags, &e, None);
                None
            }
        }
    }

    async fn import(&self, diags: &mut Diagnostics, id: String) -> Option<CicdLinkState> {
        let client = self.client.get(diags)?;
        let wanted = id.trim();
        let parsed = wanted.split_once(':').filter(|(p, c)| {
            has_id_shape(p, CICD_PROFILE_ID_PREFIX) && has_id_shape(c, CLUSTER_ID_PREFIX)
        });
        let Some((profile, cluster)) = parsed else {
            diags.error(
                "Cannot import CI/CD profile link",
                format!(
                    "{} is not `<CI/CD profile id>:<cluster id>`. Import a link with both ids \
                     separated by a colon, for example `terraform import \
                     spirl_cicd_profile_link.example cicdp-1234567890:c-121212121212`.",
                    quote(wanted)
                ),
            );
            return None;
        };
        let found = find(client, profile, cluster).await;
        super::imported(diags, "CI/CD profile link", found, || {
            format!(
                "CI/CD profile {profile} is not linked to cluster {cluster}. Check both ids in \
                 the Defakto console."
            )
        })
    }
}
