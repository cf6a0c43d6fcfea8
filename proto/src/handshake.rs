//! Connection set-up and liveness frames: `Hello`, `HelloAck`, `Ping`, `Pong`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The per-agent secret sent in `Hello`; the control plane stores only its hash.
///
/// `Debug` never prints the secret, so a logged `Hello` does not leak it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AgentToken(String);

impl AgentToken {
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret itself, for hashing and comparison only.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AgentToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AgentToken(<redacted>)")
    }
}

/// First frame an agent sends after the WebSocket opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    /// The newest protocol version the agent speaks.
    pub protocol_version: u16,
    pub agent_id: String,
    /// The agent's software version, for the NOC console.
    pub agent_version: String,
    pub token: AgentToken,
}

/// The control plane's answer to an accepted `Hello`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelloAck {
    /// The version both sides use from now on (see `negotiate_version`).
    pub accepted_version: u16,
    /// The control plane's clock, so the agent can report skew.
    pub server_time_ms: u64,
}

/// Liveness probe; either side may send it and the other answers with a `Pong` echoing `nonce`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ping {
    pub nonce: u64,
}

/// Answer to a `Ping`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pong {
    pub nonce: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_prints_the_token() {
        let hello = Hello {
            protocol_version: 1,
            agent_id: "site-a".into(),
            agent_version: "0.1.0".into(),
            token: AgentToken::new("s3cret"),
        };
        let printed = format!("{hello:?}");
        assert!(!printed.contains("s3cret"), "{printed}");
        assert!(printed.contains("<redacted>"), "{printed}");
    }
}
