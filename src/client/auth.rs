//! Service-account login (DESIGN.md §3) and the cached bearer token.
//!
//! 1. `POST /v1/auth/service-account/challenge {key_id}` → `{challenge_id, server_nonce,
//!    expires_at}`.
//! 2. Draw a 32-byte client nonce; sign SHA-512(client_nonce ‖ server_nonce) with Ed25519ph,
//!    context `service-account-key-proof`.
//! 3. `POST /v1/auth/service-account/session {challenge_id, client_nonce, signature}` →
//!    `{token, expires_at}`. All byte fields are standard base64 with padding.
//!
//! One token serves every request of the provider; one login runs at a time (the others wait for
//! its token). The token is renewed shortly before `expires_at`, and after a 401 (the caller
//! retries once). None of the token, the nonces or the signature is ever logged, and the login's
//! request and answer bodies are not logged at all.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore as _;
use rand::rngs::OsRng;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha512};
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::error::{ApiError, ErrorContext};
use super::{Call, Client, Exchange};
use crate::config::Credentials;
use crate::secret::SecretString;

/// The Ed25519ph context of a login proof.
const PROOF_CONTEXT: &[u8] = b"service-account-key-proof";
/// Length of both nonces.
const NONCE_LEN: usize = 32;
const CHALLENGE_ROUTE: &str = "/v1/auth/service-account/challenge";
const SESSION_ROUTE: &str = "/v1/auth/service-account/session";
/// Renewal happens this much (at most) before expiry...
const MAX_RENEW_MARGIN: Duration = Duration::from_secs(60);
/// ...plus this, because the API's timestamps are whole seconds.
const TIMESTAMP_PRECISION: Duration = Duration::from_secs(1);

/// A bearer token and which login produced it.
#[derive(Clone)]
pub(crate) struct Token {
    /// `Authorization: Bearer <secret>`.
    pub secret: SecretString,
    /// Names the login, so a 401 only discards the token it was sent with.
    pub generation: u64,
}

struct Cached {
    token: Token,
    renew_at: Instant,
}

/// The login state of one client.
pub(crate) struct Auth {
    credentials: Credentials,
    cache: Mutex<Option<Cached>>,
    generations: AtomicU64,
}

#[derive(Serialize)]
struct ChallengeRequest<'a> {
    key_id: &'a str,
}

#[derive(Deserialize)]
struct ChallengeAnswer {
    challenge_id: String,
    server_nonce: String,
}

/// Holds the nonce and signature: deliberately no `Debug`.
#[derive(Serialize)]
struct SessionRequest {
    challenge_id: String,
    client_nonce: String,
    signature: String,
}

/// Holds the token: deliberately no `Debug`.
#[derive(Deserialize)]
struct SessionAnswer {
    token: String,
    expires_at: String,
}

impl Auth {
    pub(crate) fn new(credentials: Credentials) -> Self {
        Self {
            credentials,
            cache: Mutex::new(None),
            generations: AtomicU64::new(0),
        }
    }

    /// The service-account key id (not a secret).
    pub(crate) fn key_id(&self) -> &str {
        &self.credentials.key_id
    }

    /// A token that is not about to expire, logging in if needed.
    pub(crate) async fn token(
        &self,
        client: &Client,
        operation: &'static str,
        deadline: Instant,
    ) -> Result<Token, ApiError> {
        // Held across the login on purpose: concurrent callers wait for one login instead of
        // each starting their own.
        let mut cache = self.cache.lock().await;
        if let Some(cached) = cache.as_ref()
            && Instant::now() < cached.renew_at
        {
            return Ok(cached.token.clone());
        }
        let (secret, lifetime) = self.login(client, operation, deadline).await?;
        let token = Token {
            secret,
            generation: self.generations.fetch_add(1, Ordering::Relaxed) + 1,
        };
        *cache = Some(Cached {
            token: token.clone(),
            renew_at: Instant::now() + renew_after(lifetime),
        });
        Ok(token)
    }

    /// Forgets the token of login `generation` after the server refused it.
    pub(crate) async fn invalidate(&self, generation: u64) {
        let mut cache = self.cache.lock().await;
        if cache
            .as_ref()
            .is_some_and(|c| c.token.generation == generation)
        {
            *cache = None;
        }
    }

    /// Logs in; returns the token and how long it lives.
    async fn login(
        &self,
        client: &Client,
        operation: &'static str,
        deadline: Instant,
    ) -> Result<(SecretString, Duration), ApiError> {
        match self.login_once(client, operation, deadline).await {
            // The session call was retried after a lost answer, and the server had already
            // spent the challenge: start over with a new one, once.
            Err(ApiError::Unauthenticated(c))
                if c.attempts > 1 && c.route.contains(SESSION_ROUTE) =>
            {
                log::debug!(target: super::LOG_TARGET, "{operation}: login challenge was spent by a lost answer; logging in again");
                self.login_once(client, operation, deadline).await
            }
            other => other,
        }
    }

    async fn login_once(
        &self,
        client: &Client,
        operation: &'static str,
        deadline: Instant,
    ) -> Result<(SecretString, Duration), ApiError> {
        let body = serde_json::to_vec(&ChallengeRequest {
            key_id: &self.credentials.key_id,
        })
        .map_err(|e| encode_error(operation, CHALLENGE_ROUTE, &e))?;
        let exchange = client
            .execute(
                operation,
                login_call(client, CHALLENGE_ROUTE, body),
                deadline,
            )
            .await?;
        let challenge: ChallengeAnswer = decode_login(operation, CHALLENGE_ROUTE, &exchange)?;
        let server_nonce = STANDARD
            .decode(&challenge.server_nonce)
            .ok()
            .filter(|n| n.len() == NONCE_LEN)
            .ok_or_else(|| {
                login_decode_error(
                    operation,
                    CHALLENGE_ROUTE,
                    &exchange,
                    "server_nonce is not 32 bytes of standard base64",
                )
            })?;
        let mut client_nonce = [0u8; NONCE_LEN];
        OsRng.fill_bytes(&mut client_nonce);
        let mut proof = Sha512::new();
        proof.update(client_nonce);
        proof.update(&server_nonce);
        let signature = self
            .credentials
            .private_key
            .signing_key()
            .sign_prehashed(proof, Some(PROOF_CONTEXT))
            .map_err(|_| encode_error(operation, SESSION_ROUTE, &"cannot sign the login proof"))?;
        let body = serde_json::to_vec(&SessionRequest {
            challenge_id: challenge.challenge_id,
            client_nonce: STANDARD.encode(client_nonce),
            signature: STANDARD.encode(signature.to_bytes()),
        })
        .map_err(|e| encode_error(operation, SESSION_ROUTE, &e))?;
        let exchange = client
            .execute(operation, login_call(client, SESSION_ROUTE, body), deadline)
            .await?;
        let session: SessionAnswer = decode_login(operation, SESSION_ROUTE, &exchange)?;
        let lifetime = token_lifetime(&session.expires_at, exchange.date);
        log::debug!(
            target: super::LOG_TARGET,
            key_id = self.credentials.key_id.as_str(), lifetime_s = lifetime.as_secs();
            "{operation}: logged in as service-account key {}; token valid for about {} s",
            self.credentials.key_id,
            lifetime.as_secs()
        );
        Ok((SecretString::new(session.token), lifetime))
    }
}

fn login_call(client: &Client, route: &'static str, body: Vec<u8>) -> Call {
    Call {
        method: Method::POST,
        route,
        url: client.url(&route[1..].split('/').collect::<Vec<_>>(), &[]),
        body: Some(body),
        authenticated: false,
    }
}

/// How long after now to renew a token that lives `lifetime`: a fifth of its life early (at most
/// a minute), and a second more for the timestamps' precision.
fn renew_after(lifetime: Duration) -> Duration {
    let margin = (lifetime / 5).min(MAX_RENEW_MARGIN) + TIMESTAMP_PRECISION;
    lifetime.saturating_sub(margin)
}

/// `expires_at` minus the server's `Date` when it sent one (both on the server's clock, so a
/// skewed local clock does not matter), else minus our own clock.
fn token_lifetime(expires_at: &str, server_date: Option<SystemTime>) -> Duration {
    let Ok(expires_at) = humantime::parse_rfc3339_weak(expires_at) else {
        // Unparsable: use it once and log in again next time; a 401 would catch a mistake too.
        return Duration::ZERO;
    };
    let now = server_date.unwrap_or_else(SystemTime::now);
    expires_at.duration_since(now).unwrap_or(Duration::ZERO)
}

/// Login answers are decoded without quoting them: the session answer holds the token.
fn decode_login<T: for<'de> Deserialize<'de>>(
    operation: &'static str,
    route: &'static str,
    exchange: &Exchange,
) -> Result<T, ApiError> {
    serde_json::from_slice(&exchange.body).map_err(|_| {
        login_decode_error(
            operation,
            route,
            exchange,
            "the login answer is not the JSON the contract describes",
        )
    })
}

fn login_decode_error(
    operation: &'static str,
    route: &'static str,
    exchange: &Exchange,
    message: &str,
) -> ApiError {
    ApiError::Decode(ErrorContext {
        operation,
        route: format!("POST {route}"),
        status: Some(exchange.status.as_u16()),
        code: None,
        message: message.to_owned(),
        request_id: exchange.request_id.clone(),
        attempts: exchange.attempts,
    })
}

fn encode_error(
    operation: &'static str,
    route: &'static str,
    e: &dyn std::fmt::Display,
) -> ApiError {
    ApiError::Internal(ErrorContext {
        operation,
        route: format!("POST {route}"),
        status: None,
        code: None,
        message: format!("cannot build the login request: {e}"),
        request_id: None,
        attempts: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_renewal_is_early_but_not_too_early() {
        assert_eq!(
            renew_after(Duration::from_secs(3600)),
            Duration::from_secs(3539)
        );
        assert_eq!(
            renew_after(Duration::from_secs(3)),
            Duration::from_millis(1400)
        );
        assert_eq!(renew_after(Duration::from_secs(1)), Duration::ZERO);
        assert_eq!(renew_after(Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn auth_token_lifetime_uses_server_clock() {
        let date = humantime::parse_rfc3339("2026-01-01T00:00:00Z").ok();
        assert_eq!(
            token_lifetime("2026-01-01T01:00:00Z", date),
            Duration::from_secs(3600)
        );
        assert_eq!(token_lifetime("2025-01-01T00:00:00Z", date), Duration::ZERO);
        assert_eq!(token_lifetime("tomorrow", date), Duration::ZERO);
    }
}
