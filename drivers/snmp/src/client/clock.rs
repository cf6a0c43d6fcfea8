//! One monotonic clock for the receive time of every SNMP response in the process.

use std::sync::OnceLock;
use std::time::Instant;

static ANCHOR: OnceLock<Instant> = OnceLock::new();

/// Nanoseconds on a monotonic clock shared by every poll, for `CounterPoll::received_ns`.
pub fn monotonic_ns() -> u64 {
    let anchor = *ANCHOR.get_or_init(Instant::now);
    u64::try_from(anchor.elapsed().as_nanos()).unwrap_or(u64::MAX)
}
