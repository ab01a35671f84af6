//! The trust-domain [`Snapshot`] of one provider process: a refresh of many trust domains costs
//! one `ListTrustDomains` call (with dynamic data, as the client always asks; the API does not
//! page) instead of one `TrustDomainInfo` each, plus one for any entry that lacks its JWT issuer
//! status.
//!
//! The first [`DIRECT_READS`] reads go straight to `TrustDomainInfo`: a configuration with one or
//! two trust domains never pays for a list. A trust domain missing from the snapshot is checked
//! with `TrustDomainInfo` before it is declared gone, so a list that raced a create elsewhere
//! never drops state.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::snapshot::Snapshot;
use crate::client::{ApiError, Client, TrustDomain};

/// Reads served by a `TrustDomainInfo` each before the snapshot is used.
pub const DIRECT_READS: usize = 2;

/// The shared snapshot; see the module docs.
pub struct TrustDomainSnapshot {
    reads: AtomicUsize,
    by_id: Snapshot<HashMap<String, TrustDomain>>,
}

impl Default for TrustDomainSnapshot {
    fn default() -> Self {
        TrustDomainSnapshot {
            reads: AtomicUsize::new(0),
            by_id: Snapshot::new(concat!(env!("CARGO_CRATE_NAME"), "::trust_domain")),
        }
    }
}

impl TrustDomainSnapshot {
    /// The trust domain `id`, or `None` when it does not exist (`NOT_FOUND`).
    pub async fn get(&self, client: &Client, id: &str) -> Result<Option<TrustDomain>, ApiError> {
        if self.reads.fetch_add(1, Ordering::Relaxed) >= DIRECT_READS {
            let all = self
                .by_id
                .current("trust-domain", || async {
                    let all = client.list_trust_domains(None).await?;
                    Ok(all.into_iter().map(|td| (td.id.clone(), td)).collect())
                })
                .await;
            if let Some(found) = all.and_then(|all| all.get(id).cloned()) {
                return Ok(Some(found));
            }
        }
        match client.trust_domain_info(id).await {
            Ok(td) => Ok(Some(td)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Forgets the snapshot: the provider just changed a trust domain.
    pub fn invalidate(&self) {
        self.by_id.invalidate();
    }
}
