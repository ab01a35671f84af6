//! Configuration sections of each scope (`com.spirl.api.v1.config.API`): versions, optimistic
//! concurrency, prune, read-only sections, validate-only updates. A scope's configuration goes
//! with its object: deleting a trust domain or a deployment forgets it.

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use spirl_api_proto::config as pb;
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::{Yaml, YamlEmitter, YamlLoader};

use super::{Change, Ctx, Store};
use crate::assumptions::{
    CONFIG_FIRST_VERSION, MAX_SECTION_BYTES, MAX_SECTION_DEPTH, MAX_SECTION_EXPANDED_NODES,
    SECTION_DOCUMENT_KEYS, SECTIONS_STORED_REFORMATTED, read_only_section_refused,
    version_mismatch,
};
use crate::error::ApiError;
use crate::validate;

/// Whose configuration.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum SectionScope {
    /// The organisation.
    Org,
    /// A trust domain by id.
    TrustDomain(String),
    /// A trust-domain deployment by id.
    Deployment(String),
    /// A cluster by id.
    Cluster(String),
}

/// One stored section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SectionRecord {
    pub schema: String,
    /// As the control plane stores it ([`SECTIONS_STORED_REFORMATTED`]).
    pub yaml: String,
    pub read_only: bool,
}

/// A scope's configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ConfigRecord {
    pub version: u64,
    pub updated_at: Option<SystemTime>,
    pub sections: BTreeMap<String, SectionRecord>,
}

impl Default for ConfigRecord {
    fn default() -> Self {
        ConfigRecord {
            version: CONFIG_FIRST_VERSION,
            updated_at: None,
            sections: BTreeMap::new(),
        }
    }
}

impl ConfigRecord {
    fn view(&self) -> pb::Config {
        pb::Config {
            updated_at: self.updated_at.map(prost_types::Timestamp::from),
            version: self.version.to_string(),
            sections: self
                .sections
                .iter()
                .map(|(name, s)| pb::Section {
                    name: name.clone(),
                    schema: s.schema.clone(),
                    yaml_value: s.yaml.clone(),
                    read_only: s.read_only,
                })
                .collect(),
        }
    }
}

/// Refuses several documents, deep nesting and aliases that expand past
/// [`MAX_SECTION_EXPANDED_NODES`] before the loader sees the text (the loader expands aliases: a
/// few hundred bytes of them would be gigabytes). Anchors and aliases within that bound are
/// taken, and stored expanded.
fn prescan(name_hint: &str, text: &str) -> Result<(), String> {
    let mut parser = Parser::new_from_str(text);
    let (mut depth, mut documents, mut nodes) = (0usize, 0usize, 0usize);
    // Each anchor's size in nodes, and the node count where each open collection started.
    let mut anchors: BTreeMap<usize, usize> = BTreeMap::new();
    let mut open: Vec<(usize, usize)> = Vec::new();
    loop {
        let (event, _) = parser.next_token().map_err(|e| e.to_string())?;
        match event {
            Event::StreamEnd => return Ok(()),
            Event::DocumentStart => {
                documents += 1;
                if documents > 1 {
                    return Err(format!("{name_hint}: one YAML document per section"));
                }
            }
            Event::Alias(id) => nodes += anchors.get(&id).copied().unwrap_or(1),
            Event::Scalar(_, _, anchor, _) => {
                nodes += 1;
                if anchor != 0 {
                    anchors.insert(anchor, 1);
                }
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                depth += 1;
                if depth > MAX_SECTION_DEPTH {
                    return Err(format!(
                        "{name_hint}: nested deeper than {MAX_SECTION_DEPTH} levels"
                    ));
                }
                open.push((anchor, nodes));
            }
            Event::SequenceEnd | Event::MappingEnd => {
                depth = depth.saturating_sub(1);
                nodes += 1;
                if let Some((anchor, started)) = open.pop()
                    && anchor != 0
                {
                    anchors.insert(anchor, nodes - started);
                }
            }
            _ => {}
        }
        if nodes > MAX_SECTION_EXPANDED_NODES {
            return Err(format!(
                "{name_hint}: its aliases expand to more than {MAX_SECTION_EXPANDED_NODES} nodes"
            ));
        }
    }
}

/// A section update, checked: its name and what is stored.
fn parse_update(index: usize, text: &str) -> Result<(String, SectionRecord), ApiError> {
    let hint = format!("section_updates[{index}]");
    let invalid = |m: String| ApiError::InvalidArgument(m);
    if text.len() > MAX_SECTION_BYTES {
        return Err(invalid(format!(
            "{hint}: longer than {MAX_SECTION_BYTES} bytes"
        )));
    }
    prescan(&hint, text).map_err(|e| invalid(format!("{hint}: invalid YAML: {e}")))?;
    let docs = YamlLoader::load_from_str(text)
        .map_err(|e| invalid(format!("{hint}: invalid YAML: {e}")))?;
    let Some(Yaml::Hash(doc)) = docs.into_iter().next() else {
        return Err(invalid(format!(
            "{hint}: a section is a YAML mapping with section and schema"
        )));
    };
    // Only these keys carry meaning here; others are kept as they are (SECTION_DOCUMENT_KEYS).
    let [section_key, schema_key] = SECTION_DOCUMENT_KEYS;
    let field = |k: &str| doc.get(&Yaml::String(k.to_owned()));
    let (section_key, schema_key) = (field(section_key), field(schema_key));
    let name = section_key.and_then(Yaml::as_str).unwrap_or_default();
    validate::section_name(name).map_err(|e| invalid(format!("{hint}: {e}")))?;
    let schema = schema_key.and_then(Yaml::as_str).unwrap_or_default();
    validate::section_schema(schema).map_err(|e| invalid(format!("{hint}: {e}")))?;
    let yaml = if SECTIONS_STORED_REFORMATTED {
        let mut out = String::new();
        YamlEmitter::new(&mut out)
            .dump(&Yaml::Hash(doc.clone()))
            .map_err(|e| ApiError::Internal(format!("cannot write YAML: {e}")))?;
        out.push('\n');
        out
    } else {
        text.to_owned()
    };
    Ok((
        name.to_owned(),
        SectionRecord {
            schema: schema.to_owned(),
            yaml,
            read_only: false,
        },
    ))
}

impl Store {
    /// The scope must exist: `NOT_FOUND` for an unknown object, `INVALID_ARGUMENT` for no id.
    fn config_scope_exists(&self, scope: &SectionScope) -> Result<(), ApiError> {
        match scope {
            SectionScope::Org => Ok(()),
            SectionScope::TrustDomain(id) => self.trust_domain(id).map(|_| ()),
            SectionScope::Deployment(id) => {
                validate::required("trust_domain_deployment_id", id)?;
                if self.deployments.contains_key(id) {
                    Ok(())
                } else {
                    Err(ApiError::NotFound(format!(
                        "trust domain deployment {id} not found"
                    )))
                }
            }
            SectionScope::Cluster(id) => self.cluster(id).map(|_| ()),
        }
    }

    fn config_of(&self, scope: &SectionScope) -> ConfigRecord {
        self.configs.get(scope).cloned().unwrap_or_default()
    }

    /// `Get…Config`.
    pub fn get_config(&self, scope: &SectionScope) -> Result<pb::Config, ApiError> {
        self.config_scope_exists(scope)?;
        Ok(self.config_of(scope).view())
    }

    /// `Update…Config`: the change (none when nothing changes or only validating) and the
    /// configuration the answer carries.
    pub fn plan_update_config(
        &self,
        scope: &SectionScope,
        params: Option<&pb::UpdateConfigParams>,
        ctx: &Ctx<'_>,
    ) -> Result<(Option<Change>, pb::Config), ApiError> {
        self.config_scope_exists(scope)?;
        let params = params.cloned().unwrap_or_default();
        let current = self.config_of(scope);
        if !params.expected_version.is_empty()
            && params.expected_version != current.version.to_string()
        {
            return Err(version_mismatch(
                &params.expected_version,
                &current.version.to_string(),
            ));
        }
        let mut sections = if params.prune {
            current
                .sections
                .iter()
                .filter(|(_, s)| s.read_only)
                .map(|(n, s)| (n.clone(), s.clone()))
                .collect()
        } else {
            current.sections.clone()
        };
        let mut named = Vec::new();
        for (index, text) in params.section_updates.iter().enumerate() {
            let (name, record) = parse_update(index, text)?;
            if named.contains(&name) {
                return Err(ApiError::InvalidArgument(format!(
                    "section_updates[{index}]: section {name} is updated twice"
                )));
            }
            if current.sections.get(&name).is_some_and(|s| s.read_only) {
                return Err(read_only_section_refused(&name));
            }
            named.push(name.clone());
            sections.insert(name, record);
        }
        if sections == current.sections || params.validate_only {
            let mut answer = current.clone();
            answer.sections = sections;
            return Ok((None, answer.view()));
        }
        let record = ConfigRecord {
            version: current.version + 1,
            updated_at: Some(ctx.now),
            sections,
        };
        let answer = record.view();
        Ok((
            Some(Change::ConfigSet {
                scope: scope.clone(),
                config: record,
            }),
            answer,
        ))
    }

    /// Puts a section the control plane owns (`read_only`) into a scope's configuration: how a
    /// test shows the provider a section it must leave alone.
    pub fn plan_read_only_section(
        &self,
        scope: &SectionScope,
        text: &str,
        ctx: &Ctx<'_>,
    ) -> Result<Change, ApiError> {
        self.config_scope_exists(scope)?;
        let (name, mut record) = parse_update(0, text)?;
        record.read_only = true;
        let mut config = self.config_of(scope);
        config.sections.insert(name, record);
        config.version += 1;
        config.updated_at = Some(ctx.now);
        Ok(Change::ConfigSet {
            scope: scope.clone(),
            config,
        })
    }

    /// Forgets the configurations of a trust domain's scope and its deployments' scopes.
    pub(super) fn forget_configs(&mut self, scopes: &[SectionScope]) {
        for scope in scopes {
            self.configs.remove(scope);
        }
    }
}
