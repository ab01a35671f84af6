//! The configuration service, `com.spirl.api.v1.config.API`: the sections of the organisation, a
//! trust domain, a deployment and a cluster (`store::sections` holds the rules).

use spirl_api_proto::config::api_server::Api;
use spirl_api_proto::config::*;
use tonic::{Request, Response, Status};

use crate::error::ApiError;
use crate::gate::Calls;
use crate::state::MockState;
use crate::store::SectionScope;

/// The gRPC service name; paths are `/<SERVICE>/<Method>`.
pub const SERVICE: &str = "com.spirl.api.v1.config.API";

/// The configuration (sections) service.
#[derive(Debug, Clone)]
pub struct SectionsService {
    calls: Calls,
}

impl SectionsService {
    /// The service over `state`.
    pub fn new(state: MockState) -> Self {
        SectionsService {
            calls: Calls::new(state, SERVICE),
        }
    }

    fn get(&self, scope: &SectionScope) -> Result<Option<Config>, ApiError> {
        let answer = self.calls.read(|store, _| store.get_config(scope))?;
        Ok(Some(answer.into_inner()))
    }

    fn update(
        &self,
        scope: &SectionScope,
        params: Option<&UpdateConfigParams>,
    ) -> Result<Option<Config>, ApiError> {
        let answer = self
            .calls
            .write(|store, ctx| store.plan_update_config(scope, params, ctx))?;
        Ok(Some(answer.into_inner()))
    }
}

#[tonic::async_trait]
impl Api for SectionsService {
    async fn get_org_config(
        &self,
        request: Request<GetOrgConfigRequest>,
    ) -> Result<Response<GetOrgConfigResponse>, Status> {
        self.calls.enter(request, "GetOrgConfig").await?;
        let config = self.get(&SectionScope::Org)?;
        Ok(Response::new(GetOrgConfigResponse { config }))
    }

    async fn update_org_config(
        &self,
        request: Request<UpdateOrgConfigRequest>,
    ) -> Result<Response<UpdateOrgConfigResponse>, Status> {
        let r = self.calls.enter(request, "UpdateOrgConfig").await?;
        let config = self.update(&SectionScope::Org, r.params.as_ref())?;
        Ok(Response::new(UpdateOrgConfigResponse { config }))
    }

    async fn get_trust_domain_config(
        &self,
        request: Request<GetTrustDomainConfigRequest>,
    ) -> Result<Response<GetTrustDomainConfigResponse>, Status> {
        let r = self.calls.enter(request, "GetTrustDomainConfig").await?;
        let scope = SectionScope::TrustDomain(r.trust_domain_id);
        let config = self.get(&scope)?;
        Ok(Response::new(GetTrustDomainConfigResponse { config }))
    }

    async fn update_trust_domain_config(
        &self,
        request: Request<UpdateTrustDomainConfigRequest>,
    ) -> Result<Response<UpdateTrustDomainConfigResponse>, Status> {
        let r = self.calls.enter(request, "UpdateTrustDomainConfig").await?;
        let scope = SectionScope::TrustDomain(r.trust_domain_id);
        let config = self.update(&scope, r.params.as_ref())?;
        Ok(Response::new(UpdateTrustDomainConfigResponse { config }))
    }

    async fn get_cluster_config(
        &self,
        request: Request<GetClusterConfigRequest>,
    ) -> Result<Response<GetClusterConfigResponse>, Status> {
        let r = self.calls.enter(request, "GetClusterConfig").await?;
        let config = self.get(&SectionScope::Cluster(r.cluster_id))?;
        Ok(Response::new(GetClusterConfigResponse { config }))
    }

    async fn update_cluster_config(
        &self,
        request: Request<UpdateClusterConfigRequest>,
    ) -> Result<Response<UpdateClusterConfigResponse>, Status> {
        let r = self.calls.enter(request, "UpdateClusterConfig").await?;
        let scope = SectionScope::Cluster(r.cluster_id);
        let config = self.update(&scope, r.params.as_ref())?;
        Ok(Response::new(UpdateClusterConfigResponse { config }))
    }

    async fn get_trust_domain_deployment_config(
        &self,
        request: Request<GetTrustDomainDeploymentConfigRequest>,
    ) -> Result<Response<GetTrustDomainDeploymentConfigResponse>, Status> {
        let r = self
            .calls
            .enter(request, "GetTrustDomainDeploymentConfig")
            .await?;
        let scope = SectionScope::Deployment(r.trust_domain_deployment_id);
        let config = self.get(&scope)?;
        Ok(Response::new(GetTrustDomainDeploymentConfigResponse {
            config,
        }))
    }

    async fn update_trust_domain_deployment_config(
        &self,
        request: Request<UpdateTrustDomainDeploymentConfigRequest>,
    ) -> Result<Response<UpdateTrustDomainDeploymentConfigResponse>, Status> {
        let r = self
            .calls
            .enter(request, "UpdateTrustDomainDeploymentConfig")
            .await?;
        let scope = SectionScope::Deployment(r.trust_domain_deployment_id);
        let config = self.update(&scope, r.params.as_ref())?;
        Ok(Response::new(UpdateTrustDomainDeploymentConfigResponse {
            config,
        }))
    }
}
