//! `rate_between`: wrap-safe delta of two counter polls, checked for reboots, discontinuities,
//! re-indexing and implausible spikes.

use super::{CounterPoll, CounterValue, SampleDropped};

const NANOS_PER_SECOND: u128 = 1_000_000_000;
const NANOS_PER_CENTISECOND: i128 = 10_000_000;
/// sysUpTime may lag the poller's clock a little when it wraps; one second of slack.
const UPTIME_WRAP_SLACK_CS: i128 = 100;

/// The highest rate a counter may plausibly show; anything above is dropped as a glitch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateCeiling {
    max_bps: u64,
}

impl RateCeiling {
    /// Ceiling for interfaces of unknown speed (PPPoE interfaces often report 0): 1 Tb/s.
    pub const UNKNOWN_SPEED_MAX_BPS: u64 = 1_000_000_000_000;
    /// Headroom above the nominal interface speed, in percent.
    pub const HEADROOM_PERCENT: u64 = 10;

    pub const fn new(max_bps: u64) -> Self {
        Self { max_bps }
    }

    /// Nominal speed plus `HEADROOM_PERCENT`; a speed of 0 means unknown.
    pub fn from_interface_speed_bps(speed_bps: u64) -> Self {
        if speed_bps == 0 {
            return Self::default();
        }
        let max_bps = u128::from(speed_bps) * u128::from(100 + Self::HEADROOM_PERCENT) / 100;
        Self::new(u64::try_from(max_bps).unwrap_or(u64::MAX))
    }

    /// From ifHighSpeed (megabits per second); 0 means unknown.
    pub fn from_if_high_speed_mbps(speed_mbps: u32) -> Self {
        Self::from_interface_speed_bps(u64::from(speed_mbps) * 1_000_000)
    }

    pub fn max_bps(self) -> u64 {
        self.max_bps
    }
}

impl Default for RateCeiling {
    fn default() -> Self {
        Self::new(Self::UNKNOWN_SPEED_MAX_BPS)
    }
}

/// A trusted rate over the interval between two polls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CounterRate {
    /// Bits per second, rounded to the nearest integer.
    pub bps: u64,
    /// Octets counted during the interval.
    pub octets: u64,
    pub elapsed_ns: u64,
}

/// The rate between two polls of the same counter of the same ifIndex, or why there is none.
///
/// A 32-bit counter that wrapped more than once between polls cannot be told apart from one
/// that wrapped once; poll 32-bit counters faster than they wrap at the interface speed.
pub fn rate_between(
    previous: &CounterPoll,
    current: &CounterPoll,
    ceiling: RateCeiling,
) -> Result<CounterRate, SampleDropped> {
    if previous.if_name != current.if_name {
        return Err(SampleDropped::InterfaceRenamed {
            previous: previous.if_name.clone(),
            current: current.if_name.clone(),
        });
    }
    let elapsed_ns = i128::from(current.received_ns) - i128::from(previous.received_ns);
    check_uptime(previous, current, elapsed_ns)?;
    if previous.discontinuity_cs != current.discontinuity_cs {
        return Err(SampleDropped::CounterDiscontinuity {
            previous_cs: previous.discontinuity_cs,
            current_cs: current.discontinuity_cs,
        });
    }
    let octets = octets_delta(previous.octets, current.octets)?;
    let elapsed_ns = match u64::try_from(elapsed_ns) {
        Ok(elapsed) if elapsed > 0 => elapsed,
        _ => return Err(SampleDropped::NonPositiveInterval { elapsed_ns }),
    };
    let bps = bits_per_second(octets, elapsed_ns);
    let bps = match bps {
        Some(bps) if bps <= ceiling.max_bps() => bps,
        _ => {
            return Err(SampleDropped::ImplausibleRate {
                bps: bps.unwrap_or(u64::MAX),
                ceiling_bps: ceiling.max_bps(),
            })
        }
    };
    Ok(CounterRate {
        bps,
        octets,
        elapsed_ns,
    })
}

/// sysUpTime going backwards means a reboot, unless the 32-bit TimeTicks wrapped (every 497
/// days) by about as much as the wall clock advanced.
fn check_uptime(
    previous: &CounterPoll,
    current: &CounterPoll,
    elapsed_ns: i128,
) -> Result<(), SampleDropped> {
    if current.sys_uptime_cs >= previous.sys_uptime_cs {
        return Ok(());
    }
    let wrapped_cs = i128::from(current.sys_uptime_cs.wrapping_sub(previous.sys_uptime_cs));
    let elapsed_cs = elapsed_ns / NANOS_PER_CENTISECOND;
    if elapsed_ns > 0 && wrapped_cs <= elapsed_cs + UPTIME_WRAP_SLACK_CS {
        return Ok(());
    }
    Err(SampleDropped::DeviceRebooted {
        previous_cs: previous.sys_uptime_cs,
        current_cs: current.sys_uptime_cs,
    })
}

fn octets_delta(previous: CounterValue, current: CounterValue) -> Result<u64, SampleDropped> {
    match (previous, current) {
        (CounterValue::Bits32(before), CounterValue::Bits32(after)) => {
            Ok(u64::from(after.wrapping_sub(before)))
        }
        (CounterValue::Bits64(before), CounterValue::Bits64(after)) => {
            Ok(after.wrapping_sub(before))
        }
        _ => Err(SampleDropped::CounterWidthChanged {
            previous_bits: previous.width_bits(),
            current_bits: current.width_bits(),
        }),
    }
}

/// Rounded to the nearest bit per second; `None` when it does not fit in a `u64`.
fn bits_per_second(octets: u64, elapsed_ns: u64) -> Option<u64> {
    let elapsed = u128::from(elapsed_ns);
    let scaled_bits = u128::from(octets) * 8 * NANOS_PER_SECOND;
    let bps = (scaled_bits + elapsed / 2) / elapsed;
    u64::try_from(bps).ok()
}
