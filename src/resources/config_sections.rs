//! What `spirl_org_config`, `spirl_trust_domain_config`, `spirl_trust_domain_deployment_config`
//! and `spirl_cluster_config` share: a configuration scope's sections, managed whole. Each type's
//! own file says only whose configuration it is ([`ConfigKind`]).
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

use tfplugin::{Attr, Attribute, AttributePath, Diagnostics, LegacyResource, Plan, Schema};

use crate::client::{ApiError, Client, ClientHandle, ConfigScope, ConfigUpdate, Configuration};
use crate::diagnostics;
use crate::sections;

/// `sections` as the state holds it.
pub type Sections = BTreeMap<String, Attr<String>>;

/// What every configuration state has besides its scope attribute.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConfigFields {
    /// Section name → YAML document.
    pub sections: Attr<Sections>,
    /// The configuration's version.
    pub version: Attr<String>,
    /// RFC 3339.
    pub updated_at: Attr<String>,
}

/// The state of a configuration type: its scope attribute and the [`ConfigFields`].
pub trait ConfigState:
    serde::Serialize + serde::de::DeserializeOwned + Send + Sync + Clone + 'static
{
    /// The scope attribute's value, when known.
    fn scope_id(&self) -> Option<String>;
    /// The common fields.
    fn fields(&self) -> ConfigFields;
    /// A state of `scope_id` with `fields`.
    fn of(scope_id: &str, fields: ConfigFields) -> Self;
}

/// Declares the state struct of a configuration type whose scope is the object id in the
/// attribute `$scope`, and its [`ConfigState`].
macro_rules! config_state {
    ($(#[$doc:meta])* $name:ident, $scope:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
        pub struct $name {
            /// The id of the object whose configuration this is.
            pub $scope: tfplugin::Attr<String>,
            /// Section name → YAML document.
            pub sections: tfplugin::Attr<$crate::resources::config_sections::Sections>,
            /// The configuration's version.
            pub version: tfplugin::Attr<String>,
            /// RFC 3339.
            pub updated_at: tfplugin::Attr<String>,
        }

        impl $crate::resources::config_sections::ConfigState for $name {
            fn scope_id(&self) -> Option<String> {
                self.$scope.known().cloned()
            }

            fn fields(&self) -> $crate::resources::config_sections::ConfigFields {
                $crate::resources::config_sections::ConfigFields {
                    sections: self.sections.clone(),
                    version: self.version.clone(),
                    updated_at: self.updated_at.clone(),
                }
            }

            fn of(
                scope_id: &str,
                fields: $crate::resources::config_sections::ConfigFields,
            ) -> Self {
                $name {
                    $scope: tfplugin::Attr::Value(scope_id.to_owned()),
                    sections: fields.sections,
                    version: fields.version,
                    updated_at: fields.updated_at,
                }
            }
        }
    };
}
pub(crate) use config_state;

/// One Terraform type of configuration: whose it is and how its state looks.
pub trait ConfigKind: Send + Sync + 'static {
    /// The state struct.
    type State: ConfigState;
    /// "trust domain configuration", for messages.
    const WHAT: &'static str;
    /// The attribute naming the scope's object (`trust_domain_id`), or `None` for the
    /// organisation.
    const SCOPE_ATTRIBUTE: Option<&'static str>;
    /// The resource's description (markdown).
    const DESCRIPTION: &'static str;
    /// The description of the scope attribute (markdown).
    const SCOPE_DESCRIPTION: &'static str;
    /// What `terraform import` takes, in words.
    const IMPORT_ID: &'static str;

    /// The scope of `id`, the value of the scope attribute (ignored for the organisation).
    fn scope(id: &str) -> ConfigScope;
    /// Why `id` cannot be imported, or `None`.
    fn import_problem(id: &str) -> Option<String>;
}

/// The attributes every configuration type has; the scope attribute first when there is one.
fn schema_of<K: ConfigKind>() -> Schema {
    let mut schema = Schema::new().description(K::DESCRIPTION);
    if let Some(name) = K::SCOPE_ATTRIBUTE {
        schema = schema.attribute(
            Attribute::string(name)
                .required()
                .requires_replace()
                .description(K::SCOPE_DESCRIPTION),
        );
    } else {
        schema = schema.attribute(
            Attribute::string("id")
                .computed()
                .use_state_for_unknown()
                .description(K::SCOPE_DESCRIPTION),
        );
    }
    schema
        .attribute(
            Attribute::new("sections", tfplugin::Type::map(tfplugin::Type::String))
                .required()
                .description(
                    "The configuration sections: each key is a section name (such as \
                     `KeyManager`), each value its self-describing YAML document with \
                     `section` (the same name), `schema` (such as `v1`) and `spec` (the \
                     settings). Documents are compared by meaning, so the control plane's \
                     formatting never shows as a change. Sections not in the map are removed; \
                     sections the control plane manages itself (read-only) are left alone and \
                     not shown. Anchors, aliases, tags other than `!!str` and several \
                     documents in one value are refused.",
                ),
        )
        .attribute(Attribute::string("version").computed().description(
            "The configuration's version, for optimistic concurrency: every update \
                     sends the version Terraform last read, and the control plane refuses it \
                     if someone changed the configuration since (the error names both \
                     versions; plan again to see the change).",
        ))
        .attribute(
            Attribute::string("updated_at").computed().description(
                "When the configuration last changed (RFC 3339, UTC); empty if never.",
            ),
        )
}

/// Reports every problem of `sections` at its element; `Some(())` when there are none.
fn check_sections(diags: &mut Diagnostics, sections: &Attr<Sections>) -> Option<()> {
    let mut ok = true;
    for (name, text) in sections.known().into_iter().flatten() {
        let at = AttributePath::root("sections").key(name);
        if let Some(problem) = sections::name_problem(name) {
            diags.error_at(at.clone(), "Invalid section name", problem);
            ok = false;
            continue;
        }
        if let Some(Err(problem)) = text.known().map(|t| sections::parse_section(name, t)) {
            diags.error_at(at, "Invalid configuration section", problem);
            ok = false;
        }
    }
    ok.then_some(())
}

/// The known sections, when every one of them is known.
fn known_sections(sections: &Attr<Sections>) -> Option<Vec<(String, String)>> {
    sections
        .known()?
        .iter()
        .map(|(name, text)| Some((name.clone(), text.known()?.clone())))
        .collect()
}

/// The state's `sections` for `remote`: each writable section, in the text of `wanted` while it
/// means the same (what the user wrote), else as the control plane has it.
fn sections_state(wanted: Option<&Sections>, remote: &Configuration) -> Sections {
    remote
        .writable()
        .map(|s| {
            let text = wanted
                .and_then(|w| w.get(&s.name))
                .and_then(Attr::known)
                .filter(|t| sections::same(t, &s.yaml))
                .unwrap_or(&s.yaml);
            (s.name.clone(), Attr::Value(text.clone()))
        })
        .collect()
}

fn fields_of(wanted: Option<&Sections>, remote: &Configuration) -> ConfigFields {
    ConfigFields {
        sections: Attr::Value(sections_state(wanted, remote)),
        version: Attr::Value(remote.version.clone()),
        updated_at: Attr::Value(remote.updated_at.clone()),
    }
}

/// Whether two section maps mean the same.
fn same_sections(a: &[(String, String)], b: &Sections) -> bool {
    a.len() == b.len()
        && a.iter().all(|(name, text)| {
            b.get(name)
                .and_then(Attr::known)
                .is_some_and(|t| sections::same(t, text))
        })
}

/// The generic resource of a [`ConfigKind`].
pub struct ConfigResource<K> {
    client: ClientHandle,
    kind: std::marker::PhantomData<fn() -> K>,
}

impl<K: ConfigKind> ConfigResource<K> {
    /// The resource, calling the API through `client` once the provider is configured.
    pub fn new(client: &ClientHandle) -> Self {
        ConfigResource {
            client: client.clone(),
            kind: std::marker::PhantomData,
        }
    }

    /// Where an API failure about the scope belongs.
    fn scope_path() -> Option<AttributePath> {
        K::SCOPE_ATTRIBUTE.map(AttributePath::root)
    }

    /// Reports `error`; a refused section is reported at `sections`, an unknown scope at its
    /// attribute.
    fn report(diags: &mut Diagnostics, error: &ApiError) {
        match (error, Self::scope_path()) {
            (ApiError::NotFound(_), Some(scope)) => {
                diagnostics::missing_reference(diags, error, scope);
            }
            (ApiError::InvalidArgument(_), _) => {
                diagnostics::api_error(diags, error, Some(AttributePath::root("sections")));
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
        let sections = known_sections(&Attr::Value(wanted.clone()))?;
        let update = ConfigUpdate {
            sections,
            prune: true,
            expected_version,
            validate_only: false,
        };
        match client.update_config(&K::scope(scope_id), &update).await {
            Ok(config) => Some(K::State::of(scope_id, fields_of(Some(wanted), &config))),
            Err(e) => {
                Self::report(diags, &e);
                None
            }
        }
    }
}

#[tfplugin::async_trait]
impl<K: ConfigKind> LegacyResource for ConfigResource<K> {
    type State = K::State;

    fn schema(&self) -> Schema {
        schema_of::<K>()
    }

    async fn validate(&self, diags: &mut Diagnostics, config: K::State) -> Option<()> {
        if let (Some(name), Some(id)) = (K::SCOPE_ATTRIBUTE, ConfigState::scope_id(&config))
            && id.trim().is_empty()
        {
            diags.error_at(
                AttributePath::root(name),
                format!("Empty {name}"),
                format!(
                    "{name} is empty. Set it to the id of the object whose configuration this is."
                ),
            );
        }
        check_sections(diags, &ConfigState::fields(&config).sections);
        (!diags.has_errors()).then_some(())
    }

    async fn read(&self, diags: &mut Diagnostics, state: K::State) -> Option<K::State> {
        let client = self.client.get(diags)?;
        let scope_id = ConfigState::scope_id(&state)?;
        match client.get_config(&K::scope(&scope_id)).await {
            Ok(config) => {
                let prior = ConfigState::fields(&state).sections;
                Some(K::State::of(&scope_id, fields_of(prior.known(), &config)))
            }
            Err(e) if e.is_not_found() => {
                log::info!(scope = scope_id.as_str(); "{} is gone with its object; removing it from the state", K::WHAT);
                None
            }
            Err(e) => {
                diagnostics::api_error(diags, &e, None);
                None
            }
        }
    }

    async fn plan(&self, diags: &mut Diagnostics, plan: &mut Plan) -> Option<()> {
        if plan.is_destroy() {
            return Some(());
        }
        let Ok(config) = plan.config_as::<K::State>() else {
            return Some(());
        };
        let Some(wanted) = known_sections(&ConfigState::fields(&config).sections) else {
            return Some(());
        };
        let prior = plan.prior_as::<K::State>().ok().flatten();
        let prior_sections = prior.as_ref().map(|p| p.fields().sections);
        let unchanged = prior_sections
            .as_ref()
            .and_then(Attr::known)
            .is_some_and(|p| same_sections(&wanted, p));
        if unchanged && plan.is_update() {
            // Only the text changed: nothing is sent, the version stays.
            for attr in ["version", "updated_at"] {
                let at = AttributePath::root(attr);
                if let Some(prior) = plan.prior_at(&at).cloned() {
                    plan.set_planned(&at, prior);
                }
            }
            return Some(());
        }
        // The control plane's own check, when the scope is known and a client is configured.
        let Some(scope_id) = ConfigState::scope_id(&config) else {
            return Some(());
        };
        let mut quiet = Diagnostics::new();
        let Some(client) = self.client.get(&mut quiet) else {
            return Some(());
        };
        let scope = K::scope(&scope_id);
        if plan.is_create()
            && let Ok(existing) = client.get_config(&scope).await
        {
            let dropped: Vec<String> = existing
                .writable()
                .filter(|s| !wanted.iter().any(|(name, _)| name == &s.name))
                .map(|s| format!("`{}`", s.name))
                .collect();
            if !dropped.is_empty() {
                diags.warning_at(
                    AttributePath::root("sections"),
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
        let check = ConfigUpdate {
            sections: wanted,
            prune: true,
            expected_version: String::new(),
            validate_only: true,
        };
        match client.update_config(&scope, &check).await {
            Ok(_) => {}
            Err(e @ ApiError::InvalidArgument(_)) => {
                diagnostics::api_error(diags, &e, Some(AttributePath::root("sections")));
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
        let scope_id = ConfigState::scope_id(&planned)?;
        let wanted = ConfigState::fields(&planned).sections.into_known()?;
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
        let scope_id = ConfigState::scope_id(&prior)?;
        let wanted = ConfigState::fields(&planned).sections.into_known()?;
        let before = ConfigState::fields(&prior);
        let wanted_list = known_sections(&Attr::Value(wanted.clone()))?;
        if before
            .sections
            .known()
            .is_some_and(|p| same_sections(&wanted_list, p))
        {
            // Only formatting changed: keep the new text, send nothing.
            return Some(K::State::of(
                &scope_id,
                ConfigFields {
                    sections: Attr::Value(wanted),
                    ..before
                },
            ));
        }
        let version = before.version.into_known().unwrap_or_default();
        self.write(diags, client, &scope_id, &wanted, version).await
    }

    async fn delete(&self, diags: &mut Diagnostics, prior: K::State) -> Option<()> {
        let client = self.client.get(diags)?;
        let scope_id = ConfigState::scope_id(&prior)?;
        let update = ConfigUpdate {
            sections: Vec::new(),
            prune: true,
            expected_version: ConfigState::fields(&prior)
                .version
                .into_known()
                .unwrap_or_default(),
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
            Ok(config) => Some(K::State::of(&id, fields_of(None, &config))),
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
    use crate::client::ConfigSection;

    fn remote(sections: &[(&str, &str, bool)]) -> Configuration {
        Configuration {
            version: "7".into(),
            updated_at: "2026-01-01T00:00:00Z".into(),
            sections: sections
                .iter()
                .map(|(name, yaml, read_only)| ConfigSection {
                    name: (*name).into(),
                    schema: "v1".into(),
                    yaml: (*yaml).into(),
                    read_only: *read_only,
                })
                .collect(),
        }
    }

    #[test]
    fn config_state_keeps_the_users_text_while_it_means_the_same() {
        let mine = "section: A\nschema: v1\nspec: {x: 1}\n";
        let theirs = "---\nsection: A\nschema: v1\nspec:\n  x: 1\n";
        let wanted: Sections = [("A".to_owned(), Attr::Value(mine.to_owned()))].into();
        let state = sections_state(Some(&wanted), &remote(&[(("A"), theirs, false)]));
        assert_eq!(state["A"], Attr::Value(mine.to_owned()));
        // Drift shows as the control plane's text.
        let changed = "section: A\nschema: v1\nspec: {x: 2}\n";
        let state = sections_state(Some(&wanted), &remote(&[("A", changed, false)]));
        assert_eq!(state["A"], Attr::Value(changed.to_owned()));
        // Read-only sections are not the user's.
        let state = sections_state(
            Some(&wanted),
            &remote(&[("A", theirs, false), ("B", theirs, true)]),
        );
        assert_eq!(state.len(), 1);
    }

    #[test]
    fn config_holds_checks_meaning_and_prune() {
        let config = remote(&[
            ("A", "section: A\nschema: v1\nspec: {x: 1}", false),
            ("R", "x: 1", true),
        ]);
        let update = |sections: &[(&str, &str)], prune| ConfigUpdate {
            sections: sections
                .iter()
                .map(|(n, t)| ((*n).into(), (*t).into()))
                .collect(),
            prune,
            ..ConfigUpdate::default()
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
