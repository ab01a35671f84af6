//! `spirl_trust_domain` (data source): an existing trust domain looked up by `domain_name`, with
//! every attribute of the resource of the same name, read-only. Resolved with `ListTrustDomains`
//! and dynamic data, as the official provider does since v0.12.1; an answer without the JWT
//! issuer status is read again with `TrustDomainInfo` (see `client::assumptions`).

use tfplugin::{DataSource, Diagnostics, Kind, Model, Schema, async_trait};

use crate::client::ClientHandle;
use crate::diagnostics;
use crate::problem::quote;
use crate::resources::trust_domain::TrustDomainState;

/// The `spirl_trust_domain` data source.
pub struct TrustDomainDataSource {
    client: ClientHandle,
}

impl TrustDomainDataSource {
    /// The data source, calling the API through `client` once the provider is configured.
    pub fn new(client: &ClientHandle) -> Self {
        TrustDomainDataSource {
            client: client.clone(),
        }
    }
}

#[async_trait]
impl DataSource for TrustDomainDataSource {
    type State = TrustDomainState;

    fn schema(&self) -> Schema {
        Schema::of::<TrustDomainState>(Kind::DataSource).description(
            "Looks up an existing trust domain by its `domain_name`, for configurations that use \
             a trust domain managed elsewhere (another workspace, the Defakto console). \
             Resolution uses `ListTrustDomains` with dynamic data.",
        )
    }

    async fn read(
        &self,
        diags: &mut Diagnostics,
        config: TrustDomainState,
    ) -> Option<TrustDomainState> {
        let client = self.client.get(diags)?;
        let Some(name) = config.domain_name.known() else {
            diags.error_at(
                TrustDomainState::paths().domain_name,
                "domain_name not known",
                "Terraform read the data source before domain_name was known. This is a bug in \
                 Terraform or the provider; please report it.",
            );
            return None;
        };
        let found = match client.list_trust_domains(Some(name)).await {
            Ok(all) => all.into_iter().find(|td| &td.name == name),
            Err(e) => {
                diagnostics::api_error(diags, &e, Some(TrustDomainState::paths().domain_name));
                return None;
            }
        };
        match found {
            Some(td) => Some(td.into()),
            None => {
                diags.error_at(
                    TrustDomainState::paths().domain_name,
                    "Trust domain not found",
                    format!(
                        "No trust domain named {} exists on the control plane. Check the name \
                         (trust domain names are exact and lowercase) and that the provider \
                         points at the right control plane; create it with the \
                         `spirl_trust_domain` resource if it should exist.",
                        quote(name)
                    ),
                );
                None
            }
        }
    }
}
