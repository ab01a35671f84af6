//! `spirl_delegated_admin` (data source): the assignment that makes a service account or a user
//! a delegated administrator of a realm (`access.API` `ListDelegatedAdmins`), found by the
//! trust domain, the realm's name and the principal.

use serde::{Deserialize, Serialize};
use tfplugin::{
    Attr, Attribute, AttributePath, Diagnostics, LegacyDataSource, Schema, async_trait,
};

use crate::client::ClientHandle;
use crate::diagnostics;
use crate::problem::quote;
use crate::resources::realm_principal::{
    PrincipalInput, check_principal, resolve_principal, resolve_realm,
};

/// Configuration and result of `spirl_delegated_admin`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DelegatedAdminState {
    /// `td-…`.
    pub trust_domain_id: Attr<String>,
    /// The realm, by name.
    pub realm_name: Attr<String>,
    /// The service account, by name (or `user_email`).
    pub service_account_name: Attr<String>,
    /// The user, by email (or `service_account_name`).
    pub user_email: Attr<String>,
    /// The assignment's id, `ra-…`.
    pub assignment_id: Attr<String>,
    /// Same as `assignment_id`.
    pub id: Attr<String>,
    /// RFC 3339.
    pub created_at: Attr<String>,
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
impl LegacyDataSource for DelegatedAdminDataSource {
    type State = DelegatedAdminState;

    fn schema(&self) -> Schema {
        let computed = |name: &str, description: &str| {
            Attribute::string(name).computed().description(description)
        };
        Schema::new()
            .description(
                "Finds the assignment that makes a service account or a user a delegated \
                 administrator of a realm. Exactly one of `service_account_name` and \
                 `user_email` is set (checked at plan time); an error names the principal when \
                 it is not an administrator of the realm. The official provider's `idp_group` \
                 is not offered: the published API has no field for an IdP group.",
            )
            .attribute(
                Attribute::string("trust_domain_id")
                    .required()
                    .description("The id (`td-…`) of the trust domain the realm belongs to."),
            )
            .attribute(
                Attribute::string("realm_name")
                    .required()
                    .description("The realm's name."),
            )
            .attribute(
                Attribute::string("service_account_name")
                    .optional()
                    .description(
                        "The name of the delegated administrator service account (exclusive \
                         with `user_email`).",
                    ),
            )
            .attribute(Attribute::string("user_email").optional().description(
                "The email of the delegated administrator user (exclusive with \
                         `service_account_name`).",
            ))
            .attribute(computed(
                "assignment_id",
                "The id (`ra-…`) of the realm role assignment that makes the principal an \
                 administrator.",
            ))
            .attribute(computed("id", "The same as `assignment_id`."))
            .attribute(computed(
                "created_at",
                "When the assignment was made (RFC 3339, UTC).",
            ))
    }

    async fn validate(&self, diags: &mut Diagnostics, config: DelegatedAdminState) -> Option<()> {
        check_principal(
            diags,
            &PrincipalInput {
                service_account_name: &config.service_account_name,
                user_email: &config.user_email,
                at: (
                    AttributePath::root("service_account_name"),
                    AttributePath::root("user_email"),
                ),
            },
        );
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
        let input = PrincipalInput {
            service_account_name: &config.service_account_name,
            user_email: &config.user_email,
            at: (
                AttributePath::root("service_account_name"),
                AttributePath::root("user_email"),
            ),
        };
        let realm_at = (
            AttributePath::root("realm_name"),
            AttributePath::root("trust_domain_id"),
        );
        let realm = resolve_realm(diags, client, td, realm_name, realm_at).await?;
        let principal = resolve_principal(diags, client, &input).await?;
        let admins = match client.delegated_admins(&realm).await {
            Ok(admins) => admins,
            Err(e) => {
                diagnostics::api_error(diags, &e, Some(AttributePath::root("realm_name")));
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
