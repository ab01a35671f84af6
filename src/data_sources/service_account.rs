//! `spirl_service_account` (data source): a service account looked up by its `name`, for its
//! id (`sa-…`) and details.

use serde::{Deserialize, Serialize};
use tfplugin::{Attr, AttributePath, DataSource, Diagnostics, Kind, Model, Schema, async_trait};

use crate::client::ClientHandle;
use crate::diagnostics;
use crate::problem::quote;

/// Configuration and result of `spirl_service_account`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Model)]
pub struct ServiceAccountState {
    /// The service account's name (exact).
    #[tf(required, check = check_name)]
    pub name: Attr<String>,
    /// The service account's id (`sa-…`).
    #[tf(computed)]
    pub id: Attr<String>,
    /// The service account's description.
    #[tf(computed)]
    pub description: Attr<String>,
    /// The id of the organisation-level role the service account has.
    #[tf(computed)]
    pub role_id: Attr<String>,
    /// When the service account was created (RFC 3339, UTC).
    #[tf(computed)]
    pub created_at: Attr<String>,
}

/// Why `name` cannot name a service account, or `None`: only an empty one is refused (an empty
/// filter would list every account); the lookup is exact, so a name that is no account's is
/// reported as not found.
pub fn service_account_name_problem(attr: &str, name: &str) -> Option<String> {
    name.is_empty()
        .then(|| format!("{attr} is empty. Set it to the service account's name."))
}

fn check_name(name: &str, at: &AttributePath, diags: &mut Diagnostics) {
    if let Some(problem) = service_account_name_problem(&at.to_string(), name) {
        diags.error_at(at.clone(), "Invalid name", problem);
    }
}

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
        match client.list_service_accounts(Some(name)).await {
            Ok(found) => match found.into_iter().next() {
                Some(a) => Some(ServiceAccountState {
                    name: Attr::Value(a.name),
                    id: Attr::Value(a.id),
                    description: Attr::Value(a.description),
                    role_id: Attr::Value(a.role_id),
                    created_at: Attr::Value(a.created_at),
                }),
                None => {
                    diags.error_at(
                        ServiceAccountState::paths().name,
                        "Service account not found",
                        format!(
                            "No service account named {} exists in the organisation. Check the \
                             name (it is exact, case included) in the Defakto console, and that \
                             the provider points at the right control plane.",
                            quote(name)
                        ),
                    );
                    None
                }
            },
            Err(e) => {
                diagnostics::api_error(diags, &e, Some(ServiceAccountState::paths().name));
                None
            }
        }
    }
}
