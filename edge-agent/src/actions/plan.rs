//! From a `proto::Command` to what the agent will do, or the reason it refuses: unknown device,
//! wrong subscriber key, missing RADIUS, SSH or BGP settings, an action this agent does not run.

use std::collections::HashMap;
use std::time::Duration;

use netops_radius::{RateLimit, SessionIdent};
use proto::{Command, CommandKind, PonPort, SubscriberKey};

use super::bgp_peering::{self, BgpPeering};
use super::router_reboot::{self, RouterReboot};
use crate::config::{CommandSettings, DeviceConfig, RadiusSettings, RateAttribute};

/// A RADIUS action on one subscriber's PPPoE session.
#[derive(Debug, Clone)]
pub struct SessionAction {
    pub bras: DeviceConfig,
    pub radius: RadiusSettings,
    pub session: SessionIdent,
}

/// What a command asks of which device, checked against the configuration.
#[derive(Debug, Clone)]
pub enum Plan {
    Disconnect(SessionAction),
    ChangeSpeed {
        action: SessionAction,
        rate: RateLimit,
        download_bps: u64,
        upload_bps: u64,
    },
    RebootOnu {
        olt: DeviceConfig,
        pon: PonPort,
        onu_id: u32,
    },
    RebootRouter(RouterReboot),
    BgpPeer(BgpPeering),
}

impl Plan {
    pub fn deadline(&self, settings: &CommandSettings) -> Duration {
        match self {
            Self::Disconnect(_) => settings.disconnect_deadline,
            Self::ChangeSpeed { .. } => settings.change_speed_deadline,
            Self::RebootOnu { .. } => settings.reboot_onu_deadline,
            Self::RebootRouter(_) => settings.reboot_router_deadline,
            Self::BgpPeer(_) => settings.bgp_peer_deadline,
        }
    }
}

/// The plan for `command`, or why it is rejected (a sentence for the NOC console).
pub fn plan(
    command: &Command,
    devices: &HashMap<String, DeviceConfig>,
    agent_id: &str,
) -> Result<Plan, String> {
    let device_id = &command.target.device_id;
    let device = devices.get(device_id).ok_or_else(|| {
        format!("unknown device {device_id:?}: agent {agent_id} has no such device in its configuration")
    })?;
    let key = command.target.subscriber_key.as_ref();
    match &command.kind {
        CommandKind::DisconnectSession => Ok(Plan::Disconnect(session_action(device, key)?)),
        CommandKind::ChangeSpeed {
            download_bps,
            upload_bps,
        } => {
            if *download_bps < 1000 || *upload_bps < 1000 {
                return Err(format!(
                    "a speed of {download_bps} b/s down / {upload_bps} b/s up is below 1 kb/s; send the rate in bits per second"
                ));
            }
            let action = session_action(device, key)?;
            let rate = rate_limit(&action.radius.rate_attribute, *download_bps, *upload_bps);
            Ok(Plan::ChangeSpeed {
                action,
                rate,
                download_bps: *download_bps,
                upload_bps: *upload_bps,
            })
        }
        CommandKind::RebootOnu => match key {
            Some(SubscriberKey::Onu { olt, pon, onu_id }) if olt == device_id => {
                Ok(Plan::RebootOnu {
                    olt: device.clone(),
                    pon: *pon,
                    onu_id: *onu_id,
                })
            }
            Some(SubscriberKey::Onu { olt, .. }) => Err(format!(
                "the ONU key names OLT {olt:?} but the command targets device {device_id:?}"
            )),
            _ => {
                Err("an ONU reboot needs an ONU subscriber key (OLT, PON port, ONU id)".to_owned())
            }
        },
        CommandKind::RebootRouter => Ok(Plan::RebootRouter(router_reboot::plan(device)?)),
        CommandKind::BgpPeer {
            peer_ip,
            change,
            dry_run,
        } => Ok(Plan::BgpPeer(bgp_peering::plan(
            device, *peer_ip, change, *dry_run,
        )?)),
        CommandKind::FastPollOptics { .. } => {
            Err("fast optics polling is not run as a command by this agent yet".to_owned())
        }
    }
}

fn session_action(
    device: &DeviceConfig,
    key: Option<&SubscriberKey>,
) -> Result<SessionAction, String> {
    let user_name = match key {
        Some(SubscriberKey::PppoeUsername(user)) if !user.is_empty() => user.clone(),
        _ => {
            return Err(
                "a RADIUS action needs the subscriber's PPPoE username as the subscriber key"
                    .to_owned(),
            )
        }
    };
    let radius = device.radius.clone().ok_or_else(|| {
        format!(
            "device {:?} has no RADIUS dynamic authorization settings; add radius = {{ nas = \"IP:3799\", secret_file = \"...\" }} to it",
            device.name
        )
    })?;
    Ok(SessionAction {
        bras: device.clone(),
        radius,
        session: SessionIdent::user(user_name),
    })
}

/// The rate attribute for a speed in bits per second.
pub fn rate_limit(attribute: &RateAttribute, download_bps: u64, upload_bps: u64) -> RateLimit {
    let (download_kbps, upload_kbps) = (download_bps / 1000, upload_bps / 1000);
    match attribute {
        RateAttribute::Mikrotik => RateLimit::Mikrotik {
            upload_kbps,
            download_kbps,
        },
        RateAttribute::FilterId { template } => RateLimit::FilterId(
            template
                .replace("{download_kbps}", &download_kbps.to_string())
                .replace("{upload_kbps}", &upload_kbps.to_string())
                .replace("{download_mbps}", &(download_kbps / 1000).to_string())
                .replace("{upload_mbps}", &(upload_kbps / 1000).to_string()),
        ),
    }
}

/// The rate in words for results, e.g. `50 Mb/s down, 10 Mb/s up (Mikrotik-Rate-Limit 10M/50M)`.
pub fn describe_rate(rate: &RateLimit, download_bps: u64, upload_bps: u64) -> String {
    let attribute = match rate {
        RateLimit::Mikrotik {
            upload_kbps,
            download_kbps,
        } => format!(
            "Mikrotik-Rate-Limit {}",
            RateLimit::mikrotik_text(*upload_kbps, *download_kbps)
        ),
        RateLimit::FilterId(name) => format!("Filter-Id {name}"),
    };
    format!(
        "{} down, {} up ({attribute})",
        bps_words(download_bps),
        bps_words(upload_bps)
    )
}

fn bps_words(bps: u64) -> String {
    if bps.is_multiple_of(1_000_000) {
        format!("{} Mb/s", bps / 1_000_000)
    } else {
        format!("{} kb/s", bps / 1000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(attribute: RateAttribute, expected: &str) {
        let rate = rate_limit(&attribute, 50_000_000, 10_000_000);
        assert_eq!(describe_rate(&rate, 50_000_000, 10_000_000), expected);
    }

    #[test]
    fn rates_in_words() {
        check(
            RateAttribute::Mikrotik,
            "50 Mb/s down, 10 Mb/s up (Mikrotik-Rate-Limit 10M/50M)",
        );
        check(
            RateAttribute::FilterId {
                template: "rate-{download_mbps}-{upload_kbps}k".into(),
            },
            "50 Mb/s down, 10 Mb/s up (Filter-Id rate-50-10000k)",
        );
    }
}
