//! The control-plane API client (DESIGN.md §3): one async method per endpoint, typed models, one
//! error type. Resources call these methods and never build a URL or touch reqwest.
//!
//! | module | what it holds |
//! |---|---|
//! | [`auth`] | service-account login and the shared, renewed bearer token |
//! | [`retry`] | backoff with full jitter, `Retry-After`, idempotency keys |
//! | [`models`] | the JSON objects and request bodies |
//! | [`error`] | [`ApiError`] and its [`ErrorContext`] |
//!
//! Transport: reqwest with rustls (no OpenSSL), HTTP/2 through ALPN and HTTP/1.1, `TCP_NODELAY`,
//! proxies from `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY`, and no redirects: a 3xx is an error naming
//! the host it points to, so credentials never follow a redirect anywhere.
//!
//! Logging (the `log` facade, target [`LOG_TARGET`]): one debug line per HTTP exchange with the
//! operation, method, route pattern, status, duration, request id and retry number. Bodies are
//! never logged; tokens, keys, nonces and signatures appear in no log line, error or `Debug`.

pub mod auth;
pub mod error;
pub mod models;
pub mod retry;

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, DATE, HeaderValue, LOCATION};
use reqwest::{Method, StatusCode, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::time::Instant;

pub use self::error::{ApiError, ErrorContext};
pub use self::models::*;
use crate::config::ClientConfig;

/// The `log` target of every line the client writes. It starts with the crate's name because
/// the provider forwards only its own crate's debug lines to `TF_LOG` (libraries' are noise).
pub const LOG_TARGET: &str = concat!(env!("CARGO_CRATE_NAME"), "::client");
/// The header that names a request on the server.
const REQUEST_ID_HEADER: &str = "x-request-id";
/// The header that makes a POST safe to retry.
const IDEMPOTENCY_KEY_HEADER: &str = "idempotency-key";
/// Answers larger than this are refused rather than buffered.
const MAX_ANSWER_BYTES: usize = 16 << 20;
/// Connecting (TCP, TLS, proxy) may take at most this long per attempt.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// A guard against a server that hands out page tokens forever.
const MAX_PAGES: usize = 10_000;

const TRUST_DOMAINS: &str = "/v1/trust-domains";
const TRUST_DOMAIN: &str = "/v1/trust-domains/{id}";
const DEPLOYMENTS: &str = "/v1/trust-domains/{id}/deployments";
const DEPLOYMENT: &str = "/v1/trust-domains/{id}/deployments/{deployment_id}";
const KEYS: &str = "/v1/trust-domains/{id}/deployments/{deployment_id}/keys";
const KEY: &str = "/v1/trust-domains/{id}/deployments/{deployment_id}/keys/{key_id}";

/// A client of the control-plane API. Cheap to clone; clones share the connection pool and the
/// login.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base_url: Url,
    auth: auth::Auth,
    request_timeout: Duration,
    max_retries: u32,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url.as_str())
            .field("sa_key_id", &self.inner.auth.key_id())
            .field("request_timeout", &self.inner.request_timeout)
            .field("max_retries", &self.inner.max_retries)
            .finish_non_exhaustive()
    }
}

/// One HTTP exchange to make (and maybe retry).
pub(crate) struct Call {
    method: Method,
    /// The route pattern, for logs and errors: never ids or query values.
    route: &'static str,
    url: Url,
    body: Option<Vec<u8>>,
    authenticated: bool,
}

/// A successful answer.
pub(crate) struct Exchange {
    status: StatusCode,
    request_id: Option<String>,
    /// The server's `Date`, to measure token lifetimes on the server's clock.
    date: Option<SystemTime>,
    body: Vec<u8>,
    attempts: u32,
    /// The server's `Retry-After`.
    retry_after: Option<Duration>,
    /// The `Location` of a redirect.
    location: Option<String>,
}

/// How one attempt ended.
enum Attempt {
    Answer(Exchange),
    /// Retryable: a connection failure whose request may or may not have reached the server.
    Failed(String),
    /// Not retryable: a TLS certificate problem or a request that cannot be built.
    Fatal(String),
}

impl Client {
    /// Builds a client for `config`. `terraform_version` (from Terraform's configure request)
    /// goes into the user agent, `terraform-provider-spirl/<version> Terraform/<version>`.
    pub fn new(config: &ClientConfig, terraform_version: &str) -> Result<Self, ApiError> {
        let mut user_agent = format!("terraform-provider-spirl/{}", env!("CARGO_PKG_VERSION"));
        let terraform_version: String = terraform_version
            .chars()
            .filter(|c| c.is_ascii_graphic())
            .take(64)
            .collect();
        if !terraform_version.is_empty() {
            user_agent.push_str(&format!(" Terraform/{terraform_version}"));
        }
        let http = reqwest::Client::builder()
            .user_agent(user_agent)
            .redirect(reqwest::redirect::Policy::none())
            .tcp_nodelay(true)
            .https_only(config.base_url.scheme() == "https")
            .connect_timeout(CONNECT_TIMEOUT.min(config.request_timeout))
            .use_rustls_tls()
            .build()
            .map_err(|e| {
                ApiError::Internal(ErrorContext {
                    operation: "configure the API client",
                    route: String::new(),
                    status: None,
                    code: None,
                    message: error_chain(&e),
                    request_id: None,
                    attempts: 0,
                })
            })?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                base_url: config.base_url.clone(),
                auth: auth::Auth::new(config.credentials.clone()),
                request_timeout: config.request_timeout,
                max_retries: config.max_retries,
            }),
        })
    }

    /// The API's base URL.
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }

    // ---- trust domains -------------------------------------------------------------------

    /// `POST /v1/trust-domains`.
    pub async fn create_trust_domain(
        &self,
        body: &CreateTrustDomain,
    ) -> Result<TrustDomain, ApiError> {
        let url = self.url(&["v1", "trust-domains"], &[]);
        self.json(
            "create trust domain",
            Method::POST,
            TRUST_DOMAINS,
            url,
            Some(body),
        )
        .await
    }

    /// `GET /v1/trust-domains/{id}`.
    pub async fn get_trust_domain(&self, id: &str) -> Result<TrustDomain, ApiError> {
        let url = self.url(&trust_domain_path(id), &[]);
        self.json(
            "get trust domain",
            Method::GET,
            TRUST_DOMAIN,
            url,
            None::<&()>,
        )
        .await
    }

    /// `GET /v1/trust-domains?name=&page_size=&page_token=`: one page.
    pub async fn list_trust_domains(
        &self,
        query: &ListTrustDomains,
    ) -> Result<TrustDomainPage, ApiError> {
        let page_size = query.page_size.map(|n| n.to_string());
        let mut pairs = Vec::new();
        if let Some(name) = &query.name {
            pairs.push(("name", name.as_str()));
        }
        if let Some(size) = &page_size {
            pairs.push(("page_size", size.as_str()));
        }
        if let Some(token) = &query.page_token {
            pairs.push(("page_token", token.as_str()));
        }
        let url = self.url(&["v1", "trust-domains"], &pairs);
        self.json(
            "list trust domains",
            Method::GET,
            TRUST_DOMAINS,
            url,
            None::<&()>,
        )
        .await
    }

    /// Every trust domain (only those named `name`, when given), walking all pages of the
    /// largest size: one request per 100 trust domains.
    pub async fn list_trust_domains_all(
        &self,
        name: Option<&str>,
    ) -> Result<Vec<TrustDomain>, ApiError> {
        let mut all = Vec::new();
        let mut query = ListTrustDomains {
            name: name.map(str::to_owned),
            page_size: Some(MAX_PAGE_SIZE),
            page_token: None,
        };
        for _ in 0..MAX_PAGES {
            let page = self.list_trust_domains(&query).await?;
            all.extend(page.trust_domains);
            if page.next_page_token.is_empty() {
                return Ok(all);
            }
            query.page_token = Some(page.next_page_token);
        }
        Err(ApiError::Decode(ErrorContext {
            operation: "list trust domains",
            route: format!("GET {TRUST_DOMAINS}"),
            status: None,
            code: None,
            message: format!(
                "the server returned more than {MAX_PAGES} pages; it seems to repeat its page tokens"
            ),
            request_id: None,
            attempts: 1,
        }))
    }

    /// `PATCH /v1/trust-domains/{id}`.
    pub async fn update_trust_domain(
        &self,
        id: &str,
        body: &UpdateTrustDomain,
    ) -> Result<TrustDomain, ApiError> {
        let url = self.url(&trust_domain_path(id), &[]);
        self.json(
            "update trust domain",
            Method::PATCH,
            TRUST_DOMAIN,
            url,
            Some(body),
        )
        .await
    }

    /// `DELETE /v1/trust-domains/{id}`; `FailedPrecondition` while it has deployments.
    pub async fn delete_trust_domain(&self, id: &str) -> Result<(), ApiError> {
        let url = self.url(&trust_domain_path(id), &[]);
        self.delete("delete trust domain", TRUST_DOMAIN, url).await
    }

    // ---- deployments ---------------------------------------------------------------------

    /// `POST /v1/trust-domains/{id}/deployments`.
    pub async fn create_deployment(
        &self,
        trust_domain_id: &str,
        body: &CreateDeployment,
    ) -> Result<Deployment, ApiError> {
        let url = self.url(&deployments_path(trust_domain_id), &[]);
        self.json(
            "create deployment",
            Method::POST,
            DEPLOYMENTS,
            url,
            Some(body),
        )
        .await
    }

    /// `GET /v1/trust-domains/{id}/deployments?name=`.
    pub async fn list_deployments(
        &self,
        trust_domain_id: &str,
        name: Option<&str>,
    ) -> Result<Vec<Deployment>, ApiError> {
        let query: Vec<(&str, &str)> = name.map(|n| ("name", n)).into_iter().collect();
        let url = self.url(&deployments_path(trust_domain_id), &query);
        let list: DeploymentList = self
            .json(
                "list deployments",
                Method::GET,
                DEPLOYMENTS,
                url,
                None::<&()>,
            )
            .await?;
        Ok(list.deployments)
    }

    /// `GET /v1/trust-domains/{id}/deployments/{deployment_id}`, with its keys.
    pub async fn get_deployment(
        &self,
        trust_domain_id: &str,
        deployment_id: &str,
    ) -> Result<Deployment, ApiError> {
        let url = self.url(&deployment_path(trust_domain_id, deployment_id), &[]);
        self.json("get deployment", Method::GET, DEPLOYMENT, url, None::<&()>)
            .await
    }

    /// `DELETE /v1/trust-domains/{id}/deployments/{deployment_id}`; with `force`, its keys go
    /// too, otherwise `FailedPrecondition` while it has keys.
    pub async fn delete_deployment(
        &self,
        trust_domain_id: &str,
        deployment_id: &str,
        force: bool,
    ) -> Result<(), ApiError> {
        let query: &[(&str, &str)] = if force { &[("force", "true")] } else { &[] };
        let url = self.url(&deployment_path(trust_domain_id, deployment_id), query);
        self.delete("delete deployment", DEPLOYMENT, url).await
    }

    // ---- keys ----------------------------------------------------------------------------

    /// `POST .../deployments/{deployment_id}/keys`.
    pub async fn create_key(
        &self,
        trust_domain_id: &str,
        deployment_id: &str,
        body: &CreateKey,
    ) -> Result<Key, ApiError> {
        let url = self.url(&key_path(trust_domain_id, deployment_id, None), &[]);
        self.json("create deployment key", Method::POST, KEYS, url, Some(body))
            .await
    }

    /// `PATCH .../keys/{key_id}`: enables or disables a key.
    pub async fn update_key(
        &self,
        trust_domain_id: &str,
        deployment_id: &str,
        key_id: &str,
        body: &UpdateKey,
    ) -> Result<Key, ApiError> {
        let url = self.url(&key_path(trust_domain_id, deployment_id, Some(key_id)), &[]);
        self.json("update deployment key", Method::PATCH, KEY, url, Some(body))
            .await
    }

    /// `DELETE .../keys/{key_id}`.
    pub async fn delete_key(
        &self,
        trust_domain_id: &str,
        deployment_id: &str,
        key_id: &str,
    ) -> Result<(), ApiError> {
        let url = self.url(&key_path(trust_domain_id, deployment_id, Some(key_id)), &[]);
        self.delete("delete deployment key", KEY, url).await
    }

    // ---- plumbing ------------------------------------------------------------------------

    /// The base URL with each segment percent-encoded (an id can never add a path segment or
    /// a query) and the query pairs form-encoded.
    pub(crate) fn url(&self, segments: &[&str], query: &[(&str, &str)]) -> Url {
        let mut url = self.inner.base_url.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }

    /// An authenticated call with an optional JSON body and a JSON answer.
    async fn json<B: Serialize, T: DeserializeOwned>(
        &self,
        operation: &'static str,
        method: Method,
        route: &'static str,
        url: Url,
        body: Option<&B>,
    ) -> Result<T, ApiError> {
        let route_text = format!("{method} {route}");
        let body = body.map(serde_json::to_vec).transpose().map_err(|e| {
            ApiError::Internal(ErrorContext {
                operation,
                route: route_text.clone(),
                status: None,
                code: None,
                message: format!("cannot encode the request: {e}"),
                request_id: None,
                attempts: 0,
            })
        })?;
        let call = Call {
            method,
            route,
            url,
            body,
            authenticated: true,
        };
        let exchange = self
            .execute(operation, call, Instant::now() + self.inner.request_timeout)
            .await?;
        serde_json::from_slice(&exchange.body).map_err(|e| {
            ApiError::Decode(ErrorContext {
                operation,
                route: route_text,
                status: Some(exchange.status.as_u16()),
                code: None,
                message: format!("the answer does not match the API contract: {e}"),
                request_id: exchange.request_id,
                attempts: exchange.attempts,
            })
        })
    }

    async fn delete(
        &self,
        operation: &'static str,
        route: &'static str,
        url: Url,
    ) -> Result<(), ApiError> {
        let call = Call {
            method: Method::DELETE,
            route,
            url,
            body: None,
            authenticated: true,
        };
        self.execute(operation, call, Instant::now() + self.inner.request_timeout)
            .await?;
        Ok(())
    }

    /// Makes `call`, retrying as [`retry`] describes, until `deadline`. Authenticated calls get
    /// a token first and, after a 401, log in again and retry once.
    pub(crate) async fn execute(
        &self,
        operation: &'static str,
        call: Call,
        deadline: Instant,
    ) -> Result<Exchange, ApiError> {
        let idempotency_key = (call.method == Method::POST).then(retry::idempotency_key);
        let route_text = format!("{} {}", call.method, call.route);
        let context = |attempts: u32, message: String| ErrorContext {
            operation,
            route: route_text.clone(),
            status: None,
            code: None,
            message,
            request_id: None,
            attempts,
        };
        let timeout = |attempts: u32| {
            ApiError::Timeout(context(
                attempts,
                format!(
                    "no complete answer within the request_timeout of {}; raise `request_timeout` if the control plane or the network is slow",
                    humantime::format_duration(self.inner.request_timeout)
                ),
            ))
        };
        let mut attempts = 0u32;
        let mut retries = 0u32;
        let mut logged_in_again = false;
        // Set once an attempt may have reached the server without us seeing its answer.
        let mut maybe_applied = false;
        loop {
            let token = if call.authenticated {
                // Boxed: login itself goes through `execute`. Bounded: waiting for another
                // caller's login must not outlast this call's deadline.
                let login = Box::pin(self.inner.auth.token(self, operation, deadline));
                match tokio::time::timeout_at(deadline, login).await {
                    Ok(token) => Some(token?),
                    Err(_) => return Err(timeout(attempts)),
                }
            } else {
                None
            };
            attempts += 1;
            let started = Instant::now();
            let attempt = tokio::time::timeout_at(
                deadline,
                self.attempt(
                    &call,
                    token.as_ref().map(|t| &t.secret),
                    idempotency_key.as_deref(),
                ),
            )
            .await;
            let elapsed_ms = started.elapsed().as_millis() as u64;
            let (server_delay, error) = match attempt {
                Err(_) => {
                    log_exchange(operation, &call, "timeout", elapsed_ms, None, retries);
                    return Err(timeout(attempts));
                }
                Ok(Attempt::Fatal(message)) => {
                    log_exchange(operation, &call, "error", elapsed_ms, None, retries);
                    return Err(ApiError::Transport(context(attempts, message)));
                }
                Ok(Attempt::Failed(message)) => {
                    log_exchange(operation, &call, "error", elapsed_ms, None, retries);
                    maybe_applied = true;
                    (None, ApiError::Transport(context(attempts, message)))
                }
                Ok(Attempt::Answer(mut exchange)) => {
                    let status = exchange.status;
                    log_exchange(
                        operation,
                        &call,
                        status.as_str(),
                        elapsed_ms,
                        exchange.request_id.as_deref(),
                        retries,
                    );
                    exchange.attempts = attempts;
                    if status.is_success() {
                        return Ok(exchange);
                    }
                    let mut ctx = context(attempts, String::new());
                    ctx.request_id = exchange.request_id.clone();
                    if status.is_redirection() {
                        ctx.status = Some(status.as_u16());
                        ctx.message = redirect_message(&exchange, &call.url);
                        return Err(ApiError::Redirect(ctx));
                    }
                    if status == StatusCode::UNAUTHORIZED
                        && !logged_in_again
                        && let Some(token) = &token
                    {
                        // The token expired early or the server forgot it (a restart): log in
                        // again, once per call; this is not a retry.
                        logged_in_again = true;
                        self.inner.auth.invalidate(token.generation).await;
                        continue;
                    }
                    if status == StatusCode::NOT_FOUND
                        && call.method == Method::DELETE
                        && maybe_applied
                    {
                        // An earlier attempt deleted it, and its answer was lost.
                        exchange.status = StatusCode::NO_CONTENT;
                        return Ok(exchange);
                    }
                    let error = ApiError::from_answer(status, &exchange.body, ctx);
                    if !retry::is_retryable_status(status) {
                        return Err(error);
                    }
                    (exchange.retry_after, error)
                }
            };
            if retries >= self.inner.max_retries {
                return Err(error);
            }
            let delay = server_delay.map_or_else(|| retry::backoff(retries), retry::spread);
            if Instant::now() + delay >= deadline {
                // Waiting would pass the deadline: report what the server said, not a timeout.
                return Err(error);
            }
            log::debug!(
                target: LOG_TARGET,
                operation = operation, retry_in_ms = delay.as_millis() as u64;
                "{operation}: retrying in {} ms after: {error}", delay.as_millis()
            );
            tokio::time::sleep(delay).await;
            retries += 1;
        }
    }

    /// One HTTP exchange, the whole answer read.
    async fn attempt(
        &self,
        call: &Call,
        token: Option<&crate::secret::SecretString>,
        idempotency_key: Option<&str>,
    ) -> Attempt {
        let mut request = self
            .inner
            .http
            .request(call.method.clone(), call.url.clone());
        if let Some(token) = token {
            let Ok(mut value) = HeaderValue::from_str(&format!("Bearer {}", token.expose())) else {
                return Attempt::Fatal("the session token is not a valid header value".into());
            };
            value.set_sensitive(true);
            request = request.header(AUTHORIZATION, value);
        }
        if let Some(key) = idempotency_key {
            request = request.header(IDEMPOTENCY_KEY_HEADER, key);
        }
        if let Some(body) = &call.body {
            request = request
                .header(CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        let mut response = match request.send().await {
            Ok(response) => response,
            Err(e) => return classify(&e),
        };
        let status = response.status();
        let headers = response.headers();
        let request_id = headers
            .get(REQUEST_ID_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let date = headers
            .get(DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| httpdate::parse_http_date(v).ok());
        let retry_after = retry::retry_after(headers);
        let location = headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > MAX_ANSWER_BYTES {
                        return Attempt::Fatal(format!(
                            "the answer is larger than {} MiB",
                            MAX_ANSWER_BYTES >> 20
                        ));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return classify(&e),
            }
        }
        Attempt::Answer(Exchange {
            status,
            request_id,
            date,
            body,
            attempts: 0,
            retry_after,
            location,
        })
    }
}

impl Exchange {
    fn location_host(&self, base: &Url) -> Option<String> {
        let location = self.location.as_deref()?;
        let target = base.join(location).ok()?;
        target.host_str().map(str::to_owned)
    }
}

/// `v1/trust-domains/{id}`, as path segments.
fn trust_domain_path(id: &str) -> Vec<&str> {
    vec!["v1", "trust-domains", id]
}

/// `v1/trust-domains/{id}/deployments`.
fn deployments_path(trust_domain_id: &str) -> Vec<&str> {
    let mut path = trust_domain_path(trust_domain_id);
    path.push("deployments");
    path
}

/// `v1/trust-domains/{id}/deployments/{deployment_id}`.
fn deployment_path<'a>(trust_domain_id: &'a str, deployment_id: &'a str) -> Vec<&'a str> {
    let mut path = deployments_path(trust_domain_id);
    path.push(deployment_id);
    path
}

/// `.../deployments/{deployment_id}/keys[/{key_id}]`.
fn key_path<'a>(
    trust_domain_id: &'a str,
    deployment_id: &'a str,
    key_id: Option<&'a str>,
) -> Vec<&'a str> {
    let mut path = deployment_path(trust_domain_id, deployment_id);
    path.push("keys");
    path.extend(key_id);
    path
}

fn redirect_message(exchange: &Exchange, url: &Url) -> String {
    let target = exchange.location_host(url).map_or_else(
        || "an unnamed location".to_owned(),
        |host| format!("host `{host}`"),
    );
    format!(
        "the server redirected to {target}; redirects are never followed, so that the login and token cannot leave the configured endpoint. Check `endpoint` (a load balancer or proxy may be redirecting HTTP to HTTPS, or to another host)"
    )
}

/// A failed exchange: certificate problems are final (retrying cannot fix them and they must
/// be reported clearly), anything else on the network is worth another try.
fn classify(error: &reqwest::Error) -> Attempt {
    let message = error_chain(error);
    if error.is_builder() {
        return Attempt::Fatal(message);
    }
    if message.contains("certificate") {
        let server = error.url().and_then(|url| {
            let host = url.host_str()?;
            Some(match url.port_or_known_default() {
                Some(port) => format!("`{host}:{port}`"),
                None => format!("`{host}`"),
            })
        });
        return Attempt::Fatal(format!(
            "TLS certificate verification failed: the certificate of {} could not be verified \
             ({message}). The provider never skips this check; if the control plane uses a \
             private CA, point SSL_CERT_FILE at its PEM certificate",
            server.as_deref().unwrap_or("the endpoint")
        ));
    }
    Attempt::Failed(message)
}

/// The error and its causes, without the URL (it is in the route already).
fn error_chain(error: &reqwest::Error) -> String {
    let mut message = error.to_string();
    if let Some(url) = error.url() {
        message = message.replace(&format!(" for url ({url})"), "");
    }
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

fn log_exchange(
    operation: &'static str,
    call: &Call,
    status: &str,
    duration_ms: u64,
    request_id: Option<&str>,
    retry: u32,
) {
    let request_id = request_id.unwrap_or("-");
    log::debug!(
        target: LOG_TARGET,
        operation = operation, method = call.method.as_str(), route = call.route, status = status,
        duration_ms = duration_ms, request_id = request_id, retry = retry;
        "{operation}: {} {} -> {status} in {duration_ms} ms (request id {request_id}, retry {retry})",
        call.method, call.route
    );
}
