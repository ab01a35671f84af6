//! Data source types, one per file.

pub mod alb_ingress_annotations;
pub mod cicd_profile;
pub mod cluster;
pub mod delegated_admin;
pub mod realm;
pub mod server_monitoring;
pub mod service_account;
pub mod trust_domain;

use tfplugin::provider::NamedDataSource;

use crate::client::ClientHandle;

/// Every data source type the provider offers.
pub fn all(client: &ClientHandle) -> Vec<NamedDataSource> {
    vec![
        tfplugin::data_source(
            "spirl_alb_ingress_annotations",
            alb_ingress_annotations::AlbIngressAnnotations,
        ),
        tfplugin::data_source(
            "spirl_cicd_profile",
            cicd_profile::CicdProfileDataSource::new(client),
        ),
        tfplugin::data_source("spirl_cluster", cluster::ClusterDataSource::new(client)),
        tfplugin::data_source("spirl_realm", realm::RealmDataSource::new(client)),
        tfplugin::data_source(
            "spirl_server_monitoring",
            server_monitoring::ServerMonitoring,
        ),
        tfplugin::data_source(
            "spirl_service_account",
            service_account::ServiceAccountDataSource::new(client),
        ),
        tfplugin::data_source(
            "spirl_delegated_admin",
            delegated_admin::DelegatedAdminDataSource::new(client),
        ),
        tfplugin::data_source(
            "spirl_trust_domain",
            trust_domain::TrustDomainDataSource::new(client),
        ),
    ]
}
