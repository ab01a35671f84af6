//! Handlers of data sources: validate and read.

use magma_protocol::tfplugin6 as pb;

use super::{ProviderService, decode, encode, validate_with};
use crate::diag::Diagnostics;

impl ProviderService {
    pub(super) async fn validate_data_resource_config(
        &self,
        req: pb::validate_data_resource_config::Request,
    ) -> pb::validate_data_resource_config::Response {
        let mut diags = Diagnostics::new();
        let r = self
            .guard("ValidateDataResourceConfig", async {
                let ds = self.data_source(&req.type_name, &mut diags)?;
                let config = decode(
                    req.config.as_ref(),
                    ds.value_type(),
                    "configuration",
                    &mut diags,
                )?;
                validate_with(&ds.schema().block, &config, &mut diags).await;
                ds.validate(&mut diags, &config).await;
                Some(())
            })
            .await;
        if let Err(d) = r {
            diags.extend(d);
        }
        pb::validate_data_resource_config::Response {
            diagnostics: diags.to_proto(),
        }
    }

    pub(super) async fn read_data_source(
        &self,
        req: pb::read_data_source::Request,
    ) -> pb::read_data_source::Response {
        let mut diags = Diagnostics::new();
        let r = self
            .guard("ReadDataSource", async {
                let ds = self.data_source(&req.type_name, &mut diags)?;
                let config = decode(
                    req.config.as_ref(),
                    ds.value_type(),
                    "configuration",
                    &mut diags,
                )?;
                let v = ds.read(&mut diags, &config).await?;
                encode(&v, ds.value_type(), &mut diags)
            })
            .await;
        let state = r.unwrap_or_else(|d| {
            diags.extend(d);
            None
        });
        pb::read_data_source::Response {
            state,
            diagnostics: diags.to_proto(),
            deferred: None,
        }
    }
}
