//! Managed resource types, one per file.

pub mod cicd_profile;
pub mod cicd_profile_link;
pub mod cluster;
pub mod cluster_config;
pub mod federation_link;
pub mod ids;
pub mod key_input;
pub mod key_pair;
pub mod org_config;
pub mod provider_attestation_config;
pub mod realm;
pub mod realm_principal;
pub mod realm_role_assignment;
pub mod scoped_sections;
pub mod service_account;
pub mod service_account_key;
pub mod trust_domain;
pub mod trust_domain_config;
pub mod trust_domain_deployment;
pub mod trust_domain_deployment_config;

use tfplugin::provider::NamedResource;
use tfplugin::{Diagnostics, Read};

use self::scoped_sections::SectionsResource;
use crate::client::{ApiError, ClientHandle};
use crate::diagnostics;

/// A refresh's outcome as Terraform wants it: found, gone (the `what` with `id` is then removed
/// from the state, which is logged), or `None` after reporting an error.
pub fn refreshed<T, S: From<T>>(
    diags: &mut Diagnostics,
    what: &str,
    id: &str,
    found: Result<Option<T>, ApiError>,
) -> Option<Read<S>> {
    match found {
        Ok(Some(object)) => Some(Read::Found(object.into())),
        Ok(None) => {
            log::info!(id; "{what} is gone; removing it from the state");
            Some(Read::Gone)
        }
        Err(e) if e.is_not_found() => {
            log::info!(id; "{what} is gone; removing it from the state");
            Some(Read::Gone)
        }
        Err(e) => {
            diagnostics::api_error(diags, &e, None);
            None
        }
    }
}

/// An import's outcome: the object found, or "Cannot import `what`" saying `missing` when there
/// is none, or the API's error.
pub fn imported<T, S: From<T>>(
    diags: &mut Diagnostics,
    what: &str,
    found: Result<Option<T>, ApiError>,
    missing: impl FnOnce() -> String,
) -> Option<S> {
    match found {
        Ok(Some(object)) => Some(object.into()),
        Ok(None) => {
            diags.error(format!("Cannot import {what}"), missing());
            None
        }
        Err(e) => {
            diagnostics::api_error(diags, &e, None);
            None
        }
    }
}

/// Every resource type the provider offers.
pub fn all(client: &ClientHandle) -> Vec<NamedResource> {
    vec![
        tfplugin::resource(
            "spirl_cicd_profile",
            cicd_profile::CicdProfileResource::new(client),
        ),
        tfplugin::resource(
            "spirl_cicd_profile_link",
            cicd_profile_link::CicdProfileLinkResource::new(client),
        ),
        tfplugin::resource("spirl_cluster", cluster::ClusterResource::new(client)),
        tfplugin::resource("spirl_key_pair", key_pair::KeyPairResource),
        tfplugin::resource(
            "spirl_provider_attestation_config",
            provider_attestation_config::ProviderAttestationConfig::new(client),
        ),
        tfplugin::resource("spirl_realm", realm::RealmResource::new(client)),
        tfplugin::resource(
            "spirl_service_account",
            service_account::ServiceAccountResource::new(client),
        ),
        tfplugin::resource(
            "spirl_service_account_key",
            service_account_key::ServiceAccountKeyResource::new(client),
        ),
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
            SectionsResource::<cluster_config::ClusterConfig>::new(client),
        ),
        tfplugin::resource(
            "spirl_federation_link",
            federation_link::FederationLinkResource::new(client),
        ),
        tfplugin::resource(
            "spirl_realm_role_assignment",
            realm_role_assignment::RealmRoleAssignmentResource::new(client),
        ),
        tfplugin::resource(
            "spirl_org_config",
            SectionsResource::<org_config::OrgConfig>::new(client),
        ),
        tfplugin::resource(
            "spirl_trust_domain_config",
            SectionsResource::<trust_domain_config::TrustDomainConfig>::new(client),
        ),
        tfplugin::resource(
            "spirl_trust_domain_deployment_config",
            SectionsResource::<trust_domain_deployment_config::DeploymentConfig>::new(client),
        ),
    ]
}
