//! Standard retry mode as the AWS SDKs define it, for the requests rolekit sends itself: which
//! failures are worth another attempt (throttling, 5xx, transient exchange failures), the backoff
//! (a random fraction of 2^(attempt-1) seconds, at most 20 s), and the retry quota that stops a
//! client from retrying into an outage (500 tokens; a retry costs 5, 10 after a timeout; a success
//! pays back what its retries took, or 1 when it needed none). Adaptive mode's rate limiter is
//! in `adaptive`.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use crate::error::ErrorKind;
use crate::Error;

/// Standard mode's classification: throttling, 5xx and failed exchanges are worth another try.
pub(crate) fn retryable(error: &Error) -> bool {
    match error {
        Error::Service(e) => {
            e.kind == ErrorKind::Throttled
                || e.status.is_some_and(|s| s >= 500)
                || matches!(
                    e.code.as_str(),
                    "RequestTimeout" | "RequestTimeoutException" | "PriorRequestNotComplete"
                )
        }
        Error::Endpoint { .. } => true,
        Error::Proxy { retry_safe, .. } => *retry_safe,
        _ => false,
    }
}

/// Standard mode's backoff: a random fraction of 2^(attempt-1) seconds, at most 20 s.
pub(crate) fn backoff(attempt: u32) -> Duration {
    let cap = 2f64
        .powi(i32::try_from(attempt.saturating_sub(1)).unwrap_or(8).min(8))
        .min(20.0);
    Duration::from_secs_f64(fastrand::f64() * cap)
}

/// The SDK's retry quota (aws-smithy-runtime's `TokenBucket` with standard mode's costs).
#[derive(Debug)]
pub(crate) struct RetryQuota {
    tokens: AtomicU32,
}

/// Tokens a client starts with and never exceeds.
pub(crate) const QUOTA_TOKENS: u32 = 500;
/// What one retry costs, and one after a timeout or a failed exchange.
pub(crate) const RETRY_COST: u32 = 5;
pub(crate) const RETRY_TIMEOUT_COST: u32 = 10;
/// Paid back by a success that needed no retry.
pub(crate) const NO_RETRY_INCREMENT: u32 = 1;

impl Default for RetryQuota {
    fn default() -> Self {
        Self {
            tokens: AtomicU32::new(QUOTA_TOKENS),
        }
    }
}

impl RetryQuota {
    /// Take what a retry after `error` costs; `None` when the quota cannot pay (no retry then).
    pub(crate) fn acquire(&self, error: &Error) -> Option<u32> {
        let cost = if matches!(error, Error::Endpoint { .. }) {
            RETRY_TIMEOUT_COST
        } else {
            RETRY_COST
        };
        self.tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| t.checked_sub(cost))
            .ok()
            .map(|_| cost)
    }

    /// A request succeeded: pay back what its retries took, or the no-retry increment.
    pub(crate) fn release(&self, taken: u32) {
        let back = if taken == 0 { NO_RETRY_INCREMENT } else { taken };
        let _ = self.tokens.fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| {
            Some((t + back).min(QUOTA_TOKENS))
        });
    }

    #[cfg(test)]
    fn available(&self) -> u32 {
        self.tokens.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttled() -> Error {
        Error::Service(crate::error::ServiceError {
            kind: ErrorKind::Throttled,
            code: "Throttling".into(),
            message: "Rate exceeded".into(),
            operation: "GetRole".into(),
            request_id: None,
            status: Some(400),
            diagnosis: None,
        })
    }

    #[test]
    fn backoff_is_capped() {
        for attempt in 1..40 {
            assert!(backoff(attempt) <= Duration::from_secs(20));
        }
    }

    #[test]
    fn the_quota_runs_out_and_is_paid_back() {
        let quota = RetryQuota::default();
        let timeout = Error::Endpoint {
            endpoint: "http://h".into(),
            operation: "GetRole".into(),
            cause: "timed out".into(),
        };
        assert_eq!(quota.acquire(&timeout), Some(RETRY_TIMEOUT_COST));
        assert_eq!(quota.available(), QUOTA_TOKENS - RETRY_TIMEOUT_COST);
        let mut taken = 0;
        while let Some(cost) = quota.acquire(&throttled()) {
            taken += cost;
        }
        assert_eq!(taken, QUOTA_TOKENS - RETRY_TIMEOUT_COST);
        assert_eq!(quota.available(), 0, "an outage empties the quota and retries stop");
        quota.release(RETRY_COST);
        assert_eq!(quota.available(), RETRY_COST);
        quota.release(0);
        assert_eq!(quota.available(), RETRY_COST + NO_RETRY_INCREMENT);
        for _ in 0..1000 {
            quota.release(RETRY_COST);
        }
        assert_eq!(quota.available(), QUOTA_TOKENS, "never above the start");
    }
}
