//! `spirl_org_config`: the organisation's configuration sections (`config.API`
//! `Get`/`UpdateOrgConfig`). A singleton with the id `ORG`; everything else is
//! [`super::scoped_sections`].

use super::scoped_sections::{Scope, config_state};
use crate::client::SectionScope;
use crate::client::assumptions::ORG_CONFIG_ID;

config_state!(
    /// Configuration and state of `spirl_org_config`.
    OrgConfigState,
    /// Always `ORG`: the organisation has one configuration.
    id(computed, keep)
);

/// The organisation's configuration.
pub struct OrgConfig;

impl Scope for OrgConfig {
    type State = OrgConfigState;
    const WHAT: &'static str = "organisation configuration";
    const SINGLETON: Option<&'static str> = Some(ORG_CONFIG_ID);
    const DESCRIPTION: &'static str = "The organisation's configuration sections, managed \
        whole: each is a self-describing YAML document keyed by its section name. There is one \
        per organisation: import it with `terraform import spirl_org_config.<name> ORG`. \
        Destroying it removes the sections it manages.";
    const IMPORT_ID: &'static str = "with the id `ORG`";

    fn scope(_id: &str) -> SectionScope {
        SectionScope::Org
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
