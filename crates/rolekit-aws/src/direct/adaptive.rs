//! Adaptive retry mode's client-side rate limiting for the requests rolekit sends itself
//! (`direct`), as the AWS SDKs define it: off until the first throttling answer; from then on
//! each request takes a token from a bucket refilled at a rate that CUBIC adjusts, cut to 70 % of
//! the measured send rate at every throttling answer and grown back along a cubic curve after.
//! The SDK clients (everything else rolekit sends) do the same inside aws-smithy-runtime.

use std::sync::Mutex;
use std::time::Duration;

/// CUBIC's scale constant and multiplicative decrease.
const SCALE: f64 = 0.4;
const BETA: f64 = 0.7;
/// The lowest rate the bucket is refilled at, requests per second.
const MIN_RATE: f64 = 0.5;
/// Measured send rate: exponential smoothing over half-second buckets.
const SMOOTHING: f64 = 0.8;
const BUCKET_SECONDS: f64 = 0.5;

#[derive(Debug)]
struct State {
    enabled: bool,
    // Token bucket.
    fill_rate: f64,
    capacity: f64,
    tokens: f64,
    last_refill: f64,
    // Measured send rate.
    measured: f64,
    count: f64,
    last_bucket: f64,
    // CUBIC.
    w_max: f64,
    k: f64,
    last_throttle: f64,
}

/// One client's limiter; times are seconds on any monotonic clock.
#[derive(Debug)]
pub struct RateLimiter(Mutex<State>);

impl RateLimiter {
    pub fn new(now: f64) -> Self {
        Self(Mutex::new(State {
            enabled: false,
            fill_rate: MIN_RATE,
            capacity: 1.0,
            tokens: 1.0,
            last_refill: now,
            measured: 0.0,
            count: 0.0,
            last_bucket: (now / BUCKET_SECONDS).floor() * BUCKET_SECONDS,
            w_max: 0.0,
            k: 0.0,
            last_throttle: now,
        }))
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Before sending: how long to wait first (zero while the limiter is off). The token is
    /// taken now, so concurrent requests queue behind each other.
    pub fn acquire(&self, now: f64) -> Duration {
        let mut s = self.state();
        if !s.enabled {
            return Duration::ZERO;
        }
        let elapsed = (now - s.last_refill).max(0.0);
        s.tokens = (s.tokens + elapsed * s.fill_rate).min(s.capacity);
        s.last_refill = now;
        s.tokens -= 1.0;
        if s.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-s.tokens / s.fill_rate)
        }
    }

    /// After an answer: whether it was throttling.
    pub fn update(&self, now: f64, throttled: bool) {
        let mut s = self.state();
        // The measured send rate.
        s.count += 1.0;
        let bucket = (now / BUCKET_SECONDS).floor() * BUCKET_SECONDS;
        if bucket > s.last_bucket {
            let current = s.count / (bucket - s.last_bucket);
            s.measured = current * SMOOTHING + s.measured * (1.0 - SMOOTHING);
            s.count = 0.0;
            s.last_bucket = bucket;
        }
        let calculated = if throttled {
            let rate = if s.enabled {
                s.measured.min(s.fill_rate)
            } else {
                s.measured
            };
            s.w_max = rate;
            s.k = (s.w_max * (1.0 - BETA) / SCALE).cbrt();
            s.last_throttle = now;
            s.enabled = true;
            rate * BETA
        } else {
            SCALE * (now - s.last_throttle - s.k).powi(3) + s.w_max
        };
        if s.enabled {
            let rate = calculated.min(2.0 * s.measured).max(MIN_RATE);
            let elapsed = (now - s.last_refill).max(0.0);
            s.tokens = (s.tokens + elapsed * s.fill_rate).min(s.capacity);
            s.last_refill = now;
            s.fill_rate = rate;
            s.capacity = rate.max(1.0);
            s.tokens = s.tokens.min(s.capacity);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_until_throttled_then_slower_then_recovering() {
        let limiter = RateLimiter::new(0.0);
        // 20 requests a second for 5 s: no throttling, no waiting.
        let mut t = 0.0;
        for _ in 0..100 {
            assert_eq!(limiter.acquire(t), Duration::ZERO);
            limiter.update(t, false);
            t += 0.05;
        }
        // Throttled: the fill rate drops to 70 % of the measured ~20/s.
        limiter.update(t, true);
        let rate = limiter.state().fill_rate;
        assert!((10.0..=15.0).contains(&rate), "{rate}");
        // Back-to-back requests now wait for tokens, about 1/rate apart.
        let waits: Vec<Duration> = (0..30).map(|_| limiter.acquire(t)).collect();
        assert!(waits.windows(2).all(|w| w[1] >= w[0]), "waits grow: {waits:?}");
        let spacing = waits[29].as_secs_f64() - waits[28].as_secs_f64();
        assert!((spacing - 1.0 / rate).abs() < 1e-9, "{spacing}");
        // Successes afterwards grow the rate back along the cubic curve.
        let mut later = t;
        for _ in 0..100 {
            later += 0.05;
            limiter.update(later, false);
        }
        assert!(limiter.state().fill_rate > rate);
        // A second throttle cuts again, never below the floor.
        for _ in 0..20 {
            limiter.update(later, true);
        }
        assert!(limiter.state().fill_rate >= MIN_RATE);
    }
}

/// A limiter with its own clock, shared by several clients (a fleet's per-account clients): their
/// requests draw on one rate, which backs off for all when any of them is throttled.
#[derive(Debug)]
pub struct Shared {
    limiter: RateLimiter,
    started: std::time::Instant,
}

impl Default for Shared {
    fn default() -> Self {
        Self {
            limiter: RateLimiter::new(0.0),
            started: std::time::Instant::now(),
        }
    }
}

impl Shared {
    fn now(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    /// How long to wait before the next request.
    pub fn acquire(&self) -> Duration {
        self.limiter.acquire(self.now())
    }

    /// Record a request's outcome.
    pub fn update(&self, throttled: bool) {
        self.limiter.update(self.now(), throttled);
    }
}
