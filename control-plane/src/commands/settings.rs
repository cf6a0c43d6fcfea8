//! The `[commands]` configuration: how long each kind of device command may take, from the
//! moment it is queued, before the control plane gives up on it.

use std::time::Duration;

use serde::Deserialize;

use crate::domain::CommandKind;

/// Deadlines per command kind, counted from the moment a command is queued. A command still
/// queued at its deadline was never delivered (the site's agent was offline) and is not sent
/// any more; one sent or running at its deadline had no result in time. Both are expired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandSettings {
    pub disconnect_deadline: Duration,
    pub change_speed_deadline: Duration,
    pub reboot_onu_deadline: Duration,
    pub reboot_router_deadline: Duration,
    pub bgp_peer_change_deadline: Duration,
    pub fast_poll_optics_deadline: Duration,
    /// How often the expiry job looks for commands past their deadline.
    pub expiry_check: Duration,
}

impl Default for CommandSettings {
    fn default() -> Self {
        Self {
            disconnect_deadline: Duration::from_secs(60),
            change_speed_deadline: Duration::from_secs(60),
            reboot_onu_deadline: Duration::from_secs(360),
            reboot_router_deadline: Duration::from_secs(300),
            bgp_peer_change_deadline: Duration::from_secs(300),
            fast_poll_optics_deadline: Duration::from_secs(60),
            expiry_check: Duration::from_secs(1),
        }
    }
}

impl CommandSettings {
    /// How long a command of this kind may take from being queued to its final state.
    pub fn deadline(&self, kind: CommandKind) -> Duration {
        match kind {
            CommandKind::Disconnect => self.disconnect_deadline,
            CommandKind::ChangeSpeed => self.change_speed_deadline,
            CommandKind::RebootOnu => self.reboot_onu_deadline,
            CommandKind::RebootRouter => self.reboot_router_deadline,
            CommandKind::BgpPeerChange => self.bgp_peer_change_deadline,
            CommandKind::FastPollOptics => self.fast_poll_optics_deadline,
        }
    }
}

/// The `[commands]` table of the file. Unknown keys are errors.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileCommands {
    disconnect_deadline_secs: Option<u64>,
    change_speed_deadline_secs: Option<u64>,
    reboot_onu_deadline_secs: Option<u64>,
    reboot_router_deadline_secs: Option<u64>,
    bgp_peer_change_deadline_secs: Option<u64>,
    fast_poll_optics_deadline_secs: Option<u64>,
    expiry_check_secs: Option<u64>,
}

/// Applies the file's `[commands]` values; `at` names a key for error messages.
pub fn apply_file(
    settings: &mut CommandSettings,
    file: FileCommands,
    at: &dyn Fn(&str) -> String,
    problems: &mut Vec<String>,
) {
    let mut set = |target: &mut Duration, value: Option<u64>, key: &str| match value {
        Some(0) => problems.push(format!("{}: must be at least 1 second", at(key))),
        Some(secs) => *target = Duration::from_secs(secs),
        None => {}
    };
    set(
        &mut settings.disconnect_deadline,
        file.disconnect_deadline_secs,
        "commands.disconnect_deadline_secs",
    );
    set(
        &mut settings.change_speed_deadline,
        file.change_speed_deadline_secs,
        "commands.change_speed_deadline_secs",
    );
    set(
        &mut settings.reboot_onu_deadline,
        file.reboot_onu_deadline_secs,
        "commands.reboot_onu_deadline_secs",
    );
    set(
        &mut settings.reboot_router_deadline,
        file.reboot_router_deadline_secs,
        "commands.reboot_router_deadline_secs",
    );
    set(
        &mut settings.bgp_peer_change_deadline,
        file.bgp_peer_change_deadline_secs,
        "commands.bgp_peer_change_deadline_secs",
    );
    set(
        &mut settings.fast_poll_optics_deadline,
        file.fast_poll_optics_deadline_secs,
        "commands.fast_poll_optics_deadline_secs",
    );
    set(
        &mut settings.expiry_check,
        file.expiry_check_secs,
        "commands.expiry_check_secs",
    );
}
