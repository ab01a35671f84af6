//! Plan-time checks of `spirl_cluster` (resource and data source), each reported at its
//! attribute with what is wrong and what to do. Only what published evidence states is checked:
//! a name is required (the SDK), the platform is one the API's enum has (and the official docs
//! list), the key is an ed25519 SPKI (the SDK), the realm name a SPIFFE ID path segment (the
//! official docs), ids carry their published prefix, and at most 10 versions are kept (the
//! official docs), and `k8s_psat` has its issuer (the official docs). Descriptions, templates and
//! the other `k8s_psat` values are the control plane's to judge: a template read with `file()`,
//! trailing newline and all, is sent as it is.

use tfplugin::{AttributePath, Diagnostics, Model, Number};

use super::ClusterState;
use crate::client::Platform;
use crate::client::assumptions::MAX_CLUSTER_VERSIONS;
use crate::client::is_opaque_id;
use crate::keys::{PublicKeyPem, parse_public_key_pem};
use crate::problem::quote;
use crate::resources::realm::name_problem as realm_name_problem;

/// Why `name` is not a valid cluster name, or `None`: the SDK only says it is required and unique
/// in the trust domain, so only an empty name is refused here.
pub fn name_problem(name: &str) -> Option<String> {
    name.is_empty()
        .then(|| "name is empty. Set it to the cluster's name, such as \"my-cluster\".".into())
}

pub(super) fn check_name(name: &str, at: &AttributePath, diags: &mut Diagnostics) {
    if let Some(problem) = name_problem(name) {
        diags.error_at(at.clone(), "Invalid cluster name", problem);
    }
}

pub(super) fn check_platform(platform: &str, at: &AttributePath, diags: &mut Diagnostics) {
    if Platform::parse(platform).is_none() {
        let valid: Vec<&str> = Platform::ALL.iter().map(|p| p.as_str()).collect();
        diags.error_at(
            at.clone(),
            "Invalid platform",
            format!(
                "platform is {}; it must be one of {}.",
                quote(platform),
                valid.join(", ")
            ),
        );
    }
}

pub(super) fn check_public_key(pem: &PublicKeyPem, at: &AttributePath, diags: &mut Diagnostics) {
    if let Err(e) = parse_public_key_pem(pem) {
        diags.error_at(
            at.clone(),
            "Invalid public_key",
            format!(
                "public_key is not an ed25519 public key in SPKI PEM: {e}. Only Ed25519 keys are \
                 supported: generate one with `openssl genpkey -algorithm ED25519 -out \
                 private-key.pem` and `openssl pkey -pubout -in private-key.pem`, or use \
                 `spirl_key_pair.<name>.public_key_pem`."
            ),
        );
    }
}

pub(super) fn check_provider_attestation_id(id: &str, at: &AttributePath, diags: &mut Diagnostics) {
    if !is_opaque_id(id) {
        diags.error_at(
            at.clone(),
            "Invalid provider_attestation_id",
            format!(
                "provider_attestation_id is {}; use the id of a provider attestation \
                 configuration, such as `spirl_provider_attestation_config.<name>.id`, or leave \
                 it unset.",
                quote(id)
            ),
        );
    }
}

pub(super) fn check_realm_name(name: &str, at: &AttributePath, diags: &mut Diagnostics) {
    if let Some(problem) = realm_name_problem(name) {
        let problem = problem.replacen("name", "realm_name", 1);
        diags.error_at(at.clone(), "Invalid realm_name", problem);
    }
}

pub(super) fn check_history(history: &Number, at: &AttributePath, diags: &mut Diagnostics) {
    let Some(n) = history.as_i64() else {
        diags.error_at(
            at.clone(),
            "Invalid num_version_history",
            format!("num_version_history must be a whole number; it is {history}."),
        );
        return;
    };
    if !(1..=MAX_CLUSTER_VERSIONS).contains(&n) {
        diags.error_at(
            at.clone(),
            "Invalid num_version_history",
            format!(
                "num_version_history is {n}; it must be between 1 and {MAX_CLUSTER_VERSIONS} \
                 (the control plane keeps at most {MAX_CLUSTER_VERSIONS} versions of a \
                 cluster). Leave it unset to let the control plane drop the oldest version \
                 beyond {MAX_CLUSTER_VERSIONS}."
            ),
        );
    }
}

/// The resource's check across attributes: `k8s_psat` has its issuer. Optional in the official
/// schema (a cluster without the block has none), but the agent attestation API's comment on
/// `K8SPSATConfig.oidc_issuer_url` says "Required. The OIDC issuer URL for the Kubernetes
/// cluster." (see `PSAT_FIELDS_REQUIRED` in the mock's assumptions), so a block without it could
/// never be created: said at validate, where the user can still fix it cheaply.
pub(super) fn validate_config(diags: &mut Diagnostics, config: &ClusterState) -> Option<()> {
    if let Some(psat) = config.k8s_psat.known()
        && psat.issuer_url.is_null()
    {
        diags.error_at(
            ClusterState::paths().k8s_psat.issuer_url,
            "Missing k8s_psat.issuer_url",
            "issuer_url is required when the k8s_psat block is set: the control plane checks the \
             agents' service account tokens against the cluster's OIDC issuer. Set it (on EKS \
             `https://oidc.eks.<region>.amazonaws.com/id/<cluster-id>`), or remove the block.",
        );
        return None;
    }
    Some(())
}
