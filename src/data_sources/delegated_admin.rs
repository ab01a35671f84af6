//! `spirl_delegated_admin` (data source): the assignment that makes a service account or a user
//! a delegated administrator of a realm (`access.API` `ListDelegatedAdmins`), found by the
//! trust domain, the realm's name and the principal.

use serde::{Deserialize, Serialize};
use tfplugin::{Attr, DataSource, Diagnostics, Kind, Model, Schema, async_trait};

use crate::client::ClientHandle;
use crate::diagnostics;
use crate::problem::quote;
use crate::resources::realm_principal::{
    PrincipalInput, check_principal, resolve_principal, resolve_realm,
};

/// Configuration and result of `spirl_delegated_admin`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Model)]
pub struct DelegatedAdminState {
    /// The id (`td-…`) of the trust domain the realm belongs to.
    #[tf(required)]
    pub trust_domain_id: Attr<String>,
    /// The realm's name.
    #[tf(required)]
    pub realm_name: Attr<String>,
    /// The name of the delegated administrator service account (exclusive with `user_email`).
    #[tf(optional)]
    pub service_account_name: Attr<String>,
    /// The email of the delegated administrator user (exclusive with `service_account_name`).
    #[tf(optional)]
    pub user_email: Attr<String>,
    /// The id (`ra-…`) of the realm role assignment that makes the principal an administrator.
    #[tf(computed)]
    pub assignment_id: Attr<String>,
    /// The same as `assignment_id`.
    #[tf(computed)]
    pub id: Attr<String>,
    /// When the assignment was made (RFC 3339, UTC).
    #[tf(computed)]
    pub created_at: Attr<String>,
}

impl DelegatedAdminState {
    fn principal(&self) -> PrincipalInput<'_> {
        let at = Self::paths();
        let at = (at.service_account_name, at.user_email);
        PrincipalInput::new(&self.service_account_name, &self.user_email, at)
    }
}

/// The `spirl_delegated_admin` data source.
pub struct DelegatedAdminDataSource {
    client: ClientHandle,
}

impl DelegatedAdminDataSource {
    /// The data source, calling the API through `client` once the provider is configured.
    pub fn new(client: &ClientHandle) -> Self {
        DelegatedAdminDataSource {
            client: client.clone(),
        }
    }
}

#[async_trait]
impl DataSource for DelegatedAdminDataSource {
    type State = DelegatedAdminState;

    fn schema(&self) -> Schema {
        Schema::of::<DelegatedAdminState>(Kind::DataSource).description(
            "Finds the assignment that makes a service account or a user a delegated \
             administrator of a realm. Exactly one of `service_account_name` and `user_email` \
             is set (checked at plan time); an error names the principal when it is not an \
             administrator of the realm. The official provider's `idp_group` is not offered: \
             the published API has no field for an IdP group.",
        )
    }

    async fn validate(&self, diags: &mut Diagnostics, config: DelegatedAdminState) -> Option<()> {
        check_principal(diags, &config.principal());
        (!diags.has_errors()).then_some(())
    }

    async fn read(
        &self,
        diags: &mut Diagnostics,
        config: DelegatedAdminState,
    ) -> Option<DelegatedAdminState> {
        self.validate(diags, config.clone()).await?;
        let client = self.client.get(diags)?;
        let (Some(td), Some(realm_name)) =
            (config.trust_domain_id.known(), config.realm_name.known())
        else {
            diagnostics::inputs_not_known(diags);
            return None;
        };
        let at = DelegatedAdminState::paths();
        let realm_at = (at.realm_name, at.trust_domain_id);
        let realm = resolve_realm(diags, client, td, realm_name, realm_at).await?;
        let principal = resolve_principal(diags, client, &config.principal()).await?;
        let admins = match client.delegated_admins(&realm).await {
            Ok(admins) => admins,
            Err(e) => {
                diagnostics::api_error(diags, &e, Some(DelegatedAdminState::paths().realm_name));
                return None;
            }
        };
        match admins.into_iter().find(|(_, p, _)| p == &principal) {
            Some((id, _, created_at)) => Some(DelegatedAdminState {
                assignment_id: Attr::Value(id.clone()),
                id: Attr::Value(id),
                created_at: Attr::Value(created_at),
                ..config
            }),
            None => {
                let who = config
                    .service_account_name
                    .known()
                    .or(config.user_email.known())
                    .map_or(String::new(), |n| quote(n));
                diags.error(
                    "Not a delegated administrator",
                    format!(
                        "{who} is not a delegated administrator of realm {} in trust domain \
                         {td}. Assign the role with `spirl_realm_role_assignment` (role \
                         `Administrator`), or check the names.",
                        quote(realm_name)
                    ),
                );
                None
            }
        }
    }
}
