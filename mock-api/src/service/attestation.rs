//! The two attestation services: `com.spirl.api.v1.agentattestation.API` (how a cluster's agents
//! prove who they are) and `com.spirl.api.v1.providerattestation.API` (cloud-provider
//! attestation, by name). Both create, list, get and delete configurations.

use spirl_api_proto::{agentattestation as aa, providerattestation as pa};
use tonic::{Request, Response, Status};

use crate::gate::Calls;
use crate::state::MockState;

/// The agent attestation service's gRPC name.
pub const AGENT_SERVICE: &str = "com.spirl.api.v1.agentattestation.API";
/// The provider attestation service's gRPC name.
pub const PROVIDER_SERVICE: &str = "com.spirl.api.v1.providerattestation.API";

/// The agent attestation service.
#[derive(Debug, Clone)]
pub struct AgentAttestationService {
    calls: Calls,
}

impl AgentAttestationService {
    /// The service over `state`.
    pub fn new(state: MockState) -> Self {
        AgentAttestationService {
            calls: Calls::new(state, AGENT_SERVICE),
        }
    }
}

#[tonic::async_trait]
impl aa::api_server::Api for AgentAttestationService {
    async fn create_config(
        &self,
        request: Request<aa::CreateConfigRequest>,
    ) -> Result<Response<aa::CreateConfigResponse>, Status> {
        let r = self.calls.enter(request, "CreateConfig").await?;
        Ok(self.calls.write(|store, ctx| {
            let (change, config) = store.plan_create_agent_attestation(r.config.as_ref(), ctx)?;
            Ok((
                Some(change),
                aa::CreateConfigResponse {
                    config: Some(config),
                },
            ))
        })?)
    }

    async fn list_configs(
        &self,
        request: Request<aa::ListConfigsRequest>,
    ) -> Result<Response<aa::ListConfigsResponse>, Status> {
        self.calls.enter(request, "ListConfigs").await?;
        Ok(self.calls.read(|store, _| {
            Ok(aa::ListConfigsResponse {
                configs: store.list_agent_attestations(),
            })
        })?)
    }

    async fn get_config(
        &self,
        request: Request<aa::GetConfigRequest>,
    ) -> Result<Response<aa::GetConfigResponse>, Status> {
        let r = self.calls.enter(request, "GetConfig").await?;
        Ok(self.calls.read(|store, _| {
            Ok(aa::GetConfigResponse {
                config: Some(store.agent_attestation_view(&r.id)?),
            })
        })?)
    }

    async fn delete_config(
        &self,
        request: Request<aa::DeleteConfigRequest>,
    ) -> Result<Response<aa::DeleteConfigResponse>, Status> {
        let r = self.calls.enter(request, "DeleteConfig").await?;
        Ok(self.calls.write(|store, _| {
            let change = store.plan_delete_agent_attestation(&r.id)?;
            Ok((Some(change), aa::DeleteConfigResponse {}))
        })?)
    }
}

/// The provider attestation service.
#[derive(Debug, Clone)]
pub struct ProviderAttestationService {
    calls: Calls,
}

impl ProviderAttestationService {
    /// The service over `state`.
    pub fn new(state: MockState) -> Self {
        ProviderAttestationService {
            calls: Calls::new(state, PROVIDER_SERVICE),
        }
    }
}

#[tonic::async_trait]
impl pa::api_server::Api for ProviderAttestationService {
    async fn create_config(
        &self,
        request: Request<pa::CreateConfigRequest>,
    ) -> Result<Response<pa::CreateConfigResponse>, Status> {
        let r = self.calls.enter(request, "CreateConfig").await?;
        Ok(self.calls.write(|store, ctx| {
            let (change, config) =
                store.plan_create_provider_attestation(&r.name, r.config.as_ref(), ctx)?;
            Ok((
                Some(change),
                pa::CreateConfigResponse {
                    config: Some(config),
                },
            ))
        })?)
    }

    async fn list_configs(
        &self,
        request: Request<pa::ListConfigsRequest>,
    ) -> Result<Response<pa::ListConfigsResponse>, Status> {
        let r = self.calls.enter(request, "ListConfigs").await?;
        let name = r.filter.map(|f| f.name).unwrap_or_default();
        Ok(self.calls.read(|store, _| {
            Ok(pa::ListConfigsResponse {
                configs: store.list_provider_attestations(&name),
            })
        })?)
    }

    async fn get_config(
        &self,
        request: Request<pa::GetConfigRequest>,
    ) -> Result<Response<pa::GetConfigResponse>, Status> {
        let r = self.calls.enter(request, "GetConfig").await?;
        Ok(self.calls.read(|store, _| {
            Ok(pa::GetConfigResponse {
                config: Some(store.provider_attestation_view(&r.id)?),
            })
        })?)
    }

    async fn delete_config(
        &self,
        request: Request<pa::DeleteConfigRequest>,
    ) -> Result<Response<pa::DeleteConfigResponse>, Status> {
        let r = self.calls.enter(request, "DeleteConfig").await?;
        Ok(self.calls.write(|store, _| {
            let change = store.plan_delete_provider_attestation(&r.id)?;
            Ok((Some(change), pa::DeleteConfigResponse {}))
        })?)
    }
}
