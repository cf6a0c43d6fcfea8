//! From a `proto::Command` to what the agent will do, or the reason it refuses: unknown device,
//! wrong subscriber key, missing RADIUS, SSH, TR-069 or BGP settings, an action this agent does
//! not run. Fast optics polls are bounded here: at most every 2 s, for at most 10 minutes.

use std::collections::HashMap;
use std::time::Duration;

use netops_radius::{RateLimit, SessionIdent};
use proto::{Command, CommandKind, PonPort, SessionHints, SubscriberKey};

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
    FastPollOptics(FastPoll),
}

/// Poll one ONU's optics fast for a while, within netops's bounds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FastPoll {
    pub olt: String,
    pub pon: PonPort,
    pub onu_id: u32,
    pub every: Duration,
    pub for_duration: Duration,
    /// What was changed from the request to stay within the bounds, in words.
    pub bounded: Vec<String>,
}

/// The shortest interval a fast optics poll runs at.
pub const FASTEST_OPTICS_POLL: Duration = Duration::from_secs(2);
/// The longest a fast optics poll runs.
pub const LONGEST_OPTICS_WATCH: Duration = Duration::from_secs(600);

impl Plan {
    pub fn deadline(&self, settings: &CommandSettings) -> Duration {
        match self {
            Self::Disconnect(_) => settings.disconnect_deadline,
            Self::ChangeSpeed { .. } => settings.change_speed_deadline,
            Self::RebootOnu { .. } => settings.reboot_onu_deadline,
            Self::RebootRouter(reboot) => reboot.deadline(settings.reboot_router_deadline),
            Self::BgpPeer(_) => settings.bgp_peer_deadline,
            Self::FastPollOptics(_) => settings.fast_poll_optics_deadline,
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
        CommandKind::DisconnectSession | CommandKind::DisconnectSessionWithHints { .. } => Ok(
            Plan::Disconnect(session_action(device, key, command.kind.session_hints())?),
        ),
        CommandKind::ChangeSpeed {
            download_bps,
            upload_bps,
        }
        | CommandKind::ChangeSpeedWithHints {
            download_bps,
            upload_bps,
            ..
        } => {
            if *download_bps < 1000 || *upload_bps < 1000 {
                return Err(format!(
                    "a speed of {download_bps} b/s down / {upload_bps} b/s up is below 1 kb/s; send the rate in bits per second"
                ));
            }
            let action = session_action(device, key, command.kind.session_hints())?;
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
        CommandKind::FastPollOptics {
            interval_ms,
            duration_ms,
        } => {
            if device.kind != proto::DeviceKind::Olt {
                return Err(format!(
                    "device {device_id:?} is not configured as an OLT (kind = \"olt\"); fast optics polling reads ONUs on an OLT"
                ));
            }
            let (pon, onu_id) =
                match key {
                    Some(SubscriberKey::Onu { olt, pon, onu_id }) if olt == device_id => {
                        (*pon, *onu_id)
                    }
                    Some(SubscriberKey::Onu { olt, .. }) => {
                        return Err(format!(
                        "the ONU key names OLT {olt:?} but the command targets device {device_id:?}"
                    ))
                    }
                    _ => return Err(
                        "a fast optics poll needs an ONU subscriber key (OLT, PON port, ONU id)"
                            .to_owned(),
                    ),
                };
            let (every, for_duration, bounded) = fast_poll_bounds(*interval_ms, *duration_ms)?;
            Ok(Plan::FastPollOptics(FastPoll {
                olt: device_id.clone(),
                pon,
                onu_id,
                every,
                for_duration,
                bounded,
            }))
        }
    }
}

/// The interval and duration a fast optics poll runs with, and what was bounded, in words.
pub fn fast_poll_bounds(
    interval_ms: u32,
    duration_ms: u32,
) -> Result<(Duration, Duration, Vec<String>), String> {
    if duration_ms == 0 {
        return Err("a fast optics poll needs a duration above 0 ms".to_owned());
    }
    let asked_every = Duration::from_millis(u64::from(interval_ms));
    let asked_for = Duration::from_millis(u64::from(duration_ms));
    let mut bounded = Vec::new();
    let every = if asked_every < FASTEST_OPTICS_POLL {
        bounded.push(format!(
            "asked every {} s; netops polls one ONU at most every {} s",
            seconds_text(asked_every),
            FASTEST_OPTICS_POLL.as_secs()
        ));
        FASTEST_OPTICS_POLL
    } else {
        asked_every
    };
    let for_duration = if asked_for > LONGEST_OPTICS_WATCH {
        bounded.push(format!(
            "asked for {} s; a fast poll lasts at most {} s",
            seconds_text(asked_for),
            LONGEST_OPTICS_WATCH.as_secs()
        ));
        LONGEST_OPTICS_WATCH
    } else {
        asked_for
    };
    Ok((every, for_duration, bounded))
}

/// Seconds with up to three decimals and no trailing zeros: `0.5`, `2`, `3600`.
pub fn seconds_text(duration: Duration) -> String {
    let text = format!("{:.3}", duration.as_secs_f64());
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The session a RADIUS action names: the User-Name from the subscriber key, plus the
/// Acct-Session-Id, Framed-IP-Address and NAS-IP-Address the control plane knew.
fn session_action(
    device: &DeviceConfig,
    key: Option<&SubscriberKey>,
    hints: Option<&SessionHints>,
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
        session: session_ident(user_name, hints),
    })
}

fn session_ident(user_name: String, hints: Option<&SessionHints>) -> SessionIdent {
    let hints = hints.cloned().unwrap_or_default();
    SessionIdent {
        acct_session_id: hints.acct_session_id,
        framed_ip: hints.framed_ip,
        nas_ip: hints.nas_ip,
        ..SessionIdent::user(user_name)
    }
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

    fn bounds(interval_ms: u32, duration_ms: u32, expected: Result<(u64, u64, &[&str]), &str>) {
        let got = fast_poll_bounds(interval_ms, duration_ms);
        let expected = expected
            .map(|(every_ms, for_ms, notes)| {
                (
                    Duration::from_millis(every_ms),
                    Duration::from_millis(for_ms),
                    notes.iter().map(|n| n.to_string()).collect::<Vec<_>>(),
                )
            })
            .map_err(str::to_owned);
        assert_eq!(got, expected, "{interval_ms} ms for {duration_ms} ms");
    }

    #[test]
    fn fast_polls_are_bounded() {
        bounds(10_000, 120_000, Ok((10_000, 120_000, &[])));
        bounds(2_000, 600_000, Ok((2_000, 600_000, &[])));
        bounds(
            500,
            60_000,
            Ok((
                2_000,
                60_000,
                &["asked every 0.5 s; netops polls one ONU at most every 2 s"],
            )),
        );
        bounds(
            0,
            3_600_000,
            Ok((
                2_000,
                600_000,
                &[
                    "asked every 0 s; netops polls one ONU at most every 2 s",
                    "asked for 3600 s; a fast poll lasts at most 600 s",
                ],
            )),
        );
        bounds(
            5_000,
            0,
            Err("a fast optics poll needs a duration above 0 ms"),
        );
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
