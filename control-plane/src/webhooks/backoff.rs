//! How long a failed delivery waits before its next attempt: `base`, then twice as long each
//! time, at most an hour. No I/O.

use std::time::Duration;

/// Longest wait between two attempts.
pub const MAX_WAIT: Duration = Duration::from_secs(3600);

/// The wait after attempt number `attempts` (1 for the first) failed.
pub fn retry_wait(base: Duration, attempts: u32) -> Duration {
    let doublings = attempts.saturating_sub(1).min(20);
    base.saturating_mul(1 << doublings).min(MAX_WAIT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_an_hour() {
        let base = Duration::from_secs(30);
        let waits: Vec<u64> = (1..=9).map(|a| retry_wait(base, a).as_secs()).collect();
        assert_eq!(waits, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(retry_wait(base, u32::MAX), MAX_WAIT);
        assert_eq!(retry_wait(Duration::from_millis(100), 0).as_millis(), 100);
    }
}
