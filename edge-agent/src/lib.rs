//! netops edge agent: polls the devices of one site, runs device actions, and streams
//! per-second samples to the control plane over an outbound WebSocket.

pub mod actions;
pub mod agent;
pub mod aggregate;
pub mod check;
pub mod cli;
pub mod clock;
pub mod config;
pub mod device;
pub mod metrics;
pub mod poll_once;
pub mod reload;
pub mod run;
pub mod spool;
pub mod uplink;
