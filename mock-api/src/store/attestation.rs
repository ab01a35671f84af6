//! Attestation configurations that cluster versions name by id: agent attestation (Kubernetes
//! projected service account tokens) and provider attestation (an AWS role). Neither can be
//! deleted while a cluster version names it.

use spirl_api_proto::agentattestation as aa;
use spirl_api_proto::providerattestation as pa;

use super::{AgentAttestationRecord, Change, Ctx, ProviderAttestationRecord, Store};
use crate::assumptions::{
    AGENT_ATTESTATION_ID_PREFIX, DELETE_ATTESTATION_IN_USE_REFUSED, MAX_PROVIDER_ATTESTATION_NAME,
    PROVIDER_ATTESTATION_ID_PREFIX, PROVIDER_ATTESTATION_ROLE_IS_AN_IAM_ROLE_ARN,
    PSAT_FIELDS_ARE_KUBERNETES_SHAPED, PSAT_FIELDS_REQUIRED,
};
use crate::error::ApiError;
use crate::validate::{self, invalid};

/// A Kubernetes name (service account, namespace) in field `field`: a DNS-1123 subdomain of at
/// most 253 characters (lowercase letters, digits, `-`, `.`), starting and ending alphanumeric.
fn kubernetes_name(field: &str, name: &str) -> Result<(), ApiError> {
    if name.len() > 253
        || name.starts_with(['-', '.'])
        || name.ends_with(['-', '.'])
        || !name
            .chars()
            .all(|c| matches!(c, 'a'..='z' | '0'..='9' | '-' | '.'))
    {
        return Err(invalid(format!(
            "{field} `{}` is not a Kubernetes name (lowercase letters, digits, '-' and '.', \
             starting and ending with a letter or digit, at most 253 characters)",
            name.escape_debug()
        )));
    }
    Ok(())
}

/// An IAM role ARN (field `aws.role_arn`): `arn:<partition>:iam::<12 digits>:role/<path/name>`.
fn role_arn(arn: &str) -> Result<(), ApiError> {
    let refuse = |why: &str| {
        invalid(format!(
            "aws.role_arn `{}` is not an IAM role ARN ({why}); expected \
             arn:aws:iam::123456789012:role/NAME",
            arn.escape_debug()
        ))
    };
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [arn_word, partition, service, region, account, resource] = parts.as_slice() else {
        return Err(refuse("it has fewer than six ':'-separated parts"));
    };
    // Any partition: AWS adds them (aws-iso, aws-iso-b, aws-eusc, …).
    if *arn_word != "arn" || partition.is_empty() {
        return Err(refuse("it must start with arn:<partition>:"));
    }
    if *service != "iam" || !region.is_empty() {
        return Err(refuse("the service must be iam, with no region"));
    }
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return Err(refuse("the account must be 12 digits"));
    }
    let Some(name) = resource.strip_prefix("role/") else {
        return Err(refuse("the resource must be role/NAME"));
    };
    let role = name.rsplit('/').next().unwrap_or_default();
    if role.is_empty()
        || role.len() > 64
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-/".contains(c))
    {
        return Err(refuse(
            "the role name must be 1-64 letters, digits and +=,.@_-",
        ));
    }
    Ok(())
}

impl Store {
    /// The agent attestation configuration `id`, named in request field `field`.
    pub(super) fn agent_attestation(
        &self,
        id: &str,
        field: &str,
    ) -> Result<&AgentAttestationRecord, ApiError> {
        validate::required(field, id)?;
        self.agent_attestations.get(id).ok_or_else(|| {
            ApiError::NotFound(format!("{field}: agent attestation config {id} not found"))
        })
    }

    /// The provider attestation configuration `id`, named in request field `field`.
    pub(super) fn provider_attestation(
        &self,
        id: &str,
        field: &str,
    ) -> Result<&ProviderAttestationRecord, ApiError> {
        validate::required(field, id)?;
        self.provider_attestations.get(id).ok_or_else(|| {
            ApiError::NotFound(format!(
                "{field}: provider attestation config {id} not found"
            ))
        })
    }

    /// An agent attestation configuration as the API gives it.
    pub fn agent_attestation_view(&self, id: &str) -> Result<aa::Config, ApiError> {
        let r = self.agent_attestation(id, "id")?;
        Ok(agent_view(r))
    }

    /// Every agent attestation configuration.
    pub fn list_agent_attestations(&self) -> Vec<aa::Config> {
        self.agent_attestations.values().map(agent_view).collect()
    }

    /// `agentattestation.API/CreateConfig`. Returns the change and the new configuration.
    pub fn plan_create_agent_attestation(
        &self,
        config: Option<&aa::create_config_request::Config>,
        ctx: &Ctx<'_>,
    ) -> Result<(Change, aa::Config), ApiError> {
        let Some(aa::create_config_request::Config::K8sPsat(psat)) = config else {
            return Err(invalid("k8s_psat is required".into()));
        };
        let fields = [
            ("k8s_psat.oidc_issuer_url", &psat.oidc_issuer_url),
            ("k8s_psat.service_account_name", &psat.service_account_name),
            (
                "k8s_psat.service_account_namespace",
                &psat.service_account_namespace,
            ),
        ];
        if PSAT_FIELDS_REQUIRED {
            for (field, value) in fields {
                validate::required(field, value)?;
            }
        }
        if PSAT_FIELDS_ARE_KUBERNETES_SHAPED {
            validate::http_url("k8s_psat.oidc_issuer_url", &psat.oidc_issuer_url)?;
            kubernetes_name("k8s_psat.service_account_name", &psat.service_account_name)?;
            kubernetes_name(
                "k8s_psat.service_account_namespace",
                &psat.service_account_namespace,
            )?;
        }
        let (name, namespace) = (
            psat.service_account_name.clone(),
            psat.service_account_namespace.clone(),
        );
        let record = AgentAttestationRecord {
            id: self.fresh_id(AGENT_ATTESTATION_ID_PREFIX, ctx),
            oidc_issuer_url: psat.oidc_issuer_url.clone(),
            service_account_name: name,
            service_account_namespace: namespace,
        };
        let view = agent_view(&record);
        Ok((Change::AgentAttestationCreated { config: record }, view))
    }

    /// `agentattestation.API/DeleteConfig`: refused while a cluster version names it.
    pub fn plan_delete_agent_attestation(&self, id: &str) -> Result<Change, ApiError> {
        self.agent_attestation(id, "id")?;
        let users = self.clusters_using(|v| v.agent_attestation_config_id == id);
        if DELETE_ATTESTATION_IN_USE_REFUSED && !users.is_empty() {
            return Err(ApiError::FailedPrecondition(format!(
                "agent attestation config {id} is used by clusters {}; delete those versions or \
                 clusters first",
                users.join(", ")
            )));
        }
        Ok(Change::AgentAttestationDeleted { id: id.to_owned() })
    }

    /// A provider attestation configuration as the API gives it.
    pub fn provider_attestation_view(&self, id: &str) -> Result<pa::Config, ApiError> {
        Ok(provider_view(self.provider_attestation(id, "id")?))
    }

    /// Provider attestation configurations, in id order; only the one named `name` when not
    /// empty.
    pub fn list_provider_attestations(&self, name: &str) -> Vec<pa::Config> {
        self.provider_attestations
            .values()
            .filter(|p| name.is_empty() || p.name == name)
            .map(provider_view)
            .collect()
    }

    /// `providerattestation.API/CreateConfig`.
    pub fn plan_create_provider_attestation(
        &self,
        name: &str,
        config: Option<&pa::create_config_request::Config>,
        ctx: &Ctx<'_>,
    ) -> Result<(Change, pa::Config), ApiError> {
        validate::required_within("name", name, MAX_PROVIDER_ATTESTATION_NAME)?;
        let Some(pa::create_config_request::Config::Aws(aws)) = config else {
            // PROVIDER_ATTESTATION_NEEDS_A_CONFIG.
            return Err(invalid(
                "aws is required: a provider attestation config needs its provider's \
                 configuration (aws, the only one)"
                    .into(),
            ));
        };
        if PROVIDER_ATTESTATION_ROLE_IS_AN_IAM_ROLE_ARN {
            role_arn(&aws.role_arn)?;
        }
        if let Some(existing) = self.provider_attestations.values().find(|p| p.name == name) {
            return Err(ApiError::AlreadyExists(format!(
                "name: a provider attestation config named `{name}` already exists: {}",
                existing.id
            )));
        }
        let record = ProviderAttestationRecord {
            id: self.fresh_id(PROVIDER_ATTESTATION_ID_PREFIX, ctx),
            name: name.to_owned(),
            role_arn: aws.role_arn.clone(),
        };
        let view = provider_view(&record);
        Ok((Change::ProviderAttestationCreated { config: record }, view))
    }

    /// `providerattestation.API/DeleteConfig`: refused while a cluster version names it.
    pub fn plan_delete_provider_attestation(&self, id: &str) -> Result<Change, ApiError> {
        self.provider_attestation(id, "id")?;
        let users = self.clusters_using(|v| v.active && v.provider_attestation_config_id == id);
        if DELETE_ATTESTATION_IN_USE_REFUSED && !users.is_empty() {
            return Err(ApiError::FailedPrecondition(format!(
                "provider attestation config {id} is used by the active version of clusters {}; \
                 change or delete those clusters first",
                users.join(", ")
            )));
        }
        Ok(Change::ProviderAttestationDeleted { id: id.to_owned() })
    }

    /// Applies an attestation change (see [`Store::apply`]).
    pub(super) fn apply_attestation(&mut self, change: &Change) -> Result<(), String> {
        match change {
            Change::AgentAttestationCreated { config } => {
                if self
                    .agent_attestations
                    .insert(config.id.clone(), config.clone())
                    .is_some()
                {
                    return Err(format!("agent attestation config {} exists", config.id));
                }
            }
            Change::AgentAttestationDeleted { id } => {
                self.agent_attestations
                    .remove(id)
                    .ok_or_else(|| format!("agent attestation config {id} missing"))?;
            }
            Change::ProviderAttestationCreated { config } => {
                if self
                    .provider_attestations
                    .insert(config.id.clone(), config.clone())
                    .is_some()
                {
                    return Err(format!("provider attestation config {} exists", config.id));
                }
            }
            Change::ProviderAttestationDeleted { id } => {
                self.provider_attestations
                    .remove(id)
                    .ok_or_else(|| format!("provider attestation config {id} missing"))?;
            }
            other => return Err(format!("not an attestation change: {other:?}")),
        }
        Ok(())
    }
}

fn agent_view(r: &AgentAttestationRecord) -> aa::Config {
    aa::Config {
        id: r.id.clone(),
        config: Some(aa::config::Config::K8sPsat(aa::K8spsatConfig {
            oidc_issuer_url: r.oidc_issuer_url.clone(),
            service_account_name: r.service_account_name.clone(),
            service_account_namespace: r.service_account_namespace.clone(),
        })),
    }
}

fn provider_view(r: &ProviderAttestationRecord) -> pa::Config {
    pa::Config {
        id: r.id.clone(),
        name: r.name.clone(),
        config: Some(pa::config::Config::Aws(pa::AwsConfig {
            role_arn: r.role_arn.clone(),
        })),
    }
}
