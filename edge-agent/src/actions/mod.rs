//! The command executor: device actions the control plane asks for (disconnect a PPPoE session,
//! change its speed, reboot an ONU, reboot a router or CPE over SSH or TR-069, change a BGP
//! peering, poll an ONU's optics fast), each run once through its driver and verified on the
//! device before it is reported Succeeded (an SSH router reboot: accepted by the device; a
//! TR-069 reboot: the CPE booted and informed the ACS).
//!
//! `executor.rs` receives commands and reports results; `ledger.rs` remembers executed command
//! ids on disk; `plan.rs` checks a command against the configuration; `bras.rs`,
//! `onu_reboot.rs`, `router_reboot.rs`, `tr069_reboot.rs`, `bgp_peering.rs` and
//! `fast_optics.rs` are the actions; `session_table.rs` confirms a session is gone.

mod bgp_peering;
mod bras;
mod context;
mod executor;
mod fast_optics;
mod ledger;
mod ledger_line;
mod onu_reboot;
mod outcome;
mod plan;
mod router_reboot;
mod session_table;
mod tr069_reboot;

pub use executor::{DeviceDirectory, Executor, ExecutorError};
pub use ledger::{CommandLedger, LedgerEntry, LedgerError, LEDGER_FILE};
pub use outcome::Outcome;
