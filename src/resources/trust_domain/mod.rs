//! `spirl_trust_domain`: a SPIFFE trust domain on the control plane (DESIGN.md §2). The data
//! source of the same name (`crate::data_sources::trust_domain`) shares its state struct, its
//! attributes and its name validation.
//!
//! On the real API a trust domain's name, description and hosting cannot change: each forces a
//! replacement (a changed description with a warning, since replacing a trust domain costs its
//! deployments their registration). Only the JWT issuer changes in place (`UpdateTrustDomain`).
//! A SPIRL-hosted trust domain is provisioned asynchronously: create waits until it is
//! available, for at most `timeouts.create`.
//!
//! Plan-time checks live in `validate`. Refresh reads go through the client's trust-domain snapshot
//! ([`Client::refresh_trust_domain`]), so that many trust domains cost one list call instead of
//! one `TrustDomainInfo` each.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use tfplugin::{
    Attr, AttributePath, Change, Diagnostics, Kind, Model, Read, Resource, Schema, async_trait,
};
use tokio::time::Instant;

mod validate;

pub use self::validate::{MAX_DOMAIN_NAME, domain_name_problem};
use self::validate::{check_domain_name, parse_mode, validate_config};
use crate::client::ClientHandle;
use crate::client::assumptions::TRUST_DOMAIN_ID_PREFIX;
use crate::client::{
    ApiError, Client, CreateTrustDomain, JwtIssuerInput, JwtIssuerMode, ReadBack, TrustDomain,
};
use crate::diagnostics;
use crate::problem::quote;

/// Configuration and state of `spirl_trust_domain`, and the result of the data source (looked
/// up by `domain_name`, everything else read-only).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Model)]
pub struct TrustDomainState {
    /// The trust domain's id, `td-…`.
    #[tf(computed, keep, data(computed))]
    pub id: Attr<String>,
    /// The SPIFFE trust domain name, such as `example.org`: lowercase letters, digits, `.`, `-`
    /// and `_`, at most 255 characters. Changing it replaces the trust domain.
    #[tf(required, replace, check = check_domain_name, data(required))]
    pub domain_name: Attr<String>,
    /// Free text shown in the Defakto console. Defaults to empty. The control plane cannot edit
    /// it: changing it replaces the trust domain (the plan warns what that costs).
    #[tf(default = "", replace, data(computed))]
    pub description: Attr<String>,
    /// Whether you run the trust-domain servers yourself (`true`, the default) or Defakto hosts
    /// them. Changing it replaces the trust domain.
    #[tf(default = true, replace, data(computed))]
    pub self_hosted: Attr<bool>,
    /// How JWT-SVIDs are issued: `builtin` (the default; the control plane is the issuer),
    /// `disabled`, or `custom` (you name the issuer in `jwt_issuer`). Changed in place.
    #[tf(default = "builtin", data(computed))]
    pub jwt_issuer_mode: Attr<String>,
    /// The JWT issuer URL. Required (an `https://` URL) when `jwt_issuer_mode` is `custom`.
    /// Computed otherwise: the control plane's built-in issuer for `builtin`, empty for
    /// `disabled`; leave it unset there, or set it to exactly that value (as `terraform plan
    /// -generate-config-out` writes it).
    #[tf(optional, computed, data(computed))]
    pub jwt_issuer: Attr<String>,
    /// When the trust domain was created (RFC 3339, UTC).
    #[tf(computed, keep, data(computed))]
    pub created_at: Attr<String>,
    /// When the trust domain last changed (RFC 3339, UTC).
    #[tf(computed)]
    pub updated_at: Attr<String>,
    /// The SPIFFE bundle endpoint URL, for federation.
    #[tf(computed, keep, data(computed))]
    pub spiffe_bundle_endpoint: Attr<String>,
    /// The OIDC discovery document of the effective JWT issuer (the issuer followed by
    /// `/.well-known/openid-configuration`); empty when JWT issuing is disabled.
    #[tf(computed)]
    pub oidc_discovery_endpoint: Attr<String>,
    /// The JWKS URL of the trust domain's JWT issuer.
    #[tf(computed)]
    pub jwks_endpoint: Attr<String>,
    /// The `host:port` agents connect to when Defakto hosts the trust-domain servers; empty when
    /// `self_hosted` is `true`.
    #[tf(computed, keep, data(computed))]
    pub spirl_agent_endpoint: Attr<String>,
    /// Time limits of operations that wait for the control plane. A block rather than a single
    /// nested attribute, as terraform-plugin-framework-timeouts' `Block` spells it, because
    /// Terraform 1.0.x crashes planning a resource whose single nested attribute is left unset
    /// (`proposedNewNestedType`, hashicorp/terraform#29473); its value has the same object type
    /// either way, so states written with the attribute still decode.
    #[tf(
        block,
        doc = "Time limits of operations that wait for the control plane.",
        data(omit)
    )]
    pub timeouts: Attr<Timeouts>,
}

/// `timeouts`, as terraform-plugin-framework-timeouts spells it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Model)]
pub struct Timeouts {
    /// How long create may wait for a SPIRL-hosted trust domain (`self_hosted = false`) to be
    /// provisioned, as a duration such as `10m` or `1h`. Defaults to `10m`
    /// ([`DEFAULT_CREATE_TIMEOUT`]).
    #[tf(optional, check = check_timeout,
        doc = "How long create may wait for a SPIRL-hosted trust domain (`self_hosted = false`) \
               to be provisioned, as a duration such as `10m` or `1h`. Defaults to `10m`.")]
    pub create: Attr<String>,
}

fn check_timeout(text: &str, at: &AttributePath, diags: &mut Diagnostics) {
    if let Err(reason) = crate::settings::parse_duration(text) {
        diags.error_at(
            at.clone(),
            "Invalid timeouts.create",
            format!(
                "timeouts.create is {}, which is not a duration: {reason}. Write a number and a \
                 unit, such as `10m` or `1h30m`.",
                quote(text)
            ),
        );
    }
}

/// How long create waits for a SPIRL-hosted trust domain by default.
pub const DEFAULT_CREATE_TIMEOUT: Duration = Duration::from_secs(600);

impl From<TrustDomain> for TrustDomainState {
    fn from(td: TrustDomain) -> Self {
        TrustDomainState {
            id: Attr::Value(td.id),
            domain_name: Attr::Value(td.name),
            description: Attr::Value(td.description),
            self_hosted: Attr::Value(td.self_hosted),
            jwt_issuer_mode: Attr::Value(td.jwt_issuer.mode.as_str().to_owned()),
            jwt_issuer: Attr::Value(td.jwt_issuer.url),
            created_at: Attr::Value(td.created_at),
            updated_at: Attr::Value(td.updated_at),
            spiffe_bundle_endpoint: Attr::Value(td.urls.spiffe_bundle_endpoint),
            oidc_discovery_endpoint: Attr::Value(td.urls.oidc_discovery_endpoint),
            jwks_endpoint: Attr::Value(td.urls.jwks_endpoint),
            spirl_agent_endpoint: Attr::Value(td.urls.agent_endpoint),
            timeouts: Attr::Null,
        }
    }
}

impl TrustDomainState {
    /// The state for `td`, keeping `timeouts` as configured: the control plane knows nothing of
    /// it.
    fn remote(td: TrustDomain, timeouts: &Attr<Timeouts>) -> Self {
        TrustDomainState {
            timeouts: timeouts.clone(),
            ..td.into()
        }
    }

    /// `timeouts.create`, or the default.
    fn create_timeout(&self) -> Duration {
        self.timeouts
            .known()
            .and_then(|t| t.create.known())
            .and_then(|text| crate::settings::parse_duration(text).ok())
            .unwrap_or(DEFAULT_CREATE_TIMEOUT)
    }
}

/// The `jwt_issuer` of a request: the URL only for `custom`, where the server keeps it.
fn issuer_input(state: &TrustDomainState) -> Option<JwtIssuerInput> {
    let mode = parse_mode(state.jwt_issuer_mode.known()?)?;
    let url = match mode {
        JwtIssuerMode::Custom => state.jwt_issuer.known().cloned(),
        _ => None,
    };
    Some(JwtIssuerInput { mode, url })
}

/// Whether the control plane's issuer of `td` is the one `wanted` asks for.
fn issuer_matches(td: &TrustDomain, wanted: &JwtIssuerInput) -> bool {
    td.jwt_issuer.mode == wanted.mode
        && (wanted.mode != JwtIssuerMode::Custom
            || wanted.url.as_deref() == Some(td.jwt_issuer.url.as_str()))
}

/// The request fields of a create or update, by the attribute that sets them: where an
/// `INVALID_ARGUMENT` is reported.
fn trust_domain_fields() -> [(&'static str, AttributePath); 4] {
    let at = TrustDomainState::paths();
    [
        ("name", at.domain_name),
        ("description", at.description),
        ("issuer", at.jwt_issuer.clone()),
        ("jwt_issuer", at.jwt_issuer),
    ]
}

/// Reports a configured `jwt_issuer` that is not the built-in issuer the control plane gave `td`
/// (only knowable after the trust domain was created or switched to "builtin"). The trust domain
/// is recorded as it is, so the next plan shows what to change.
fn check_builtin_issuer(diags: &mut Diagnostics, planned: &TrustDomainState, td: &TrustDomain) {
    if td.jwt_issuer.mode == JwtIssuerMode::Builtin
        && let Some(wanted) = planned.jwt_issuer.known()
        && *wanted != td.jwt_issuer.url
    {
        diagnostics::builtin_issuer_mismatch(diags, wanted, &td.jwt_issuer.url);
    }
}

/// The `spirl_trust_domain` resource.
pub struct TrustDomainResource {
    client: ClientHandle,
}

impl TrustDomainResource {
    /// The resource, calling the API through `client` once the provider is configured.
    pub fn new(client: &ClientHandle) -> Self {
        TrustDomainResource {
            client: client.clone(),
        }
    }

    /// Reports a taken name, naming the trust domain that holds it when it can be found.
    async fn name_taken(
        &self,
        diags: &mut Diagnostics,
        client: &Client,
        err: &ApiError,
        name: &str,
    ) {
        let existing = match client.list_trust_domains(Some(name)).await {
            Ok(all) => all.into_iter().find(|td| td.name == name).map(|td| td.id),
            // The create error is what matters; the lookup only sharpens its advice.
            Err(_) => None,
        };
        diagnostics::trust_domain_name_taken(diags, err, name, existing.as_deref());
    }
}

#[async_trait]
impl Resource for TrustDomainResource {
    type State = TrustDomainState;

    fn schema(&self) -> Schema {
        Schema::of::<TrustDomainState>(Kind::Resource).description(
            "A SPIFFE trust domain on the Defakto control plane. Its deployments \
             (`spirl_trust_domain_deployment`) must be destroyed before it can be. Import with \
             `terraform import spirl_trust_domain.<name> td-…` or with the domain name.",
        )
    }

    async fn validate(&self, diags: &mut Diagnostics, config: TrustDomainState) -> Option<()> {
        validate_config(diags, &config)
    }

    async fn read(
        &self,
        diags: &mut Diagnostics,
        state: TrustDomainState,
    ) -> Option<Read<TrustDomainState>> {
        let client = self.client.get(diags)?;
        let id = state.id.known()?;
        let found = client.refresh_trust_domain(id).await;
        let read = super::refreshed::<_, TrustDomain>(diags, "trust domain", id, found)?;
        Some(read.map(|td| TrustDomainState::remote(td, &state.timeouts)))
    }

    async fn plan(
        &self,
        diags: &mut Diagnostics,
        change: &mut Change<TrustDomainState>,
    ) -> Option<()> {
        let at = TrustDomainState::paths();
        let planned = &mut change.planned;
        if let Some(prior) = &change.prior
            && planned.description != prior.description
        {
            let name = prior.domain_name.known().cloned().unwrap_or_default();
            let id = prior.id.known().cloned().unwrap_or_default();
            diags.warning_at(
                at.description,
                "Changing the description replaces the trust domain",
                format!(
                    "The control plane cannot edit a trust domain's description, so this plan \
                     deletes trust domain `{name}` ({id}) and creates a new one with a new id. \
                     Everything registered in it goes with it: its deployments and their keys \
                     must be registered again (and their servers re-configured with the new \
                     ids), clusters and federation links re-created, and workloads get SVIDs \
                     from a new authority. The delete is refused while deployments exist. If \
                     that is not what you want, keep the description as it was."
                ),
            );
        }
        let prior_builtin = change
            .prior
            .as_ref()
            .filter(|p| p.jwt_issuer_mode.known().is_some_and(|m| m == "builtin"))
            .and_then(|p| p.jwt_issuer.known());
        let builtin = planned
            .jwt_issuer_mode
            .known()
            .is_some_and(|m| m == "builtin");
        // jwt_issuer set with "builtin" (as `-generate-config-out` writes it): it must be the
        // built-in issuer, which is known once the trust domain exists with that mode.
        if let (true, Some(wanted), Some(builtin)) =
            (builtin, change.config.jwt_issuer.known(), prior_builtin)
            && wanted != builtin
        {
            diagnostics::builtin_issuer_mismatch(diags, wanted, builtin);
            return None;
        }
        // jwt_issuer left unset: what the server will report for the planned mode.
        if change.config.jwt_issuer.is_null() {
            planned.jwt_issuer = match planned.jwt_issuer_mode.known().map(String::as_str) {
                Some("disabled") => Attr::Value(String::new()),
                // The built-in URL is stable while the mode stays builtin.
                Some("builtin") => prior_builtin.cloned().map_or(Attr::Unknown, Attr::Value),
                _ => Attr::Unknown,
            };
        }
        // The discovery document follows the effective issuer.
        planned.oidc_discovery_endpoint = match planned.jwt_issuer.known() {
            Some(issuer) if issuer.is_empty() => Attr::Value(String::new()),
            Some(issuer) => Attr::Value(format!(
                "{}{}",
                issuer.trim_end_matches('/'),
                crate::client::assumptions::OIDC_DISCOVERY_PATH
            )),
            None => Attr::Unknown,
        };
        // updated_at (and the JWKS, which belongs to the issuer) move exactly when
        // `UpdateTrustDomain` is sent.
        if let Some(prior) = &change.prior {
            let unchanged = planned.jwt_issuer_mode == prior.jwt_issuer_mode
                && planned.jwt_issuer == prior.jwt_issuer;
            let keep = |v: &Attr<String>| {
                if unchanged && !v.is_null() {
                    v.clone()
                } else {
                    Attr::Unknown
                }
            };
            planned.updated_at = keep(&prior.updated_at);
            planned.jwks_endpoint = keep(&prior.jwks_endpoint);
        }
        Some(())
    }

    async fn create(
        &self,
        diags: &mut Diagnostics,
        planned: TrustDomainState,
        _config: TrustDomainState,
    ) -> Option<TrustDomainState> {
        let client = self.client.get(diags)?;
        let name = planned.domain_name.known()?.clone();
        let self_hosted = planned.self_hosted.known().copied().unwrap_or(true);
        let body = CreateTrustDomain {
            name: name.clone(),
            description: planned.description.known().cloned().unwrap_or_default(),
            self_hosted,
            jwt_issuer: issuer_input(&planned),
        };
        let limit = planned.create_timeout();
        let deadline = Instant::now() + limit;
        let result = client.create_trust_domain(&body).await;
        let id = match result {
            Ok(id) => id,
            Err(e @ ApiError::AlreadyExists(_)) => {
                self.name_taken(diags, client, &e, &name).await;
                return None;
            }
            Err(e) => {
                diagnostics::api_error_at_field(diags, &e, &trust_domain_fields(), None);
                return None;
            }
        };
        log::info!(id = id.as_str(), name = name.as_str(), self_hosted; "created trust domain");
        let ready = if self_hosted {
            client.trust_domain_info(&id).await
        } else {
            client
                .wait_trust_domain_available(&id, deadline, limit)
                .await
        };
        let ready = match (ready, body.jwt_issuer.as_ref()) {
            (Ok(td), Some(wanted)) if !issuer_matches(&td, wanted) => {
                // The create request carries the issuer, but a control plane that set its
                // default instead must not leave a plan that drifts: set it now.
                match client.update_trust_domain_jwt_issuer(&id, wanted).await {
                    Ok(()) => client.trust_domain_info(&id).await,
                    Err(e) => Err(e),
                }
            }
            (ready, _) => ready,
        };
        // Nothing half-created: a trust domain Terraform cannot record is removed.
        let read_back = client
            .read_back_or_remove(
                ReadBack::trust_domain(&id),
                async { ready.map(Some) },
                client.delete_trust_domain(&id),
            )
            .await;
        let td = diagnostics::read_back(diags, read_back, &[])?;
        check_builtin_issuer(diags, &planned, &td);
        Some(TrustDomainState::remote(td, &planned.timeouts))
    }

    async fn update(
        &self,
        diags: &mut Diagnostics,
        prior: TrustDomainState,
        planned: TrustDomainState,
        _config: TrustDomainState,
    ) -> Option<TrustDomainState> {
        let client = self.client.get(diags)?;
        let id = prior.id.known()?.clone();
        let issuer_changed = planned.jwt_issuer_mode != prior.jwt_issuer_mode
            || (planned.jwt_issuer.known().is_some() && planned.jwt_issuer != prior.jwt_issuer);
        if !issuer_changed {
            // Only `timeouts` (or the plan's bookkeeping) differs: nothing to send.
            return Some(TrustDomainState {
                timeouts: planned.timeouts,
                ..prior
            });
        }
        let issuer = issuer_input(&planned)?;
        let result = match client.update_trust_domain_jwt_issuer(&id, &issuer).await {
            Ok(()) => client.trust_domain_info(&id).await,
            Err(e) => Err(e),
        };
        match result {
            Ok(td) => {
                check_builtin_issuer(diags, &planned, &td);
                Some(TrustDomainState::remote(td, &planned.timeouts))
            }
            Err(e) => {
                let about = Some(TrustDomainState::paths().jwt_issuer_mode);
                diagnostics::api_error_at_field(diags, &e, &trust_domain_fields(), about);
                None
            }
        }
    }

    async fn delete(&self, diags: &mut Diagnostics, prior: TrustDomainState) -> Option<()> {
        let client = self.client.get(diags)?;
        let id = prior.id.known()?;
        let result = client.delete_trust_domain(id).await;
        match result {
            Ok(()) => Some(()),
            // Already gone: exactly what destroy wanted.
            Err(e) if e.is_not_found() => Some(()),
            Err(e @ ApiError::FailedPrecondition(_)) => {
                let name = prior.domain_name.known().map_or("", String::as_str);
                // Name what is in the way; the refusal is the error whether or not this works.
                let deployments = match client.list_deployments(Some(id)).await {
                    Ok(list) => list.into_iter().map(|d| d.name).collect(),
                    Err(_) => Vec::new(),
                };
                let clusters: Vec<String> =
                    match client.list_cluster_items(Some(id), None, None).await {
                        Ok(list) => list.into_iter().map(|c| c.name).collect(),
                        Err(_) => Vec::new(),
                    };
                let realms: Vec<String> = match client.list_realms(Some(id), None).await {
                    Ok(list) => list.into_iter().map(|r| r.name).collect(),
                    Err(_) => Vec::new(),
                };
                if deployments.is_empty() && (!clusters.is_empty() || !realms.is_empty()) {
                    diagnostics::trust_domain_has_clusters(diags, &e, name, id, &clusters, &realms);
                } else {
                    diagnostics::trust_domain_has_deployments(diags, &e, name, id, &deployments);
                }
                None
            }
            Err(e) => {
                diagnostics::api_error(diags, &e, None);
                None
            }
        }
    }

    async fn import(&self, diags: &mut Diagnostics, id: String) -> Option<TrustDomainState> {
        let client = self.client.get(diags)?;
        let wanted = id.trim();
        // A name like `td-abc` is also a valid trust domain name: try the id first, then the name.
        if crate::client::has_id_shape(wanted, TRUST_DOMAIN_ID_PREFIX) {
            match client.trust_domain_info(wanted).await {
                Ok(td) => return Some(td.into()),
                Err(e) if e.is_not_found() => {}
                Err(e) => {
                    diagnostics::api_error(diags, &e, None);
                    return None;
                }
            }
        }
        if domain_name_problem(wanted).is_none() {
            match client.list_trust_domains(Some(wanted)).await {
                Ok(all) => {
                    if let Some(td) = all.into_iter().find(|td| td.name == wanted) {
                        return Some(td.into());
                    }
                }
                Err(e) => {
                    diagnostics::api_error(diags, &e, None);
                    return None;
                }
            }
        }
        diags.error(
            "Cannot import trust domain",
            format!(
                "No trust domain has the id or domain name {}. `terraform import` takes a trust \
                 domain id (`td-…`) or a domain name (`example.org`); check the value in the \
                 Defakto console, and that the provider points at the right control plane.",
                quote(wanted)
            ),
        );
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::JwtIssuer;

    fn with_issuer(mode: JwtIssuerMode, url: &str) -> TrustDomain {
        TrustDomain {
            jwt_issuer: JwtIssuer {
                mode,
                url: url.to_owned(),
            },
            ..TrustDomain::default()
        }
    }

    #[test]
    fn trust_domain_issuer_set_at_create_is_checked_by_mode_and_custom_url() {
        let custom = JwtIssuerInput {
            mode: JwtIssuerMode::Custom,
            url: Some("https://issuer.example.com".into()),
        };
        let builtin = JwtIssuerInput {
            mode: JwtIssuerMode::Builtin,
            url: None,
        };
        let computed = "https://td-1.oidc.example";
        assert!(issuer_matches(
            &with_issuer(JwtIssuerMode::Builtin, computed),
            &builtin
        ));
        assert!(issuer_matches(
            &with_issuer(JwtIssuerMode::Custom, "https://issuer.example.com"),
            &custom
        ));
        // A control plane that ignored the create's issuer reports its default.
        assert!(!issuer_matches(
            &with_issuer(JwtIssuerMode::Builtin, computed),
            &custom
        ));
        assert!(!issuer_matches(
            &with_issuer(JwtIssuerMode::Custom, "https://other.example.com"),
            &custom
        ));
    }
}
