//! The API's JSON objects and request bodies, field for field as DESIGN.md §3 names them.
//!
//! Answers ignore fields they do not know (a newer server may add some) but require every field
//! the contract lists; requests leave out optional fields that are not set.

use serde::{Deserialize, Serialize};

/// How a trust domain issues JWT-SVIDs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JwtIssuerMode {
    /// The control plane is the issuer; its URL is computed (the default).
    Builtin,
    /// JWT-SVIDs are disabled.
    Disabled,
    /// The user names the issuer URL.
    Custom,
}

impl JwtIssuerMode {
    /// The wire and Terraform spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            JwtIssuerMode::Builtin => "builtin",
            JwtIssuerMode::Disabled => "disabled",
            JwtIssuerMode::Custom => "custom",
        }
    }
}

/// `jwt_issuer` as the server returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JwtIssuer {
    /// The mode.
    pub mode: JwtIssuerMode,
    /// The issuer URL: computed for `builtin`, empty for `disabled`.
    pub url: String,
}

/// `jwt_issuer` in requests: the URL only for `custom`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JwtIssuerInput {
    /// The mode.
    pub mode: JwtIssuerMode,
    /// The issuer URL, required for `custom`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// Endpoints the server computes for a trust domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustDomainUrls {
    /// `host:port` agents connect to; empty when the trust domain is self-hosted.
    pub agent_endpoint: String,
    /// The SPIFFE bundle endpoint.
    pub spiffe_bundle_endpoint: String,
    /// The OIDC discovery document.
    pub oidc_discovery_endpoint: String,
    /// The JWKS.
    pub jwks_endpoint: String,
}

/// A trust domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustDomain {
    /// `td-…`.
    pub id: String,
    /// The SPIFFE trust domain name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Whether the customer runs the trust-domain servers.
    pub self_hosted: bool,
    /// The JWT issuer.
    pub jwt_issuer: JwtIssuer,
    /// Computed endpoints.
    pub urls: TrustDomainUrls,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// RFC 3339, UTC.
    pub updated_at: String,
}

/// `POST /v1/trust-domains`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateTrustDomain {
    /// The SPIFFE trust domain name.
    pub name: String,
    /// Free text; the server defaults to empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The server defaults to `true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_hosted: Option<bool>,
    /// The server defaults to `builtin`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwt_issuer: Option<JwtIssuerInput>,
}

/// `PATCH /v1/trust-domains/{id}`: only the fields that change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateTrustDomain {
    /// New description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// New JWT issuer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwt_issuer: Option<JwtIssuerInput>,
}

/// The query of `GET /v1/trust-domains`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListTrustDomains {
    /// Only the trust domain with this exact name.
    pub name: Option<String>,
    /// At most this many per page (the server caps it at [`MAX_PAGE_SIZE`]).
    pub page_size: Option<u32>,
    /// `next_page_token` of the previous page.
    pub page_token: Option<String>,
}

/// The largest page the server returns.
pub const MAX_PAGE_SIZE: u32 = 100;

/// One page of `GET /v1/trust-domains`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustDomainPage {
    /// The trust domains of this page.
    pub trust_domains: Vec<TrustDomain>,
    /// Pass as `page_token` for the next page; empty on the last page.
    pub next_page_token: String,
}

/// A key registered for a deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Key {
    /// `tdk-…`.
    pub id: String,
    /// Ed25519 SPKI PEM, as registered.
    pub public_key: String,
    /// Whether the key is trusted.
    pub active: bool,
    /// RFC 3339, UTC.
    pub created_at: String,
}

/// A trust-domain deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deployment {
    /// `tdd-…`.
    pub id: String,
    /// The parent trust domain.
    pub trust_domain_id: String,
    /// Unique within the trust domain.
    pub name: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// Its keys. The contract promises them on `GET` of one deployment only ("with its keys"),
    /// so a list answer may leave them out.
    #[serde(default)]
    pub keys: Vec<Key>,
}

/// `POST /v1/trust-domains/{id}/deployments`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateDeployment {
    /// Unique within the trust domain.
    pub name: String,
}

/// `GET /v1/trust-domains/{id}/deployments`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct DeploymentList {
    /// The deployments.
    pub deployments: Vec<Deployment>,
}

/// `POST .../deployments/{deployment_id}/keys`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateKey {
    /// Ed25519 SPKI PEM.
    pub public_key: String,
    /// Whether the key is trusted.
    pub active: bool,
}

/// `PATCH .../keys/{key_id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateKey {
    /// Whether the key is trusted.
    pub active: bool,
}

/// Longest id accepted after its prefix: ids are short, and a value that goes into URL paths
/// must not be allowed to grow to megabytes.
pub const MAX_ID_LEN: usize = 128;

/// Whether `id` has the shape of a control-plane id: `prefix` (`td-`, `tdd-`, `tdk-`, `sak-`)
/// followed by one to [`MAX_ID_LEN`] lowercase letters and digits.
pub fn has_id_shape(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix).is_some_and(|rest| {
        !rest.is_empty()
            && rest.len() <= MAX_ID_LEN
            && rest
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn id_shapes() {
        assert!(has_id_shape("td-abc123", "td-"));
        assert!(!has_id_shape("td-", "td-"));
        assert!(!has_id_shape("td-abc.example.org", "td-"));
        assert!(!has_id_shape("example.org", "td-"));
        assert!(!has_id_shape("tdd-abc", "td-"));
        assert!(has_id_shape(
            &format!("td-{}", "a".repeat(MAX_ID_LEN)),
            "td-"
        ));
        assert!(!has_id_shape(
            &format!("td-{}", "a".repeat(MAX_ID_LEN + 1)),
            "td-"
        ));
    }

    #[test]
    fn models_requests_leave_out_unset_fields() {
        let body = CreateTrustDomain {
            name: "example.org".into(),
            ..CreateTrustDomain::default()
        };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"name":"example.org"}"#
        );
        let body = UpdateTrustDomain {
            jwt_issuer: Some(JwtIssuerInput {
                mode: JwtIssuerMode::Custom,
                url: Some("https://issuer.example.org".into()),
            }),
            ..UpdateTrustDomain::default()
        };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"jwt_issuer":{"mode":"custom","url":"https://issuer.example.org"}}"#
        );
    }

    #[test]
    fn models_answers_require_contract_fields() {
        let key = r#"{"id":"tdk-1","public_key":"pem","active":true,"created_at":"2026-01-01T00:00:00Z","extra":1}"#;
        assert!(serde_json::from_str::<Key>(key).is_ok());
        assert!(
            serde_json::from_str::<Key>(r#"{"id":"tdk-1","public_key":"pem","active":true}"#)
                .is_err()
        );
    }
}
