//! The engine every RPC of the client runs on: the [`Client`] and its connection, the session,
//! retries and the create that adopts what a lost answer made. The services' modules
//! ([`super::trust_domain`], [`super::realm`], …) only say what to send and how to read the
//! answer.
//!
//! One channel (one HTTP/2 connection, made on first use) carries every call of the provider
//! process; concurrent calls multiplex on it. Every call but the login carries the metadata
//! `token`, `x-spirl-client: terraform-provider-spirl` and `x-spirl-client-version`. A call is
//! retried on `UNAVAILABLE`, `RESOURCE_EXHAUSTED` and connection failures, with backoff, at most
//! `max_retries` times and never past `request_timeout`; an `UNAUTHENTICATED` answer makes one new
//! login (shared by every waiting call) and one more try. The API has no idempotency keys, so a
//! create whose answer was lost is looked up before it is tried again, and adopted when it had
//! happened; a delete that finds `NOT_FOUND` has succeeded.
//!
//! Logging (the `log` facade, target [`LOG_TARGET`]): one debug line per call attempt with the
//! operation, the method, the status code, the duration and the retry number. Messages are never
//! logged; the token, keys, nonces and signatures appear in no log line, error or `Debug`.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use spirl_api_proto::vocabulary::{CLIENT_METADATA, CLIENT_VERSION_METADATA, TOKEN_METADATA};
use tokio::sync::OnceCell;
use tokio::time::Instant;
use tonic::metadata::{AsciiMetadataValue, MetadataMap};
use tonic::transport::{Channel, Endpoint, Uri};
use tonic::{Code, Request, Response, Status};

use super::cache::Caches;
use super::error::{self, ApiError, ErrorContext, SPIRLCTL_LOGIN_AGAIN};
use super::handle::ReportedOnce;
use super::retry;
use super::session::{Session, Token};
use super::transport;
use crate::settings::ClientSettings;

/// The `log` target of every line the client writes. It starts with the crate's name because
/// the provider forwards only its own crate's debug lines to `TF_LOG` (libraries' are noise).
pub const LOG_TARGET: &str = concat!(env!("CARGO_CRATE_NAME"), "::client");
/// The metadata that names the client to the control plane's audit log.
pub const CLIENT_NAME: &str = "terraform-provider-spirl";
/// This client's version, sent as `x-spirl-client-version`.
pub const CLIENT_VERSION: &str = env!("CARGO_PKG_VERSION");
/// Connecting (TCP, proxy tunnel, TLS) may take at most this long per attempt.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Answers larger than this are refused: an organisation-wide key list is the largest.
pub(super) const MAX_ANSWER_BYTES: usize = 64 << 20;
/// How long a create whose last answer was lost may take to find out whether it happened,
/// after its own deadline: one list call.
const ADOPT_GRACE: Duration = Duration::from_secs(10);

/// One RPC: what it does in words, and its method, for logs and errors.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rpc {
    pub operation: &'static str,
    pub method: &'static str,
}

macro_rules! rpc {
    ($operation:literal, $method:literal) => {
        Rpc {
            operation: $operation,
            method: $method,
        }
    };
}

/// A client of the control-plane API. Cheap to clone; clones share the connection and the login.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    /// `host:port`.
    target: String,
    endpoint: Endpoint,
    connector: transport::Connector,
    channel: OnceCell<Channel>,
    session: Session,
    request_timeout: Duration,
    max_retries: u32,
    /// The read caches; see [`super::cache`].
    caches: Caches,
    /// Whether the control plane refused the `spirlctl login` session (final for the process).
    spirlctl_refused: AtomicBool,
    /// Whether a refresh has reported that refusal ([`Client::first_refusal_report`]).
    refusal_reported: ReportedOnce,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("target", &self.inner.target)
            .field("credentials", &self.inner.session.describe())
            .field("request_timeout", &self.inner.request_timeout)
            .field("max_retries", &self.inner.max_retries)
            .finish_non_exhaustive()
    }
}

/// How one attempt failed: the error, and the login whose token it carried.
struct Failed {
    error: ApiError,
    token: Option<u64>,
}

/// What a create gave: the server's answer, or (after a lost answer) only the id of the object
/// a lookup found and adopted.
pub(super) enum Created<Resp> {
    /// The answer, with the new object's id.
    Answered(Resp),
    /// The id of the object an earlier attempt made; its answer is lost.
    Adopted(String),
}

impl Client {
    /// Builds a client for `settings`; it connects on its first call. `terraform_version` (from
    /// Terraform's configure request) goes into the user agent.
    pub fn new(settings: &ClientSettings, terraform_version: &str) -> Result<Self, ApiError> {
        let setup_error = |message: String| {
            ApiError::Transport(ErrorContext {
                operation: "configure the API client",
                method: "-",
                code: None,
                message,
                attempts: 0,
            })
        };
        let url = &settings.base_url;
        let host = url
            .host_str()
            .ok_or_else(|| setup_error("the endpoint has no host".into()))?;
        let tls = url.scheme() == "https";
        let port = url
            .port_or_known_default()
            .unwrap_or(if tls { 443 } else { 80 });
        let target = format!("{host}:{port}");
        let tls_config = if tls {
            Some(transport::tls_config(settings.ssl_cert_file.as_ref()).map_err(setup_error)?)
        } else {
            None
        };
        let connector = transport::Connector::new(
            host,
            port,
            tls_config,
            settings.proxy.clone(),
            CONNECT_TIMEOUT.min(settings.request_timeout.max(Duration::from_millis(100))),
        )
        .map_err(setup_error)?;
        let mut user_agent = format!("{CLIENT_NAME}/{CLIENT_VERSION}");
        let terraform_version: String = terraform_version
            .chars()
            .filter(|c| c.is_ascii_graphic())
            .take(64)
            .collect();
        if !terraform_version.is_empty() {
            user_agent.push_str(&format!(" Terraform/{terraform_version}"));
        }
        // The connector dials; the URI only names the request's authority. Over TLS the
        // requests say `https`, as Go's gRPC does.
        let endpoint = Endpoint::from_shared(format!("http://{target}"))
            .map_err(|e| setup_error(format!("`{target}` is not a gRPC target: {e}")))?
            .user_agent(user_agent)
            .map_err(|e| setup_error(e.to_string()))?
            .tcp_nodelay(true);
        let endpoint = if tls {
            let origin: Uri = format!("https://{target}")
                .parse()
                .map_err(|e| setup_error(format!("`{target}` is not a gRPC target: {e}")))?;
            endpoint.origin(origin)
        } else {
            endpoint
        };
        Ok(Self {
            inner: Arc::new(Inner {
                target,
                endpoint,
                connector,
                channel: OnceCell::new(),
                session: Session::new(settings.credentials.clone()),
                request_timeout: settings.request_timeout,
                max_retries: settings.max_retries,
                caches: Caches::default(),
                spirlctl_refused: AtomicBool::new(false),
                refusal_reported: ReportedOnce::default(),
            }),
        })
    }

    /// Whether the control plane has refused the session `spirlctl login` stored: every call
    /// of this process fails the same way (the client cannot log in by itself).
    pub fn spirlctl_session_was_refused(&self) -> bool {
        self.inner.spirlctl_refused.load(Ordering::SeqCst)
    }

    /// Whether a refresh has reported the refused session in this process.
    pub fn refusal_reported(&self) -> bool {
        self.inner.refusal_reported.done()
    }

    /// Whether this is the first report of the refused session in the process (and records
    /// it): the refreshes of many resources fail on it at once, and Terraform would show each.
    pub fn first_refusal_report(&self) -> bool {
        self.inner.refusal_reported.first()
    }

    /// The gRPC target, `host:port`.
    pub fn target(&self) -> &str {
        &self.inner.target
    }

    /// The read caches, which the client's writes invalidate.
    pub(super) fn caches(&self) -> &Caches {
        &self.inner.caches
    }

    /// The deadline of each RPC (`request_timeout`).
    pub(super) fn request_timeout(&self) -> Duration {
        self.inner.request_timeout
    }

    // ---- plumbing ------------------------------------------------------------------------

    pub(super) fn deadline(&self) -> Instant {
        Instant::now() + self.inner.request_timeout
    }

    /// The channel, made on first use (it must be made inside the runtime that serves it).
    pub(super) async fn channel(&self) -> Channel {
        self.inner
            .channel
            .get_or_init(|| async {
                self.inner
                    .endpoint
                    .connect_with_connector_lazy(self.inner.connector.clone())
            })
            .await
            .clone()
    }

    /// `x-spirl-client` and `x-spirl-client-version`, which every call carries.
    pub(crate) fn add_client_metadata(metadata: &mut MetadataMap) {
        metadata.insert(
            CLIENT_METADATA,
            AsciiMetadataValue::from_static(CLIENT_NAME),
        );
        metadata.insert(
            CLIENT_VERSION_METADATA,
            AsciiMetadataValue::from_static(CLIENT_VERSION),
        );
    }

    /// A call, retried as the module docs say, until `deadline`.
    pub(super) async fn call<Req, Resp, F, Fut>(
        &self,
        rpc: Rpc,
        deadline: Instant,
        request: Req,
        send: F,
    ) -> Result<Resp, ApiError>
    where
        Req: Clone,
        F: Fn(Channel, Request<Req>) -> Fut,
        Fut: Future<Output = Result<Response<Resp>, Status>>,
    {
        let mut attempts = 0u32;
        let mut retries = 0u32;
        let mut logged_in_again = false;
        loop {
            attempts += 1;
            let failed = match self
                .attempt(rpc, deadline, &request, &send, attempts, retries)
                .await
            {
                Ok(answer) => return Ok(answer),
                Err(failed) => failed,
            };
            let Some(failed) = self.log_in_again(failed, &mut logged_in_again).await? else {
                continue;
            };
            if failed.token.is_none() {
                // The login failed after retries of its own: more here would multiply them.
                return Err(failed.error);
            }
            self.before_retry(rpc, failed.error, &mut retries, deadline)
                .await?;
        }
    }

    /// A create: like [`Client::call`], but an attempt that may have created the object (its
    /// answer lost) is followed by `lookup` before anything else, and what it finds is adopted.
    /// Returns the new object's id.
    pub(super) async fn create<Req, Resp, F, Fut, L, LFut>(
        &self,
        rpc: Rpc,
        request: Req,
        send: F,
        id_of: fn(&Resp) -> String,
        lookup: L,
    ) -> Result<String, ApiError>
    where
        Req: Clone,
        F: Fn(Channel, Request<Req>) -> Fut,
        Fut: Future<Output = Result<Response<Resp>, Status>>,
        L: Fn(Instant) -> LFut,
        LFut: Future<Output = Result<Option<String>, ApiError>>,
    {
        Ok(
            match self
                .create_answered(rpc, request, send, id_of, lookup)
                .await?
            {
                Created::Answered(answer) => id_of(&answer),
                Created::Adopted(id) => id,
            },
        )
    }

    /// [`Client::create`], for the creates whose answer says more than the id: the answer when
    /// it came (with an id), or only the id of what a lookup adopted after a lost answer.
    pub(super) async fn create_answered<Req, Resp, F, Fut, L, LFut>(
        &self,
        rpc: Rpc,
        request: Req,
        send: F,
        id_of: fn(&Resp) -> String,
        lookup: L,
    ) -> Result<Created<Resp>, ApiError>
    where
        Req: Clone,
        F: Fn(Channel, Request<Req>) -> Fut,
        Fut: Future<Output = Result<Response<Resp>, Status>>,
        L: Fn(Instant) -> LFut,
        LFut: Future<Output = Result<Option<String>, ApiError>>,
    {
        let deadline = self.deadline();
        let mut attempts = 0u32;
        let mut retries = 0u32;
        let mut logged_in_again = false;
        // Set once an attempt may have created the object without our seeing the answer. From
        // then on the create is never sent again before a lookup has said it did not happen.
        let mut maybe_created = false;
        loop {
            if maybe_created {
                match lookup(deadline).await {
                    Ok(Some(id)) if !id.is_empty() => {
                        log::debug!(target: LOG_TARGET, "{}: the answer was lost, but it had succeeded: adopting {id}", rpc.operation);
                        return Ok(Created::Adopted(id));
                    }
                    Ok(_) => {}
                    Err(error) => {
                        // Keep looking; never send the create blind.
                        if let Err(error) =
                            self.before_retry(rpc, error, &mut retries, deadline).await
                        {
                            return Self::last_look(rpc, &lookup, error).await;
                        }
                        continue;
                    }
                }
            }
            attempts += 1;
            let failed = match self
                .attempt(rpc, deadline, &request, &send, attempts, retries)
                .await
            {
                Ok(answer) => {
                    if !id_of(&answer).is_empty() {
                        return Ok(Created::Answered(answer));
                    }
                    // The server says it made the object but not which one: an empty id is never
                    // stored (the SDK refuses such answers too). What it made is looked up and
                    // adopted, as after a lost answer, so nothing is left behind; else an error.
                    let error = ApiError::Decode(ErrorContext {
                        operation: rpc.operation,
                        method: rpc.method,
                        code: None,
                        message: "the server answered the create without the new object's id, \
                                  and no object matching the request could be found"
                            .to_owned(),
                        attempts,
                    });
                    return Self::last_look(rpc, &lookup, error).await;
                }
                Err(failed) => failed,
            };
            let Some(failed) = self.log_in_again(failed, &mut logged_in_again).await? else {
                continue;
            };
            if matches!(failed.error, ApiError::AlreadyExists(_)) && maybe_created {
                // An earlier attempt made it.
                return Self::last_look(rpc, &lookup, failed.error).await;
            }
            if failed.token.is_none() {
                // The login failed after retries of its own, so this attempt sent nothing.
                return if maybe_created {
                    Self::last_look(rpc, &lookup, failed.error).await
                } else {
                    Err(failed.error)
                };
            }
            maybe_created |= failed.error.may_have_applied();
            if let Err(error) = self
                .before_retry(rpc, failed.error, &mut retries, deadline)
                .await
            {
                if maybe_created {
                    return Self::last_look(rpc, &lookup, error).await;
                }
                return Err(error);
            }
        }
    }

    /// What a failed attempt leaves to do: a refused `spirlctl login` session ends the call
    /// ([`Client::spirlctl_session_refused`]); a token the server forgot (it expired or the
    /// server restarted) is dropped so the next attempt logs in again, once per call (`None`:
    /// attempt again, which is not a retry); any other failure is the caller's.
    async fn log_in_again(
        &self,
        failed: Failed,
        logged_in_again: &mut bool,
    ) -> Result<Option<Failed>, ApiError> {
        let failed = self.spirlctl_session_refused(failed)?;
        if let (ApiError::Unauthenticated(_), Some(login), false) =
            (&failed.error, failed.token, *logged_in_again)
        {
            *logged_in_again = true;
            self.inner.session.invalidate(login).await;
            return Ok(None);
        }
        Ok(Some(failed))
    }

    /// A refused token that `spirlctl login` stored: final, since the client cannot log in by
    /// itself; the error names the file and says to log in again. Any other failure is passed on.
    fn spirlctl_session_refused(&self, failed: Failed) -> Result<Failed, ApiError> {
        let (ApiError::Unauthenticated(context), Some(path)) =
            (&failed.error, self.inner.session.spirlctl_path())
        else {
            return Ok(failed);
        };
        self.inner.spirlctl_refused.store(true, Ordering::SeqCst);
        Err(ApiError::Unauthenticated(ErrorContext {
            message: format!(
                "the control plane refused the session that `spirlctl login` stored in {} ({}); \
                 it has probably expired: {SPIRLCTL_LOGIN_AGAIN}, or set a service-account key, \
                 which is used instead when set",
                path.display(),
                context.message
            ),
            ..context.clone()
        }))
    }

    /// A create that may have happened has run out of time or tries: one last look (with a
    /// little time of its own), so that what a lost answer created is adopted into the state
    /// rather than left behind; `error` when there is nothing to adopt.
    async fn last_look<L, LFut, Resp>(
        rpc: Rpc,
        lookup: &L,
        error: ApiError,
    ) -> Result<Created<Resp>, ApiError>
    where
        L: Fn(Instant) -> LFut,
        LFut: Future<Output = Result<Option<String>, ApiError>>,
    {
        match lookup(Instant::now() + ADOPT_GRACE).await {
            Ok(Some(id)) if !id.is_empty() => {
                log::debug!(target: LOG_TARGET, "{}: failed, but an earlier attempt had succeeded: adopting {id}", rpc.operation);
                Ok(Created::Adopted(id))
            }
            _ => Err(error),
        }
    }

    /// Waits before the next try of a call that failed with `error`, or returns the error when
    /// it is final, the retries are spent or the wait would pass the deadline.
    pub(super) async fn before_retry(
        &self,
        rpc: Rpc,
        error: ApiError,
        retries: &mut u32,
        deadline: Instant,
    ) -> Result<(), ApiError> {
        if !error.is_retryable() || *retries >= self.inner.max_retries {
            return Err(error);
        }
        let delay = retry::backoff(*retries);
        if Instant::now() + delay >= deadline {
            // Waiting would pass the deadline: report what the server said, not a timeout.
            return Err(error);
        }
        log::debug!(
            target: LOG_TARGET,
            operation = rpc.operation, retry_in_ms = delay.as_millis() as u64;
            "{}: retrying in {} ms after: {error}", rpc.operation, delay.as_millis()
        );
        tokio::time::sleep(delay).await;
        *retries += 1;
        Ok(())
    }

    /// One attempt: a token (logging in if needed), the metadata, the deadline, the call.
    async fn attempt<Req, Resp, F, Fut>(
        &self,
        rpc: Rpc,
        deadline: Instant,
        request: &Req,
        send: &F,
        attempts: u32,
        retry: u32,
    ) -> Result<Resp, Failed>
    where
        Req: Clone,
        F: Fn(Channel, Request<Req>) -> Fut,
        Fut: Future<Output = Result<Response<Resp>, Status>>,
    {
        let token: Token = self
            .inner
            .session
            .token(self, rpc.operation, deadline)
            .await
            .map_err(|error| Failed { error, token: None })?;
        let mut message = Request::new(request.clone());
        let Ok(mut value) = AsciiMetadataValue::try_from(token.secret.expose()) else {
            return Err(Failed {
                error: local_error(rpc, attempts, "the session token is not valid metadata"),
                token: Some(token.generation),
            });
        };
        value.set_sensitive(true);
        message.metadata_mut().insert(TOKEN_METADATA, value);
        Self::add_client_metadata(message.metadata_mut());
        let remaining = deadline.saturating_duration_since(Instant::now());
        message.set_timeout(remaining);
        let started = Instant::now();
        let channel = self.channel().await;
        let outcome = tokio::time::timeout_at(deadline, send(channel, message)).await;
        let elapsed_ms = started.elapsed().as_millis() as u64;
        let result = match outcome {
            Err(_) => Err(timeout_error(rpc, attempts, self.inner.request_timeout)),
            Ok(Ok(answer)) => Ok(answer.into_inner()),
            Ok(Err(status)) => Err(status_error(
                rpc,
                &status,
                attempts,
                self.inner.request_timeout,
            )),
        };
        let code = match &result {
            Ok(_) => "OK",
            Err(e) => e.context().code.unwrap_or("TRANSPORT"),
        };
        log::debug!(
            target: LOG_TARGET,
            operation = rpc.operation, method = rpc.method, code = code,
            duration_ms = elapsed_ms, retry = retry;
            "{}: {} -> {code} in {elapsed_ms} ms (retry {retry})", rpc.operation, rpc.method
        );
        result.map_err(|error| Failed {
            error,
            token: Some(token.generation),
        })
    }
}

/// A delete that found nothing to delete has done its job.
pub(super) fn gone_is_done<T>(result: Result<T, ApiError>) -> Result<(), ApiError> {
    match result {
        Ok(_) => Ok(()),
        Err(e) if e.is_not_found() => Ok(()),
        Err(e) => Err(e),
    }
}

fn local_error(rpc: Rpc, attempts: u32, message: &str) -> ApiError {
    ApiError::Internal(ErrorContext {
        operation: rpc.operation,
        method: rpc.method,
        code: None,
        message: message.to_owned(),
        attempts,
    })
}

pub(super) fn timeout_error(rpc: Rpc, attempts: u32, request_timeout: Duration) -> ApiError {
    ApiError::Timeout(ErrorContext {
        operation: rpc.operation,
        method: rpc.method,
        code: Some("DEADLINE_EXCEEDED"),
        message: format!(
            "no answer within the request_timeout of {}; raise `request_timeout` if the control plane or the network is slow",
            humantime::format_duration(request_timeout)
        ),
        attempts,
    })
}

/// A gRPC status as an [`ApiError`]. Statuses tonic made from a connection failure carry the
/// failure as their source; a certificate that cannot be verified is said plainly.
pub(super) fn status_error(
    rpc: Rpc,
    status: &Status,
    attempts: u32,
    request_timeout: Duration,
) -> ApiError {
    let transport = std::error::Error::source(status).is_some();
    // The deadline (grpc-timeout) expired: said by the server, or by tonic on our side.
    let mut cause = std::error::Error::source(status);
    let mut expired_here = false;
    while let Some(e) = cause {
        expired_here |= e.downcast_ref::<tonic::TimeoutExpired>().is_some();
        cause = e.source();
    }
    if expired_here || status.code() == Code::DeadlineExceeded && !transport {
        return timeout_error(rpc, attempts, request_timeout);
    }
    let mut message = if transport {
        // The status's own `Display` would dump its (empty) metadata and details at the user.
        error_chain(status.message(), std::error::Error::source(status))
    } else {
        status.message().to_owned()
    };
    if transport && (message.contains("certificate") || message.contains("UnknownIssuer")) {
        message = format!(
            "TLS certificate verification failed: the certificate of the endpoint could not be \
             verified ({message}). The provider never skips this check; if the control plane \
             uses a private CA, point SSL_CERT_FILE at its PEM certificate"
        );
    }
    let context = ErrorContext {
        operation: rpc.operation,
        method: rpc.method,
        code: (!transport).then(|| error::code_name(status.code())),
        message,
        attempts,
    };
    if transport && context.message.starts_with("TLS certificate") {
        // Retrying cannot fix a certificate.
        return ApiError::Tls(context);
    }
    ApiError::from_status(status.code(), transport, context)
}

/// `message` and the text of each of its causes, each once.
fn error_chain(message: &str, mut source: Option<&(dyn std::error::Error + 'static)>) -> String {
    let mut message = message.to_owned();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}
