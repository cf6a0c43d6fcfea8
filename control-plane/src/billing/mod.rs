//! Billing: the pure rules (cycles, numbering, amounts, status, proration, allocation of
//! payments) and, around them, the scheduled job and the payment gateways.
//!
//! The rule files do no I/O and use integer minor units only, so each is tested on its own
//! and the money invariants are property tests.

pub mod allocation;
pub mod amounts;
pub mod cycle;
pub mod numbering;
pub mod proration;
pub mod status;
