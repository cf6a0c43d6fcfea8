//! Rebooting a router or CPE over SSH: one command template per device profile, and a session
//! dropped by the rebooting device counts as the reboot having been sent.

use crate::error::SshError;
use crate::output::CommandLimits;
use crate::session::SshSession;
use crate::target::SshTarget;

/// How one kind of device is told to reboot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RebootProfile {
    pub name: String,
    pub command: String,
    /// Written to the command's stdin, for devices that ask for confirmation.
    pub confirm_input: Option<String>,
}

impl RebootProfile {
    /// MikroTik RouterOS CPE: `/system reboot` (devices.md, "Customer routers"). RouterOS may
    /// ask `Reboot, yes? [y/N]`, so `y` is written to stdin [unverified on a real CPE].
    pub fn mikrotik_cpe() -> Self {
        Self {
            name: "mikrotik-cpe".to_owned(),
            command: "/system reboot".to_owned(),
            confirm_input: Some("y\n".to_owned()),
        }
    }

    /// A Linux-based router: `reboot`.
    pub fn generic_linux() -> Self {
        Self {
            name: "generic-linux".to_owned(),
            command: "reboot".to_owned(),
            confirm_input: None,
        }
    }

    /// A built-in profile by its name in vendor profiles and configs.
    pub fn builtin(name: &str) -> Option<Self> {
        match name {
            "mikrotik-cpe" => Some(Self::mikrotik_cpe()),
            "generic-linux" => Some(Self::generic_linux()),
            _ => None,
        }
    }
}

/// What happened to a reboot command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RebootOutcome {
    /// The device ran the command and reported success before going down.
    Accepted,
    /// The device dropped the session while running the command: it is rebooting.
    SessionDroppedByDevice,
    /// The device ran the command and reported failure.
    Refused {
        exit_status: Option<u32>,
        message: String,
    },
}

/// Logs in and sends the profile's reboot command.
pub async fn reboot_device(
    target: &SshTarget,
    profile: &RebootProfile,
    limits: &CommandLimits,
) -> Result<RebootOutcome, SshError> {
    let session = SshSession::open(target).await?;
    let input = profile.confirm_input.as_deref().map(str::as_bytes);
    let result = session
        .run_with_input(&profile.command, input, limits)
        .await;
    let outcome = match result {
        Ok(output) if output.succeeded() => RebootOutcome::Accepted,
        Ok(output) => RebootOutcome::Refused {
            exit_status: output.exit_status,
            message: output.stderr_text().trim().to_owned(),
        },
        Err(SshError::ChannelClosed { .. }) => RebootOutcome::SessionDroppedByDevice,
        Err(error) => return Err(error),
    };
    session.close().await;
    tracing::info!(address = %target.address(), profile = %profile.name, ?outcome, "reboot sent");
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::RebootProfile;

    #[test]
    fn builtin_profiles_carry_their_reboot_command() {
        let command = |name: &str| RebootProfile::builtin(name).map(|p| p.command);
        assert_eq!(command("mikrotik-cpe").as_deref(), Some("/system reboot"));
        assert_eq!(command("generic-linux").as_deref(), Some("reboot"));
        assert_eq!(command("cisco-ios"), None);
    }
}
