//! Settings for device actions: per-BRAS RADIUS dynamic authorization (NAS address, shared
//! secret, rate-limit attribute) and the command deadlines, validated with every problem reported.
//! SSH logins and BGP daemons are in `ssh.rs` and `bgp.rs`.

use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::time::Duration;

use netops_radius::{Nas, RetryPolicy};

use super::file::{CommandsSection, RadiusSection};
use super::validate::{resolve, Problems};

/// RFC 5176 port a BRAS listens on (`/radius incoming set port=3799` on RouterOS).
pub const DAC_PORT: u16 = 3799;

/// How a BRAS is told a new speed in a CoA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RateAttribute {
    /// `Mikrotik-Rate-Limit` ("upload/download" from the router's view).
    Mikrotik,
    /// `Filter-Id` from a template with `{download_kbps}`, `{upload_kbps}`, `{download_mbps}`
    /// and `{upload_mbps}`, naming a policy configured on the BRAS.
    FilterId { template: String },
}

/// How the agent reaches a BRAS's dynamic authorization server. `Nas` hides the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RadiusSettings {
    pub nas: Nas,
    pub rate_attribute: RateAttribute,
}

/// Deadlines and limits for commands from the control plane.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandSettings {
    pub disconnect_deadline: Duration,
    pub change_speed_deadline: Duration,
    pub reboot_onu_deadline: Duration,
    /// Login and the reboot command on a router or CPE over SSH.
    pub reboot_router_deadline: Duration,
    /// A BGP peering change: pre-check, apply, post-check and confirm or roll back.
    pub bgp_peer_deadline: Duration,
    /// How long a fast optics poll may take to send its first reading.
    pub fast_poll_optics_deadline: Duration,
    /// After a Disconnect-ACK, how long the session may take to leave the BRAS's interface table.
    pub session_gone_within: Duration,
    /// How often verification polls the device (session table, ONU status).
    pub verify_interval: Duration,
    pub radius_retry: RetryPolicy,
    /// How many executed command ids the de-duplication file remembers.
    pub remembered_commands: usize,
}

impl Default for CommandSettings {
    fn default() -> Self {
        Self {
            disconnect_deadline: Duration::from_secs(20),
            change_speed_deadline: Duration::from_secs(20),
            reboot_onu_deadline: Duration::from_secs(300),
            reboot_router_deadline: Duration::from_secs(60),
            bgp_peer_deadline: Duration::from_secs(240),
            fast_poll_optics_deadline: Duration::from_secs(30),
            session_gone_within: Duration::from_secs(10),
            verify_interval: Duration::from_millis(500),
            radius_retry: RetryPolicy::default(),
            remembered_commands: 10_000,
        }
    }
}

pub(super) fn command_settings(
    problems: &mut Problems,
    section: Option<CommandsSection>,
) -> CommandSettings {
    let defaults = CommandSettings::default();
    let Some(section) = section else {
        return defaults;
    };
    let mut seconds = |key: &str, value: Option<u64>, default: Duration, max_s: u64| match value {
        None => default,
        Some(value) if (1..=max_s).contains(&value) => Duration::from_secs(value),
        Some(value) => {
            problems.add(
                format!("commands.{key}"),
                format!("{value} is outside 1..={max_s}"),
                format!("use e.g. {key} = {}", default.as_secs()),
            );
            default
        }
    };
    let disconnect_deadline = seconds(
        "disconnect_deadline_s",
        section.disconnect_deadline_s,
        defaults.disconnect_deadline,
        600,
    );
    let change_speed_deadline = seconds(
        "change_speed_deadline_s",
        section.change_speed_deadline_s,
        defaults.change_speed_deadline,
        600,
    );
    let reboot_onu_deadline = seconds(
        "reboot_onu_deadline_s",
        section.reboot_onu_deadline_s,
        defaults.reboot_onu_deadline,
        3600,
    );
    let reboot_router_deadline = seconds(
        "reboot_router_deadline_s",
        section.reboot_router_deadline_s,
        defaults.reboot_router_deadline,
        600,
    );
    let bgp_peer_deadline = seconds(
        "bgp_peer_deadline_s",
        section.bgp_peer_deadline_s,
        defaults.bgp_peer_deadline,
        3600,
    );
    let fast_poll_optics_deadline = seconds(
        "fast_poll_optics_deadline_s",
        section.fast_poll_optics_deadline_s,
        defaults.fast_poll_optics_deadline,
        600,
    );
    let session_gone_within = seconds(
        "session_gone_within_s",
        section.session_gone_within_s,
        defaults.session_gone_within,
        300,
    );
    let mut millis = |key: &str, value: Option<u64>, default: Duration| match value {
        None => default,
        Some(value) if (10..=60_000).contains(&value) => Duration::from_millis(value),
        Some(value) => {
            problems.add(
                format!("commands.{key}"),
                format!("{value} is outside 10..=60000"),
                format!("use e.g. {key} = {}", default.as_millis()),
            );
            default
        }
    };
    let verify_interval = millis(
        "verify_interval_ms",
        section.verify_interval_ms,
        defaults.verify_interval,
    );
    let first_timeout = millis(
        "radius_timeout_ms",
        section.radius_timeout_ms,
        defaults.radius_retry.first_timeout,
    );
    let attempts = section
        .radius_attempts
        .unwrap_or(defaults.radius_retry.attempts);
    if !(1..=10).contains(&attempts) {
        problems.add(
            "commands.radius_attempts",
            format!("{attempts} is outside 1..=10"),
            "use e.g. radius_attempts = 3 (each retransmission waits twice as long)",
        );
    }
    let remembered_commands = section
        .remembered_commands
        .unwrap_or(defaults.remembered_commands);
    if !(100..=1_000_000).contains(&remembered_commands) {
        problems.add(
            "commands.remembered_commands",
            format!("{remembered_commands} is outside 100..=1000000"),
            "use e.g. remembered_commands = 10000; the control plane may re-send a command for hours",
        );
    }
    CommandSettings {
        disconnect_deadline,
        change_speed_deadline,
        reboot_onu_deadline,
        reboot_router_deadline,
        bgp_peer_deadline,
        fast_poll_optics_deadline,
        session_gone_within,
        verify_interval,
        radius_retry: RetryPolicy {
            first_timeout,
            attempts: attempts.clamp(1, 10),
        },
        remembered_commands,
    }
}

/// The device's RADIUS settings; `device_address` is the SNMP address, whose host is the
/// default NAS address.
pub(super) fn radius_settings(
    problems: &mut Problems,
    key: &str,
    section: RadiusSection,
    device_address: &str,
    base: &Path,
) -> Option<RadiusSettings> {
    let before = problems.len();
    let nas_addr = match section.nas.as_deref() {
        Some(text) => parse_nas(text).or_else(|| {
            problems.add(
                format!("{key}.nas"),
                format!("{text:?} is not an IP address or IP:port"),
                "write e.g. nas = \"10.0.0.1:3799\" (port 3799 when omitted)",
            );
            None
        }),
        None => default_nas(device_address).or_else(|| {
            problems.add(
                format!("{key}.nas"),
                format!(
                    "is missing and the device address {device_address:?} is not an IP address"
                ),
                "set nas = \"IP:3799\", the address the BRAS accepts dynamic authorization on",
            );
            None
        }),
    };
    let secret = match (section.secret, section.secret_file) {
        (Some(_), Some(_)) => {
            problems.add(
                format!("{key}.secret"),
                "both secret and secret_file are set",
                "keep one; secret_file keeps the shared secret out of this file",
            );
            None
        }
        (Some(secret), None) if !secret.is_empty() => Some(secret),
        (None, Some(file)) => {
            let path = resolve(base, &file);
            match std::fs::read_to_string(&path) {
                Ok(text) if !text.trim().is_empty() => Some(text.trim().to_owned()),
                Ok(_) => {
                    problems.add(
                        format!("{key}.secret_file"),
                        format!("{} is empty", path.display()),
                        "write the BRAS's RADIUS shared secret into it",
                    );
                    None
                }
                Err(error) => {
                    problems.add(
                        format!("{key}.secret_file"),
                        format!("cannot read {}: {error}", path.display()),
                        "check the path and that the agent may read it",
                    );
                    None
                }
            }
        }
        _ => {
            problems.add(
                format!("{key}.secret"),
                "no shared secret",
                "set secret_file = \"/etc/netops/bras-1.radius\" (or secret = \"...\")",
            );
            None
        }
    };
    let rate_attribute = match (section.rate_attribute.as_deref(), section.filter_id) {
        (None | Some("mikrotik"), None) => Some(RateAttribute::Mikrotik),
        (Some("filter_id"), Some(template)) if !template.trim().is_empty() => {
            Some(RateAttribute::FilterId { template })
        }
        (Some("filter_id"), _) => {
            problems.add(
                format!("{key}.filter_id"),
                "is missing for rate_attribute = \"filter_id\"",
                "set e.g. filter_id = \"rate-{download_mbps}M\", a policy the BRAS knows",
            );
            None
        }
        (None | Some("mikrotik"), Some(_)) => {
            problems.add(
                format!("{key}.filter_id"),
                "is only used with rate_attribute = \"filter_id\"",
                "remove it, or set rate_attribute = \"filter_id\"",
            );
            None
        }
        (Some(other), _) => {
            problems.add(
                format!("{key}.rate_attribute"),
                format!("unknown rate attribute {other:?}"),
                "use \"mikrotik\" (Mikrotik-Rate-Limit) or \"filter_id\"",
            );
            None
        }
    };
    if problems.len() != before {
        return None;
    }
    Some(RadiusSettings {
        nas: Nas::new(nas_addr?, secret?),
        rate_attribute: rate_attribute?,
    })
}

fn parse_nas(text: &str) -> Option<SocketAddr> {
    text.parse::<SocketAddr>()
        .ok()
        .or_else(|| Some(SocketAddr::new(text.parse::<IpAddr>().ok()?, DAC_PORT)))
}

/// The device's own IP with port 3799, when its SNMP address is an IP literal.
fn default_nas(device_address: &str) -> Option<SocketAddr> {
    let ip = match device_address.parse::<SocketAddr>() {
        Ok(addr) => addr.ip(),
        Err(_) => device_address.parse::<IpAddr>().ok()?,
    };
    Some(SocketAddr::new(ip, DAC_PORT))
}
