//! One direction of a simulated session's traffic: the octet counter as the closed-form
//! integral of its swinging rate, continued without a jump when the rate is changed.

use std::f64::consts::TAU;

/// Seconds in one swing of the rate.
const PERIOD_S: f64 = 90.0;

/// Bits carried from uptime 0 to `t_s` at `mean_bps × (1 + swing·sin(2π·t/period + phase))`.
fn integral_bits(mean_bps: f64, swing: f64, phase: f64, t_s: f64) -> f64 {
    let w = TAU / PERIOD_S;
    mean_bps * (t_s - swing / w * ((w * t_s + phase).cos() - phase.cos()))
}

/// The counter of one direction: what it had reached when the rate last changed, and the rate
/// since then.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct DirectionCounter {
    mean_bps: f64,
    swing: f64,
    phase: f64,
    since_s: f64,
    octets_at_since: f64,
}

impl DirectionCounter {
    /// A counter that starts at 0 at boot (uptime 0).
    pub(super) fn new(mean_bps: f64, swing: f64, phase: f64) -> Self {
        Self {
            mean_bps,
            swing,
            phase,
            since_s: 0.0,
            octets_at_since: 0.0,
        }
    }

    fn exact_octets(&self, t_s: f64) -> f64 {
        let bits = integral_bits(self.mean_bps, self.swing, self.phase, t_s)
            - integral_bits(self.mean_bps, self.swing, self.phase, self.since_s);
        self.octets_at_since + bits / 8.0
    }

    /// The counter at uptime `t_s`; valid from the last rate change on.
    pub(super) fn octets(&self, t_s: f64) -> u64 {
        self.exact_octets(t_s).max(0.0) as u64
    }

    /// From uptime `t_s` on, the counter advances at `mean_bps` (with the same swing).
    pub(super) fn change_rate(&mut self, mean_bps: f64, t_s: f64) {
        self.octets_at_since = self.exact_octets(t_s);
        self.since_s = t_s;
        self.mean_bps = mean_bps;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_steady_rate_counts_its_octets() {
        let counter = DirectionCounter::new(8_000_000.0, 0.0, 0.0);
        assert_eq!(counter.octets(0.0), 0);
        assert_eq!(counter.octets(10.0), 10_000_000);
    }

    #[test]
    fn a_full_swing_averages_to_the_mean() {
        let counter = DirectionCounter::new(8_000_000.0, 0.5, 1.0);
        assert_eq!(counter.octets(PERIOD_S), 90_000_000);
    }

    proptest! {
        /// A rate change never makes the counter jump or run backwards, and after it the
        /// counter grows at the new rate.
        #[test]
        fn a_rate_change_continues_the_counter(
            before_bps in 0.0f64..1e10,
            after_bps in 0.0f64..1e10,
            swing in 0.0f64..1.0,
            phase in 0.0f64..7.0,
            change_s in 0.0f64..1e5,
            later_s in 0.0f64..1e4,
        ) {
            let mut counter = DirectionCounter::new(before_bps, swing, phase);
            let at_change = counter.octets(change_s);
            counter.change_rate(after_bps, change_s);
            prop_assert_eq!(counter.octets(change_s), at_change);
            prop_assert!(counter.octets(change_s + later_s) >= at_change);
            let steady_after = DirectionCounter::new(after_bps, swing, phase);
            let grown = counter.exact_octets(change_s + later_s) - counter.exact_octets(change_s);
            let expected = steady_after.exact_octets(change_s + later_s)
                - steady_after.exact_octets(change_s);
            // Within an octet: the counters are whole octets.
            prop_assert!((grown - expected).abs() <= 1.0 + 1e-9 * expected);
        }
    }
}
