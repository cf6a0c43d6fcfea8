//! The ONU's optical level in plain words for the subscriber: good, weak or no signal.

/// At or below this receive level a GPON class B+ ONU is flagged weak (as the NOC's optics list
/// does).
pub const WEAK_AT_OR_BELOW_DBM: f64 = -25.0;
/// Below this the ONU is past its receiver's sensitivity and will not hold a link.
pub const NO_SIGNAL_BELOW_DBM: f64 = -28.0;

/// The verdict shown next to the optical levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignalVerdict {
    Good,
    Weak,
    NoSignal,
}

impl SignalVerdict {
    /// From the ONU's status word and its receive level in dBm.
    pub fn of(onu_status: Option<&str>, rx_power_dbm: Option<f64>) -> Self {
        let down = matches!(
            onu_status,
            Some("offline" | "los" | "dying_gasp" | "auth_failed")
        );
        match rx_power_dbm {
            _ if down => Self::NoSignal,
            None => Self::NoSignal,
            Some(level) if !level.is_finite() || level < NO_SIGNAL_BELOW_DBM => Self::NoSignal,
            Some(level) if level <= WEAK_AT_OR_BELOW_DBM => Self::Weak,
            Some(_) => Self::Good,
        }
    }

    pub fn words(self) -> &'static str {
        match self {
            Self::Good => "good",
            Self::Weak => "weak",
            Self::NoSignal => "no signal",
        }
    }

    /// What it means for the subscriber.
    pub fn advice(self) -> &'static str {
        match self {
            Self::Good => "Your fibre connection is healthy.",
            Self::Weak => {
                "The light reaching your ONU is low; the connection may drop. If it stays weak, open a ticket so we can check the fibre."
            }
            Self::NoSignal => {
                "Your ONU receives no light from our network. Check that it is powered on and the fibre cable is not bent or unplugged."
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(status: Option<&str>, rx: Option<f64>, expected: SignalVerdict) {
        assert_eq!(SignalVerdict::of(status, rx), expected, "{status:?} {rx:?}");
    }

    #[test]
    fn verdicts() {
        use SignalVerdict::*;
        check(Some("online"), Some(-19.4), Good);
        check(Some("online"), Some(-24.99), Good);
        check(Some("online"), Some(-25.0), Weak);
        check(Some("online"), Some(-27.9), Weak);
        check(Some("online"), Some(-28.1), NoSignal);
        check(Some("online"), None, NoSignal);
        check(Some("los"), Some(-19.0), NoSignal);
        check(Some("offline"), None, NoSignal);
        check(None, Some(-20.0), Good);
        check(Some("online"), Some(f64::NAN), NoSignal);
    }
}
