//! When and how long to wait before trying an API call again.
//!
//! Retried: 429, 502, 503 and 504 answers and connection failures, at most `max_retries` times
//! and never past the operation's deadline (`request_timeout`). The wait is exponential backoff
//! with full jitter (a random wait between zero and the exponential bound, so that many clients
//! hit by the same outage do not retry in lockstep), or the server's `Retry-After` when it sends
//! one, spread a little past it for the same reason. POSTs carry an `Idempotency-Key` that stays the same across retries, so a create whose
//! answer was lost is not repeated by the server.

use std::time::{Duration, SystemTime};

use rand::Rng as _;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};

/// First backoff bound; it doubles with each retry.
const BASE_DELAY: Duration = Duration::from_millis(200);
/// Largest backoff bound.
const MAX_DELAY: Duration = Duration::from_secs(10);

/// Whether an answer with this status is worth trying again.
pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 502 | 503 | 504)
}

/// The wait before retry number `retry` (0 for the first retry): full jitter over
/// `min(MAX_DELAY, BASE_DELAY * 2^retry)`.
pub(crate) fn backoff(retry: u32) -> Duration {
    let bound = BASE_DELAY
        .checked_mul(1u32.checked_shl(retry).unwrap_or(u32::MAX))
        .map_or(MAX_DELAY, |d| d.min(MAX_DELAY));
    rand::thread_rng().gen_range(Duration::ZERO..=bound)
}

/// Largest extra wait added to a server's `Retry-After`.
const MAX_SPREAD: Duration = Duration::from_secs(1);

/// The wait for a server-chosen `delay`: at least `delay` (`Retry-After` means "not before"),
/// plus a random quarter of it at most (capped at [`MAX_SPREAD`]), so that the calls Terraform
/// runs in parallel, refused together, do not all come back in the same instant.
pub(crate) fn spread(delay: Duration) -> Duration {
    let extra = (delay / 4).min(MAX_SPREAD);
    delay + rand::thread_rng().gen_range(Duration::ZERO..=extra)
}

/// The server's `Retry-After`, as delta-seconds or an HTTP-date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// A fresh `Idempotency-Key` for one logical POST.
pub(crate) fn idempotency_key() -> String {
    format!("tf-{:032x}", rand::random::<u128>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn retry_backoff_is_bounded_and_grows() {
        for retry in 0..40 {
            let bound = BASE_DELAY
                .saturating_mul(2u32.saturating_pow(retry))
                .min(MAX_DELAY);
            for _ in 0..20 {
                assert!(backoff(retry) <= bound);
            }
        }
    }

    #[test]
    fn retry_after_seconds_and_http_date() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert(RETRY_AFTER, HeaderValue::from_static("3"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(3)));
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&headers), Some(Duration::ZERO));
        let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(120));
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_str(&later).unwrap_or(HeaderValue::from_static("")),
        );
        let wait = retry_after(&headers).unwrap_or_default();
        assert!(
            wait > Duration::from_secs(100) && wait <= Duration::from_secs(120),
            "{wait:?}"
        );
        headers.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn retry_after_is_spread_past_the_server_delay_never_before_it() {
        assert_eq!(spread(Duration::ZERO), Duration::ZERO);
        let one = Duration::from_secs(1);
        let waits: Vec<Duration> = (0..200).map(|_| spread(one)).collect();
        assert!(
            waits.iter().all(|w| *w >= one && *w <= one + one / 4),
            "{waits:?}"
        );
        assert!(
            waits.iter().any(|w| *w != waits[0]),
            "spread, not a constant"
        );
        let long = Duration::from_secs(60);
        assert!((0..50).all(|_| (long..=long + MAX_SPREAD).contains(&spread(long))));
    }

    #[test]
    fn retry_idempotency_keys_differ() {
        let key = idempotency_key();
        assert_eq!(key.len(), 35);
        assert_ne!(key, idempotency_key());
    }
}
