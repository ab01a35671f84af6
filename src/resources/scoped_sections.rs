//! What `spirl_org_config`, `spirl_trust_domain_config`, `spirl_trust_domain_deployment_config`
//! and `spirl_cluster_config` share: a configuration scope's sections, managed whole. Each type's
//! own file says only whose configuration it is ([`Scope`]).
//!
//! - `sections` maps a section name to its self-describing YAML document. Documents are checked
//!   at plan time (`crate::sections`), and compared by meaning: the control plane may store them
//!   re-serialised, and the state keeps the text the user wrote while it means the same. A plan
//!   whose only change is formatting keeps `version` and sends nothing at apply.
//! - When the scope is known, a plan that changes sections asks the control plane to validate
//!   them (`validate_only`), so that a document it would refuse fails the plan, at `sections`.
//! - Every update prunes (a section removed from the map is removed) and carries the `version`
//!   Terraform last read as `expected_version`: a configuration changed by someone else since
//!   is an error naming both versions, never an overwrite.
//! - Sections the control plane marks read-only are its own: they are not in `sections`, and
//!   neither updates nor destroy touch them.
//! - Create takes over the scope's configuration (it exists as long as its object does): its
//!   plan warns about sections that exist and are not in the configuration. Destroy removes
//!   every section Terraform manages.

use std::collections::BTreeMap;

use tfplugin::{
    Attr, AttributePath, Change, Diagnostics, Kind, Model, Read, Resource, Schema, TfValue,
};

use super::refreshed;
use crate::client::{ApiError, Client, ClientHandle, ScopeSections, SectionScope, SectionsUpdate};
use crate::diagnostics;
use crate::sections::{self, SectionYaml};

/// `sections` as the state holds it.
pub type Sections = BTreeMap<String, Attr<SectionYaml>>;

/// What every configuration state has besides its scope attribute.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SectionsFields {
    /// Section name → YAML document.
    pub sections: Attr<Sections>,
    /// The configuration's version.
    pub version: Attr<String>,
    /// RFC 3339.
    pub updated_at: Attr<String>,
}

/// The state of a configuration type: its scope attribute and the [`SectionsFields`].
pub trait SectionsState:
    Model + serde::Serialize + serde::de::DeserializeOwned + Send + Sync + 'static
{
    /// The scope attribute.
    fn scope(&self) -> &Attr<String>;
    /// The path of the scope attribute.
    fn scope_path() -> AttributePath;
    /// The path of `sections`.
    fn sections_path() -> AttributePath;
    /// The common fields.
    fn fields(&self) -> SectionsFields;
    /// Sets the common fields.
    fn set_fields(&mut self, fields: SectionsFields);
    /// A state of `scope_id` with `fields`.
    fn of(scope_id: &str, fields: SectionsFields) -> Self;
}

/// Declares the state struct of a configuration type, its scope attribute (with its description
/// and `#[tf]` flags) first, and its [`SectionsState`].
macro_rules! config_state {
    ($(#[$doc:meta])* $name:ident, $(#[doc = $scope_doc:literal])* $scope:ident($($flags:tt)*)) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, tfplugin::Model,
        )]
        pub struct $name {
            $(#[doc = $scope_doc])*
            #[tf($($flags)*)]
            pub $scope: tfplugin::Attr<String>,
            /// The configuration sections: each key is a section name (such as `KeyManager`),
            /// each value its self-describing YAML document with `section` (the same name),
            /// `schema` (such as `v1`) and the settings (usually under `spec`). Documents are
            /// compared by meaning (anchors and aliases expanded), so the control plane's
            /// formatting never shows as a change; a document with tags other than `!!str`, or
            /// several documents in one value, is sent as written for the control plane to
            /// judge, and compared as text. Sections not in the map are removed; sections the
            /// control plane manages itself (read-only) are left alone and not shown.
            #[tf(required, check = $crate::resources::scoped_sections::check_sections)]
            pub sections: tfplugin::Attr<$crate::resources::scoped_sections::Sections>,
            /// The configuration's version, for optimistic concurrency: every update sends the
            /// version Terraform last read, and the control plane refuses it if someone changed
            /// the configuration since (the error names both versions; plan again to see the
            /// change).
            #[tf(computed)]
            pub version: tfplugin::Attr<String>,
            /// When the configuration last changed (RFC 3339, UTC); empty if never.
            #[tf(computed)]
            pub updated_at: tfplugin::Attr<String>,
        }

        impl $crate::resources::scoped_sections::SectionsState for $name {
            fn scope(&self) -> &tfplugin::Attr<String> {
                &self.$scope
            }

            fn scope_path() -> tfplugin::AttributePath {
                <Self as tfplugin::Model>::paths().$scope
            }

            fn sections_path() -> tfplugin::AttributePath {
                <Self as tfplugin::Model>::paths().sections
            }

            fn fields(&self) -> $crate::resources::scoped_sections::SectionsFields {
                $crate::resources::scoped_sections::SectionsFields {
                    sections: self.sections.clone(),
                    version: self.version.clone(),
                    updated_at: self.updated_at.clone(),
                }
            }

            fn set_fields(&mut self, fields: $crate::resources::scoped_sections::SectionsFields) {
                self.sections = fields.sections;
                self.version = fields.version;
                self.updated_at = fields.updated_at;
            }

            fn of(scope_id: &str, fields: $crate::resources::scoped_sections::SectionsFields) -> Self {
                let mut state = $name {
                    $scope: tfplugin::Attr::Value(scope_id.to_owned()),
                    ..$name::default()
                };
                $crate::resources::scoped_sections::SectionsState::set_fields(&mut state, fields);
                state
            }
        }
    };
}
pub(crate) use config_state;

/// One Terraform type of configuration: whose it is and how its state looks.
pub trait Scope: Send + Sync + 'static {
    /// The state struct.
    type State: SectionsState;
    /// "trust domain configuration", for messages.
    const WHAT: &'static str;
    /// The id of the only configuration of its kind (the organisation's, whose scope attribute
    /// is computed), or `None` when the scope attribute names the object.
    const SINGLETON: Option<&'static str> = None;
    /// The resource's description (markdown).
    const DESCRIPTION: &'static str;
    /// What `terraform import` takes, in words.
    const IMPORT_ID: &'static str;

    /// The scope of `id`, the value of the scope attribute (ignored for the organisation).
    fn scope(id: &str) -> SectionScope;
    /// Why `id` cannot be imported, or `None`.
    fn import_problem(id: &str) -> Option<String>;
}

/// The check of a scope attribute: the control plane judges the id, but an empty one is no id.
pub fn scope_check(id: &str, at: &AttributePath, diags: &mut Diagnostics) {
    if id.trim().is_empty() {
        diags.error_at(
            at.clone(),
            format!("Empty {at}"),
            format!("{at} is empty. Set it to the id of the object whose configuration this is."),
        );
    }
}

/// The check of `sections`: every problem, at its element.
pub fn check_sections(sections: &Sections, at: &AttributePath, diags: &mut Diagnostics) {
    for (name, text) in sections {
        let at = at.clone().key(name);
        if let Some(problem) = sections::name_problem(name) {
            diags.error_at(at, "Invalid section name", problem);
        } else if let Some(Err(problem)) = text.known().map(|t| sections::check_section(name, &t.0))
        {
            diags.error_at(at, "Invalid configuration section", problem);
        }
    }
}

/// The known sections, when every one of them is known.
fn known_sections(sections: &Sections) -> Option<Vec<(String, String)>> {
    sections
        .iter()
        .map(|(name, text)| Some((name.clone(), text.known()?.0.clone())))
        .collect()
}

/// The fields for `remote`: each writable section as the control plane has it (the layer keeps
/// the text the user wrote while it means the same).
fn fields_of(remote: &ScopeSections) -> SectionsFields {
    let sections = remote
        .writable()
        .map(|s| (s.name.clone(), Attr::Value(SectionYaml(s.yaml.clone()))));
    SectionsFields {
        sections: Attr::Value(sections.collect()),
        version: Attr::Value(remote.version.clone()),
        updated_at: Attr::Value(remote.updated_at.clone()),
    }
}

/// The generic resource of a [`Scope`].
pub struct SectionsResource<K> {
    client: ClientHandle,
    kind: std::marker::PhantomData<fn() -> K>,
}

impl<K: Scope> SectionsResource<K> {
    /// The resource, calling the API through `client` once the provider is configured.
    pub fn new(client: &ClientHandle) -> Self {
        SectionsResource {
            client: client.clone(),
            kind: std::marker::PhantomData,
        }
    }

    /// The scope id of `state`, when known.
    fn scope_id(state: &K::State) -> Option<String> {
        K::SINGLETON
            .map(str::to_owned)
            .or_else(|| state.scope().known().cloned())
    }

    /// Reports `error`; a refused section is reported at `sections`, an unknown scope at its
    /// attribute.
    fn report(diags: &mut Diagnostics, error: &ApiError) {
        match error {
            ApiError::NotFound(_) if K::SINGLETON.is_none() => {
                diagnostics::missing_reference(diags, error, K::State::scope_path());
            }
            ApiError::InvalidArgument(_) => {
                diagnostics::api_error(diags, error, Some(K::State::sections_path()));
            }
            _ => diagnostics::api_error(diags, error, None),
        }
    }

    /// Sends `sections` (pruning) with `expected_version`; the new state, or `None` after
    /// reporting.
    async fn write(
        &self,
        diags: &mut Diagnostics,
        client: &Client,
        scope_id: &str,
        wanted: &Sections,
        expected_version: String,
    ) -> Option<K::State> {
        let update = SectionsUpdate {
            sections: known_sections(wanted)?,
            prune: true,
            expected_version,
            validate_only: false,
        };
        match client.update_config(&K::scope(scope_id), &update).await {
            Ok(config) => Some(K::State::of(scope_id, fields_of(&config))),
            Err(e) => {
                Self::report(diags, &e);
                None
            }
        }
    }
}

#[tfplugin::async_trait]
impl<K: Scope> Resource for SectionsResource<K> {
    type State = K::State;

    fn schema(&self) -> Schema {
        Schema::of::<K::State>(Kind::Resource).description(K::DESCRIPTION)
    }

    async fn read(&self, diags: &mut Diagnostics, state: K::State) -> Option<Read<K::State>> {
        let client = self.client.get(diags)?;
        let scope_id = Self::scope_id(&state)?;
        let found = client.get_config(&K::scope(&scope_id)).await;
        let found = found.map(|config| Some(K::State::of(&scope_id, fields_of(&config))));
        refreshed(diags, K::WHAT, &scope_id, found)
    }

    async fn plan(&self, diags: &mut Diagnostics, change: &mut Change<K::State>) -> Option<()> {
        let config = change.config.fields();
        if let Some(prior) = change.prior.as_ref().map(SectionsState::fields) {
            // Only the text changed: nothing is sent, the version stays.
            let unchanged = prior.sections.semantically_equal(&config.sections);
            let kept = if unchanged {
                prior
            } else {
                change.planned.fields()
            };
            // The text as configured, not the prior's that the layer keeps where it means the
            // same: Terraform takes a map's plan whole, and the state keeps what the user wrote.
            let sections = config.sections.clone();
            change
                .planned
                .set_fields(SectionsFields { sections, ..kept });
            if unchanged {
                return Some(());
            }
        }
        let Some(wanted) = config.sections.known().and_then(known_sections) else {
            return Some(());
        };
        // The control plane's own check, when the scope is known and a client is configured.
        let Some(scope_id) = Self::scope_id(&change.config) else {
            return Some(());
        };
        let Some(client) = self.client.ready() else {
            return Some(());
        };
        let scope = K::scope(&scope_id);
        if change.is_create()
            && let Ok(existing) = client.get_config(&scope).await
        {
            let dropped: Vec<String> = existing
                .writable()
                .filter(|s| !wanted.iter().any(|(name, _)| name == &s.name))
                .map(|s| format!("`{}`", s.name))
                .collect();
            if !dropped.is_empty() {
                diags.warning_at(
                    K::State::sections_path(),
                    format!("Existing sections will be removed from the {}", K::WHAT),
                    format!(
                        "The {} already has the sections {}, which are not in this \
                         configuration: creating this resource removes them. To keep them, \
                         add them to `sections`, or import the resource first (`terraform \
                         import`, {}) to see them in the plan.",
                        K::WHAT,
                        dropped.join(", "),
                        K::IMPORT_ID
                    ),
                );
            }
        }
        let check = SectionsUpdate {
            sections: wanted,
            prune: true,
            expected_version: String::new(),
            validate_only: true,
        };
        match client.update_config(&scope, &check).await {
            Ok(_) => {}
            Err(e @ ApiError::InvalidArgument(_)) => {
                diagnostics::api_error(diags, &e, Some(K::State::sections_path()));
                return None;
            }
            // Anything else (the object does not exist yet, the network) is for apply to say.
            Err(e) => log::debug!(
                "{}: validating the sections at plan time failed: {e}",
                K::WHAT
            ),
        }
        Some(())
    }

    async fn create(
        &self,
        diags: &mut Diagnostics,
        planned: K::State,
        _config: K::State,
    ) -> Option<K::State> {
        let client = self.client.get(diags)?;
        let scope_id = Self::scope_id(&planned)?;
        let wanted = planned.fields().sections.into_known()?;
        // The configuration exists with its object; its version guards the takeover.
        let current = match client.get_config(&K::scope(&scope_id)).await {
            Ok(current) => current,
            Err(e) => {
                Self::report(diags, &e);
                return None;
            }
        };
        self.write(diags, client, &scope_id, &wanted, current.version)
            .await
    }

    async fn update(
        &self,
        diags: &mut Diagnostics,
        prior: K::State,
        planned: K::State,
        _config: K::State,
    ) -> Option<K::State> {
        let client = self.client.get(diags)?;
        let scope_id = Self::scope_id(&prior)?;
        let (prior, wanted) = (prior.fields(), planned.fields().sections);
        if prior.sections.semantically_equal(&wanted) {
            // Only the text changed (the plan kept the version): nothing to send.
            return Some(planned);
        }
        let version = prior.version.into_known().unwrap_or_default();
        self.write(diags, client, &scope_id, &wanted.into_known()?, version)
            .await
    }

    async fn delete(&self, diags: &mut Diagnostics, prior: K::State) -> Option<()> {
        let client = self.client.get(diags)?;
        let scope_id = Self::scope_id(&prior)?;
        let update = SectionsUpdate {
            sections: Vec::new(),
            prune: true,
            expected_version: prior.fields().version.into_known().unwrap_or_default(),
            validate_only: false,
        };
        match client.update_config(&K::scope(&scope_id), &update).await {
            Ok(_) => Some(()),
            // The object went, and its configuration with it.
            Err(e) if e.is_not_found() => Some(()),
            Err(e) => {
                diagnostics::api_error(diags, &e, None);
                None
            }
        }
    }

    async fn import(&self, diags: &mut Diagnostics, id: String) -> Option<K::State> {
        let client = self.client.get(diags)?;
        let id = id.trim().to_owned();
        if let Some(problem) = K::import_problem(&id) {
            diags.error(format!("Cannot import the {}", K::WHAT), problem);
            return None;
        }
        match client.get_config(&K::scope(&id)).await {
            Ok(config) => Some(K::State::of(&id, fields_of(&config))),
            Err(e) => {
                diagnostics::api_error(diags, &e, None);
                None
            }
        }
    }
}

/// The import-id check of a type whose scope is an object id with `prefix`.
pub fn id_import_problem(id: &str, prefix: &str, what: &str) -> Option<String> {
    (!crate::client::has_id_shape(id, prefix)).then(|| {
        format!(
            "`terraform import` takes the {what} id (`{prefix}…`), and {} is not one. Copy \
             the id from the Defakto console or from the object's resource.",
            crate::problem::quote(id)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::Section;
    use crate::resources::trust_domain_config::{TrustDomainConfig, TrustDomainConfigState};

    fn remote(sections: &[(&str, &str, bool)]) -> ScopeSections {
        ScopeSections {
            version: "7".into(),
            updated_at: "2026-01-01T00:00:00Z".into(),
            sections: sections
                .iter()
                .map(|(name, yaml, read_only)| Section {
                    name: (*name).into(),
                    schema: "v1".into(),
                    yaml: (*yaml).into(),
                    read_only: *read_only,
                })
                .collect(),
        }
    }

    fn state(sections: &[(&str, &str, bool)]) -> TrustDomainConfigState {
        TrustDomainConfigState::of("td-1", fields_of(&remote(sections)))
    }

    #[test]
    fn config_state_keeps_the_users_text_while_it_means_the_same() {
        let mine = "section: A\nschema: v1\nspec: {x: 1}\n";
        let theirs = "---\nsection: A\nschema: v1\nspec:\n  x: 1\n";
        let wanted = state(&[("A", mine, false)]);
        let refreshed = |sections: &[(&str, &str, bool)]| {
            let mut s = state(sections);
            s.keep_spelling(&wanted);
            s.sections.into_known().unwrap_or_default()
        };
        let text = |t: &str| Attr::Value(SectionYaml(t.to_owned()));
        assert_eq!(refreshed(&[("A", theirs, false)])["A"], text(mine));
        // Drift shows as the control plane's text.
        let changed = "section: A\nschema: v1\nspec: {x: 2}\n";
        assert_eq!(refreshed(&[("A", changed, false)])["A"], text(changed));
        // Read-only sections are not the user's.
        assert_eq!(
            refreshed(&[("A", theirs, false), ("B", theirs, true)]).len(),
            1
        );
    }

    /// What the layer and the hook plan: the configuration in the prior's spelling where it
    /// means the same, computed values unknown; then the hook (without a client).
    async fn plan(
        prior: &TrustDomainConfigState,
        config: TrustDomainConfigState,
    ) -> TrustDomainConfigState {
        let mut planned = config.clone();
        planned.keep_spelling(prior);
        planned.version = Attr::Unknown;
        let mut change = Change {
            prior: Some(prior.clone()),
            config,
            planned,
            requires_replace: Vec::new(),
            private: Vec::new(),
        };
        let resource = SectionsResource::<TrustDomainConfig>::new(&ClientHandle::default());
        let outcome = resource.plan(&mut Diagnostics::new(), &mut change).await;
        assert_eq!(outcome, Some(()));
        change.planned
    }

    #[tokio::test]
    async fn config_plan_is_the_configuration_or_the_prior_state_whole() {
        let a = "section: A\nschema: v1\nspec: {x: 1}";
        let a_flow = "{section: A, schema: v1, spec: {x: 1}}";
        let b = "section: B\nschema: v1\nspec: {y: 1}";
        let prior = state(&[("A", a, false), ("B", b, false)]);
        // Only formatting: the new text, with the prior version.
        let reformatted = state(&[("A", a_flow, false), ("B", b, false)]);
        let planned = plan(&prior, reformatted.clone()).await;
        assert_eq!(planned.sections, reformatted.sections);
        assert_eq!(planned.version, prior.version);
        // One section reformatted, another changed: the configuration, not a mix.
        let config = state(&[
            ("A", a_flow, false),
            ("B", "section: B\nschema: v1\nspec: {y: 2}", false),
        ]);
        let planned = plan(&prior, config.clone()).await;
        assert_eq!(planned.sections, config.sections);
        assert_eq!(planned.version, Attr::Unknown);
    }

    #[test]
    fn config_holds_checks_meaning_and_prune() {
        let config = remote(&[
            ("A", "section: A\nschema: v1\nspec: {x: 1}", false),
            ("R", "x: 1", true),
        ]);
        let update = |sections: &[(&str, &str)], prune| SectionsUpdate {
            sections: sections
                .iter()
                .map(|(n, t)| ((*n).into(), (*t).into()))
                .collect(),
            prune,
            ..SectionsUpdate::default()
        };
        assert!(config.holds(&update(
            &[("A", "{section: A, schema: v1, spec: {x: 1}}")],
            true
        )));
        assert!(!config.holds(&update(
            &[("A", "{section: A, schema: v1, spec: {x: 2}}")],
            true
        )));
        // The read-only section does not count against prune; a missing one does.
        assert!(config.holds(&update(&[], false)));
        assert!(!config.holds(&update(&[], true)));
    }
}
