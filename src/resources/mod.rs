//! Managed resource types, one per file.

pub mod cluster_config;
pub mod config_sections;
pub mod deployment_cache;
pub mod federation_link;
pub mod key_pair;
pub mod org_config;
pub mod snapshot;
pub mod trust_domain;
pub mod trust_domain_cache;
pub mod trust_domain_config;
pub mod trust_domain_deployment;
pub mod trust_domain_deployment_config;

use tfplugin::provider::NamedResource;

use self::config_sections::ConfigResource;
use crate::client::ClientHandle;

/// Every resource type the provider offers.
pub fn all(client: &ClientHandle) -> Vec<NamedResource> {
    vec![
        tfplugin::resource("spirl_key_pair", key_pair::KeyPairResource),
        tfplugin::resource(
            "spirl_trust_domain",
            trust_domain::TrustDomainResource::new(client),
        ),
        tfplugin::resource(
            "spirl_trust_domain_deployment",
            trust_domain_deployment::TrustDomainDeployment::new(client),
        ),
        tfplugin::resource(
            "spirl_cluster_config",
            ConfigResource::<cluster_config::ClusterConfig>::new(client),
        ),
        tfplugin::resource(
            "spirl_federation_link",
            federation_link::FederationLinkResource::new(client),
        ),
        tfplugin::resource(
            "spirl_org_config",
            ConfigResource::<org_config::OrgConfig>::new(client),
        ),
        tfplugin::resource(
            "spirl_trust_domain_config",
            ConfigResource::<trust_domain_config::TrustDomainConfig>::new(client),
        ),
        tfplugin::resource(
            "spirl_trust_domain_deployment_config",
            ConfigResource::<trust_domain_deployment_config::DeploymentConfig>::new(client),
        ),
    ]
}
