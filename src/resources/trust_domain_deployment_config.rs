//! `spirl_trust_domain_deployment_config`: a trust-domain deployment's configuration sections (`config.API`
//! `Get`/`UpdateTrustDomainDeploymentConfig`); everything but the scope is [`super::scoped_sections`].

use super::scoped_sections::{Scope, config_state, id_import_problem, scope_check};
use crate::client::SectionScope;
use crate::client::assumptions::DEPLOYMENT_ID_PREFIX;

config_state!(
    /// Configuration and state of `spirl_trust_domain_deployment_config`.
    DeploymentConfigState,
    /// The id of the trust-domain deployment (`tdd-…`). Changing it replaces the resource.
    trust_domain_deployment_id(required, replace, check = scope_check)
);

/// A trust-domain deployment's configuration.
pub struct DeploymentConfig;

impl Scope for DeploymentConfig {
    type State = DeploymentConfigState;
    const WHAT: &'static str = "deployment configuration";
    const DESCRIPTION: &'static str = "A trust-domain deployment's configuration sections, managed whole: \
        each is a self-describing YAML document keyed by its section name. Import with \
        `terraform import spirl_trust_domain_deployment_config.<name> tdd-…`. Destroying it removes the \
        sections it manages; the configuration goes with its deployment.";
    const IMPORT_ID: &'static str = "with the deployment id";

    fn scope(id: &str) -> SectionScope {
        SectionScope::Deployment(id.to_owned())
    }

    fn import_problem(id: &str) -> Option<String> {
        id_import_problem(id, DEPLOYMENT_ID_PREFIX, "trust-domain deployment")
    }
}
