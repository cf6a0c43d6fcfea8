//! The agent's configuration: a TOML file, checked completely so every problem is reported at
//! once with its key and a fix. Device credentials are wrapped in `Secret` and never print.

mod actions;
mod bgp;
mod file;
mod problem;
mod ssh;
mod tr069;
mod validate;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use netops_snmp::client::{SnmpCredentials, SnmpTarget};
use proto::{AgentToken, DeviceKind};

pub use actions::{CommandSettings, RadiusSettings, RateAttribute, DAC_PORT};
pub use bgp::{BgpAccess, BgpShell};
pub use problem::{ConfigError, ConfigProblem};
pub use ssh::{SshAccess, SSH_PORT};
pub use tr069::{RebootVia, Tr069Access};

/// Everything the agent needs to run, validated.
#[derive(Debug, Clone)]
pub struct AgentConfig {
    pub agent_id: String,
    pub agent_name: String,
    /// `ws://` or `wss://` URL of the control plane's agent endpoint.
    pub control_plane_url: String,
    pub token: AgentToken,
    /// PEM file of a private CA trusted for `wss://` besides the system's roots.
    pub control_plane_ca_file: Option<PathBuf>,
    pub spool_dir: PathBuf,
    pub metrics_listen: SocketAddr,
    /// `None` disables the clock check.
    pub ntp_server: Option<String>,
    pub clock_check_interval: Duration,
    pub profiles_dir: PathBuf,
    /// `RUST_LOG`-style filter (`[log] filter`); `RUST_LOG`, when set, wins.
    pub log_filter: String,
    pub commands: CommandSettings,
    pub devices: Vec<DeviceConfig>,
}

/// One device the agent polls, acts on, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceConfig {
    /// Unique name; the device id in frames sent to the control plane.
    pub name: String,
    pub kind: DeviceKind,
    pub profile: ProfileChoice,
    /// Polled over SNMP every second. False for a device the agent only acts on (`poll =
    /// false`): a CPE rebooted over SSH or TR-069, a BGP router.
    pub poll: bool,
    /// Address, credentials, timeout, retries and max-repetitions; always there when `poll`.
    pub snmp: Option<SnmpTarget>,
    /// Credentials for SETs (ONU reboot) when they differ from the read credentials: a v2c
    /// write community. SNMPv3 users use the same credentials for both.
    pub snmp_write: Option<SnmpCredentials>,
    /// RFC 5176 dynamic authorization, for disconnects and speed changes on a BRAS.
    pub radius: Option<RadiusSettings>,
    /// SSH login, for reboots and as a BGP router's shell.
    pub ssh: Option<SshAccess>,
    /// The BGP daemon peering changes are made on.
    pub bgp: Option<BgpAccess>,
    /// TR-069 management through the GenieACS NBI, for a CPE's reboot.
    pub tr069: Option<Tr069Access>,
    /// How the device is rebooted; `None` when it has neither TR-069 nor an SSH reboot profile.
    pub reboot_via: Option<RebootVia>,
}

impl DeviceConfig {
    /// The SNMP target for SETs: the write community when one is configured.
    pub fn snmp_write_target(&self) -> Option<SnmpTarget> {
        let mut target = self.snmp.clone()?;
        if let Some(credentials) = &self.snmp_write {
            target.credentials = credentials.clone();
        }
        Some(target)
    }

    /// Whether its SNMP address is an IPv6 literal.
    pub fn snmp_over_ipv6(&self) -> bool {
        self.snmp
            .as_ref()
            .is_some_and(|snmp| snmp.address.starts_with('['))
    }
}

/// How a device's vendor profile is chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileChoice {
    /// From sysObjectID and sysDescr (`ProfileSet::select`).
    Auto,
    Named(String),
}

impl AgentConfig {
    pub const DEFAULT_METRICS_LISTEN: &'static str = "127.0.0.1:9464";
    pub const DEFAULT_CLOCK_CHECK_INTERVAL_S: u64 = 300;
    pub const DEFAULT_LOG_FILTER: &'static str = "info,async_snmp=off";

    pub fn device(&self, name: &str) -> Option<&DeviceConfig> {
        self.devices.iter().find(|device| device.name == name)
    }

    /// The devices polled over SNMP.
    pub fn polled_devices(&self) -> impl Iterator<Item = &DeviceConfig> {
        self.devices.iter().filter(|device| device.poll)
    }
}

/// Reads and validates the configuration file; relative paths in it start at its folder.
pub fn load_config(path: &Path) -> Result<AgentConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Unreadable {
        path: path.to_owned(),
        source,
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    parse_config(&text, base).map_err(|problems| ConfigError::Invalid {
        path: path.to_owned(),
        problems,
    })
}

/// Parses configuration text; `base` resolves relative paths (token file, spool, profiles).
pub fn parse_config(text: &str, base: &Path) -> Result<AgentConfig, Vec<ConfigProblem>> {
    let parsed: file::AgentFile = toml::from_str(text).map_err(|error| {
        let message = error.message().trim().to_owned();
        let key = error
            .span()
            .map(|span| format!("line {}", line_of(text, span.start)))
            .unwrap_or_else(|| "(file)".to_owned());
        vec![ConfigProblem {
            key,
            hint: if message.starts_with("unknown field") {
                "remove the key or correct its spelling; config/edge-agent.toml lists every key"
                    .to_owned()
            } else {
                "correct the TOML; config/edge-agent.toml shows the expected form".to_owned()
            },
            message,
        }]
    })?;
    validate::validate(parsed, base)
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map(|before| before.matches('\n').count() + 1)
        .unwrap_or(1)
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod tr069_tests;
