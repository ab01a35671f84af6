//! How a mock is configured, and the two things tests inject: the clock and the id generator.

use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::state::lock;

/// Everything a mock can be told at start. `MockConfig::default()` is an in-memory mock with no
/// faults, a real clock and random ids.
#[derive(Clone, Debug)]
pub struct MockConfig {
    /// Domain the computed trust-domain URLs are built under (`https://<td-id>.bundle.<base>/`).
    pub base_domain: String,
    /// Lifetime of a bearer token from `POST /v1/auth/service-account/session`.
    pub token_ttl: Duration,
    /// Lifetime of a login challenge.
    pub challenge_ttl: Duration,
    /// Added before every `/v1` request is handled.
    pub latency: Duration,
    /// Share (0.0–1.0) of `/v1` requests refused with 429 or 503 before anything is done.
    pub fail_rate: f64,
    /// Share (0.0–1.0) of committed writes whose response is never delivered: the connection is
    /// closed instead, as if the network failed after the server acted.
    pub drop_after_commit_rate: f64,
    /// Value of the `Retry-After` header on injected 429/503 answers.
    pub retry_after: Duration,
    /// Where the journal lives; `None` keeps everything in memory.
    pub data_dir: Option<PathBuf>,
    /// Seed for fault injection and, unless `ids` is set, for object ids.
    pub seed: Option<u64>,
    /// Source of "now"; tests use [`ManualClock`] to expire challenges and tokens without sleeping.
    pub clock: Arc<dyn Clock>,
    /// Source of object ids; `None` means random ids drawn from `seed`.
    pub ids: Option<Arc<dyn IdGenerator>>,
}

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            base_domain: "spirl.test".to_owned(),
            token_ttl: Duration::from_secs(3600),
            challenge_ttl: Duration::from_secs(60),
            latency: Duration::ZERO,
            fail_rate: 0.0,
            drop_after_commit_rate: 0.0,
            retry_after: Duration::from_secs(1),
            data_dir: None,
            seed: None,
            clock: Arc::new(SystemClock),
            ids: None,
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

/// A source of the random part of object ids (`td-<suffix>`).
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
        const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        let mut rng = lock(&self.rng);
        (0..16)
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

/// RFC 3339 in UTC to the second, the API's only time format (`2026-11-21T08:00:00Z`).
pub(crate) fn rfc3339(at: SystemTime) -> String {
    humantime::format_rfc3339_seconds(at).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_is_utc_to_the_second() {
        let at = SystemTime::UNIX_EPOCH + Duration::from_millis(1_795_248_000_500);
        assert_eq!(rfc3339(at), "2026-11-21T08:00:00Z");
    }

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
