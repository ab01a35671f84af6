//! The traits a provider author implements: [`Provider`], [`Resource`], [`DataSource`],
//! [`EphemeralResource`] and [`Function`]. Methods take `&mut Diagnostics` and return `Option`:
//! `None` means "failed, see the diagnostics". A resource's state is a [`Model`], so the layer
//! knows its attributes: it runs their declared checks, keeps the prior spelling of values that
//! mean the same, and hands the plan hook a typed [`Change`].
//!
//! Types are registered by name with [`resource`], [`data_source`], [`ephemeral_resource`] and
//! [`function`], which erase them into the object-safe forms the server uses.

use std::time::SystemTime;

use async_trait::async_trait;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::diag::{AttributePath, Diagnostics};
use crate::model::{Model, TfValue};
use crate::plan::{Change, Plan};
use crate::schema::Schema;
use crate::typed;
use crate::value::{Type, Value, ValueError};

/// The provider itself: its configuration and the types it offers.
#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// The provider block, as a struct.
    type Config: DeserializeOwned + Send;

    /// The schema of the provider block.
    fn schema(&self) -> Schema;

    /// Checks the configuration (values may be unknown: read them as `Attr` or `Option`).
    async fn validate(&self, _diags: &mut Diagnostics, _config: Self::Config) -> Option<()> {
        Some(())
    }

    /// Configures the provider, typically filling the shared client handle its resources hold.
    async fn configure(
        &self,
        diags: &mut Diagnostics,
        terraform_version: &str,
        config: Self::Config,
    ) -> Option<()>;

    /// The managed resource types.
    fn resources(&self) -> Vec<NamedResource> {
        Vec::new()
    }

    /// The data source types.
    fn data_sources(&self) -> Vec<NamedDataSource> {
        Vec::new()
    }

    /// The ephemeral resource types (Terraform 1.10+).
    fn ephemeral_resources(&self) -> Vec<NamedEphemeralResource> {
        Vec::new()
    }

    /// The provider functions (Terraform 1.8+).
    fn functions(&self) -> Vec<NamedFunction> {
        Vec::new()
    }
}

/// What a refresh found.
#[derive(Clone, Debug, PartialEq)]
pub enum Read<S> {
    /// The object, as it is now.
    Found(S),
    /// The object no longer exists: Terraform removes it from the state.
    Gone,
}

impl<S> Read<S> {
    /// The found object transformed by `f`.
    pub fn map<T>(self, f: impl FnOnce(S) -> T) -> Read<T> {
        match self {
            Read::Found(s) => Read::Found(f(s)),
            Read::Gone => Read::Gone,
        }
    }
}

/// A managed resource type. One struct, `State`, is its configuration, plan and state; see
/// [`crate::typed`] for how fields map to attributes and [`crate::model`] for how they are
/// declared.
#[async_trait]
pub trait Resource: Send + Sync + 'static {
    /// Configuration, plan and state as a struct.
    type State: Model + Serialize + DeserializeOwned + Send + Sync;

    /// The schema: typically `Schema::of::<Self::State>(Kind::Resource).description(…)`.
    fn schema(&self) -> Schema;

    /// Checks the configuration beyond the attributes' declared checks (which have run). Unknown
    /// values read as null; when a plain (non-`Option`, non-`Attr`) field is unknown this hook is
    /// skipped, as the value will be checked at plan.
    async fn validate(&self, _diags: &mut Diagnostics, _config: Self::State) -> Option<()> {
        Some(())
    }

    /// Refreshes the state from the remote object.
    async fn read(&self, diags: &mut Diagnostics, state: Self::State) -> Option<Read<Self::State>>;

    /// Adjusts the standard plan (see [`crate::plan`]) of a create or update; the default keeps
    /// it.
    async fn plan(
        &self,
        _diags: &mut Diagnostics,
        _change: &mut Change<Self::State>,
    ) -> Option<()> {
        Some(())
    }

    /// Creates the object. `planned` has unknown values as [`crate::Attr::Unknown`]; return the
    /// full state. A failure after part of the work was done returns what exists now together
    /// with the error, and Terraform records it (unknown values in it become null).
    async fn create(
        &self,
        diags: &mut Diagnostics,
        planned: Self::State,
        config: Self::State,
    ) -> Option<Self::State>;

    /// Updates the object in place; like `create`, a partial result may come with an error. The
    /// default, for a type whose every configurable attribute requires replacement, records the
    /// plan (what it leaves unknown keeps its prior value).
    async fn update(
        &self,
        _diags: &mut Diagnostics,
        _prior: Self::State,
        planned: Self::State,
        _config: Self::State,
    ) -> Option<Self::State> {
        Some(planned)
    }

    /// Deletes the object.
    async fn delete(&self, diags: &mut Diagnostics, prior: Self::State) -> Option<()>;

    /// Imports an existing object by the id the user gave; Terraform reads it right after.
    async fn import(&self, diags: &mut Diagnostics, _id: String) -> Option<Self::State> {
        diags.error(
            "Import not supported",
            "This resource type cannot be imported.",
        );
        None
    }

    /// Upgrades a state written with an older schema `version` (decoded as JSON, untyped) to the
    /// current schema. The default accepts the current version only.
    async fn upgrade_state(
        &self,
        diags: &mut Diagnostics,
        version: i64,
        raw_json: &[u8],
    ) -> Option<Value> {
        let schema = self.schema();
        if version != schema.version {
            diags.error(
                "Unsupported state version",
                format!(
                    "The state was written with schema version {version}, but this provider only reads version {}. \
                     Use a provider version that matches the state.",
                    schema.version
                ),
            );
            return None;
        }
        match Value::from_json(raw_json, &schema.value_type()) {
            Ok(v) => Some(v),
            Err(e) => {
                diags.error(
                    "Invalid state",
                    format!("The stored state does not match the schema: {e}."),
                );
                None
            }
        }
    }
}

/// A data source type.
#[async_trait]
pub trait DataSource: Send + Sync + 'static {
    /// Configuration and result as a struct (the attributes' declared checks run at validation).
    type State: Model + Serialize + DeserializeOwned + Send + Sync;

    /// The schema.
    fn schema(&self) -> Schema;

    /// Checks the configuration (see [`Resource::validate`]).
    async fn validate(&self, _diags: &mut Diagnostics, _config: Self::State) -> Option<()> {
        Some(())
    }

    /// Reads the data.
    async fn read(&self, diags: &mut Diagnostics, config: Self::State) -> Option<Self::State>;
}

/// What opening an ephemeral resource produced.
#[derive(Debug)]
pub struct Opened<S, P> {
    /// The result Terraform sees.
    pub result: S,
    /// Data to keep for renew and close (never shown to the user).
    pub private: Option<P>,
    /// When Terraform should call renew.
    pub renew_at: Option<SystemTime>,
}

/// What renewing an ephemeral resource produced.
#[derive(Debug)]
pub struct Renewed<P> {
    /// The new private data.
    pub private: Option<P>,
    /// When to renew next.
    pub renew_at: Option<SystemTime>,
}

/// An ephemeral resource type (protocol 6.7, Terraform 1.10+): produced at each run, never
/// stored in plan or state.
#[async_trait]
pub trait EphemeralResource: Send + Sync + 'static {
    /// Configuration and result as a struct (the attributes' declared checks run at validation).
    type State: Model + Serialize + DeserializeOwned + Send + Sync;
    /// Private data carried from open to renew and close.
    type Private: Serialize + DeserializeOwned + Send + Sync;

    /// The schema.
    fn schema(&self) -> Schema;

    /// Checks the configuration.
    async fn validate(&self, _diags: &mut Diagnostics, _config: Self::State) -> Option<()> {
        Some(())
    }

    /// Opens it.
    async fn open(
        &self,
        diags: &mut Diagnostics,
        config: Self::State,
    ) -> Option<Opened<Self::State, Self::Private>>;

    /// Renews it.
    async fn renew(
        &self,
        diags: &mut Diagnostics,
        _private: Option<Self::Private>,
    ) -> Option<Renewed<Self::Private>> {
        diags.error(
            "Renew not supported",
            "This ephemeral resource cannot be renewed.",
        );
        None
    }

    /// Closes it.
    async fn close(&self, _diags: &mut Diagnostics, _private: Option<Self::Private>) -> Option<()> {
        Some(())
    }
}

/// One function parameter.
#[derive(Clone, Debug)]
pub struct Parameter {
    /// Its name.
    pub name: String,
    /// Its type.
    pub ty: Type,
    /// Whether null is accepted.
    pub allow_null: bool,
    /// Whether unknown is accepted (else Terraform returns unknown without calling).
    pub allow_unknown: bool,
    /// Markdown description.
    pub description: String,
}

impl Parameter {
    /// A parameter that takes neither null nor unknown.
    pub fn new(name: impl Into<String>, ty: Type) -> Parameter {
        Parameter {
            name: name.into(),
            ty,
            allow_null: false,
            allow_unknown: false,
            description: String::new(),
        }
    }
}

/// A function's signature and documentation.
#[derive(Clone, Debug)]
pub struct Signature {
    /// Positional parameters.
    pub parameters: Vec<Parameter>,
    /// The variadic parameter, if any.
    pub variadic: Option<Parameter>,
    /// The return type.
    pub returns: Type,
    /// One line.
    pub summary: String,
    /// Markdown description.
    pub description: String,
}

/// Why a function call failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionError {
    /// The message.
    pub text: String,
    /// The argument at fault, if any.
    pub argument: Option<i64>,
}

/// A provider function (protocol 6.5, Terraform 1.8+).
#[async_trait]
pub trait Function: Send + Sync + 'static {
    /// Its signature.
    fn signature(&self) -> Signature;

    /// Calls it with one value per parameter (variadic ones last).
    async fn call(&self, args: Vec<Value>) -> Result<Value, FunctionError>;
}

// ---- erased forms used by the server ----

/// A resource type registered under a name.
pub struct NamedResource {
    pub(crate) name: String,
    pub(crate) inner: Box<dyn DynResource>,
}

/// A data source type registered under a name.
pub struct NamedDataSource {
    pub(crate) name: String,
    pub(crate) inner: Box<dyn DynDataSource>,
}

/// An ephemeral resource type registered under a name.
pub struct NamedEphemeralResource {
    pub(crate) name: String,
    pub(crate) inner: Box<dyn DynEphemeral>,
}

/// A function registered under a name.
pub struct NamedFunction {
    pub(crate) name: String,
    pub(crate) inner: Box<dyn Function>,
}

impl NamedResource {
    /// The full type name (`spirl_trust_domain`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The schema, as Terraform gets it (for documentation generators).
    pub fn schema(&self) -> &Schema {
        self.inner.schema()
    }
}

impl NamedDataSource {
    /// The full type name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The schema, as Terraform gets it (for documentation generators).
    pub fn schema(&self) -> &Schema {
        self.inner.schema()
    }
}

impl NamedEphemeralResource {
    /// The full type name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The schema, as Terraform gets it (for documentation generators).
    pub fn schema(&self) -> &Schema {
        self.inner.schema()
    }
}

/// Registers a resource type under its full type name (for example `spirl_trust_domain`).
pub fn resource<R: Resource>(name: impl Into<String>, r: R) -> NamedResource {
    let schema = r.schema();
    let ty = schema.value_type();
    NamedResource {
        name: name.into(),
        inner: Box::new(Typed {
            inner: r,
            schema,
            ty,
        }),
    }
}

/// Registers a data source type under its full type name.
pub fn data_source<D: DataSource>(name: impl Into<String>, d: D) -> NamedDataSource {
    let schema = d.schema();
    let ty = schema.value_type();
    NamedDataSource {
        name: name.into(),
        inner: Box::new(Typed {
            inner: d,
            schema,
            ty,
        }),
    }
}

/// Registers an ephemeral resource type under its full type name.
pub fn ephemeral_resource<E: EphemeralResource>(
    name: impl Into<String>,
    e: E,
) -> NamedEphemeralResource {
    let schema = e.schema();
    let ty = schema.value_type();
    NamedEphemeralResource {
        name: name.into(),
        inner: Box::new(Typed {
            inner: e,
            schema,
            ty,
        }),
    }
}

/// Registers a function under its name.
pub fn function<F: Function>(name: impl Into<String>, f: F) -> NamedFunction {
    NamedFunction {
        name: name.into(),
        inner: Box::new(f),
    }
}

/// A typed implementation with its schema and value type computed once.
pub(crate) struct Typed<T> {
    pub(crate) inner: T,
    pub(crate) schema: Schema,
    pub(crate) ty: Type,
}

/// Reports a value that does not fit the author's struct.
pub(crate) fn decode_error(diags: &mut Diagnostics, what: &str, e: ValueError) {
    let detail = format!(
        "The {what} could not be read as the provider expects: {e}. This is a bug in the provider \
         (its state struct does not match its schema)."
    );
    if e.path.is_empty() {
        diags.error(format!("Invalid {what}"), detail);
    } else {
        diags.error_at(e.path.clone(), format!("Invalid {what}"), detail);
    }
}

fn read_as<T: DeserializeOwned>(
    diags: &mut Diagnostics,
    what: &str,
    v: &Value,
    lenient: bool,
) -> Option<T> {
    let r = if lenient {
        typed::from_value_lenient(v)
    } else {
        typed::from_value(v)
    };
    r.map_err(|e| decode_error(diags, what, e)).ok()
}

fn write_as<T: Serialize>(diags: &mut Diagnostics, what: &str, v: &T, ty: &Type) -> Option<Value> {
    typed::to_value(v, ty)
        .map_err(|e| decode_error(diags, what, e))
        .ok()
}

/// Runs a model's declared checks, then its type's validate hook, unless the configuration holds
/// unknowns its struct cannot take.
async fn validate_model<'a, M: Model + DeserializeOwned, Fut: Future<Output = Option<()>> + 'a>(
    diags: &'a mut Diagnostics,
    config: &Value,
    hook: impl FnOnce(&'a mut Diagnostics, M) -> Fut,
) {
    if let Ok(c) = typed::from_value_lenient::<M>(config) {
        c.check(&AttributePath::new(), diags);
        hook(diags, c).await;
    }
}

/// Runs a typed validate hook unless the configuration holds unknowns its struct cannot take.
async fn validate_typed<T: DeserializeOwned, Fut: Future<Output = Option<()>>>(
    config: &Value,
    hook: impl FnOnce(T) -> Fut,
) {
    if let Ok(c) = typed::from_value_lenient::<T>(config) {
        hook(c).await;
    }
}

/// The object-safe form of a [`Resource`].
#[async_trait]
pub(crate) trait DynResource: Send + Sync {
    fn schema(&self) -> &Schema;
    fn value_type(&self) -> &Type;
    async fn validate(&self, diags: &mut Diagnostics, config: &Value);
    async fn read(&self, diags: &mut Diagnostics, state: &Value) -> Option<Value>;
    async fn plan(&self, diags: &mut Diagnostics, plan: &mut Plan) -> Option<()>;
    async fn create(
        &self,
        diags: &mut Diagnostics,
        planned: &Value,
        config: &Value,
    ) -> Option<Value>;
    async fn update(
        &self,
        diags: &mut Diagnostics,
        prior: &Value,
        planned: &Value,
        config: &Value,
    ) -> Option<Value>;
    async fn delete(&self, diags: &mut Diagnostics, prior: &Value) -> Option<()>;
    async fn import(&self, diags: &mut Diagnostics, id: String) -> Option<Value>;
    async fn upgrade_state(
        &self,
        diags: &mut Diagnostics,
        version: i64,
        raw_json: &[u8],
    ) -> Option<Value>;
}

#[async_trait]
impl<R: Resource> DynResource for Typed<R> {
    fn schema(&self) -> &Schema {
        &self.schema
    }
    fn value_type(&self) -> &Type {
        &self.ty
    }
    async fn validate(&self, diags: &mut Diagnostics, config: &Value) {
        validate_model::<R::State, _>(diags, config, |diags, c| self.inner.validate(diags, c))
            .await;
    }
    async fn read(&self, diags: &mut Diagnostics, state: &Value) -> Option<Value> {
        let prior: R::State = read_as(diags, "state", state, false)?;
        match self.inner.read(diags, prior.clone()).await? {
            Read::Found(mut new) => {
                new.keep_spelling(&prior);
                write_as(diags, "state", &new, &self.ty)
            }
            Read::Gone => {
                log::info!("the object is gone; Terraform removes it from the state");
                Some(Value::Null)
            }
        }
    }
    async fn plan(&self, diags: &mut Diagnostics, plan: &mut Plan) -> Option<()> {
        if plan.is_destroy() {
            return Some(());
        }
        let prior: Option<R::State> = plan
            .prior_as()
            .map_err(|e| decode_error(diags, "prior state", e))
            .ok()?;
        let config = read_as(diags, "configuration", &plan.config, true)?;
        // A state struct with `Option` fields reads an unknown as null: it is written back only
        // when the hook (or semantic equality) changed it.
        let mut planned: R::State = match typed::from_value(&plan.planned) {
            Ok(p) => p,
            Err(_) => read_as(diags, "planned state", &plan.planned, true)?,
        };
        let standard = planned.clone();
        if let Some(prior) = &prior {
            planned.keep_spelling(prior);
        }
        let mut change = Change {
            prior,
            config,
            planned,
            requires_replace: Vec::new(),
            private: std::mem::take(&mut plan.private),
        };
        let outcome = self.inner.plan(diags, &mut change).await;
        plan.private = change.private;
        if change.planned != standard {
            plan.planned = write_as(diags, "planned state", &change.planned, &self.ty)?;
        }
        let by_schema = crate::plan::replacements(&self.schema.block, &plan.prior, &plan.planned);
        for path in by_schema.into_iter().chain(change.requires_replace) {
            plan.require_replace(path);
        }
        outcome
    }
    async fn create(
        &self,
        diags: &mut Diagnostics,
        planned: &Value,
        config: &Value,
    ) -> Option<Value> {
        let p: R::State = read_as(diags, "planned state", planned, true)?;
        let c = read_as(diags, "configuration", config, true)?;
        let mut new = self.inner.create(diags, p.clone(), c).await?;
        new.keep_spelling(&p);
        applied(diags, &new, &self.ty, None)
    }
    async fn update(
        &self,
        diags: &mut Diagnostics,
        prior: &Value,
        planned: &Value,
        config: &Value,
    ) -> Option<Value> {
        let s = read_as(diags, "prior state", prior, false)?;
        let p: R::State = read_as(diags, "planned state", planned, true)?;
        let c = read_as(diags, "configuration", config, true)?;
        let mut new = self.inner.update(diags, s, p.clone(), c).await?;
        new.keep_spelling(&p);
        applied(diags, &new, &self.ty, Some(prior))
    }
    async fn delete(&self, diags: &mut Diagnostics, prior: &Value) -> Option<()> {
        let s = read_as(diags, "prior state", prior, false)?;
        self.inner.delete(diags, s).await
    }
    async fn import(&self, diags: &mut Diagnostics, id: String) -> Option<Value> {
        let s = self.inner.import(diags, id).await?;
        write_as(diags, "imported state", &s, &self.ty)
    }
    async fn upgrade_state(
        &self,
        diags: &mut Diagnostics,
        version: i64,
        raw_json: &[u8],
    ) -> Option<Value> {
        self.inner.upgrade_state(diags, version, raw_json).await
    }
}

/// The state an apply returns: what it leaves unknown keeps the `prior` value; with errors (a
/// partial result) what is still unknown becomes null, so Terraform can record it.
fn applied<S: Serialize>(
    diags: &mut Diagnostics,
    new: &S,
    ty: &Type,
    prior: Option<&Value>,
) -> Option<Value> {
    let mut v = write_as(diags, "state", new, ty)?;
    if let Some(prior) = prior {
        v.fill_unknown_from(prior);
    }
    if diags.has_errors() {
        v.fill_unknown_from(&Value::Null);
    }
    Some(v)
}

/// The object-safe form of a [`DataSource`].
#[async_trait]
pub(crate) trait DynDataSource: Send + Sync {
    fn schema(&self) -> &Schema;
    fn value_type(&self) -> &Type;
    async fn validate(&self, diags: &mut Diagnostics, config: &Value);
    async fn read(&self, diags: &mut Diagnostics, config: &Value) -> Option<Value>;
}

#[async_trait]
impl<D: DataSource> DynDataSource for Typed<D> {
    fn schema(&self) -> &Schema {
        &self.schema
    }
    fn value_type(&self) -> &Type {
        &self.ty
    }
    async fn validate(&self, diags: &mut Diagnostics, config: &Value) {
        validate_model::<D::State, _>(diags, config, |diags, c| self.inner.validate(diags, c))
            .await;
    }
    async fn read(&self, diags: &mut Diagnostics, config: &Value) -> Option<Value> {
        let c: D::State = read_as(diags, "configuration", config, true)?;
        // Checks again with what is known now (at validation it may not have been).
        c.check(&AttributePath::new(), diags);
        if diags.has_errors() {
            return None;
        }
        let new = self.inner.read(diags, c).await?;
        write_as(diags, "data", &new, &self.ty)
    }
}

/// What the server gets back from opening an ephemeral resource.
pub(crate) struct OpenedRaw {
    pub(crate) result: Value,
    pub(crate) private: Option<Vec<u8>>,
    pub(crate) renew_at: Option<SystemTime>,
}

/// The object-safe form of an [`EphemeralResource`].
#[async_trait]
pub(crate) trait DynEphemeral: Send + Sync {
    fn schema(&self) -> &Schema;
    fn value_type(&self) -> &Type;
    async fn validate(&self, diags: &mut Diagnostics, config: &Value);
    async fn open(&self, diags: &mut Diagnostics, config: &Value) -> Option<OpenedRaw>;
    async fn renew(
        &self,
        diags: &mut Diagnostics,
        private: Option<&[u8]>,
    ) -> Option<(Option<Vec<u8>>, Option<SystemTime>)>;
    async fn close(&self, diags: &mut Diagnostics, private: Option<&[u8]>) -> Option<()>;
}

fn private_in<P: DeserializeOwned>(
    diags: &mut Diagnostics,
    bytes: Option<&[u8]>,
) -> Result<Option<P>, ()> {
    match bytes {
        None | Some([]) => Ok(None),
        Some(b) => serde_json::from_slice(b).map(Some).map_err(|e| {
            diags.error(
                "Invalid private data",
                format!("The ephemeral resource's private data is unreadable: {e}."),
            );
        }),
    }
}

fn private_out<P: Serialize>(diags: &mut Diagnostics, p: Option<P>) -> Result<Option<Vec<u8>>, ()> {
    p.map(|p| serde_json::to_vec(&p)).transpose().map_err(|e| {
        diags.error(
            "Invalid private data",
            format!("The private data cannot be stored: {e}."),
        )
    })
}

#[async_trait]
impl<E: EphemeralResource> DynEphemeral for Typed<E> {
    fn schema(&self) -> &Schema {
        &self.schema
    }
    fn value_type(&self) -> &Type {
        &self.ty
    }
    async fn validate(&self, diags: &mut Diagnostics, config: &Value) {
        validate_model::<E::State, _>(diags, config, |diags, c| self.inner.validate(diags, c))
            .await;
    }
    async fn open(&self, diags: &mut Diagnostics, config: &Value) -> Option<OpenedRaw> {
        let c = read_as(diags, "configuration", config, true)?;
        let o = self.inner.open(diags, c).await?;
        let result = write_as(diags, "result", &o.result, &self.ty)?;
        let private = private_out(diags, o.private).ok()?;
        Some(OpenedRaw {
            result,
            private,
            renew_at: o.renew_at,
        })
    }
    async fn renew(
        &self,
        diags: &mut Diagnostics,
        private: Option<&[u8]>,
    ) -> Option<(Option<Vec<u8>>, Option<SystemTime>)> {
        let p = private_in(diags, private).ok()?;
        let r = self.inner.renew(diags, p).await?;
        Some((private_out(diags, r.private).ok()?, r.renew_at))
    }
    async fn close(&self, diags: &mut Diagnostics, private: Option<&[u8]>) -> Option<()> {
        let p = private_in(diags, private).ok()?;
        self.inner.close(diags, p).await
    }
}

/// The object-safe form of a [`Provider`].
#[async_trait]
pub(crate) trait DynProvider: Send + Sync {
    async fn validate(&self, diags: &mut Diagnostics, config: &Value);
    async fn configure(
        &self,
        diags: &mut Diagnostics,
        terraform_version: &str,
        config: &Value,
    ) -> Option<()>;
}

#[async_trait]
impl<P: Provider> DynProvider for P {
    async fn validate(&self, diags: &mut Diagnostics, config: &Value) {
        validate_typed(config, |c| Provider::validate(self, diags, c)).await;
    }
    async fn configure(
        &self,
        diags: &mut Diagnostics,
        terraform_version: &str,
        config: &Value,
    ) -> Option<()> {
        let c = read_as(diags, "provider configuration", config, true)?;
        Provider::configure(self, diags, terraform_version, c).await
    }
}
