//! The provider block's settings (DESIGN.md §2): turns the configured values and their environment
//! fallbacks into a [`ClientSettings`], or into [`Problem`]s that name the attribute and say what
//! to do.
//!
//! Precedence: a value in the configuration, then its environment variable, then the default. A
//! value that is not known yet (derived from another resource) is not rejected: the client then
//! stays [`ClientSetup::Pending`] and API resources say so. A configuration without credentials is
//! valid too ([`ClientSetup::NoCredentials`]): `spirl_key_pair` and the ALB data source need none.
//!
//! Credentials: a service-account key (`sa_key_id` and `sa_private_key`, or their environment
//! variables) when one is set; otherwise the session `spirlctl login` stored in the file at
//! `spirlctl_config_path` (default `~/.spirl/config.json`, `{"creds":{"token":"…"}}`). A key wins
//! when both exist. A missing or unusable session file is no error of the provider block (validate
//! stays quiet, and a configuration of `spirl_key_pair` and the rendering data sources needs no
//! credentials); it is one error of any plan that has resources or data sources calling the API,
//! reported once per run by the first of them, naming the file and both ways to authenticate
//! ([`crate::client::handle`] says how the others stay quiet). No problem text ever contains the
//! private key or the session token.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use url::Url;

use crate::client::assumptions::SERVICE_ACCOUNT_KEY_ID_PREFIX;
use crate::client::has_id_shape;
use crate::client::transport::{ProxySettings, proxy_for};

use crate::keys::KeyPair;
use crate::problem::{AttributePath, Problem, has_errors, quote};
use crate::secret::SecretString;
use tfplugin::Attr;

/// Default `endpoint`.
pub const DEFAULT_ENDPOINT: &str = "api.spirl.com:443";
/// Default `request_timeout`.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Smallest `request_timeout` accepted.
pub const MIN_REQUEST_TIMEOUT: Duration = Duration::from_millis(1);
/// Largest `request_timeout` accepted.
pub const MAX_REQUEST_TIMEOUT: Duration = Duration::from_secs(3600);
/// Default `max_retries`.
pub const DEFAULT_MAX_RETRIES: u32 = 5;
/// Largest `max_retries` accepted: with exponential backoff, more only prolongs a failure.
pub const MAX_MAX_RETRIES: u32 = 20;

/// Environment fallback of `endpoint`.
pub const ENV_ENDPOINT: &str = "SPIRL_ENDPOINT";
/// Environment fallback of `sa_key_id`.
pub const ENV_SA_KEY_ID: &str = "SPIRL_SA_KEY_ID";
/// Environment fallback of `sa_private_key`.
pub const ENV_SA_PRIVATE_KEY: &str = "SPIRL_SA_PRIVATE_KEY";
/// Environment fallback of `use_tls`.
pub const ENV_USE_TLS: &str = "SPIRL_USE_TLS";
/// Default `spirlctl_config_path`: where `spirlctl login` stores its session (as the official
/// provider documents it).
pub const DEFAULT_SPIRLCTL_CONFIG_PATH: &str = "~/.spirl/config.json";
/// A spirlctl configuration file larger than this is refused unread: the session file is a few
/// hundred bytes, and a mistaken path (a log, a device) must not be read into memory.
pub const MAX_SPIRLCTL_CONFIG_BYTES: u64 = 1 << 20;

/// The provider block's values as Terraform hands them over.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProviderInputs {
    /// `host:port` or a URL.
    pub endpoint: Attr<String>,
    /// `sak-…`.
    pub sa_key_id: Attr<String>,
    /// PKCS#8 ed25519 PEM.
    pub sa_private_key: Attr<SecretString>,
    /// Whether to use TLS.
    pub use_tls: Attr<bool>,
    /// A duration such as `30s`, `1m30s`, `500ms`.
    pub request_timeout: Attr<String>,
    /// Retries after the first attempt.
    pub max_retries: Attr<i64>,
    /// The file `spirlctl login` wrote; `~` is the home directory.
    pub spirlctl_config_path: Attr<String>,
}

/// The service-account key the client logs in with.
#[derive(Debug, Clone)]
pub struct ServiceAccountKey {
    /// `sak-…`.
    pub key_id: String,
    /// The ed25519 key; its `Debug` is redacted.
    pub private_key: KeyPair,
}

/// The session `spirlctl login` stored: a token sent as is, with no login of the client's own.
#[derive(Debug, Clone)]
pub struct SpirlctlSession {
    /// The file it was read from (with `~` expanded), for messages.
    pub path: PathBuf,
    /// `creds.token`; its `Debug` is redacted.
    pub token: SecretString,
}

/// How the client authenticates.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// Logs in with `AuthenticateServiceAccount`, and again when a token is refused.
    ServiceAccount(ServiceAccountKey),
    /// Sends the token `spirlctl login` stored; a refusal is final (run `spirlctl login` again).
    Spirlctl(SpirlctlSession),
}

impl Credentials {
    /// The service-account key id, when a key is used.
    pub fn key_id(&self) -> Option<&str> {
        match self {
            Credentials::ServiceAccount(key) => Some(&key.key_id),
            Credentials::Spirlctl(_) => None,
        }
    }

    /// What authenticates, in words for logs: never a secret.
    pub fn describe(&self) -> String {
        match self {
            Credentials::ServiceAccount(key) => format!("service-account key {}", key.key_id),
            Credentials::Spirlctl(session) => {
                format!("the spirlctl login session in {}", session.path.display())
            }
        }
    }
}

/// Everything the API client needs.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    /// `https://host[:port]/` (or `http://` when TLS is off: plaintext HTTP/2). Its host and
    /// port are the gRPC target.
    pub base_url: Url,
    /// The HTTP proxy to tunnel through (`HTTPS_PROXY`, unless `NO_PROXY` or loopback).
    pub proxy: Option<ProxySettings>,
    /// `SSL_CERT_FILE`: PEM certificates trusted besides the public and system roots.
    pub ssl_cert_file: Option<PathBuf>,
    /// The service-account key, or the spirlctl session.
    pub credentials: Credentials,
    /// A spirlctl session file that exists but is not used, because a service-account key is set
    /// (the key wins); for the debug log.
    pub unused_spirlctl_config: Option<PathBuf>,
    /// Deadline of one API operation (an RPC, its retries and a login included).
    pub request_timeout: Duration,
    /// Retries after the first attempt.
    pub max_retries: u32,
}

/// What the provider can do with its configuration.
#[derive(Debug, Clone)]
pub enum ClientSetup {
    /// A client can be built.
    Ready(Box<ClientSettings>),
    /// No service-account key is set and the spirlctl session is not usable; only resources that
    /// make no API calls work, and a plan with any other fails (once).
    NoCredentials {
        /// Why the spirlctl session cannot be used (names the file, never its content).
        spirlctl: String,
        /// The attribute the error of an API resource points at: `spirlctl_config_path` when
        /// the configuration set it, else `sa_key_id`.
        attribute: &'static str,
    },
    /// Some values are only known after apply; API calls must wait for a later configure.
    Pending {
        /// The attributes not known yet.
        unknown: Vec<&'static str>,
    },
}

impl ClientSetup {
    /// The client configuration, or the problem an API resource reports when there is none.
    pub fn client_settings(&self) -> Result<&ClientSettings, Problem> {
        match self {
            ClientSetup::Ready(config) => Ok(config),
            ClientSetup::NoCredentials {
                spirlctl,
                attribute,
            } => Err(Problem::error(
                AttributePath::root(*attribute),
                "Missing credentials",
                format!(
                    "This configuration has resources or data sources that call the Defakto control plane, which needs credentials, and the provider has none: no service-account key is set, and {spirlctl}. Authenticate in one of two ways: set a service-account key (`sa_key_id` and `sa_private_key` in the provider block, or the {ENV_SA_KEY_ID} and {ENV_SA_PRIVATE_KEY} environment variables), or run `spirlctl login`, which stores a session in {DEFAULT_SPIRLCTL_CONFIG_PATH} (`spirlctl_config_path` points the provider at another file). (spirl_key_pair, spirl_alb_ingress_annotations and spirl_server_monitoring work without credentials.)"
                ),
            )),
            ClientSetup::Pending { unknown } => Err(Problem::error(
                AttributePath::root(unknown.first().copied().unwrap_or("endpoint")),
                "Provider configuration not known yet",
                format!(
                    "The provider's {} depend{} on values that are only known after apply, so it cannot call the API yet. Apply the resources it depends on first (`terraform apply -target=…`), or configure the provider from values known at plan time.",
                    unknown
                        .iter()
                        .map(|a| format!("`{a}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    if unknown.len() == 1 { "s" } else { "" }
                ),
            )),
        }
    }
}

/// Reads a variable from the process environment; empty counts as unset.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Checks the provider block and, when there is no error, says what the client can do.
///
/// `env` looks up environment variables (use [`process_env`]; tests inject their own). The same
/// call serves validate time (discard the setup) and configure time.
pub fn resolve(
    inputs: &ProviderInputs,
    env: &dyn Fn(&str) -> Option<String>,
) -> (Option<ClientSetup>, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut unknown = Vec::new();

    let endpoint = from_env(&inputs.endpoint, env, ENV_ENDPOINT);
    let use_tls = match &inputs.use_tls {
        Attr::Value(v) => Attr::Value(Sourced {
            value: *v,
            env: None,
        }),
        Attr::Unknown => Attr::Unknown,
        Attr::Null => match env(ENV_USE_TLS) {
            None => Attr::Null,
            Some(text) => match parse_bool(&text) {
                Some(value) => Attr::Value(Sourced {
                    value,
                    env: Some(ENV_USE_TLS),
                }),
                None => {
                    problems.push(Problem::error(
                        AttributePath::root("use_tls"),
                        "Invalid use_tls",
                        format!(
                            "{ENV_USE_TLS} is {}; set it to `true` or `false`.",
                            quote(&text)
                        ),
                    ));
                    Attr::Unknown
                }
            },
        },
    };
    let base_url = match (&endpoint, &use_tls) {
        (Attr::Unknown, _) => {
            unknown.push("endpoint");
            None
        }
        (_, Attr::Unknown) => {
            unknown.push("use_tls");
            None
        }
        (endpoint, use_tls) => {
            let default = Sourced {
                value: DEFAULT_ENDPOINT.to_owned(),
                env: None,
            };
            let endpoint = endpoint.known().unwrap_or(&default);
            resolve_endpoint(endpoint, use_tls.known(), &mut problems)
        }
    };

    let proxy = match base_url.as_ref().and_then(Url::host_str) {
        None => None,
        Some(host) => match proxy_for(host, env) {
            Ok(proxy) => proxy,
            Err(reason) => {
                problems.push(Problem::error(
                    AttributePath::root("endpoint"),
                    "Unusable proxy setting",
                    format!("The API endpoint would be reached through a proxy, but {reason}. Fix the variable, or list the endpoint's host in NO_PROXY."),
                ));
                None
            }
        },
    };
    let ssl_cert_file = env("SSL_CERT_FILE").map(PathBuf::from);

    let key_id = from_env(&inputs.sa_key_id, env, ENV_SA_KEY_ID);
    if let Some(id) = key_id.known() {
        check_key_id(id, &mut problems);
    }
    let private_key = match &inputs.sa_private_key {
        Attr::Value(pem) => Attr::Value(Sourced {
            value: pem.clone(),
            env: None,
        }),
        Attr::Unknown => Attr::Unknown,
        Attr::Null => env(ENV_SA_PRIVATE_KEY).map_or(Attr::Null, |pem| {
            Attr::Value(Sourced {
                value: SecretString::new(pem),
                env: Some(ENV_SA_PRIVATE_KEY),
            })
        }),
    };
    let key_pair = private_key
        .known()
        .and_then(|pem| parse_private_key(pem, &mut problems));
    match (&key_id, &private_key) {
        (Attr::Value(_), Attr::Null) => problems.push(Problem::error(
            AttributePath::root("sa_private_key"),
            "Missing sa_private_key",
            format!("`sa_key_id` is set, but the service account's private key is not; set `sa_private_key` (or {ENV_SA_PRIVATE_KEY}) to the key's PKCS#8 PEM, or remove `sa_key_id`."),
        )),
        (Attr::Null, Attr::Value(_)) => problems.push(Problem::error(
            AttributePath::root("sa_key_id"),
            "Missing sa_key_id",
            format!("`sa_private_key` is set, but not the id of its service-account key; set `sa_key_id` (or {ENV_SA_KEY_ID}) to the key's `sak-…` id."),
        )),
        _ => {}
    }
    if key_id.is_unknown() {
        unknown.push("sa_key_id");
    }
    if private_key.is_unknown() {
        unknown.push("sa_private_key");
    }
    // A service-account key, set or on its way, wins over a spirlctl session.
    let key_configured = !key_id.is_null() || !private_key.is_null();
    let spirlctl_attribute = if inputs.spirlctl_config_path.is_null() {
        "sa_key_id"
    } else {
        "spirlctl_config_path"
    };
    let spirlctl_path = match &inputs.spirlctl_config_path {
        Attr::Unknown => {
            if !key_configured {
                unknown.push("spirlctl_config_path");
            }
            None
        }
        Attr::Value(text) if text.trim().is_empty() => {
            problems.push(Problem::error(
                AttributePath::root("spirlctl_config_path"),
                "Invalid spirlctl_config_path",
                format!("`spirlctl_config_path` is empty; omit it to use {DEFAULT_SPIRLCTL_CONFIG_PATH}, where `spirlctl login` stores its session."),
            ));
            None
        }
        Attr::Value(text) => Some(text.as_str()),
        Attr::Null => Some(DEFAULT_SPIRLCTL_CONFIG_PATH),
    }
    .map(|text| expand_home(text, env));

    let request_timeout = match &inputs.request_timeout {
        Attr::Null => Some(DEFAULT_REQUEST_TIMEOUT),
        Attr::Unknown => {
            unknown.push("request_timeout");
            None
        }
        Attr::Value(text) => match parse_duration(text) {
            Ok(timeout) if timeout < MIN_REQUEST_TIMEOUT || timeout > MAX_REQUEST_TIMEOUT => {
                problems.push(Problem::error(
                    AttributePath::root("request_timeout"),
                    "request_timeout out of range",
                    format!("{} is outside 1ms to 1h. It bounds one API operation, retries included; the default is 30s.", quote(text)),
                ));
                None
            }
            Ok(timeout) => Some(timeout),
            Err(reason) => {
                problems.push(Problem::error(
                    AttributePath::root("request_timeout"),
                    "Invalid request_timeout",
                    format!("{} is not a duration: {reason}. Write a number and a unit (`ms`, `s`, `m`, `h`), for example `30s`, `1m30s` or `500ms`.", quote(text)),
                ));
                None
            }
        },
    };
    let max_retries = match &inputs.max_retries {
        Attr::Null => Some(DEFAULT_MAX_RETRIES),
        Attr::Unknown => {
            unknown.push("max_retries");
            None
        }
        Attr::Value(n) => match u32::try_from(*n) {
            Ok(n) if n <= MAX_MAX_RETRIES => Some(n),
            _ => {
                problems.push(Problem::error(
                    AttributePath::root("max_retries"),
                    "max_retries out of range",
                    format!("{n} is outside 0 to {MAX_MAX_RETRIES}. It counts retries after the first attempt of an API call; the default is {DEFAULT_MAX_RETRIES}."),
                ));
                None
            }
        },
    };

    if has_errors(&problems) {
        return (None, problems);
    }
    if !unknown.is_empty() {
        return (Some(ClientSetup::Pending { unknown }), problems);
    }
    let (Some(base_url), Some(request_timeout), Some(max_retries)) =
        (base_url, request_timeout, max_retries)
    else {
        // Every one of these has either a value or an error by now.
        return (None, problems);
    };
    let credentials = match (key_id.known(), key_pair) {
        (Some(key_id), Some(private_key)) => Ok(Credentials::ServiceAccount(ServiceAccountKey {
            key_id: key_id.value.clone(),
            private_key,
        })),
        _ => match &spirlctl_path {
            Some(Ok(path)) => read_spirlctl_session(path).map(Credentials::Spirlctl),
            Some(Err(reason)) => Err(reason.clone()),
            None => Err("no spirlctl session file is configured".to_owned()),
        },
    };
    let setup = match credentials {
        Ok(credentials) => {
            let unused_spirlctl_config = match (&credentials, spirlctl_path) {
                (Credentials::ServiceAccount(_), Some(Ok(path))) if path.is_file() => Some(path),
                _ => None,
            };
            ClientSetup::Ready(Box::new(ClientSettings {
                base_url,
                proxy,
                ssl_cert_file,
                credentials,
                unused_spirlctl_config,
                request_timeout,
                max_retries,
            }))
        }
        Err(spirlctl) => ClientSetup::NoCredentials {
            spirlctl,
            attribute: spirlctl_attribute,
        },
    };
    (Some(setup), problems)
}

/// `text` with a leading `~` (alone, or before `/`) replaced by the home directory: `HOME`, or
/// `USERPROFILE` on Windows, as Go's `os.UserHomeDir` finds it. Other paths are taken as written
/// (`~user` is not expanded). `Err` says why the home directory is unknown.
fn expand_home(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<PathBuf, String> {
    let rest = match text.strip_prefix('~') {
        Some("") => "",
        Some(rest) if rest.starts_with('/') || rest.starts_with(std::path::MAIN_SEPARATOR) => {
            &rest[1..]
        }
        _ => return Ok(PathBuf::from(text)),
    };
    let home = env("HOME").or_else(|| env("USERPROFILE")).ok_or_else(|| {
        format!(
            "the spirlctl session file {} cannot be found: the home directory is unknown \
                 (HOME is not set)",
            quote(text)
        )
    })?;
    let home = PathBuf::from(home);
    Ok(if rest.is_empty() {
        home
    } else {
        home.join(rest)
    })
}

/// The token `spirlctl login` stored in `path` (`creds.token`; other keys are ignored), or why
/// there is none. Messages name the file and never quote its content: the JSON parser's own
/// messages can, so only their kind and position are reported.
pub fn read_spirlctl_session(path: &Path) -> Result<SpirlctlSession, String> {
    use std::io::Read as _;
    let shown = path.display();
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(format!("the spirlctl session file {shown} does not exist"));
        }
        Err(e) => {
            return Err(format!(
                "the spirlctl session file {shown} cannot be read ({e})"
            ));
        }
    };
    let mut bytes = zeroize::Zeroizing::new(Vec::new());
    if let Err(e) = file
        .take(MAX_SPIRLCTL_CONFIG_BYTES + 1)
        .read_to_end(&mut bytes)
    {
        return Err(format!(
            "the spirlctl session file {shown} cannot be read ({e})"
        ));
    }
    if bytes.len() as u64 > MAX_SPIRLCTL_CONFIG_BYTES {
        return Err(format!(
            "the spirlctl session file {shown} is larger than {MAX_SPIRLCTL_CONFIG_BYTES} bytes, so it is not a session `spirlctl login` wrote"
        ));
    }
    let mut root: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Eof => "it ends too early",
            _ => "it is not valid JSON",
        };
        format!(
            "the spirlctl session file {shown} cannot be used: {what} (line {}, column {})",
            e.line(),
            e.column()
        )
    })?;
    let token = root
        .get_mut("creds")
        .and_then(|creds| creds.get_mut("token"))
        .map(serde_json::Value::take);
    let token = match token {
        Some(serde_json::Value::String(token)) => SecretString::new(token),
        Some(_) => {
            return Err(format!(
                "in the spirlctl session file {shown}, `creds.token` is not a string"
            ));
        }
        None => {
            return Err(format!(
                "the spirlctl session file {shown} holds no session (`creds.token` is missing)"
            ));
        }
    };
    if token.expose().trim().is_empty() {
        return Err(format!(
            "in the spirlctl session file {shown}, `creds.token` is empty (logged out?)"
        ));
    }
    if !token.expose().bytes().all(|b| b.is_ascii_graphic()) {
        return Err(format!(
            "in the spirlctl session file {shown}, `creds.token` contains characters a token cannot have"
        ));
    }
    Ok(SpirlctlSession {
        path: path.to_owned(),
        token,
    })
}

/// A value and the environment variable it came from, if any, so problems can say where to fix it.
#[derive(Debug, Clone)]
struct Sourced<T> {
    value: T,
    env: Option<&'static str>,
}

impl<T> Sourced<T> {
    /// ` (from SPIRL_…)`, or nothing when the value is in the configuration.
    fn origin(&self) -> String {
        self.env
            .map(|name| format!(" (from {name})"))
            .unwrap_or_default()
    }
}

fn from_env(
    value: &Attr<String>,
    env: &dyn Fn(&str) -> Option<String>,
    name: &'static str,
) -> Attr<Sourced<String>> {
    match value {
        Attr::Value(v) => Attr::Value(Sourced {
            value: v.clone(),
            env: None,
        }),
        Attr::Unknown => Attr::Unknown,
        Attr::Null => env(name).map_or(Attr::Null, |v| {
            Attr::Value(Sourced {
                value: v,
                env: Some(name),
            })
        }),
    }
}

fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Some(true),
        "false" | "0" | "no" => Some(false),
        _ => None,
    }
}

/// Parses the endpoint and applies the TLS rules; `None` after pushing a problem.
fn resolve_endpoint(
    endpoint: &Sourced<String>,
    use_tls: Option<&Sourced<bool>>,
    problems: &mut Vec<Problem>,
) -> Option<Url> {
    let path = AttributePath::root("endpoint");
    let origin = endpoint.origin();
    let text = endpoint.value.as_str();
    let invalid = |reason: String| {
        Problem::error(
            AttributePath::root("endpoint"),
            "Invalid endpoint",
            format!(
                "The endpoint{origin} {reason}. Write `host:port` (for example `{DEFAULT_ENDPOINT}`) or a URL such as `https://api.example.com` or `http://127.0.0.1:8080`."
            ),
        )
    };
    if text.is_empty() {
        problems.push(invalid("is empty; omit it to use the default".into()));
        return None;
    }
    if !text.is_ascii() {
        // The URL parser would silently convert look-alike letters to punycode.
        problems.push(invalid(format!("{} contains non-ASCII characters (look-alike letters?); write internationalized host names in punycode (`xn--…`)", quote(text))));
        return None;
    }
    if text
        .chars()
        .any(|c| c.is_ascii_whitespace() || c.is_ascii_control())
    {
        problems.push(invalid(format!(
            "{} contains whitespace or control characters",
            quote(text)
        )));
        return None;
    }
    let scheme = text
        .split_once("://")
        .map(|(scheme, _)| scheme.to_ascii_lowercase());
    let url_tls = match scheme.as_deref() {
        None => None,
        Some("https") => Some(true),
        Some("http") => Some(false),
        Some(other) => {
            problems.push(invalid(format!(
                "has the scheme {}; only `https` and `http` are supported",
                quote(other)
            )));
            return None;
        }
    };
    if let (Some(url_tls), Some(explicit)) = (url_tls, use_tls)
        && url_tls != explicit.value
    {
        problems.push(Problem::error(
            AttributePath::root("use_tls"),
            "use_tls contradicts the endpoint",
            format!(
                "`use_tls` is {}{} but the endpoint{origin} starts with `{}://`. Remove one of the two, or make them agree.",
                explicit.value,
                explicit.origin(),
                scheme.as_deref().unwrap_or_default()
            ),
        ));
        return None;
    }
    let tls = url_tls.or(use_tls.map(|t| t.value)).unwrap_or(true);
    let url_text = match url_tls {
        Some(_) => text.to_owned(),
        // `host:port` takes its scheme from use_tls; a missing port defaults to 443 or 80.
        None => format!("{}://{text}", if tls { "https" } else { "http" }),
    };
    let url = match Url::parse(&url_text) {
        Ok(url) => url,
        Err(e) => {
            problems.push(invalid(format!("cannot be parsed ({e})")));
            return None;
        }
    };
    if !url.username().is_empty() || url.password().is_some() {
        // Never echo the text: it holds a password.
        problems.push(invalid("contains a user name or password; the provider authenticates with `sa_key_id` and `sa_private_key` instead".into()));
        return None;
    }
    let Some(host) = url.host_str().filter(|h| !h.is_empty()).map(str::to_owned) else {
        problems.push(invalid(format!("{} has no host", quote(text))));
        return None;
    };
    if let Some(reason) = host_name_problem(&url) {
        problems.push(invalid(reason));
        return None;
    }
    if (url.path() != "/" && !url.path().is_empty())
        || url.query().is_some()
        || url.fragment().is_some()
    {
        problems.push(invalid(format!(
            "{} has a path, query or fragment; the API is served at the root of the host",
            quote(text)
        )));
        return None;
    }
    if url.port() == Some(0) {
        problems.push(invalid("has port 0".into()));
        return None;
    }
    if !tls && !is_loopback(&host) {
        if use_tls.is_some_and(|t| !t.value) {
            problems.push(Problem::warning(
                path,
                "Plain HTTP to a remote host",
                format!("TLS is off (`use_tls = false`) for {}: the service-account login and every API call travel unencrypted and can be read or changed on the network. Use TLS for anything but local testing.", quote(&host)),
            ));
        } else {
            problems.push(Problem::error(
                path,
                "Plain HTTP refused",
                format!("The endpoint{origin} uses plain HTTP to {}, which is not a loopback address: the login and every API call would travel unencrypted. Use `https://`, or set `use_tls = false` to confirm that this is intended.", quote(&host)),
            ));
            return None;
        }
    }
    Some(url)
}

/// Why the endpoint's host cannot be a DNS name (RFC 1035 lengths), or `None`: the URL parser
/// accepts a label, or a whole name, of any length.
fn host_name_problem(url: &Url) -> Option<String> {
    let name = url.domain()?;
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.len() > 253 {
        return Some(format!(
            "has a host name of {} characters; a DNS name has at most 253",
            name.len()
        ));
    }
    name.split('.').find(|label| label.len() > 63).map(|label| {
        format!(
            "has the host name label {}, of {} characters; a DNS label has at most 63",
            quote(label),
            label.len()
        )
    })
}

/// `localhost`, `127.0.0.0/8`, `::1`.
fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// `sa_key_id`: an opaque id with the `sak-` prefix the official provider's docs show (see
/// [`SERVICE_ACCOUNT_KEY_ID_PREFIX`]). No alphabet or length rule: the control plane judges the
/// rest when the login sends it.
fn check_key_id(id: &Sourced<String>, problems: &mut Vec<Problem>) {
    if !has_id_shape(&id.value, SERVICE_ACCOUNT_KEY_ID_PREFIX) {
        problems.push(Problem::error(
            AttributePath::root("sa_key_id"),
            "Invalid sa_key_id",
            format!(
                "{}{} is not a service-account key id; ids start with `{SERVICE_ACCOUNT_KEY_ID_PREFIX}` and contain no whitespace or `/`. Copy it from the service account's key list.",
                quote(&id.value),
                id.origin()
            ),
        ));
    }
}

fn parse_private_key(pem: &Sourced<SecretString>, problems: &mut Vec<Problem>) -> Option<KeyPair> {
    let text = pem.value.expose();
    // Environment variables often carry a PEM with its newlines written as `\n`.
    let unescaped;
    let text = if !text.contains('\n') && text.contains("\\n") {
        unescaped = SecretString::new(text.replace("\\n", "\n"));
        unescaped.expose()
    } else {
        text
    };
    match KeyPair::from_private_key_pem(text) {
        Ok(pair) => Some(pair),
        Err(e) => {
            problems.push(Problem::error(
                AttributePath::root("sa_private_key"),
                "Invalid sa_private_key",
                format!(
                    "The service-account private key{} is not usable: {e}.",
                    pem.origin()
                ),
            ));
            None
        }
    }
}

/// Parses `30s`, `1m30s`, `500ms`, `1.5h`: one or more number-and-unit pairs, units `ms`, `s`,
/// `m`, `h` (Go's `time.ParseDuration` without the sub-millisecond units).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    if text.is_empty() {
        return Err("it is empty".into());
    }
    let mut rest = text;
    let mut total = Duration::ZERO;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, after) = rest.split_at(number_len);
        if number.is_empty() {
            return Err(format!("expected a number before {}", quote(after)));
        }
        let unit_len = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, after) = after.split_at(unit_len);
        let unit_secs = match unit {
            "ms" => 0.001,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            "" => return Err(format!("{} has no unit", quote(number))),
            other => return Err(format!("{} is not a unit", quote(other))),
        };
        let value: f64 = number
            .parse()
            .map_err(|_| format!("{} is not a number", quote(number)))?;
        total = Duration::try_from_secs_f64(value * unit_secs)
            .ok()
            .and_then(|d| total.checked_add(d))
            .ok_or("it is too long")?;
        rest = after;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::problem::Severity;
    use std::collections::HashMap;

    fn env_of(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        move |name| vars.get(name).cloned()
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn known(s: &str) -> Attr<String> {
        Attr::Value(s.to_owned())
    }

    fn with_credentials() -> (ProviderInputs, KeyPair) {
        let pair = KeyPair::generate();
        let inputs = ProviderInputs {
            sa_key_id: known("sak-abc123"),
            sa_private_key: Attr::Value(pair.private_key_pem()),
            ..ProviderInputs::default()
        };
        (inputs, pair)
    }

    fn ready(
        inputs: &ProviderInputs,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> (ClientSettings, Vec<Problem>) {
        match resolve(inputs, env) {
            (Some(ClientSetup::Ready(config)), problems) => (*config, problems),
            other => panic!("not ready: {other:?}"),
        }
    }

    /// The one error `inputs` produce, as (path, detail).
    fn error(inputs: &ProviderInputs, env: &dyn Fn(&str) -> Option<String>) -> (String, String) {
        let (setup, problems) = resolve(inputs, env);
        assert!(setup.is_none());
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert_eq!(problems[0].severity, Severity::Error);
        (problems[0].path.to_string(), problems[0].detail.clone())
    }

    #[test]
    fn config_defaults_without_credentials() {
        let (setup, problems) = resolve(&ProviderInputs::default(), &no_env);
        assert!(problems.is_empty());
        let problem = setup.unwrap().client_settings().unwrap_err();
        assert_eq!(problem.path.to_string(), "sa_key_id");
        assert!(problem.detail.contains("SPIRL_SA_KEY_ID"));
        assert!(problem.detail.contains("`spirlctl login`"));
    }

    /// A home directory holding `.spirl/config.json` with `contents` (none when `None`).
    fn home_with(contents: Option<&str>) -> tempfile::TempDir {
        let home = tempfile::tempdir().unwrap();
        if let Some(contents) = contents {
            std::fs::create_dir_all(home.path().join(".spirl")).unwrap();
            std::fs::write(home.path().join(".spirl/config.json"), contents).unwrap();
        }
        home
    }

    fn env_home(home: &tempfile::TempDir) -> impl Fn(&str) -> Option<String> + use<> {
        env_of(&[("HOME", home.path().to_str().unwrap())])
    }

    const SESSION: &str =
        r#"{"creds":{"token":"tok-very-secret-123","refresh":"x"},"api":"api.spirl.com:443"}"#;

    #[test]
    fn config_spirlctl_session_from_the_default_path() {
        let home = home_with(Some(SESSION));
        let (config, problems) = ready(&ProviderInputs::default(), &env_home(&home));
        assert!(problems.is_empty(), "{problems:?}");
        let Credentials::Spirlctl(session) = &config.credentials else {
            panic!("the spirlctl session: {config:?}");
        };
        assert_eq!(session.token.expose(), "tok-very-secret-123");
        assert_eq!(session.path, home.path().join(".spirl/config.json"));
        assert_eq!(config.credentials.key_id(), None);
        assert!(config.unused_spirlctl_config.is_none());
        // Never in Debug, nor in what the logs say.
        assert!(!format!("{config:?}").contains("very-secret"), "{config:?}");
        assert!(!config.credentials.describe().contains("very-secret"));
        assert!(config.credentials.describe().contains("spirlctl"));
    }

    #[test]
    fn config_spirlctl_path_expands_the_home_directory() {
        let home = home_with(Some(SESSION));
        let env = env_home(&home);
        for (text, expected) in [
            (
                "~/.spirl/config.json",
                home.path().join(".spirl/config.json"),
            ),
            ("~", home.path().to_owned()),
            ("/etc/spirl.json", PathBuf::from("/etc/spirl.json")),
            (
                "relative/config.json",
                PathBuf::from("relative/config.json"),
            ),
            ("~user/config.json", PathBuf::from("~user/config.json")),
            ("a/~/b", PathBuf::from("a/~/b")),
        ] {
            assert_eq!(expand_home(text, &env), Ok(expected), "{text}");
        }
        let err = expand_home("~/x", &no_env).unwrap_err();
        assert!(err.contains("HOME is not set"), "{err}");
        let windows = env_of(&[("USERPROFILE", "/users/me")]);
        assert_eq!(
            expand_home("~/x", &windows),
            Ok(PathBuf::from("/users/me/x"))
        );
        // An explicit path, elsewhere.
        let other = tempfile::tempdir().unwrap();
        let file = other.path().join("session.json");
        std::fs::write(&file, SESSION).unwrap();
        let inputs = ProviderInputs {
            spirlctl_config_path: known(file.to_str().unwrap()),
            ..ProviderInputs::default()
        };
        let (config, _) = ready(&inputs, &no_env);
        assert!(matches!(&config.credentials, Credentials::Spirlctl(s) if s.path == file));
    }

    #[test]
    fn config_service_account_key_wins_over_spirlctl() {
        let home = home_with(Some(SESSION));
        let (inputs, _) = with_credentials();
        let (config, problems) = ready(&inputs, &env_home(&home));
        assert!(problems.is_empty());
        assert_eq!(config.credentials.key_id(), Some("sak-abc123"));
        assert_eq!(
            config.unused_spirlctl_config,
            Some(home.path().join(".spirl/config.json"))
        );
        // From the environment too.
        let pair = KeyPair::generate();
        let env = env_of(&[
            ("HOME", home.path().to_str().unwrap()),
            (ENV_SA_KEY_ID, "sak-env"),
            (ENV_SA_PRIVATE_KEY, pair.private_key_pem().expose()),
        ]);
        let (config, _) = ready(&ProviderInputs::default(), &env);
        assert_eq!(config.credentials.key_id(), Some("sak-env"));
        // Half a key is an error, not a fallback to the session.
        let env = env_of(&[
            ("HOME", home.path().to_str().unwrap()),
            (ENV_SA_KEY_ID, "sak-env"),
        ]);
        let (path, _) = error(&ProviderInputs::default(), &env);
        assert_eq!(path, "sa_private_key");
        // Without a session file, nothing is said about one.
        let empty = home_with(None);
        let (config, _) = ready(&inputs, &env_home(&empty));
        assert!(config.unused_spirlctl_config.is_none());
    }

    #[test]
    fn config_unusable_spirlctl_session_is_an_error_only_for_the_api() {
        let long = format!(r#"{{"creds":{{"token":"{}"}}}}"#, "t".repeat(2 << 20));
        for (contents, reason) in [
            (None, "does not exist"),
            (Some("{not json"), "not valid JSON (line 1, column 2)"),
            (Some(r#"{"creds":{"token":"#), "ends too early"),
            (Some(r#"{"creds":{}}"#), "`creds.token` is missing"),
            (Some(r#"{"other":1}"#), "`creds.token` is missing"),
            (
                Some(r#"["tok-very-secret-123"]"#),
                "`creds.token` is missing",
            ),
            (Some(r#""tok-very-secret-123""#), "`creds.token` is missing"),
            (
                Some(r#"{"creds":"tok-very-secret-123"}"#),
                "`creds.token` is missing",
            ),
            (Some(r#"{"creds":{"token":123}}"#), "not a string"),
            (Some(r#"{"creds":{"token":""}}"#), "is empty"),
            (Some(r#"{"creds":{"token":"  "}}"#), "is empty"),
            (
                Some(r#"{"creds":{"token":"tok-very-secret-123\n"}}"#),
                "characters a token cannot have",
            ),
            (Some(long.as_str()), "larger than"),
        ] {
            let home = home_with(contents);
            let (setup, problems) = resolve(&ProviderInputs::default(), &env_home(&home));
            assert!(problems.is_empty(), "{contents:?}: validate stays quiet");
            let problem = setup.unwrap().client_settings().unwrap_err();
            assert_eq!(problem.path.to_string(), "sa_key_id");
            let detail = &problem.detail;
            assert!(detail.contains(reason), "{contents:?}: {detail}");
            assert!(
                detail.contains(".spirl/config.json"),
                "names the file: {detail}"
            );
            assert!(detail.contains("SPIRL_SA_KEY_ID") && detail.contains("`spirlctl login`"));
            assert!(!detail.contains("very-secret"), "{detail}");
            assert!(!format!("{problem:?}").contains("very-secret"));
        }
        // A directory where the file should be.
        let home = home_with(None);
        std::fs::create_dir_all(home.path().join(".spirl/config.json")).unwrap();
        let (setup, _) = resolve(&ProviderInputs::default(), &env_home(&home));
        let detail = setup.unwrap().client_settings().unwrap_err().detail;
        assert!(detail.contains("cannot be read"), "{detail}");
        // An explicit path: the error points at it.
        let inputs = ProviderInputs {
            spirlctl_config_path: known("/nonexistent/spirl.json"),
            ..ProviderInputs::default()
        };
        let (setup, _) = resolve(&inputs, &no_env);
        let problem = setup.unwrap().client_settings().unwrap_err();
        assert_eq!(problem.path.to_string(), "spirlctl_config_path");
        assert!(problem.detail.contains("/nonexistent/spirl.json"));
    }

    #[test]
    fn config_spirlctl_path_rules() {
        let inputs = ProviderInputs {
            spirlctl_config_path: known(" "),
            ..ProviderInputs::default()
        };
        let (path, detail) = error(&inputs, &no_env);
        assert_eq!(path, "spirlctl_config_path");
        assert!(detail.contains("is empty"), "{detail}");
        // Not known yet: pending, unless a key makes it irrelevant.
        let inputs = ProviderInputs {
            spirlctl_config_path: Attr::Unknown,
            ..ProviderInputs::default()
        };
        let (setup, problems) = resolve(&inputs, &no_env);
        assert!(problems.is_empty());
        assert!(
            matches!(setup, Some(ClientSetup::Pending { unknown }) if unknown == ["spirlctl_config_path"])
        );
        let (mut inputs, _) = with_credentials();
        inputs.spirlctl_config_path = Attr::Unknown;
        let (config, _) = ready(&inputs, &no_env);
        assert_eq!(config.credentials.key_id(), Some("sak-abc123"));
    }

    #[test]
    fn config_defaults_with_credentials() {
        let (inputs, pair) = with_credentials();
        let (config, problems) = ready(&inputs, &no_env);
        assert!(problems.is_empty());
        assert_eq!(config.base_url.as_str(), "https://api.spirl.com/");
        assert_eq!(config.request_timeout, Duration::from_secs(30));
        assert_eq!(config.max_retries, 5);
        let Credentials::ServiceAccount(key) = &config.credentials else {
            panic!("a service-account key: {config:?}");
        };
        assert_eq!(key.key_id, "sak-abc123");
        assert_eq!(key.private_key.public_key(), pair.public_key());
        assert!(
            !format!("{config:?}")
                .contains(pair.private_key_pem().expose().lines().nth(1).unwrap())
        );
    }

    #[test]
    fn config_environment_fallbacks() {
        let pair = KeyPair::generate();
        let pem = pair.private_key_pem();
        // As a CI secret often holds it: newlines written as `\n`.
        let escaped = pem.expose().replace('\n', "\\n");
        let env = env_of(&[
            (ENV_ENDPOINT, "http://127.0.0.1:8080"),
            (ENV_SA_KEY_ID, "sak-fromenv"),
            (ENV_SA_PRIVATE_KEY, &escaped),
        ]);
        let (config, problems) = ready(&ProviderInputs::default(), &env);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(config.base_url.as_str(), "http://127.0.0.1:8080/");
        assert_eq!(config.credentials.key_id(), Some("sak-fromenv"));
        // The configuration wins over the environment.
        let (mut inputs, _) = with_credentials();
        inputs.endpoint = known("api.example.com:8443");
        let (config, _) = ready(&inputs, &env);
        assert_eq!(config.base_url.as_str(), "https://api.example.com:8443/");
        assert_eq!(config.credentials.key_id(), Some("sak-abc123"));
    }

    #[test]
    fn config_endpoint_forms() {
        let (mut inputs, _) = with_credentials();
        for (endpoint, use_tls, expected) in [
            (
                "api.example.com:443",
                Attr::Null,
                "https://api.example.com/",
            ),
            ("api.example.com", Attr::Null, "https://api.example.com/"),
            (
                "https://api.example.com:8443/",
                Attr::Null,
                "https://api.example.com:8443/",
            ),
            (
                "HTTPS://API.example.com",
                Attr::Null,
                "https://api.example.com/",
            ),
            (
                "http://localhost:8080",
                Attr::Null,
                "http://localhost:8080/",
            ),
            ("[::1]:8080", Attr::Value(false), "http://[::1]:8080/"),
            ("127.0.0.1:443", Attr::Value(false), "http://127.0.0.1:443/"),
            ("localhost", Attr::Value(false), "http://localhost/"),
        ] {
            inputs.endpoint = known(endpoint);
            inputs.use_tls = use_tls;
            let (config, problems) = ready(&inputs, &no_env);
            assert!(problems.is_empty(), "{endpoint}: {problems:?}");
            assert_eq!(config.base_url.as_str(), expected, "{endpoint}");
        }
    }

    #[test]
    fn config_endpoint_invalid() {
        let (mut inputs, _) = with_credentials();
        let long_label = format!("https://{}.example.com", "a".repeat(64));
        let long_name = format!("{}example.com", "a.".repeat(125));
        for (endpoint, reason) in [
            ("", "is empty"),
            ("аpi.spirl.com", "non-ASCII"),
            ("api.spirl.com :443", "whitespace"),
            ("ftp://api.spirl.com", "only `https` and `http`"),
            (
                "https://user:hunter2@api.spirl.com",
                "user name or password",
            ),
            ("https://api.spirl.com/v1", "path, query or fragment"),
            ("api.spirl.com:99999", "cannot be parsed"),
            ("https://", "cannot be parsed"),
            (long_label.as_str(), "at most 63"),
            (long_name.as_str(), "at most 253"),
        ] {
            inputs.endpoint = known(endpoint);
            let (path, detail) = error(&inputs, &no_env);
            assert_eq!(path, "endpoint");
            assert!(detail.contains(reason), "{endpoint}: {detail}");
            assert!(!detail.contains("hunter2"));
        }
    }

    #[test]
    fn config_use_tls_contradicts_endpoint() {
        let (mut inputs, _) = with_credentials();
        inputs.endpoint = known("http://127.0.0.1:8080");
        inputs.use_tls = Attr::Value(true);
        let (path, detail) = error(&inputs, &no_env);
        assert_eq!(path, "use_tls");
        assert!(detail.contains("`http://`"), "{detail}");
        inputs.endpoint = known("https://api.example.com");
        inputs.use_tls = Attr::Null;
        let (path, detail) = error(&inputs, &env_of(&[(ENV_USE_TLS, "false")]));
        assert_eq!(path, "use_tls");
        assert!(detail.contains("(from SPIRL_USE_TLS)"), "{detail}");
        let (path, detail) = error(&inputs, &env_of(&[(ENV_USE_TLS, "maybe")]));
        assert_eq!(path, "use_tls");
        assert!(detail.contains("`true` or `false`"));
    }

    #[test]
    fn config_plain_http_remote_refused_unless_explicit() {
        let (mut inputs, _) = with_credentials();
        inputs.endpoint = known("http://api.example.com");
        let (path, detail) = error(&inputs, &no_env);
        assert_eq!(path, "endpoint");
        assert!(detail.contains("use_tls = false"));
        for (endpoint, use_tls, env) in [
            ("http://api.example.com", Attr::Value(false), env_of(&[])),
            ("api.example.com:8080", Attr::Value(false), env_of(&[])),
            (
                "api.example.com:8080",
                Attr::Null,
                env_of(&[(ENV_USE_TLS, "false")]),
            ),
        ] {
            inputs.endpoint = known(endpoint);
            inputs.use_tls = use_tls;
            let (config, problems) = ready(&inputs, &env);
            assert_eq!(config.base_url.scheme(), "http");
            assert_eq!(problems.len(), 1, "{problems:?}");
            assert_eq!(problems[0].severity, Severity::Warning);
            assert_eq!(problems[0].path.to_string(), "endpoint");
        }
    }

    #[test]
    fn config_credentials_rules() {
        let (mut inputs, pair) = with_credentials();
        inputs.sa_key_id = known("key-1");
        let (path, detail) = error(&inputs, &no_env);
        assert_eq!(path, "sa_key_id");
        assert!(detail.contains("`sak-`"));
        inputs.sa_key_id = known("sak-abc");
        inputs.sa_private_key = Attr::Value(SecretString::new(pair.public_key().to_pem()));
        let (path, detail) = error(&inputs, &no_env);
        assert_eq!(path, "sa_private_key");
        assert!(detail.contains("private key is expected"), "{detail}");
        inputs.sa_private_key = Attr::Null;
        let (path, _) = error(&inputs, &no_env);
        assert_eq!(path, "sa_private_key");
        let (path, _) = error(&inputs, &env_of(&[(ENV_SA_PRIVATE_KEY, "   ")]));
        assert_eq!(path, "sa_private_key");
        inputs.sa_key_id = Attr::Null;
        inputs.sa_private_key = Attr::Value(pair.private_key_pem());
        let (path, _) = error(&inputs, &no_env);
        assert_eq!(path, "sa_key_id");
    }

    #[test]
    fn config_sa_key_id_is_opaque() {
        let (mut inputs, _) = with_credentials();
        // No alphabet or length rule (DESIGN.md §2 "Migration"): the control plane judges.
        let long = format!("sak-{}", "x".repeat(300));
        for good in ["sak-ABC_123", "sak-0.9:z", "sak-x", long.as_str()] {
            inputs.sa_key_id = known(good);
            let (config, problems) = ready(&inputs, &no_env);
            assert!(problems.is_empty(), "{good}: {problems:?}");
            assert_eq!(config.credentials.key_id(), Some(good));
        }
        for bad in [
            "sak-", "sak-a b", "sak-a/b", "SAK-abc", "sa-abc", " sak-abc",
        ] {
            inputs.sa_key_id = known(bad);
            let (path, detail) = error(&inputs, &no_env);
            assert_eq!(path, "sa_key_id", "{bad}");
            assert!(detail.contains("whitespace or `/`"), "{bad}: {detail}");
        }
    }

    #[test]
    fn config_private_key_never_in_problems() {
        let pair = KeyPair::generate();
        let pem = pair.private_key_pem();
        let body = pem.expose().lines().nth(1).unwrap();
        let broken = pem
            .expose()
            .replace("-----END PRIVATE KEY-----", "-----END PUBLIC KEY-----");
        for bad in [
            format!(
                "junk {body}\n-----BEGIN PRIVATE KEY-----\n{body}!\n-----END PRIVATE KEY-----\n"
            ),
            broken,
            body.to_owned(),
        ] {
            let inputs = ProviderInputs {
                sa_key_id: known("sak-abc"),
                sa_private_key: Attr::Value(SecretString::new(bad)),
                ..ProviderInputs::default()
            };
            let (_, problems) = resolve(&inputs, &no_env);
            assert_eq!(problems.len(), 1);
            assert!(
                !format!("{problems:?}").contains(&body[..20]),
                "{problems:?}"
            );
        }
    }

    #[test]
    fn config_unknown_values_are_pending_not_errors() {
        let (mut inputs, _) = with_credentials();
        inputs.endpoint = Attr::Unknown;
        inputs.sa_private_key = Attr::Unknown;
        let (setup, problems) = resolve(&inputs, &no_env);
        assert!(problems.is_empty());
        let setup = setup.unwrap();
        assert!(
            matches!(&setup, ClientSetup::Pending { unknown } if unknown == &["endpoint", "sa_private_key"])
        );
        let problem = setup.client_settings().unwrap_err();
        assert!(
            problem
                .detail
                .contains("`endpoint`, `sa_private_key` depend on"),
            "{}",
            problem.detail
        );
        // Known values are still checked.
        inputs.max_retries = Attr::Value(21);
        let (path, _) = error(&inputs, &no_env);
        assert_eq!(path, "max_retries");
    }

    #[test]
    fn config_request_timeout_and_max_retries() {
        let (mut inputs, _) = with_credentials();
        for (text, expected) in [
            ("30s", 30_000),
            ("1m30s", 90_000),
            ("500ms", 500),
            ("0.5h", 1_800_000),
            ("1h", 3_600_000),
        ] {
            inputs.request_timeout = known(text);
            let (config, _) = ready(&inputs, &no_env);
            assert_eq!(
                config.request_timeout,
                Duration::from_millis(expected),
                "{text}"
            );
        }
        for (text, reason) in [
            ("30", "has no unit"),
            ("", "it is empty"),
            ("5 s", "is not a unit"),
            ("10d", "is not a unit"),
            ("s", "expected a number"),
            ("0s", "outside"),
            ("0.5ms", "outside"),
            ("2h", "outside"),
            ("1e400s", "is not a unit"),
            ("99999999999999999999h", "too long"),
            ("1..2s", "is not a number"),
        ] {
            inputs.request_timeout = known(text);
            let (path, detail) = error(&inputs, &no_env);
            assert_eq!(path, "request_timeout");
            assert!(detail.contains(reason), "{text}: {detail}");
        }
        inputs.request_timeout = Attr::Null;
        for n in [0, 20] {
            inputs.max_retries = Attr::Value(n);
            assert_eq!(ready(&inputs, &no_env).0.max_retries as i64, n);
        }
        for n in [-1, 21, i64::MAX] {
            inputs.max_retries = Attr::Value(n);
            assert_eq!(error(&inputs, &no_env).0, "max_retries");
        }
    }
}
