//! `spirl_cicd_profile` (data source): an existing CI/CD profile looked up by `name`.

use tfplugin::{DataSource, Diagnostics, Kind, Model, Schema, async_trait};

use crate::client::ClientHandle;
use crate::diagnostics;
use crate::problem::quote;
use crate::resources::cicd_profile::{CicdProfileState, find_by_name};

/// The `spirl_cicd_profile` data source.
pub struct CicdProfileDataSource {
    client: ClientHandle,
}

impl CicdProfileDataSource {
    /// The data source, calling the API through `client` once the provider is configured.
    pub fn new(client: &ClientHandle) -> Self {
        CicdProfileDataSource {
            client: client.clone(),
        }
    }
}

#[async_trait]
impl DataSource for CicdProfileDataSource {
    type State = CicdProfileState;

    fn schema(&self) -> Schema {
        Schema::of::<CicdProfileState>(Kind::DataSource).description(
            "Looks up an existing CI/CD profile by its name, with its issuer and JWKS URL.",
        )
    }

    async fn read(
        &self,
        diags: &mut Diagnostics,
        config: CicdProfileState,
    ) -> Option<CicdProfileState> {
        let client = self.client.get(diags)?;
        let Some(name) = config.name.known() else {
            diagnostics::inputs_not_known(diags);
            return None;
        };
        match find_by_name(client, name).await {
            Ok(Some(p)) => Some(p.into()),
            Ok(None) => {
                diags.error_at(
                    CicdProfileState::paths().name,
                    "CI/CD profile not found",
                    format!(
                        "No CI/CD profile is named {}. Check the name; create it with the \
                         `spirl_cicd_profile` resource if it should exist.",
                        quote(name)
                    ),
                );
                None
            }
            Err(e) => {
                diagnostics::api_error(diags, &e, Some(CicdProfileState::paths().name));
                None
            }
        }
    }
}
