//! The agent's TOML file as serde reads it. Values stay loose here; `validate` checks them all
//! and reports every problem at once.

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AgentFile {
    pub agent: Option<AgentSection>,
    pub control_plane: Option<ControlPlaneSection>,
    pub spool: Option<SpoolSection>,
    pub metrics: Option<MetricsSection>,
    pub clock: Option<ClockSection>,
    pub log: Option<LogSection>,
    /// Folder of vendor profiles; relative paths start at the config file's folder.
    pub profiles_dir: Option<String>,
    pub commands: Option<CommandsSection>,
    #[serde(default)]
    pub devices: Vec<DeviceSection>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AgentSection {
    pub id: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ControlPlaneSection {
    pub url: Option<String>,
    pub token: Option<String>,
    pub token_file: Option<String>,
    /// PEM file of a private CA for `wss://`; relative paths start at the config file's folder.
    pub ca_file: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SpoolSection {
    pub dir: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct MetricsSection {
    pub listen: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LogSection {
    pub filter: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ClockSection {
    pub ntp_server: Option<String>,
    pub check_interval_s: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DeviceSection {
    pub name: Option<String>,
    pub address: Option<String>,
    /// False for a device the agent only acts on (a CPE rebooted over SSH, a BGP router).
    pub poll: Option<bool>,
    pub driver: Option<String>,
    pub kind: Option<String>,
    pub profile: Option<String>,
    pub max_repetitions: Option<u32>,
    pub timeout_ms: Option<u64>,
    pub retries: Option<u32>,
    pub snmp: Option<SnmpSection>,
    /// RFC 5176 dynamic authorization (BRAS only).
    pub radius: Option<RadiusSection>,
    /// SSH login, for reboots and for a BGP router's shell.
    pub ssh: Option<SshSection>,
    /// The BGP daemon netops changes peerings on.
    pub bgp: Option<BgpSection>,
    /// The CPE's TR-069 management through the GenieACS NBI, for reboots.
    pub tr069: Option<Tr069Section>,
    /// `"tr069"` or `"ssh"`: required when a device has both.
    pub reboot_via: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Tr069Section {
    pub nbi_url: Option<String>,
    pub device_id: Option<String>,
    pub username: Option<String>,
    pub password_file: Option<String>,
    pub token_file: Option<String>,
    /// PEM file of a private CA for an `https` NBI.
    pub ca_file: Option<String>,
    pub connection_request_timeout_ms: Option<u64>,
    pub confirm_within_s: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SshSection {
    pub address: Option<String>,
    pub user: Option<String>,
    pub key_file: Option<String>,
    pub key_passphrase_file: Option<String>,
    pub password: Option<String>,
    pub password_file: Option<String>,
    pub host_key: Option<String>,
    pub known_hosts_file: Option<String>,
    pub reboot_profile: Option<String>,
    pub login_timeout_s: Option<u64>,
    pub command_timeout_s: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct BgpSection {
    pub daemon: Option<String>,
    pub local_as: Option<u64>,
    pub shell: Option<String>,
    pub netns: Option<String>,
    pub vtysh: Option<Vec<String>>,
    pub birdc: Option<Vec<String>>,
    pub peers_dir: Option<String>,
    pub revert_after_s: Option<u64>,
    pub save_after_confirm: Option<bool>,
    pub timers: Option<BgpTimersSection>,
    pub post_check_deadline_s: Option<u64>,
    pub poll_interval_ms: Option<u64>,
    pub command_timeout_s: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct BgpTimersSection {
    pub keepalive_s: Option<u16>,
    pub hold_s: Option<u16>,
    pub connect_retry_s: Option<u16>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RadiusSection {
    pub nas: Option<String>,
    pub secret: Option<String>,
    pub secret_file: Option<String>,
    pub rate_attribute: Option<String>,
    pub filter_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CommandsSection {
    pub disconnect_deadline_s: Option<u64>,
    pub change_speed_deadline_s: Option<u64>,
    pub reboot_onu_deadline_s: Option<u64>,
    pub reboot_router_deadline_s: Option<u64>,
    pub bgp_peer_deadline_s: Option<u64>,
    pub fast_poll_optics_deadline_s: Option<u64>,
    pub session_gone_within_s: Option<u64>,
    pub verify_interval_ms: Option<u64>,
    pub radius_timeout_ms: Option<u64>,
    pub radius_attempts: Option<u32>,
    pub remembered_commands: Option<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SnmpSection {
    pub version: Option<String>,
    pub community: Option<String>,
    /// v2c community with write access, for SETs such as ONU reboots.
    pub write_community: Option<String>,
    pub user: Option<String>,
    pub auth_protocol: Option<String>,
    pub auth_password: Option<String>,
    pub priv_protocol: Option<String>,
    pub priv_password: Option<String>,
}
