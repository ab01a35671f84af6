//! The session service, `com.spirl.api.v1.session.API/AuthenticateServiceAccount`, as DESIGN.md
//! §3 specifies it, and the tokens it hands out.
//!
//! One bidirectional stream per login: the client sends `login{key_id}`, the mock answers
//! `challenge{server_nonce}` (32 random bytes); the client draws a 32-byte nonce, signs
//! SHA-512(client_nonce ‖ server_nonce) with Ed25519ph and context [`PROOF_CONTEXT`], and sends
//! `authorization{service_account_key_proof{signature, nonce}}`; the mock checks it against the
//! key and answers `session{token}`, then ends the stream. A challenge therefore serves one
//! attempt, right or wrong, and expires after `challenge_ttl`. Tokens expire after `token_ttl`
//! on the mock's clock.
//!
//! For tests, [`MockState::auth_record`] lists every token, nonce and signature that travelled,
//! so that a test can prove none of them leaks.
//!
//! Tokens live in memory only: after a restart clients log in again, which the contract's "on
//! `UNAUTHENTICATED`, log in again once" already covers.

use std::collections::HashMap;
use std::pin::Pin;
use std::time::SystemTime;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ed25519_dalek::Signature;
use rand::RngCore as _;
use rand::rngs::OsRng;
use sha2::{Digest as _, Sha512};
use spirl_api_proto::session::api_server::Api;
use spirl_api_proto::session::authenticate_service_account_request::Request as Inbound;
use spirl_api_proto::session::authenticate_service_account_response::Response as Outbound;
use spirl_api_proto::session::{
    AuthenticateServiceAccountRequest, AuthenticateServiceAccountResponse, SessionChallenge,
    SessionInfo,
};
use tokio::sync::mpsc;
use tokio_stream::Stream;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status, Streaming};

use crate::assumptions::{LOGIN_NONCE_LEN as NONCE_LEN, LOGIN_PROOF_CONTEXT as PROOF_CONTEXT};
use crate::error::ApiError;
use crate::gate;
use crate::state::{MockState, Principal};

/// Full gRPC path of the login.
pub const AUTHENTICATE_PATH: &str = "/com.spirl.api.v1.session.API/AuthenticateServiceAccount";

struct Token {
    principal: Principal,
    expires_at: SystemTime,
}

/// How many values of each kind an [`AuthRecord`] keeps (the oldest go first), so that a
/// long-running mock does not grow without bound.
pub const MAX_RECORDED: usize = 1000;

/// Every login secret the mock handed out or received, as text: tokens as sent, nonces and
/// signatures in standard base64 (all at least 40 characters). Test-facing only, for tests that
/// check none of them leaks into logs or Terraform's output: a real control plane keeps no such
/// list. Read it with [`MockState::auth_record`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthRecord {
    /// Session tokens issued.
    pub tokens: Vec<String>,
    /// Server nonces handed out in challenges.
    pub server_nonces: Vec<String>,
    /// Client nonces received, accepted or not.
    pub client_nonces: Vec<String>,
    /// Signatures received, accepted or not.
    pub signatures: Vec<String>,
}

fn remember(list: &mut Vec<String>, value: String) {
    if list.len() >= MAX_RECORDED {
        list.remove(0);
    }
    list.push(value);
}

/// Live tokens, and the record of what travelled.
#[derive(Default)]
pub(crate) struct Sessions {
    tokens: HashMap<String, Token>,
    record: AuthRecord,
}

impl MockState {
    /// Every token, nonce and signature of the logins so far (the last [`MAX_RECORDED`] of
    /// each), so that a test can look for them where they must not appear.
    pub fn auth_record(&self) -> AuthRecord {
        self.sessions().record.clone()
    }

    /// The service account whose live token `token` is; expired tokens are forgotten.
    pub(crate) fn principal(&self, token: &str) -> Result<Principal, ApiError> {
        let now = self.now();
        let mut sessions = self.sessions();
        let known = sessions.tokens.get(token).ok_or_else(|| {
            ApiError::Unauthenticated("session token is not valid; log in again".into())
        })?;
        if known.expires_at <= now {
            sessions.tokens.remove(token);
            return Err(ApiError::Unauthenticated(
                "session token has expired; log in again".into(),
            ));
        }
        let principal = known.principal.clone();
        drop(sessions);
        if let Principal::ServiceAccountKey { key_id } = &principal {
            // INACTIVE_KEY_ENDS_ITS_SESSIONS
            if self.read(|store, _| Ok(store.login_key(key_id)))?.is_none() {
                self.sessions().tokens.remove(token);
                return Err(ApiError::Unauthenticated(format!(
                    "service-account key `{key_id}` is inactive or deleted; its sessions have \
                     ended"
                )));
            }
        }
        Ok(principal)
    }

    /// A session token of a user of the organisation, as `spirlctl login` would store it
    /// (`{"creds":{"token":…}}`, see [`crate::cli::write_spirlctl_config`]): the first user the
    /// mock has, or [`crate::assumptions::spirlctl_user_email`] added for it. It is sent as the
    /// `token` metadata like a service account's, and expires after `token_ttl` on the mock's
    /// clock; each call issues a new one.
    pub fn user_session_token(&self) -> Result<String, ApiError> {
        let email = crate::assumptions::spirlctl_user_email(&self.options().base_domain);
        let existing = self.read(|store, _| Ok(store.first_user_id()))?;
        let user_id = match existing {
            Some(id) => id,
            None => {
                self.add_user(&email)?;
                self.read(|store, _| Ok(store.first_user_id()))?
                    .ok_or_else(|| ApiError::Internal("the added user is missing".into()))?
            }
        };
        Ok(self.issue_token(Principal::User { user_id }))
    }

    /// A session token of the user with this email (added by [`MockState::add_user`] or
    /// [`MockState::add_user_with_role`]), as [`MockState::user_session_token`] issues it.
    pub fn session_token_of_user(&self, email: &str) -> Result<String, ApiError> {
        let user_id = self
            .read(|store, _| Ok(store.user_id(email)))?
            .ok_or_else(|| ApiError::NotFound(format!("no user has the email {email}")))?;
        Ok(self.issue_token(Principal::User { user_id }))
    }

    /// A new token for `principal`, recorded, expiring after `token_ttl`.
    fn issue_token(&self, principal: Principal) -> String {
        let token = URL_SAFE_NO_PAD.encode(random::<32>());
        let now = self.now();
        let mut sessions = self.sessions();
        sessions.tokens.retain(|_, t| t.expires_at > now);
        remember(&mut sessions.record.tokens, token.clone());
        sessions.tokens.insert(
            token.clone(),
            Token {
                principal,
                expires_at: now + self.options().token_ttl,
            },
        );
        token
    }
}

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0; N];
    OsRng.fill_bytes(&mut bytes);
    bytes
}

/// The session service.
#[derive(Debug, Clone)]
pub struct SessionService {
    state: MockState,
}

impl SessionService {
    /// The service over `state`.
    pub fn new(state: MockState) -> Self {
        SessionService { state }
    }
}

type LoginStream =
    Pin<Box<dyn Stream<Item = Result<AuthenticateServiceAccountResponse, Status>> + Send>>;

#[tonic::async_trait]
impl Api for SessionService {
    type AuthenticateServiceAccountStream = LoginStream;

    async fn authenticate_service_account(
        &self,
        request: Request<Streaming<AuthenticateServiceAccountRequest>>,
    ) -> Result<Response<LoginStream>, Status> {
        gate::admit(&self.state, AUTHENTICATE_PATH).await?;
        let inbound = request.into_inner();
        let (tx, rx) = mpsc::channel(2);
        let state = self.state.clone();
        tokio::spawn(async move {
            if let Err(error) = login(&state, inbound, &tx).await {
                // The client may be gone already; nothing else to tell.
                let _ = tx.send(Err(error.into())).await;
            }
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }
}

/// The next message, or an error naming what was expected when the stream ended.
async fn next_message(
    inbound: &mut Streaming<AuthenticateServiceAccountRequest>,
    expected: &str,
) -> Result<Option<Inbound>, ApiError> {
    match inbound.message().await {
        Ok(Some(message)) => Ok(message.request),
        Ok(None) => Err(ApiError::InvalidArgument(format!(
            "the stream ended before the {expected} message"
        ))),
        Err(status) => Err(ApiError::InvalidArgument(format!(
            "cannot read the {expected} message: {}",
            status.message()
        ))),
    }
}

type Sender = mpsc::Sender<Result<AuthenticateServiceAccountResponse, Status>>;

async fn send(tx: &Sender, response: Outbound) {
    // A client that went away cannot be told anything.
    let _ = tx
        .send(Ok(AuthenticateServiceAccountResponse {
            response: Some(response),
        }))
        .await;
}

async fn login(
    state: &MockState,
    mut inbound: Streaming<AuthenticateServiceAccountRequest>,
    tx: &Sender,
) -> Result<(), ApiError> {
    let key_id = match next_message(&mut inbound, "login").await? {
        Some(Inbound::Login(login)) => login.key_id,
        Some(Inbound::Authorization(_)) => {
            return Err(ApiError::InvalidArgument(
                "login: the first message must be login{key_id}, not authorization; wait for \
                 the challenge before sending a proof"
                    .into(),
            ));
        }
        None => {
            return Err(ApiError::InvalidArgument(
                "login: the first message is empty; send login{key_id}".into(),
            ));
        }
    };
    if key_id.is_empty() {
        return Err(ApiError::InvalidArgument("login.key_id is required".into()));
    }
    let key = state
        .read(|store, _| Ok(store.login_key(&key_id)))?
        .ok_or_else(|| {
            ApiError::Unauthenticated(format!(
                "login.key_id: service-account key `{key_id}` is not known, or inactive"
            ))
        })?;
    let server_nonce = random::<NONCE_LEN>();
    let expires_at = state.now() + state.options().challenge_ttl;
    remember(
        &mut state.sessions().record.server_nonces,
        STANDARD.encode(server_nonce),
    );
    send(
        tx,
        Outbound::Challenge(SessionChallenge {
            server_nonce: server_nonce.to_vec(),
        }),
    )
    .await;

    let proof = match next_message(&mut inbound, "authorization").await? {
        Some(Inbound::Authorization(authorization)) => {
            authorization.service_account_key_proof.ok_or_else(|| {
                ApiError::InvalidArgument(
                    "authorization.service_account_key_proof is required".into(),
                )
            })?
        }
        Some(Inbound::Login(_)) => {
            return Err(ApiError::InvalidArgument(
                "authorization: expected authorization{service_account_key_proof} after the \
                 challenge, got a second login"
                    .into(),
            ));
        }
        None => {
            return Err(ApiError::InvalidArgument(
                "authorization: the second message is empty; send \
                 authorization{service_account_key_proof}"
                    .into(),
            ));
        }
    };
    {
        let mut sessions = state.sessions();
        remember(
            &mut sessions.record.client_nonces,
            STANDARD.encode(&proof.nonce),
        );
        remember(
            &mut sessions.record.signatures,
            STANDARD.encode(&proof.signature),
        );
    }
    const PROOF: &str = "authorization.service_account_key_proof";
    let client_nonce: [u8; NONCE_LEN] = proof.nonce.as_slice().try_into().map_err(|_| {
        ApiError::InvalidArgument(format!(
            "{PROOF}.nonce must be {NONCE_LEN} bytes, got {}",
            proof.nonce.len()
        ))
    })?;
    let signature: [u8; 64] = proof.signature.as_slice().try_into().map_err(|_| {
        ApiError::InvalidArgument(format!(
            "{PROOF}.signature must be 64 bytes (Ed25519), got {}",
            proof.signature.len()
        ))
    })?;
    if state.now() >= expires_at {
        return Err(ApiError::Unauthenticated(
            "the challenge has expired; log in again".into(),
        ));
    }
    let mut digest = Sha512::new();
    digest.update(client_nonce);
    digest.update(server_nonce);
    key.verify_prehashed_strict(
        digest,
        Some(PROOF_CONTEXT),
        &Signature::from_bytes(&signature),
    )
    .map_err(|_| {
        ApiError::Unauthenticated(format!(
            "{PROOF}.signature does not verify with service-account key `{key_id}`; sign \
             SHA-512(nonce ‖ server_nonce) with Ed25519ph and context \
             `service-account-key-proof`"
        ))
    })?;

    let token = state.issue_token(Principal::ServiceAccountKey { key_id });
    send(tx, Outbound::Session(SessionInfo { token })).await;
    Ok(())
}
