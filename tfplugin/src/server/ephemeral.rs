//! Handlers of ephemeral resources: validate, open, renew and close.

use magma_protocol::tfplugin6 as pb;

use super::{ProviderService, decode, encode, validate_with};
use crate::diag::Diagnostics;

impl ProviderService {
    pub(super) async fn validate_ephemeral_resource_config(
        &self,
        req: pb::validate_ephemeral_resource_config::Request,
    ) -> pb::validate_ephemeral_resource_config::Response {
        let mut diags = Diagnostics::new();
        let r = self
            .guard("ValidateEphemeralResourceConfig", async {
                let e = self.ephemeral(&req.type_name, &mut diags)?;
                let config = decode(
                    req.config.as_ref(),
                    e.value_type(),
                    "configuration",
                    &mut diags,
                )?;
                validate_with(&e.schema().block, &config, &mut diags).await;
                e.validate(&mut diags, &config).await;
                Some(())
            })
            .await;
        if let Err(d) = r {
            diags.extend(d);
        }
        pb::validate_ephemeral_resource_config::Response {
            diagnostics: diags.to_proto(),
        }
    }

    pub(super) async fn open_ephemeral_resource(
        &self,
        req: pb::open_ephemeral_resource::Request,
    ) -> pb::open_ephemeral_resource::Response {
        let mut diags = Diagnostics::new();
        let r = self
            .guard("OpenEphemeralResource", async {
                let e = self.ephemeral(&req.type_name, &mut diags)?;
                let config = decode(
                    req.config.as_ref(),
                    e.value_type(),
                    "configuration",
                    &mut diags,
                )?;
                let o = e.open(&mut diags, &config).await?;
                let result = encode(&o.result, e.value_type(), &mut diags)?;
                Some(pb::open_ephemeral_resource::Response {
                    result: Some(result),
                    private: o.private,
                    renew_at: o.renew_at.map(Into::into),
                    ..Default::default()
                })
            })
            .await;
        let mut resp = match r {
            Ok(Some(resp)) => resp,
            Ok(None) => Default::default(),
            Err(d) => {
                diags.extend(d);
                Default::default()
            }
        };
        resp.diagnostics = diags.to_proto();
        resp
    }

    pub(super) async fn renew_ephemeral_resource(
        &self,
        req: pb::renew_ephemeral_resource::Request,
    ) -> pb::renew_ephemeral_resource::Response {
        let mut diags = Diagnostics::new();
        let r = self
            .guard("RenewEphemeralResource", async {
                let e = self.ephemeral(&req.type_name, &mut diags)?;
                e.renew(&mut diags, req.private.as_deref()).await
            })
            .await;
        let (private, renew_at) = match r {
            Ok(Some((p, at))) => (p, at.map(Into::into)),
            Ok(None) => (None, None),
            Err(d) => {
                diags.extend(d);
                (None, None)
            }
        };
        pb::renew_ephemeral_resource::Response {
            diagnostics: diags.to_proto(),
            renew_at,
            private,
        }
    }

    pub(super) async fn close_ephemeral_resource(
        &self,
        req: pb::close_ephemeral_resource::Request,
    ) -> pb::close_ephemeral_resource::Response {
        let mut diags = Diagnostics::new();
        let r = self
            .guard("CloseEphemeralResource", async {
                let e = self.ephemeral(&req.type_name, &mut diags)?;
                e.close(&mut diags, req.private.as_deref()).await
            })
            .await;
        if let Err(d) = r {
            diags.extend(d);
        }
        pb::close_ephemeral_resource::Response {
            diagnostics: diags.to_proto(),
        }
    }
}
