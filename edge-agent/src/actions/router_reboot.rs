//! Router and CPE reboot, over SSH or through TR-069 as the device's configuration says
//! (`reboot_via`). Over SSH: the device's reboot profile command, sent once. Succeeded means
//! the device accepted the command (it reported success, or dropped the session as a
//! rebooting device does); a host key mismatch, refused credentials or an unreachable device
//! is a failure that says which. Through TR-069: `tr069_reboot.rs`.

use std::time::Duration;

use netops_ssh::{reboot_device, CommandLimits, RebootOutcome, RebootProfile, SshError};

use super::context::Progress;
use super::outcome::Outcome;
use super::tr069_reboot::{self, Tr069Reboot};
use crate::config::{DeviceConfig, RebootVia, SshAccess};

/// Output kept from a reboot command: enough for a refusal message.
const MAX_OUTPUT_BYTES: usize = 64 * 1024;

/// A router or CPE reboot, checked against the configuration.
#[derive(Debug, Clone)]
pub enum RouterReboot {
    Ssh(SshReboot),
    Tr069(Tr069Reboot),
}

/// A reboot of one device over SSH.
#[derive(Debug, Clone)]
pub struct SshReboot {
    pub device: String,
    pub ssh: SshAccess,
    pub profile: RebootProfile,
}

/// The reboot plan for `device`, or why the agent cannot reboot it.
pub fn plan(device: &DeviceConfig) -> Result<RouterReboot, String> {
    match device.reboot_via {
        Some(RebootVia::Tr069) => Ok(RouterReboot::Tr069(tr069_reboot::plan(device)?)),
        Some(RebootVia::Ssh) => Ok(RouterReboot::Ssh(ssh_plan(device)?)),
        None if device.ssh.is_some() => Ok(RouterReboot::Ssh(ssh_plan(device)?)),
        None => Err(format!(
            "device {:?} has no SSH login or TR-069 settings in the agent's configuration; add [devices.tr069] (nbi_url, device_id) for a CPE managed by GenieACS, or [devices.ssh] (address, user, key_file, host_key, reboot_profile)",
            device.name
        )),
    }
}

fn ssh_plan(device: &DeviceConfig) -> Result<SshReboot, String> {
    let ssh = device.ssh.clone().ok_or_else(|| {
        format!(
            "device {:?} has no SSH login in the agent's configuration; add [devices.ssh] (address, user, key_file, host_key, reboot_profile) to reboot it",
            device.name
        )
    })?;
    let profile = ssh.reboot_profile.clone().ok_or_else(|| {
        format!(
            "device {:?} has no ssh.reboot_profile; set reboot_profile = \"mikrotik-cpe\" or \"generic-linux\"",
            device.name
        )
    })?;
    Ok(SshReboot {
        device: device.name.clone(),
        ssh,
        profile,
    })
}

impl RouterReboot {
    /// The running detail, e.g. `rebooting cpe-17 at 10.20.0.15:22 (profile mikrotik-cpe)
    /// over SSH`.
    pub fn running_detail(&self) -> String {
        match self {
            Self::Ssh(reboot) => format!("rebooting {} over SSH", reboot.describe()),
            Self::Tr069(reboot) => format!("rebooting {} through TR-069", reboot.describe()),
        }
    }

    /// How long the reboot may run: the configured deadline, or longer when a TR-069 reboot's
    /// own bounds need it, so it always reports its own verdict.
    pub fn deadline(&self, configured: Duration) -> Duration {
        match self {
            Self::Ssh(_) => configured,
            Self::Tr069(reboot) => configured.max(reboot.access.reboot_takes_at_most()),
        }
    }
}

impl SshReboot {
    /// E.g. `cpe-17 at 10.20.0.15:22 (profile mikrotik-cpe)`.
    pub fn describe(&self) -> String {
        format!(
            "{} at {} (profile {})",
            self.device,
            self.ssh.target.address(),
            self.profile.name
        )
    }
}

pub async fn reboot_router(
    reboot: &RouterReboot,
    poll_interval: Duration,
    progress: &Progress,
) -> Outcome {
    match reboot {
        RouterReboot::Ssh(reboot) => reboot_over_ssh(reboot, progress).await,
        RouterReboot::Tr069(reboot) => {
            tr069_reboot::reboot_over_tr069(reboot, poll_interval, progress).await
        }
    }
}

async fn reboot_over_ssh(reboot: &SshReboot, progress: &Progress) -> Outcome {
    let command = &reboot.profile.command;
    let device = reboot.describe();
    progress.set(format!("logging in to {device} and sending `{command}`"));
    let limits = CommandLimits {
        timeout: reboot.ssh.command_timeout,
        max_output_bytes: MAX_OUTPUT_BYTES,
    };
    match reboot_device(&reboot.ssh.target, &reboot.profile, &limits).await {
        Ok(RebootOutcome::Accepted) => Outcome::succeeded(format!(
            "reboot accepted: {device} ran `{command}` and reported success"
        )),
        Ok(RebootOutcome::SessionDroppedByDevice) => Outcome::succeeded(format!(
            "reboot sent: {device} dropped the SSH session while running `{command}`, as a rebooting device does"
        )),
        Ok(RebootOutcome::Refused {
            exit_status,
            message,
        }) => {
            let status = exit_status.map_or_else(|| "no exit status".to_owned(), |s| format!("exit status {s}"));
            let said = if message.is_empty() {
                String::new()
            } else {
                format!(": {message}")
            };
            Outcome::failed(format!(
                "not rebooted: {device} refused `{command}` ({status}){said}"
            ))
        }
        Err(error) => failure(&device, command, error),
    }
}

fn failure(device: &str, command: &str, error: SshError) -> Outcome {
    match error {
        SshError::HostKeyMismatch { .. } | SshError::KnownHostsFile { .. } => {
            Outcome::failed(format!("not rebooted, nothing was sent: {error}"))
        }
        SshError::AuthFailed { .. } | SshError::PrivateKey { .. } => Outcome::failed(format!(
            "not rebooted: {error}; check ssh.user and the key or password of {device}"
        )),
        SshError::ConnectRefused { .. } | SshError::Connect { .. } | SshError::LoginTimeout { .. } => {
            Outcome::failed(format!("not rebooted: {device} is unreachable over SSH: {error}"))
        }
        SshError::CommandTimeout { .. } => Outcome::timed_out(format!(
            "`{command}` was sent but did not finish ({error}), so whether {device} reboots is unknown"
        )),
        other => Outcome::failed(format!("not rebooted: {other}")),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::time::Duration;

    use super::{plan, RouterReboot};

    /// The plan for the one device described by `device_tables`.
    fn planned(device_tables: &str) -> Result<RouterReboot, String> {
        let text = format!(
            "[agent]\nid = \"site-a\"\n[control_plane]\nurl = \"ws://127.0.0.1:1/agent\"\ntoken = \"t\"\n[spool]\ndir = \"spool\"\n[[devices]]\nname = \"cpe-1\"\naddress = \"10.20.0.15\"\nkind = \"cpe\"\n{device_tables}\n"
        );
        let config = crate::config::parse_config(&text, Path::new("/etc/netops")).unwrap();
        plan(&config.devices[0])
    }

    const TR069: &str =
        "poll = false\n[devices.tr069]\nnbi_url = \"http://127.0.0.1:7557\"\ndevice_id = \"X\"";
    const SSH: &str = "poll = false\n[devices.ssh]\nuser = \"netops\"\npassword = \"p\"\nhost_key = \"SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU\"\nreboot_profile = \"mikrotik-cpe\"";

    #[test]
    fn the_route_follows_the_configuration() {
        let configured = Duration::from_secs(60);
        let tr069 = planned(TR069).unwrap();
        assert!(matches!(tr069, RouterReboot::Tr069(_)));
        assert_eq!(
            tr069.running_detail(),
            "rebooting cpe-1 (GenieACS device X at http://127.0.0.1:7557) through TR-069"
        );
        // 10 s connection request + 120 s to come back + 60 s for the NBI requests.
        assert_eq!(tr069.deadline(configured), Duration::from_secs(190));
        assert_eq!(
            tr069.deadline(Duration::from_secs(300)),
            Duration::from_secs(300)
        );

        let ssh = planned(SSH).unwrap();
        assert_eq!(
            ssh.running_detail(),
            "rebooting cpe-1 at 10.20.0.15:22 (profile mikrotik-cpe) over SSH"
        );
        assert_eq!(ssh.deadline(configured), configured);

        let neither = planned("snmp = { version = \"2c\", community = \"c\" }").unwrap_err();
        assert!(
            neither.contains("add [devices.tr069] (nbi_url, device_id)")
                && neither.contains("or [devices.ssh]"),
            "{neither}"
        );
    }
}
