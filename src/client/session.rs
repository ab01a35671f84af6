//! The service-account login (DESIGN.md §3) and the token every other call carries.
//!
//! `com.spirl.api.v1.session.API/AuthenticateServiceAccount` is one bidirectional stream:
//! 1. the client sends `login{key_id}`; the server answers `challenge{server_nonce}` (32 bytes);
//! 2. the client draws 32 random bytes (its nonce), signs SHA-512(client_nonce ‖ server_nonce)
//!    with Ed25519ph, context `service-account-key-proof`, and sends
//!    `authorization{service_account_key_proof{signature, nonce}}`;
//! 3. the server answers `session{token}`.
//!
//! One token serves every call of the provider; one login runs at a time (the others wait for
//! its token). The token has no stated lifetime: it is kept until a call answers
//! `UNAUTHENTICATED`, and that call's login generation is then discarded. None of the token, the
//! nonces or the signature is ever logged, shown in an error or kept after use.
//!
//! Without a service-account key, the token is the one `spirlctl login` stored
//! ([`crate::settings::SpirlctlSession`]): sent as the same `token` metadata, with no login stream
//! of the client's own, so a refusal of it is final (`Session::spirlctl_path`).

use std::sync::atomic::{AtomicU64, Ordering};

use ed25519_dalek::{Sha512, Signature, SigningKey};
use rand::RngCore as _;
use rand::rngs::OsRng;
use sha2::Digest as _;
use spirl_api_proto::session as wire;
use spirl_api_proto::session::api_client::ApiClient as SessionApi;
use spirl_api_proto::vocabulary::{
    LOGIN_NONCE_LEN as NONCE_LEN, LOGIN_PROOF_CONTEXT as PROOF_CONTEXT,
};
use tokio::sync::Mutex;
use tokio::time::Instant;
use tokio_stream::wrappers::ReceiverStream;
use tonic::Request;
use zeroize::Zeroizing;

use super::Client;
use super::engine::{LOG_TARGET, Rpc, status_error, timeout_error};
use super::error::{ApiError, ErrorContext};
use crate::secret::SecretString;
use crate::settings::{Credentials, ServiceAccountKey};

const LOGIN: Rpc = Rpc {
    operation: "log in",
    method: "session.API/AuthenticateServiceAccount",
};

/// A session token and which login produced it.
#[derive(Clone)]
pub(crate) struct Token {
    /// Sent as the metadata `token`.
    pub secret: SecretString,
    /// Names the login, so an `UNAUTHENTICATED` only discards the token it was sent with.
    pub generation: u64,
}

/// The login state of one client.
pub(crate) struct Session {
    credentials: Credentials,
    cache: Mutex<Option<Token>>,
    generations: AtomicU64,
}

impl Session {
    pub(crate) fn new(credentials: Credentials) -> Self {
        Self {
            credentials,
            cache: Mutex::new(None),
            generations: AtomicU64::new(0),
        }
    }

    /// What authenticates, for `Debug` and logs (never a secret).
    pub(crate) fn describe(&self) -> String {
        self.credentials.describe()
    }

    /// The spirlctl session file, when the token comes from `spirlctl login`: the client cannot
    /// log in again by itself, so a refused token is final.
    pub(crate) fn spirlctl_path(&self) -> Option<&std::path::Path> {
        match &self.credentials {
            Credentials::Spirlctl(session) => Some(&session.path),
            Credentials::ServiceAccount(_) => None,
        }
    }

    /// The current token, logging in if there is none. `operation` is the call that needs it.
    pub(crate) async fn token(
        &self,
        client: &Client,
        operation: &'static str,
        deadline: Instant,
    ) -> Result<Token, ApiError> {
        // Held across the login on purpose: concurrent callers wait for one login instead of
        // each starting their own. Bounded: waiting must not outlast the caller's deadline.
        let mut cache = match tokio::time::timeout_at(deadline, self.cache.lock()).await {
            Ok(cache) => cache,
            Err(_) => {
                return Err(timeout_error(
                    Rpc {
                        operation,
                        method: LOGIN.method,
                    },
                    0,
                    client.request_timeout(),
                ));
            }
        };
        if let Some(token) = cache.as_ref() {
            return Ok(token.clone());
        }
        let key = match &self.credentials {
            Credentials::ServiceAccount(key) => key,
            Credentials::Spirlctl(session) => {
                // No login: the token is sent as `spirlctl login` stored it.
                let token = Token {
                    secret: session.token.clone(),
                    generation: self.generations.fetch_add(1, Ordering::Relaxed) + 1,
                };
                *cache = Some(token.clone());
                return Ok(token);
            }
        };
        let secret = self.login(client, key, operation, deadline).await?;
        let token = Token {
            secret,
            generation: self.generations.fetch_add(1, Ordering::Relaxed) + 1,
        };
        *cache = Some(token.clone());
        Ok(token)
    }

    /// Forgets the token of login `generation` after the server refused it.
    pub(crate) async fn invalidate(&self, generation: u64) {
        let mut cache = self.cache.lock().await;
        if cache.as_ref().is_some_and(|t| t.generation == generation) {
            *cache = None;
        }
    }

    /// Logs in, retrying a busy or unreachable server like any call.
    async fn login(
        &self,
        client: &Client,
        key: &ServiceAccountKey,
        operation: &'static str,
        deadline: Instant,
    ) -> Result<SecretString, ApiError> {
        let rpc = Rpc {
            operation,
            method: LOGIN.method,
        };
        let mut attempts = 0;
        let mut retries = 0;
        loop {
            attempts += 1;
            let started = Instant::now();
            let outcome =
                tokio::time::timeout_at(deadline, login_once(client, key, rpc, attempts)).await;
            let result = match outcome {
                Ok(result) => result,
                Err(_) => Err(timeout_error(rpc, attempts, client.request_timeout())),
            };
            let code = match &result {
                Ok(_) => "OK",
                Err(e) => e.context().code.unwrap_or("TRANSPORT"),
            };
            log::debug!(
                target: LOG_TARGET,
                operation = operation, method = LOGIN.method, code = code,
                duration_ms = started.elapsed().as_millis() as u64, retry = retries;
                "{operation}: {} as service-account key {} -> {code} (retry {retries})",
                LOGIN.method, key.key_id
            );
            match result {
                Ok(token) => return Ok(token),
                Err(error) => {
                    client
                        .before_retry(rpc, error, &mut retries, deadline)
                        .await?
                }
            }
        }
    }
}

/// One login with `key`: the stream, the challenge, the proof, the token.
async fn login_once(
    client: &Client,
    key: &ServiceAccountKey,
    rpc: Rpc,
    attempts: u32,
) -> Result<SecretString, ApiError> {
    let timeout = client.request_timeout();
    let refused = |message: &str| {
        ApiError::Decode(ErrorContext {
            operation: rpc.operation,
            method: rpc.method,
            code: None,
            message: message.to_owned(),
            attempts,
        })
    };
    let (to_server, outgoing) = tokio::sync::mpsc::channel(2);
    let login = wire::AuthenticateServiceAccountRequest {
        request: Some(wire::authenticate_service_account_request::Request::Login(
            wire::ServiceAccountKeyLogin {
                key_id: key.key_id.clone(),
            },
        )),
    };
    to_server
        .send(login)
        .await
        .map_err(|_| refused("the login stream closed before it started"))?;
    let mut request = Request::new(ReceiverStream::new(outgoing));
    Client::add_client_metadata(request.metadata_mut());
    request.set_timeout(timeout);
    let channel = client.channel().await;
    let mut answers = SessionApi::new(channel)
        .authenticate_service_account(request)
        .await
        .map_err(|s| status_error(rpc, &s, attempts, timeout))?
        .into_inner();
    let server_nonce = match answers
        .message()
        .await
        .map_err(|s| status_error(rpc, &s, attempts, timeout))?
        .and_then(|a| a.response)
    {
        Some(wire::authenticate_service_account_response::Response::Challenge(c)) => {
            Zeroizing::new(c.server_nonce)
        }
        _ => {
            return Err(refused(
                "the server did not answer the login with a challenge",
            ));
        }
    };
    if server_nonce.len() != NONCE_LEN {
        return Err(refused("the server's challenge nonce is not 32 bytes"));
    }
    let mut client_nonce = Zeroizing::new([0u8; NONCE_LEN]);
    OsRng.fill_bytes(client_nonce.as_mut());
    let signature = sign_proof(key.private_key.signing_key(), &client_nonce, &server_nonce)
        .map_err(|_| refused("the login proof cannot be signed"))?;
    let authorization = wire::AuthenticateServiceAccountRequest {
        request: Some(
            wire::authenticate_service_account_request::Request::Authorization(
                wire::ServiceAccountKeyAuthorization {
                    service_account_key_proof: Some(wire::ServiceAccountKeyProof {
                        signature: signature.to_bytes().to_vec(),
                        nonce: client_nonce.to_vec(),
                    }),
                },
            ),
        ),
    };
    to_server
        .send(authorization)
        .await
        .map_err(|_| refused("the server closed the login stream after its challenge"))?;
    let answer = answers
        .message()
        .await
        .map_err(|s| status_error(rpc, &s, attempts, timeout))?;
    drop(to_server);
    match answer.and_then(|a| a.response) {
        Some(wire::authenticate_service_account_response::Response::Session(s))
            if !s.token.is_empty() =>
        {
            Ok(SecretString::new(s.token))
        }
        _ => Err(refused(
            "the server did not answer the login proof with a session token",
        )),
    }
}

/// The login proof: Ed25519ph, context [`PROOF_CONTEXT`], over SHA-512(client_nonce ‖
/// server_nonce). Apart from the login so that a known-answer test can give it fixed nonces.
fn sign_proof(
    key: &SigningKey,
    client_nonce: &[u8; NONCE_LEN],
    server_nonce: &[u8],
) -> Result<Signature, ed25519_dalek::SignatureError> {
    let mut proof = Sha512::new();
    proof.update(client_nonce);
    proof.update(server_nonce);
    key.sign_prehashed(proof, Some(PROOF_CONTEXT))
}

// The login proof is checked end to end against the mock in
// tests/integration/client/session.rs; the signature scheme itself against a fixed vector here.
#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::Verifier as _;

    fn hex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
            .collect()
    }

    /// A known answer computed outside this code base (not with `sign_proof`): seed 01..20,
    /// client nonce 32 × 01, server nonce 32 × 02. Ed25519 is deterministic, so the signature is
    /// fixed; a change of hash, order, context or scheme changes it.
    #[test]
    fn session_proof_known_answer() {
        let seed: [u8; 32] = std::array::from_fn(|i| i as u8 + 1);
        let key = SigningKey::from_bytes(&seed);
        let public = hex("79b5562e8fe654f94078b112e8a98ba7901f853ae695bed7e0e3910bad049664");
        assert_eq!(key.verifying_key().to_bytes().as_slice(), public.as_slice());
        let expected = hex(
            "2b091347c59ecd978bc0c7266438cc54fb15be2fba5e81338053e2b98fe6a530\
             ce4e116f61741e8a7170456daef6fabd662c04a485322a2dff38e7f37e4a4501",
        );
        let (client_nonce, server_nonce) = ([1u8; NONCE_LEN], [2u8; NONCE_LEN]);
        let signature = sign_proof(&key, &client_nonce, &server_nonce).expect("sign");
        assert_eq!(signature.to_bytes().as_slice(), expected.as_slice());
        // The constant itself verifies as Ed25519ph with the context, and only so.
        let constant = Signature::from_slice(&expected).expect("64 bytes");
        let mut digest = Sha512::new();
        digest.update(client_nonce);
        digest.update(server_nonce);
        let verifying = key.verifying_key();
        assert!(
            verifying
                .verify_prehashed(digest.clone(), Some(PROOF_CONTEXT), &constant)
                .is_ok()
        );
        assert!(
            verifying
                .verify_prehashed(digest, Some(b"another-context"), &constant)
                .is_err()
        );
        let mut swapped = Sha512::new();
        swapped.update(server_nonce);
        swapped.update(client_nonce);
        assert!(
            verifying
                .verify_prehashed(swapped, Some(PROOF_CONTEXT), &constant)
                .is_err()
        );
    }

    #[test]
    fn session_proof_is_ed25519ph_with_the_context() {
        let key = crate::keys::KeyPair::generate();
        let (client_nonce, server_nonce) = ([1u8; NONCE_LEN], [2u8; NONCE_LEN]);
        let mut proof = Sha512::new();
        proof.update(client_nonce);
        proof.update(server_nonce);
        let signature = sign_proof(key.signing_key(), &client_nonce, &server_nonce).expect("sign");
        let verifying = key.signing_key().verifying_key();
        assert!(
            verifying
                .verify_prehashed(proof.clone(), Some(PROOF_CONTEXT), &signature)
                .is_ok()
        );
        assert!(
            verifying
                .verify_prehashed(proof, Some(b"another-context"), &signature)
                .is_err()
        );
        // Not a plain Ed25519 signature over the concatenation.
        let mut plain = client_nonce.to_vec();
        plain.extend_from_slice(&server_nonce);
        assert!(verifying.verify(&plain, &signature).is_err());
    }
}
