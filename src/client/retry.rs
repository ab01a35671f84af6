//! When and how long to wait before trying an API call again.
//!
//! Retried: `UNAVAILABLE` and `RESOURCE_EXHAUSTED` answers and connection failures, at most
//! `max_retries` times and never past the operation's deadline (`request_timeout`). The wait is
//! exponential backoff with full jitter: a random wait between zero and the exponential bound, so
//! that the calls Terraform runs in parallel, refused together, do not come back in lockstep.

use std::time::Duration;

use rand::Rng as _;

/// First backoff bound; it doubles with each retry.
const BASE_DELAY: Duration = Duration::from_millis(200);
/// Largest backoff bound.
const MAX_DELAY: Duration = Duration::from_secs(10);

/// The wait before retry number `retry` (0 for the first retry): full jitter over
/// `min(MAX_DELAY, BASE_DELAY * 2^retry)`.
pub(crate) fn backoff(retry: u32) -> Duration {
    let bound = BASE_DELAY
        .checked_mul(1u32.checked_shl(retry).unwrap_or(u32::MAX))
        .map_or(MAX_DELAY, |d| d.min(MAX_DELAY));
    rand::thread_rng().gen_range(Duration::ZERO..=bound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_backoff_is_bounded_jittered_and_grows() {
        for retry in 0..40 {
            let bound = BASE_DELAY
                .saturating_mul(2u32.saturating_pow(retry))
                .min(MAX_DELAY);
            for _ in 0..20 {
                assert!(backoff(retry) <= bound);
            }
        }
        let waits: Vec<Duration> = (0..50).map(|_| backoff(3)).collect();
        assert!(
            waits.iter().any(|w| *w != waits[0]),
            "jittered, not constant"
        );
    }
}
