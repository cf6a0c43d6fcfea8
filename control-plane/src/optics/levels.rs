//! Optics thresholds and hysteresis, as pure logic: which level one reading puts an ONU at, and
//! how its level moves from reading to reading without flapping at a line.
//!
//! Entering a worse level happens at its threshold; leaving it needs the receive level to be
//! better than the threshold by the hysteresis (1 dB by default), so a level hovering at
//! −25 dBm stays weak instead of alternating weak/normal at every poll.

use crate::domain::OpticsLevel;

/// Receive levels in dBm. GPON class B+ defaults: weak at −25, critical at −27, overload at −8.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// At or below this the ONU is weak.
    pub weak_dbm: f64,
    /// At or below this the ONU is critical.
    pub critical_dbm: f64,
    /// At or above this the ONU's receiver is overloaded (too short or unattenuated fibre).
    pub overload_dbm: f64,
    /// How far past a threshold a level must recover before the alarm clears, in dB.
    pub hysteresis_db: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            weak_dbm: -25.0,
            critical_dbm: -27.0,
            overload_dbm: -8.0,
            hysteresis_db: 1.0,
        }
    }
}

/// What one reading says about the fibre.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Signal {
    /// The OLT reports the ONU down (offline, LOS, dying gasp, failed authentication).
    Down,
    /// The ONU receives this many dBm.
    Level(f64),
    /// The ONU is up but the OLT reported no level.
    UpWithoutLevel,
    /// Nothing to judge by (unknown status or ranging, and no level).
    NoEvidence,
}

impl Signal {
    /// From a stored status word and receive level.
    pub fn of(status: &str, rx_power_dbm: Option<f64>) -> Self {
        let down = matches!(status, "offline" | "los" | "dying_gasp" | "auth_failed");
        match (down, rx_power_dbm) {
            (true, _) => Self::Down,
            (false, Some(dbm)) if dbm.is_finite() => Self::Level(dbm),
            (false, _) if status == "online" => Self::UpWithoutLevel,
            (false, _) => Self::NoEvidence,
        }
    }
}

impl Thresholds {
    /// Every problem with these values, as `(key, problem)`.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        for (key, value) in [
            ("weak_dbm", self.weak_dbm),
            ("critical_dbm", self.critical_dbm),
            ("overload_dbm", self.overload_dbm),
        ] {
            if !(value.is_finite() && (-60.0..=10.0).contains(&value)) {
                problems.push((key, format!("{value} is not a level from -60 to 10 dBm")));
            }
        }
        if !(self.hysteresis_db.is_finite() && (0.0..=3.0).contains(&self.hysteresis_db)) {
            problems.push((
                "hysteresis_db",
                format!("{} is not from 0 to 3 dB", self.hysteresis_db),
            ));
        }
        if problems.is_empty() {
            if self.critical_dbm >= self.weak_dbm {
                problems.push((
                    "critical_dbm",
                    format!(
                        "{} must be below weak_dbm ({})",
                        self.critical_dbm, self.weak_dbm
                    ),
                ));
            }
            if self.weak_dbm + self.hysteresis_db >= self.overload_dbm - self.hysteresis_db {
                problems.push((
                    "overload_dbm",
                    format!(
                        "{} must be above weak_dbm ({}) by more than twice hysteresis_db ({})",
                        self.overload_dbm, self.weak_dbm, self.hysteresis_db
                    ),
                ));
            }
        }
        problems
    }

    /// The level of a receive level on its own, without hysteresis.
    pub fn plain(&self, rx_power_dbm: f64) -> OpticsLevel {
        if rx_power_dbm >= self.overload_dbm {
            OpticsLevel::Overload
        } else if rx_power_dbm <= self.critical_dbm {
            OpticsLevel::Critical
        } else if rx_power_dbm <= self.weak_dbm {
            OpticsLevel::Weak
        } else {
            OpticsLevel::Normal
        }
    }

    /// The level of one reading alone (an offline ONU is offline; no level is `None`).
    pub fn of_reading(&self, signal: Signal) -> Option<OpticsLevel> {
        match signal {
            Signal::Down => Some(OpticsLevel::Offline),
            Signal::Level(dbm) => Some(self.plain(dbm)),
            Signal::UpWithoutLevel | Signal::NoEvidence => None,
        }
    }

    /// Whether `level` still applies to `rx_power_dbm` once the hysteresis is counted.
    fn holds(&self, level: OpticsLevel, rx_power_dbm: f64) -> bool {
        let h = self.hysteresis_db;
        match level {
            OpticsLevel::Normal => true,
            OpticsLevel::Weak => rx_power_dbm <= self.weak_dbm + h,
            OpticsLevel::Critical => rx_power_dbm <= self.critical_dbm + h,
            OpticsLevel::Overload => rx_power_dbm >= self.overload_dbm - h,
            OpticsLevel::Offline => false,
        }
    }

    /// The ONU's level after a reading, given its level before.
    pub fn next(&self, current: OpticsLevel, signal: Signal) -> OpticsLevel {
        let rx = match signal {
            Signal::Down => return OpticsLevel::Offline,
            Signal::UpWithoutLevel if current == OpticsLevel::Offline => {
                return OpticsLevel::Normal
            }
            Signal::UpWithoutLevel | Signal::NoEvidence => return current,
            Signal::Level(rx) => rx,
        };
        let plain = self.plain(rx);
        // The levels `current` recovers through, most severe first.
        let recovering: &[OpticsLevel] = match (current, plain) {
            (OpticsLevel::Critical, OpticsLevel::Weak | OpticsLevel::Normal) => {
                &[OpticsLevel::Critical, OpticsLevel::Weak]
            }
            (OpticsLevel::Weak, OpticsLevel::Normal) => &[OpticsLevel::Weak],
            (OpticsLevel::Overload, OpticsLevel::Normal) => &[OpticsLevel::Overload],
            // Equal, worse, the other side, or back from offline: the reading decides.
            _ => return plain,
        };
        recovering
            .iter()
            .copied()
            .find(|level| self.holds(*level, rx))
            .unwrap_or(plain)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::domain::OpticsLevel::{Critical, Normal, Offline, Overload, Weak};

    fn check(current: OpticsLevel, signal: Signal, expected: OpticsLevel) {
        let t = Thresholds::default();
        assert_eq!(
            t.next(current, signal),
            expected,
            "{current} after {signal:?}"
        );
    }

    #[test]
    fn crossings_with_hysteresis() {
        use Signal::*;
        check(Normal, Level(-24.9), Normal);
        check(Normal, Level(-25.0), Weak);
        check(Normal, Level(-27.0), Critical);
        check(Normal, Level(-8.0), Overload);
        check(Weak, Level(-24.5), Weak);
        check(Weak, Level(-24.0), Weak);
        check(Weak, Level(-23.99), Normal);
        check(Weak, Level(-27.5), Critical);
        check(Critical, Level(-26.5), Critical);
        check(Critical, Level(-25.9), Weak);
        check(Critical, Level(-24.5), Weak);
        check(Critical, Level(-20.0), Normal);
        check(Overload, Level(-8.5), Overload);
        check(Overload, Level(-9.5), Normal);
        check(Overload, Level(-26.0), Weak);
        check(Offline, Level(-25.5), Weak);
        check(Offline, Level(-20.0), Normal);
        check(Weak, Down, Offline);
        check(Offline, UpWithoutLevel, Normal);
        check(Weak, UpWithoutLevel, Weak);
        check(Critical, NoEvidence, Critical);
        check(Offline, NoEvidence, Offline);
    }

    #[test]
    fn signals_of_stored_readings() {
        assert_eq!(Signal::of("los", Some(-20.0)), Signal::Down);
        assert_eq!(Signal::of("online", Some(-20.0)), Signal::Level(-20.0));
        assert_eq!(Signal::of("unknown", Some(-20.0)), Signal::Level(-20.0));
        assert_eq!(Signal::of("online", None), Signal::UpWithoutLevel);
        assert_eq!(Signal::of("ranging", None), Signal::NoEvidence);
        assert_eq!(Signal::of("online", Some(f64::NAN)), Signal::UpWithoutLevel);
    }

    #[test]
    fn threshold_problems() {
        assert!(Thresholds::default().problems().is_empty());
        let keys = |t: Thresholds| t.problems().into_iter().map(|(k, _)| k).collect::<Vec<_>>();
        let upside_down = Thresholds {
            weak_dbm: -28.0,
            ..Thresholds::default()
        };
        assert_eq!(keys(upside_down), ["critical_dbm"]);
        let wide = Thresholds {
            overload_dbm: -24.0,
            ..Thresholds::default()
        };
        assert_eq!(keys(wide), ["overload_dbm"]);
        let absurd = Thresholds {
            weak_dbm: f64::NAN,
            hysteresis_db: 5.0,
            ..Thresholds::default()
        };
        assert_eq!(keys(absurd), ["weak_dbm", "hysteresis_db"]);
    }

    fn thresholds() -> impl Strategy<Value = Thresholds> {
        (-35.0..-20.0f64, 0.5..6.0f64, -12.0..-3.0f64, 0.1..3.0f64).prop_filter_map(
            "valid thresholds",
            |(weak_dbm, gap, overload_dbm, hysteresis_db)| {
                let t = Thresholds {
                    weak_dbm,
                    critical_dbm: weak_dbm - gap,
                    overload_dbm,
                    hysteresis_db,
                };
                t.problems().is_empty().then_some(t)
            },
        )
    }

    fn level() -> impl Strategy<Value = OpticsLevel> {
        prop::sample::select(OpticsLevel::ALL.to_vec())
    }

    proptest! {
        /// Readings that stay within a band narrower than the hysteresis never bring an ONU
        /// back to a level it left: no flapping at a line.
        #[test]
        fn no_flapping_inside_the_hysteresis(
            t in thresholds(),
            start in level(),
            low in -40.0..0.0f64,
            steps in prop::collection::vec(0.0..1.0f64, 1..60),
            width_share in 0.0..0.99f64,
        ) {
            let width = t.hysteresis_db * width_share;
            let mut current = start;
            let mut left = Vec::new();
            for step in steps {
                let next = t.next(current, Signal::Level(low + step * width));
                if next != current {
                    prop_assert!(!left.contains(&next), "back to {next} after leaving it: {left:?}");
                    left.push(current);
                    current = next;
                }
            }
        }

        /// The level is never further than the hysteresis from what the reading alone says:
        /// it is the plain level of some reading within ±hysteresis.
        #[test]
        fn within_the_hysteresis_of_the_reading(t in thresholds(), start in level(), rx in -45.0..5.0f64) {
            let next = t.next(start, Signal::Level(rx));
            let h = t.hysteresis_db;
            let rank = |level: OpticsLevel| [Critical, Weak, Normal, Overload].iter().position(|l| *l == level);
            let (low, high) = (rank(t.plain(rx - h)), rank(t.plain(rx + h)));
            prop_assert!(low <= rank(next) && rank(next) <= high, "{start} then {rx} dBm gave {next}");
        }

        /// Far from every line, the history does not matter.
        #[test]
        fn far_from_the_lines_the_reading_decides(t in thresholds(), start in level(), rx in -45.0..5.0f64) {
            let h = t.hysteresis_db;
            prop_assume!([t.weak_dbm, t.critical_dbm, t.overload_dbm].iter().all(|line| (rx - line).abs() > h));
            prop_assert_eq!(t.next(start, Signal::Level(rx)), t.plain(rx));
        }

        /// A second identical reading changes nothing.
        #[test]
        fn a_repeated_reading_is_a_no_op(t in thresholds(), start in level(), rx in -45.0..5.0f64) {
            let once = t.next(start, Signal::Level(rx));
            prop_assert_eq!(t.next(once, Signal::Level(rx)), once);
        }

        /// Getting worse is never delayed: at or past a line, the ONU is at least that bad.
        #[test]
        fn worse_levels_are_entered_at_the_line(t in thresholds(), start in level(), rx in -45.0..5.0f64) {
            let next = t.next(start, Signal::Level(rx));
            match t.plain(rx) {
                Critical => prop_assert_eq!(next, Critical),
                Overload => prop_assert_eq!(next, Overload),
                Weak => prop_assert!(matches!(next, Weak | Critical), "{start} then {rx} gave {next}"),
                _ => {}
            }
        }
    }
}
