//! `spirl_provider_attestation_config`: a named provider attestation configuration, by which
//! agents prove where they run through their cloud provider (today an AWS role that the control
//! plane assumes to query EC2). `providerattestation.API` has no update: every change replaces
//! it. Clusters name it by id (`spirl_cluster.provider_attestation_id`); one that a cluster still
//! uses cannot be deleted.

use serde::{Deserialize, Serialize};
use tfplugin::{Attr, Diagnostics, Kind, Model, Read, Resource, Schema, async_trait};

use super::ids::not_empty;
use crate::client::{ApiError, Client, ClientHandle, ProviderAttestation, ReadBack};
use crate::diagnostics;
use crate::problem::quote;

/// Configuration and state of `spirl_provider_attestation_config`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Model)]
pub struct ProviderAttestationState {
    /// The configuration's id.
    #[tf(computed, keep)]
    pub id: Attr<String>,
    /// The configuration's name, unique in the organisation. Changing it replaces the
    /// configuration.
    #[tf(required, replace, check = not_empty("Invalid name",
        "name is empty. Set it to the configuration's name, such as \"my-attestation\"."))]
    pub name: Attr<String>,
    /// AWS settings: the provider whose instances agents attest with. Optional, as in the
    /// official schema.
    #[tf(block)]
    pub aws: Attr<AwsBlock>,
}

/// The `aws` block.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Model)]
pub struct AwsBlock {
    /// The ARN of the AWS IAM role the control plane assumes to look up the EC2 instances agents
    /// run on (such as `arn:aws:iam::123456789012:role/my-role`). Provision the role
    /// separately, with permission to describe EC2 instances. Changing it replaces the
    /// configuration.
    // The SDK says only "the ARN of the AWS role to assume": the control plane judges the value
    // and its refusal is reported here (`create`).
    #[tf(optional, replace)]
    pub role_arn: Attr<String>,
}

impl From<ProviderAttestation> for ProviderAttestationState {
    fn from(p: ProviderAttestation) -> Self {
        ProviderAttestationState {
            id: Attr::Value(p.id),
            name: Attr::Value(p.name),
            aws: if p.aws_role_arn.is_empty() {
                Attr::Null
            } else {
                Attr::Value(AwsBlock {
                    role_arn: Attr::Value(p.aws_role_arn),
                })
            },
        }
    }
}

/// The `spirl_provider_attestation_config` resource.
pub struct ProviderAttestationConfig {
    client: ClientHandle,
}

impl ProviderAttestationConfig {
    /// The resource, calling the API through `client` once the provider is configured.
    pub fn new(client: &ClientHandle) -> Self {
        ProviderAttestationConfig {
            client: client.clone(),
        }
    }
}

/// The configuration named `name`, if it exists.
async fn find(client: &Client, name: &str) -> Result<Option<ProviderAttestation>, ApiError> {
    let found = client.list_provider_attestations(Some(name)).await?;
    Ok(found.into_iter().find(|p| p.name == name))
}

#[async_trait]
impl Resource for ProviderAttestationConfig {
    type State = ProviderAttestationState;

    fn schema(&self) -> Schema {
        Schema::of::<ProviderAttestationState>(Kind::Resource).description(
            "A provider attestation configuration: agents prove where they run through \
             their cloud provider. Clusters use it by id \
             (`spirl_cluster.provider_attestation_id`). The control plane cannot edit one, \
             so every change replaces it, and it refuses to delete one a cluster uses. \
             Import with `terraform import spirl_provider_attestation_config.<name> <name>`.",
        )
    }

    async fn read(
        &self,
        diags: &mut Diagnostics,
        state: ProviderAttestationState,
    ) -> Option<Read<ProviderAttestationState>> {
        let client = self.client.get(diags)?;
        let name = state.name.known()?;
        let id = state.id.known()?;
        // Found by name; one of the same name with another id is a replacement made elsewhere.
        let found = find(client, name).await.map(|p| p.filter(|p| &p.id == id));
        super::refreshed(diags, "provider attestation config", id, found)
    }

    async fn create(
        &self,
        diags: &mut Diagnostics,
        planned: ProviderAttestationState,
        _config: ProviderAttestationState,
    ) -> Option<ProviderAttestationState> {
        let client = self.client.get(diags)?;
        let name = planned.name.known()?.clone();
        // `aws` and its `role_arn` are optional in the official schema: what is unset is not sent.
        let role = planned
            .aws
            .known()
            .and_then(|a| a.role_arn.known())
            .cloned();
        let id = match client
            .create_provider_attestation(&name, role.as_deref())
            .await
        {
            Ok(id) => id,
            Err(e @ ApiError::AlreadyExists(_)) => {
                diagnostics::name_taken(
                    diags,
                    &e,
                    "provider attestation configuration",
                    &name,
                    Some(&name),
                    ProviderAttestationState::paths().name,
                    "terraform import spirl_provider_attestation_config.<name> <id>",
                );
                return None;
            }
            Err(e) => {
                let at = ProviderAttestationState::paths();
                let fields = [
                    ("name", at.name),
                    ("role_arn", at.aws.role_arn),
                    ("aws", at.aws.root),
                ];
                diagnostics::api_error_at_field(diags, &e, &fields, None);
                return None;
            }
        };
        log::info!(id = id.as_str(), name = name.as_str(); "created provider attestation config");
        // Nothing half-created: a configuration Terraform cannot record is removed.
        let read = async { Ok(find(client, &name).await?.filter(|p| p.id == id)) };
        let read_back = client
            .read_back_or_remove(
                ReadBack::provider_attestation(&id),
                read,
                client.delete_provider_attestation(&id),
            )
            .await;
        diagnostics::read_back(diags, read_back, &[]).map(Into::into)
    }

    async fn delete(&self, diags: &mut Diagnostics, prior: ProviderAttestationState) -> Option<()> {
        let client = self.client.get(diags)?;
        let id = prior.id.known()?;
        match client.delete_provider_attestation(id).await {
            Ok(()) => Some(()),
            Err(e @ ApiError::FailedPrecondition(_)) => {
                diagnostics::still_in_use(
                    diags,
                    &e,
                    "provider attestation configuration",
                    prior.name.known().map_or("", String::as_str),
                    id,
                    &[],
                    "Clusters still use it: change their `provider_attestation_id` (or destroy \
                     them) first. To replace a configuration that clusters use, give it \
                     `lifecycle { create_before_destroy = true }`, so the clusters move to the \
                     new one before the old one is deleted.",
                );
                None
            }
            Err(e) => {
                diagnostics::api_error(diags, &e, None);
                None
            }
        }
    }

    async fn import(
        &self,
        diags: &mut Diagnostics,
        id: String,
    ) -> Option<ProviderAttestationState> {
        let client = self.client.get(diags)?;
        let name = id.trim();
        let found = find(client, name).await;
        super::imported(diags, "provider attestation config", found, || {
            format!(
                "No provider attestation configuration is named {}. `terraform import` takes \
                 the configuration's name; check it in the Defakto console.",
                quote(name)
            )
        })
    }
}
