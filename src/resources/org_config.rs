//! `spirl_org_config`: the organisation's configuration sections (`config.API`
//! `Get`/`UpdateOrgConfig`). A singleton with the id `ORG`; everything else is
//! [`super::config_sections`].

use serde::{Deserialize, Serialize};
use tfplugin::Attr;

use super::config_sections::{ConfigFields, ConfigKind, ConfigState, Sections};
use crate::client::ConfigScope;
use crate::client::assumptions::ORG_CONFIG_ID;

/// Configuration and state of `spirl_org_config`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OrgConfigState {
    /// Always `ORG`.
    pub id: Attr<String>,
    /// Section name → YAML document.
    pub sections: Attr<Sections>,
    /// The configuration's version.
    pub version: Attr<String>,
    /// RFC 3339.
    pub updated_at: Attr<String>,
}

impl ConfigState for OrgConfigState {
    /// Always `ORG`, known or not: the organisation's configuration is one.
    fn scope_id(&self) -> Option<String> {
        Some(ORG_CONFIG_ID.to_owned())
    }

    fn fields(&self) -> ConfigFields {
        ConfigFields {
            sections: self.sections.clone(),
            version: self.version.clone(),
            updated_at: self.updated_at.clone(),
        }
    }

    fn of(_scope_id: &str, fields: ConfigFields) -> OrgConfigState {
        OrgConfigState {
            id: Attr::Value(ORG_CONFIG_ID.to_owned()),
            sections: fields.sections,
            version: fields.version,
            updated_at: fields.updated_at,
        }
    }
}

/// The organisation's configuration.
pub struct OrgConfig;

impl ConfigKind for OrgConfig {
    type State = OrgConfigState;
    const WHAT: &'static str = "organisation configuration";
    const SCOPE_ATTRIBUTE: Option<&'static str> = None;
    const DESCRIPTION: &'static str = "The organisation's configuration sections, managed \
        whole: each is a self-describing YAML document keyed by its section name. There is one \
        per organisation: import it with `terraform import spirl_org_config.<name> ORG`. \
        Destroying it removes the sections it manages.";
    const SCOPE_DESCRIPTION: &'static str = "Always `ORG`: the organisation has one configuration.";
    const IMPORT_ID: &'static str = "with the id `ORG`";

    fn scope(_id: &str) -> ConfigScope {
        ConfigScope::Org
    }

    fn import_problem(id: &str) -> Option<String> {
        (id != ORG_CONFIG_ID).then(|| {
            format!(
                "The organisation configuration is imported with the id `{ORG_CONFIG_ID}`, not {}: \
                 `terraform import spirl_org_config.<name> {ORG_CONFIG_ID}`.",
                crate::problem::quote(id)
            )
        })
    }
}
