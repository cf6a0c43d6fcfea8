//! How often a device model may be polled.

use std::time::Duration;

/// Poll intervals for one model. Optics polls load the OLT's CPU, so they are slow by default
/// (hourly on ZTE C3xx) and fast only for an ONU someone is looking at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollCadence {
    pub counters: Duration,
    pub optics: Duration,
    /// For one ONU a customer or NOC engineer is watching.
    pub fast_optics: Duration,
}

impl PollCadence {
    pub const DEFAULT_COUNTERS_S: u64 = 1;
    pub const DEFAULT_OPTICS_S: u64 = 300;
    pub const DEFAULT_FAST_OPTICS_S: u64 = 10;
}

impl Default for PollCadence {
    fn default() -> Self {
        Self {
            counters: Duration::from_secs(Self::DEFAULT_COUNTERS_S),
            optics: Duration::from_secs(Self::DEFAULT_OPTICS_S),
            fast_optics: Duration::from_secs(Self::DEFAULT_FAST_OPTICS_S),
        }
    }
}
