//! The per-minute sending limit (`[email] per_minute_limit`): a count per fixed one-minute
//! window. No I/O; the caller passes the time.

use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(60);

#[derive(Debug)]
pub struct MinuteBudget {
    limit: u32,
    window_start: Option<Instant>,
    used: u32,
}

impl MinuteBudget {
    pub fn new(limit: u32) -> Self {
        Self {
            limit,
            window_start: None,
            used: 0,
        }
    }

    /// Takes one message from this minute's budget; `false` when it is spent.
    pub fn try_take(&mut self, now: Instant) -> bool {
        let fresh = self
            .window_start
            .is_none_or(|start| now.saturating_duration_since(start) >= WINDOW);
        if fresh {
            self.window_start = Some(now);
            self.used = 0;
        }
        if self.used >= self.limit {
            return false;
        }
        self.used += 1;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minute_allows_the_limit_then_refills() {
        let start = Instant::now();
        let mut budget = MinuteBudget::new(2);
        assert!(budget.try_take(start));
        assert!(budget.try_take(start + Duration::from_secs(10)));
        assert!(!budget.try_take(start + Duration::from_secs(59)));
        assert!(budget.try_take(start + Duration::from_secs(60)));
        assert!(budget.try_take(start + Duration::from_secs(61)));
        assert!(!budget.try_take(start + Duration::from_secs(62)));
    }
}
