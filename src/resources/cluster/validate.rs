//! Plan-time checks of `spirl_cluster` (resource and data source), each reported at its
//! attribute with what is wrong and what to do. Only what published evidence states is checked:
//! a name is required (the SDK), the platform is one the API's enum has (and the official docs
//! list), the key is an ed25519 SPKI (the SDK), the realm name a SPIFFE ID path segment (the
//! official docs), ids carry their published prefix, and at most 10 versions are kept (the
//! official docs), and `k8s_psat` has its issuer (the official docs). Descriptions, templates and
//! the other `k8s_psat` values are the control plane's to judge: a template read with `file()`,
//! trailing newline and all, is sent as it is.

use tfplugin::{AttributePath, Diagnostics};

use super::ClusterState;
use crate::client::Platform;
use crate::client::assumptions::{MAX_CLUSTER_VERSIONS, TRUST_DOMAIN_ID_PREFIX};
use crate::client::is_opaque_id;
use crate::diagnostics;
use crate::keys::parse_public_key_pem;
use crate::problem::quote;
use crate::resources::ids::check_id;
use crate::resources::realm::name_problem as realm_name_problem;

/// Why `name` is not a valid cluster name, or `None`: the SDK only says it is required and unique
/// in the trust domain, so only an empty name is refused here.
pub fn name_problem(name: &str) -> Option<String> {
    name.is_empty()
        .then(|| "name is empty. Set it to the cluster's name, such as \"my-cluster\".".into())
}

fn report(diags: &mut Diagnostics, path: AttributePath, summary: &str, problem: Option<String>) {
    if let Some(detail) = problem {
        diags.error_at(path, summary, detail);
    }
}

/// The plan-time checks of the resource (`data_source` false) and the data source.
pub fn validate_config(
    diags: &mut Diagnostics,
    config: &ClusterState,
    data_source: bool,
) -> Option<()> {
    let at = AttributePath::root;
    if let Some(name) = config.name.known() {
        report(
            diags,
            at("name"),
            "Invalid cluster name",
            name_problem(name),
        );
    }
    check_id(
        diags,
        "trust_domain_id",
        &config.trust_domain_id,
        TRUST_DOMAIN_ID_PREFIX,
        "trust domain",
        "`spirl_trust_domain.<name>.id` or `data.spirl_trust_domain.<name>.id`",
    );
    if let Some(platform) = config.platform.known()
        && Platform::parse(platform).is_none()
    {
        let valid: Vec<&str> = Platform::ALL.iter().map(|p| p.as_str()).collect();
        diags.error_at(
            at("platform"),
            "Invalid platform",
            format!(
                "platform is {}; it must be one of {}.",
                quote(platform),
                valid.join(", ")
            ),
        );
    }
    if let Some(Err(e)) = config
        .public_key
        .known()
        .map(|pem| parse_public_key_pem(pem))
    {
        diags.error_at(
            at("public_key"),
            "Invalid public_key",
            format!(
                "public_key is not an ed25519 public key in SPKI PEM: {e}. Only Ed25519 keys are \
                 supported: generate one with `openssl genpkey -algorithm ED25519 -out \
                 private-key.pem` and `openssl pkey -pubout -in private-key.pem`, or use \
                 `spirl_key_pair.<name>.public_key_pem`."
            ),
        );
    }
    if let Some(id) = config.provider_attestation_id.known()
        && !is_opaque_id(id)
    {
        diags.error_at(
            at("provider_attestation_id"),
            "Invalid provider_attestation_id",
            format!(
                "provider_attestation_id is {}; use the id of a provider attestation \
                 configuration, such as `spirl_provider_attestation_config.<name>.id`, or leave \
                 it unset.",
                quote(id)
            ),
        );
    }
    if data_source {
        return (!diags.has_errors()).then_some(());
    }
    if let Some(name) = config.realm_name.known() {
        report(
            diags,
            at("realm_name"),
            "Invalid realm_name",
            realm_name_problem(name).map(|p| p.replacen("name", "realm_name", 1)),
        );
    }
    // Optional in the official schema, but "Required when the k8s_psat block is specified" in its
    // docs, and the agent attestation API marks the issuer required.
    if let Some(psat) = config.k8s_psat.known()
        && psat.issuer_url.is_null()
    {
        diags.error_at(
            at("k8s_psat").attr("issuer_url"),
            "Missing k8s_psat.issuer_url",
            "issuer_url is required when the k8s_psat block is set: the control plane checks the \
             agents' service account tokens against the cluster's OIDC issuer. Set it (on EKS \
             `https://oidc.eks.<region>.amazonaws.com/id/<cluster-id>`), or remove the block.",
        );
    }
    if let Some(history) = diagnostics::whole_number(
        diags,
        "num_version_history",
        &config.num_version_history,
        "a whole number",
    ) && let Some(n) = history.known()
        && !(1..=MAX_CLUSTER_VERSIONS).contains(n)
    {
        diags.error_at(
            at("num_version_history"),
            "Invalid num_version_history",
            format!(
                "num_version_history is {n}; it must be between 1 and {MAX_CLUSTER_VERSIONS} \
                 (the control plane keeps at most {MAX_CLUSTER_VERSIONS} versions of a \
                 cluster). Leave it unset to let the control plane drop the oldest version \
                 beyond {MAX_CLUSTER_VERSIONS}."
            ),
        );
    }
    (!diags.has_errors()).then_some(())
}
