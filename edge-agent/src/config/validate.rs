//! Turns the loose file into `AgentConfig`, collecting every problem.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use netops_snmp::client::{
    AuthProtocol, PrivProtocol, Secret, SnmpCredentials, SnmpTarget, V3Credentials,
};
use proto::{AgentToken, DeviceKind};

use super::actions::{command_settings, radius_settings, CommandSettings};
use super::bgp::{bgp_access, BgpShell};
use super::file::{AgentFile, DeviceSection, SnmpSection};
use super::ssh::ssh_access;
use super::tr069::{reboot_via, tr069_access};
use super::{AgentConfig, ConfigProblem, DeviceConfig, ProfileChoice};
use crate::uplink::tls::CaFileError;

#[derive(Default)]
pub(super) struct Problems(Vec<ConfigProblem>);

impl Problems {
    pub(super) fn len(&self) -> usize {
        self.0.len()
    }

    pub(super) fn add(
        &mut self,
        key: impl Into<String>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.0.push(ConfigProblem {
            key: key.into(),
            message: message.into(),
            hint: hint.into(),
        });
    }

    /// A required string; records a problem and returns an empty string when missing.
    fn required(&mut self, key: &str, value: Option<String>, hint: &str) -> String {
        match value {
            Some(value) if !value.trim().is_empty() => value,
            Some(_) => {
                self.add(key, "is empty", hint);
                String::new()
            }
            None => {
                self.add(key, "is missing", hint);
                String::new()
            }
        }
    }
}

pub(super) fn validate(file: AgentFile, base: &Path) -> Result<AgentConfig, Vec<ConfigProblem>> {
    let mut problems = Problems::default();
    let agent = file.agent.unwrap_or(super::file::AgentSection {
        id: None,
        name: None,
    });
    let agent_id = problems.required(
        "agent.id",
        agent.id,
        "set a stable id for this site's agent, e.g. id = \"site-a\"",
    );
    let agent_name = agent.name.unwrap_or_else(|| agent_id.clone());

    let control = file.control_plane;
    let (url, token, token_file, ca_file) = match control {
        Some(section) => (
            section.url,
            section.token,
            section.token_file,
            section.ca_file,
        ),
        None => (None, None, None, None),
    };
    let control_plane_url = problems.required(
        "control_plane.url",
        url,
        "set the control plane's agent endpoint, e.g. url = \"wss://netops.example.net/agent\"",
    );
    let websocket = ["ws://", "wss://"]
        .iter()
        .any(|scheme| control_plane_url.starts_with(scheme));
    if !control_plane_url.is_empty() && !websocket {
        problems.add(
            "control_plane.url",
            format!("{control_plane_url:?} is not a ws:// or wss:// URL"),
            "use wss://HOST/agent (ws:// only for tests)",
        );
    }
    let token = agent_token(&mut problems, token, token_file, base);
    let control_plane_ca_file = ca_file.map(|file| {
        let path = resolve(base, &file);
        if let Err(error) = crate::uplink::tls::read_ca_file(&path) {
            let hint = match error {
                CaFileError::Unreadable { .. } => "check the path and that the agent may read it",
                _ => "put the PEM certificate of the CA that signed the control plane's (or its TLS proxy's) certificate in it",
            };
            problems.add("control_plane.ca_file", error.to_string(), hint);
        }
        path
    });

    let spool_dir = problems.required(
        "spool.dir",
        file.spool.and_then(|spool| spool.dir),
        "set a writable folder for frames kept while the control plane is unreachable",
    );
    let listen = file
        .metrics
        .and_then(|metrics| metrics.listen)
        .unwrap_or_else(|| AgentConfig::DEFAULT_METRICS_LISTEN.to_owned());
    let metrics_listen = listen.parse().unwrap_or_else(|_| {
        problems.add(
            "metrics.listen",
            format!("{listen:?} is not an address:port"),
            "write e.g. listen = \"127.0.0.1:9464\"",
        );
        ([127, 0, 0, 1], 9464).into()
    });
    let (ntp_server, interval_s) = match file.clock {
        Some(clock) => (clock.ntp_server, clock.check_interval_s),
        None => (None, None),
    };
    let interval_s = interval_s.unwrap_or(AgentConfig::DEFAULT_CLOCK_CHECK_INTERVAL_S);
    if interval_s == 0 {
        problems.add(
            "clock.check_interval_s",
            "must be at least 1",
            "use e.g. 300 (five minutes)",
        );
    }
    let log_filter = file
        .log
        .and_then(|log| log.filter)
        .unwrap_or_else(|| AgentConfig::DEFAULT_LOG_FILTER.to_owned());
    if let Err(error) = tracing_subscriber::EnvFilter::try_new(&log_filter) {
        problems.add(
            "log.filter",
            format!("{log_filter:?} is not a log filter ({error})"),
            "write e.g. filter = \"info\" or \"info,edge_agent=debug\"",
        );
    }
    let profiles_dir = file
        .profiles_dir
        .unwrap_or_else(|| "/usr/share/netops/profiles".to_owned());

    let commands = command_settings(&mut problems, file.commands);
    let mut devices = Vec::new();
    let mut names = BTreeSet::new();
    for (position, section) in file.devices.into_iter().enumerate() {
        let key = format!("devices[{position}]");
        if let Some(device) = device(&mut problems, &key, section, base, &commands) {
            if !names.insert(device.name.clone()) {
                problems.add(
                    format!("{key}.name"),
                    format!("{:?} is used by another device", device.name),
                    "give every device a unique name; it is the device id the control plane sees",
                );
            }
            devices.push(device);
        }
    }
    if devices.is_empty() && problems.0.is_empty() {
        problems.add(
            "devices",
            "no devices are configured",
            "add at least one [[devices]] table",
        );
    }
    if !problems.0.is_empty() {
        return Err(problems.0);
    }
    Ok(AgentConfig {
        agent_id,
        agent_name,
        control_plane_url,
        token,
        control_plane_ca_file,
        spool_dir: resolve(base, &spool_dir),
        metrics_listen,
        ntp_server: ntp_server.filter(|server| !server.trim().is_empty()),
        clock_check_interval: Duration::from_secs(interval_s),
        profiles_dir: resolve(base, &profiles_dir),
        log_filter,
        commands,
        devices,
    })
}

pub(super) fn resolve(base: &Path, path: &str) -> PathBuf {
    let path = Path::new(path);
    if path.is_absolute() {
        path.to_owned()
    } else {
        base.join(path)
    }
}

fn agent_token(
    problems: &mut Problems,
    token: Option<String>,
    token_file: Option<String>,
    base: &Path,
) -> AgentToken {
    match (token, token_file) {
        (Some(_), Some(_)) => {
            problems.add(
                "control_plane.token",
                "both token and token_file are set",
                "keep one; token_file keeps the secret out of this file",
            );
            AgentToken::new(String::new())
        }
        (Some(token), None) if !token.trim().is_empty() => AgentToken::new(token.trim()),
        (None, Some(file)) => {
            let path = resolve(base, &file);
            match std::fs::read_to_string(&path) {
                Ok(text) if !text.trim().is_empty() => AgentToken::new(text.trim()),
                Ok(_) => {
                    problems.add(
                        "control_plane.token_file",
                        format!("{} is empty", path.display()),
                        "write the agent token issued by the control plane into it",
                    );
                    AgentToken::new(String::new())
                }
                Err(error) => {
                    problems.add(
                        "control_plane.token_file",
                        format!("cannot read {}: {error}", path.display()),
                        "check the path and that the agent may read it",
                    );
                    AgentToken::new(String::new())
                }
            }
        }
        _ => {
            problems.add(
                "control_plane.token",
                "no agent token",
                "set token_file = \"/etc/netops/agent.token\" (or token = \"...\")",
            );
            AgentToken::new(String::new())
        }
    }
}

fn device(
    problems: &mut Problems,
    key: &str,
    section: DeviceSection,
    base: &Path,
    commands: &CommandSettings,
) -> Option<DeviceConfig> {
    let before = problems.0.len();
    let name = problems.required(
        &format!("{key}.name"),
        section.name,
        "name the device, e.g. name = \"bras-1\"",
    );
    let address = problems.required(
        &format!("{key}.address"),
        section.address,
        "set the management address, e.g. address = \"10.0.0.1\" or \"10.0.0.1:161\"",
    );
    let poll = section.poll.unwrap_or(true);
    match section.driver.as_deref() {
        Some("snmp") | None => {}
        Some(other) => problems.add(
            format!("{key}.driver"),
            format!("unknown driver {other:?}"),
            "use driver = \"snmp\"",
        ),
    }
    let kind = match section.kind.as_deref().unwrap_or("other") {
        "olt" => DeviceKind::Olt,
        "bras" => DeviceKind::Bras,
        // A customer's router; the wire protocol knows it as a router.
        "router" | "cpe" => DeviceKind::Router,
        "switch" => DeviceKind::Switch,
        "other" => DeviceKind::Other,
        other => {
            problems.add(
                format!("{key}.kind"),
                format!("unknown kind {other:?}"),
                "use one of olt, bras, router, cpe, switch, other",
            );
            DeviceKind::Other
        }
    };
    let profile = match section.profile.as_deref() {
        None | Some("auto") => ProfileChoice::Auto,
        Some(name) => ProfileChoice::Named(name.to_owned()),
    };
    let max_repetitions = section
        .max_repetitions
        .unwrap_or(SnmpTarget::DEFAULT_MAX_REPETITIONS);
    if !(1..=1000).contains(&max_repetitions) {
        problems.add(
            format!("{key}.max_repetitions"),
            format!("{max_repetitions} is outside 1..=1000"),
            "use 25 (the usual default) or less for devices that answer large requests slowly",
        );
    }
    let timeout_ms = section
        .timeout_ms
        .unwrap_or(SnmpTarget::DEFAULT_TIMEOUT.as_millis() as u64);
    if !(10..=60_000).contains(&timeout_ms) {
        problems.add(
            format!("{key}.timeout_ms"),
            format!("{timeout_ms} is outside 10..=60000"),
            "use e.g. timeout_ms = 1000",
        );
    }
    let retries = section.retries.unwrap_or(SnmpTarget::DEFAULT_RETRIES);
    if retries > 10 {
        problems.add(
            format!("{key}.retries"),
            format!("{retries} is more than 10"),
            "use 0 to 3 retries; a per-second poller cannot wait longer",
        );
    }
    let snmp_write = section
        .snmp
        .as_ref()
        .and_then(|snmp| snmp.write_community.clone());
    if snmp_write.as_deref().is_some_and(str::is_empty) {
        problems.add(
            format!("{key}.snmp.write_community"),
            "is empty",
            "set the community with write access, or remove the key",
        );
    }
    if section.radius.is_some() && section.snmp.is_none() {
        problems.add(
            format!("{key}.radius"),
            "needs SNMP credentials: a disconnect is confirmed in the BRAS's interface table",
            "add snmp = { version = \"2c\", community = \"...\" } or a v3 user",
        );
    }
    let radius = section.radius.and_then(|radius| {
        radius_settings(problems, &format!("{key}.radius"), radius, &address, base)
    });
    let credentials = match section.snmp {
        Some(snmp) => credentials(problems, &format!("{key}.snmp"), snmp),
        None if poll => {
            problems.add(
                format!("{key}.snmp"),
                "no SNMP credentials",
                "add snmp = { version = \"2c\", community = \"...\" } or a v3 user, or set poll = false for a device only acted on over SSH, TR-069 or BGP",
            );
            None
        }
        None => None,
    };
    let (has_ssh, has_bgp) = (section.ssh.is_some(), section.bgp.is_some());
    let has_tr069 = section.tr069.is_some();
    let ssh_reboots = section
        .ssh
        .as_ref()
        .is_some_and(|ssh| ssh.reboot_profile.is_some());
    if !poll
        && credentials.is_none()
        && !has_ssh
        && !has_bgp
        && !has_tr069
        && problems.0.len() == before
    {
        problems.add(
            format!("{key}.poll"),
            "the device is not polled and has no [devices.ssh], [devices.tr069] or [devices.bgp] settings",
            "add how the agent acts on it (ssh or tr069 for reboots, bgp for peerings), or remove poll = false",
        );
    }
    let tr069 = section
        .tr069
        .and_then(|tr069| tr069_access(problems, &format!("{key}.tr069"), tr069, base));
    let ssh = section
        .ssh
        .and_then(|ssh| ssh_access(problems, &format!("{key}.ssh"), ssh, &address, base));
    let bgp = section
        .bgp
        .and_then(|bgp| bgp_access(problems, &format!("{key}.bgp"), bgp, commands));
    let reboot_via = reboot_via(
        problems,
        key,
        section.reboot_via.as_deref(),
        has_tr069,
        ssh_reboots,
    );
    let reboot_takes = ssh
        .as_ref()
        .filter(|ssh| ssh.reboot_profile.is_some())
        .map(|ssh| ssh.target.login_timeout + ssh.command_timeout);
    if reboot_takes.is_some_and(|takes| takes > commands.reboot_router_deadline) {
        problems.add(
            format!("{key}.ssh.command_timeout_s"),
            format!(
                "login_timeout_s plus command_timeout_s is longer than commands.reboot_router_deadline_s ({} s)",
                commands.reboot_router_deadline.as_secs()
            ),
            "shorten the timeouts or raise commands.reboot_router_deadline_s, so a reboot reports its own verdict",
        );
    }
    if bgp.as_ref().is_some_and(|bgp| bgp.shell == BgpShell::Ssh) && !has_ssh {
        problems.add(
            format!("{key}.bgp.shell"),
            "is \"ssh\" but the device has no [devices.ssh] login",
            "add [devices.ssh] with the router's address, user, key and host key",
        );
    }
    if problems.0.len() != before {
        return None;
    }
    let snmp = credentials.map(|credentials| SnmpTarget {
        address: address.clone(),
        credentials,
        timeout: Duration::from_millis(timeout_ms),
        retries,
        max_repetitions,
    });
    Some(DeviceConfig {
        name,
        kind,
        profile,
        poll: poll && snmp.is_some(),
        snmp_write: snmp
            .as_ref()
            .and(snmp_write)
            .map(|community| SnmpCredentials::V2c {
                community: Secret::new(community),
            }),
        snmp,
        radius,
        ssh,
        bgp,
        tr069,
        reboot_via,
    })
}

fn credentials(problems: &mut Problems, key: &str, snmp: SnmpSection) -> Option<SnmpCredentials> {
    match snmp.version.as_deref() {
        Some("2c") => {
            for (field, value) in [
                ("user", &snmp.user),
                ("auth_password", &snmp.auth_password),
                ("priv_password", &snmp.priv_password),
            ] {
                if value.is_some() {
                    problems.add(
                        format!("{key}.{field}"),
                        "is an SNMPv3 setting but version is \"2c\"",
                        "remove it, or set version = \"3\"",
                    );
                }
            }
            let community = problems.required(
                &format!("{key}.community"),
                snmp.community,
                "set the device's read community",
            );
            Some(SnmpCredentials::V2c {
                community: Secret::new(community),
            })
        }
        Some("3") => {
            if snmp.write_community.is_some() {
                problems.add(
                    format!("{key}.write_community"),
                    "is an SNMPv2c setting but version is \"3\"",
                    "remove it; the SNMPv3 user needs write access in the device's VACM",
                );
            }
            if snmp.community.is_some() {
                problems.add(
                    format!("{key}.community"),
                    "is an SNMPv2c setting but version is \"3\"",
                    "remove it, or set version = \"2c\"",
                );
            }
            let user = problems.required(&format!("{key}.user"), snmp.user, "set the USM user");
            let auth_protocol = protocol::<AuthProtocol>(
                problems,
                &format!("{key}.auth_protocol"),
                snmp.auth_protocol.as_deref().unwrap_or("SHA"),
                "use one of MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512",
            );
            let priv_protocol = protocol::<PrivProtocol>(
                problems,
                &format!("{key}.priv_protocol"),
                snmp.priv_protocol.as_deref().unwrap_or("AES"),
                "use one of DES, 3DES, AES, AES-192-BLUMENTHAL, AES-256-BLUMENTHAL",
            );
            let mut passphrase = |field: &str, value: Option<String>| {
                let value = problems.required(
                    &format!("{key}.{field}"),
                    value,
                    "set the passphrase (at least 8 characters)",
                );
                if !value.is_empty() && value.len() < 8 {
                    problems.add(
                        format!("{key}.{field}"),
                        "is shorter than 8 characters",
                        "SNMPv3 passphrases need at least 8 characters",
                    );
                }
                Secret::new(value)
            };
            let auth_password = passphrase("auth_password", snmp.auth_password);
            let priv_password = passphrase("priv_password", snmp.priv_password);
            Some(SnmpCredentials::V3(V3Credentials {
                user,
                auth_protocol: auth_protocol?,
                auth_password,
                priv_protocol: priv_protocol?,
                priv_password,
            }))
        }
        Some(other) => {
            problems.add(
                format!("{key}.version"),
                format!("unknown SNMP version {other:?}"),
                "use version = \"2c\" or version = \"3\" (authPriv)",
            );
            None
        }
        None => {
            problems.add(
                format!("{key}.version"),
                "is missing",
                "use version = \"2c\" or version = \"3\" (authPriv)",
            );
            None
        }
    }
}

fn protocol<P: std::str::FromStr>(
    problems: &mut Problems,
    key: &str,
    text: &str,
    hint: &str,
) -> Option<P> {
    match text.to_uppercase().parse::<P>() {
        Ok(protocol) => Some(protocol),
        Err(_) => {
            problems.add(key, format!("unknown protocol {text:?}"), hint);
            None
        }
    }
}
