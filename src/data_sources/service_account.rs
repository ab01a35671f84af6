//! `spirl_service_account` (data source): a service account looked up by its `name`, for its
//! id (`sa-…`) and details. It shares the resource's state struct
//! (`crate::resources::service_account`).

use tfplugin::{Attr, DataSource, Diagnostics, Kind, Model as _, Schema, async_trait};

use crate::client::ClientHandle;
use crate::diagnostics;
use crate::problem::quote;
pub use crate::resources::service_account::ServiceAccountState;
use crate::resources::service_account::role_name_of;

/// The `spirl_service_account` data source.
pub struct ServiceAccountDataSource {
    client: ClientHandle,
}

impl ServiceAccountDataSource {
    /// The data source, calling the API through `client` once the provider is configured.
    pub fn new(client: &ClientHandle) -> Self {
        ServiceAccountDataSource {
            client: client.clone(),
        }
    }
}

#[async_trait]
impl DataSource for ServiceAccountDataSource {
    type State = ServiceAccountState;

    fn schema(&self) -> Schema {
        Schema::of::<ServiceAccountState>(Kind::DataSource).description(
            "Looks up a service account of the organisation by its name, for its id (`sa-…`) \
             and details.",
        )
    }

    async fn read(
        &self,
        diags: &mut Diagnostics,
        config: ServiceAccountState,
    ) -> Option<ServiceAccountState> {
        let client = self.client.get(diags)?;
        let Some(name) = config.name.known() else {
            diagnostics::inputs_not_known(diags);
            return None;
        };
        let found = match client.list_service_accounts(Some(name)).await {
            Ok(found) => found.into_iter().next(),
            Err(e) => {
                diagnostics::api_error(diags, &e, Some(ServiceAccountState::paths().name));
                return None;
            }
        };
        let Some(account) = found else {
            diags.error_at(
                ServiceAccountState::paths().name,
                "Service account not found",
                format!(
                    "No service account named {} exists in the organisation. Check the name (it \
                     is exact, case included) in the Defakto console, and that the provider \
                     points at the right control plane.",
                    quote(name)
                ),
            );
            return None;
        };
        // The role's name is a convenience: a caller who may not list roles still gets the rest,
        // with the role's id in its place.
        let role_name = match client.list_org_roles().await {
            Ok(roles) => role_name_of(&roles, &account.role_id, None),
            Err(e) => {
                log::debug!("cannot list organisation roles ({e}); role_name is the role's id");
                account.role_id.clone()
            }
        };
        Some(ServiceAccountState::of(account, role_name, Attr::Null))
    }
}
