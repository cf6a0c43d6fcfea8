//! SNMP I/O on async-snmp: sessions to devices over one shared UDP socket, identification,
//! interface counter polls and ONU optics walks.
//!
//! This is the only module that owns sockets. It turns wire values into the pure types of
//! `counter` and `profile` (`CounterPoll`, `RawValue`) and leaves the math to them. Every
//! failure is a typed `SnmpError`; bad SNMP never panics.

mod clock;
mod convert;
mod counters;
mod credentials;
mod error;
mod identify;
mod names;
mod optics;
mod session;
mod table;
mod transport;

pub use clock::monotonic_ns;
pub use counters::{poll_interface_counters, InterfaceCounters, InterfaceTable};
pub use credentials::{Secret, SnmpCredentials, V3Credentials};
pub use error::SnmpError;
pub use identify::{identify_device, DeviceIdentity};
pub use names::walk_if_names;
pub use optics::{get_onu_optics, walk_onu_optics, OnuReading};
pub use session::{SnmpSession, SnmpTarget};
pub use table::{ColumnCell, ResponseStamp, TableWalk};
pub use transport::SharedTransport;

/// SNMPv3 protocol names, re-exported so callers configure credentials without async-snmp.
pub use async_snmp::{AuthProtocol, PrivProtocol};
