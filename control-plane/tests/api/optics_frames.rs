//! ONU readings as an agent sends them, for the demo OLT (`olt-gulshan-1`): Rahim is ONU 1 and
//! Karima ONU 2 on PON 0/1/1.

use proto::{Frame, OnuOptics, OnuStatus, Optics, PonPort, SubscriberKey};

use crate::agent_client::{now_ms, TestAgent};

pub const OLT: &str = "olt-gulshan-1";
pub const RAHIM_ONU: u32 = 1;
pub const KARIMA_ONU: u32 = 2;

pub fn onu_key(onu_id: u32) -> SubscriberKey {
    SubscriberKey::Onu {
        olt: OLT.into(),
        pon: PonPort {
            frame: 0,
            slot: 1,
            port: 1,
        },
        onu_id,
    }
}

pub fn reading(onu_id: u32, status: OnuStatus, rx: Option<f64>) -> OnuOptics {
    OnuOptics {
        subscriber_key: onu_key(onu_id),
        status,
        rx_power_dbm: rx,
        tx_power_dbm: rx.map(|_| 2.5),
        olt_rx_power_dbm: rx.map(|dbm| dbm - 1.0),
        temperature_c: None,
        serial: None,
        name: None,
    }
}

pub fn online(onu_id: u32, rx: f64) -> OnuOptics {
    reading(onu_id, OnuStatus::Online, Some(rx))
}

/// Unix milliseconds `secs` seconds ago.
pub fn ago_ms(secs: u64) -> u64 {
    now_ms() - secs * 1000
}

/// Sends one `Optics` frame taken at `at_ms` and waits until the control plane has handled it.
pub async fn send_readings(agent: &mut TestAgent, at_ms: u64, readings: Vec<OnuOptics>) {
    agent
        .send(&Frame::Optics(Optics {
            device_id: OLT.into(),
            timestamp_ms: at_ms,
            readings,
        }))
        .await;
    agent.round_trip(at_ms).await;
}
