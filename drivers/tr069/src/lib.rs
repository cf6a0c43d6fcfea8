//! TR-069 CPE actions through the GenieACS northbound interface (NBI), the ACS's HTTP/JSON API.
//!
//! [`NbiClient`] speaks to one NBI ([`NbiEndpoint`]: `http` or `https` URL, optional basic or
//! bearer credentials that never print). [`reboot_cpe`] posts a `reboot` task with a connection
//! request, withdraws it when the CPE does not answer (a queued reboot must not run hours
//! later), decodes CWMP faults ([`CpeFault`]) and confirms the reboot by the CPE's `_lastBoot`
//! moving forward. `parse.rs` and `fault.rs` hold the pure JSON and timestamp decoding, tested
//! with fixtures; `client.rs` owns the HTTP. With feature `nbi-fake`, [`fake::FakeNbi`] serves
//! a GenieACS 1.2 NBI stand-in with simulated CPEs on 127.0.0.1 for tests.

#![forbid(unsafe_code)]

mod client;
mod error;
mod fault;
mod parse;
mod reboot;

#[cfg(feature = "nbi-fake")]
pub mod fake;

pub use client::{NbiAuth, NbiClient, NbiEndpoint, TaskPosted, Withdrawal};
pub use error::Tr069Error;
pub use fault::{CpeFault, FaultDetail};
pub use parse::{
    encode_path_segment, nbi_timestamp, parse_nbi_timestamp, percent_decode, BootRecord, CpeId,
    QueuedTask, TaskId,
};
pub use reboot::{reboot_cpe, RebootLimits, RebootOutcome};
