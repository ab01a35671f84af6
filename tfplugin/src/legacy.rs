//! The resource trait before models, kept while resources move to [`crate::Resource`]; removed
//! once none is left.
#![allow(missing_docs)]

use async_trait::async_trait;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::diag::Diagnostics;
use crate::plan::Plan;
use crate::provider::{
    DynDataSource, DynResource, NamedDataSource, NamedResource, Typed, read_as, validate_typed,
    write_as,
};
use crate::schema::Schema;
use crate::value::{Type, Value};

/// The resource trait before models (temporary, while resources move to [`crate::Resource`]).
#[async_trait]
pub trait LegacyResource: Send + Sync + 'static {
    /// Configuration, plan and state as a struct.
    type State: Serialize + DeserializeOwned + Send + Sync;

    /// The schema.
    fn schema(&self) -> Schema;

    /// Checks the configuration. Unknown values read as null; when a plain (non-`Option`,
    /// non-`Attr`) field is unknown this hook is skipped, as the value will be checked at plan.
    async fn validate(&self, _diags: &mut Diagnostics, _config: Self::State) -> Option<()> {
        Some(())
    }

    /// Refreshes the state from the remote object; `None` without errors means it is gone.
    async fn read(&self, diags: &mut Diagnostics, state: Self::State) -> Option<Self::State>;

    /// Adjusts the standard plan (see [`crate::plan`]); the default keeps it.
    async fn plan(&self, _diags: &mut Diagnostics, _plan: &mut Plan) -> Option<()> {
        Some(())
    }

    /// Creates the object. `planned` has unknown values read as null; return the full state.
    async fn create(
        &self,
        diags: &mut Diagnostics,
        planned: Self::State,
        config: Self::State,
    ) -> Option<Self::State>;

    /// Updates the object in place.
    async fn update(
        &self,
        diags: &mut Diagnostics,
        prior: Self::State,
        planned: Self::State,
        config: Self::State,
    ) -> Option<Self::State>;

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

pub(crate) struct Legacy<R>(Typed<R>);

/// Registers a legacy resource type.
pub fn legacy_resource<R: LegacyResource>(name: impl Into<String>, r: R) -> NamedResource {
    let schema = r.schema();
    let ty = schema.value_type();
    NamedResource {
        name: name.into(),
        inner: Box::new(Legacy(Typed {
            inner: r,
            schema,
            ty,
        })),
    }
}

#[async_trait]
impl<R: LegacyResource> DynResource for Legacy<R> {
    fn schema(&self) -> &Schema {
        &self.0.schema
    }
    fn value_type(&self) -> &Type {
        &self.0.ty
    }
    async fn validate(&self, diags: &mut Diagnostics, config: &Value) {
        validate_typed(config, |c| self.0.inner.validate(diags, c)).await;
    }
    async fn read(&self, diags: &mut Diagnostics, state: &Value) -> Option<Value> {
        let s = read_as(diags, "state", state, false)?;
        let new = self.0.inner.read(diags, s).await?;
        write_as(diags, "state", &new, &self.0.ty)
    }
    async fn plan(&self, diags: &mut Diagnostics, plan: &mut Plan) -> Option<()> {
        for path in crate::plan::replacements(&self.0.schema.block, &plan.prior, &plan.planned) {
            plan.require_replace(path);
        }
        self.0.inner.plan(diags, plan).await
    }
    async fn create(
        &self,
        diags: &mut Diagnostics,
        planned: &Value,
        config: &Value,
    ) -> Option<Value> {
        let p = read_as(diags, "planned state", planned, true)?;
        let c = read_as(diags, "configuration", config, true)?;
        let new = self.0.inner.create(diags, p, c).await?;
        write_as(diags, "state", &new, &self.0.ty)
    }
    async fn update(
        &self,
        diags: &mut Diagnostics,
        prior: &Value,
        planned: &Value,
        config: &Value,
    ) -> Option<Value> {
        let s = read_as(diags, "prior state", prior, false)?;
        let p = read_as(diags, "planned state", planned, true)?;
        let c = read_as(diags, "configuration", config, true)?;
        let new = self.0.inner.update(diags, s, p, c).await?;
        write_as(diags, "state", &new, &self.0.ty)
    }
    async fn delete(&self, diags: &mut Diagnostics, prior: &Value) -> Option<()> {
        let s = read_as(diags, "prior state", prior, false)?;
        self.0.inner.delete(diags, s).await
    }
    async fn import(&self, diags: &mut Diagnostics, id: String) -> Option<Value> {
        let s = self.0.inner.import(diags, id).await?;
        write_as(diags, "imported state", &s, &self.0.ty)
    }
    async fn upgrade_state(
        &self,
        diags: &mut Diagnostics,
        version: i64,
        raw_json: &[u8],
    ) -> Option<Value> {
        self.0.inner.upgrade_state(diags, version, raw_json).await
    }
}

/// The data source trait before models (temporary).
#[async_trait]
pub trait LegacyDataSource: Send + Sync + 'static {
    type State: Serialize + DeserializeOwned + Send + Sync;
    fn schema(&self) -> Schema;
    async fn validate(&self, _diags: &mut Diagnostics, _config: Self::State) -> Option<()> {
        Some(())
    }
    async fn read(&self, diags: &mut Diagnostics, config: Self::State) -> Option<Self::State>;
}

/// Registers a legacy data source type.
pub fn legacy_data_source<D: LegacyDataSource>(name: impl Into<String>, d: D) -> NamedDataSource {
    let schema = d.schema();
    let ty = schema.value_type();
    NamedDataSource {
        name: name.into(),
        inner: Box::new(Legacy(Typed {
            inner: d,
            schema,
            ty,
        })),
    }
}

#[async_trait]
impl<D: LegacyDataSource> DynDataSource for Legacy<D> {
    fn schema(&self) -> &Schema {
        &self.0.schema
    }
    fn value_type(&self) -> &Type {
        &self.0.ty
    }
    async fn validate(&self, diags: &mut Diagnostics, config: &Value) {
        validate_typed(config, |c| self.0.inner.validate(diags, c)).await;
    }
    async fn read(&self, diags: &mut Diagnostics, config: &Value) -> Option<Value> {
        let c = read_as(diags, "configuration", config, true)?;
        let new = self.0.inner.read(diags, c).await?;
        write_as(diags, "data", &new, &self.0.ty)
    }
}
