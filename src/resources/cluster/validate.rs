//! Plan-time checks of `spirl_cluster` (resource and data source), each reported at its
//! attribute with what is wrong and what to do: the name, platform, key, templates, version
//! history, realm, attestation and the `k8s_psat` block.

use tfplugin::{AttributePath, Diagnostics};

use super::{ClusterState, PsatBlock};
use crate::client::Platform;
use crate::client::assumptions::{
    MAX_CLUSTER_NAME, MAX_CLUSTER_VERSIONS, MAX_TEMPLATE_BYTES, TRUST_DOMAIN_ID_PREFIX,
};
use crate::diagnostics;
use crate::keys::parse_public_key_pem;
use crate::problem::quote;
use crate::resources::ids::{check_id, https_url_problem};
use crate::resources::realm::name_problem as realm_name_problem;
use crate::resources::trust_domain::MAX_DESCRIPTION;

/// Why `name` is not a valid cluster name, or `None`.
pub fn name_problem(name: &str) -> Option<String> {
    let q = quote(name);
    if name.is_empty() {
        return Some("name is empty. Set it to the cluster's name, such as \"my-cluster\".".into());
    }
    if name.len() > MAX_CLUSTER_NAME {
        return Some(format!(
            "name is {} characters long; a cluster name has at most {MAX_CLUSTER_NAME}.",
            name.len()
        ));
    }
    if let Some((at, c)) = name
        .chars()
        .enumerate()
        .find(|(_, c)| !matches!(c, 'a'..='z' | '0'..='9' | '-'))
    {
        let hint = if c.is_ascii_uppercase() {
            format!(" Use {}.", quote(&name.to_ascii_lowercase()))
        } else {
            String::new()
        };
        return Some(format!(
            "name {q} contains {c:?} (U+{:04X}) at position {}. A cluster name may only contain \
             lowercase letters, digits and '-' (a DNS label, as Kubernetes names things).{hint}",
            u32::from(c),
            at + 1
        ));
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Some(format!(
            "name {q} must start and end with a letter or digit."
        ));
    }
    None
}

/// Why `text` is not a valid template in attribute `attr`, or `None`.
pub fn template_problem(attr: &str, text: &str) -> Option<String> {
    if text.len() > MAX_TEMPLATE_BYTES {
        return Some(format!(
            "{attr} is {} bytes long; at most {MAX_TEMPLATE_BYTES} are allowed.",
            text.len()
        ));
    }
    if let Some(c) = text.chars().find(|c| c.is_control()) {
        return Some(format!(
            "{attr} contains the control character {c:?}; a template is one line of text. \
             Remove it (a trailing newline from `file()` can be cut with `trimspace()`)."
        ));
    }
    if attr == "path_template" && !text.starts_with('/') {
        return Some(format!(
            "path_template {} must start with '/', for example \
             \"/my-cluster/ns/{{{{kubernetes.pod.namespace}}}}/sa/{{{{kubernetes.pod.service_account}}}}\".",
            quote(text)
        ));
    }
    None
}

/// Why `name` is not a Kubernetes name (service account or namespace), or `None`.
fn kubernetes_name_problem(attr: &str, name: &str) -> Option<String> {
    let ok = !name.is_empty()
        && name.len() <= 253
        && !name.starts_with(['-', '.'])
        && !name.ends_with(['-', '.'])
        && name
            .chars()
            .all(|c| matches!(c, 'a'..='z' | '0'..='9' | '-' | '.'));
    (!ok).then(|| {
        format!(
            "{attr} is {}; a Kubernetes name is 1 to 253 lowercase letters, digits, '-' and '.', \
             starting and ending with a letter or digit.",
            quote(name)
        )
    })
}

fn report(diags: &mut Diagnostics, path: AttributePath, summary: &str, problem: Option<String>) {
    if let Some(detail) = problem {
        diags.error_at(path, summary, detail);
    }
}

/// The checks of the `k8s_psat` block.
fn validate_psat(diags: &mut Diagnostics, psat: &PsatBlock) {
    let at = |a: &str| AttributePath::root("k8s_psat").attr(a);
    if let Some(url) = psat.issuer_url.known() {
        report(
            diags,
            at("issuer_url"),
            "Invalid k8s_psat.issuer_url",
            https_url_problem(
                "k8s_psat.issuer_url",
                url,
                "the cluster's OIDC issuer, for EKS \
                 `https://oidc.eks.<region>.amazonaws.com/id/<cluster-id>`",
            ),
        );
    }
    for attr in ["service_account_name", "service_account_namespace"] {
        let value = if attr == "service_account_name" {
            &psat.service_account_name
        } else {
            &psat.service_account_namespace
        };
        if let Some(name) = value.known() {
            report(
                diags,
                at(attr),
                &format!("Invalid k8s_psat.{attr}"),
                kubernetes_name_problem(&format!("k8s_psat.{attr}"), name),
            );
        }
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
    if let Some(description) = config.description.known() {
        let problem = if description.chars().count() > MAX_DESCRIPTION {
            Some(format!(
                "description has {} characters; at most {MAX_DESCRIPTION} are allowed.",
                description.chars().count()
            ))
        } else {
            description
                .chars()
                .find(|c| c.is_control() && !matches!(c, '\n' | '\t'))
                .map(|c| {
                    format!(
                        "description contains the control character {c:?}; only newlines and \
                         tabs are allowed."
                    )
                })
        };
        report(diags, at("description"), "Invalid description", problem);
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
    for attr in [
        "path_template",
        "x509_customization_template",
        "jwt_customization_template",
    ] {
        let value = match attr {
            "path_template" => &config.path_template,
            "x509_customization_template" => &config.x509_customization_template,
            _ => &config.jwt_customization_template,
        };
        if let Some(text) = value.known() {
            report(
                diags,
                at(attr),
                &format!("Invalid {attr}"),
                template_problem(attr, text),
            );
        }
    }
    if let Some(id) = config.provider_attestation_id.known() {
        let bad = id.is_empty()
            || id.len() > 256
            || id.chars().any(|c| c.is_whitespace() || c.is_control());
        if bad {
            diags.error_at(
                at("provider_attestation_id"),
                "Invalid provider_attestation_id",
                format!(
                    "provider_attestation_id is {}; use the id of a provider attestation \
                     configuration, such as `spirl_provider_attestation_config.<name>.id`, or \
                     leave it unset.",
                    quote(id)
                ),
            );
        }
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
    if let Some(psat) = config.k8s_psat.known() {
        validate_psat(diags, psat);
    }
    (!diags.has_errors()).then_some(())
}
