//! A read-through snapshot of every trust domain, shared by all `spirl_trust_domain` reads in one
//! provider process, so that a refresh of many trust domains costs one `ListTrustDomains` call
//! (without statistics; the API does not page) instead of one `TrustDomainInfo` each.
//!
//! The first [`DIRECT_READS`] reads go straight to `TrustDomainInfo`: a configuration with one or
//! two trust domains never pays for a list. The next read loads the whole list once; reads that
//! arrive while it loads wait for it instead of starting their own.
//! Writes through the provider [`invalidate`](TrustDomainSnapshot::invalidate) the snapshot, and
//! it ages out after [`MAX_AGE`]. A trust domain missing from the snapshot is checked with `TrustDomainInfo`
//! before it is declared gone, so a list that raced a create elsewhere never drops state.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::client::{ApiError, Client, TrustDomain};

/// The `log` target of the snapshot's lines: under the crate's name, so that they reach `TF_LOG`.
const LOG_TARGET: &str = concat!(env!("CARGO_CRATE_NAME"), "::trust_domain");

/// Reads served by a `TrustDomainInfo` each before the snapshot is used.
pub const DIRECT_READS: usize = 2;
/// How long a snapshot serves reads: one refresh, not a long-lived view of the control plane.
pub const MAX_AGE: Duration = Duration::from_secs(60);

/// The shared snapshot; see the module docs.
#[derive(Default)]
pub struct TrustDomainSnapshot {
    reads: AtomicUsize,
    /// Bumped by every write; a snapshot loaded under an older generation is stale.
    generation: AtomicU64,
    loaded: Mutex<Option<Loaded>>,
    /// Set when a list failed (for example a role that may read but not list): from then on
    /// every read is a `TrustDomainInfo`, rather than every read retrying the list.
    list_failed: AtomicBool,
}

struct Loaded {
    generation: u64,
    at: Instant,
    by_id: HashMap<String, TrustDomain>,
}

impl TrustDomainSnapshot {
    /// The trust domain `id`, or `None` when it does not exist (`NOT_FOUND`).
    pub async fn get(&self, client: &Client, id: &str) -> Result<Option<TrustDomain>, ApiError> {
        if self.reads.fetch_add(1, Ordering::Relaxed) >= DIRECT_READS
            && !self.list_failed.load(Ordering::Relaxed)
            && let Some(found) = self.snapshot_lookup(client, id).await
        {
            return Ok(Some(found));
        }
        match client.trust_domain_info(id).await {
            Ok(td) => Ok(Some(td)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Forgets the snapshot: the provider just changed a trust domain.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// The trust domain from a current snapshot, loading one if needed. `None` when it is not
    /// in the snapshot or the list failed: the caller then asks with `TrustDomainInfo`, which reports errors
    /// with the precision of a single read.
    async fn snapshot_lookup(&self, client: &Client, id: &str) -> Option<TrustDomain> {
        // Held across the list call on purpose: concurrent reads wait for the one list.
        let mut loaded = self.loaded.lock().await;
        let current = self.generation.load(Ordering::Acquire);
        let fresh = loaded
            .as_ref()
            .is_some_and(|l| l.generation == current && l.at.elapsed() < MAX_AGE);
        if !fresh {
            let started = Instant::now();
            match client.list_trust_domains(None).await {
                Ok(all) => {
                    log::debug!(
                        target: LOG_TARGET,
                        trust_domains = all.len(),
                        ms = started.elapsed().as_millis() as u64;
                        "loaded trust-domain snapshot for refresh"
                    );
                    let by_id = all.into_iter().map(|td| (td.id.clone(), td)).collect();
                    // A write that finished while the list was in flight makes it stale at once.
                    *loaded = Some(Loaded {
                        generation: current,
                        at: started,
                        by_id,
                    });
                }
                Err(e) => {
                    log::debug!(
                        target: LOG_TARGET,
                        error = e.to_string().as_str();
                        "trust-domain list failed; reading one by one"
                    );
                    self.list_failed.store(true, Ordering::Relaxed);
                    *loaded = None;
                    return None;
                }
            }
        }
        loaded.as_ref()?.by_id.get(id).cloned()
    }
}
