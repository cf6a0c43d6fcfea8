//! Billing: the pure rules (cycles, numbering, amounts, status, proration, allocation of
//! payments, which bill is due) and, around them, the scheduled job and the payment gateways.
//!
//! The rule files (`allocation`, `amounts`, `cycle`, `issue`, `numbering`, `online_price`,
//! `proration`, `status`) do no I/O and use integer minor units only, so each is tested on its
//! own and the money invariants are property tests. `job` runs them against the store on
//! `clock`'s time.

pub mod allocation;
pub mod amounts;
pub mod clock;
pub mod cycle;
pub mod expiry_warning;
pub mod issue;
pub mod job;
pub mod notify;
pub mod numbering;
pub mod online_price;
pub mod plan_change;
pub mod proration;
pub mod runtime;
pub mod settings;
pub mod status;
pub mod terms;

pub use clock::{Clock, ManualClock, SystemClock};
pub use runtime::BillingRuntime;
pub use settings::BillingSettings;
pub mod gateway;
pub mod settle;
