//! Data source types, one per file.

pub mod alb_ingress_annotations;

use tfplugin::provider::NamedDataSource;

use crate::provider::ClientHandle;

/// Every data source type the provider offers.
pub fn all(_client: &ClientHandle) -> Vec<NamedDataSource> {
    vec![tfplugin::data_source(
        "spirl_alb_ingress_annotations",
        alb_ingress_annotations::AlbIngressAnnotations,
    )]
}
