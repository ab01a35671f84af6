//! Serving: the tonic services of a state ([`routes`]), gRPC on a listener over h2c or TLS
//! ([`serve`]), the admin listener ([`serve_admin`]), and a mock running in the background for
//! tests ([`spawn`], [`RunningMock`]).

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use spirl_api_proto::{
    access, agentattestation, cicd, cluster, config, federation, providerattestation, realm,
    session, trustdomain,
};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_stream::Stream;
use tokio_stream::wrappers::ReceiverStream;
use tonic::service::Routes;
use tonic::transport::server::{Connected, TcpIncoming};

use crate::error::MockError;
use crate::options::MockOptions;
use crate::service::TrustDomainService;
use crate::service::access::AccessService;
use crate::service::attestation::{AgentAttestationService, ProviderAttestationService};
use crate::service::cicd::CicdService;
use crate::service::cluster::ClusterService;
use crate::service::federation::FederationService;
use crate::service::realm::RealmService;
use crate::service::sections::SectionsService;
use crate::session::SessionService;
use crate::state::{Credentials, MockState, Stats};

/// How long shutdown waits for calls in flight.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);
/// How long a client may take over its TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// The admin listener's one route.
pub const STATS_PATH: &str = "/_mock/stats";

/// Every service over `state`, for [`serve`] or for a test that serves them itself
/// (`tonic::transport::Server::builder().add_routes(routes(state))`).
pub fn routes(state: MockState) -> Routes {
    Routes::new(session::api_server::ApiServer::new(SessionService::new(
        state.clone(),
    )))
    .add_service(trustdomain::api_server::ApiServer::new(
        TrustDomainService::new(state.clone()),
    ))
    .add_service(realm::api_server::ApiServer::new(RealmService::new(
        state.clone(),
    )))
    .add_service(cluster::api_server::ApiServer::new(ClusterService::new(
        state.clone(),
    )))
    .add_service(agentattestation::api_server::ApiServer::new(
        AgentAttestationService::new(state.clone()),
    ))
    .add_service(providerattestation::api_server::ApiServer::new(
        ProviderAttestationService::new(state.clone()),
    ))
    .add_service(cicd::api_server::ApiServer::new(CicdService::new(
        state.clone(),
    )))
    .add_service(config::api_server::ApiServer::new(SectionsService::new(
        state.clone(),
    )))
    .add_service(federation::api_server::ApiServer::new(
        FederationService::new(state.clone()),
    ))
    .add_service(access::api_server::ApiServer::new(AccessService::new(
        state,
    )))
}

/// Serves every service on `listener` until `shutdown` completes, then lets calls in flight
/// finish (for a few seconds at most) and returns. Plaintext HTTP/2 (h2c), or TLS when the
/// state's configuration says `tls` (the certificate names the listener's address).
pub async fn serve(
    listener: TcpListener,
    state: MockState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let router = tonic::transport::Server::builder().add_routes(routes(state.clone()));
    if state.options().tls {
        let ip = listener.local_addr()?.ip();
        let tls = state.tls_for(ip).map_err(io::Error::other)?;
        let incoming = tls_incoming(listener, TlsAcceptor::from(tls.server_config.clone()));
        run(router, incoming, shutdown).await
    } else {
        // Loopback request/response traffic stalls on Nagle plus delayed ACKs otherwise.
        let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
        run(router, incoming, shutdown).await
    }
}

async fn run<I, IO, IE>(
    router: tonic::transport::server::Router,
    incoming: I,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()>
where
    I: Stream<Item = Result<IO, IE>>,
    IO: AsyncRead + AsyncWrite + Connected + Unpin + Send + 'static,
    IE: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = router.serve_with_incoming_shutdown(incoming, async {
        let _ = stopped.await;
    });
    let mut serving = std::pin::pin!(serving);
    tokio::select! {
        result = &mut serving => return result.map_err(io::Error::other),
        () = shutdown => {}
    }
    let _ = stop.send(());
    match tokio::time::timeout(SHUTDOWN_GRACE, serving).await {
        Ok(result) => result.map_err(io::Error::other),
        // Calls still in flight (a login stream left open) are cut.
        Err(_) => Ok(()),
    }
}

/// A TLS connection, as tonic wants it.
struct TlsConnection(tokio_rustls::server::TlsStream<TcpStream>);

impl Connected for TlsConnection {
    type ConnectInfo = ();

    fn connect_info(&self) -> Self::ConnectInfo {}
}

impl AsyncRead for TlsConnection {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for TlsConnection {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }
}

/// The next connection. A connection reset before accept, or running out of file descriptors,
/// passes: back off briefly and accept again rather than spin or stop.
async fn accept(listener: &TcpListener) -> TcpStream {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => return stream,
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

/// Accepts connections and completes their TLS handshakes concurrently (a slow or broken
/// client holds up nobody); yields the ones that succeed. Stops when the stream is dropped.
fn tls_incoming(
    listener: TcpListener,
    acceptor: TlsAcceptor,
) -> ReceiverStream<Result<TlsConnection, io::Error>> {
    let (tx, rx) = mpsc::channel(64);
    tokio::spawn(async move {
        loop {
            let stream = tokio::select! {
                stream = accept(&listener) => stream,
                () = tx.closed() => break,
            };
            let _ = stream.set_nodelay(true);
            let acceptor = acceptor.clone();
            let tx = tx.clone();
            tokio::spawn(async move {
                if let Ok(Ok(tls)) =
                    tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await
                {
                    let _ = tx.send(Ok(TlsConnection(tls))).await;
                }
            });
        }
    });
    ReceiverStream::new(rx)
}

/// Serves the admin listener (plain HTTP/1.1, no token): `GET /_mock/stats` answers the
/// [`Stats`] JSON, anything else 404. Records its address for the credentials' `admin_endpoint`.
pub async fn serve_admin(
    listener: TcpListener,
    state: MockState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    state.set_admin_endpoint(format!("http://{}", listener.local_addr()?));
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            stream = accept(&listener) => stream,
            () = &mut shutdown => break,
        };
        let state = state.clone();
        let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
            let state = state.clone();
            async move { Ok::<_, std::convert::Infallible>(admin_answer(&state, &request)) }
        });
        let connection = hyper::server::conn::http1::Builder::new()
            .serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await;
    Ok(())
}

fn admin_answer<B>(state: &MockState, request: &hyper::Request<B>) -> hyper::Response<Full<Bytes>> {
    let (status, content_type, body) = if request.method() == hyper::Method::GET
        && request.uri().path() == STATS_PATH
    {
        match serde_json::to_vec(&state.stats()) {
            Ok(json) => (hyper::StatusCode::OK, "application/json", json),
            Err(e) => (
                hyper::StatusCode::INTERNAL_SERVER_ERROR,
                "text/plain; charset=utf-8",
                e.to_string().into_bytes(),
            ),
        }
    } else {
        (
            hyper::StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
            format!("not found; the admin listener answers only GET {STATS_PATH}\n").into_bytes(),
        )
    };
    let mut response = hyper::Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static(content_type),
    );
    response
}

/// A mock serving in background tasks: gRPC and the admin listener. Dropping it stops both.
#[derive(Debug)]
pub struct RunningMock {
    /// The gRPC listener's address.
    pub addr: SocketAddr,
    /// The gRPC target, `127.0.0.1:PORT` (no scheme).
    pub endpoint: String,
    /// The bootstrap service account's credentials, with TLS and admin details.
    pub credentials: Credentials,
    /// The served state, for inspection, faults, or more service accounts.
    pub state: MockState,
    /// The admin listener's address (`GET /_mock/stats`).
    pub admin_addr: SocketAddr,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<io::Result<()>>>,
}

impl RunningMock {
    /// Serves `state` on the two listeners in background tasks. The listeners are bound, so the
    /// mock is ready for calls when this returns.
    pub fn start(
        state: MockState,
        listener: TcpListener,
        admin_listener: TcpListener,
    ) -> Result<RunningMock, MockError> {
        let addr = listener.local_addr().map_err(MockError::Serve)?;
        let admin_addr = admin_listener.local_addr().map_err(MockError::Serve)?;
        state.set_admin_endpoint(format!("http://{admin_addr}"));
        if state.options().tls {
            state.tls_for(addr.ip())?;
        }
        let endpoint = addr.to_string();
        let credentials = state.credentials(&endpoint);
        if let Some(path) = &state.options().spirlctl_config_out {
            let token = state
                .user_session_token()
                .map_err(|e| MockError::Config(format!("cannot make a spirlctl session: {e}")))?;
            crate::cli::write_spirlctl_config(path, &token)?;
        }
        let (stop, stopped) = watch::channel(false);
        let until_stopped = |mut stopped: watch::Receiver<bool>| async move {
            // A dropped sender stops the servers too.
            let _ = stopped.wait_for(|stop| *stop).await;
        };
        let tasks = vec![
            tokio::spawn(serve(
                listener,
                state.clone(),
                until_stopped(stopped.clone()),
            )),
            tokio::spawn(serve_admin(
                admin_listener,
                state.clone(),
                until_stopped(stopped),
            )),
        ];
        Ok(RunningMock {
            addr,
            endpoint,
            credentials,
            state,
            admin_addr,
            stop,
            tasks,
        })
    }

    /// Writes a `spirlctl login` session file to `path` (as `--spirlctl-config-out` does) with a
    /// new session of a user of the organisation, and returns its token (for tests that look for
    /// it where it must not appear).
    pub fn write_spirlctl_config(&self, path: &std::path::Path) -> Result<String, MockError> {
        let token = self
            .state
            .user_session_token()
            .map_err(|e| MockError::Config(format!("cannot make a spirlctl session: {e}")))?;
        crate::cli::write_spirlctl_config(path, &token)?;
        Ok(token)
    }

    /// Call and object counts, as `GET /_mock/stats` answers them.
    pub fn stats(&self) -> Stats {
        self.state.stats()
    }

    /// Stops both listeners and waits until they have stopped.
    pub async fn shutdown(mut self) -> io::Result<()> {
        let _ = self.stop.send(true);
        let mut result = Ok(());
        for task in std::mem::take(&mut self.tasks) {
            let outcome = task.await.map_err(io::Error::other).and_then(|r| r);
            if result.is_ok() {
                result = outcome;
            }
        }
        result
    }
}

impl Drop for RunningMock {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// Starts a mock on `127.0.0.1:0` (gRPC) and another free loopback port (admin) in background
/// tokio tasks. The listeners are bound before this returns, so the mock is ready for calls.
pub async fn spawn(config: MockOptions) -> Result<RunningMock, MockError> {
    let state = MockState::new(config)?;
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(MockError::Serve)?;
    let admin_listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(MockError::Serve)?;
    RunningMock::start(state, listener, admin_listener)
}
