//! Counter-to-rate math: turns two polls of one interface counter into bits per second, or
//! says why the sample must be dropped.
//!
//! Pure functions, no I/O. The poller calls `rate_between` once per counter (in and out) with
//! the previous and current poll of the same ifIndex.

mod dropped;
mod poll;
mod rate;

pub use dropped::SampleDropped;
pub use poll::{CounterPoll, CounterValue};
pub use rate::{rate_between, CounterRate, RateCeiling};

#[cfg(test)]
mod tests;
