//! The client's connections: TCP (`TCP_NODELAY`), through an HTTP `CONNECT` tunnel when
//! `HTTPS_PROXY` applies, then TLS (rustls, ALPN `h2`) unless `use_tls = false`. tonic runs
//! HTTP/2 over what this connector returns; one connection carries every concurrent call.
//!
//! Proxies follow what Go's gRPC does for the official provider: `HTTPS_PROXY` (or
//! `https_proxy`) names an `http://` proxy, `NO_PROXY` (or `no_proxy`) lists hosts, domains
//! (`example.com` and `.example.com` both cover subdomains), IP addresses, CIDR ranges and `*`
//! that go direct, and loopback addresses never use a proxy. The proxy's credentials, when its URL
//! carries them, go in `Proxy-Authorization` and are never logged or shown.

use std::future::Future;
use std::net::IpAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use base64::Engine as _;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio_rustls::rustls;
use tonic::transport::Uri;

use crate::secret::SecretString;

/// Longest answer header a proxy may send to `CONNECT`.
const MAX_PROXY_ANSWER: usize = 16 * 1024;

/// An HTTP proxy to tunnel through.
#[derive(Clone)]
pub struct ProxySettings {
    /// Host of the proxy.
    pub host: String,
    /// Port of the proxy (default 80... as Go: the scheme's, 80 for `http://`).
    pub port: u16,
    /// `user:password` for `Proxy-Authorization: Basic`, percent-decoded.
    pub credentials: Option<SecretString>,
    /// Where the setting came from (`HTTPS_PROXY`), for error messages.
    pub source: &'static str,
}

impl std::fmt::Debug for ProxySettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProxySettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field(
                "credentials",
                &self.credentials.as_ref().map(|_| "<redacted>"),
            )
            .field("source", &self.source)
            .finish()
    }
}

/// The proxy for `host`, from the environment `env` gives, or `None` (go direct). `Err` names
/// the variable whose value cannot be used.
pub fn proxy_for(
    host: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<ProxySettings>, String> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if host.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
    {
        return Ok(None);
    }
    let Some((source, text)) = [
        ("HTTPS_PROXY", "HTTPS_PROXY"),
        ("https_proxy", "https_proxy"),
    ]
    .iter()
    .find_map(|(name, var)| env(var).map(|v| (*name, v))) else {
        return Ok(None);
    };
    let no_proxy = env("NO_PROXY")
        .or_else(|| env("no_proxy"))
        .unwrap_or_default();
    if bypasses(&no_proxy, bare) {
        return Ok(None);
    }
    let with_scheme = if text.contains("://") {
        text.clone()
    } else {
        format!("http://{text}")
    };
    let url = url::Url::parse(&with_scheme)
        .map_err(|e| format!("{source} is not a proxy URL ({e}); write it as http://host:port"))?;
    if url.scheme() != "http" {
        return Err(format!(
            "{source} uses the scheme `{}`; only `http://` proxies (HTTP CONNECT) are supported",
            url.scheme()
        ));
    }
    let proxy_host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| format!("{source} names no proxy host"))?;
    let credentials = (!url.username().is_empty()).then(|| {
        let decode = |s: &str| {
            url::form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        SecretString::new(format!(
            "{}:{}",
            decode(url.username()),
            decode(url.password().unwrap_or_default())
        ))
    });
    Ok(Some(ProxySettings {
        host: proxy_host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned(),
        port: url.port_or_known_default().unwrap_or(80),
        credentials,
        source,
    }))
}

/// Whether `NO_PROXY` sends `host` direct.
fn bypasses(no_proxy: &str, host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    let ip = host.parse::<IpAddr>().ok();
    no_proxy
        .split(',')
        .map(|entry| entry.trim().to_ascii_lowercase())
        .filter(|entry| !entry.is_empty())
        .any(|entry| {
            if entry == "*" {
                return true;
            }
            if let (Some(ip), Some((net, bits))) = (ip, entry.split_once('/')) {
                return in_cidr(ip, net, bits);
            }
            // An entry may carry a port; the port does not narrow it here.
            let name = match entry.rsplit_once(':') {
                Some((name, port))
                    if port.bytes().all(|b| b.is_ascii_digit()) && !name.contains(':') =>
                {
                    name.to_owned()
                }
                _ => entry
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .to_owned(),
            };
            let name = name.trim_start_matches("*.").trim_start_matches('.');
            host == name || host.ends_with(&format!(".{name}"))
        })
}

fn in_cidr(ip: IpAddr, net: &str, bits: &str) -> bool {
    let (Ok(net), Ok(bits)) = (net.parse::<IpAddr>(), bits.parse::<u32>()) else {
        return false;
    };
    match (ip, net) {
        (IpAddr::V4(ip), IpAddr::V4(net)) if bits <= 32 => {
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) if bits <= 128 => {
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

/// The certificates the client trusts: Mozilla's roots, the system's (or what `SSL_CERT_FILE`
/// and `SSL_CERT_DIR` name instead, as OpenSSL does), and `SSL_CERT_FILE` itself, so that a
/// private CA adds to the public roots rather than replacing them.
pub fn tls_config(ssl_cert_file: Option<&PathBuf>) -> Result<rustls::ClientConfig, String> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject as _;
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for cert in rustls_native_certs::load_native_certs().certs {
        // The system store may hold a certificate rustls cannot parse; it is skipped, as Go does.
        let _ = roots.add(cert);
    }
    if let Some(file) = ssl_cert_file {
        let certs = CertificateDer::pem_file_iter(file)
            .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
            .map_err(|e| {
                format!(
                    "SSL_CERT_FILE names {}, which cannot be read as PEM certificates ({e})",
                    file.display()
                )
            })?;
        if certs.is_empty() {
            return Err(format!(
                "SSL_CERT_FILE names {}, which holds no PEM certificate",
                file.display()
            ));
        }
        for cert in certs {
            roots.add(cert).map_err(|e| {
                format!(
                    "a certificate in SSL_CERT_FILE ({}) is unusable: {e}",
                    file.display()
                )
            })?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup failed: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(config)
}

/// A byte stream tonic can run HTTP/2 over.
pub(crate) trait Io: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Io for T {}

/// Dials the endpoint for tonic: see the module docs.
#[derive(Clone)]
pub(crate) struct Connector {
    inner: Arc<Dial>,
}

struct Dial {
    host: String,
    port: u16,
    tls: Option<(
        tokio_rustls::TlsConnector,
        rustls::pki_types::ServerName<'static>,
    )>,
    proxy: Option<ProxySettings>,
    connect_timeout: Duration,
}

impl Connector {
    pub(crate) fn new(
        host: &str,
        port: u16,
        tls: Option<rustls::ClientConfig>,
        proxy: Option<ProxySettings>,
        connect_timeout: Duration,
    ) -> Result<Self, String> {
        let bare = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let tls = match tls {
            None => None,
            Some(config) => {
                let name = rustls::pki_types::ServerName::try_from(bare.clone())
                    .map_err(|e| format!("`{bare}` cannot be a TLS server name: {e}"))?;
                Some((tokio_rustls::TlsConnector::from(Arc::new(config)), name))
            }
        };
        Ok(Self {
            inner: Arc::new(Dial {
                host: bare,
                port,
                tls,
                proxy,
                connect_timeout,
            }),
        })
    }
}

impl tower::Service<Uri> for Connector {
    type Response = TokioIo<Box<dyn Io>>;
    type Error = std::io::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _uri: Uri) -> Self::Future {
        let dial = self.inner.clone();
        Box::pin(async move {
            let connect = dial.connect();
            match tokio::time::timeout(dial.connect_timeout, connect).await {
                Ok(io) => io.map(TokioIo::new),
                Err(_) => Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!(
                        "connecting took longer than {}",
                        humantime::format_duration(dial.connect_timeout)
                    ),
                )),
            }
        })
    }
}

impl Dial {
    async fn connect(&self) -> std::io::Result<Box<dyn Io>> {
        let tcp = match &self.proxy {
            None => {
                let tcp = TcpStream::connect((self.host.as_str(), self.port)).await?;
                tcp.set_nodelay(true)?;
                tcp
            }
            Some(proxy) => self.tunnel(proxy).await?,
        };
        match &self.tls {
            None => Ok(Box::new(tcp)),
            Some((connector, name)) => {
                // Name the endpoint: a certificate error is about this host, not the proxy's.
                let tls = connector.connect(name.clone(), tcp).await.map_err(|e| {
                    std::io::Error::new(
                        e.kind(),
                        format!("TLS handshake with {}:{}: {e}", self.host, self.port),
                    )
                })?;
                Ok(Box::new(tls))
            }
        }
    }

    /// A TCP stream to the endpoint through `proxy`'s `CONNECT`.
    async fn tunnel(&self, proxy: &ProxySettings) -> std::io::Result<TcpStream> {
        let failed = |what: String| {
            std::io::Error::other(format!(
                "proxy {}:{} ({}): {what}",
                proxy.host, proxy.port, proxy.source
            ))
        };
        let mut tcp = TcpStream::connect((proxy.host.as_str(), proxy.port))
            .await
            .map_err(|e| failed(format!("cannot connect: {e}")))?;
        tcp.set_nodelay(true)?;
        let target = if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        };
        let mut request = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n");
        if let Some(credentials) = &proxy.credentials {
            let encoded = base64::engine::general_purpose::STANDARD.encode(credentials.expose());
            request.push_str(&format!("Proxy-Authorization: Basic {encoded}\r\n"));
        }
        request.push_str("\r\n");
        tcp.write_all(request.as_bytes()).await?;
        // Read the answer's head byte by byte: nothing after it may be consumed, it is the
        // tunnel's first bytes (the server speaks only after the client's preface, but a TLS
        // server may not wait).
        let mut head = Vec::with_capacity(256);
        while !head.ends_with(b"\r\n\r\n") {
            if head.len() >= MAX_PROXY_ANSWER {
                return Err(failed("its answer to CONNECT is too long".into()));
            }
            let byte = tcp.read_u8().await.map_err(|e| {
                failed(format!(
                    "closed the connection before answering CONNECT ({e})"
                ))
            })?;
            head.push(byte);
        }
        let status_line = String::from_utf8_lossy(&head);
        let status_line = status_line.lines().next().unwrap_or_default();
        let code = status_line.split_whitespace().nth(1).unwrap_or_default();
        if !code.starts_with('2') || code.len() != 3 {
            return Err(failed(format!(
                "refused to tunnel to {target}: `{}`{}",
                status_line.chars().take(200).collect::<String>(),
                if code == "407" {
                    "; put the proxy's user and password in the proxy URL (http://user:password@host:port)"
                } else {
                    ""
                }
            )));
        }
        Ok(tcp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn proxy_from_https_proxy_with_credentials() {
        let proxy = proxy_for(
            "api.spirl.com",
            &env(&[("HTTPS_PROXY", "http://us%40r:p%3Ass@proxy.corp:3128")]),
        )
        .unwrap_or_default()
        .expect("a proxy");
        assert_eq!((proxy.host.as_str(), proxy.port), ("proxy.corp", 3128));
        assert_eq!(
            proxy.credentials.as_ref().map(SecretString::expose),
            Some("us@r:p:ss")
        );
        assert!(!format!("{proxy:?}").contains("p:ss"));
        let bare = proxy_for("api.spirl.com", &env(&[("https_proxy", "proxy.corp:8080")]))
            .unwrap_or_default()
            .expect("a proxy");
        assert_eq!(bare.port, 8080);
    }

    #[test]
    fn proxy_never_for_loopback_and_no_proxy_rules() {
        let vars: &'static [(&str, &str)] = &[
            ("HTTPS_PROXY", "http://proxy:3128"),
            (
                "NO_PROXY",
                "internal.example, .corp.example:443, 10.0.0.0/8, 192.168.1.5",
            ),
        ];
        let via = |host: &str| proxy_for(host, &env(vars)).unwrap_or_default().is_some();
        assert!(!via("127.0.0.1"));
        assert!(!via("localhost"));
        assert!(!via("[::1]"));
        assert!(!via("internal.example"));
        assert!(!via("api.internal.example"));
        assert!(!via("x.corp.example"));
        assert!(!via("10.1.2.3"));
        assert!(!via("192.168.1.5"));
        assert!(via("192.168.1.6"));
        assert!(via("api.spirl.com"));
        assert!(via("notinternal.example"));
        let all: &'static [(&str, &str)] =
            &[("HTTPS_PROXY", "http://proxy:3128"), ("no_proxy", "*")];
        assert!(
            proxy_for("api.spirl.com", &env(all))
                .unwrap_or_default()
                .is_none()
        );
    }

    #[test]
    fn proxy_other_schemes_are_refused_by_name() {
        let err = proxy_for(
            "api.spirl.com",
            &env(&[("HTTPS_PROXY", "socks5://proxy:1080")]),
        )
        .err()
        .unwrap_or_default();
        assert!(
            err.contains("HTTPS_PROXY") && err.contains("socks5"),
            "{err}"
        );
    }
}
