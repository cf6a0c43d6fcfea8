//! SNMP polling, counter-to-rate math and vendor profiles for netops.
//!
//! `counter` turns interface counter polls into trusted rates; `profile` loads the vendor
//! profiles (TOML data files) that tell the poller which OIDs to read from each device model and
//! how to decode them. Both are pure: `client`, the only module that owns sockets, builds on
//! them to talk to devices over async-snmp.

pub mod client;
pub mod counter;
mod oid;
pub mod profile;
#[cfg(feature = "simulator")]
pub mod simulator;

pub use oid::{well_known, Oid, OidParseError};
pub use profile::load_profiles_dir;
