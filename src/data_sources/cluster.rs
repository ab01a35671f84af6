//! `spirl_cluster` (data source): an existing cluster looked up by `trust_domain_id` and `name`,
//! with its current version's configuration.

use tfplugin::{Attr, AttributePath, DataSource, Diagnostics, Kind, Model, Schema, async_trait};

use crate::client::ClientHandle;
use crate::diagnostics;
use crate::problem::quote;
use crate::resources::cluster::{ClusterState, read_cluster};

/// The `spirl_cluster` data source.
pub struct ClusterDataSource {
    client: ClientHandle,
}

impl ClusterDataSource {
    /// The data source, calling the API through `client` once the provider is configured.
    pub fn new(client: &ClientHandle) -> Self {
        ClusterDataSource {
            client: client.clone(),
        }
    }
}

fn text(a: &Attr<String>) -> Option<&str> {
    a.known().map(String::as_str)
}

/// The attributes a configuration may set on the data source, with their values in `state`.
fn settable(state: &ClusterState) -> [(AttributePath, Option<&str>); 7] {
    let at = ClusterState::paths();
    [
        (at.description, text(&state.description)),
        (at.platform, text(&state.platform)),
        (at.public_key, state.public_key.known().map(|k| k.as_str())),
        (at.path_template, text(&state.path_template)),
        (
            at.x509_customization_template,
            text(&state.x509_customization_template),
        ),
        (
            at.jwt_customization_template,
            text(&state.jwt_customization_template),
        ),
        (
            at.provider_attestation_id,
            text(&state.provider_attestation_id),
        ),
    ]
}

#[async_trait]
impl DataSource for ClusterDataSource {
    type State = ClusterState;

    fn schema(&self) -> Schema {
        Schema::of::<ClusterState>(Kind::DataSource).description(
            "Looks up an existing cluster by its trust domain and name, with the configuration \
             of its active version (key, path template, customization templates, attestation), \
             for configurations that use a cluster managed elsewhere. An attribute that the \
             configuration sets must match the cluster's.",
        )
    }

    async fn read(&self, diags: &mut Diagnostics, config: ClusterState) -> Option<ClusterState> {
        let client = self.client.get(diags)?;
        let (Some(td), Some(name)) = (config.trust_domain_id.known(), config.name.known()) else {
            diagnostics::inputs_not_known(diags);
            return None;
        };
        let found = match read_cluster(client, td, name, None, &config).await {
            Ok(found) => found,
            Err(e) => {
                diagnostics::api_error(diags, &e, Some(ClusterState::paths().name));
                return None;
            }
        };
        let Some(state) = found else {
            diags.error_at(
                ClusterState::paths().name,
                "Cluster not found",
                format!(
                    "Trust domain {} has no cluster named {}. Check the name and the trust \
                     domain; create it with the `spirl_cluster` resource if it should exist.",
                    quote(td),
                    quote(name)
                ),
            );
            return None;
        };
        // What the configuration sets must be what the cluster has: a data source cannot change it.
        let key = ClusterState::paths().public_key;
        for ((attr, wanted), (_, actual)) in settable(&config).into_iter().zip(settable(&state)) {
            if let Some(wanted) = wanted
                && actual != Some(wanted)
                && !(attr == key && actual.is_some_and(|a| crate::keys::same_public_key(a, wanted)))
            {
                diags.error_at(
                    attr.clone(),
                    format!("The cluster's {attr} differs"),
                    format!(
                        "Cluster {} has {attr} {}, not {}. Remove {attr} from the data source \
                         to read it, or correct it.",
                        quote(name),
                        quote(actual.unwrap_or("(unset)")),
                        quote(wanted)
                    ),
                );
            }
        }
        if diags.has_errors() {
            return None;
        }
        // A configured key keeps its spelling; the resource-only attributes stay out.
        Some(ClusterState {
            public_key: if config.public_key.known().is_some() {
                config.public_key
            } else {
                state.public_key.clone()
            },
            k8s_psat: Attr::Null,
            num_version_history: Attr::Null,
            ..state
        })
    }
}
