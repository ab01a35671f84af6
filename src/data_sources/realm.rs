//! `spirl_realm` (data source): an existing realm looked up by `trust_domain_id` and `name`.

use tfplugin::{DataSource, Diagnostics, Kind, Model, Schema, async_trait};

use crate::client::ClientHandle;
use crate::diagnostics;
use crate::problem::quote;
use crate::resources::realm::RealmState;

/// The `spirl_realm` data source.
pub struct RealmDataSource {
    client: ClientHandle,
}

impl RealmDataSource {
    /// The data source, calling the API through `client` once the provider is configured.
    pub fn new(client: &ClientHandle) -> Self {
        RealmDataSource {
            client: client.clone(),
        }
    }
}

#[async_trait]
impl DataSource for RealmDataSource {
    type State = RealmState;

    fn schema(&self) -> Schema {
        Schema::of::<RealmState>(Kind::DataSource).description(
            "Looks up an existing realm by its trust domain and name, for configurations that \
             use a realm managed elsewhere.",
        )
    }

    async fn read(&self, diags: &mut Diagnostics, config: RealmState) -> Option<RealmState> {
        let client = self.client.get(diags)?;
        let (Some(td), Some(name)) = (config.trust_domain_id.known(), config.name.known()) else {
            diagnostics::inputs_not_known(diags);
            return None;
        };
        let found = match client.list_realms(Some(td), Some(name)).await {
            Ok(all) => all.into_iter().find(|r| &r.name == name),
            Err(e) => {
                diagnostics::api_error(diags, &e, Some(RealmState::paths().name));
                return None;
            }
        };
        match found {
            Some(realm) => Some(realm.into()),
            None => {
                diags.error_at(
                    RealmState::paths().name,
                    "Realm not found",
                    format!(
                        "Trust domain {} has no realm named {}. Check the name (realm names are \
                         exact) and the trust domain; create it with the `spirl_realm` resource \
                         if it should exist.",
                        quote(td),
                        quote(name)
                    ),
                );
                None
            }
        }
    }
}
