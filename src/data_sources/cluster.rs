//! `spirl_cluster` (data source): an existing cluster looked up by `trust_domain_id` and `name`,
//! with its current version's configuration.

use tfplugin::{Attr, AttributePath, Diagnostics, LegacyDataSource, Schema, async_trait};

use crate::client::ClientHandle;
use crate::diagnostics;
use crate::problem::quote;
use crate::resources::cluster::{ClusterState, attributes, read_cluster, validate_config};

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

/// The attributes a configuration may set on the data source, and their values in `state`.
fn settable(state: &ClusterState) -> [(&'static str, &Attr<String>); 7] {
    [
        ("description", &state.description),
        ("platform", &state.platform),
        ("public_key", &state.public_key),
        ("path_template", &state.path_template),
        (
            "x509_customization_template",
            &state.x509_customization_template,
        ),
        (
            "jwt_customization_template",
            &state.jwt_customization_template,
        ),
        ("provider_attestation_id", &state.provider_attestation_id),
    ]
}

#[async_trait]
impl LegacyDataSource for ClusterDataSource {
    type State = ClusterState;

    fn schema(&self) -> Schema {
        let schema = Schema::new().description(
            "Looks up an existing cluster by its trust domain and name, with the configuration \
             of its active version (key, path template, customization templates, attestation), \
             for configurations that use a cluster managed elsewhere. An attribute that the \
             configuration sets must match the cluster's.",
        );
        attributes(true).into_iter().fold(schema, Schema::attribute)
    }

    async fn validate(&self, diags: &mut Diagnostics, config: ClusterState) -> Option<()> {
        validate_config(diags, &config, true)
    }

    async fn read(&self, diags: &mut Diagnostics, config: ClusterState) -> Option<ClusterState> {
        validate_config(diags, &config, true)?;
        let client = self.client.get(diags)?;
        let (Some(td), Some(name)) = (config.trust_domain_id.known(), config.name.known()) else {
            diagnostics::inputs_not_known(diags);
            return None;
        };
        let found = match read_cluster(client, td, name, None, &config).await {
            Ok(found) => found,
            Err(e) => {
                diagnostics::api_error(diags, &e, Some(AttributePath::root("name")));
                return None;
            }
        };
        let Some(state) = found else {
            diags.error_at(
                AttributePath::root("name"),
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
        for ((attr, wanted), (_, actual)) in settable(&config).into_iter().zip(settable(&state)) {
            if let Some(wanted) = wanted.known()
                && actual.known() != Some(wanted)
                && !(attr == "public_key"
                    && actual
                        .known()
                        .is_some_and(|a| crate::keys::same_public_key(a, wanted)))
            {
                diags.error_at(
                    AttributePath::root(attr),
                    format!("The cluster's {attr} differs"),
                    format!(
                        "Cluster {} has {attr} {}, not {}. Remove {attr} from the data source \
                         to read it, or correct it.",
                        quote(name),
                        quote(actual.known().map_or("(unset)", String::as_str)),
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
