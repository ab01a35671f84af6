//! The trust-domain service (`com.spirl.api.v1.trustdomain.API`): trust domains, and their
//! deployments and keys. There is no create or get of a deployment: the first key registered
//! under a deployment name creates it, and deployments are found by listing.

use spirl_api_proto::trustdomain as wire;
use spirl_api_proto::trustdomain::api_client::ApiClient as TrustDomainApi;
use std::time::Duration;

use tokio::time::Instant;
use tonic::transport::Channel;

use super::assumptions::TRUST_DOMAIN_READY_STATES;
use super::engine::{LOG_TARGET, MAX_ANSWER_BYTES, Rpc, gone_is_done};
use super::models::{CreateTrustDomain, Deployment, JwtIssuerInput, Key, TrustDomain};
use super::read_back::ReadBack;
use super::{ApiError, Client, ErrorContext};

/// First wait between two looks at a trust domain being provisioned; it doubles up to the next.
const PROVISIONING_POLL_FIRST: Duration = Duration::from_millis(100);
/// Longest wait between two looks at a trust domain being provisioned.
const PROVISIONING_POLL_MAX: Duration = Duration::from_secs(5);

const REGISTER_TRUST_DOMAIN: Rpc =
    rpc!("create trust domain", "trustdomain.API/RegisterTrustDomain");
const CREATE_TRUST_DOMAIN: Rpc = rpc!("create trust domain", "trustdomain.API/CreateTrustDomain");
const TRUST_DOMAIN_INFO: Rpc = rpc!("read trust domain", "trustdomain.API/TrustDomainInfo");
const LIST_TRUST_DOMAINS: Rpc = rpc!("list trust domains", "trustdomain.API/ListTrustDomains");
const UPDATE_TRUST_DOMAIN: Rpc = rpc!("update trust domain", "trustdomain.API/UpdateTrustDomain");
const DELETE_TRUST_DOMAIN: Rpc = rpc!("delete trust domain", "trustdomain.API/DeleteTrustDomain");
const LIST_DEPLOYMENTS: Rpc = rpc!(
    "list deployments",
    "trustdomain.API/ListTrustDomainDeployments"
);
const DELETE_DEPLOYMENT: Rpc = rpc!(
    "delete deployment",
    "trustdomain.API/DeleteTrustDomainDeployment"
);
const LIST_KEYS: Rpc = rpc!(
    "list deployment keys",
    "trustdomain.API/ListTrustDomainKeys"
);
const CREATE_KEY: Rpc = rpc!(
    "register deployment key",
    "trustdomain.API/CreateTrustDomainKey"
);
const ENABLE_KEY: Rpc = rpc!(
    "enable deployment key",
    "trustdomain.API/EnableTrustDomainKey"
);
const DISABLE_KEY: Rpc = rpc!(
    "disable deployment key",
    "trustdomain.API/DisableTrustDomainKey"
);
const DELETE_KEY: Rpc = rpc!(
    "delete deployment key",
    "trustdomain.API/DeleteTrustDomainKey"
);

impl Client {
    // ---- trust domains -------------------------------------------------------------------

    /// Creates a trust domain (`RegisterTrustDomain` when self-hosted, else `CreateTrustDomain`)
    /// and returns its id. A create whose answer was lost is looked up by name and adopted.
    pub async fn create_trust_domain(&self, body: &CreateTrustDomain) -> Result<String, ApiError> {
        let name = body.name.clone();
        let lookup = |deadline| {
            let name = name.clone();
            async move {
                let found = self.list_trust_domains_until(Some(&name), deadline).await?;
                Ok(found.into_iter().find(|td| td.name == name).map(|td| td.id))
            }
        };
        let jwt_issuer = body.jwt_issuer.as_ref().map(JwtIssuerInput::to_wire);
        let created = if body.self_hosted {
            let request = wire::RegisterTrustDomainRequest {
                name: body.name.clone(),
                description: body.description.clone(),
                jwt_issuer,
            };
            self.create(
                REGISTER_TRUST_DOMAIN,
                request,
                |c, r| async move { trust_domains(c).register_trust_domain(r).await },
                |a: &wire::RegisterTrustDomainResponse| a.trust_domain_id.clone(),
                lookup,
            )
            .await
        } else {
            let request = wire::CreateTrustDomainRequest {
                name: body.name.clone(),
                description: body.description.clone(),
                jwt_issuer,
            };
            self.create(
                CREATE_TRUST_DOMAIN,
                request,
                |c, r| async move { trust_domains(c).create_trust_domain(r).await },
                |a: &wire::CreateTrustDomainResponse| a.trust_domain_id.clone(),
                lookup,
            )
            .await
        };
        self.caches().trust_domains_changed();
        created
    }

    /// `TrustDomainInfo`: one trust domain; [`ApiError::NotFound`] when it does not exist.
    pub async fn trust_domain_info(&self, id: &str) -> Result<TrustDomain, ApiError> {
        self.trust_domain_info_until(id, self.deadline()).await
    }

    async fn trust_domain_info_until(
        &self,
        id: &str,
        deadline: Instant,
    ) -> Result<TrustDomain, ApiError> {
        let request = wire::TrustDomainInfoRequest {
            trust_domain_id: id.to_owned(),
        };
        let answer = self
            .call(TRUST_DOMAIN_INFO, deadline, request, |c, r| async move {
                trust_domains(c).trust_domain_info(r).await
            })
            .await?;
        TrustDomain::from_info(answer).ok_or_else(|| {
            ApiError::Decode(ErrorContext {
                operation: TRUST_DOMAIN_INFO.operation,
                method: TRUST_DOMAIN_INFO.method,
                code: None,
                message: format!(
                    "the answer for trust domain {id} has no jwt_issuer_status, so its JWT issuer \
                     mode is unknown"
                ),
                attempts: 1,
            })
        })
    }

    /// `ListTrustDomains` with dynamic data: every trust domain of the organisation, or only the
    /// one named `name`. The API does not page. An entry without its JWT issuer status is read
    /// again with `TrustDomainInfo`.
    pub async fn list_trust_domains(
        &self,
        name: Option<&str>,
    ) -> Result<Vec<TrustDomain>, ApiError> {
        self.list_trust_domains_until(name, self.deadline()).await
    }

    async fn list_trust_domains_until(
        &self,
        name: Option<&str>,
        deadline: Instant,
    ) -> Result<Vec<TrustDomain>, ApiError> {
        let request = wire::ListTrustDomainsRequest {
            trust_domain_name: name.unwrap_or_default().to_owned(),
            include_dynamic_data: true,
            exclude_stats: false,
        };
        let answer = self
            .call(LIST_TRUST_DOMAINS, deadline, request, |c, r| async move {
                trust_domains(c).list_trust_domains(r).await
            })
            .await?;
        let mut found = Vec::with_capacity(answer.trust_domains.len());
        for listed in answer.trust_domains {
            match TrustDomain::from_listed(listed) {
                Ok(td) => found.push(td),
                Err(id) => {
                    log::debug!(target: LOG_TARGET, "{}: {id} was listed without its JWT issuer status; reading it with TrustDomainInfo", LIST_TRUST_DOMAINS.operation);
                    match self.trust_domain_info_until(&id, deadline).await {
                        Ok(td) => found.push(td),
                        // Deleted since it was listed.
                        Err(e) if e.is_not_found() => {}
                        Err(e) => return Err(e),
                    }
                }
            }
        }
        Ok(found)
    }

    /// Waits until the SPIRL-hosted trust domain `id` is ready for use
    /// ([`TRUST_DOMAIN_READY_STATES`]), looking at it with growing pauses, until `deadline`
    /// (`timeouts.create`, which `limit` states for the message).
    pub async fn wait_trust_domain_available(
        &self,
        id: &str,
        deadline: Instant,
        limit: Duration,
    ) -> Result<TrustDomain, ApiError> {
        let mut pause = PROVISIONING_POLL_FIRST;
        loop {
            let td = self.trust_domain_info(id).await?;
            if TRUST_DOMAIN_READY_STATES.contains(&td.state.as_str()) {
                return Ok(td);
            }
            if Instant::now() + pause >= deadline {
                return Err(ApiError::Timeout(ErrorContext {
                    operation: "wait for the trust domain to be provisioned",
                    method: TRUST_DOMAIN_INFO.method,
                    code: None,
                    message: format!(
                        "trust domain {id} is still `{}` after timeouts.create ({}); raise \
                         `timeouts.create` if provisioning takes longer",
                        td.state,
                        humantime::format_duration(limit)
                    ),
                    attempts: 1,
                }));
            }
            log::debug!(target: LOG_TARGET, id, state = td.state.as_str(); "trust domain not available yet");
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(PROVISIONING_POLL_MAX);
        }
    }

    /// `UpdateTrustDomain`: sets the JWT issuer, the only thing the API can change.
    pub async fn update_trust_domain_jwt_issuer(
        &self,
        id: &str,
        issuer: &JwtIssuerInput,
    ) -> Result<(), ApiError> {
        let request = wire::UpdateTrustDomainRequest {
            trust_domain_id: id.to_owned(),
            jwt_issuer: Some(issuer.to_wire()),
        };
        let result = self
            .call(
                UPDATE_TRUST_DOMAIN,
                self.deadline(),
                request,
                |c, r| async move { trust_domains(c).update_trust_domain(r).await },
            )
            .await;
        self.caches().trust_domains_changed();
        result.map(drop)
    }

    /// `DeleteTrustDomain`. `NOT_FOUND` is success; `FAILED_PRECONDITION` while it has
    /// deployments.
    pub async fn delete_trust_domain(&self, id: &str) -> Result<(), ApiError> {
        let request = wire::DeleteTrustDomainRequest {
            trust_domain_id: id.to_owned(),
        };
        let result = self
            .call(
                DELETE_TRUST_DOMAIN,
                self.deadline(),
                request,
                |c, r| async move { trust_domains(c).delete_trust_domain(r).await },
            )
            .await;
        self.caches().trust_domains_changed();
        gone_is_done(result)
    }

    // ---- deployments and keys ------------------------------------------------------------

    /// `ListTrustDomainDeployments`: the deployments of one trust domain, or of the whole
    /// organisation when `trust_domain_id` is `None`.
    pub async fn list_deployments(
        &self,
        trust_domain_id: Option<&str>,
    ) -> Result<Vec<Deployment>, ApiError> {
        let request = wire::ListTrustDomainDeploymentsRequest {
            trust_domain_id: trust_domain_id.unwrap_or_default().to_owned(),
            include_dynamic_data: false,
        };
        let answer = self
            .call(
                LIST_DEPLOYMENTS,
                self.deadline(),
                request,
                |c, r| async move { trust_domains(c).list_trust_domain_deployments(r).await },
            )
            .await?;
        Ok(answer
            .trust_domain_deployments
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// `ListTrustDomainKeys`: the keys of a deployment, of a trust domain, or (both `None`) of
    /// the organisation.
    pub async fn list_keys(
        &self,
        trust_domain_id: Option<&str>,
        deployment_name: Option<&str>,
    ) -> Result<Vec<Key>, ApiError> {
        self.list_keys_until(trust_domain_id, deployment_name, self.deadline())
            .await
    }

    async fn list_keys_until(
        &self,
        trust_domain_id: Option<&str>,
        deployment_name: Option<&str>,
        deadline: Instant,
    ) -> Result<Vec<Key>, ApiError> {
        let request = wire::ListTrustDomainKeysRequest {
            trust_domain_id: trust_domain_id.unwrap_or_default().to_owned(),
            deployment_name: deployment_name.unwrap_or_default().to_owned(),
        };
        let answer = self
            .call(LIST_KEYS, deadline, request, |c, r| async move {
                trust_domains(c).list_trust_domain_keys(r).await
            })
            .await?;
        Ok(answer
            .trust_domain_keys
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// `CreateTrustDomainKey`: registers `public_key_der` (DER SPKI) in deployment
    /// `deployment_name`, creating the deployment with its first key; returns the key's id. The
    /// key is active. A registration whose answer was lost is found by its public key and
    /// adopted.
    pub async fn create_key(
        &self,
        trust_domain_id: &str,
        deployment_name: &str,
        public_key_der: &[u8],
    ) -> Result<String, ApiError> {
        let request = wire::CreateTrustDomainKeyRequest {
            trust_domain_id: trust_domain_id.to_owned(),
            deployment_name: deployment_name.to_owned(),
            pubkey: Some(wire::create_trust_domain_key_request::Pubkey::PkixPubkey(
                wire::PkixPublicKey {
                    data: public_key_der.to_vec(),
                },
            )),
        };
        let lookup = |deadline| async move {
            let keys = self
                .list_keys_until(Some(trust_domain_id), Some(deployment_name), deadline)
                .await?;
            Ok(keys
                .into_iter()
                .find(|k| k.public_key_der == public_key_der)
                .map(|k| k.id))
        };
        let created = self
            .create(
                CREATE_KEY,
                request,
                |c, r| async move { trust_domains(c).create_trust_domain_key(r).await },
                |a: &wire::CreateTrustDomainKeyResponse| a.id.clone(),
                lookup,
            )
            .await;
        self.caches().deployments_changed();
        created
    }

    /// `EnableTrustDomainKey`.
    pub async fn enable_key(&self, trust_domain_id: &str, key_id: &str) -> Result<(), ApiError> {
        let request = wire::EnableTrustDomainKeyRequest {
            trust_domain_id: trust_domain_id.to_owned(),
            trust_domain_key_id: key_id.to_owned(),
        };
        let result = self
            .call(ENABLE_KEY, self.deadline(), request, |c, r| async move {
                trust_domains(c).enable_trust_domain_key(r).await
            })
            .await;
        self.caches().deployments_changed();
        result.map(drop)
    }

    /// `DisableTrustDomainKey`.
    pub async fn disable_key(&self, trust_domain_id: &str, key_id: &str) -> Result<(), ApiError> {
        let request = wire::DisableTrustDomainKeyRequest {
            trust_domain_id: trust_domain_id.to_owned(),
            trust_domain_key_id: key_id.to_owned(),
        };
        let result = self
            .call(DISABLE_KEY, self.deadline(), request, |c, r| async move {
                trust_domains(c).disable_trust_domain_key(r).await
            })
            .await;
        self.caches().deployments_changed();
        result.map(drop)
    }

    /// `DeleteTrustDomainKey`; `force` deletes an active key. `NOT_FOUND` is success.
    pub async fn delete_key(
        &self,
        trust_domain_id: &str,
        key_id: &str,
        force: bool,
    ) -> Result<(), ApiError> {
        let request = wire::DeleteTrustDomainKeyRequest {
            trust_domain_id: trust_domain_id.to_owned(),
            trust_domain_key_id: key_id.to_owned(),
            force,
        };
        let result = self
            .call(DELETE_KEY, self.deadline(), request, |c, r| async move {
                trust_domains(c).delete_trust_domain_key(r).await
            })
            .await;
        self.caches().deployments_changed();
        gone_is_done(result)
    }

    /// `DeleteTrustDomainDeployment`; `force` deletes it with active keys. `NOT_FOUND` is
    /// success.
    pub async fn delete_deployment(
        &self,
        trust_domain_id: &str,
        deployment_name: &str,
        force: bool,
    ) -> Result<(), ApiError> {
        let request = wire::DeleteTrustDomainDeploymentRequest {
            deployment_name: deployment_name.to_owned(),
            trust_domain_id: trust_domain_id.to_owned(),
            force,
        };
        let result = self
            .call(
                DELETE_DEPLOYMENT,
                self.deadline(),
                request,
                |c, r| async move { trust_domains(c).delete_trust_domain_deployment(r).await },
            )
            .await;
        self.caches().deployments_changed();
        gone_is_done(result)
    }
}

/// The trust-domain service's client on `channel`.
fn trust_domains(channel: Channel) -> TrustDomainApi<Channel> {
    TrustDomainApi::new(channel).max_decoding_message_size(MAX_ANSWER_BYTES)
}

impl ReadBack {
    /// Trust domain `id`, just created: read back with `TrustDomainInfo`.
    pub fn trust_domain(id: &str) -> Self {
        Self::created(
            "trust domain",
            id,
            "read the new trust domain",
            TRUST_DOMAIN_INFO,
        )
    }

    /// Deployment `name` of trust domain `trust_domain_id` (its import id), whose keys were just
    /// registered: read back by listing the trust domain's deployments.
    pub fn deployment(trust_domain_id: &str, name: &str) -> Self {
        Self::created(
            "deployment",
            format!("{trust_domain_id}/{name}"),
            "read the new deployment",
            LIST_DEPLOYMENTS,
        )
    }
}
