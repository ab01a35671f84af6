//! What the client's methods take and return: plain Rust values, converted from and to the wire
//! types of `spirl-api-proto` here and nowhere else, so resources never see a protobuf message.

use std::time::{Duration, SystemTime};

use spirl_api_proto::trustdomain as wire;

use super::assumptions::{KEY_STATE_ACTIVE, OIDC_DISCOVERY_PATH};

/// How a trust domain issues JWT-SVIDs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum JwtIssuerMode {
    /// The control plane is the issuer.
    #[default]
    Builtin,
    /// No JWT-SVIDs.
    Disabled,
    /// An issuer the customer names.
    Custom,
}

impl JwtIssuerMode {
    /// The Terraform spelling: `builtin`, `disabled`, `custom`.
    pub fn as_str(self) -> &'static str {
        match self {
            JwtIssuerMode::Builtin => "builtin",
            JwtIssuerMode::Disabled => "disabled",
            JwtIssuerMode::Custom => "custom",
        }
    }
}

/// A trust domain's JWT issuer as the control plane reports it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct JwtIssuer {
    /// The mode.
    pub mode: JwtIssuerMode,
    /// The effective issuer URL: computed for `builtin`, the customer's for `custom`, empty for
    /// `disabled`.
    pub url: String,
}

/// A JWT issuer to set: the URL only for `custom`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwtIssuerInput {
    /// The mode.
    pub mode: JwtIssuerMode,
    /// The custom issuer URL.
    pub url: Option<String>,
}

impl JwtIssuerInput {
    /// `JwtIssuerConfig`: `set = false` is built-in, `set = true` with an empty issuer is
    /// disabled, with a URL custom.
    pub(crate) fn to_wire(&self) -> wire::JwtIssuerConfig {
        match self.mode {
            JwtIssuerMode::Builtin => wire::JwtIssuerConfig {
                set: false,
                issuer: String::new(),
            },
            JwtIssuerMode::Disabled => wire::JwtIssuerConfig {
                set: true,
                issuer: String::new(),
            },
            JwtIssuerMode::Custom => wire::JwtIssuerConfig {
                set: true,
                issuer: self.url.clone().unwrap_or_default(),
            },
        }
    }
}

/// The URLs the control plane computes for a trust domain.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TrustDomainUrls {
    /// `host:port` agents connect to; empty when self-hosted.
    pub agent_endpoint: String,
    /// The SPIFFE bundle endpoint.
    pub spiffe_bundle_endpoint: String,
    /// The effective issuer's OIDC discovery document; empty when JWT issuing is disabled.
    pub oidc_discovery_endpoint: String,
    /// The JWKS.
    pub jwks_endpoint: String,
}

/// A trust domain.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TrustDomain {
    /// `td-…`.
    pub id: String,
    /// The SPIFFE trust domain name.
    pub name: String,
    /// Free text; the API cannot change it after creation.
    pub description: String,
    /// Whether the customer runs the trust-domain servers (`RegisterTrustDomain`).
    pub self_hosted: bool,
    /// `available` once ready (see `assumptions`).
    pub state: String,
    /// The JWT issuer.
    pub jwt_issuer: JwtIssuer,
    /// Computed URLs.
    pub urls: TrustDomainUrls,
    /// RFC 3339, UTC, whole seconds; empty when the server sent none.
    pub created_at: String,
    /// RFC 3339, UTC, whole seconds; empty when the server sent none.
    pub updated_at: String,
}

/// What creating a trust domain takes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CreateTrustDomain {
    /// The SPIFFE trust domain name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// `true`: `RegisterTrustDomain`; `false`: `CreateTrustDomain` (SPIRL-hosted).
    pub self_hosted: bool,
    /// `None`: the server's default (built-in).
    pub jwt_issuer: Option<JwtIssuerInput>,
}

/// A deployment: a named set of trust-domain servers, which exists through its keys.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Deployment {
    /// `tdd-…`.
    pub id: String,
    /// `td-…`.
    pub trust_domain_id: String,
    /// The deployment's name, unique in its trust domain.
    pub name: String,
}

/// A deployment key.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Key {
    /// `tdk-…`.
    pub id: String,
    /// `td-…`.
    pub trust_domain_id: String,
    /// The deployment's name.
    pub deployment_name: String,
    /// The public key, DER `SubjectPublicKeyInfo`.
    pub public_key_der: Vec<u8>,
    /// Whether the key is enabled.
    pub active: bool,
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A public key is no secret, but a screenful of bytes helps nobody.
        f.debug_struct("Key")
            .field("id", &self.id)
            .field("trust_domain_id", &self.trust_domain_id)
            .field("deployment_name", &self.deployment_name)
            .field("public_key_der_len", &self.public_key_der.len())
            .field("active", &self.active)
            .finish()
    }
}

/// Whether `id` can be an id at all: not empty, and without whitespace, control characters or `/`. The SDK treats ids
/// as opaque strings, so this is all the provider may ask of an id whose prefix has no published
/// evidence (service accounts, users, cluster versions, attestation configurations, …); the
/// control plane judges the rest. (`/` is refused because import ids join parts with it.)
pub fn is_opaque_id(id: &str) -> bool {
    !id.is_empty()
        && !id
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '/')
}

/// Whether `id` looks like an id with `prefix`: the prefix, then at least one more character,
/// and as a whole an [`is_opaque_id`]. Use it only with the prefixes of
/// [`super::assumptions`], each of which lists its evidence; no alphabet or length is implied.
pub fn has_id_shape(id: &str, prefix: &str) -> bool {
    is_opaque_id(id) && id.strip_prefix(prefix).is_some_and(|rest| !rest.is_empty())
}

/// A protobuf timestamp as RFC 3339 (UTC, whole seconds); empty for none or one out of range.
pub(crate) fn rfc3339(ts: Option<&prost_types::Timestamp>) -> String {
    let Some(ts) = ts else {
        return String::new();
    };
    let Ok(secs) = u64::try_from(ts.seconds) else {
        return String::new();
    };
    SystemTime::UNIX_EPOCH
        .checked_add(Duration::from_secs(secs))
        .map(|t| humantime::format_rfc3339_seconds(t).to_string())
        .unwrap_or_default()
}

/// The issuer a reported status says.
fn jwt_issuer(status: &wire::JwtIssuerStatus) -> JwtIssuer {
    JwtIssuer {
        mode: match wire::jwt_issuer_status::Mode::try_from(status.mode) {
            Ok(wire::jwt_issuer_status::Mode::Disabled) => JwtIssuerMode::Disabled,
            Ok(wire::jwt_issuer_status::Mode::Custom) => JwtIssuerMode::Custom,
            // Builtin, or a mode newer than this provider: the server computes the URL.
            _ => JwtIssuerMode::Builtin,
        },
        url: status.effective_issuer.clone(),
    }
}

/// The discovery document of `issuer`, or empty when there is no issuer.
fn oidc_discovery(issuer: &str) -> String {
    if issuer.is_empty() {
        String::new()
    } else {
        format!("{}{OIDC_DISCOVERY_PATH}", issuer.trim_end_matches('/'))
    }
}

impl TrustDomain {
    /// A `TrustDomainInfo` answer; `None` when it carries no `jwt_issuer_status` (the issuer
    /// mode is then unknown, and is never guessed from other fields).
    pub(crate) fn from_info(td: wire::TrustDomainInfoResponse) -> Option<TrustDomain> {
        // The same facts as a list entry, under other field names.
        TrustDomain::from_listed(wire::TrustDomain {
            id: td.id,
            name: td.name,
            description: td.description,
            state: td.state,
            endpoint_url: td.spirl_agent_endpoint_url,
            jwt_issuer_endpoint_url: td.jwt_issuer_endpoint_url,
            jwt_issuer_status: td.jwt_issuer_status,
            spiffe_bundle_endpoint_url: td.spiffe_bundle_endpoint_url,
            jwks_endpoint_url: td.jwks_endpoint_url,
            oidc_discovery_endpoint_url: td.oidc_discovery_endpoint_url,
            is_self_managed: td.is_self_managed,
            created_at: td.created_at,
            updated_at: td.updated_at,
            ..wire::TrustDomain::default()
        })
        .ok()
    }

    /// A `ListTrustDomains` entry, or its id when it carries no `jwt_issuer_status`: the caller
    /// then reads that trust domain with `TrustDomainInfo` (see
    /// `assumptions::READ_ISSUER_WITH_INFO_WHEN_LIST_LACKS_STATUS`).
    pub(crate) fn from_listed(td: wire::TrustDomain) -> Result<TrustDomain, String> {
        let Some(status) = td.jwt_issuer_status.as_ref() else {
            return Err(td.id);
        };
        let jwt_issuer = jwt_issuer(status);
        Ok(TrustDomain {
            urls: TrustDomainUrls {
                // The list's `endpoint_url` is the agent endpoint of a hosted trust domain.
                agent_endpoint: td.endpoint_url,
                spiffe_bundle_endpoint: td.spiffe_bundle_endpoint_url,
                oidc_discovery_endpoint: oidc_discovery(&jwt_issuer.url),
                jwks_endpoint: td.jwks_endpoint_url,
            },
            id: td.id,
            name: td.name,
            description: td.description,
            self_hosted: td.is_self_managed,
            state: td.state,
            jwt_issuer,
            created_at: rfc3339(td.created_at.as_ref()),
            updated_at: rfc3339(td.updated_at.as_ref()),
        })
    }
}

impl From<wire::TrustDomainDeployment> for Deployment {
    fn from(d: wire::TrustDomainDeployment) -> Self {
        Deployment {
            id: d.id,
            trust_domain_id: d.trust_domain_id,
            name: d.deployment_name,
        }
    }
}

impl From<wire::TrustDomainKey> for Key {
    fn from(k: wire::TrustDomainKey) -> Self {
        let public_key_der = match k.pubkey {
            Some(wire::trust_domain_key::Pubkey::PkixPubkey(p)) => p.data,
            None => Vec::new(),
        };
        Key {
            active: k.state == KEY_STATE_ACTIVE,
            id: k.id,
            trust_domain_id: k.trust_domain_id,
            deployment_name: k.deployment_name,
            public_key_der,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_jwt_issuer_config_encodes_each_mode() {
        let input = |mode, url: Option<&str>| JwtIssuerInput {
            mode,
            url: url.map(str::to_owned),
        };
        assert_eq!(
            input(JwtIssuerMode::Builtin, None).to_wire(),
            wire::JwtIssuerConfig {
                set: false,
                issuer: String::new()
            }
        );
        assert_eq!(
            input(JwtIssuerMode::Disabled, None).to_wire(),
            wire::JwtIssuerConfig {
                set: true,
                issuer: String::new()
            }
        );
        assert_eq!(
            input(JwtIssuerMode::Custom, Some("https://issuer.example.com")).to_wire(),
            wire::JwtIssuerConfig {
                set: true,
                issuer: "https://issuer.example.com".into()
            }
        );
    }

    #[test]
    fn models_trust_domain_derives_discovery_from_the_effective_issuer() {
        let info = wire::TrustDomainInfoResponse {
            id: "td-1".into(),
            jwt_issuer_endpoint_url: "https://old.example.com".into(),
            jwt_issuer_status: Some(wire::JwtIssuerStatus {
                mode: wire::jwt_issuer_status::Mode::Custom as i32,
                effective_issuer: "https://issuer.example.com/".into(),
            }),
            created_at: Some(prost_types::Timestamp {
                seconds: 1_700_000_000,
                nanos: 5,
            }),
            ..Default::default()
        };
        let td = TrustDomain::from_info(info).expect("a status");
        assert_eq!(td.jwt_issuer.mode, JwtIssuerMode::Custom);
        assert_eq!(
            td.urls.oidc_discovery_endpoint,
            "https://issuer.example.com/.well-known/openid-configuration"
        );
        assert_eq!(td.created_at, "2023-11-14T22:13:20Z");
        assert_eq!(td.updated_at, "");
        let disabled = TrustDomain::from_info(wire::TrustDomainInfoResponse {
            jwt_issuer_status: Some(wire::JwtIssuerStatus {
                mode: wire::jwt_issuer_status::Mode::Disabled as i32,
                effective_issuer: String::new(),
            }),
            ..Default::default()
        })
        .expect("a status");
        assert_eq!(disabled.urls.oidc_discovery_endpoint, "");
        // No status: the mode is not guessed from the issuer URL (or its absence).
        let listed = TrustDomain::from_listed(wire::TrustDomain {
            id: "td-nostatus".into(),
            jwt_issuer_endpoint_url: String::new(),
            ..Default::default()
        });
        assert_eq!(listed, Err("td-nostatus".to_owned()));
        assert_eq!(
            TrustDomain::from_info(wire::TrustDomainInfoResponse::default()),
            None
        );
    }

    #[test]
    fn models_key_state_and_public_key() {
        let key = Key::from(wire::TrustDomainKey {
            id: "tdk-1".into(),
            state: "inactive".into(),
            pubkey: Some(wire::trust_domain_key::Pubkey::PkixPubkey(
                wire::PkixPublicKey {
                    data: vec![1, 2, 3],
                },
            )),
            ..Default::default()
        });
        assert!(!key.active);
        assert_eq!(key.public_key_der, vec![1, 2, 3]);
        assert!(!format!("{key:?}").contains("[1, 2, 3]"));
    }

    #[test]
    fn models_id_shapes() {
        assert!(has_id_shape("td-abc123", "td-"));
        // Opaque: any alphabet, any length.
        assert!(has_id_shape("td-ABC_x.y:z", "td-"));
        assert!(has_id_shape(&format!("td-{}", "a".repeat(1000)), "td-"));
        assert!(has_id_shape("rr-Administrator", "rr-"));
        for bad in [
            "td-",
            "",
            "td",
            "tdd-1",
            "td-a b",
            "td-a\tb",
            "td-a/b",
            "td-\u{a0}x",
            "td-a\0",
            " td-1",
        ] {
            assert!(!has_id_shape(bad, "td-"), "{bad:?}");
        }
    }

    #[test]
    fn models_opaque_ids() {
        for good in ["sa-1", "usr_X", "x", "role-realm-administrator", "ÄÖ"] {
            assert!(is_opaque_id(good), "{good:?}");
        }
        for bad in ["", " ", "a b", "a/b", "a\nb", "a\u{2003}b"] {
            assert!(!is_opaque_id(bad), "{bad:?}");
        }
    }
}
