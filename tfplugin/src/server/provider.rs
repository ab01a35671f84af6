//! Handlers of the provider itself: metadata, schemas, validation and configuration of the
//! provider block, and StopProvider.

use magma_protocol::tfplugin6 as pb;

use super::function::function_proto;
use super::{ProviderService, decode, validate_with};
use crate::diag::Diagnostics;
use crate::log;
use crate::schema::Schema;

impl ProviderService {
    pub(super) async fn get_metadata(
        &self,
        _: pb::get_metadata::Request,
    ) -> pb::get_metadata::Response {
        use pb::get_metadata as m;
        let i = &self.inner;
        m::Response {
            server_capabilities: Some(capabilities()),
            diagnostics: Vec::new(),
            data_sources: i
                .data_sources
                .keys()
                .map(|n| m::DataSourceMetadata {
                    type_name: n.clone(),
                })
                .collect(),
            resources: i
                .resources
                .keys()
                .map(|n| m::ResourceMetadata {
                    type_name: n.clone(),
                })
                .collect(),
            functions: i
                .functions
                .keys()
                .map(|n| m::FunctionMetadata { name: n.clone() })
                .collect(),
            ephemeral_resources: i
                .ephemerals
                .keys()
                .map(|n| m::EphemeralMetadata {
                    type_name: n.clone(),
                })
                .collect(),
            ..Default::default()
        }
    }

    pub(super) async fn get_provider_schema(
        &self,
        _: pb::get_provider_schema::Request,
    ) -> pb::get_provider_schema::Response {
        let i = &self.inner;
        let resp = i
            .schema_response
            .get_or_init(|| pb::get_provider_schema::Response {
                provider: Some(i.schema.to_proto()),
                resource_schemas: i
                    .resources
                    .iter()
                    .map(|(n, r)| (n.clone(), r.schema().to_proto()))
                    .collect(),
                data_source_schemas: i
                    .data_sources
                    .iter()
                    .map(|(n, r)| (n.clone(), r.schema().to_proto()))
                    .collect(),
                ephemeral_resource_schemas: i
                    .ephemerals
                    .iter()
                    .map(|(n, r)| (n.clone(), r.schema().to_proto()))
                    .collect(),
                functions: i
                    .functions
                    .iter()
                    .map(|(n, f)| (n.clone(), function_proto(&**f)))
                    .collect(),
                server_capabilities: Some(capabilities()),
                provider_meta: Some(Schema::new().to_proto()),
                ..Default::default()
            });
        resp.clone()
    }

    pub(super) async fn validate_provider_config(
        &self,
        req: pb::validate_provider_config::Request,
    ) -> pb::validate_provider_config::Response {
        let mut diags = Diagnostics::new();
        let r = self
            .guard("ValidateProviderConfig", async {
                let config = decode(
                    req.config.as_ref(),
                    &self.inner.ty,
                    "provider configuration",
                    &mut diags,
                )?;
                validate_with(&self.inner.schema.block, &config, &mut diags).await;
                self.inner.provider.validate(&mut diags, &config).await;
                Some(())
            })
            .await;
        if let Err(d) = r {
            diags.extend(d);
        }
        pb::validate_provider_config::Response {
            diagnostics: diags.to_proto(),
        }
    }

    pub(super) async fn configure_provider(
        &self,
        req: pb::configure_provider::Request,
    ) -> pb::configure_provider::Response {
        let mut diags = Diagnostics::new();
        let r = self
            .guard("ConfigureProvider", async {
                let config = decode(
                    req.config.as_ref(),
                    &self.inner.ty,
                    "provider configuration",
                    &mut diags,
                )?;
                self.inner
                    .provider
                    .configure(&mut diags, &req.terraform_version, &config)
                    .await
            })
            .await;
        if let Err(d) = r {
            diags.extend(d);
        }
        pb::configure_provider::Response {
            diagnostics: diags.to_proto(),
        }
    }

    pub(super) async fn stop_provider(
        &self,
        _: pb::stop_provider::Request,
    ) -> pb::stop_provider::Response {
        log::info(
            "StopProvider: cancelling work in flight and shutting down",
            &[],
        );
        self.inner.stop.stop();
        pb::stop_provider::Response {
            error: String::new(),
        }
    }
}

/// What Terraform may skip. Each provider process Terraform starts answers every RPC without a
/// `GetProviderSchema` first, so Terraform 1.6+ fetches and decodes the schema once per command
/// instead of once per process. Destroys are not planned by the provider: no resource here has
/// anything to say about one, and asking would cost Terraform a round trip per resource.
fn capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        plan_destroy: false,
        get_provider_schema_optional: true,
        move_resource_state: false,
        generate_resource_config: false,
    }
}
