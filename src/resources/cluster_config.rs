//! `spirl_cluster_config`: a cluster's configuration sections (`config.API`
//! `Get`/`UpdateClusterConfig`); everything but the scope is [`super::scoped_sections`].

use super::scoped_sections::{Scope, config_state, id_import_problem, scope_check};
use crate::client::SectionScope;
use crate::client::assumptions::CLUSTER_ID_PREFIX;

config_state!(
    /// Configuration and state of `spirl_cluster_config`.
    ClusterConfigState,
    /// The id of the cluster (`c-…`). Changing it replaces the resource.
    cluster_id(required, replace, check = scope_check)
);

/// A cluster's configuration.
pub struct ClusterConfig;

impl Scope for ClusterConfig {
    type State = ClusterConfigState;
    const WHAT: &'static str = "cluster configuration";
    const DESCRIPTION: &'static str = "A cluster's configuration sections, managed whole: \
        each is a self-describing YAML document keyed by its section name. Import with \
        `terraform import spirl_cluster_config.<name> c-…`. Destroying it removes the \
        sections it manages; the configuration goes with its cluster.";
    const IMPORT_ID: &'static str = "with the cluster id";

    fn scope(id: &str) -> SectionScope {
        SectionScope::Cluster(id.to_owned())
    }

    fn import_problem(id: &str) -> Option<String> {
        id_import_problem(id, CLUSTER_ID_PREFIX, "cluster")
    }
}
