//! Service-account login and bearer tokens, as DESIGN.md §3 specifies them.
//!
//! 1. `POST /v1/auth/service-account/challenge {key_id}` hands out a single-use challenge with a
//!    32-byte server nonce.
//! 2. The client draws a 32-byte client nonce and signs SHA-512(client_nonce ‖ server_nonce) with
//!    Ed25519ph, context [`PROOF_CONTEXT`].
//! 3. `POST /v1/auth/service-account/session {challenge_id, client_nonce, signature}` checks the
//!    signature against the key and returns a bearer token bound to that key.
//!
//! For tests, [`MockState::auth_record`] lists every token, nonce and signature that travelled,
//! so that a test can prove none of them leaks.
//!
//! Challenges and tokens live in memory only: after a restart clients log in again, which the
//! contract's "on 401, log in again once" already covers.

use std::collections::HashMap;
use std::time::SystemTime;

use axum::Json;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ed25519_dalek::Signature;
use rand::RngCore as _;
use rand::rngs::OsRng;
use sha2::{Digest as _, Sha512};

use crate::config::rfc3339;
use crate::error::ApiError;
use crate::extract::Post;
use crate::state::{MockState, Principal};
use crate::wire::{ChallengeRequest, ChallengeResponse, SessionRequest, SessionResponse};

/// The Ed25519ph context of a login proof.
pub const PROOF_CONTEXT: &[u8] = b"service-account-key-proof";

/// Length of both nonces.
pub const NONCE_LEN: usize = 32;

struct Challenge {
    key_id: String,
    server_nonce: [u8; NONCE_LEN],
    expires_at: SystemTime,
}

struct Token {
    key_id: String,
    expires_at: SystemTime,
}

/// How many values of each kind an [`AuthRecord`] keeps (the oldest go first), so that a
/// long-running mock does not grow without bound.
pub const MAX_RECORDED: usize = 1000;

/// Every login credential the mock handed out or received, as it travelled (base64 and token
/// text), for tests that check none of them leaks into logs or Terraform's output. Test-facing
/// only: a real control plane keeps no such list. Read it with [`MockState::auth_record`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthRecord {
    /// Bearer tokens issued by `POST /v1/auth/service-account/session`.
    pub tokens: Vec<String>,
    /// Server nonces handed out by `POST /v1/auth/service-account/challenge`.
    pub server_nonces: Vec<String>,
    /// Client nonces received at the session route, accepted or not.
    pub client_nonces: Vec<String>,
    /// Signatures received at the session route, accepted or not.
    pub signatures: Vec<String>,
}

fn remember(list: &mut Vec<String>, value: String) {
    if list.len() >= MAX_RECORDED {
        list.remove(0);
    }
    list.push(value);
}

/// Outstanding challenges and live tokens.
#[derive(Default)]
pub(crate) struct Sessions {
    challenges: HashMap<String, Challenge>,
    tokens: HashMap<String, Token>,
    record: AuthRecord,
}

impl MockState {
    /// Every token, nonce and signature of the logins so far (the last [`MAX_RECORDED`] of
    /// each), so that a test can look for them where they must not appear.
    pub fn auth_record(&self) -> AuthRecord {
        self.sessions().record.clone()
    }
}

impl Sessions {
    /// Forgets what has expired, so that a long run does not grow without bound.
    fn sweep(&mut self, now: SystemTime) {
        self.challenges.retain(|_, c| c.expires_at > now);
        self.tokens.retain(|_, t| t.expires_at > now);
    }
}

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0; N];
    OsRng.fill_bytes(&mut bytes);
    bytes
}

fn decode_base64<const N: usize>(field: &str, text: &str) -> Result<[u8; N], ApiError> {
    let bytes = STANDARD
        .decode(text)
        .map_err(|e| ApiError::InvalidArgument(format!("{field} is not standard base64: {e}")))?;
    let len = bytes.len();
    bytes
        .try_into()
        .map_err(|_| ApiError::InvalidArgument(format!("{field} must be {N} bytes, got {len}")))
}

/// `POST /v1/auth/service-account/challenge`.
pub(crate) async fn challenge(
    State(state): State<MockState>,
    request: Post<ChallengeRequest>,
) -> Result<Json<ChallengeResponse>, ApiError> {
    let key_id = request.body.key_id;
    if state.read(|store| Ok(store.account(&key_id).is_none()))? {
        return Err(ApiError::Unauthenticated(format!(
            "service-account key `{key_id}` is not known"
        )));
    }
    let now = state.now();
    let expires_at = now + state.config().challenge_ttl;
    let challenge_id = format!("ch-{}", URL_SAFE_NO_PAD.encode(random::<16>()));
    let server_nonce = random::<NONCE_LEN>();
    let server_nonce_text = STANDARD.encode(server_nonce);
    let mut sessions = state.sessions();
    sessions.sweep(now);
    remember(
        &mut sessions.record.server_nonces,
        server_nonce_text.clone(),
    );
    sessions.challenges.insert(
        challenge_id.clone(),
        Challenge {
            key_id,
            server_nonce,
            expires_at,
        },
    );
    Ok(Json(ChallengeResponse {
        challenge_id,
        server_nonce: server_nonce_text,
        expires_at: rfc3339(expires_at),
    }))
}

/// `POST /v1/auth/service-account/session`.
pub(crate) async fn session(
    State(state): State<MockState>,
    request: Post<SessionRequest>,
) -> Result<Json<SessionResponse>, ApiError> {
    let request = request.body;
    let now = state.now();
    // Taken out before anything is checked: a challenge is spent by any attempt, right or wrong.
    let challenge = {
        let mut sessions = state.sessions();
        remember(
            &mut sessions.record.client_nonces,
            request.client_nonce.clone(),
        );
        remember(&mut sessions.record.signatures, request.signature.clone());
        sessions.challenges.remove(&request.challenge_id)
    }
    .ok_or_else(|| {
        ApiError::Unauthenticated(format!(
            "challenge `{}` is unknown or already used; request a new challenge",
            request.challenge_id
        ))
    })?;
    if challenge.expires_at <= now {
        return Err(ApiError::Unauthenticated(format!(
            "challenge `{}` expired at {}; request a new challenge",
            request.challenge_id,
            rfc3339(challenge.expires_at)
        )));
    }
    let client_nonce = decode_base64::<NONCE_LEN>("client_nonce", &request.client_nonce)?;
    let signature = Signature::from_bytes(&decode_base64::<64>("signature", &request.signature)?);
    let key = state
        .read(|store| Ok(store.account_key(&challenge.key_id)))?
        .ok_or_else(|| {
            ApiError::Unauthenticated(format!(
                "service-account key `{}` is not known",
                challenge.key_id
            ))
        })?;
    let mut proof = Sha512::new();
    proof.update(client_nonce);
    proof.update(challenge.server_nonce);
    key.verify_prehashed_strict(proof, Some(PROOF_CONTEXT), &signature)
        .map_err(|_| {
            ApiError::Unauthenticated(format!(
                "signature does not verify with service-account key `{}`; sign \
                 SHA-512(client_nonce ‖ server_nonce) with Ed25519ph and context \
                 `service-account-key-proof`",
                challenge.key_id
            ))
        })?;
    let token = URL_SAFE_NO_PAD.encode(random::<32>());
    let expires_at = now + state.config().token_ttl;
    let mut sessions = state.sessions();
    remember(&mut sessions.record.tokens, token.clone());
    sessions.tokens.insert(
        token.clone(),
        Token {
            key_id: challenge.key_id,
            expires_at,
        },
    );
    drop(sessions);
    Ok(Json(SessionResponse {
        token,
        expires_at: rfc3339(expires_at),
    }))
}

/// Middleware for every `/v1` route but the login: checks the bearer token and hands the
/// handler a [`Principal`].
pub(crate) async fn require_token(
    State(state): State<MockState>,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let header = request.headers().get(AUTHORIZATION).ok_or_else(|| {
        ApiError::Unauthenticated(
            "missing Authorization header; log in at POST /v1/auth/service-account/session and \
             send `Authorization: Bearer <token>`"
                .into(),
        )
    })?;
    let malformed = || {
        ApiError::Unauthenticated(
            "malformed Authorization header: expected `Bearer <token>`".into(),
        )
    };
    let value = header.to_str().map_err(|_| malformed())?;
    let (scheme, token) = value.split_once(' ').ok_or_else(malformed)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() || token.contains(' ') {
        return Err(malformed());
    }
    let now = state.now();
    let principal = {
        let mut sessions = state.sessions();
        let known = sessions.tokens.get(token).ok_or_else(|| {
            ApiError::Unauthenticated("bearer token is not valid; log in again".into())
        })?;
        if known.expires_at <= now {
            let expired_at = known.expires_at;
            sessions.tokens.remove(token);
            return Err(ApiError::Unauthenticated(format!(
                "bearer token expired at {}; log in again",
                rfc3339(expired_at)
            )));
        }
        Principal {
            key_id: known.key_id.clone(),
        }
    };
    request.extensions_mut().insert(principal);
    Ok(next.run(request).await)
}

impl<S: Send + Sync> FromRequestParts<S> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        parts.extensions.get::<Principal>().cloned().ok_or_else(|| {
            ApiError::Internal("route is missing the authentication middleware".into())
        })
    }
}
