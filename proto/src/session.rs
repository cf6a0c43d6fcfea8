//! The `SessionEvent` frame: a PPPoE or IPoE session came up or went down on a BRAS.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::SubscriberKey;

/// What happened to the session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SessionChange {
    Started,
    /// `cause` is the device's own wording when it gives one.
    Ended {
        cause: Option<String>,
    },
}

/// A subscriber session appeared or disappeared on a device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionEvent {
    pub timestamp_ms: u64,
    pub device_id: String,
    pub subscriber_key: SubscriberKey,
    pub change: SessionChange,
    pub framed_ip: Option<IpAddr>,
}
