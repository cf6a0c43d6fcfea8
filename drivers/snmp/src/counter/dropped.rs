//! Why a pair of polls yields no rate.

use thiserror::Error;

/// A sample the poller must drop rather than report as a spike or a negative rate.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SampleDropped {
    #[error("device rebooted: sysUpTime went from {previous_cs} to {current_cs} centiseconds")]
    DeviceRebooted { previous_cs: u32, current_cs: u32 },
    #[error("counter discontinuity: ifCounterDiscontinuityTime changed from {previous_cs:?} to {current_cs:?}")]
    CounterDiscontinuity {
        previous_cs: Option<u32>,
        current_cs: Option<u32>,
    },
    #[error("ifIndex now names {current:?} instead of {previous:?}")]
    InterfaceRenamed { previous: String, current: String },
    #[error("counter width changed from {previous_bits} to {current_bits} bits")]
    CounterWidthChanged { previous_bits: u8, current_bits: u8 },
    #[error("response times do not advance: {elapsed_ns} ns between polls")]
    NonPositiveInterval { elapsed_ns: i128 },
    #[error("implausible rate of {bps} b/s above the {ceiling_bps} b/s ceiling")]
    ImplausibleRate { bps: u64, ceiling_bps: u64 },
}
