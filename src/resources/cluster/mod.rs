//! `spirl_cluster`: a Kubernetes cluster or Linux node group whose agents get identities
//! (`cluster.API`, with `realm.API` for `realm_name` and `agentattestation.API` for `k8s_psat`).
//! The data source of the same name (`crate::data_sources::cluster`) shares the state struct and
//! the read.
//!
//! The API has no update. `name`, `description`, `platform`, `trust_domain_id` and `realm_name`
//! force a replacement. A change of `public_key`, `path_template`, a customization template,
//! `provider_attestation_id` or `k8s_psat` makes a new cluster version and activates it, in
//! place: the plan shows `version_id` and `version_created_at` unknown and everything else known.
//! Any other version still active is deactivated, so the cluster has exactly one; then
//! `num_version_history` trims the oldest inactive versions. An agent attestation configuration
//! made for `k8s_psat` is deleted once no version of the cluster names it.
//!
//! What installs the agents (`kubernetes_manifest`, `kubernetes_manifests`, `vm_agent_config`,
//! `vm_docker_compose_yaml`) comes only in the answers that make a version, and is kept in the
//! state until the next one (`install`).
//!
//! A cluster's configuration is that of its active version. A cluster left with no active
//! version (deactivated out of band) reads with an empty `version_id`, which plans an update that
//! activates a version again.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use tfplugin::{
    Attr, AttributePath, Change, Diagnostics, Kind, Model, Number, Read, Resource, Schema,
    async_trait,
};

mod install;
mod validate;

pub use self::install::split_documents;
pub use self::validate::name_problem;
use self::validate::{
    check_history, check_name, check_platform, check_provider_attestation_id, check_public_key,
    check_realm_name, validate_config,
};
use super::ids::id;
use crate::client::assumptions::{
    DEFAULT_PSAT_NAMESPACE, DEFAULT_PSAT_SERVICE_ACCOUNT, MAX_CLUSTER_VERSIONS,
    TRUST_DOMAIN_ID_PREFIX,
};
use crate::client::{
    AgentDeployment, ApiError, Client, ClientHandle, Cluster, ClusterVersion, ClusterVersionSpec,
    CreateCluster, K8sPsat, MadeVersion, Platform, ReadBack, has_id_shape,
};
use crate::diagnostics;
use crate::keys::{PublicKey, PublicKeyPem, parse_public_key_pem};
use crate::problem::quote;
use crate::resources::realm_principal::resolve_realm;

/// Configuration and state of `spirl_cluster`, and the result of the data source (looked up by
/// trust domain and name; what the configuration sets must match the cluster's).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Model)]
pub struct ClusterState {
    /// The cluster's id, `c-…`.
    #[tf(computed, keep, data(computed))]
    pub id: Attr<String>,
    /// The id of the cluster's trust domain (`td-…`). Changing it replaces the cluster.
    #[tf(required, replace, check = id(TRUST_DOMAIN_ID_PREFIX, "trust domain",
            "`spirl_trust_domain.<name>.id` or `data.spirl_trust_domain.<name>.id`"),
        data(required, doc = "The id of the cluster's trust domain (`td-…`)."))]
    pub trust_domain_id: Attr<String>,
    /// The cluster's name, unique in its trust domain. Changing it replaces the cluster.
    #[tf(required, replace, check = check_name,
        data(required, doc = "The cluster's name, unique in its trust domain."))]
    pub name: Attr<String>,
    /// Free text about the cluster; empty by default. Changing it replaces the cluster.
    #[tf(
        default = "",
        replace,
        data(
            optional,
            computed,
            doc = "Free text about the cluster; empty by default."
        )
    )]
    pub description: Attr<String>,
    /// Where the cluster's workloads run: one of k8s, istio, eks, eks-istio, linux (`linux` is a
    /// node group in `spirlctl`). Changing it replaces the cluster.
    #[tf(required, replace, check = check_platform, data(optional, computed,
        doc = "Where the cluster's workloads run: one of k8s, istio, eks, eks-istio, linux \
               (`linux` is a node group in `spirlctl`)."))]
    pub platform: Attr<String>,
    /// The cluster's ed25519 public key as SPKI `PUBLIC KEY` PEM (`openssl pkey -pubout`, or
    /// `spirl_key_pair.<name>.public_key_pem`); compared as a key, so line endings and text
    /// around the PEM block do not matter. Only needed when agents authenticate with the
    /// cluster's key pair: a cluster whose agents attest with `k8s_psat`, or with an
    /// `AgentAttestation` section of its `spirl_cluster_config`, needs none. Changing it makes a new cluster version and activates
    /// it, in place.
    #[tf(optional, check = check_public_key, data(optional, computed,
        doc = "The cluster's ed25519 public key as SPKI `PUBLIC KEY` PEM (`openssl pkey -pubout`, \
               or `spirl_key_pair.<name>.public_key_pem`); compared as a key, so line endings \
               do not matter. Only needed when agents authenticate with the cluster's key pair: \
               a cluster whose agents attest with `k8s_psat`, or with an `AgentAttestation` \
               section of its `spirl_cluster_config`, needs none."))]
    pub public_key: Attr<PublicKeyPem>,
    /// The path of the SPIFFE IDs the cluster's workloads get, with placeholders, such as
    /// `/my-cluster/ns/{{kubernetes.pod.namespace}}/sa/{{kubernetes.pod.service_account}}`.
    /// Unset: the control plane's default for the platform, read back. Changing it makes a new
    /// cluster version and activates it, in place.
    #[tf(
        optional,
        computed,
        keep,
        data(
            optional,
            computed,
            doc = "The path of the SPIFFE IDs the cluster's workloads get, with placeholders, such as \
               `/my-cluster/ns/{{kubernetes.pod.namespace}}/sa/{{kubernetes.pod.service_account}}`. \
               Unset: the control plane's default for the platform, read back."
        )
    )]
    pub path_template: Attr<String>,
    /// How the cluster customizes the X.509-SVIDs it issues (for example `CN=Test`). Changing it
    /// makes a new cluster version and activates it, in place.
    #[tf(
        optional,
        data(
            optional,
            computed,
            doc = "How the cluster customizes the X.509-SVIDs it issues (for example `CN=Test`)."
        )
    )]
    pub x509_customization_template: Attr<String>,
    /// Extra claims of the JWT-SVIDs the cluster issues, as `claim={{attribute}}` pairs separated
    /// by commas. Changing it makes a new cluster version and activates it, in place.
    #[tf(
        optional,
        data(
            optional,
            computed,
            doc = "Extra claims of the JWT-SVIDs the cluster issues, as `claim={{attribute}}` pairs \
               separated by commas."
        )
    )]
    pub jwt_customization_template: Attr<String>,
    /// The id of the provider attestation configuration its agents use
    /// (`spirl_provider_attestation_config.<name>.id`). Changing it makes a new cluster version
    /// and activates it, in place.
    #[tf(optional, check = check_provider_attestation_id, data(optional, computed,
        doc = "The id of the provider attestation configuration its agents use \
               (`spirl_provider_attestation_config.<name>.id`)."))]
    pub provider_attestation_id: Attr<String>,
    /// The name of the realm the cluster belongs to (a `spirl_realm` in the same trust domain);
    /// unset for none. Changing it replaces the cluster.
    #[tf(optional, replace, check = check_realm_name,
        data(computed, doc = "The name of the cluster's realm; empty without a realm."))]
    pub realm_name: Attr<String>,
    /// The id of the cluster's realm (`rlm-…`); empty without a realm.
    #[tf(computed, keep, data(computed))]
    pub realm_id: Attr<String>,
    /// How many versions of the cluster to keep, 1 to 10: after a new version, the oldest
    /// inactive versions beyond this number are deleted. Unset, the control plane keeps up to 10
    /// and drops the oldest beyond that (states written by the official provider hold its
    /// default, 10, which means the same and plans no change). Agents still using a deleted
    /// version cannot authenticate until they are given the new key.
    #[tf(optional, computed, check = check_history, data(omit))]
    pub num_version_history: Attr<Number>,
    /// Kubernetes projected service account token attestation: the SPIRL agent proves its
    /// identity with its service account token, checked against the cluster's OIDC issuer,
    /// instead of a key pair. Changing it makes a new cluster version, in place.
    #[tf(block, data(omit))]
    pub k8s_psat: Attr<PsatBlock>,
    /// When the cluster was created (RFC 3339, UTC).
    #[tf(computed, keep, data(computed))]
    pub created_at: Attr<String>,
    /// The id of the cluster's active version. It changes when a new version is made.
    #[tf(computed, keep)]
    pub version_id: Attr<String>,
    /// When the active version was created (RFC 3339, UTC).
    #[tf(computed, keep)]
    pub version_created_at: Attr<String>,
    // The install attributes are not sensitive: the control plane never has the cluster's
    // private key, and they refer to the Secret or file that holds it
    // (`client::assumptions::DEPLOYMENT_CARRIES_NO_SECRET`). Their plan is `install::plan_install`.
    /// The Kubernetes manifest that installs the cluster's SPIRL agents, as the control plane
    /// wrote it for the active version: one multi-document YAML for `kubectl apply -f`. Null
    /// for a `linux` cluster. It is set when Terraform creates the cluster or makes a new
    /// version (the plan shows it unknown then) and kept until the next one: the API cannot
    /// read it back, so after `terraform import` it stays null until the next new version. It
    /// holds no key material (the agents find the cluster's private key in a Kubernetes Secret
    /// you create, or attest with `k8s_psat`), so it is not sensitive.
    #[tf(computed, data(omit))]
    pub kubernetes_manifest: Attr<String>,
    /// `kubernetes_manifest` split into its YAML documents, one per element, each as written
    /// (documents of only comments are left out): for `kubectl_manifest` or, through
    /// `yamldecode`, `kubernetes_manifest`. Null for a `linux` cluster. Like
    /// `kubernetes_manifest`, it is known only after the apply that creates the cluster or makes
    /// a new version, and the API cannot read it back: after `terraform import` it stays null
    /// until the next new version.
    #[tf(computed, data(omit))]
    pub kubernetes_manifests: Attr<Vec<String>>,
    /// The SPIRL agent's configuration file for a `linux` cluster's hosts, as the control plane
    /// wrote it for the active version; null for the Kubernetes platforms. It is set when
    /// Terraform creates the cluster or makes a new version and kept until the next one: the
    /// API cannot read it back, so after `terraform import` it stays null until the next new
    /// version. It names the file that holds the cluster's private key but holds no key
    /// material, so it is not sensitive.
    #[tf(computed, data(omit))]
    pub vm_agent_config: Attr<String>,
    /// A Docker Compose file that runs the SPIRL agent on a `linux` cluster's hosts with
    /// `vm_agent_config`, as the control plane wrote it for the active version; null for the
    /// Kubernetes platforms. It is set when Terraform creates the cluster or makes a new version
    /// and kept until the next one: the API cannot read it back, so after `terraform import` it
    /// stays null until the next new version.
    #[tf(computed, data(omit))]
    pub vm_docker_compose_yaml: Attr<String>,
}

/// The `k8s_psat` block.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Model)]
pub struct PsatBlock {
    /// The cluster's OIDC issuer URL (`https://…`); for EKS
    /// `https://oidc.eks.<region>.amazonaws.com/id/<cluster-id>`. Optional in the schema, as in
    /// the official provider since v0.10.1, but required when the block is set.
    #[tf(optional)]
    pub issuer_url: Attr<String>,
    /// The SPIRL agent's Kubernetes service account; `spirl-agent` by default.
    #[tf(default = DEFAULT_PSAT_SERVICE_ACCOUNT)]
    pub service_account_name: Attr<String>,
    /// The namespace of that service account; `spirl-system` by default.
    #[tf(default = DEFAULT_PSAT_NAMESPACE)]
    pub service_account_namespace: Attr<String>,
}

impl PsatBlock {
    fn to_client(&self) -> K8sPsat {
        let text = |a: &Attr<String>, default: &str| {
            a.known().cloned().unwrap_or_else(|| default.to_owned())
        };
        K8sPsat {
            issuer_url: text(&self.issuer_url, ""),
            service_account_name: text(&self.service_account_name, DEFAULT_PSAT_SERVICE_ACCOUNT),
            service_account_namespace: text(
                &self.service_account_namespace,
                DEFAULT_PSAT_NAMESPACE,
            ),
        }
    }

    /// The block as the API reports it; an issuer left unset reads as unset again.
    fn from_client(p: K8sPsat, prior: Option<&PsatBlock>) -> Self {
        let unset = Attr::Null;
        PsatBlock {
            issuer_url: optional(&p.issuer_url, prior.map_or(&unset, |b| &b.issuer_url)),
            service_account_name: Attr::Value(p.service_account_name),
            service_account_namespace: Attr::Value(p.service_account_namespace),
        }
    }
}

impl ClusterState {
    /// What a cluster version holds: a change of any of it makes a new version.
    fn version_spec(&self) -> impl PartialEq + '_ {
        (
            &self.public_key,
            &self.path_template,
            &self.x509_customization_template,
            &self.jwt_customization_template,
            &self.provider_attestation_id,
            &self.k8s_psat,
        )
    }
}

/// An optional string as the API reports it: empty means unset, which reads as the prior value's
/// form (an empty string stays one, anything else is null).
fn optional(remote: &str, prior: &Attr<String>) -> Attr<String> {
    if remote.is_empty() && prior.known().is_none_or(|p| !p.is_empty()) {
        Attr::Null
    } else {
        Attr::Value(remote.to_owned())
    }
}

/// A template as the API reports it, in the configured spelling while it says the same: a value
/// read with `file()` ends with a newline that the control plane may store or trim
/// ([`crate::client::assumptions::TEMPLATES_MAY_BE_TRIMMED`]).
fn template(remote: &str, prior: &Attr<String>) -> Attr<String> {
    match prior.known() {
        Some(p) if p != remote && p.trim_end_matches(['\n', '\r']) == remote => prior.clone(),
        _ => optional(remote, prior),
    }
}

/// The request fields of a cluster or cluster version, by the attribute that sets them: where an
/// `INVALID_ARGUMENT` is reported.
fn cluster_fields() -> Vec<(&'static str, AttributePath)> {
    let at = ClusterState::paths();
    vec![
        ("cluster_name", at.name.clone()),
        ("name", at.name),
        ("description", at.description),
        ("platform", at.platform),
        ("pkix_pubkey", at.public_key),
        ("path_template", at.path_template),
        (
            "x509_customization_template",
            at.x509_customization_template,
        ),
        ("jwt_customization_template", at.jwt_customization_template),
        ("provider_attestation_config_id", at.provider_attestation_id),
        ("realm_id", at.realm_name),
        ("trust_domain_id", at.trust_domain_id),
    ]
}

/// The request fields of the `k8s_psat` block's agent attestation configuration.
fn psat_fields() -> Vec<(&'static str, AttributePath)> {
    let at = ClusterState::paths().k8s_psat;
    vec![
        ("oidc_issuer_url", at.issuer_url),
        ("service_account_name", at.service_account_name),
        ("service_account_namespace", at.service_account_namespace),
    ]
}

/// The version that is the cluster's configuration: the newest active one, else the newest.
fn current(versions: &[ClusterVersion]) -> Option<&ClusterVersion> {
    versions
        .iter()
        .rev()
        .find(|v| v.active)
        .or_else(|| versions.last())
}

/// The agent attestation configurations the versions name.
fn attestations_of(versions: &[ClusterVersion]) -> BTreeSet<String> {
    versions
        .iter()
        .map(|v| v.agent_attestation_config_id.clone())
        .filter(|id| !id.is_empty())
        .collect()
}

/// The state of `cluster`, read with its versions, realm and attestation. `prior` supplies what
/// the control plane does not hold (`num_version_history`, and the install attributes while its
/// version is active) and the forms of unset values.
async fn remote_state(
    client: &Client,
    cluster: Cluster,
    prior: &ClusterState,
) -> Result<ClusterState, ApiError> {
    let versions = client.list_cluster_versions(&cluster.id).await?;
    let version = current(&versions).cloned().unwrap_or_default();
    let public_key = if version.public_key_der.is_empty() {
        Attr::Null
    } else {
        match (
            PublicKey::from_spki_der(&version.public_key_der),
            prior.public_key.known(),
        ) {
            // The configured text stays while it holds the same key.
            (Ok(key), Some(pem))
                if parse_public_key_pem(pem).is_ok_and(|k| k.to_bytes() == key.to_bytes()) =>
            {
                Attr::Value(pem.clone())
            }
            (Ok(key), _) => Attr::Value(key.to_pem().into()),
            (Err(_), _) => Attr::Value(PublicKeyPem::default()),
        }
    };
    let provider_attestation_id = if version.provider_attestation_config_name.is_empty() {
        optional("", &prior.provider_attestation_id)
    } else {
        let name = &version.provider_attestation_config_name;
        let found = client.list_provider_attestations(Some(name)).await?;
        match found.into_iter().find(|p| &p.name == name) {
            Some(p) => Attr::Value(p.id),
            // Named but not listed: say what the version says.
            None => Attr::Value(name.clone()),
        }
    };
    let k8s_psat = if version.agent_attestation_config_id.is_empty() {
        Attr::Null
    } else {
        match client
            .agent_attestation(&version.agent_attestation_config_id)
            .await?
            .and_then(|c| c.k8s_psat)
        {
            Some(p) => Attr::Value(PsatBlock::from_client(p, prior.k8s_psat.known())),
            None => Attr::Null,
        }
    };
    let realm_name = if cluster.realm_id.is_empty() {
        optional("", &prior.realm_name)
    } else if prior.realm_id.known() == Some(&cluster.realm_id)
        && prior.realm_name.known().is_some()
    {
        prior.realm_name.clone()
    } else {
        match client
            .find_realm(&cluster.realm_id, Some(&cluster.trust_domain_id))
            .await?
        {
            Some(realm) => Attr::Value(realm.name),
            None => Attr::Value(String::new()),
        }
    };
    let mut state = ClusterState {
        id: Attr::Value(cluster.id),
        trust_domain_id: Attr::Value(cluster.trust_domain_id),
        name: Attr::Value(cluster.name),
        description: Attr::Value(cluster.description),
        platform: Attr::Value(
            cluster
                .platform
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default(),
        ),
        public_key,
        path_template: match template(&version.path_template, &prior.path_template) {
            Attr::Null => Attr::Value(version.path_template.clone()),
            kept => kept,
        },
        x509_customization_template: template(
            &version.x509_customization_template,
            &prior.x509_customization_template,
        ),
        jwt_customization_template: template(
            &version.jwt_customization_template,
            &prior.jwt_customization_template,
        ),
        provider_attestation_id,
        realm_name,
        realm_id: Attr::Value(cluster.realm_id),
        num_version_history: prior.num_version_history.clone(),
        k8s_psat,
        created_at: Attr::Value(cluster.created_at),
        version_id: Attr::Value(if version.active {
            version.id.clone()
        } else {
            String::new()
        }),
        version_created_at: Attr::Value(version.created_at.clone()),
        ..ClusterState::default()
    };
    state.keep_install(prior);
    Ok(state)
}

/// The cluster `id` named `name` in trust domain `trust_domain_id`, read whole; `None` when gone.
pub async fn read_cluster(
    client: &Client,
    trust_domain_id: &str,
    name: &str,
    id: Option<&str>,
    prior: &ClusterState,
) -> Result<Option<ClusterState>, ApiError> {
    let Some(cluster) = client.find_cluster(trust_domain_id, name).await? else {
        return Ok(None);
    };
    if id.is_some_and(|id| id != cluster.id) {
        // Another cluster took the name: ours is gone.
        return Ok(None);
    }
    match remote_state(client, cluster, prior).await {
        Ok(state) => Ok(Some(state)),
        // Deleted between the two reads.
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

/// The spec of the version `state` asks for, with agent attestation `agent_attestation`.
fn spec_of(state: &ClusterState, agent_attestation: String) -> Result<ClusterVersionSpec, String> {
    let public_key_der = match state.public_key.known() {
        Some(pem) => parse_public_key_pem(pem)
            .map_err(|e| format!("public_key: {e}"))?
            .to_spki_der(),
        None => Vec::new(),
    };
    let text = |a: &Attr<String>| a.known().cloned().unwrap_or_default();
    Ok(ClusterVersionSpec {
        public_key_der,
        path_template: text(&state.path_template),
        x509_customization_template: text(&state.x509_customization_template),
        jwt_customization_template: text(&state.jwt_customization_template),
        provider_attestation_config_id: text(&state.provider_attestation_id),
        agent_attestation_config_id: agent_attestation,
    })
}

/// [`spec_of`], or, when the key does not parse (validation has said so already), the error at
/// `public_key` and the attestation configurations in `made` deleted again.
async fn checked_spec(
    diags: &mut Diagnostics,
    client: &Client,
    state: &ClusterState,
    agent_attestation: String,
    made: &BTreeSet<String>,
) -> Option<ClusterVersionSpec> {
    match spec_of(state, agent_attestation) {
        Ok(spec) => Some(spec),
        Err(problem) => {
            diags.error_at(
                ClusterState::paths().public_key,
                "Invalid public_key",
                problem,
            );
            delete_attestations(diags, client, made).await;
            None
        }
    }
}

/// Deletes agent attestation configurations the cluster no longer names; one that cannot go is a
/// warning (it costs nothing, and the apply did what was asked).
async fn delete_attestations(diags: &mut Diagnostics, client: &Client, ids: &BTreeSet<String>) {
    for id in ids {
        if let Err(e) = client.delete_agent_attestation(id).await {
            diags.warning(
                "Agent attestation configuration left behind",
                format!(
                    "The cluster no longer uses agent attestation configuration {id}, but \
                     deleting it failed: {e}. It does no harm; delete it in the Defakto console \
                     when convenient."
                ),
            );
        }
    }
}

/// The `spirl_cluster` resource.
pub struct ClusterResource {
    client: ClientHandle,
}

impl ClusterResource {
    /// The resource, calling the API through `client` once the provider is configured.
    pub fn new(client: &ClientHandle) -> Self {
        ClusterResource {
            client: client.clone(),
        }
    }

    /// Deletes the oldest inactive versions beyond `keep`.
    async fn trim(
        diags: &mut Diagnostics,
        client: &Client,
        cluster_id: &str,
        keep: Option<i64>,
    ) -> Option<()> {
        let keep = usize::try_from(keep?).ok()?;
        let versions = match client.list_cluster_versions(cluster_id).await {
            Ok(v) => v,
            Err(e) => {
                diagnostics::api_error(diags, &e, Some(ClusterState::paths().num_version_history));
                return None;
            }
        };
        let excess = versions.len().saturating_sub(keep);
        for old in versions.iter().filter(|v| !v.active).take(excess) {
            if let Err(e) = client.delete_cluster_version(&old.id, false).await {
                diagnostics::api_error(diags, &e, Some(ClusterState::paths().num_version_history));
                return None;
            }
        }
        Some(())
    }

    /// Makes `spec` the cluster's only active version: a new version, activated, any other
    /// active one deactivated. A new version that cannot be activated is deleted again. Returns
    /// what the control plane answered for the version.
    async fn new_version(
        diags: &mut Diagnostics,
        client: &Client,
        td: &str,
        cluster_id: &str,
        spec: &ClusterVersionSpec,
    ) -> Option<Option<AgentDeployment>> {
        let MadeVersion {
            id: version,
            deployment,
        } = match client.new_cluster_version(td, cluster_id, spec).await {
            Ok(v) => v,
            Err(e) => {
                diagnostics::api_error_at_field(diags, &e, &cluster_fields(), None);
                return None;
            }
        };
        if let Err(e) = client.activate_cluster_version(&version).await {
            diagnostics::api_error(diags, &e, None);
            if let Err(cleanup) = client.delete_cluster_version(&version, true).await {
                diagnostics::cleanup_failed(diags, &cleanup, "cluster version", &version);
            }
            return None;
        }
        log::info!(cluster_id, version = version.as_str(); "activated a new cluster version");
        let versions = match client.list_cluster_versions(cluster_id).await {
            Ok(v) => v,
            Err(e) => {
                diagnostics::api_error(diags, &e, None);
                return None;
            }
        };
        for other in versions.iter().filter(|v| v.active && v.id != version) {
            if let Err(e) = client.deactivate_cluster_version(&other.id).await {
                diagnostics::api_error(diags, &e, None);
                return None;
            }
        }
        Some(deployment)
    }

    /// Reads cluster `id` back after an update; an error when it cannot be.
    async fn read_back(
        diags: &mut Diagnostics,
        client: &Client,
        planned: &ClusterState,
        id: &str,
    ) -> Option<ClusterState> {
        let td = planned.trust_domain_id.known()?;
        let name = planned.name.known()?;
        let result = match read_cluster(client, td, name, Some(id), planned).await {
            Ok(Some(state)) => Ok(state),
            Ok(None) => Err(ReadBack::cluster(td, name)
                .updated("read the updated cluster")
                .missing()),
            Err(e) => Err(e),
        };
        match result {
            Ok(state) => Some(state),
            Err(e) => {
                diagnostics::api_error(diags, &e, None);
                None
            }
        }
    }
}

#[async_trait]
impl Resource for ClusterResource {
    type State = ClusterState;

    fn schema(&self) -> Schema {
        Schema::of::<ClusterState>(Kind::Resource).description(
            "A cluster in a trust domain: a Kubernetes cluster (or a Linux node group) whose \
             SPIRL agents get identities from the control plane. The agents prove themselves \
             with the cluster's key pair (`public_key`, Ed25519 only; generate it with \
             `openssl genpkey -algorithm ED25519` or `spirl_key_pair`) or with Kubernetes \
             projected service account tokens (`k8s_psat`).\n\nThe control plane cannot edit a \
             cluster: its identity (`name`, `description`, `platform`, `trust_domain_id`, \
             `realm_name`) replaces it when changed, and the rest makes a new cluster version \
             that is activated in place. The control plane keeps at most 10 versions, dropping \
             the oldest; agents still using a dropped version cannot authenticate until they \
             get the new key. A cluster with active agents cannot be deleted. Import with \
             `terraform import spirl_cluster.<name> td-…/<cluster-name>`.\n\nCreating the \
             cluster and each new version also gives what installs its agents: \
             `kubernetes_manifest` (and the same split into `kubernetes_manifests`) for the \
             Kubernetes platforms, `vm_agent_config` and `vm_docker_compose_yaml` for `linux`. \
             The API cannot read them back, so they stay null after an import until the next \
             new version.",
        )
    }

    async fn validate(&self, diags: &mut Diagnostics, config: ClusterState) -> Option<()> {
        validate_config(diags, &config)
    }

    async fn read(
        &self,
        diags: &mut Diagnostics,
        state: ClusterState,
    ) -> Option<Read<ClusterState>> {
        let client = self.client.get(diags)?;
        let (td, name) = (state.trust_domain_id.known()?, state.name.known()?);
        let id = state.id.known().map(String::as_str);
        let found = read_cluster(client, td, name, id, &state).await;
        super::refreshed::<_, ClusterState>(diags, "cluster", name, found)
    }

    async fn plan(
        &self,
        _diags: &mut Diagnostics,
        change: &mut Change<ClusterState>,
    ) -> Option<()> {
        let planned = &mut change.planned;
        // Unset: unset, except that the official provider's states carry its schema default, 10
        // (the control plane's own limit), which means the same and must plan no change.
        if change.config.num_version_history.is_null() {
            let official_default = Number::from(MAX_CLUSTER_VERSIONS);
            planned.num_version_history = match change.prior.as_ref() {
                Some(prior) if prior.num_version_history.known() == Some(&official_default) => {
                    prior.num_version_history.clone()
                }
                _ => Attr::Null,
            };
        }
        let Some(prior) = &change.prior else {
            planned.plan_install(None, true);
            return Some(());
        };
        // A cluster without an active version (deactivated out of band) needs one again.
        let inactive = prior.version_id.known().is_some_and(String::is_empty);
        let new_version = planned.version_spec() != prior.version_spec() || inactive;
        if new_version {
            planned.version_id = Attr::Unknown;
            planned.version_created_at = Attr::Unknown;
        }
        planned.plan_install(Some(prior), new_version);
        Some(())
    }

    async fn create(
        &self,
        diags: &mut Diagnostics,
        planned: ClusterState,
        _config: ClusterState,
    ) -> Option<ClusterState> {
        let client = self.client.get(diags)?;
        let td = planned.trust_domain_id.known()?.clone();
        let name = planned.name.known()?.clone();
        let platform = Platform::parse(planned.platform.known()?)?;
        let realm_id = match planned.realm_name.known() {
            Some(realm) => {
                let at = ClusterState::paths();
                resolve_realm(
                    diags,
                    client,
                    &td,
                    realm,
                    (at.realm_name, at.trust_domain_id),
                )
                .await?
            }
            None => String::new(),
        };
        let psat = planned.k8s_psat.known().map(PsatBlock::to_client);
        let attestation = match &psat {
            Some(psat) => match client.create_agent_attestation(psat).await {
                Ok(id) => Some(id),
                Err(e) => {
                    let at = Some(ClusterState::paths().k8s_psat.root);
                    diagnostics::api_error_at_field(diags, &e, &psat_fields(), at);
                    return None;
                }
            },
            None => None,
        };
        let made: BTreeSet<String> = attestation.iter().cloned().collect();
        let spec = checked_spec(
            diags,
            client,
            &planned,
            attestation.unwrap_or_default(),
            &made,
        )
        .await?;
        let body = CreateCluster {
            trust_domain_id: td.clone(),
            name: name.clone(),
            description: planned.description.known().cloned().unwrap_or_default(),
            platform,
            realm_id,
            version: spec,
        };
        let version = match client.create_cluster(&body).await {
            Ok(version) => version,
            Err(e) => {
                match &e {
                    ApiError::AlreadyExists(_) => {
                        let existing = client.find_cluster(&td, &name).await.ok().flatten();
                        diagnostics::name_taken(
                            diags,
                            &e,
                            "cluster",
                            &name,
                            existing.map(|c| format!("{td}/{}", c.name)).as_deref(),
                            ClusterState::paths().name,
                            "terraform import spirl_cluster.<name> <id>",
                        );
                    }
                    ApiError::NotFound(c) => {
                        let at = ClusterState::paths();
                        let at = if c.message.contains("realm") {
                            at.realm_name
                        } else if c.message.contains("provider_attestation") {
                            at.provider_attestation_id
                        } else {
                            at.trust_domain_id
                        };
                        diagnostics::missing_reference(diags, &e, at);
                    }
                    e => diagnostics::api_error_at_field(diags, e, &cluster_fields(), None),
                }
                delete_attestations(diags, client, &made).await;
                return None;
            }
        };
        log::info!(name = name.as_str(), trust_domain_id = td.as_str(); "created cluster");
        // Nothing half-created: a cluster Terraform cannot record is removed.
        let remove = async {
            match client.find_cluster(&td, &name).await {
                Ok(Some(cluster)) => client.delete_cluster(&cluster.id).await,
                _ => Ok(()),
            }
        };
        let read_back = client
            .read_back_or_remove(
                ReadBack::cluster(&td, &name),
                read_cluster(client, &td, &name, None, &planned),
                remove,
            )
            .await;
        match read_back {
            Ok(mut state) => {
                state.record_install(diags, version.deployment);
                Some(state)
            }
            Err(failed) => {
                diagnostics::created_but_unreadable(diags, &failed, &[]);
                if failed.cleanup.is_none() {
                    delete_attestations(diags, client, &made).await;
                }
                None
            }
        }
    }

    async fn update(
        &self,
        diags: &mut Diagnostics,
        prior: ClusterState,
        planned: ClusterState,
        _config: ClusterState,
    ) -> Option<ClusterState> {
        let client = self.client.get(diags)?;
        let id = prior.id.known()?.clone();
        let td = prior.trust_domain_id.known()?.clone();
        let before = match client.list_cluster_versions(&id).await {
            Ok(v) => v,
            Err(e) => {
                diagnostics::api_error(diags, &e, None);
                return None;
            }
        };
        let new_version = planned.version_spec() != prior.version_spec()
            || prior.version_id.known().is_some_and(String::is_empty);
        let mut made = BTreeSet::new();
        let mut deployment = None;
        if new_version {
            let current_attestation = current(&before)
                .map(|v| v.agent_attestation_config_id.clone())
                .unwrap_or_default();
            let attestation = match planned.k8s_psat.known() {
                None => String::new(),
                Some(psat)
                    if planned.k8s_psat == prior.k8s_psat && !current_attestation.is_empty() =>
                {
                    let _ = psat;
                    current_attestation
                }
                Some(psat) => match client.create_agent_attestation(&psat.to_client()).await {
                    Ok(id) => {
                        made.insert(id.clone());
                        id
                    }
                    Err(e) => {
                        let at = Some(ClusterState::paths().k8s_psat.root);
                        diagnostics::api_error_at_field(diags, &e, &psat_fields(), at);
                        return None;
                    }
                },
            };
            let spec = checked_spec(diags, client, &planned, attestation, &made).await?;
            match Self::new_version(diags, client, &td, &id, &spec).await {
                Some(answered) => deployment = Some(answered),
                None => {
                    delete_attestations(diags, client, &made).await;
                    return None;
                }
            }
        }
        let keep = planned.num_version_history.known().and_then(Number::as_i64);
        Self::trim(diags, client, &id, keep).await;
        let mut state = Self::read_back(diags, client, &planned, &id).await;
        if let Some(state) = &mut state {
            match deployment {
                Some(answered) => state.record_install(diags, answered),
                // As planned: what the prior state held.
                None => state.install_from(&planned),
            }
        }
        // Attestation configurations that no version names any more go.
        if let Ok(after) = client.list_cluster_versions(&id).await {
            let still = attestations_of(&after);
            let unused: BTreeSet<String> = attestations_of(&before)
                .difference(&still)
                .cloned()
                .collect();
            delete_attestations(diags, client, &unused).await;
        }
        // What was done is recorded even when a later step (trimming) failed: the error stands,
        // and the state says which version is active.
        state
    }

    async fn delete(&self, diags: &mut Diagnostics, prior: ClusterState) -> Option<()> {
        let client = self.client.get(diags)?;
        let id = prior.id.known()?;
        let versions = match client.list_cluster_versions(id).await {
            Ok(v) => v,
            Err(e) if e.is_not_found() => return Some(()),
            Err(e) => {
                diagnostics::api_error(diags, &e, None);
                return None;
            }
        };
        match client.delete_cluster(id).await {
            Ok(()) => {}
            Err(e @ ApiError::FailedPrecondition(_)) => {
                let name = prior.name.known().map_or("", String::as_str);
                diagnostics::cluster_has_agents(diags, &e, name, id);
                return None;
            }
            Err(e) => {
                diagnostics::api_error(diags, &e, None);
                return None;
            }
        }
        delete_attestations(diags, client, &attestations_of(&versions)).await;
        Some(())
    }

    async fn import(&self, diags: &mut Diagnostics, id: String) -> Option<ClusterState> {
        let client = self.client.get(diags)?;
        let wanted = id.trim();
        let parsed = wanted.split_once('/').filter(|(td, name)| {
            has_id_shape(td, TRUST_DOMAIN_ID_PREFIX) && name_problem(name).is_none()
        });
        let Some((td, name)) = parsed else {
            diags.error(
                "Cannot import cluster",
                format!(
                    "{} is not `<trust domain id>/<cluster name>`. Import a cluster with its \
                     trust domain's id and its name separated by a slash, for example \
                     `terraform import spirl_cluster.example td-123456/my-cluster`.",
                    quote(wanted)
                ),
            );
            return None;
        };
        let found = read_cluster(client, td, name, None, &ClusterState::default()).await;
        super::imported::<ClusterState, _>(diags, "cluster", found, || {
            format!(
                "Trust domain {td} has no cluster named {}. Check both in the Defakto console, \
                 and that the provider points at the right control plane.",
                quote(name)
            )
        })
    }
}
