//! Handlers of managed resources: validate, upgrade, read, plan, apply, import and move, and the
//! resource features this provider does not offer (identity, generated configuration).

use magma_protocol::tfplugin6 as pb;

use super::{ProviderService, decode, encode, unsupported, validate_with};
use crate::diag::{AttributePath, Diagnostics};
use crate::plan::{self, Plan};
use crate::schema::{self, Block};
use crate::value::Value;

impl ProviderService {
    pub(super) async fn validate_resource_config(
        &self,
        req: pb::validate_resource_config::Request,
    ) -> pb::validate_resource_config::Response {
        let mut diags = Diagnostics::new();
        let r = self
            .guard("ValidateResourceConfig", async {
                let res = self.resource(&req.type_name, &mut diags)?;
                let config = decode(
                    req.config.as_ref(),
                    res.value_type(),
                    "configuration",
                    &mut diags,
                )?;
                let block = &res.schema().block;
                refuse_write_only(block, &config, req.client_capabilities.as_ref(), &mut diags);
                validate_with(block, &config, &mut diags).await;
                res.validate(&mut diags, &config).await;
                Some(())
            })
            .await;
        if let Err(d) = r {
            diags.extend(d);
        }
        pb::validate_resource_config::Response {
            diagnostics: diags.to_proto(),
        }
    }

    pub(super) async fn upgrade_resource_state(
        &self,
        req: pb::upgrade_resource_state::Request,
    ) -> pb::upgrade_resource_state::Response {
        let mut diags = Diagnostics::new();
        let r = self
            .guard("UpgradeResourceState", async {
                let res = self.resource(&req.type_name, &mut diags)?;
                let raw = req.raw_state.unwrap_or_default();
                if raw.json.is_empty() && !raw.flatmap.is_empty() {
                    diags.error(
                        "Unsupported legacy state",
                        "This resource's state is in the flatmap format of Terraform 0.11 and earlier, which this \
                         provider cannot read. Upgrade the state with Terraform 0.12 first, or remove and re-import \
                         the resource.",
                    );
                    return None;
                }
                if raw.json.is_empty() {
                    return encode(&Value::Null, res.value_type(), &mut diags);
                }
                let mut v = res.upgrade_state(&mut diags, req.version, &raw.json).await?;
                schema::null_write_only(&res.schema().block, &mut v);
                encode(&v, res.value_type(), &mut diags)
            })
            .await;
        let upgraded_state = match r {
            Ok(v) => v,
            Err(d) => {
                diags.extend(d);
                None
            }
        };
        pb::upgrade_resource_state::Response {
            upgraded_state,
            diagnostics: diags.to_proto(),
        }
    }

    pub(super) async fn read_resource(
        &self,
        req: pb::read_resource::Request,
    ) -> pb::read_resource::Response {
        let mut diags = Diagnostics::new();
        let r = self
            .guard("ReadResource", async {
                let res = self.resource(&req.type_name, &mut diags)?;
                let ty = res.value_type();
                let state = decode(req.current_state.as_ref(), ty, "state", &mut diags)?;
                if state.is_null() {
                    return encode(&state, ty, &mut diags);
                }
                let new = match res.read(&mut diags, &state).await {
                    Some(mut v) => {
                        schema::null_write_only(&res.schema().block, &mut v);
                        v
                    }
                    // Gone, unless it failed: then keep the state as it was.
                    None if !diags.has_errors() => Value::Null,
                    None => state,
                };
                encode(&new, ty, &mut diags)
            })
            .await;
        // Whatever went wrong, the resource stays in state as it was.
        let new_state = match r {
            Ok(v) => v.or_else(|| req.current_state.clone()),
            Err(d) => {
                diags.extend(d);
                req.current_state.clone()
            }
        };
        pb::read_resource::Response {
            new_state,
            diagnostics: diags.to_proto(),
            private: req.private,
            ..Default::default()
        }
    }

    pub(super) async fn plan_resource_change(
        &self,
        req: pb::plan_resource_change::Request,
    ) -> pb::plan_resource_change::Response {
        let mut diags = Diagnostics::new();
        let r = self
            .guard("PlanResourceChange", async {
                let res = self.resource(&req.type_name, &mut diags)?;
                let ty = res.value_type();
                let prior = decode(req.prior_state.as_ref(), ty, "prior state", &mut diags)?;
                let proposed = decode(
                    req.proposed_new_state.as_ref(),
                    ty,
                    "proposed new state",
                    &mut diags,
                )?;
                let config = decode(req.config.as_ref(), ty, "configuration", &mut diags)?;
                let mut plan: Plan =
                    plan::standard_plan(&res.schema().block, prior, proposed, config);
                plan.private = req.prior_private.clone();
                if !plan.is_destroy() {
                    res.plan(&mut diags, &mut plan).await?;
                    schema::null_write_only(&res.schema().block, &mut plan.planned);
                }
                let planned = encode(&plan.planned, ty, &mut diags)?;
                Some((planned, plan.requires_replace, plan.private))
            })
            .await;
        let (planned_state, requires_replace, planned_private) = match r {
            Ok(Some((p, rr, private))) => (
                Some(p),
                rr.iter().map(AttributePath::to_proto).collect(),
                private,
            ),
            Ok(None) => (None, Vec::new(), Vec::new()),
            Err(d) => {
                diags.extend(d);
                (None, Vec::new(), Vec::new())
            }
        };
        pb::plan_resource_change::Response {
            planned_state,
            requires_replace,
            planned_private,
            diagnostics: diags.to_proto(),
            ..Default::default()
        }
    }

    pub(super) async fn apply_resource_change(
        &self,
        req: pb::apply_resource_change::Request,
    ) -> pb::apply_resource_change::Response {
        let mut diags = Diagnostics::new();
        let r = self
            .guard("ApplyResourceChange", async {
                let res = self.resource(&req.type_name, &mut diags)?;
                let ty = res.value_type();
                let prior = decode(req.prior_state.as_ref(), ty, "prior state", &mut diags)?;
                let planned = decode(req.planned_state.as_ref(), ty, "planned state", &mut diags)?;
                let config = decode(req.config.as_ref(), ty, "configuration", &mut diags)?;
                let new = if planned.is_null() {
                    match res.delete(&mut diags, &prior).await {
                        Some(()) => Value::Null,
                        None => prior,
                    }
                } else {
                    let out = if prior.is_null() {
                        res.create(&mut diags, &planned, &config).await
                    } else {
                        res.update(&mut diags, &prior, &planned, &config).await
                    };
                    match out {
                        Some(mut v) => {
                            schema::null_write_only(&res.schema().block, &mut v);
                            // With errors, the state is what was done so far: it need not be
                            // the plan (terraform-plugin-framework's resp.State with errors).
                            if !diags.has_errors() {
                                plan::check_applied(
                                    &planned,
                                    &v,
                                    &AttributePath::new(),
                                    &mut diags,
                                );
                            }
                            v
                        }
                        None => prior,
                    }
                };
                encode(&new, ty, &mut diags)
            })
            .await;
        // A failure keeps the prior state, so nothing Terraform knew about is forgotten.
        let new_state = match r {
            Ok(v) => v.or_else(|| req.prior_state.clone()),
            Err(d) => {
                diags.extend(d);
                req.prior_state.clone()
            }
        };
        pb::apply_resource_change::Response {
            new_state,
            private: req.planned_private,
            diagnostics: diags.to_proto(),
            ..Default::default()
        }
    }

    pub(super) async fn import_resource_state(
        &self,
        req: pb::import_resource_state::Request,
    ) -> pb::import_resource_state::Response {
        let mut diags = Diagnostics::new();
        let r = self
            .guard("ImportResourceState", async {
                let res = self.resource(&req.type_name, &mut diags)?;
                let mut v = res.import(&mut diags, req.id.clone()).await?;
                schema::null_write_only(&res.schema().block, &mut v);
                encode(&v, res.value_type(), &mut diags)
            })
            .await;
        let state = r.unwrap_or_else(|d| {
            diags.extend(d);
            None
        });
        let imported_resources = state
            .map(|s| pb::import_resource_state::ImportedResource {
                type_name: req.type_name.clone(),
                state: Some(s),
                ..Default::default()
            })
            .into_iter()
            .collect();
        pb::import_resource_state::Response {
            imported_resources,
            diagnostics: diags.to_proto(),
            deferred: None,
        }
    }

    pub(super) async fn move_resource_state(
        &self,
        _: pb::move_resource_state::Request,
    ) -> pb::move_resource_state::Response {
        let mut diags = Diagnostics::new();
        unsupported(
            &mut diags,
            "Moving resource state between types (moved blocks across types)",
        );
        pb::move_resource_state::Response {
            diagnostics: diags.to_proto(),
            ..Default::default()
        }
    }

    pub(super) async fn get_resource_identity_schemas(
        &self,
        _: pb::get_resource_identity_schemas::Request,
    ) -> pb::get_resource_identity_schemas::Response {
        pb::get_resource_identity_schemas::Response::default()
    }

    pub(super) async fn upgrade_resource_identity(
        &self,
        _: pb::upgrade_resource_identity::Request,
    ) -> pb::upgrade_resource_identity::Response {
        let mut diags = Diagnostics::new();
        unsupported(&mut diags, "Resource identity");
        pb::upgrade_resource_identity::Response {
            upgraded_identity: None,
            diagnostics: diags.to_proto(),
        }
    }

    pub(super) async fn generate_resource_config(
        &self,
        _: pb::generate_resource_config::Request,
    ) -> pb::generate_resource_config::Response {
        let mut diags = Diagnostics::new();
        unsupported(&mut diags, "Generating resource configuration");
        pb::generate_resource_config::Response {
            config: None,
            diagnostics: diags.to_proto(),
        }
    }
}

/// Before Terraform 1.11 a client knows nothing of write-only attributes and would store their
/// values in the plan and the state like any other: refuse a configuration that sets one, naming
/// each.
fn refuse_write_only(
    block: &Block,
    config: &Value,
    caps: Option<&pb::ClientCapabilities>,
    diags: &mut Diagnostics,
) {
    if caps.is_some_and(|c| c.write_only_attributes_allowed) {
        return;
    }
    for path in schema::write_only_set(block, config) {
        diags.error_at(
            path.clone(),
            "Write-only argument needs Terraform 1.11 or later",
            format!(
                "{path} is write-only: it must never reach the plan or the state, and this \
                 Terraform does not support write-only arguments, so it would store the value \
                 there. Use Terraform 1.11 or later, or leave {path} unset and use the \
                 argument it stands in for."
            ),
        );
    }
}
