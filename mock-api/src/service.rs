//! The trust-domain service, `com.spirl.api.v1.trustdomain.API`: trust domains, deployments and
//! deployment keys. Each method admits the call (`gate`), checks the token, then reads the
//! store or plans, journals and applies a change.

use spirl_api_proto::trustdomain::api_server::Api;
use spirl_api_proto::trustdomain::create_trust_domain_key_request::Pubkey;
use spirl_api_proto::trustdomain::*;
use tonic::{Request, Response, Status};

use crate::error::ApiError;
use crate::gate::Calls;
use crate::state::MockState;

pub mod access;
pub mod attestation;
pub mod cicd;
pub mod cluster;
pub mod federation;
pub mod realm;
pub mod sections;

/// The gRPC service name; paths are `/<SERVICE>/<Method>`.
pub const SERVICE: &str = "com.spirl.api.v1.trustdomain.API";

/// The trust-domain service.
#[derive(Debug, Clone)]
pub struct TrustDomainService {
    calls: Calls,
}

impl TrustDomainService {
    /// The service over `state`.
    pub fn new(state: MockState) -> Self {
        TrustDomainService {
            calls: Calls::new(state, SERVICE),
        }
    }

    /// Enables or disables a key; a key already so is left alone (nothing is written).
    fn set_key_state<T>(
        &self,
        trust_domain_id: &str,
        key_id: &str,
        active: bool,
        answer: T,
    ) -> Result<Response<T>, ApiError> {
        self.calls.write(|store, _| {
            let change = store.plan_key_state(trust_domain_id, key_id, active)?;
            Ok((change, answer))
        })
    }
}

#[tonic::async_trait]
impl Api for TrustDomainService {
    async fn create_trust_domain(
        &self,
        request: Request<CreateTrustDomainRequest>,
    ) -> Result<Response<CreateTrustDomainResponse>, Status> {
        let r = self.calls.enter(request, "CreateTrustDomain").await?;
        Ok(self.calls.write(|store, ctx| {
            let (change, id) = store.plan_create_trust_domain(
                &r.name,
                &r.description,
                r.jwt_issuer.as_ref(),
                false,
                ctx,
            )?;
            let answer = CreateTrustDomainResponse {
                endpoint_url: store.agent_endpoint(&id),
                trust_domain_id: id,
            };
            Ok((Some(change), answer))
        })?)
    }

    async fn register_trust_domain(
        &self,
        request: Request<RegisterTrustDomainRequest>,
    ) -> Result<Response<RegisterTrustDomainResponse>, Status> {
        let r = self.calls.enter(request, "RegisterTrustDomain").await?;
        Ok(self.calls.write(|store, ctx| {
            let (change, id) = store.plan_create_trust_domain(
                &r.name,
                &r.description,
                r.jwt_issuer.as_ref(),
                true,
                ctx,
            )?;
            Ok((
                Some(change),
                RegisterTrustDomainResponse {
                    trust_domain_id: id,
                },
            ))
        })?)
    }

    async fn list_trust_domains(
        &self,
        request: Request<ListTrustDomainsRequest>,
    ) -> Result<Response<ListTrustDomainsResponse>, Status> {
        let r = self.calls.enter(request, "ListTrustDomains").await?;
        if r.include_dynamic_data && r.exclude_stats {
            // The SDK: ExcludeStats is "Mutually exclusive with IncludeStatus".
            return Err(ApiError::InvalidArgument(
                "exclude_stats: cannot be set together with include_dynamic_data".into(),
            )
            .into());
        }
        let status = !self.calls.state().options().omit_list_jwt_issuer_status;
        Ok(self.calls.read(|store, now| {
            Ok(ListTrustDomainsResponse {
                trust_domains: store.list_trust_domains(
                    &r.trust_domain_name,
                    now,
                    !r.exclude_stats,
                    status,
                ),
            })
        })?)
    }

    async fn delete_trust_domain(
        &self,
        request: Request<DeleteTrustDomainRequest>,
    ) -> Result<Response<DeleteTrustDomainResponse>, Status> {
        let r = self.calls.enter(request, "DeleteTrustDomain").await?;
        Ok(self.calls.write(|store, _| {
            let change = store.plan_delete_trust_domain(&r.trust_domain_id)?;
            Ok((Some(change), DeleteTrustDomainResponse {}))
        })?)
    }

    async fn trust_domain_info(
        &self,
        request: Request<TrustDomainInfoRequest>,
    ) -> Result<Response<TrustDomainInfoResponse>, Status> {
        let r = self.calls.enter(request, "TrustDomainInfo").await?;
        Ok(self
            .calls
            .read(|store, now| store.trust_domain_info(&r.trust_domain_id, now))?)
    }

    async fn update_trust_domain(
        &self,
        request: Request<UpdateTrustDomainRequest>,
    ) -> Result<Response<UpdateTrustDomainResponse>, Status> {
        let r = self.calls.enter(request, "UpdateTrustDomain").await?;
        Ok(self.calls.write(|store, ctx| {
            let change =
                store.plan_update_trust_domain(&r.trust_domain_id, r.jwt_issuer.as_ref(), ctx)?;
            Ok((change, UpdateTrustDomainResponse {}))
        })?)
    }

    async fn list_trust_domain_deployments(
        &self,
        request: Request<ListTrustDomainDeploymentsRequest>,
    ) -> Result<Response<ListTrustDomainDeploymentsResponse>, Status> {
        let r = self
            .calls
            .enter(request, "ListTrustDomainDeployments")
            .await?;
        Ok(self.calls.read(|store, _| {
            Ok(ListTrustDomainDeploymentsResponse {
                trust_domain_deployments: store.list_deployments(&r.trust_domain_id)?,
            })
        })?)
    }

    async fn delete_trust_domain_deployment(
        &self,
        request: Request<DeleteTrustDomainDeploymentRequest>,
    ) -> Result<Response<DeleteTrustDomainDeploymentResponse>, Status> {
        let r = self
            .calls
            .enter(request, "DeleteTrustDomainDeployment")
            .await?;
        Ok(self.calls.write(|store, _| {
            let change =
                store.plan_delete_deployment(&r.trust_domain_id, &r.deployment_name, r.force)?;
            Ok((Some(change), DeleteTrustDomainDeploymentResponse {}))
        })?)
    }

    async fn list_trust_domain_keys(
        &self,
        request: Request<ListTrustDomainKeysRequest>,
    ) -> Result<Response<ListTrustDomainKeysResponse>, Status> {
        let r = self.calls.enter(request, "ListTrustDomainKeys").await?;
        Ok(self.calls.read(|store, _| {
            Ok(ListTrustDomainKeysResponse {
                trust_domain_keys: store.list_keys(&r.trust_domain_id, &r.deployment_name)?,
            })
        })?)
    }

    async fn create_trust_domain_key(
        &self,
        request: Request<CreateTrustDomainKeyRequest>,
    ) -> Result<Response<CreateTrustDomainKeyResponse>, Status> {
        let r = self.calls.enter(request, "CreateTrustDomainKey").await?;
        let der = r
            .pubkey
            .as_ref()
            .map(|Pubkey::PkixPubkey(key)| key.data.as_slice());
        Ok(self.calls.write(|store, ctx| {
            let (change, id) =
                store.plan_create_key(&r.trust_domain_id, &r.deployment_name, der, ctx)?;
            Ok((Some(change), CreateTrustDomainKeyResponse { id }))
        })?)
    }

    async fn delete_trust_domain_key(
        &self,
        request: Request<DeleteTrustDomainKeyRequest>,
    ) -> Result<Response<DeleteTrustDomainKeyResponse>, Status> {
        let r = self.calls.enter(request, "DeleteTrustDomainKey").await?;
        Ok(self.calls.write(|store, _| {
            let change =
                store.plan_delete_key(&r.trust_domain_id, &r.trust_domain_key_id, r.force)?;
            Ok((Some(change), DeleteTrustDomainKeyResponse {}))
        })?)
    }

    async fn enable_trust_domain_key(
        &self,
        request: Request<EnableTrustDomainKeyRequest>,
    ) -> Result<Response<EnableTrustDomainKeyResponse>, Status> {
        let r = self.calls.enter(request, "EnableTrustDomainKey").await?;
        let answer = EnableTrustDomainKeyResponse {};
        Ok(self.set_key_state(&r.trust_domain_id, &r.trust_domain_key_id, true, answer)?)
    }

    async fn disable_trust_domain_key(
        &self,
        request: Request<DisableTrustDomainKeyRequest>,
    ) -> Result<Response<DisableTrustDomainKeyResponse>, Status> {
        let r = self.calls.enter(request, "DisableTrustDomainKey").await?;
        let answer = DisableTrustDomainKeyResponse {};
        Ok(self.set_key_state(&r.trust_domain_id, &r.trust_domain_key_id, false, answer)?)
    }
}
