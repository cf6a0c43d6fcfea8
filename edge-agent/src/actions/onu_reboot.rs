//! ONU reboot by the SNMP SET the OLT's profile names, confirmed by watching the ONU's status go
//! offline and come back online before the deadline. Anything less is reported as a failure:
//! an unconfirmed reboot is never a success.

use std::time::Duration;

use netops_snmp::client::{get_onu_optics, SnmpSession};
use netops_snmp::profile::{OnuIndex, OnuStatus, PonPort};
use tokio::time::Instant;

use super::context::{ActionContext, Progress};
use super::outcome::Outcome;
use crate::config::DeviceConfig;
use crate::device::connect_device;

/// Which ONU to reboot, in the command's numbering.
#[derive(Debug, Clone, Copy)]
pub struct OnuTarget {
    pub pon: proto::PonPort,
    pub onu_id: u32,
}

pub async fn reboot_onu(
    context: &ActionContext,
    olt: &DeviceConfig,
    target: OnuTarget,
    deadline: Instant,
    progress: &Progress,
) -> Outcome {
    progress.set(format!("identifying OLT {}", olt.name));
    let device = match connect_device(olt, &context.transport, &context.profiles).await {
        Ok(device) => device,
        Err(error) => return Outcome::failed(format!("cannot reach OLT {}: {error}", olt.name)),
    };
    let profile_name = &device.profile.name;
    let Some(onu_profile) = &device.profile.onu else {
        return Outcome::rejected(format!(
            "profile {profile_name} describes no ONUs; device {} is not an OLT netops can reboot ONUs on",
            olt.name
        ));
    };
    let Some(reboot) = &onu_profile.reboot else {
        return Outcome::rejected(format!(
            "profile {profile_name} has no ONU reboot SET; add [[onu.reboot.set]] for this OLT model"
        ));
    };
    if onu_profile.status.is_none() {
        return Outcome::rejected(format!(
            "profile {profile_name} has no ONU status column, so a reboot could not be confirmed"
        ));
    }
    let onu = match onu_index(onu_profile.pon_layout.as_ref(), target) {
        Ok(onu) => onu,
        Err(reason) => return Outcome::rejected(reason),
    };
    let varbinds = match reboot.set_request(&onu) {
        Ok(varbinds) => varbinds,
        Err(error) => return Outcome::rejected(format!("cannot address the ONU: {error}")),
    };
    progress.set("reading the ONU's status before the reboot");
    match get_onu_optics(&device.session, onu_profile, onu).await {
        Ok(reading) if reading.status == OnuStatus::Online => {}
        Ok(reading) => {
            return Outcome::failed(format!(
                "the ONU is {} before the reboot; an ONU that is not online cannot be rebooted from the OLT",
                status_words(reading.status)
            ))
        }
        Err(error) => {
            return Outcome::failed(format!(
                "cannot read the ONU's status before the reboot: {error}"
            ))
        }
    }
    progress.set("sending the reboot SET");
    let sent = Instant::now();
    let Some(write_target) = olt.snmp_write_target() else {
        return Outcome::failed(format!("device {} has no SNMP settings", olt.name));
    };
    let written = match SnmpSession::open(write_target, &context.transport).await {
        Ok(writer) => writer.set_integers(&varbinds).await,
        Err(error) => Err(error),
    };
    if let Err(error) = written {
        return if error.is_timeout() {
            Outcome::timed_out(format!(
                "no answer to the reboot SET, so it is unknown whether the ONU reboots: {error}"
            ))
        } else {
            Outcome::failed(format!(
                "the OLT refused the reboot SET: {error} (a read-only community? set snmp.write_community)"
            ))
        };
    }
    progress.set("reboot sent; waiting for the ONU to go offline");
    let interval = context.settings.verify_interval;
    let mut went_down: Option<(Duration, OnuStatus)> = None;
    while Instant::now() < deadline {
        let pause = interval.min(deadline.saturating_duration_since(Instant::now()));
        tokio::time::sleep(pause).await;
        let Ok(reading) = get_onu_optics(&device.session, onu_profile, onu).await else {
            // A busy OLT may miss a poll; the deadline bounds the wait.
            continue;
        };
        match (went_down, reading.status) {
            (None, OnuStatus::Online) | (Some(_), OnuStatus::Unknown) => {}
            (None, status) => {
                went_down = Some((sent.elapsed(), status));
                progress.set("the ONU went offline; waiting for it to come back online");
            }
            (Some((down_after, status)), OnuStatus::Online) => {
                return Outcome::succeeded(format!(
                    "ONU rebooted: it went offline ({}) {:.1} s after the reset SET and was back online after {:.1} s",
                    status_words(status),
                    down_after.as_secs_f64(),
                    sent.elapsed().as_secs_f64()
                ))
            }
            (Some(_), _) => {}
        }
    }
    match went_down {
        None => Outcome::failed(format!(
            "reboot sent but the ONU was not seen going offline within {} s (it may have ignored the reset)",
            sent.elapsed().as_secs()
        )),
        Some((down_after, status)) => Outcome::failed(format!(
            "reboot sent; the ONU went offline ({}) {:.1} s later but was not back online within {} s",
            status_words(status),
            down_after.as_secs_f64(),
            sent.elapsed().as_secs()
        )),
    }
}

fn onu_index(
    layout: Option<&netops_snmp::profile::PonLayout>,
    target: OnuTarget,
) -> Result<OnuIndex, String> {
    let layout = layout.ok_or_else(|| {
        "the OLT's profile has no PON ifIndex layout, so a PON port cannot be addressed".to_owned()
    })?;
    let pon = PonPort {
        frame: u32::from(target.pon.frame),
        slot: u32::from(target.pon.slot),
        port: u32::from(target.pon.port),
    };
    let pon_index = layout
        .encode(pon)
        .map_err(|error| format!("PON {pon}: {error}"))?;
    Ok(OnuIndex::OnPon {
        pon_index,
        onu_id: target.onu_id,
    })
}

fn status_words(status: OnuStatus) -> &'static str {
    match status {
        OnuStatus::Online => "online",
        OnuStatus::Offline => "offline",
        OnuStatus::Los => "loss of signal",
        OnuStatus::DyingGasp => "dying gasp",
        OnuStatus::AuthFailed => "authentication failed",
        OnuStatus::Ranging => "ranging",
        OnuStatus::Unknown => "in an unknown state",
    }
}
