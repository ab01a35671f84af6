//! `spirl_trust_domain`: a SPIFFE trust domain on the control plane (DESIGN.md §2). The data
//! source of the same name (`crate::data_sources::trust_domain`) shares its state struct, its
//! attributes and its name validation.
//!
//! Plan-time checks live in `validate`. Refresh reads go through a [`TrustDomainSnapshot`], so that many trust domains cost one list
//! call instead of one GET each.

use serde::{Deserialize, Serialize};
use tfplugin::{
    Attr, Attribute, AttributePath, Diagnostics, Plan, Resource, Schema, Value, async_trait,
};

mod validate;

use self::validate::parse_mode;
pub use self::validate::{
    MAX_DESCRIPTION, MAX_DOMAIN_NAME, MAX_ISSUER_URL, domain_name_problem, validate_config,
};
use super::trust_domain_cache::TrustDomainSnapshot;
use crate::client::{
    ApiError, Client, CreateTrustDomain, JwtIssuerInput, JwtIssuerMode, TrustDomain,
    UpdateTrustDomain,
};
use crate::diagnostics;
use crate::problem::quote;
use crate::provider::ClientHandle;

/// Configuration and state of `spirl_trust_domain`, and the result of the data source.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrustDomainState {
    /// `td-…`.
    pub id: Attr<String>,
    /// The SPIFFE trust domain name.
    pub domain_name: Attr<String>,
    /// Free text.
    pub description: Attr<String>,
    /// Whether the customer runs the trust-domain servers.
    pub self_hosted: Attr<bool>,
    /// `builtin`, `disabled` or `custom`.
    pub jwt_issuer_mode: Attr<String>,
    /// The issuer URL: computed for `builtin`, empty for `disabled`.
    pub jwt_issuer: Attr<String>,
    /// RFC 3339.
    pub created_at: Attr<String>,
    /// RFC 3339; changes with every update.
    pub updated_at: Attr<String>,
    /// The SPIFFE bundle endpoint.
    pub spiffe_bundle_endpoint: Attr<String>,
    /// The OIDC discovery document.
    pub oidc_discovery_endpoint: Attr<String>,
    /// The JWKS.
    pub jwks_endpoint: Attr<String>,
    /// `host:port` agents connect to; empty when self-hosted.
    pub spirl_agent_endpoint: Attr<String>,
}

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
        }
    }
}

/// The attributes of the resource, or of the data source (`data_source`: everything but
/// `domain_name` read-only). One list, so the two cannot drift apart.
pub fn attributes(data_source: bool) -> Vec<Attribute> {
    let read_only = |a: Attribute| {
        let a = a.computed();
        if data_source {
            a
        } else {
            a.use_state_for_unknown()
        }
    };
    // Configurable on the resource, read-only on the data source.
    let input = |a: Attribute, resource: fn(Attribute) -> Attribute| {
        if data_source {
            a.computed()
        } else {
            resource(a)
        }
    };
    let mut domain_name = Attribute::string("domain_name").required().description(
        "The SPIFFE trust domain name, such as `example.org`: lowercase letters, digits, `.`, \
         `-` and `_`, at most 255 characters. Changing it replaces the trust domain.",
    );
    if !data_source {
        domain_name = domain_name.requires_replace();
    }
    vec![
        read_only(Attribute::string("id")).description("The trust domain's id, `td-…`."),
        domain_name,
        input(Attribute::string("description"), |a| a.default("")).description(
            "Free text shown in the Defakto console. Defaults to empty; changed in place.",
        ),
        input(Attribute::bool("self_hosted"), |a| {
            a.default(true).requires_replace()
        })
        .description(
            "Whether you run the trust-domain servers yourself (`true`, the default) or Defakto \
             hosts them. Changing it replaces the trust domain.",
        ),
        input(Attribute::string("jwt_issuer_mode"), |a| {
            a.default("builtin")
        })
        .description(
            "How JWT-SVIDs are issued: `builtin` (the default; the control plane is the issuer), \
             `disabled`, or `custom` (you name the issuer in `jwt_issuer`). Changed in place.",
        ),
        input(Attribute::string("jwt_issuer"), |a| a.optional().computed()).description(
            "The JWT issuer URL. Required (an `https://` URL) when `jwt_issuer_mode` is `custom`; \
             must be left unset otherwise: computed by the control plane for `builtin`, empty \
             for `disabled`.",
        ),
        read_only(Attribute::string("created_at"))
            .description("When the trust domain was created (RFC 3339, UTC)."),
        Attribute::string("updated_at")
            .computed()
            .description("When the trust domain last changed (RFC 3339, UTC)."),
        read_only(Attribute::string("spiffe_bundle_endpoint"))
            .description("The SPIFFE bundle endpoint URL, for federation."),
        read_only(Attribute::string("oidc_discovery_endpoint"))
            .description("The OIDC discovery document URL of the built-in JWT issuer."),
        read_only(Attribute::string("jwks_endpoint"))
            .description("The JWKS URL of the built-in JWT issuer."),
        read_only(Attribute::string("spirl_agent_endpoint")).description(
            "The `host:port` agents connect to when Defakto hosts the trust-domain servers; empty \
             when `self_hosted` is `true`.",
        ),
    ]
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

/// A string of the prior state, when there is one.
fn prior_str<'a>(plan: &'a Plan, attr: &str) -> Option<&'a str> {
    plan.prior_at(&AttributePath::root(attr))
        .and_then(Value::as_str)
}

/// The `spirl_trust_domain` resource.
pub struct TrustDomainResource {
    client: ClientHandle,
    snapshot: TrustDomainSnapshot,
}

impl TrustDomainResource {
    /// The resource, calling the API through `client` once the provider is configured.
    pub fn new(client: &ClientHandle) -> Self {
        TrustDomainResource {
            client: client.clone(),
            snapshot: TrustDomainSnapshot::default(),
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
        let existing = match client.list_trust_domains_all(Some(name)).await {
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
        let schema = Schema::new().description(
            "A SPIFFE trust domain on the Defakto control plane. Its deployments \
             (`spirl_trust_domain_deployment`) must be destroyed before it can be. Import with \
             `terraform import spirl_trust_domain.<name> td-…` or with the domain name.",
        );
        attributes(false)
            .into_iter()
            .fold(schema, Schema::attribute)
    }

    async fn validate(&self, diags: &mut Diagnostics, config: TrustDomainState) -> Option<()> {
        validate_config(diags, &config)
    }

    async fn read(
        &self,
        diags: &mut Diagnostics,
        state: TrustDomainState,
    ) -> Option<TrustDomainState> {
        let client = self.client.get(diags)?;
        let id = state.id.known()?;
        match self.snapshot.get(client, id).await {
            Ok(Some(td)) => Some(td.into()),
            Ok(None) => {
                log::info!(id = id.as_str(); "trust domain is gone; removing it from the state");
                None
            }
            Err(e) => {
                diagnostics::api_error(diags, &e, None);
                None
            }
        }
    }

    async fn plan(&self, _diags: &mut Diagnostics, plan: &mut Plan) -> Option<()> {
        let at = AttributePath::root;
        // jwt_issuer left unset: what the server will report for the planned mode.
        if plan.config_at(&at("jwt_issuer")).is_none_or(Value::is_null) {
            let mode = plan
                .planned_at(&at("jwt_issuer_mode"))
                .and_then(Value::as_str);
            let issuer = match mode {
                Some("disabled") => Value::from(""),
                // The built-in URL is stable while the mode stays builtin.
                Some("builtin") if prior_str(plan, "jwt_issuer_mode") == Some("builtin") => {
                    prior_str(plan, "jwt_issuer").map_or(Value::Unknown, Value::from)
                }
                _ => Value::Unknown,
            };
            plan.set_planned(&at("jwt_issuer"), issuer);
        }
        // updated_at moves exactly when the PATCH in `update` is sent.
        if plan.is_update() {
            let changes = ["description", "jwt_issuer_mode", "jwt_issuer"]
                .iter()
                .any(|a| plan.planned_at(&at(a)) != plan.prior_at(&at(a)));
            let updated = match plan.prior_at(&at("updated_at")) {
                Some(prior) if !changes => prior.clone(),
                _ => Value::Unknown,
            };
            plan.set_planned(&at("updated_at"), updated);
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
        let body = CreateTrustDomain {
            name: name.clone(),
            description: planned.description.known().cloned(),
            self_hosted: planned.self_hosted.known().copied(),
            jwt_issuer: issuer_input(&planned),
        };
        let result = client.create_trust_domain(&body).await;
        self.snapshot.invalidate();
        match result {
            Ok(td) => {
                log::info!(id = td.id.as_str(), name = name.as_str(); "created trust domain");
                Some(td.into())
            }
            Err(e @ ApiError::AlreadyExists(_)) => {
                self.name_taken(diags, client, &e, &name).await;
                None
            }
            Err(e) => {
                diagnostics::api_error(diags, &e, None);
                None
            }
        }
    }

    async fn update(
        &self,
        diags: &mut Diagnostics,
        prior: TrustDomainState,
        planned: TrustDomainState,
        _config: TrustDomainState,
    ) -> Option<TrustDomainState> {
        let client = self.client.get(diags)?;
        let id = prior.id.known()?;
        let mut body = UpdateTrustDomain::default();
        if planned.description != prior.description {
            body.description = planned.description.known().cloned();
        }
        let issuer_changed = planned.jwt_issuer_mode != prior.jwt_issuer_mode
            || (planned.jwt_issuer.known().is_some() && planned.jwt_issuer != prior.jwt_issuer);
        if issuer_changed {
            body.jwt_issuer = issuer_input(&planned);
        }
        if body == UpdateTrustDomain::default() {
            // Only the plan's bookkeeping differs; the plan kept updated_at, so send nothing.
            return Some(prior);
        }
        let result = client.update_trust_domain(id, &body).await;
        self.snapshot.invalidate();
        match result {
            Ok(td) => Some(td.into()),
            Err(e) => {
                diagnostics::api_error(diags, &e, None);
                None
            }
        }
    }

    async fn delete(&self, diags: &mut Diagnostics, prior: TrustDomainState) -> Option<()> {
        let client = self.client.get(diags)?;
        let id = prior.id.known()?;
        let result = client.delete_trust_domain(id).await;
        self.snapshot.invalidate();
        match result {
            Ok(()) => Some(()),
            // Already gone: exactly what destroy wanted.
            Err(e) if e.is_not_found() => Some(()),
            Err(e @ ApiError::FailedPrecondition(_)) => {
                let name = prior.domain_name.known().map_or("", String::as_str);
                diagnostics::trust_domain_has_deployments(diags, &e, name, id);
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
        if crate::client::has_id_shape(wanted, "td-") {
            match client.get_trust_domain(wanted).await {
                Ok(td) => return Some(td.into()),
                Err(e) if e.is_not_found() => {}
                Err(e) => {
                    diagnostics::api_error(diags, &e, None);
                    return None;
                }
            }
        }
        if domain_name_problem(wanted).is_none() {
            match client.list_trust_domains_all(Some(wanted)).await {
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
