//! Trust domains: views, listing and paging, and the plans of their writes.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::{Change, Ctx, Store, TrustDomainEntry, TrustDomainRecord};
use super::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use crate::config::rfc3339;
use crate::error::ApiError;
use crate::validate;
use crate::wire::{self, JwtIssuerInput, JwtIssuerMode};

fn not_found_td(id: &str) -> ApiError {
    ApiError::NotFound(format!("trust domain {id} not found"))
}

impl Store {
    pub(super) fn trust_domain(&self, id: &str) -> Result<&TrustDomainEntry, ApiError> {
        self.trust_domains.get(id).ok_or_else(|| not_found_td(id))
    }

    pub(super) fn view(&self, record: &TrustDomainRecord) -> wire::TrustDomain {
        let base = &self.base_domain;
        let id = &record.id;
        let oidc = self.builtin_issuer_url(id);
        let issuer_url = match record.jwt_mode {
            JwtIssuerMode::Builtin => oidc.clone(),
            JwtIssuerMode::Custom => record.jwt_custom_url.clone(),
            JwtIssuerMode::Disabled => String::new(),
        };
        wire::TrustDomain {
            id: id.clone(),
            name: record.name.clone(),
            description: record.description.clone(),
            self_hosted: record.self_hosted,
            jwt_issuer: wire::JwtIssuer {
                mode: record.jwt_mode,
                url: issuer_url,
            },
            urls: wire::TrustDomainUrls {
                agent_endpoint: if record.self_hosted {
                    String::new()
                } else {
                    format!("{id}.agents.{base}:443")
                },
                spiffe_bundle_endpoint: format!("https://{id}.bundle.{base}/"),
                oidc_discovery_endpoint: format!("{oidc}/.well-known/openid-configuration"),
                jwks_endpoint: format!("{oidc}/keys"),
            },
            created_at: record.created_at.clone(),
            updated_at: record.updated_at.clone(),
        }
    }

    /// `GET /v1/trust-domains/{id}`.
    pub fn get_trust_domain(&self, id: &str) -> Result<wire::TrustDomain, ApiError> {
        Ok(self.view(&self.trust_domain(id)?.record))
    }

    /// `GET /v1/trust-domains`.
    pub fn list_trust_domains(
        &self,
        name: Option<&str>,
        page_size: Option<u32>,
        page_token: Option<&str>,
    ) -> Result<wire::ListTrustDomainsResponse, ApiError> {
        let page_size = match page_size {
            None | Some(0) => DEFAULT_PAGE_SIZE,
            Some(n) => (n as usize).min(MAX_PAGE_SIZE),
        };
        let after = match page_token {
            None | Some("") => None,
            Some(token) => Some(decode_page_token(token)?),
        };
        let start = after.map_or(0, |seq| seq + 1);
        let mut page: Vec<&TrustDomainEntry> = Vec::with_capacity(page_size + 1);
        match name {
            // A name matches at most one trust domain; no need to walk them all.
            Some(name) => page.extend(
                self.trust_domain_by_name
                    .get(name)
                    .and_then(|id| self.trust_domains.get(id))
                    .filter(|entry| entry.seq >= start),
            ),
            None => page.extend(
                self.trust_domain_order
                    .range(start..)
                    .filter_map(|(_, id)| self.trust_domains.get(id))
                    .take(page_size + 1),
            ),
        }
        let next_page_token = if page.len() > page_size {
            page.truncate(page_size);
            page.last()
                .map(|e| encode_page_token(e.seq))
                .unwrap_or_default()
        } else {
            String::new()
        };
        Ok(wire::ListTrustDomainsResponse {
            trust_domains: page.iter().map(|e| self.view(&e.record)).collect(),
            next_page_token,
        })
    }

    fn jwt_issuer(
        input: Option<&JwtIssuerInput>,
        computed_url: &str,
    ) -> Result<(JwtIssuerMode, String), ApiError> {
        let Some(input) = input else {
            return Ok((JwtIssuerMode::Builtin, String::new()));
        };
        let url = input.url.as_deref().unwrap_or_default();
        match input.mode {
            // The computed URL is tolerated so a client may send back what it read.
            JwtIssuerMode::Builtin if url.is_empty() || url == computed_url => {}
            JwtIssuerMode::Builtin => {
                return Err(ApiError::InvalidArgument(format!(
                    "jwt_issuer.url must be empty when jwt_issuer.mode is builtin: the server \
                     computes it ({computed_url}); use mode custom to set your own"
                )));
            }
            JwtIssuerMode::Custom if url.is_empty() => {
                return Err(ApiError::InvalidArgument(
                    "jwt_issuer.url is required when jwt_issuer.mode is custom".into(),
                ));
            }
            JwtIssuerMode::Custom => validate::issuer_url(url)?,
            JwtIssuerMode::Disabled if url.is_empty() => {}
            JwtIssuerMode::Disabled => {
                return Err(ApiError::InvalidArgument(
                    "jwt_issuer.url must be empty when jwt_issuer.mode is disabled".into(),
                ));
            }
        }
        let stored = if input.mode == JwtIssuerMode::Custom {
            url.to_owned()
        } else {
            String::new()
        };
        Ok((input.mode, stored))
    }

    /// The built-in issuer, which also serves the OIDC discovery document and the JWKS.
    fn builtin_issuer_url(&self, id: &str) -> String {
        format!("https://{id}.oidc.{}", self.base_domain)
    }

    /// `POST /v1/trust-domains`.
    pub fn plan_create_trust_domain(
        &self,
        request: &wire::CreateTrustDomainRequest,
        ctx: &Ctx<'_>,
    ) -> Result<Change, ApiError> {
        validate::trust_domain_name(&request.name)?;
        let description = request.description.clone().unwrap_or_default();
        validate::description(&description)?;
        let id = self.fresh_id("td", ctx);
        let (jwt_mode, jwt_custom_url) =
            Self::jwt_issuer(request.jwt_issuer.as_ref(), &self.builtin_issuer_url(&id))?;
        if let Some(existing) = self.trust_domain_by_name.get(&request.name) {
            return Err(ApiError::AlreadyExists(format!(
                "a trust domain named `{}` already exists: {existing}",
                request.name
            )));
        }
        let now = rfc3339(ctx.now);
        Ok(Change::TrustDomainCreated {
            trust_domain: TrustDomainRecord {
                id,
                name: request.name.clone(),
                description,
                self_hosted: request.self_hosted.unwrap_or(true),
                jwt_mode,
                jwt_custom_url,
                created_at: now.clone(),
                updated_at: now,
            },
        })
    }

    /// `PATCH /v1/trust-domains/{id}`.
    pub fn plan_update_trust_domain(
        &self,
        id: &str,
        request: &wire::UpdateTrustDomainRequest,
        ctx: &Ctx<'_>,
    ) -> Result<Change, ApiError> {
        for (field, present) in [
            ("name", request.name.is_some()),
            ("self_hosted", request.self_hosted.is_some()),
        ] {
            if present {
                return Err(ApiError::InvalidArgument(format!(
                    "{field} cannot be changed after a trust domain is created; only description \
                     and jwt_issuer can (replace the trust domain to change {field})"
                )));
            }
        }
        let mut record = self.trust_domain(id)?.record.clone();
        if let Some(description) = &request.description {
            validate::description(description)?;
            record.description.clone_from(description);
        }
        if let Some(issuer) = &request.jwt_issuer {
            let (mode, url) = Self::jwt_issuer(Some(issuer), &self.builtin_issuer_url(id))?;
            record.jwt_mode = mode;
            record.jwt_custom_url = url;
        }
        record.updated_at = rfc3339(ctx.now);
        Ok(Change::TrustDomainUpdated {
            trust_domain: record,
        })
    }

    /// `DELETE /v1/trust-domains/{id}`.
    pub fn plan_delete_trust_domain(&self, id: &str) -> Result<Change, ApiError> {
        let entry = self.trust_domain(id)?;
        match entry.deployments.len() {
            0 => Ok(Change::TrustDomainDeleted { id: id.to_owned() }),
            n => Err(ApiError::FailedPrecondition(format!(
                "trust domain {id} still has {n} deployment{}; delete {} first",
                if n == 1 { "" } else { "s" },
                if n == 1 { "it" } else { "them" },
            ))),
        }
    }
}

/// Page tokens name the creation sequence number of the last item served, so deleting or
/// creating objects between pages neither repeats nor skips the ones that stay.
fn encode_page_token(seq: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("after:{seq}"))
}

fn decode_page_token(token: &str) -> Result<u64, ApiError> {
    URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix("after:")?.parse().ok())
        .ok_or_else(|| {
            ApiError::InvalidArgument(format!(
                "page_token `{token}` is not valid; pass the next_page_token of an earlier answer"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_tokens_round_trip_and_refuse_garbage() {
        assert_eq!(decode_page_token(&encode_page_token(42)), Ok(42));
        assert!(decode_page_token("nope!").is_err());
        assert!(decode_page_token(&URL_SAFE_NO_PAD.encode("after:x")).is_err());
    }
}
