//! The words of a peering change: AS numbers, policy names, the change asked for, and the
//! session state a router reports.

use std::fmt;
use std::net::IpAddr;

use crate::error::PlanError;

/// An autonomous system number (4-octet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AsNumber(pub u32);

impl fmt::Display for AsNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A route-map (FRR) or filter (BIRD) name. Letters, digits, `_` and `-` only, so a name can
/// never smuggle another command into vtysh or a BIRD stanza.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyName(String);

impl PolicyName {
    pub fn parse(name: &str) -> Result<Self, PlanError> {
        let valid = !name.is_empty()
            && name.len() <= 63
            && name.starts_with(|c: char| c.is_ascii_alphabetic())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if valid {
            Ok(Self(name.to_owned()))
        } else {
            Err(PlanError::BadPolicyName(name.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PolicyName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// BGP timers written with every neighbor netops configures (lab routers lower them so a
/// session comes up in seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BgpTimers {
    pub keepalive_s: u16,
    pub hold_s: u16,
    pub connect_retry_s: u16,
}

/// One change to one neighbor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeeringChange {
    AddNeighbor {
        neighbor: IpAddr,
        remote_as: AsNumber,
        max_prefixes: Option<u32>,
        import_policy: Option<PolicyName>,
        export_policy: Option<PolicyName>,
    },
    /// Keeps the configuration, takes the session down.
    ShutDown {
        neighbor: IpAddr,
    },
    Enable {
        neighbor: IpAddr,
    },
    Remove {
        neighbor: IpAddr,
    },
    /// `None` removes the limit.
    SetPrefixLimit {
        neighbor: IpAddr,
        max_prefixes: Option<u32>,
    },
    /// `None` removes that direction's policy.
    SetPolicies {
        neighbor: IpAddr,
        import_policy: Option<PolicyName>,
        export_policy: Option<PolicyName>,
    },
}

impl PeeringChange {
    pub fn neighbor(&self) -> IpAddr {
        match self {
            Self::AddNeighbor { neighbor, .. }
            | Self::ShutDown { neighbor }
            | Self::Enable { neighbor }
            | Self::Remove { neighbor }
            | Self::SetPrefixLimit { neighbor, .. }
            | Self::SetPolicies { neighbor, .. } => *neighbor,
        }
    }

    /// What the post-check waits for, given the state before the change.
    pub fn expected_session(&self, before: Option<&PeerStatus>) -> ExpectedSession {
        match self {
            Self::AddNeighbor { .. } | Self::Enable { .. } => ExpectedSession::Established,
            Self::ShutDown { .. } => ExpectedSession::Down,
            Self::Remove { .. } => ExpectedSession::NotConfigured,
            Self::SetPrefixLimit { .. } | Self::SetPolicies { .. } => match before {
                Some(status) if status.state == SessionState::Established => {
                    ExpectedSession::Established
                }
                _ => ExpectedSession::Configured,
            },
        }
    }
}

/// The BGP finite-state-machine state (RFC 4271 section 8), plus `Down` for a session the
/// daemon does not run (shut down or disabled).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    Idle,
    Connect,
    Active,
    OpenSent,
    OpenConfirm,
    Established,
    Down,
}

impl SessionState {
    /// Parses FRR's `bgpState` and BIRD's `BGP state:` words.
    pub fn parse(word: &str) -> Option<Self> {
        Some(match word.trim() {
            "Idle" => Self::Idle,
            "Connect" => Self::Connect,
            "Active" => Self::Active,
            "OpenSent" => Self::OpenSent,
            "OpenConfirm" => Self::OpenConfirm,
            "Established" => Self::Established,
            "Down" => Self::Down,
            _ => return None,
        })
    }
}

/// What a router says about one configured neighbor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerStatus {
    pub state: SessionState,
    pub remote_as: Option<AsNumber>,
    /// Shut down (FRR) or disabled (BIRD) by configuration.
    pub admin_down: bool,
    /// The daemon's words for the last error, e.g. `OPEN Message Error/Bad Peer AS`.
    pub last_error: Option<String>,
    pub max_prefixes: Option<u32>,
    pub import_policy: Option<String>,
    pub export_policy: Option<String>,
}

/// The state the post-check waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpectedSession {
    Established,
    /// Configured but not Established (Idle, Active, shut down, …).
    Down,
    NotConfigured,
    /// Still configured, in any state.
    Configured,
}

impl ExpectedSession {
    pub fn is_met_by(self, status: Option<&PeerStatus>) -> bool {
        match (self, status) {
            (Self::NotConfigured, None) => true,
            (Self::NotConfigured, Some(_)) | (_, None) => false,
            (Self::Established, Some(s)) => s.state == SessionState::Established,
            (Self::Down, Some(s)) => s.state != SessionState::Established,
            (Self::Configured, Some(_)) => true,
        }
    }
}

impl fmt::Display for ExpectedSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Established => "Established",
            Self::Down => "down",
            Self::NotConfigured => "not configured",
            Self::Configured => "configured",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::PolicyName;

    #[test]
    fn policy_names_cannot_carry_commands() {
        for good in ["TRANSIT-IN", "peer_65002_out", "A"] {
            assert!(PolicyName::parse(good).is_ok(), "{good}");
        }
        for bad in ["", "1st", "x; reboot", "in out", "a\nb", "x\"y"] {
            assert!(PolicyName::parse(bad).is_err(), "{bad:?}");
        }
    }
}
