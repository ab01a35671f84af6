//! The two attestation services: agent attestation (`com.spirl.api.v1.agentattestation.API`,
//! Kubernetes projected service account tokens, named by id from a cluster version) and provider
//! attestation (`com.spirl.api.v1.providerattestation.API`, an AWS role, named by name). Neither
//! has an update.

use spirl_api_proto::agentattestation as aa;
use spirl_api_proto::agentattestation::api_client::ApiClient as AgentApi;
use spirl_api_proto::providerattestation as pa;
use spirl_api_proto::providerattestation::api_client::ApiClient as ProviderApi;
use tokio::time::Instant;
use tonic::transport::Channel;

use super::engine::{MAX_ANSWER_BYTES, Rpc, gone_is_done};
use super::read_back::ReadBack;
use super::{ApiError, Client, ErrorContext};

const CREATE_AGENT: Rpc = rpc!(
    "create agent attestation config",
    "agentattestation.API/CreateConfig"
);
const LIST_AGENT: Rpc = rpc!(
    "list agent attestation configs",
    "agentattestation.API/ListConfigs"
);
const GET_AGENT: Rpc = rpc!(
    "read agent attestation config",
    "agentattestation.API/GetConfig"
);
const DELETE_AGENT: Rpc = rpc!(
    "delete agent attestation config",
    "agentattestation.API/DeleteConfig"
);
const CREATE_PROVIDER: Rpc = rpc!(
    "create provider attestation config",
    "providerattestation.API/CreateConfig"
);
const LIST_PROVIDER: Rpc = rpc!(
    "list provider attestation configs",
    "providerattestation.API/ListConfigs"
);
const DELETE_PROVIDER: Rpc = rpc!(
    "delete provider attestation config",
    "providerattestation.API/DeleteConfig"
);

/// Kubernetes projected service account token attestation: the cluster's OIDC issuer and the
/// agent's service account.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct K8sPsat {
    /// The cluster's OIDC issuer URL.
    pub issuer_url: String,
    /// The agent's service account.
    pub service_account_name: String,
    /// Its namespace.
    pub service_account_namespace: String,
}

/// An agent attestation configuration.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AgentAttestation {
    /// Its id.
    pub id: String,
    /// `None` for a kind of attestation this provider does not know.
    pub k8s_psat: Option<K8sPsat>,
}

impl From<aa::Config> for AgentAttestation {
    fn from(c: aa::Config) -> Self {
        AgentAttestation {
            id: c.id,
            k8s_psat: c.config.map(|aa::config::Config::K8sPsat(p)| K8sPsat {
                issuer_url: p.oidc_issuer_url,
                service_account_name: p.service_account_name,
                service_account_namespace: p.service_account_namespace,
            }),
        }
    }
}

/// A provider attestation configuration.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProviderAttestation {
    /// Its id.
    pub id: String,
    /// Unique in the organisation.
    pub name: String,
    /// The AWS role; empty for another kind of provider.
    pub aws_role_arn: String,
}

impl From<pa::Config> for ProviderAttestation {
    fn from(c: pa::Config) -> Self {
        ProviderAttestation {
            id: c.id,
            name: c.name,
            aws_role_arn: c
                .config
                .map(|pa::config::Config::Aws(a)| a.role_arn)
                .unwrap_or_default(),
        }
    }
}

fn agents(channel: Channel) -> AgentApi<Channel> {
    AgentApi::new(channel).max_decoding_message_size(MAX_ANSWER_BYTES)
}

fn providers(channel: Channel) -> ProviderApi<Channel> {
    ProviderApi::new(channel).max_decoding_message_size(MAX_ANSWER_BYTES)
}

/// An answer that lacks the configuration it must carry.
fn missing_config(rpc: Rpc) -> ApiError {
    ApiError::Decode(ErrorContext {
        operation: rpc.operation,
        method: rpc.method,
        code: None,
        message: "the answer carries no config".into(),
        attempts: 1,
    })
}

impl Client {
    /// `agentattestation.API/CreateConfig` for `psat`; returns the new configuration's id. The
    /// configurations have no name, so a create whose answer was lost is adopted when a
    /// configuration with the same content exists (an identical one serves the same).
    pub async fn create_agent_attestation(&self, psat: &K8sPsat) -> Result<String, ApiError> {
        let request = aa::CreateConfigRequest {
            config: Some(aa::create_config_request::Config::K8sPsat(
                aa::K8spsatConfig {
                    oidc_issuer_url: psat.issuer_url.clone(),
                    service_account_name: psat.service_account_name.clone(),
                    service_account_namespace: psat.service_account_namespace.clone(),
                },
            )),
        };
        let lookup = |deadline| async move {
            let all = self.list_agent_attestations_until(deadline).await?;
            Ok(all
                .into_iter()
                .rev()
                .find(|c| c.k8s_psat.as_ref() == Some(psat))
                .map(|c| c.id))
        };
        self.create(
            CREATE_AGENT,
            request,
            |c, r| async move { agents(c).create_config(r).await },
            |a: &aa::CreateConfigResponse| {
                a.config.as_ref().map(|c| c.id.clone()).unwrap_or_default()
            },
            lookup,
        )
        .await
    }

    async fn list_agent_attestations_until(
        &self,
        deadline: Instant,
    ) -> Result<Vec<AgentAttestation>, ApiError> {
        let answer = self
            .call(
                LIST_AGENT,
                deadline,
                aa::ListConfigsRequest {},
                |c, r| async move { agents(c).list_configs(r).await },
            )
            .await?;
        Ok(answer.configs.into_iter().map(Into::into).collect())
    }

    /// `agentattestation.API/GetConfig`; `None` when it does not exist.
    pub async fn agent_attestation(&self, id: &str) -> Result<Option<AgentAttestation>, ApiError> {
        let request = aa::GetConfigRequest { id: id.to_owned() };
        match self
            .call(GET_AGENT, self.deadline(), request, |c, r| async move {
                agents(c).get_config(r).await
            })
            .await
        {
            Ok(answer) => Ok(Some(
                answer
                    .config
                    .ok_or_else(|| missing_config(GET_AGENT))?
                    .into(),
            )),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `agentattestation.API/DeleteConfig`. `NOT_FOUND` is success; one that a cluster version
    /// still names is refused (`FAILED_PRECONDITION`).
    pub async fn delete_agent_attestation(&self, id: &str) -> Result<(), ApiError> {
        let request = aa::DeleteConfigRequest { id: id.to_owned() };
        let result = self
            .call(DELETE_AGENT, self.deadline(), request, |c, r| async move {
                agents(c).delete_config(r).await
            })
            .await;
        gone_is_done(result)
    }

    /// `providerattestation.API/CreateConfig`: `name`, with the `aws` configuration of role
    /// `role_arn` when given and none otherwise (the control plane then judges it: its API marks
    /// the configuration "Required", the official schema has `aws` optional); returns the new
    /// configuration's id. A create whose answer was lost is found by name and adopted.
    pub async fn create_provider_attestation(
        &self,
        name: &str,
        role_arn: Option<&str>,
    ) -> Result<String, ApiError> {
        let request = pa::CreateConfigRequest {
            name: name.to_owned(),
            config: role_arn.map(|role_arn| {
                pa::create_config_request::Config::Aws(pa::AwsConfig {
                    role_arn: role_arn.to_owned(),
                })
            }),
        };
        let lookup = |deadline| async move {
            let found = self
                .list_provider_attestations_until(Some(name), deadline)
                .await?;
            Ok(found.into_iter().find(|c| c.name == name).map(|c| c.id))
        };
        self.create(
            CREATE_PROVIDER,
            request,
            |c, r| async move { providers(c).create_config(r).await },
            |a: &pa::CreateConfigResponse| {
                a.config.as_ref().map(|c| c.id.clone()).unwrap_or_default()
            },
            lookup,
        )
        .await
    }

    /// `providerattestation.API/ListConfigs`: every configuration, or only the one named `name`.
    pub async fn list_provider_attestations(
        &self,
        name: Option<&str>,
    ) -> Result<Vec<ProviderAttestation>, ApiError> {
        self.list_provider_attestations_until(name, self.deadline())
            .await
    }

    async fn list_provider_attestations_until(
        &self,
        name: Option<&str>,
        deadline: Instant,
    ) -> Result<Vec<ProviderAttestation>, ApiError> {
        let request = pa::ListConfigsRequest {
            filter: name.map(|n| pa::ConfigFilter { name: n.to_owned() }),
        };
        let answer = self
            .call(LIST_PROVIDER, deadline, request, |c, r| async move {
                providers(c).list_configs(r).await
            })
            .await?;
        Ok(answer.configs.into_iter().map(Into::into).collect())
    }

    /// `providerattestation.API/DeleteConfig`. `NOT_FOUND` is success; one that a cluster
    /// version still names is refused (`FAILED_PRECONDITION`).
    pub async fn delete_provider_attestation(&self, id: &str) -> Result<(), ApiError> {
        let request = pa::DeleteConfigRequest { id: id.to_owned() };
        let result = self
            .call(
                DELETE_PROVIDER,
                self.deadline(),
                request,
                |c, r| async move { providers(c).delete_config(r).await },
            )
            .await;
        gone_is_done(result)
    }
}

impl ReadBack {
    /// Provider attestation configuration `id`, just created: read back by listing them.
    pub fn provider_attestation(id: &str) -> Self {
        Self::created(
            "provider attestation config",
            id,
            "read the new provider attestation config",
            LIST_PROVIDER,
        )
    }
}
