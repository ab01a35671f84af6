//! Serving the router on a listener ([`serve`]) and running a mock in the background for tests
//! ([`spawn`], [`RunningMock`]).

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tower::ServiceExt as _;

use crate::app::router;
use crate::config::MockConfig;
use crate::error::MockError;
use crate::state::{Credentials, DropConnection, MockState, Stats};

/// How long shutdown waits for requests in flight.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// The error a connection ends with when fault injection drops a response.
#[derive(Debug, thiserror::Error)]
#[error("response dropped after commit (fault injection)")]
struct DroppedAfterCommit;

/// Serves the API on `listener` until `shutdown` completes, then lets requests in flight finish
/// (for a few seconds at most) and returns.
///
/// A hand-written accept loop over hyper rather than `axum::serve`: dropping a response after
/// commit needs the service to fail, which makes hyper close the connection without writing
/// anything, so the client sees a broken connection and not a truncated answer.
pub async fn serve(
    listener: TcpListener,
    state: MockState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Per-connection failures (reset before accept) and running out of file
                // descriptors are both passing; back off briefly rather than spin or stop.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Loopback request/response traffic stalls on Nagle plus delayed ACKs otherwise.
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
            let app = app.clone();
            async move {
                let Ok(response) = app.oneshot(request).await;
                if response.extensions().get::<DropConnection>().is_some() {
                    Err(DroppedAfterCommit)
                } else {
                    Ok(response)
                }
            }
        });
        let connection = hyper::server::conn::http1::Builder::new()
            .serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A client that goes away or a dropped response ends the connection; nothing to do.
            let _ = connection.await;
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await;
    Ok(())
}

/// A mock serving on `127.0.0.1` in a background task. Dropping it stops the server.
#[derive(Debug)]
pub struct RunningMock {
    /// The bound address.
    pub addr: SocketAddr,
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// The bootstrap service account's login.
    pub credentials: Credentials,
    /// The served state, for inspection or for more service accounts.
    pub state: MockState,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl RunningMock {
    /// Request and object counts, as `GET /_mock/stats` would answer.
    pub fn stats(&self) -> Stats {
        self.state.stats()
    }

    /// Stops the server and waits until it has stopped (and, with a data directory, released
    /// its journal).
    pub async fn shutdown(mut self) -> std::io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.task.take() {
            Some(task) => task.await.map_err(std::io::Error::other)?,
            None => Ok(()),
        }
    }
}

impl Drop for RunningMock {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Starts a mock on `127.0.0.1:0` in a background tokio task. The listener is bound before this
/// returns, so the mock is ready for requests.
pub async fn spawn(config: MockConfig) -> Result<RunningMock, MockError> {
    let state = MockState::new(config)?;
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(MockError::Serve)?;
    let addr = listener.local_addr().map_err(MockError::Serve)?;
    let endpoint = format!("http://{addr}");
    let credentials = state.credentials(&endpoint);
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, state.clone(), async move {
        let _ = stopped.await;
    }));
    Ok(RunningMock {
        addr,
        endpoint,
        credentials,
        state,
        stop: Some(stop),
        task: Some(task),
    })
}
