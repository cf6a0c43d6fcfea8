//! One poll of one interface counter, with everything needed to trust a delta.

/// A counter value, tagged with its width so wrapping subtraction uses the right modulus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CounterValue {
    /// Counter32, e.g. ifInOctets; wraps at 2^32 (every 34 s at 1 Gb/s).
    Bits32(u32),
    /// Counter64, e.g. ifHCInOctets.
    Bits64(u64),
}

impl CounterValue {
    pub fn width_bits(self) -> u8 {
        match self {
            Self::Bits32(_) => 32,
            Self::Bits64(_) => 64,
        }
    }
}

/// One poll of one counter of one ifIndex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterPoll {
    /// When the response arrived, in nanoseconds on one clock (monotonic or UTC) that the
    /// poller uses for every poll of this counter. Not the schedule's time: a late response
    /// still measures the interval the device actually counted.
    pub received_ns: u64,
    /// sysUpTime from the same response, in hundredths of a second.
    pub sys_uptime_cs: u32,
    /// ifCounterDiscontinuityTime, when the device reports it.
    pub discontinuity_cs: Option<u32>,
    /// ifName for this ifIndex in the same response.
    pub if_name: String,
    pub octets: CounterValue,
}
