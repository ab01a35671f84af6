//! The options a mock runs with, and the two things tests inject: the clock and the id generator.

use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::state::lock;

/// Everything a mock can be told at start. `MockOptions::default()` is an in-memory mock with no
/// faults, a real clock and random ids.
#[derive(Clone, Debug)]
pub struct MockOptions {
    /// Domain the computed trust-domain URLs are built under (`https://<td-id>.bundle.<base>/`).
    pub base_domain: String,
    /// Lifetime of a session token from `AuthenticateServiceAccount`.
    pub token_ttl: Duration,
    /// Lifetime of a login challenge.
    pub challenge_ttl: Duration,
    /// Added before every RPC is handled, the login included.
    pub latency: Duration,
    /// Share (0.0–1.0) of RPCs refused with `UNAVAILABLE` or `RESOURCE_EXHAUSTED` (half each)
    /// before anything is done.
    pub fail_rate: f64,
    /// Share (0.0–1.0) of committed writes whose answer is replaced by `UNAVAILABLE`, as if the
    /// connection failed after the server acted.
    pub drop_after_commit_rate: f64,
    /// Serve TLS (a self-signed certificate made at start) instead of h2c.
    pub tls: bool,
    /// How long a SPIRL-hosted trust domain stays `provisioning` on the mock's clock; zero makes
    /// it `available` at once.
    pub provisioning: Duration,
    /// Where the journal lives; `None` keeps everything in memory.
    pub data_dir: Option<PathBuf>,
    /// Seed for fault injection and, unless `ids` is set, for object ids.
    pub seed: Option<u64>,
    /// Source of "now"; tests use [`ManualClock`] to expire challenges and tokens without sleeping.
    pub clock: Arc<dyn Clock>,
    /// Source of object ids; `None` means random ids drawn from `seed`.
    pub ids: Option<Arc<dyn IdGenerator>>,
    /// Emails of users the organisation has (added at start when missing; users sign up through
    /// the console, so the API cannot add them).
    pub users: Vec<String>,
    /// Service accounts to have besides the bootstrap one, by name (added at start when
    /// missing).
    pub service_accounts: Vec<String>,
    /// Clusters per `ListClustersV2` page when the request gives no page size
    /// ([`crate::assumptions::DEFAULT_CLUSTER_PAGE_SIZE`] by default); tests set it small to
    /// page short lists.
    pub cluster_page_size: u32,
    /// Leave `jwt_issuer_status` out of `ListTrustDomains` answers, and `jwt_issuer_endpoint_url`
    /// empty (`TrustDomainInfo` keeps both), as a control plane may do; clients must then read
    /// each trust domain's issuer with `TrustDomainInfo` rather than guess it (an empty URL once
    /// read as "disabled" showed a built-in issuer as a permanent diff).
    pub omit_list_jwt_issuer_status: bool,
    /// When set, the mock writes a `spirlctl login` session file here as it starts
    /// (`--spirlctl-config-out`; see [`crate::cli::write_spirlctl_config`]).
    pub spirlctl_config_out: Option<PathBuf>,
}

impl Default for MockOptions {
    fn default() -> Self {
        MockOptions {
            base_domain: "spirl.test".to_owned(),
            token_ttl: Duration::from_secs(3600),
            challenge_ttl: Duration::from_secs(60),
            latency: Duration::ZERO,
            fail_rate: 0.0,
            drop_after_commit_rate: 0.0,
            tls: false,
            provisioning: crate::assumptions::DEFAULT_PROVISIONING,
            data_dir: None,
            seed: None,
            clock: Arc::new(SystemClock),
            ids: None,
            users: Vec::new(),
            service_accounts: Vec::new(),
            cluster_page_size: crate::assumptions::DEFAULT_CLUSTER_PAGE_SIZE,
            omit_list_jwt_issuer_status: false,
            spirlctl_config_out: None,
        }
    }
}

/// A source of the current time.
pub trait Clock: fmt::Debug + Send + Sync + 'static {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The real wall clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that only moves when told to. Clones share the same time.
#[derive(Clone, Debug)]
pub struct ManualClock {
    now: Arc<Mutex<SystemTime>>,
}

impl ManualClock {
    /// A clock standing at `start`.
    pub fn new(start: SystemTime) -> Self {
        ManualClock {
            now: Arc::new(Mutex::new(start)),
        }
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let mut now = lock(&self.now);
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        *lock(&self.now)
    }
}

/// A source of the random part of object ids (`td-<suffix>`; see [`crate::assumptions`]).
///
/// Suffixes must be lowercase ASCII letters and digits. The store redraws a suffix that is
/// already taken, so a generator may repeat itself (for example after a restart with the same
/// seed) without breaking anything.
pub trait IdGenerator: fmt::Debug + Send + Sync + 'static {
    /// The next suffix.
    fn next_suffix(&self) -> String;
}

/// Random 16-character suffixes, reproducible when seeded.
#[derive(Debug)]
pub struct RandomIds {
    rng: Mutex<StdRng>,
}

impl RandomIds {
    /// Seeded from `seed`, or from the operating system when `None`.
    pub fn new(seed: Option<u64>) -> Self {
        RandomIds {
            rng: Mutex::new(seeded_rng(seed)),
        }
    }
}

impl IdGenerator for RandomIds {
    fn next_suffix(&self) -> String {
        use crate::assumptions::{ID_ALPHABET as ALPHABET, ID_SUFFIX_LEN};
        let mut rng = lock(&self.rng);
        (0..ID_SUFFIX_LEN)
            .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
            .collect()
    }
}

/// Suffixes `0000000000000001`, `0000000000000002`, …: readable ids for tests.
#[derive(Debug, Default)]
pub struct SequentialIds {
    next: AtomicU64,
}

impl IdGenerator for SequentialIds {
    fn next_suffix(&self) -> String {
        format!("{:016}", self.next.fetch_add(1, Ordering::Relaxed) + 1)
    }
}

/// A `StdRng` from `seed`, or from the operating system's entropy.
pub(crate) fn seeded_rng(seed: Option<u64>) -> StdRng {
    match seed {
        Some(seed) => StdRng::seed_from_u64(seed),
        None => StdRng::from_entropy(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_ids_are_lowercase_alphanumeric_and_reproducible() {
        let a = RandomIds::new(Some(7)).next_suffix();
        let b = RandomIds::new(Some(7)).next_suffix();
        assert_eq!(a, b);
        assert_eq!(a.len(), 16);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        );
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = ManualClock::new(SystemTime::UNIX_EPOCH);
        let copy = clock.clone();
        clock.advance(Duration::from_secs(5));
        assert_eq!(copy.now(), SystemTime::UNIX_EPOCH + Duration::from_secs(5));
    }
}
