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
use tfplugin::{Change, Diagnostics, Read, Resource, Schema, Value, async_trait};

use self::scoped_sections::SectionsResource;
use crate::client::handle::Access;
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
        api(
            "spirl_cicd_profile",
            client,
            cicd_profile::CicdProfileResource::new,
        ),
        api(
            "spirl_cicd_profile_link",
            client,
            cicd_profile_link::CicdProfileLinkResource::new,
        ),
        api("spirl_cluster", client, cluster::ClusterResource::new),
        tfplugin::resource("spirl_key_pair", key_pair::KeyPairResource),
        api(
            "spirl_provider_attestation_config",
            client,
            provider_attestation_config::ProviderAttestationConfig::new,
        ),
        api("spirl_realm", client, realm::RealmResource::new),
        api(
            "spirl_service_account",
            client,
            service_account::ServiceAccountResource::new,
        ),
        api(
            "spirl_service_account_key",
            client,
            service_account_key::ServiceAccountKeyResource::new,
        ),
        api(
            "spirl_trust_domain",
            client,
            trust_domain::TrustDomainResource::new,
        ),
        api(
            "spirl_trust_domain_deployment",
            client,
            trust_domain_deployment::TrustDomainDeployment::new,
        ),
        api(
            "spirl_cluster_config",
            client,
            SectionsResource::<cluster_config::ClusterConfig>::new,
        ),
        api(
            "spirl_federation_link",
            client,
            federation_link::FederationLinkResource::new,
        ),
        api(
            "spirl_realm_role_assignment",
            client,
            realm_role_assignment::RealmRoleAssignmentResource::new,
        ),
        api(
            "spirl_org_config",
            client,
            SectionsResource::<org_config::OrgConfig>::new,
        ),
        api(
            "spirl_trust_domain_config",
            client,
            SectionsResource::<trust_domain_config::TrustDomainConfig>::new,
        ),
        api(
            "spirl_trust_domain_deployment_config",
            client,
            SectionsResource::<trust_domain_deployment_config::DeploymentConfig>::new,
        ),
    ]
}

/// Registers a resource type that calls the control plane, built with `client` (`new`): its plan
/// and refresh go through [`UsesApi`].
fn api<R: Resource>(
    name: &str,
    client: &ClientHandle,
    new: impl FnOnce(&ClientHandle) -> R,
) -> NamedResource {
    tfplugin::resource(
        name,
        UsesApi {
            inner: new(client),
            client: client.clone(),
        },
    )
}

/// A resource type that calls the control plane, as a provider without a client sees it
/// ([`crate::client::handle`]). Its plan (of an object that is to exist: Terraform does not ask
/// the provider to plan a destroy) fails when the provider has no credentials, even when it
/// would call no API, so that the missing credentials show at plan and not only at apply; and,
/// as every operation that finds no client, it says why only the first time in the process. A
/// refresh that finds no client after that keeps the prior state: the run already fails. So does
/// a refresh after another one reported that the control plane refused the `spirlctl login`
/// session (it expired): that refusal is final for the process, and would otherwise be reported
/// once per resource.
/// Applies, imports and data source reads ask [`ClientHandle::get`] themselves.
pub struct UsesApi<R> {
    inner: R,
    client: ClientHandle,
}

#[async_trait]
impl<R: Resource> Resource for UsesApi<R> {
    type State = R::State;

    fn schema(&self) -> Schema {
        self.inner.schema()
    }

    async fn validate(&self, diags: &mut Diagnostics, config: R::State) -> Option<()> {
        self.inner.validate(diags, config).await
    }

    async fn read(&self, diags: &mut Diagnostics, state: R::State) -> Option<Read<R::State>> {
        let client = match self.client.for_refresh(diags) {
            Access::Client(client) => client,
            Access::Without => return Some(Read::Found(state)),
            Access::Failed => return None,
        };
        // A refused spirlctl session fails every refresh at once: the first to fail reports it,
        // the others, and those after, keep the prior state (the run already fails).
        if client.refusal_reported() {
            return Some(Read::Found(state));
        }
        let mut own = Diagnostics::new();
        let read = self.inner.read(&mut own, state.clone()).await;
        if read.is_none() && client.spirlctl_session_was_refused() && !client.first_refusal_report()
        {
            return Some(Read::Found(state));
        }
        diags.extend(own);
        read
    }

    async fn plan(&self, diags: &mut Diagnostics, change: &mut Change<R::State>) -> Option<()> {
        match self.client.for_plan(diags) {
            Access::Client(_) | Access::Without => self.inner.plan(diags, change).await,
            Access::Failed => None,
        }
    }

    async fn create(
        &self,
        diags: &mut Diagnostics,
        planned: R::State,
        config: R::State,
    ) -> Option<R::State> {
        self.inner.create(diags, planned, config).await
    }

    async fn update(
        &self,
        diags: &mut Diagnostics,
        prior: R::State,
        planned: R::State,
        config: R::State,
    ) -> Option<R::State> {
        self.inner.update(diags, prior, planned, config).await
    }

    async fn delete(&self, diags: &mut Diagnostics, prior: R::State) -> Option<()> {
        self.inner.delete(diags, prior).await
    }

    async fn import(&self, diags: &mut Diagnostics, id: String) -> Option<R::State> {
        self.inner.import(diags, id).await
    }

    async fn upgrade_state(
        &self,
        diags: &mut Diagnostics,
        version: i64,
        raw_json: &[u8],
    ) -> Option<Value> {
        self.inner.upgrade_state(diags, version, raw_json).await
    }
}
