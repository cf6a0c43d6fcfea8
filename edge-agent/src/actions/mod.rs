//! The command executor: device actions the control plane asks for (disconnect a PPPoE session,
//! change its speed, reboot an ONU), each run once through its driver and verified on the
//! device before it is reported Succeeded.
//!
//! `executor.rs` receives commands and reports results; `ledger.rs` remembers executed command
//! ids on disk; `plan.rs` checks a command against the configuration; `bras.rs` and
//! `onu_reboot.rs` are the actions; `session_table.rs` confirms a session is gone.

mod bras;
mod context;
mod executor;
mod ledger;
mod ledger_line;
mod onu_reboot;
mod outcome;
mod plan;
mod session_table;

pub use executor::{DeviceDirectory, Executor, ExecutorError};
pub use ledger::{CommandLedger, LedgerEntry, LedgerError, LEDGER_FILE};
pub use outcome::Outcome;
