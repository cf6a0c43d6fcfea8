//! Reconnect delays: exponential ceiling with full jitter.

use std::time::Duration;

use rand::Rng;

/// Delay before the next connection attempt.
#[derive(Debug, Clone)]
pub(crate) struct Backoff {
    initial: Duration,
    max: Duration,
    failures: u32,
}

impl Backoff {
    pub(crate) fn new(initial: Duration, max: Duration) -> Self {
        Self {
            initial,
            max,
            failures: 0,
        }
    }

    /// The largest delay the next attempt may wait: `initial * 2^failures`, capped at `max`.
    pub(crate) fn ceiling(&self) -> Duration {
        self.initial
            .saturating_mul(1u32 << self.failures.min(31))
            .min(self.max)
    }

    /// A delay drawn uniformly from zero to the ceiling; the ceiling then doubles.
    pub(crate) fn next_delay(&mut self, rng: &mut impl Rng) -> Duration {
        let ceiling_ns = u64::try_from(self.ceiling().as_nanos()).unwrap_or(u64::MAX);
        self.failures = self.failures.saturating_add(1);
        Duration::from_nanos(rng.gen_range(0..=ceiling_ns))
    }

    /// After a healthy connection the next failure starts from `initial` again.
    pub(crate) fn reset(&mut self) {
        self.failures = 0;
    }
}

#[cfg(test)]
mod tests {
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    use super::*;

    fn check(failures: u32, expected_ms: u64) {
        let mut backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(30));
        let mut rng = StdRng::seed_from_u64(u64::from(failures));
        for _ in 0..failures {
            let _ = backoff.next_delay(&mut rng);
        }
        assert_eq!(
            backoff.ceiling(),
            Duration::from_millis(expected_ms),
            "after {failures}"
        );
    }

    #[test]
    fn ceilings_double_up_to_the_cap() {
        check(0, 500);
        check(1, 1_000);
        check(2, 2_000);
        check(5, 16_000);
        check(6, 30_000);
        check(100, 30_000);
    }

    #[test]
    fn delays_stay_within_the_ceiling_and_reset() {
        let mut backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(30));
        let mut rng = StdRng::seed_from_u64(7);
        for _ in 0..50 {
            let ceiling = backoff.ceiling();
            assert!(backoff.next_delay(&mut rng) <= ceiling);
        }
        backoff.reset();
        assert_eq!(backoff.ceiling(), Duration::from_millis(500));
    }
}
