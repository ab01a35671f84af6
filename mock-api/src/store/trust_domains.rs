//! Trust domains: views, listing, and the plans of their writes.

use std::time::SystemTime;

use spirl_api_proto::trustdomain::{self as pb, jwt_issuer_status::Mode};

use super::clusters::cluster_is_active;
use super::{Change, Ctx, JwtIssuer, Store, TrustDomainEntry, TrustDomainRecord};
use crate::assumptions::{
    self, DELETE_TRUST_DOMAIN_NEEDS_NO_ACTIVE_CLUSTERS, DELETE_TRUST_DOMAIN_NEEDS_NO_DEPLOYMENTS,
    OIDC_DISCOVERY_PATH, TRUST_DOMAIN_AVAILABLE, TRUST_DOMAIN_ID_PREFIX, TRUST_DOMAIN_PROVISIONING,
};
use crate::error::ApiError;
use crate::validate;

/// What [`Store::trust_domain_view`] computes: the fields `TrustDomainInfoResponse` and
/// `TrustDomain` share, under one set of names.
struct View {
    state: &'static str,
    agent_endpoint: String,
    effective_issuer: String,
    mode: Mode,
    bundle: String,
    jwks: String,
    oidc_discovery: String,
}

/// A JWT issuer configuration as the API gives it: absent or `set=false` is the built-in issuer,
/// `set=true` with no issuer disables JWT-SVIDs, with an https URL it is that custom issuer.
fn jwt_issuer(config: Option<&pb::JwtIssuerConfig>) -> Result<JwtIssuer, ApiError> {
    match config {
        None => Ok(JwtIssuer::Builtin),
        // The issuer only counts when `set` is true.
        Some(c) if !c.set => Ok(JwtIssuer::Builtin),
        Some(c) if c.issuer.is_empty() => Ok(JwtIssuer::Disabled),
        Some(c) => {
            validate::issuer_url(&c.issuer)?;
            Ok(JwtIssuer::Custom {
                issuer: c.issuer.clone(),
            })
        }
    }
}

/// `NOT_FOUND` for the trust domain a request names in `trust_domain_id`.
pub(super) fn not_found_trust_domain(id: &str) -> ApiError {
    ApiError::NotFound(format!("trust_domain_id: trust domain {id} not found"))
}

impl Store {
    /// The trust domain `id` (field `trust_domain_id`): `INVALID_ARGUMENT` when empty,
    /// `NOT_FOUND` when unknown.
    pub(super) fn trust_domain(&self, id: &str) -> Result<&TrustDomainEntry, ApiError> {
        validate::required("trust_domain_id", id)?;
        self.trust_domains
            .get(id)
            .ok_or_else(|| not_found_trust_domain(id))
    }

    fn trust_domain_view(&self, record: &TrustDomainRecord, now: SystemTime) -> View {
        let base = &self.base_domain;
        let id = &record.id;
        let (mode, effective_issuer) = match &record.jwt_issuer {
            JwtIssuer::Builtin => (Mode::Builtin, assumptions::builtin_issuer(id, base)),
            JwtIssuer::Disabled => (Mode::Disabled, String::new()),
            JwtIssuer::Custom { issuer } => (Mode::Custom, issuer.clone()),
        };
        let oidc_discovery = if effective_issuer.is_empty() {
            String::new()
        } else {
            format!(
                "{}{OIDC_DISCOVERY_PATH}",
                effective_issuer.trim_end_matches('/')
            )
        };
        View {
            state: if now < record.available_at {
                TRUST_DOMAIN_PROVISIONING
            } else {
                TRUST_DOMAIN_AVAILABLE
            },
            agent_endpoint: if record.self_managed {
                String::new()
            } else {
                assumptions::agent_endpoint(id, base)
            },
            effective_issuer,
            mode,
            bundle: assumptions::bundle_endpoint(id, base),
            jwks: assumptions::jwks_endpoint(id, base),
            oidc_discovery,
        }
    }

    /// `TrustDomainInfo`.
    pub fn trust_domain_info(
        &self,
        id: &str,
        now: SystemTime,
    ) -> Result<pb::TrustDomainInfoResponse, ApiError> {
        let record = &self.trust_domain(id)?.record;
        let view = self.trust_domain_view(record, now);
        Ok(pb::TrustDomainInfoResponse {
            name: record.name.clone(),
            state: view.state.to_owned(),
            spirl_agent_endpoint_url: view.agent_endpoint,
            jwt_issuer_endpoint_url: view.effective_issuer.clone(),
            spiffe_bundle_endpoint_url: view.bundle,
            jwks_endpoint_url: view.jwks,
            oidc_discovery_endpoint_url: view.oidc_discovery,
            id: record.id.clone(),
            is_self_managed: record.self_managed,
            created_at: Some(record.created_at.into()),
            updated_at: Some(record.updated_at.into()),
            description: record.description.clone(),
            jwt_issuer_status: Some(pb::JwtIssuerStatus {
                mode: view.mode.into(),
                effective_issuer: view.effective_issuer,
            }),
        })
    }

    /// `ListTrustDomains`: every trust domain in creation order, or the one named `name`. With
    /// `stats`, each carries its cluster and federation link counts; with `status` false, no
    /// `jwt_issuer_status` and an empty `jwt_issuer_endpoint_url`
    /// (`MockOptions::omit_list_jwt_issuer_status`).
    pub fn list_trust_domains(
        &self,
        name: &str,
        now: SystemTime,
        stats: bool,
        status: bool,
    ) -> Vec<pb::TrustDomain> {
        let entries: Vec<&TrustDomainEntry> = if name.is_empty() {
            self.trust_domain_order
                .values()
                .filter_map(|id| self.trust_domains.get(id))
                .collect()
        } else {
            self.trust_domain_by_name
                .get(name)
                .and_then(|id| self.trust_domains.get(id))
                .into_iter()
                .collect()
        };
        entries
            .into_iter()
            .map(|entry| {
                let record = &entry.record;
                let view = self.trust_domain_view(record, now);
                let mut td = pb::TrustDomain {
                    name: record.name.clone(),
                    state: view.state.to_owned(),
                    endpoint_url: view.agent_endpoint,
                    id: record.id.clone(),
                    is_self_managed: record.self_managed,
                    // Without the status, the issuer URL is left out too: the answer then
                    // says nothing of the issuer, and an empty URL must not read as "disabled".
                    jwt_issuer_endpoint_url: if status {
                        view.effective_issuer.clone()
                    } else {
                        String::new()
                    },
                    spiffe_bundle_endpoint_url: view.bundle,
                    jwks_endpoint_url: view.jwks,
                    oidc_discovery_endpoint_url: view.oidc_discovery,
                    description: record.description.clone(),
                    created_at: Some(record.created_at.into()),
                    updated_at: Some(record.updated_at.into()),
                    jwt_issuer_status: status.then(|| pb::JwtIssuerStatus {
                        mode: view.mode.into(),
                        effective_issuer: view.effective_issuer,
                    }),
                    ..pb::TrustDomain::default()
                };
                if stats {
                    let clusters = self.clusters_of(&record.id);
                    td.clusters_total = clusters.len() as i64;
                    td.clusters_active =
                        clusters.iter().filter(|c| cluster_is_active(c)).count() as i64;
                    let links = self
                        .federation_links
                        .keys()
                        .filter(|(td, _)| td == &record.id)
                        .count() as i64;
                    td.federation_links_total = links;
                    td.federation_links_active = links;
                }
                td
            })
            .collect()
    }

    /// `RegisterTrustDomain` (`self_managed`) and `CreateTrustDomain` (SPIRL-hosted). Returns the
    /// change and the new id.
    pub fn plan_create_trust_domain(
        &self,
        name: &str,
        description: &str,
        issuer: Option<&pb::JwtIssuerConfig>,
        self_managed: bool,
        ctx: &Ctx<'_>,
    ) -> Result<(Change, String), ApiError> {
        validate::trust_domain_name(name)?;
        validate::description(description)?;
        let jwt_issuer = jwt_issuer(issuer)?;
        if let Some(existing) = self.trust_domain_by_name.get(name) {
            return Err(ApiError::AlreadyExists(format!(
                "name: a trust domain named `{name}` already exists in this organization: \
                 {existing}"
            )));
        }
        let id = self.fresh_id(TRUST_DOMAIN_ID_PREFIX, ctx);
        let available_at = if self_managed {
            ctx.now
        } else {
            ctx.now + ctx.provisioning
        };
        let change = Change::TrustDomainCreated {
            trust_domain: TrustDomainRecord {
                id: id.clone(),
                name: name.to_owned(),
                description: description.to_owned(),
                self_managed,
                jwt_issuer,
                created_at: ctx.now,
                updated_at: ctx.now,
                available_at,
            },
        };
        Ok((change, id))
    }

    /// The agent endpoint of a SPIRL-hosted trust domain (`CreateTrustDomainResponse`).
    pub fn agent_endpoint(&self, id: &str) -> String {
        assumptions::agent_endpoint(id, &self.base_domain)
    }

    /// `UpdateTrustDomain`: `None` when there is nothing to change (no `jwt_issuer`).
    pub fn plan_update_trust_domain(
        &self,
        id: &str,
        issuer: Option<&pb::JwtIssuerConfig>,
        ctx: &Ctx<'_>,
    ) -> Result<Option<Change>, ApiError> {
        let mut record = self.trust_domain(id)?.record.clone();
        let Some(issuer) = issuer else {
            return Ok(None);
        };
        record.jwt_issuer = jwt_issuer(Some(issuer))?;
        record.updated_at = ctx.now;
        Ok(Some(Change::TrustDomainUpdated {
            trust_domain: record,
        }))
    }

    /// `DeleteTrustDomain`: refused while the trust domain has active clusters or deployments;
    /// its idle clusters, realms (with their role assignments), configuration and federation
    /// links go with it ([`Store::apply`]).
    pub fn plan_delete_trust_domain(&self, id: &str) -> Result<Change, ApiError> {
        let entry = self.trust_domain(id)?;
        if DELETE_TRUST_DOMAIN_NEEDS_NO_ACTIVE_CLUSTERS {
            let active: Vec<&str> = self
                .clusters_of(id)
                .into_iter()
                .filter(|c| cluster_is_active(c))
                .map(|c| c.record.name.as_str())
                .collect();
            if !active.is_empty() {
                return Err(ApiError::FailedPrecondition(format!(
                    "trust domain {id} has active clusters (agents connected): {}; stop their \
                     agents and delete them first",
                    active.join(", ")
                )));
            }
        }
        if DELETE_TRUST_DOMAIN_NEEDS_NO_DEPLOYMENTS && !entry.deployments.is_empty() {
            let names: Vec<&str> = entry
                .deployments
                .iter()
                .filter_map(|d| self.deployments.get(d))
                .map(|d| d.record.name.as_str())
                .collect();
            return Err(ApiError::FailedPrecondition(format!(
                "trust domain {id} has deployments: {}; delete them first",
                names.join(", ")
            )));
        }
        Ok(Change::TrustDomainDeleted { id: id.to_owned() })
    }
}
