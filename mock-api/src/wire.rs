//! The JSON bodies of the API, field for field as DESIGN.md §3 names them.
//!
//! The mock keeps its own copy of these types instead of sharing the provider's, so that a field
//! name that drifts on either side fails a test. Requests refuse unknown fields.

use serde::{Deserialize, Serialize};

/// `POST /v1/auth/service-account/challenge`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChallengeRequest {
    /// The service-account key (`sak-…`) that will sign the challenge.
    pub key_id: String,
}

/// Answer to [`ChallengeRequest`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChallengeResponse {
    /// Names the challenge in the session request.
    pub challenge_id: String,
    /// 32 random bytes, standard base64 with padding.
    pub server_nonce: String,
    /// RFC 3339; the challenge is refused after this.
    pub expires_at: String,
}

/// `POST /v1/auth/service-account/session`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionRequest {
    /// From [`ChallengeResponse`].
    pub challenge_id: String,
    /// 32 bytes the client drew, standard base64.
    pub client_nonce: String,
    /// Ed25519ph signature (context `service-account-key-proof`) over
    /// SHA-512(client_nonce ‖ server_nonce), standard base64.
    pub signature: String,
}

/// Answer to [`SessionRequest`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionResponse {
    /// Goes in `Authorization: Bearer <token>`.
    pub token: String,
    /// RFC 3339; the token is refused after this.
    pub expires_at: String,
}

/// How a trust domain issues JWT-SVIDs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JwtIssuerMode {
    /// The control plane is the issuer; its URL is computed.
    Builtin,
    /// The user names the issuer URL.
    Custom,
    /// No JWT-SVIDs.
    Disabled,
}

impl JwtIssuerMode {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            JwtIssuerMode::Builtin => "builtin",
            JwtIssuerMode::Custom => "custom",
            JwtIssuerMode::Disabled => "disabled",
        }
    }
}

/// `jwt_issuer` in requests: the URL is only given for `custom`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JwtIssuerInput {
    /// The mode.
    pub mode: JwtIssuerMode,
    /// The issuer URL (https), required for `custom`.
    #[serde(default)]
    pub url: Option<String>,
}

/// `jwt_issuer` in responses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JwtIssuer {
    /// The mode.
    pub mode: JwtIssuerMode,
    /// The issuer URL; computed for `builtin`, `""` for `disabled`.
    pub url: String,
}

/// `POST /v1/trust-domains`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateTrustDomainRequest {
    /// SPIFFE trust domain name.
    pub name: String,
    /// Free text, at most 1024 characters; default `""`.
    #[serde(default)]
    pub description: Option<String>,
    /// Default `true`.
    #[serde(default)]
    pub self_hosted: Option<bool>,
    /// Default `{mode: "builtin"}`.
    #[serde(default)]
    pub jwt_issuer: Option<JwtIssuerInput>,
}

/// `PATCH /v1/trust-domains/{id}`.
///
/// `name` and `self_hosted` are accepted by the parser only so that the server can say that they
/// cannot be changed, rather than calling them unknown.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateTrustDomainRequest {
    /// New description.
    #[serde(default)]
    pub description: Option<String>,
    /// New JWT issuer.
    #[serde(default)]
    pub jwt_issuer: Option<JwtIssuerInput>,
    /// Immutable; present only to be refused with a clear message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<serde_json::Value>,
    /// Immutable; present only to be refused with a clear message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_hosted: Option<serde_json::Value>,
}

/// Server-computed endpoints of a trust domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustDomainUrls {
    /// `host:port` agents connect to; `""` when the trust domain is self-hosted.
    pub agent_endpoint: String,
    /// SPIFFE bundle endpoint (https).
    pub spiffe_bundle_endpoint: String,
    /// OIDC discovery document (https).
    pub oidc_discovery_endpoint: String,
    /// JWKS (https).
    pub jwks_endpoint: String,
}

/// A trust domain as the API returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustDomain {
    /// `td-…`.
    pub id: String,
    /// SPIFFE trust domain name, unique.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Whether the customer runs the trust-domain server.
    pub self_hosted: bool,
    /// JWT issuer.
    pub jwt_issuer: JwtIssuer,
    /// Computed endpoints.
    pub urls: TrustDomainUrls,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
}

/// Answer to `GET /v1/trust-domains`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ListTrustDomainsResponse {
    /// One page, in creation order.
    pub trust_domains: Vec<TrustDomain>,
    /// Pass as `page_token` for the next page; `""` on the last page.
    pub next_page_token: String,
}

/// `POST /v1/trust-domains/{id}/deployments`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateDeploymentRequest {
    /// Unique within the trust domain.
    pub name: String,
}

/// A deployment key as the API returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Key {
    /// `tdk-…`.
    pub id: String,
    /// Ed25519 SPKI PEM, exactly as registered.
    pub public_key: String,
    /// Whether the key is trusted.
    pub active: bool,
    /// RFC 3339.
    pub created_at: String,
}

/// A deployment as the API returns it, keys included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deployment {
    /// `tdd-…`.
    pub id: String,
    /// The parent.
    pub trust_domain_id: String,
    /// Unique within the trust domain.
    pub name: String,
    /// RFC 3339.
    pub created_at: String,
    /// In creation order.
    pub keys: Vec<Key>,
}

/// Answer to `GET /v1/trust-domains/{id}/deployments`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ListDeploymentsResponse {
    /// In creation order.
    pub deployments: Vec<Deployment>,
}

/// `POST .../deployments/{deployment_id}/keys`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateKeyRequest {
    /// Ed25519 SPKI PEM (`-----BEGIN PUBLIC KEY-----`).
    pub public_key: String,
    /// Whether the key is trusted.
    pub active: bool,
}

/// `PATCH .../keys/{key_id}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateKeyRequest {
    /// Whether the key is trusted.
    pub active: bool,
}
