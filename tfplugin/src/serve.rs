//! Serving a provider as Terraform's plugin: the go-plugin handshake (magic cookie, protocol
//! version, a unix socket in a private directory, AutoMTLS), the gRPC server, a clean exit on
//! StopProvider or Shutdown, and a prompt one when Terraform is gone without either
//! ([`crate::lifeline`]). Plus [`serve_on`] and [`connect`] for in-process tests.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use magma_protocol::tfplugin6::provider_client::ProviderClient;
use tokio::net::{UnixListener, UnixStream};
use tonic::transport::{Channel, Endpoint, Server, server::Router};

use crate::goplugin::{self, GoPlugin};
use crate::lifeline::Lifeline;
use crate::log;
use crate::provider::Provider;
use crate::server::ProviderService;
use crate::stop::StopSignal;
use crate::tls::{self, TlsError};

/// The environment variable Terraform sets to prove it launched the plugin.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// Its value.
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// The plugin protocol version spoken here.
pub const PROTOCOL_VERSION: u32 = 6;

/// How long in-flight requests may run on after a stop before the process exits anyway.
const STOP_GRACE: Duration = Duration::from_secs(10);
/// How long in-flight requests may run on once Terraform is gone: nobody will read their
/// answers, so this only lets handlers that watch [`crate::stopped`] end tidily.
const GONE_GRACE: Duration = Duration::from_secs(1);

/// Why serving failed.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Started by hand rather than by Terraform.
    #[error(
        "This binary is a plugin. It is not meant to be executed directly.\n\
         Run Terraform (or OpenTofu) instead: it starts this provider when a configuration uses it."
    )]
    NotLaunchedByTerraform,
    /// Terraform offered no protocol version this provider speaks.
    #[error(
        "This provider speaks Terraform plugin protocol 6, but Terraform offered only version(s) {0}.\n\
         Use Terraform v1.0 or later (or OpenTofu)."
    )]
    UnsupportedProtocol(String),
    /// AutoMTLS setup failed.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// Socket or directory trouble.
    #[error("plugin I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The gRPC server failed.
    #[error("plugin gRPC server error: {0}")]
    Transport(#[from] tonic::transport::Error),
}

/// Serves `provider` as the plugin `terraform-provider-<name>` and returns the process exit
/// code: the whole of a provider's `main`. Builds its own tokio runtime.
pub fn serve<P: Provider>(name: &str, provider: P) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = rt.block_on(run(name, provider));
    // Blocking work still running (a DNS lookup, say) must not hold the exit up: it is
    // abandoned, as the process ends right after.
    rt.shutdown_background();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// Checks the magic cookie and the protocol versions Terraform offers.
pub fn check_environment() -> Result<(), ServeError> {
    if std::env::var(MAGIC_COOKIE_KEY).ok().as_deref() != Some(MAGIC_COOKIE_VALUE) {
        return Err(ServeError::NotLaunchedByTerraform);
    }
    if let Ok(offered) = std::env::var("PLUGIN_PROTOCOL_VERSIONS")
        && !offered.trim().is_empty()
        && !offered
            .split(',')
            .any(|v| v.trim().parse::<u32>() == Ok(PROTOCOL_VERSION))
    {
        return Err(ServeError::UnsupportedProtocol(offered));
    }
    Ok(())
}

/// [`serve`] inside an existing runtime.
pub async fn run<P: Provider>(name: &str, provider: P) -> Result<(), ServeError> {
    check_environment()?;
    log::init(name);
    // First, so that the parent it records is Terraform and not whoever adopted the process.
    let mut lifeline = Lifeline::start();
    let tls = match std::env::var("PLUGIN_CLIENT_CERT") {
        Ok(pem) if !pem.trim().is_empty() => {
            let client = tls::parse_pem_cert(&pem)?;
            let server = tls::generate_cert()?;
            let field = server.handshake_field();
            Some((Arc::new(tls::server_config(server, client)?), field))
        }
        _ => None,
    };
    let dir = SocketDir::create()?;
    let listener = UnixListener::bind(dir.socket())?;
    let stop = StopSignal::new();
    tokio::spawn(ignore_interrupts());
    // A plain SIGTERM still stops cleanly, so the socket directory goes away.
    if let Ok(mut term) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
    {
        let stop = stop.clone();
        tokio::spawn(async move {
            term.recv().await;
            stop.stop();
        });
    }
    let cert_field = tls.as_ref().map(|t| t.1.as_str()).unwrap_or("");
    let line = format!(
        "1|{PROTOCOL_VERSION}|unix|{}|grpc|{cert_field}\n",
        dir.socket().display()
    );
    {
        let mut out = std::io::stdout().lock();
        out.write_all(line.as_bytes())?;
        out.flush()?;
    }
    log::debug(
        "plugin serving",
        &[("address", &dir.socket().to_string_lossy())],
    );
    let serving = serve_listener(
        router(provider, &stop),
        listener,
        tls.map(|t| t.0),
        stop.clone(),
    );
    tokio::pin!(serving);
    let result = tokio::select! {
        r = &mut serving => r,
        gone = lifeline.gone() => {
            log::info(
                "Terraform is gone; the provider exits",
                &[("reason", &gone.to_string())],
            );
            stop.stop();
            tokio::time::timeout(GONE_GRACE, serving).await.unwrap_or(Ok(()))
        }
    };
    drop(dir);
    result
}

/// Terraform's go-plugin client expects plugins to survive Ctrl-C (it sends StopProvider).
async fn ignore_interrupts() {
    while tokio::signal::ctrl_c().await.is_ok() {
        log::trace(
            "interrupt received; waiting for Terraform to stop the provider",
            &[],
        );
    }
}

/// The provider service and the go-plugin services, on one tonic router.
fn router<P: Provider>(provider: P, stop: &StopSignal) -> Router {
    let gp = GoPlugin { stop: stop.clone() };
    Server::builder()
        .add_service(ProviderService::new(provider, stop.clone()).into_server())
        .add_service(goplugin::g_r_p_c_controller_server::GRPCControllerServer::new(gp.clone()))
        .add_service(goplugin::g_r_p_c_stdio_server::GRPCStdioServer::new(
            gp.clone(),
        ))
        .add_service(goplugin::g_r_p_c_broker_server::GRPCBrokerServer::new(
            gp.clone(),
        ))
        .add_service(goplugin::health_server::HealthServer::new(gp))
}

async fn serve_listener(
    router: Router,
    listener: UnixListener,
    tls: Option<Arc<rustls::ServerConfig>>,
    stop: StopSignal,
) -> Result<(), ServeError> {
    let graceful = {
        let stop = stop.clone();
        async move { stop.stopped().await }
    };
    let deadline = {
        let stop = stop.clone();
        async move {
            stop.stopped().await;
            tokio::time::sleep(STOP_GRACE).await;
        }
    };
    let serving = async {
        match tls {
            None => {
                let incoming = tokio_stream::wrappers::UnixListenerStream::new(listener);
                router
                    .serve_with_incoming_shutdown(incoming, graceful)
                    .await
            }
            Some(cfg) => {
                let (tx, rx) = tokio::sync::mpsc::channel(16);
                tokio::spawn(accept_tls(
                    listener,
                    tokio_rustls::TlsAcceptor::from(cfg),
                    tx,
                    stop.clone(),
                ));
                let incoming = tokio_stream::wrappers::ReceiverStream::new(rx);
                router
                    .serve_with_incoming_shutdown(incoming, graceful)
                    .await
            }
        }
    };
    tokio::select! {
        r = serving => r?,
        () = deadline => log::warn("requests still running after stop; exiting anyway", &[]),
    }
    Ok(())
}

type TlsConn = tokio_rustls::server::TlsStream<UnixStream>;

/// Accepts connections and runs each TLS handshake on its own task; refused peers are logged.
async fn accept_tls(
    listener: UnixListener,
    acceptor: tokio_rustls::TlsAcceptor,
    tx: tokio::sync::mpsc::Sender<Result<TlsConn, std::io::Error>>,
    stop: StopSignal,
) {
    loop {
        let conn = tokio::select! {
            c = listener.accept() => c,
            () = stop.stopped() => return,
        };
        let Ok((stream, _)) = conn else { continue };
        let (acceptor, tx) = (acceptor.clone(), tx.clone());
        tokio::spawn(async move {
            match tokio::time::timeout(Duration::from_secs(30), acceptor.accept(stream)).await {
                Ok(Ok(tls)) => {
                    let _ = tx.send(Ok(tls)).await;
                }
                Ok(Err(e)) => log::warn(
                    "refused a connection: TLS handshake failed",
                    &[("error", &e.to_string())],
                ),
                Err(_) => log::warn("refused a connection: TLS handshake timed out", &[]),
            }
        });
    }
}

/// A private directory (mode 0700) holding the plugin socket; removed on drop.
struct SocketDir {
    path: PathBuf,
}

impl SocketDir {
    fn create() -> std::io::Result<SocketDir> {
        use std::os::unix::fs::DirBuilderExt;
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let parent = std::env::var_os("PLUGIN_UNIX_SOCKET_DIR")
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(std::env::temp_dir);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        loop {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let path = parent.join(format!("tfplugin-{}-{nanos:08x}-{n}", std::process::id()));
            match std::fs::DirBuilder::new().mode(0o700).create(&path) {
                Ok(()) => return Ok(SocketDir { path }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
    }

    fn socket(&self) -> PathBuf {
        self.path.join("plugin.sock")
    }
}

impl Drop for SocketDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Serves `provider` without TLS on an already-bound unix listener until `stop` fires (or
/// StopProvider / Shutdown fire it). For in-process tests.
pub async fn serve_on<P: Provider>(
    listener: UnixListener,
    provider: P,
    stop: StopSignal,
) -> Result<(), ServeError> {
    serve_listener(router(provider, &stop), listener, None, stop).await
}

/// Connects a `ProviderClient` to a plugin socket, optionally over TLS (as Terraform would).
pub async fn connect(
    socket: &Path,
    tls: Option<Arc<rustls::ClientConfig>>,
) -> Result<ProviderClient<Channel>, tonic::transport::Error> {
    Ok(ProviderClient::new(channel(socket, tls).await?)
        .max_decoding_message_size(256 << 20)
        .max_encoding_message_size(256 << 20))
}

/// A gRPC channel to a plugin socket, for any of its services.
pub async fn channel(
    socket: &Path,
    tls: Option<Arc<rustls::ClientConfig>>,
) -> Result<Channel, tonic::transport::Error> {
    let socket = socket.to_owned();
    Endpoint::from_static("http://localhost")
        .connect_with_connector(tower::service_fn(move |_: tonic::transport::Uri| {
            let (socket, tls) = (socket.clone(), tls.clone());
            async move {
                let s = UnixStream::connect(&socket).await?;
                let io: Box<dyn Io> = match tls {
                    None => Box::new(s),
                    Some(cfg) => {
                        let name = rustls::pki_types::ServerName::try_from("localhost")
                            .map_err(|e| std::io::Error::other(e.to_string()))?;
                        Box::new(
                            tokio_rustls::TlsConnector::from(cfg)
                                .connect(name, s)
                                .await?,
                        )
                    }
                };
                Ok::<_, std::io::Error>(hyper_util::rt::TokioIo::new(io))
            }
        }))
        .await
}

/// An async byte stream (plain or TLS).
trait Io: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin> Io for T {}
