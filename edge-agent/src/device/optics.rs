//! The optics loop of one OLT: a full ONU walk on the profile's slow cadence, and fast polls of
//! single ONUs someone is watching (requested through `OpticsWatch`), each on its own interval.

use std::collections::BTreeMap;
use std::time::Duration;

use netops_snmp::client::{get_onu_optics, walk_onu_optics, OnuReading};
use netops_snmp::profile::{OnuIndex, OnuProfile, OnuStatus};
use proto::{Frame, OnuOptics, Optics};
use tokio::sync::mpsc;
use tokio::time::{interval, sleep_until, Instant, MissedTickBehavior};

use super::optics_watch::{FirstReading, WatchRequest};
use super::subscriber::{onu_index_for, onu_key};
use super::{ConnectedDevice, DeviceContext};

/// Most ONUs watched at once per OLT, so fast polling cannot overload it.
const MAX_WATCHED_ONUS: usize = 32;

/// One ONU polled fast: how often, until when, and when next.
#[derive(Debug, Clone, Copy)]
struct Watched {
    every: Duration,
    until: Instant,
    next_due: Instant,
}

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
    let mut watched: BTreeMap<OnuIndex, Watched> = BTreeMap::new();
    let mut requests_open = true;
    loop {
        let next_due = watched.values().map(|w| w.next_due).min();
        let event = tokio::select! {
            _ = shutdown.wait_for(|stop| *stop) => return,
            request = watch_rx.recv(), if requests_open => OpticsEvent::Watch(request),
            _ = full.tick() => OpticsEvent::FullWalk,
            _ = sleep_until(next_due.unwrap_or_else(Instant::now)), if next_due.is_some() => OpticsEvent::FastPoll,
        };
        let readings = match event {
            OpticsEvent::Watch(Some(request)) => {
                // A request whose sender gave up waiting (an OLT that was still connecting) is
                // not started late.
                if request.answer.is_closed() {
                    continue;
                }
                let started = start_watch(&device, &onu_profile, &mut watched, &request).await;
                let answer = match started {
                    Ok((first, reading)) => {
                        let frame = Frame::Optics(optics_frame(
                            &device.name,
                            &onu_profile,
                            vec![reading],
                            context.clock.now_ms(),
                        ));
                        if context.frames.send(frame).await.is_err() {
                            return;
                        }
                        Ok(first)
                    }
                    Err(reason) => Err(reason),
                };
                let _ = request.answer.send(answer);
                continue;
            }
            OpticsEvent::Watch(None) => {
                requests_open = false;
                continue;
            }
            OpticsEvent::FullWalk => walk_onu_optics(&device.session, &onu_profile).await,
            OpticsEvent::FastPoll => {
                let now = Instant::now();
                watched.retain(|_, watch| watch.until > now);
                let mut readings = Vec::new();
                for (onu, watch) in watched.iter_mut().filter(|(_, w)| w.next_due <= now) {
                    watch.next_due = now + watch.every;
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

/// Reads the requested ONU once and, when the OLT knows it, starts watching it. Returns the
/// answer for the requester and the reading to send.
async fn start_watch(
    device: &ConnectedDevice,
    profile: &OnuProfile,
    watched: &mut BTreeMap<OnuIndex, Watched>,
    request: &WatchRequest,
) -> Result<(FirstReading, OnuReading), String> {
    let (olt, pon, onu_id) = (&device.name, request.pon, request.onu_id);
    let onu = onu_index_for(profile, pon, onu_id)?;
    if watched.len() >= MAX_WATCHED_ONUS && !watched.contains_key(&onu) {
        return Err(format!(
            "OLT {olt} already has {MAX_WATCHED_ONUS} ONUs polled fast, the most netops polls at once on one OLT; try again when one of them ends"
        ));
    }
    let reading = get_onu_optics(&device.session, profile, onu)
        .await
        .map_err(|error| {
            format!(
                "OLT {olt} did not answer the optics GET for ONU {onu_id} on PON {pon}: {error}"
            )
        })?;
    if says_nothing(&reading) {
        return Err(format!(
            "OLT {olt} returned no status or level for ONU {onu_id} on PON {pon}: it has no such ONU"
        ));
    }
    let fastest = device.profile.cadence.fast_optics;
    let every = request.every.max(fastest);
    let now = Instant::now();
    let until = now + request.for_duration;
    let entry = watched.entry(onu).or_insert(Watched {
        every,
        until,
        next_due: now + every,
    });
    // A second request for a watched ONU extends the watch and may speed it up.
    entry.until = entry.until.max(until);
    entry.every = entry.every.min(every);
    entry.next_due = entry.next_due.min(now + every);
    let first = FirstReading {
        status: reading.status,
        rx_power_dbm: reading.rx_power_dbm,
        every: entry.every,
        profile_fastest: fastest,
        profile: device.profile.name.clone(),
    };
    Ok((first, reading))
}

/// A GET for an ONU the OLT does not have comes back with no status and no level at all.
fn says_nothing(reading: &OnuReading) -> bool {
    reading.status == OnuStatus::Unknown
        && reading.rx_power_dbm.is_none()
        && reading.tx_power_dbm.is_none()
        && reading.olt_rx_power_dbm.is_none()
        && reading.temperature_c.is_none()
        && reading.serial.is_none()
        && reading.name.is_none()
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
