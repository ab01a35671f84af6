//! The tonic `tfplugin6.Provider` service: decodes requests with the schemas' types, calls the
//! provider's erased implementations with panics caught, and encodes the answers.
//!
//! This file holds the service, its construction, the helpers every handler shares (the panic
//! guard, decoding and encoding of values, lookup of a type by name) and the one tonic trait
//! implementation, which hands each RPC to a handler in the file of its concern:
//! - `provider.rs`: metadata, schemas, provider configuration, StopProvider.
//! - `resource.rs`: managed resources (validate, upgrade, read, plan, apply, import, move).
//! - `data_source.rs`: data sources.
//! - `ephemeral.rs`: ephemeral resources (validate, open, renew, close).
//! - `function.rs`: provider-defined functions.
//! - `unsupported.rs`: list resources, state storage and actions, which this provider refuses.

mod data_source;
mod ephemeral;
mod function;
mod provider;
mod resource;
mod unsupported;

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};

use futures_util::FutureExt;
use magma_protocol::tfplugin6 as pb;
use tonic::{Request, Response, Status};

use crate::diag::{AttributePath, Diagnostics};
use crate::log;
use crate::provider::{DynDataSource, DynEphemeral, DynProvider, DynResource, Function, Provider};
use crate::schema::{self, Block, Schema};
use crate::stop::StopSignal;
use crate::value::{Type, Value, ValueError};

type Stream<T> = Pin<Box<dyn futures_util::Stream<Item = Result<T, Status>> + Send + 'static>>;

/// The provider service Terraform talks to; build it with [`ProviderService::new`] and hand it to
/// [`crate::serve()`] (or to a tonic server of your own in tests).
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

fn unsupported(diags: &mut Diagnostics, what: &str) {
    diags.error(
        format!("{what} is not supported by this provider"),
        format!("This provider does not implement {what}. Use a provider version that supports it, or remove it from the configuration."),
    );
}

fn unimplemented(what: &str) -> Status {
    Status::unimplemented(format!("{what} is not supported by this provider"))
}

/// Implements tonic's service trait over the handlers of the concern files: each unary RPC named
/// in the list is answered by the inherent method of the same name, which takes the request
/// message out of tonic's envelope and returns the response message (none of them fails at the
/// gRPC level; problems travel as diagnostics). The items after the list are written out: RPCs
/// whose request or response is a stream, or whose messages are named apart from the RPC.
macro_rules! provider_service {
    ($($rpc:ident),* $(,)?; $($item:tt)*) => {
        #[tonic::async_trait]
        impl pb::provider_server::Provider for ProviderService {
            $(
                async fn $rpc(
                    &self,
                    req: Request<pb::$rpc::Request>,
                ) -> Result<Response<pb::$rpc::Response>, Status> {
                    // The inherent method, not this one: the trait is not in scope here.
                    Ok(Response::new(self.$rpc(req.into_inner()).await))
                }
            )*
            $($item)*
        }
    };
}

provider_service! {
    // provider.rs
    get_metadata,
    get_provider_schema,
    validate_provider_config,
    configure_provider,
    stop_provider,
    // resource.rs
    validate_resource_config,
    upgrade_resource_state,
    read_resource,
    plan_resource_change,
    apply_resource_change,
    import_resource_state,
    move_resource_state,
    get_resource_identity_schemas,
    upgrade_resource_identity,
    generate_resource_config,
    // data_source.rs
    validate_data_resource_config,
    read_data_source,
    // ephemeral.rs
    validate_ephemeral_resource_config,
    open_ephemeral_resource,
    renew_ephemeral_resource,
    close_ephemeral_resource,
    // function.rs
    get_functions,
    call_function,
    // unsupported.rs
    validate_list_resource_config,
    configure_state_store,
    lock_state,
    unlock_state,
    get_states,
    delete_state,
    plan_action,
    validate_action_config;

    async fn validate_state_store_config(
        &self,
        req: Request<pb::validate_state_store::Request>,
    ) -> Result<Response<pb::validate_state_store::Response>, Status> {
        Ok(Response::new(self.validate_state_store_config(req.into_inner()).await))
    }

    async fn write_state_bytes(
        &self,
        req: Request<tonic::Streaming<pb::write_state_bytes::RequestChunk>>,
    ) -> Result<Response<pb::write_state_bytes::Response>, Status> {
        Ok(Response::new(self.write_state_bytes(req.into_inner()).await))
    }

    type ListResourceStream = Stream<pb::list_resource::Event>;

    async fn list_resource(
        &self,
        _: Request<pb::list_resource::Request>,
    ) -> Result<Response<Self::ListResourceStream>, Status> {
        Err(unimplemented("Listing resources (list blocks)"))
    }

    type ReadStateBytesStream = Stream<pb::read_state_bytes::Response>;

    async fn read_state_bytes(
        &self,
        _: Request<pb::read_state_bytes::Request>,
    ) -> Result<Response<Self::ReadStateBytesStream>, Status> {
        Err(unimplemented("State storage"))
    }

    type InvokeActionStream = Stream<pb::invoke_action::Event>;

    async fn invoke_action(
        &self,
        _: Request<pb::invoke_action::Request>,
    ) -> Result<Response<Self::InvokeActionStream>, Status> {
        Err(unimplemented("Actions"))
    }
}
