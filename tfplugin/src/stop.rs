//! Cancellation of work in flight: `StopProvider` and the plugin controller's `Shutdown` fire it,
//! and every handler can see it through [`stopped`] and [`is_stopped`].

use std::sync::Arc;

use tokio::sync::watch;

/// A one-way "stop" flag that tasks can wait on.
#[derive(Clone, Debug)]
pub struct StopSignal {
    tx: Arc<watch::Sender<bool>>,
}

impl Default for StopSignal {
    fn default() -> StopSignal {
        StopSignal::new()
    }
}

impl StopSignal {
    /// A signal not yet fired.
    pub fn new() -> StopSignal {
        StopSignal {
            tx: Arc::new(watch::channel(false).0),
        }
    }

    /// Fires the signal (idempotent).
    pub fn stop(&self) {
        self.tx.send_replace(true);
    }

    /// Whether it has fired.
    pub fn is_stopped(&self) -> bool {
        *self.tx.borrow()
    }

    /// Resolves once it has fired.
    pub async fn stopped(&self) {
        let mut rx = self.tx.subscribe();
        // The sender lives in self, so wait_for only ends when the flag is set.
        let _ = rx.wait_for(|s| *s).await;
    }

    /// Runs `fut` with this signal visible to [`stopped`] and [`is_stopped`].
    pub(crate) async fn scope<F: Future>(&self, fut: F) -> F::Output {
        CURRENT.scope(self.clone(), fut).await
    }
}

tokio::task_local! {
    static CURRENT: StopSignal;
}

/// Resolves when Terraform asks the provider to stop (StopProvider or Shutdown). Select on it
/// in long operations and return an error diagnostic saying the operation was interrupted.
/// Outside a provider handler it never resolves.
pub async fn stopped() {
    match CURRENT.try_with(StopSignal::clone) {
        Ok(s) => s.stopped().await,
        Err(_) => std::future::pending().await,
    }
}

/// Whether Terraform asked the provider to stop.
pub fn is_stopped() -> bool {
    CURRENT.try_with(StopSignal::is_stopped).unwrap_or(false)
}
