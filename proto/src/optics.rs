//! The `Optics` frame: ONU optical levels and status read from OLTs.

use serde::{Deserialize, Serialize};

use crate::SubscriberKey;

/// ONU readings from one optics poll of one OLT.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Optics {
    pub device_id: String,
    pub timestamp_ms: u64,
    pub readings: Vec<OnuOptics>,
}

/// Registration state of an ONU as the OLT reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OnuStatus {
    Online,
    Offline,
    /// Loss of signal: the fibre is cut or the ONU's laser is dark.
    Los,
    /// The ONU announced it was losing power.
    DyingGasp,
    AuthFailed,
    /// Registering or synchronising with the OLT.
    Ranging,
    /// The OLT reported a state the profile does not map.
    Unknown,
}

/// One ONU's optics. A `None` level means the OLT reported "no value" (typically an offline ONU).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OnuOptics {
    pub subscriber_key: SubscriberKey,
    pub status: OnuStatus,
    /// Power the ONU receives from the OLT.
    pub rx_power_dbm: Option<f64>,
    /// Power the ONU transmits.
    pub tx_power_dbm: Option<f64>,
    /// Power the OLT receives from this ONU.
    pub olt_rx_power_dbm: Option<f64>,
    pub temperature_c: Option<f64>,
    pub serial: Option<String>,
    pub name: Option<String>,
}
