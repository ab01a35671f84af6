//! [`Snapshot`]: a read-through copy of what one list call returns, shared by every read of a
//! resource type in one provider process, so that a refresh of many objects costs one list
//! instead of one call each.
//!
//! Reads that arrive while the snapshot loads wait for that load instead of starting their own.
//! Writes through the provider [`invalidate`](Snapshot::invalidate) it, and it ages out after
//! [`MAX_AGE`]. A load that fails (for example a role that may read but not list) turns the
//! snapshot off for the rest of the process: the callers then read one by one.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::client::ApiError;

/// How long a snapshot serves reads: one refresh, not a long-lived view of the control plane.
pub const MAX_AGE: Duration = Duration::from_secs(60);

/// The shared snapshot; see the module docs.
pub struct Snapshot<T> {
    /// The `log` target of the snapshot's lines (under the crate's name, so they reach
    /// `TF_LOG`).
    log_target: &'static str,
    /// Bumped by every write; a snapshot loaded under an older generation is stale.
    generation: AtomicU64,
    loaded: Mutex<Option<Loaded<T>>>,
    failed: AtomicBool,
}

struct Loaded<T> {
    generation: u64,
    at: Instant,
    data: Arc<T>,
}

impl<T> Snapshot<T> {
    /// An empty snapshot whose log lines go to `log_target`.
    pub const fn new(log_target: &'static str) -> Self {
        Snapshot {
            log_target,
            generation: AtomicU64::new(0),
            loaded: Mutex::const_new(None),
            failed: AtomicBool::new(false),
        }
    }

    /// Forgets the snapshot: the provider just changed an object.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// The current data, loaded with `load` when there is none or it is stale; `None` once a
    /// load has failed (the caller then asks for its object alone, which reports errors with
    /// the precision of a single read).
    pub async fn current<F, Fut>(&self, what: &str, load: F) -> Option<Arc<T>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, ApiError>>,
    {
        if self.failed.load(Ordering::Relaxed) {
            return None;
        }
        // Held across the load on purpose: concurrent reads wait for the one load.
        let mut loaded = self.loaded.lock().await;
        let current = self.generation.load(Ordering::Acquire);
        if let Some(l) = loaded
            .as_ref()
            .filter(|l| l.generation == current && l.at.elapsed() < MAX_AGE)
        {
            return Some(l.data.clone());
        }
        let started = Instant::now();
        match load().await {
            Ok(data) => {
                log::debug!(
                    target: self.log_target,
                    ms = started.elapsed().as_millis() as u64;
                    "loaded the {what} snapshot for refresh"
                );
                let data = Arc::new(data);
                // A write that finished while the list was in flight makes it stale at once.
                *loaded = Some(Loaded {
                    generation: current,
                    at: started,
                    data: data.clone(),
                });
                Some(data)
            }
            Err(e) => {
                log::debug!(
                    target: self.log_target,
                    error = e.to_string().as_str();
                    "the {what} list failed; reading one by one"
                );
                self.failed.store(true, Ordering::Relaxed);
                *loaded = None;
                None
            }
        }
    }
}
