//! The configuration service (`com.spirl.api.v1.config.API`): the configuration sections of the
//! organisation, a trust domain, a trust-domain deployment or a cluster, read and updated whole.
//!
//! An update carries `expected_version`, so that a concurrent change is refused rather than
//! overwritten. Updates are retried like every call; a retry of an update whose first answer was
//! lost then finds the version moved on (by our own write). So after any update that failed
//! without a clear refusal, the configuration is read again: if it holds what the update asked
//! for, the update happened and succeeded; if its version is not the expected one, that is
//! reported as [`ApiError::Conflict`] naming both versions.

use spirl_api_proto::config as wire;
use spirl_api_proto::config::api_client::ApiClient as SectionsApi;
use tonic::transport::Channel;

use super::engine::{MAX_ANSWER_BYTES, Rpc};
use super::models::rfc3339;
use super::{ApiError, Client, ErrorContext};

const GET_ORG_CONFIG: Rpc = rpc!("read organisation configuration", "config.API/GetOrgConfig");
const UPDATE_ORG_CONFIG: Rpc = rpc!(
    "update organisation configuration",
    "config.API/UpdateOrgConfig"
);
const GET_TRUST_DOMAIN_CONFIG: Rpc = rpc!(
    "read trust domain configuration",
    "config.API/GetTrustDomainConfig"
);
const UPDATE_TRUST_DOMAIN_CONFIG: Rpc = rpc!(
    "update trust domain configuration",
    "config.API/UpdateTrustDomainConfig"
);
const GET_DEPLOYMENT_CONFIG: Rpc = rpc!(
    "read deployment configuration",
    "config.API/GetTrustDomainDeploymentConfig"
);
const UPDATE_DEPLOYMENT_CONFIG: Rpc = rpc!(
    "update deployment configuration",
    "config.API/UpdateTrustDomainDeploymentConfig"
);
const GET_CLUSTER_CONFIG: Rpc = rpc!("read cluster configuration", "config.API/GetClusterConfig");
const UPDATE_CLUSTER_CONFIG: Rpc = rpc!(
    "update cluster configuration",
    "config.API/UpdateClusterConfig"
);

/// Whose configuration: the organisation's, or that of the object with this id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SectionScope {
    /// The organisation (a singleton).
    Org,
    /// A trust domain, `td-…`.
    TrustDomain(String),
    /// A trust-domain deployment, `tdd-…`.
    Deployment(String),
    /// A cluster.
    Cluster(String),
}

/// One section as the control plane reports it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Section {
    /// `KeyManager`.
    pub name: String,
    /// `v1`.
    pub schema: String,
    /// The self-describing YAML document.
    pub yaml: String,
    /// The control plane's own: cannot be set, is not pruned.
    pub read_only: bool,
}

/// A configuration: its version and sections.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScopeSections {
    /// Opaque; changes with every stored change.
    pub version: String,
    /// RFC 3339; empty when never updated.
    pub updated_at: String,
    /// Every section, read-only ones included.
    pub sections: Vec<Section>,
}

impl ScopeSections {
    /// The sections an update can set, by name.
    pub fn writable(&self) -> impl Iterator<Item = &Section> {
        self.sections.iter().filter(|s| !s.read_only)
    }

    /// Whether this configuration holds what `update` asked for: each document (compared by
    /// meaning) and, when pruning, no other writable section.
    pub fn holds(&self, update: &SectionsUpdate) -> bool {
        let sent = update.sections.iter().all(|(name, yaml)| {
            self.writable()
                .any(|s| &s.name == name && crate::sections::same(&s.yaml, yaml))
        });
        let extra = self
            .writable()
            .any(|s| !update.sections.iter().any(|(name, _)| name == &s.name));
        sent && !(update.prune && extra)
    }
}

/// What an update sends.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SectionsUpdate {
    /// Section name and its YAML document.
    pub sections: Vec<(String, String)>,
    /// Remove writable sections not named here.
    pub prune: bool,
    /// Refuse the update unless the configuration has this version (empty: no check).
    pub expected_version: String,
    /// Check, do not store.
    pub validate_only: bool,
}

impl SectionsUpdate {
    fn to_wire(&self) -> wire::UpdateConfigParams {
        wire::UpdateConfigParams {
            section_updates: self.sections.iter().map(|(_, yaml)| yaml.clone()).collect(),
            prune: self.prune,
            expected_version: self.expected_version.clone(),
            validate_only: self.validate_only,
        }
    }
}

fn config_api(channel: Channel) -> SectionsApi<Channel> {
    SectionsApi::new(channel).max_decoding_message_size(MAX_ANSWER_BYTES)
}

/// The configuration of an answer; an answer without one is not what the API describes.
fn decode(rpc: Rpc, config: Option<wire::Config>) -> Result<ScopeSections, ApiError> {
    let config = config.ok_or_else(|| {
        ApiError::Decode(ErrorContext {
            operation: rpc.operation,
            method: rpc.method,
            code: None,
            message: "the answer carries no configuration".into(),
            attempts: 1,
        })
    })?;
    Ok(ScopeSections {
        version: config.version,
        updated_at: rfc3339(config.updated_at.as_ref()),
        sections: config
            .sections
            .into_iter()
            .map(|s| Section {
                name: s.name,
                schema: s.schema,
                yaml: s.yaml_value,
                read_only: s.read_only,
            })
            .collect(),
    })
}

impl Client {
    /// `Get…Config` of `scope`; [`ApiError::NotFound`] when its object does not exist.
    pub async fn get_config(&self, scope: &SectionScope) -> Result<ScopeSections, ApiError> {
        let deadline = self.deadline();
        let (rpc, config) = match scope {
            SectionScope::Org => {
                let request = wire::GetOrgConfigRequest {};
                let answer = self
                    .call(GET_ORG_CONFIG, deadline, request, |c, r| async move {
                        config_api(c).get_org_config(r).await
                    })
                    .await?;
                (GET_ORG_CONFIG, answer.config)
            }
            SectionScope::TrustDomain(id) => {
                let request = wire::GetTrustDomainConfigRequest {
                    trust_domain_id: id.clone(),
                };
                let answer = self
                    .call(
                        GET_TRUST_DOMAIN_CONFIG,
                        deadline,
                        request,
                        |c, r| async move { config_api(c).get_trust_domain_config(r).await },
                    )
                    .await?;
                (GET_TRUST_DOMAIN_CONFIG, answer.config)
            }
            SectionScope::Deployment(id) => {
                let request = wire::GetTrustDomainDeploymentConfigRequest {
                    trust_domain_deployment_id: id.clone(),
                };
                let answer = self
                    .call(GET_DEPLOYMENT_CONFIG, deadline, request, |c, r| async move {
                        config_api(c).get_trust_domain_deployment_config(r).await
                    })
                    .await?;
                (GET_DEPLOYMENT_CONFIG, answer.config)
            }
            SectionScope::Cluster(id) => {
                let request = wire::GetClusterConfigRequest {
                    cluster_id: id.clone(),
                };
                let answer = self
                    .call(GET_CLUSTER_CONFIG, deadline, request, |c, r| async move {
                        config_api(c).get_cluster_config(r).await
                    })
                    .await?;
                (GET_CLUSTER_CONFIG, answer.config)
            }
        };
        decode(rpc, config)
    }

    /// `Update…Config` of `scope`, as the module docs say: a lost answer is recovered by reading
    /// the configuration again, a concurrent change is [`ApiError::Conflict`].
    pub async fn update_config(
        &self,
        scope: &SectionScope,
        update: &SectionsUpdate,
    ) -> Result<ScopeSections, ApiError> {
        let (rpc, result) = self.send_update(scope, update).await;
        let error = match result.and_then(|config| decode(rpc, config)) {
            Ok(config) => return Ok(config),
            Err(error) => error,
        };
        let unclear = error.may_have_applied()
            || matches!(
                error,
                ApiError::FailedPrecondition(_) | ApiError::Conflict(_) | ApiError::Internal(_)
            );
        if update.validate_only || !unclear {
            return Err(error);
        }
        // The read only sharpens the error; when it fails too, the update's error stands.
        let Ok(now) = self.get_config(scope).await else {
            return Err(error);
        };
        if now.holds(update) {
            log::debug!(target: super::engine::LOG_TARGET, "{}: the configuration holds the update: it had been applied", rpc.operation);
            return Ok(now);
        }
        if !update.expected_version.is_empty() && now.version != update.expected_version {
            let context = error.context();
            return Err(ApiError::Conflict(ErrorContext {
                message: format!(
                    "the configuration changed since Terraform read it: version `{}` was \
                     expected, the control plane has version `{}`",
                    update.expected_version, now.version
                ),
                ..context.clone()
            }));
        }
        Err(error)
    }

    async fn send_update(
        &self,
        scope: &SectionScope,
        update: &SectionsUpdate,
    ) -> (Rpc, Result<Option<wire::Config>, ApiError>) {
        let deadline = self.deadline();
        let params = Some(update.to_wire());
        match scope {
            SectionScope::Org => {
                let request = wire::UpdateOrgConfigRequest { params };
                let result = self
                    .call(UPDATE_ORG_CONFIG, deadline, request, |c, r| async move {
                        config_api(c).update_org_config(r).await
                    })
                    .await;
                (UPDATE_ORG_CONFIG, result.map(|a| a.config))
            }
            SectionScope::TrustDomain(id) => {
                let request = wire::UpdateTrustDomainConfigRequest {
                    trust_domain_id: id.clone(),
                    params,
                };
                let result = self
                    .call(
                        UPDATE_TRUST_DOMAIN_CONFIG,
                        deadline,
                        request,
                        |c, r| async move { config_api(c).update_trust_domain_config(r).await },
                    )
                    .await;
                (UPDATE_TRUST_DOMAIN_CONFIG, result.map(|a| a.config))
            }
            SectionScope::Deployment(id) => {
                let request = wire::UpdateTrustDomainDeploymentConfigRequest {
                    trust_domain_deployment_id: id.clone(),
                    params,
                };
                let result = self
                    .call(
                        UPDATE_DEPLOYMENT_CONFIG,
                        deadline,
                        request,
                        |c, r| async move {
                            config_api(c).update_trust_domain_deployment_config(r).await
                        },
                    )
                    .await;
                (UPDATE_DEPLOYMENT_CONFIG, result.map(|a| a.config))
            }
            SectionScope::Cluster(id) => {
                let request = wire::UpdateClusterConfigRequest {
                    cluster_id: id.clone(),
                    params,
                };
                let result = self
                    .call(
                        UPDATE_CLUSTER_CONFIG,
                        deadline,
                        request,
                        |c, r| async move { config_api(c).update_cluster_config(r).await },
                    )
                    .await;
                (UPDATE_CLUSTER_CONFIG, result.map(|a| a.config))
            }
        }
    }
}
