//! `spirl_trust_domain_config`: a trust domain's configuration sections (`config.API`
//! `Get`/`UpdateTrustDomainConfig`); everything but the scope is [`super::scoped_sections`].

use super::scoped_sections::{Scope, config_state, id_import_problem, scope_check};
use crate::client::SectionScope;
use crate::client::assumptions::TRUST_DOMAIN_ID_PREFIX;

config_state!(
    /// Configuration and state of `spirl_trust_domain_config`.
    TrustDomainConfigState,
    /// The id of the trust domain (`td-…`). Changing it replaces the resource.
    trust_domain_id(required, replace, check = scope_check)
);

/// A trust domain's configuration.
pub struct TrustDomainConfig;

impl Scope for TrustDomainConfig {
    type State = TrustDomainConfigState;
    const WHAT: &'static str = "trust domain configuration";
    const DESCRIPTION: &'static str = "A trust domain's configuration sections, managed whole: \
        each is a self-describing YAML document keyed by its section name. Import with \
        `terraform import spirl_trust_domain_config.<name> td-…`. Destroying it removes the \
        sections it manages; the configuration goes with its trust domain.";
    const IMPORT_ID: &'static str = "with the trust domain id";

    fn scope(id: &str) -> SectionScope {
        SectionScope::TrustDomain(id.to_owned())
    }

    fn import_problem(id: &str) -> Option<String> {
        id_import_problem(id, TRUST_DOMAIN_ID_PREFIX, "trust domain")
    }
}
