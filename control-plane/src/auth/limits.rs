//! In-process abuse limits: a token bucket per customer for API calls, and failed-login
//! counting per identifier and per client address with a lockout.
//!
//! These live in one control-plane process. With several replicas each keeps its own counts,
//! so the effective limit is per replica; the design notes in ARCHITECTURE.md say how that
//! moves to the shared bus.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Refuses a call; the caller may retry after the given time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub Duration);

impl RetryAfter {
    /// Whole seconds for a `Retry-After` header, at least 1.
    pub fn secs(self) -> u64 {
        self.0.as_secs() + u64::from(self.0.subsec_nanos() > 0)
    }
}

const MAX_TRACKED_KEYS: usize = 100_000;

/// A token bucket per key: `per_minute` calls in a burst, refilled evenly over a minute.
pub struct RateLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<String, Bucket>>,
}

struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute: per_minute.max(1),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    pub fn per_minute(&self) -> u32 {
        self.per_minute
    }

    /// Takes one call from the key's bucket.
    pub fn check(&self, key: &str, now: Instant) -> Result<(), RetryAfter> {
        let capacity = f64::from(self.per_minute);
        let refill_per_sec = capacity / 60.0;
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() >= MAX_TRACKED_KEYS && !buckets.contains_key(key) {
            // Forget keys whose bucket is full again: they carry no state worth keeping.
            buckets.retain(|_, b| {
                let elapsed = now.saturating_duration_since(b.updated).as_secs_f64();
                b.tokens + elapsed * refill_per_sec < capacity
            });
        }
        let bucket = buckets.entry(key.to_owned()).or_insert(Bucket {
            tokens: capacity,
            updated: now,
        });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * refill_per_sec).min(capacity);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - bucket.tokens) / refill_per_sec;
            Err(RetryAfter(Duration::from_secs_f64(wait)))
        }
    }
}

/// Failed logins per identifier and per client address; past the threshold the key is locked
/// for the lockout time, successful or not.
pub struct LoginGuard {
    per_identifier: u32,
    per_address: u32,
    lockout: Duration,
    failures: Mutex<HashMap<String, Failures>>,
}

struct Failures {
    count: u32,
    first: Instant,
    locked_until: Option<Instant>,
}

impl LoginGuard {
    pub fn new(per_identifier: u32, per_address: u32, lockout: Duration) -> Self {
        Self {
            per_identifier: per_identifier.max(1),
            per_address: per_address.max(1),
            lockout,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// Refuses a login attempt while the identifier or the address is locked.
    pub fn check(&self, identifier: &str, address: &str, now: Instant) -> Result<(), RetryAfter> {
        let failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let mut wait = Duration::ZERO;
        for key in [id_key(identifier), addr_key(address)] {
            if let Some(until) = failures.get(&key).and_then(|f| f.locked_until) {
                wait = wait.max(until.saturating_duration_since(now));
            }
        }
        if wait.is_zero() {
            Ok(())
        } else {
            Err(RetryAfter(wait))
        }
    }

    /// Counts a failed attempt; returns the lockout if this attempt started one.
    pub fn record_failure(
        &self,
        identifier: &str,
        address: &str,
        now: Instant,
    ) -> Option<RetryAfter> {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if failures.len() >= MAX_TRACKED_KEYS {
            let lockout = self.lockout;
            failures.retain(|_, f| now.saturating_duration_since(f.first) < lockout);
        }
        let mut started = None;
        for (key, threshold) in [
            (id_key(identifier), self.per_identifier),
            (addr_key(address), self.per_address),
        ] {
            let entry = failures.entry(key).or_insert(Failures {
                count: 0,
                first: now,
                locked_until: None,
            });
            if now.saturating_duration_since(entry.first) >= self.lockout
                && entry.locked_until.is_none_or(|until| until <= now)
            {
                *entry = Failures {
                    count: 0,
                    first: now,
                    locked_until: None,
                };
            }
            entry.count += 1;
            if entry.count >= threshold && entry.locked_until.is_none_or(|until| until <= now) {
                entry.locked_until = Some(now + self.lockout);
                started = Some(RetryAfter(self.lockout));
            }
        }
        started
    }

    /// Forgets the identifier's failures after a successful login (the address keeps its count).
    pub fn record_success(&self, identifier: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        failures.remove(&id_key(identifier));
    }
}

fn id_key(identifier: &str) -> String {
    format!("id:{}", identifier.trim().to_lowercase())
}

fn addr_key(address: &str) -> String {
    format!("addr:{address}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_allows_a_burst_then_refills() {
        let limiter = RateLimiter::new(100);
        let start = Instant::now();
        for _ in 0..100 {
            assert!(limiter.check("c1", start).is_ok());
        }
        let refused = limiter.check("c1", start).unwrap_err();
        assert!(refused.0 <= Duration::from_millis(601) && refused.secs() == 1);
        assert!(
            limiter.check("c2", start).is_ok(),
            "other customers are not affected"
        );
        assert!(limiter
            .check("c1", start + Duration::from_millis(600))
            .is_ok());
    }

    #[test]
    fn lockout_after_threshold_and_expiry() {
        let guard = LoginGuard::new(3, 100, Duration::from_secs(60));
        let t = Instant::now();
        assert!(guard.record_failure("CUST1", "10.0.0.1", t).is_none());
        assert!(guard.record_failure("cust1", "10.0.0.2", t).is_none());
        assert!(guard.check("CUST1", "10.0.0.3", t).is_ok());
        assert!(guard.record_failure("CUST1", "10.0.0.3", t).is_some());
        assert!(guard.check("cust1", "10.0.0.9", t).is_err());
        assert!(guard
            .check("cust1", "10.0.0.9", t + Duration::from_secs(61))
            .is_ok());
    }

    #[test]
    fn address_lockout_covers_every_identifier() {
        let guard = LoginGuard::new(100, 2, Duration::from_secs(60));
        let t = Instant::now();
        guard.record_failure("a", "10.0.0.1", t);
        guard.record_failure("b", "10.0.0.1", t);
        assert!(guard.check("c", "10.0.0.1", t).is_err());
        assert!(guard.check("c", "10.0.0.2", t).is_ok());
    }
}
