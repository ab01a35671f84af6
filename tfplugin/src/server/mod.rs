//! The tonic `tfplugin6.Provider` service: decodes requests with the schemas' types, calls the
//! provider's erased implementations with panics caught, and encodes the answers.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};

use futures_util::FutureExt;
use magma_protocol::tfplugin6 as pb;
use tonic::{Request, Response, Status};

use crate::diag::{AttributePath, Diagnostics};
use crate::log;
use crate::plan::{self, Plan};
use crate::provider::{DynDataSource, DynEphemeral, DynProvider, DynResource, Function, Provider};
use crate::schema::{self, Block, Schema};
use crate::stop::StopSignal;
use crate::value::{Type, Value, ValueError};

type Stream<T> = Pin<Box<dyn futures_util::Stream<Item = Result<T, Status>> + Send + 'static>>;

/// The provider service Terraform talks to; build it with [`ProviderService::new`] and hand it to
/// [`crate::serve`] (or to a tonic server of your own in tests).
#[derive(Clone)]
pub struct ProviderService {
    inner: Arc<Inner>,
}

struct Inner {
    provider: Box<dyn DynProvider>,
    schema: Schema,
    ty: Type,
    resources: HashMap<String, Box<dyn DynResource>>,
    data_sources: HashMap<String, Box<dyn DynDataSource>>,
    ephemerals: HashMap<String, Box<dyn DynEphemeral>>,
    functions: HashMap<String, Box<dyn Function>>,
    stop: StopSignal,
    schema_response: OnceLock<pb::get_provider_schema::Response>,
}

impl ProviderService {
    /// Wraps a provider. `stop` fires on StopProvider; the serving loop ends when it does.
    pub fn new<P: Provider>(provider: P, stop: StopSignal) -> ProviderService {
        let schema = provider.schema();
        let ty = schema.value_type();
        let resources = provider
            .resources()
            .into_iter()
            .map(|r| (r.name, r.inner))
            .collect();
        let data_sources = provider
            .data_sources()
            .into_iter()
            .map(|r| (r.name, r.inner))
            .collect();
        let ephemerals = provider
            .ephemeral_resources()
            .into_iter()
            .map(|r| (r.name, r.inner))
            .collect();
        let functions = provider
            .functions()
            .into_iter()
            .map(|f| (f.name, f.inner))
            .collect();
        ProviderService {
            inner: Arc::new(Inner {
                provider: Box::new(provider),
                schema,
                ty,
                resources,
                data_sources,
                ephemerals,
                functions,
                stop,
                schema_response: OnceLock::new(),
            }),
        }
    }

    /// The tonic server wrapper, ready to add to a router.
    pub fn into_server(self) -> pb::provider_server::ProviderServer<ProviderService> {
        pb::provider_server::ProviderServer::new(self)
            .max_decoding_message_size(256 << 20)
            .max_encoding_message_size(256 << 20)
    }

    /// Runs a handler with the stop signal in scope; a panic becomes an error diagnostic.
    async fn guard<T>(&self, rpc: &str, fut: impl Future<Output = T>) -> Result<T, Diagnostics> {
        match AssertUnwindSafe(self.inner.stop.scope(fut))
            .catch_unwind()
            .await
        {
            Ok(t) => Ok(t),
            Err(payload) => {
                let msg = payload
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".to_owned());
                log::error(
                    "provider handler panicked",
                    &[("rpc", rpc), ("panic", &msg)],
                );
                let mut d = Diagnostics::new();
                d.error(
                    "The provider crashed",
                    format!(
                        "The provider panicked while handling {rpc}: {msg}. This is a bug in the provider; \
                         please report it. The provider is still running."
                    ),
                );
                Err(d)
            }
        }
    }

    fn resource(&self, name: &str, diags: &mut Diagnostics) -> Option<&dyn DynResource> {
        let r = self.inner.resources.get(name).map(|b| &**b);
        if r.is_none() {
            unknown_type(diags, "resource", name);
        }
        r
    }

    fn data_source(&self, name: &str, diags: &mut Diagnostics) -> Option<&dyn DynDataSource> {
        let r = self.inner.data_sources.get(name).map(|b| &**b);
        if r.is_none() {
            unknown_type(diags, "data source", name);
        }
        r
    }

    fn ephemeral(&self, name: &str, diags: &mut Diagnostics) -> Option<&dyn DynEphemeral> {
        let r = self.inner.ephemerals.get(name).map(|b| &**b);
        if r.is_none() {
            unknown_type(diags, "ephemeral resource", name);
        }
        r
    }
}

fn unknown_type(diags: &mut Diagnostics, kind: &str, name: &str) {
    diags.error(
        format!("Unknown {kind} type {name:?}"),
        format!("This provider has no {kind} type named {name:?}. Check the type name, or the provider version."),
    );
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

/// Decodes a `DynamicValue` (msgpack, else JSON; absent = null).
fn decode(
    dv: Option<&pb::DynamicValue>,
    ty: &Type,
    what: &str,
    diags: &mut Diagnostics,
) -> Option<Value> {
    let r = match dv {
        Some(d) if !d.msgpack.is_empty() => Value::from_msgpack(&d.msgpack, ty),
        Some(d) if !d.json.is_empty() => Value::from_json(&d.json, ty),
        _ => Ok(Value::Null),
    };
    r.map_err(|e| wire_error(diags, what, e)).ok()
}

fn wire_error(diags: &mut Diagnostics, what: &str, e: ValueError) {
    let detail = format!("Terraform sent a {what} this provider cannot decode: {e}.");
    if e.path.is_empty() {
        diags.error(format!("Invalid {what}"), detail);
    } else {
        diags.error_at(e.path, format!("Invalid {what}"), detail);
    }
}

fn encode(v: &Value, ty: &Type, diags: &mut Diagnostics) -> Option<pb::DynamicValue> {
    match v.to_msgpack(ty) {
        Ok(msgpack) => Some(pb::DynamicValue {
            msgpack,
            json: Vec::new(),
        }),
        Err(e) => {
            diags.error(
                "Provider produced an invalid value",
                format!("The value does not fit the schema: {e}. This is a bug in the provider."),
            );
            None
        }
    }
}

/// Validates a configuration against schema validators, then the typed hook.
async fn validate_with(block: &Block, config: &Value, diags: &mut Diagnostics) {
    schema::run_validators(block, config, &AttributePath::new(), diags);
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

// tonic's handler signature fixes the error type.
#[allow(clippy::result_large_err)]
fn ok<T>(t: T) -> Result<Response<T>, Status> {
    Ok(Response::new(t))
}

fn unsupported(diags: &mut Diagnostics, what: &str) {
    diags.error(
        format!("{what} is not supported by this provider"),
        format!("This provider does not implement {what}. Use a provider version that supports it, or remove it from the configuration."),
    );
}

fn unimplemented(what: &str) -> Status {
    Status::unimplemented(format!("{what} is not supported by this provider"))
}

#[tonic::async_trait]
impl pb::provider_server::Provider for ProviderService {
    async fn get_metadata(
        &self,
        _: Request<pb::get_metadata::Request>,
    ) -> Result<Response<pb::get_metadata::Response>, Status> {
        use pb::get_metadata as m;
        let i = &self.inner;
        ok(m::Response {
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
        })
    }

    async fn get_provider_schema(
        &self,
        _: Request<pb::get_provider_schema::Request>,
    ) -> Result<Response<pb::get_provider_schema::Response>, Status> {
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
        ok(resp.clone())
    }

    async fn validate_provider_config(
        &self,
        req: Request<pb::validate_provider_config::Request>,
    ) -> Result<Response<pb::validate_provider_config::Response>, Status> {
        let req = req.into_inner();
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
        ok(pb::validate_provider_config::Response {
            diagnostics: diags.to_proto(),
        })
    }

    async fn validate_resource_config(
        &self,
        req: Request<pb::validate_resource_config::Request>,
    ) -> Result<Response<pb::validate_resource_config::Response>, Status> {
        let req = req.into_inner();
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
        ok(pb::validate_resource_config::Response {
            diagnostics: diags.to_proto(),
        })
    }

    async fn validate_data_resource_config(
        &self,
        req: Request<pb::validate_data_resource_config::Request>,
    ) -> Result<Response<pb::validate_data_resource_config::Response>, Status> {
        let req = req.into_inner();
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
        ok(pb::validate_data_resource_config::Response {
            diagnostics: diags.to_proto(),
        })
    }

    async fn upgrade_resource_state(
        &self,
        req: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        let req = req.into_inner();
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
        ok(pb::upgrade_resource_state::Response {
            upgraded_state,
            diagnostics: diags.to_proto(),
        })
    }

    async fn get_resource_identity_schemas(
        &self,
        _: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Result<Response<pb::get_resource_identity_schemas::Response>, Status> {
        ok(pb::get_resource_identity_schemas::Response::default())
    }

    async fn upgrade_resource_identity(
        &self,
        _: Request<pb::upgrade_resource_identity::Request>,
    ) -> Result<Response<pb::upgrade_resource_identity::Response>, Status> {
        let mut diags = Diagnostics::new();
        unsupported(&mut diags, "Resource identity");
        ok(pb::upgrade_resource_identity::Response {
            upgraded_identity: None,
            diagnostics: diags.to_proto(),
        })
    }

    async fn configure_provider(
        &self,
        req: Request<pb::configure_provider::Request>,
    ) -> Result<Response<pb::configure_provider::Response>, Status> {
        let req = req.into_inner();
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
        ok(pb::configure_provider::Response {
            diagnostics: diags.to_proto(),
        })
    }

    async fn read_resource(
        &self,
        req: Request<pb::read_resource::Request>,
    ) -> Result<Response<pb::read_resource::Response>, Status> {
        let req = req.into_inner();
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
        ok(pb::read_resource::Response {
            new_state,
            diagnostics: diags.to_proto(),
            private: req.private,
            ..Default::default()
        })
    }

    async fn plan_resource_change(
        &self,
        req: Request<pb::plan_resource_change::Request>,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        let req = req.into_inner();
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
        ok(pb::plan_resource_change::Response {
            planned_state,
            requires_replace,
            planned_private,
            diagnostics: diags.to_proto(),
            ..Default::default()
        })
    }

    async fn apply_resource_change(
        &self,
        req: Request<pb::apply_resource_change::Request>,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        let req = req.into_inner();
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
                            plan::check_applied(&planned, &v, &AttributePath::new(), &mut diags);
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
        ok(pb::apply_resource_change::Response {
            new_state,
            private: req.planned_private,
            diagnostics: diags.to_proto(),
            ..Default::default()
        })
    }

    async fn import_resource_state(
        &self,
        req: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        let req = req.into_inner();
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
        ok(pb::import_resource_state::Response {
            imported_resources,
            diagnostics: diags.to_proto(),
            deferred: None,
        })
    }

    async fn move_resource_state(
        &self,
        _: Request<pb::move_resource_state::Request>,
    ) -> Result<Response<pb::move_resource_state::Response>, Status> {
        let mut diags = Diagnostics::new();
        unsupported(
            &mut diags,
            "Moving resource state between types (moved blocks across types)",
        );
        ok(pb::move_resource_state::Response {
            diagnostics: diags.to_proto(),
            ..Default::default()
        })
    }

    async fn read_data_source(
        &self,
        req: Request<pb::read_data_source::Request>,
    ) -> Result<Response<pb::read_data_source::Response>, Status> {
        let req = req.into_inner();
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
        ok(pb::read_data_source::Response {
            state,
            diagnostics: diags.to_proto(),
            deferred: None,
        })
    }

    async fn generate_resource_config(
        &self,
        _: Request<pb::generate_resource_config::Request>,
    ) -> Result<Response<pb::generate_resource_config::Response>, Status> {
        let mut diags = Diagnostics::new();
        unsupported(&mut diags, "Generating resource configuration");
        ok(pb::generate_resource_config::Response {
            config: None,
            diagnostics: diags.to_proto(),
        })
    }

    async fn validate_ephemeral_resource_config(
        &self,
        req: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> Result<Response<pb::validate_ephemeral_resource_config::Response>, Status> {
        let req = req.into_inner();
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
        ok(pb::validate_ephemeral_resource_config::Response {
            diagnostics: diags.to_proto(),
        })
    }

    async fn open_ephemeral_resource(
        &self,
        req: Request<pb::open_ephemeral_resource::Request>,
    ) -> Result<Response<pb::open_ephemeral_resource::Response>, Status> {
        let req = req.into_inner();
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
        ok(resp)
    }

    async fn renew_ephemeral_resource(
        &self,
        req: Request<pb::renew_ephemeral_resource::Request>,
    ) -> Result<Response<pb::renew_ephemeral_resource::Response>, Status> {
        let req = req.into_inner();
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
        ok(pb::renew_ephemeral_resource::Response {
            diagnostics: diags.to_proto(),
            renew_at,
            private,
        })
    }

    async fn close_ephemeral_resource(
        &self,
        req: Request<pb::close_ephemeral_resource::Request>,
    ) -> Result<Response<pb::close_ephemeral_resource::Response>, Status> {
        let req = req.into_inner();
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
        ok(pb::close_ephemeral_resource::Response {
            diagnostics: diags.to_proto(),
        })
    }

    type ListResourceStream = Stream<pb::list_resource::Event>;

    async fn list_resource(
        &self,
        _: Request<pb::list_resource::Request>,
    ) -> Result<Response<Self::ListResourceStream>, Status> {
        Err(unimplemented("Listing resources (list blocks)"))
    }

    async fn validate_list_resource_config(
        &self,
        _: Request<pb::validate_list_resource_config::Request>,
    ) -> Result<Response<pb::validate_list_resource_config::Response>, Status> {
        let mut diags = Diagnostics::new();
        unsupported(&mut diags, "Listing resources (list blocks)");
        ok(pb::validate_list_resource_config::Response {
            diagnostics: diags.to_proto(),
        })
    }

    async fn get_functions(
        &self,
        _: Request<pb::get_functions::Request>,
    ) -> Result<Response<pb::get_functions::Response>, Status> {
        ok(pb::get_functions::Response {
            functions: self
                .inner
                .functions
                .iter()
                .map(|(n, f)| (n.clone(), function_proto(&**f)))
                .collect(),
            diagnostics: Vec::new(),
        })
    }

    async fn call_function(
        &self,
        req: Request<pb::call_function::Request>,
    ) -> Result<Response<pb::call_function::Response>, Status> {
        let req = req.into_inner();
        #[allow(clippy::result_large_err)]
        let fail = |text: String, argument: Option<i64>| {
            ok(pb::call_function::Response {
                result: None,
                error: Some(pb::FunctionError {
                    text,
                    function_argument: argument,
                }),
            })
        };
        let Some(f) = self.inner.functions.get(&req.name) else {
            return fail(
                format!("This provider has no function named {:?}.", req.name),
                None,
            );
        };
        let sig = f.signature();
        let mut args = Vec::with_capacity(req.arguments.len());
        for (i, a) in req.arguments.iter().enumerate() {
            let Some(p) = sig.parameters.get(i).or(sig.variadic.as_ref()) else {
                return fail(
                    format!(
                        "Too many arguments: the function takes {}.",
                        sig.parameters.len()
                    ),
                    None,
                );
            };
            let mut d = Diagnostics::new();
            match decode(Some(a), &p.ty, "function argument", &mut d) {
                Some(v) => args.push(v),
                None => {
                    return fail(
                        d.items
                            .first()
                            .map(|x| x.detail.clone())
                            .unwrap_or_default(),
                        Some(i as i64),
                    );
                }
            }
        }
        match self.guard("CallFunction", f.call(args)).await {
            Ok(Ok(v)) => {
                let mut d = Diagnostics::new();
                match encode(&v, &sig.returns, &mut d) {
                    Some(result) => ok(pb::call_function::Response {
                        result: Some(result),
                        error: None,
                    }),
                    None => fail(
                        d.items
                            .first()
                            .map(|x| x.detail.clone())
                            .unwrap_or_default(),
                        None,
                    ),
                }
            }
            Ok(Err(e)) => fail(e.text, e.argument),
            Err(d) => fail(
                d.items
                    .first()
                    .map(|x| x.detail.clone())
                    .unwrap_or_default(),
                None,
            ),
        }
    }

    async fn validate_state_store_config(
        &self,
        _: Request<pb::validate_state_store::Request>,
    ) -> Result<Response<pb::validate_state_store::Response>, Status> {
        let mut diags = Diagnostics::new();
        unsupported(&mut diags, "State storage");
        ok(pb::validate_state_store::Response {
            diagnostics: diags.to_proto(),
        })
    }

    async fn configure_state_store(
        &self,
        _: Request<pb::configure_state_store::Request>,
    ) -> Result<Response<pb::configure_state_store::Response>, Status> {
        let mut diags = Diagnostics::new();
        unsupported(&mut diags, "State storage");
        ok(pb::configure_state_store::Response {
            diagnostics: diags.to_proto(),
            capabilities: None,
        })
    }

    type ReadStateBytesStream = Stream<pb::read_state_bytes::Response>;

    async fn read_state_bytes(
        &self,
        _: Request<pb::read_state_bytes::Request>,
    ) -> Result<Response<Self::ReadStateBytesStream>, Status> {
        Err(unimplemented("State storage"))
    }

    async fn write_state_bytes(
        &self,
        _: Request<tonic::Streaming<pb::write_state_bytes::RequestChunk>>,
    ) -> Result<Response<pb::write_state_bytes::Response>, Status> {
        let mut diags = Diagnostics::new();
        unsupported(&mut diags, "State storage");
        ok(pb::write_state_bytes::Response {
            diagnostics: diags.to_proto(),
        })
    }

    async fn lock_state(
        &self,
        _: Request<pb::lock_state::Request>,
    ) -> Result<Response<pb::lock_state::Response>, Status> {
        let mut diags = Diagnostics::new();
        unsupported(&mut diags, "State storage");
        ok(pb::lock_state::Response {
            lock_id: String::new(),
            diagnostics: diags.to_proto(),
        })
    }

    async fn unlock_state(
        &self,
        _: Request<pb::unlock_state::Request>,
    ) -> Result<Response<pb::unlock_state::Response>, Status> {
        let mut diags = Diagnostics::new();
        unsupported(&mut diags, "State storage");
        ok(pb::unlock_state::Response {
            diagnostics: diags.to_proto(),
        })
    }

    async fn get_states(
        &self,
        _: Request<pb::get_states::Request>,
    ) -> Result<Response<pb::get_states::Response>, Status> {
        let mut diags = Diagnostics::new();
        unsupported(&mut diags, "State storage");
        ok(pb::get_states::Response {
            state_id: Vec::new(),
            diagnostics: diags.to_proto(),
        })
    }

    async fn delete_state(
        &self,
        _: Request<pb::delete_state::Request>,
    ) -> Result<Response<pb::delete_state::Response>, Status> {
        let mut diags = Diagnostics::new();
        unsupported(&mut diags, "State storage");
        ok(pb::delete_state::Response {
            diagnostics: diags.to_proto(),
        })
    }

    async fn plan_action(
        &self,
        _: Request<pb::plan_action::Request>,
    ) -> Result<Response<pb::plan_action::Response>, Status> {
        let mut diags = Diagnostics::new();
        unsupported(&mut diags, "Actions");
        ok(pb::plan_action::Response {
            diagnostics: diags.to_proto(),
            deferred: None,
        })
    }

    type InvokeActionStream = Stream<pb::invoke_action::Event>;

    async fn invoke_action(
        &self,
        _: Request<pb::invoke_action::Request>,
    ) -> Result<Response<Self::InvokeActionStream>, Status> {
        Err(unimplemented("Actions"))
    }

    async fn validate_action_config(
        &self,
        _: Request<pb::validate_action_config::Request>,
    ) -> Result<Response<pb::validate_action_config::Response>, Status> {
        let mut diags = Diagnostics::new();
        unsupported(&mut diags, "Actions");
        ok(pb::validate_action_config::Response {
            diagnostics: diags.to_proto(),
        })
    }

    async fn stop_provider(
        &self,
        _: Request<pb::stop_provider::Request>,
    ) -> Result<Response<pb::stop_provider::Response>, Status> {
        log::info(
            "StopProvider: cancelling work in flight and shutting down",
            &[],
        );
        self.inner.stop.stop();
        ok(pb::stop_provider::Response {
            error: String::new(),
        })
    }
}

fn function_proto(f: &dyn Function) -> pb::Function {
    let sig = f.signature();
    let param = |p: &crate::provider::Parameter| pb::function::Parameter {
        name: p.name.clone(),
        r#type: p.ty.to_json().into_bytes(),
        allow_null_value: p.allow_null,
        allow_unknown_values: p.allow_unknown,
        description: p.description.clone(),
        description_kind: pb::StringKind::Markdown as i32,
    };
    pb::Function {
        parameters: sig.parameters.iter().map(param).collect(),
        variadic_parameter: sig.variadic.as_ref().map(param),
        r#return: Some(pb::function::Return {
            r#type: sig.returns.to_json().into_bytes(),
        }),
        summary: sig.summary.clone(),
        description: sig.description.clone(),
        description_kind: pb::StringKind::Markdown as i32,
        deprecation_message: String::new(),
    }
}
