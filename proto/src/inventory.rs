//! The `Inventory` frame: what an agent polls and which subscribers it can see.

use serde::{Deserialize, Serialize};

use crate::SubscriberKey;

/// Everything the agent is responsible for; sent after `HelloAck` and whenever it changes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Inventory {
    pub devices: Vec<Device>,
    pub interfaces: Vec<Interface>,
    pub subscriber_keys: Vec<SubscriberKey>,
}

/// What role a device plays in the ISP's network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DeviceKind {
    Olt,
    Bras,
    Router,
    Switch,
    Other,
}

/// One polled device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    /// Stable id chosen in the agent's configuration; other frames refer to it.
    pub device_id: String,
    pub kind: DeviceKind,
    /// Name of the vendor profile the agent polls it with.
    pub profile: String,
    /// Management address as configured (IP address or host name).
    pub management_address: String,
}

/// One interface of a polled device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interface {
    pub device_id: String,
    pub if_index: u32,
    pub if_name: String,
    /// Nominal speed, when the device reports one.
    pub speed_bps: Option<u64>,
}
