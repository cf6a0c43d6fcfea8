//! Device actions: the `Command` frame sent to an agent and the `CommandResult` it reports.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr};
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::SubscriberKey;

/// A command's id: the 16 bytes of the UUID the control plane gave its command row.
///
/// Agents de-duplicate on it, so a command re-sent after a reconnect runs once.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CommandId([u8; 16]);

impl CommandId {
    pub const fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

impl fmt::Display for CommandId {
    /// Hyphenated lower-case UUID form, e.g. `67e55044-10b1-426f-9247-bb680e5fe0c8`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, byte) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                f.write_str("-")?;
            }
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for CommandId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CommandId({self})")
    }
}

/// The text is not a UUID in hyphenated or plain hex form.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("command id {text:?} is not a UUID (expected 32 hex digits, optionally hyphenated)")]
pub struct CommandIdParseError {
    pub text: String,
}

impl FromStr for CommandId {
    type Err = CommandIdParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = || CommandIdParseError {
            text: text.to_owned(),
        };
        let digits: Vec<u8> = text.bytes().filter(|b| *b != b'-').collect();
        if digits.len() != 32 || !digits.iter().all(u8::is_ascii_hexdigit) {
            return Err(error());
        }
        let mut bytes = [0u8; 16];
        for (byte, pair) in bytes.iter_mut().zip(digits.chunks_exact(2)) {
            let pair = std::str::from_utf8(pair).map_err(|_| error())?;
            *byte = u8::from_str_radix(pair, 16).map_err(|_| error())?;
        }
        Ok(Self(bytes))
    }
}

/// Which device, and optionally which subscriber on it, a command acts on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandTarget {
    pub device_id: String,
    pub subscriber_key: Option<SubscriberKey>,
}

/// How a BGP peering should change. Policy names are route-maps (FRR) or filters (BIRD); the
/// agent checks them again before they reach a router.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BgpPeerChange {
    Add {
        remote_asn: u32,
        /// Maximum prefixes accepted from the peer; `None` for no limit.
        max_prefixes: Option<u32>,
        import_policy: Option<String>,
        export_policy: Option<String>,
    },
    /// Keep the configuration but take the session down.
    Shutdown,
    Enable,
    Remove,
    /// `None` removes the limit.
    SetPrefixLimit {
        max_prefixes: Option<u32>,
    },
    /// Both directions are set: `None` removes that direction's policy.
    SetPolicy {
        import_policy: Option<String>,
        export_policy: Option<String>,
    },
}

/// What the control plane knows of a subscriber's open session from RADIUS accounting, so a
/// Disconnect or CoA names that one session (RFC 5176 section 3) and not only the User-Name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionHints {
    pub acct_session_id: Option<String>,
    pub framed_ip: Option<Ipv4Addr>,
    pub nas_ip: Option<Ipv4Addr>,
}

/// What to do. Each kind carries its own typed parameters, so a command cannot name one action
/// and carry another's parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CommandKind {
    RebootOnu,
    RebootRouter,
    /// RADIUS Disconnect-Request for the target subscriber's session.
    DisconnectSession,
    /// RADIUS CoA with a new rate limit, falling back to one disconnect on NAK.
    ChangeSpeed {
        download_bps: u64,
        upload_bps: u64,
    },
    BgpPeer {
        peer_ip: IpAddr,
        change: BgpPeerChange,
        /// Only work out the router commands against the current state; change nothing.
        dry_run: bool,
    },
    /// Poll one ONU's optics faster than the model's cadence for a while.
    FastPollOptics {
        interval_ms: u32,
        duration_ms: u32,
    },
    /// Since protocol version 3: `DisconnectSession` naming the session.
    DisconnectSessionWithHints {
        session: SessionHints,
    },
    /// Since protocol version 3: `ChangeSpeed` naming the session.
    ChangeSpeedWithHints {
        download_bps: u64,
        upload_bps: u64,
        session: SessionHints,
    },
}

impl CommandKind {
    /// The protocol version that introduced this kind. Variants are only ever appended, so
    /// older kinds keep their encoding.
    pub fn since_version(&self) -> u16 {
        match self {
            CommandKind::DisconnectSessionWithHints { .. }
            | CommandKind::ChangeSpeedWithHints { .. } => 3,
            _ => 1,
        }
    }

    /// The same action as a peer of `version` can decode it: session hints are dropped for
    /// a peer older than version 3, which then names the session by User-Name alone.
    pub fn for_version(self, version: u16) -> CommandKind {
        if self.since_version() <= version {
            return self;
        }
        match self {
            CommandKind::DisconnectSessionWithHints { .. } => CommandKind::DisconnectSession,
            CommandKind::ChangeSpeedWithHints {
                download_bps,
                upload_bps,
                ..
            } => CommandKind::ChangeSpeed {
                download_bps,
                upload_bps,
            },
            other => other,
        }
    }

    /// The session hints the command carries, if any.
    pub fn session_hints(&self) -> Option<&SessionHints> {
        match self {
            CommandKind::DisconnectSessionWithHints { session }
            | CommandKind::ChangeSpeedWithHints { session, .. } => Some(session),
            _ => None,
        }
    }
}

/// A device action routed to the agent that owns the device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Command {
    pub command_id: CommandId,
    pub target: CommandTarget,
    pub kind: CommandKind,
}

impl Command {
    /// The command as a peer that negotiated `version` can decode it.
    pub fn for_version(self, version: u16) -> Command {
        Command {
            kind: self.kind.for_version(version),
            ..self
        }
    }
}

/// Where a command stands. `Succeeded` means the agent verified the effect (session gone, ONU
/// re-ranged, BGP state reached), not only that the device acknowledged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CommandState {
    Accepted,
    Running,
    Succeeded,
    Failed,
    /// The agent refused it (unknown device, cooldown, duplicate with a different body).
    Rejected,
    TimedOut,
    /// The change was applied, did not reach the state asked for, and was taken back (BGP
    /// peering changes); the detail says why.
    RolledBack,
}

/// Progress or outcome of a command; an agent may send several per command, ending with a final state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandResult {
    pub command_id: CommandId,
    pub state: CommandState,
    /// Human-readable detail for the NOC console, e.g. the device's NAK cause.
    pub detail: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: Option<&str>) {
        let parsed = text.parse::<CommandId>();
        match expected {
            Some(display) => assert_eq!(parsed.map(|id| id.to_string()).as_deref(), Ok(display)),
            None => assert_eq!(parsed, Err(CommandIdParseError { text: text.into() })),
        }
    }

    fn hinted() -> CommandKind {
        CommandKind::ChangeSpeedWithHints {
            download_bps: 50_000_000,
            upload_bps: 10_000_000,
            session: SessionHints {
                acct_session_id: Some("81a00001".into()),
                framed_ip: Some(Ipv4Addr::new(100, 64, 0, 7)),
                nas_ip: Some(Ipv4Addr::new(10, 0, 0, 1)),
            },
        }
    }

    #[test]
    fn hints_are_dropped_for_older_peers_only() {
        let plain = CommandKind::ChangeSpeed {
            download_bps: 50_000_000,
            upload_bps: 10_000_000,
        };
        assert_eq!(hinted().for_version(2), plain);
        assert_eq!(hinted().for_version(3), hinted());
        assert_eq!(plain.clone().for_version(1), plain);
        let disconnect = CommandKind::DisconnectSessionWithHints {
            session: SessionHints::default(),
        };
        assert_eq!(
            disconnect.clone().for_version(2),
            CommandKind::DisconnectSession
        );
        assert_eq!(disconnect.clone().for_version(3), disconnect);
    }

    /// A version 2 peer's view of the enum: the kinds it was built with, in the same order.
    #[derive(Debug, PartialEq, Deserialize)]
    enum VersionTwoKind {
        RebootOnu,
        RebootRouter,
        DisconnectSession,
        ChangeSpeed {
            download_bps: u64,
            upload_bps: u64,
        },
        BgpPeer {
            peer_ip: IpAddr,
            change: BgpPeerChange,
            dry_run: bool,
        },
        FastPollOptics {
            interval_ms: u32,
            duration_ms: u32,
        },
    }

    #[test]
    fn version_two_peers_decode_what_they_are_sent() {
        let for_two = postcard::to_stdvec(&hinted().for_version(2)).unwrap();
        assert_eq!(
            postcard::from_bytes::<VersionTwoKind>(&for_two).unwrap(),
            VersionTwoKind::ChangeSpeed {
                download_bps: 50_000_000,
                upload_bps: 10_000_000
            }
        );
        // Sent as is, a version 2 peer could not decode it: hence the gate.
        let as_is = postcard::to_stdvec(&hinted()).unwrap();
        assert!(postcard::from_bytes::<VersionTwoKind>(&as_is).is_err());
    }

    #[test]
    fn command_id_text_forms() {
        let canonical = "67e55044-10b1-426f-9247-bb680e5fe0c8";
        check(canonical, Some(canonical));
        check("67E5504410B1426F9247BB680E5FE0C8", Some(canonical));
        check("67e55044-10b1-426f-9247-bb680e5fe0c", None);
        check("67e55044-10b1-426f-9247-bb680e5fe0cg", None);
        check("", None);
    }
}
