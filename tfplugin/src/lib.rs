//! `tfplugin`: the plugin side of Terraform's plugin protocol 6, on tonic.
//!
//! A provider implements [`Provider`] and registers its [`Resource`]s, [`DataSource`]s,
//! [`EphemeralResource`]s and [`Function`]s; `main` calls [`serve()`]. Everything between
//! Terraform and those traits lives here.
//!
//! Module map:
//! - [`value`]: cty [`Type`]s and [`Value`]s (null and unknown kept apart from empty), the
//!   msgpack and JSON codecs, exact [`Number`]s.
//! - [`typed`]: serde between values and Rust structs; [`Attr`] for null/unknown/known.
//! - [`model`]: `#[derive(Model)]`: each attribute declared once on its state struct's field
//!   (schema per kind of type, typed paths, declared checks), and value types that own their
//!   semantic equality ([`TfValue`]).
//! - [`schema`]: attributes, nested attributes, blocks, plan flags and validators.
//! - [`diag`]: [`Diagnostics`] with [`AttributePath`]s.
//! - [`plan`]: the standard plan behaviour, and the typed [`Change`] a resource's plan hook
//!   adjusts.
//! - [`provider`]: the traits provider authors implement; [`Read`] says found or gone.
//! - [`server`]: the tonic `tfplugin6.Provider` service, one file per concern.
//! - [`serve`](mod@serve): handshake, unix socket, AutoMTLS, shutdown; in-process test helpers.
//! - [`tls`]: AutoMTLS certificates and the pinned client-certificate check.
//! - [`goplugin`]: go-plugin's controller, stdio, broker and health services.
//! - [`stop`]: cancellation that handlers can wait on.
//! - [`lifeline`]: noticing that Terraform is gone (killed, crashed) and exiting.
//! - [`log`]: JSON logs for `TF_LOG`.

// So `#[derive(Model)]`, which names `::tfplugin`, works inside this crate too.
extern crate self as tfplugin;

pub mod diag;
pub mod goplugin;
pub mod lifeline;
pub mod log;
pub mod model;
pub mod plan;
pub mod provider;
pub mod schema;
pub mod serve;
pub mod server;
pub mod stop;
pub mod tls;
pub mod typed;
pub mod value;

pub use diag::{AttributePath, Diagnostic, Diagnostics, Severity};
pub use model::{Kind, Model, TfValue};
pub use plan::{Change, Plan};
pub use provider::{
    DataSource, EphemeralResource, Function, FunctionError, Opened, Parameter, Provider, Read,
    Renewed, Resource, Signature, data_source, ephemeral_resource, function, resource,
};
pub use schema::{Attribute, Block, BlockNesting, NestedBlock, Nesting, Schema};
pub use serve::{connect, run, serve, serve_on};
pub use stop::{is_stopped, stopped};
pub use typed::Attr;
pub use value::{Number, Type, Value};

/// Re-exported so providers need not depend on async-trait themselves.
pub use async_trait::async_trait;
