//! The optics loop of one OLT: a full ONU walk on the profile's slow cadence, and fast polls of
//! single ONUs someone is watching (requested through `OpticsWatch`).

use std::collections::BTreeMap;
use std::time::Duration;

use netops_snmp::client::{get_onu_optics, walk_onu_optics, OnuReading};
use netops_snmp::profile::{OnuIndex, OnuProfile, OnuStatus};
use proto::{Frame, OnuOptics, Optics};
use tokio::sync::mpsc;
use tokio::time::{interval, Instant, MissedTickBehavior};

use super::subscriber::onu_key;
use super::{ConnectedDevice, DeviceContext};

/// Poll one ONU fast until `for_duration` has passed (a customer or NOC engineer is looking).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WatchRequest {
    pub onu: OnuIndex,
    pub for_duration: Duration,
}

/// The handle other parts of the agent (command executor, control plane requests) use to ask
/// for fast optics polling of one ONU.
#[derive(Debug, Clone)]
pub struct OpticsWatch {
    requests: mpsc::Sender<WatchRequest>,
}

impl OpticsWatch {
    pub fn channel() -> (Self, mpsc::Receiver<WatchRequest>) {
        let (requests, receiver) = mpsc::channel(64);
        (Self { requests }, receiver)
    }

    /// Returns false when the device task is gone or too busy to take the request.
    pub fn watch(&self, onu: OnuIndex, for_duration: Duration) -> bool {
        self.requests
            .try_send(WatchRequest { onu, for_duration })
            .is_ok()
    }
}

/// Most ONUs watched at once per OLT, so fast polling cannot overload it.
const MAX_WATCHED_ONUS: usize = 32;

pub async fn run_optics_loop(
    device: ConnectedDevice,
    context: DeviceContext,
    mut watch_rx: mpsc::Receiver<WatchRequest>,
) {
    let Some(onu_profile) = device.profile.onu.clone() else {
        return;
    };
    let mut shutdown = context.shutdown.clone();
    let mut full = interval(device.profile.cadence.optics);
    full.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut fast = interval(device.profile.cadence.fast_optics);
    fast.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut watched: BTreeMap<OnuIndex, Instant> = BTreeMap::new();
    loop {
        let event = tokio::select! {
            _ = shutdown.wait_for(|stop| *stop) => return,
            request = watch_rx.recv() => OpticsEvent::Watch(request),
            _ = full.tick() => OpticsEvent::FullWalk,
            _ = fast.tick(), if !watched.is_empty() => OpticsEvent::FastPoll,
        };
        let readings = match event {
            OpticsEvent::Watch(Some(request)) => {
                if watched.len() < MAX_WATCHED_ONUS || watched.contains_key(&request.onu) {
                    watched.insert(request.onu, Instant::now() + request.for_duration);
                } else {
                    tracing::warn!(device = %device.name, onu = ?request.onu, "too many watched ONUs; request ignored");
                }
                continue;
            }
            OpticsEvent::Watch(None) => continue,
            OpticsEvent::FullWalk => walk_onu_optics(&device.session, &onu_profile).await,
            OpticsEvent::FastPoll => {
                let now = Instant::now();
                watched.retain(|_, until| *until > now);
                let mut readings = Vec::new();
                for onu in watched.keys() {
                    match get_onu_optics(&device.session, &onu_profile, *onu).await {
                        Ok(reading) => readings.push(reading),
                        Err(error) => {
                            tracing::warn!(device = %device.name, onu = ?onu, %error, "fast optics poll failed")
                        }
                    }
                }
                Ok(readings)
            }
        };
        let readings = match readings {
            Ok(readings) => readings,
            Err(error) => {
                context
                    .metrics
                    .poll_errors_total
                    .with_label_values(&[&device.name, error.kind_label()])
                    .inc();
                tracing::warn!(device = %device.name, %error, "optics poll failed");
                continue;
            }
        };
        if readings.is_empty() {
            continue;
        }
        let frame = Frame::Optics(optics_frame(
            &device.name,
            &onu_profile,
            readings,
            context.clock.now_ms(),
        ));
        if context.frames.send(frame).await.is_err() {
            return;
        }
    }
}

enum OpticsEvent {
    Watch(Option<WatchRequest>),
    FullWalk,
    FastPoll,
}

/// The `Optics` frame for one poll's readings.
pub fn optics_frame(
    device: &str,
    profile: &OnuProfile,
    readings: Vec<OnuReading>,
    timestamp_ms: u64,
) -> Optics {
    Optics {
        device_id: device.to_owned(),
        timestamp_ms,
        readings: readings
            .into_iter()
            .map(|reading| {
                for problem in &reading.problems {
                    tracing::debug!(%device, %problem, "ONU value not decoded");
                }
                OnuOptics {
                    subscriber_key: onu_key(device, profile, &reading),
                    status: wire_status(reading.status),
                    rx_power_dbm: reading.rx_power_dbm,
                    tx_power_dbm: reading.tx_power_dbm,
                    olt_rx_power_dbm: reading.olt_rx_power_dbm,
                    temperature_c: reading.temperature_c,
                    serial: reading.serial,
                    name: reading.name,
                }
            })
            .collect(),
    }
}

fn wire_status(status: OnuStatus) -> proto::OnuStatus {
    match status {
        OnuStatus::Online => proto::OnuStatus::Online,
        OnuStatus::Offline => proto::OnuStatus::Offline,
        OnuStatus::Los => proto::OnuStatus::Los,
        OnuStatus::DyingGasp => proto::OnuStatus::DyingGasp,
        OnuStatus::AuthFailed => proto::OnuStatus::AuthFailed,
        OnuStatus::Ranging => proto::OnuStatus::Ranging,
        OnuStatus::Unknown => proto::OnuStatus::Unknown,
    }
}
