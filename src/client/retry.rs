//! When and how long to wait before trying an API call again.
//!
//! Retried: 429, 502, 503 and 504 answers and connection failures, at most `max_retries` times
//! and never past the operation's deadline (`request_timeout`). The wait is exponential backoff
//! with full jitter (a random wait between zero and the exponential bound, so that many clients
//! hit by the same outage do not retry in lockstep), or the server's `Retry-After` when it sends
//! one. POSTs carry an `Idempotency-Key` that stays the same across retries, so a create whose
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
    fn retry_idempotency_keys_differ() {
        let key = idempotency_key();
        assert_eq!(key.len(), 35);
        assert_ne!(key, idempotency_key());
    }
}
