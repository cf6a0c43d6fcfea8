//! Deciding when to `Ping` an idle connection and when a silent one is dead.

use std::time::{Duration, Instant};

/// What the connection should do on a liveness tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LivenessAction {
    Nothing,
    SendPing,
    /// No answer to the last `Ping` within the interval.
    Dead {
        silent_for: Duration,
    },
}

/// Tracks when the control plane was last heard from.
#[derive(Debug, Clone)]
pub(crate) struct Liveness {
    interval: Duration,
    last_heard: Instant,
    ping_sent_at: Option<Instant>,
}

impl Liveness {
    pub(crate) fn new(now: Instant, interval: Duration) -> Self {
        Self {
            interval,
            last_heard: now,
            ping_sent_at: None,
        }
    }

    /// How often `tick` should run: often enough to act within half an interval.
    pub(crate) fn tick_period(&self) -> Duration {
        (self.interval / 2).max(Duration::from_millis(1))
    }

    /// Anything received proves the connection alive, a `Pong` or any other frame.
    pub(crate) fn heard(&mut self, now: Instant) {
        self.last_heard = now;
        self.ping_sent_at = None;
    }

    pub(crate) fn tick(&mut self, now: Instant) -> LivenessAction {
        match self.ping_sent_at {
            Some(sent_at) if now.duration_since(sent_at) >= self.interval => LivenessAction::Dead {
                silent_for: now.duration_since(self.last_heard),
            },
            Some(_) => LivenessAction::Nothing,
            None if now.duration_since(self.last_heard) >= self.interval => {
                self.ping_sent_at = Some(now);
                LivenessAction::SendPing
            }
            None => LivenessAction::Nothing,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs ticks at the given millisecond offsets, with frames heard at others.
    fn check(heard_at_ms: &[u64], ticks: &[(u64, LivenessAction)]) {
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        let mut liveness = Liveness::new(start, Duration::from_millis(100));
        let mut heard = heard_at_ms.iter().peekable();
        for (tick_ms, expected) in ticks {
            while let Some(ms) = heard.next_if(|ms| **ms <= *tick_ms) {
                liveness.heard(at(*ms));
            }
            assert_eq!(
                liveness.tick(at(*tick_ms)),
                *expected,
                "tick at {tick_ms} ms"
            );
        }
    }

    #[test]
    fn idle_connection_is_pinged_then_declared_dead() {
        use LivenessAction::*;
        check(&[], &[(50, Nothing), (100, SendPing), (150, Nothing)]);
        check(
            &[],
            &[
                (100, SendPing),
                (
                    200,
                    Dead {
                        silent_for: Duration::from_millis(200),
                    },
                ),
            ],
        );
        check(&[], &[(100, SendPing), (199, Nothing)]);
    }

    #[test]
    fn traffic_keeps_it_alive() {
        use LivenessAction::*;
        check(
            &[60, 120],
            &[(100, Nothing), (150, Nothing), (220, SendPing)],
        );
        check(&[150], &[(100, SendPing), (200, Nothing), (250, SendPing)]);
    }
}
