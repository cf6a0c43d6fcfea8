//! The agent protocol's rules, apart from the socket: what `Hello` must carry, which frames an
//! agent may send once admitted, and why a connection is refused (each reason closes it with a
//! WebSocket close code and counts in `netops_agent_frames_rejected_total`; an `Inventory`
//! beyond the limits or inconsistent, and an `InventoryChunk` set beyond them or out of order,
//! are such reasons).

use proto::{negotiate_version, DecodeError, Frame, Hello};
use sha2::{Digest, Sha256};

use crate::http::AppState;
use crate::store::agents::AgentRow;

/// Why an agent connection is closed by the control plane.
#[derive(Debug, thiserror::Error)]
pub enum Rejection {
    #[error("no Hello within {0} s")]
    HelloTimeout(u64),
    #[error("malformed frame: {0}")]
    Malformed(#[from] DecodeError),
    #[error("text frames are not part of the agent protocol; send binary frames")]
    TextFrame,
    #[error("{frame} frame is not allowed {when}")]
    Unexpected {
        frame: &'static str,
        when: &'static str,
    },
    #[error("{frame} frame needs protocol version {needed}; this connection speaks {accepted}")]
    NewerFrame {
        frame: &'static str,
        needed: u16,
        accepted: u16,
    },
    #[error("{0}")]
    Numbering(#[from] proto::SubscriberTableError),
    #[error("{0}")]
    ProtocolVersion(#[from] proto::VersionMismatch),
    #[error("agent token is not valid")]
    TokenInvalid,
    #[error("agent token has been revoked")]
    TokenRevoked,
    #[error("control plane cannot check the token now; retry later")]
    StoreUnavailable,
    #[error("{0}")]
    Inventory(#[from] crate::inventory::InventoryError),
    #[error("{0}")]
    InventoryChunk(#[from] crate::inventory::ChunkError),
}

impl Rejection {
    /// The `reason` label of the rejection metric.
    pub fn metric_reason(&self) -> &'static str {
        match self {
            Self::HelloTimeout(_) => "hello_timeout",
            Self::Malformed(_) => "malformed",
            Self::TextFrame => "text_frame",
            Self::Unexpected { .. } | Self::NewerFrame { .. } => "unexpected_frame",
            Self::Numbering(_) => "subscriber_numbering",
            Self::ProtocolVersion(_) => "protocol_version",
            Self::TokenInvalid => "token_invalid",
            Self::TokenRevoked => "token_revoked",
            Self::StoreUnavailable => "store_unavailable",
            Self::Inventory(err) => err.metric_reason(),
            Self::InventoryChunk(err) => err.metric_reason(),
        }
    }

    /// The WebSocket close code (RFC 6455 §7.4.1).
    pub fn close_code(&self) -> u16 {
        match self {
            Self::TextFrame => 1003,
            Self::Malformed(_)
            | Self::Unexpected { .. }
            | Self::NewerFrame { .. }
            | Self::Numbering(_)
            | Self::ProtocolVersion(_) => 1002,
            Self::HelloTimeout(_) | Self::TokenInvalid | Self::TokenRevoked => 1008,
            Self::StoreUnavailable => 1011,
            Self::Inventory(crate::inventory::InventoryError::TooManyDevices { .. })
            | Self::Inventory(crate::inventory::InventoryError::TooManyInterfaces { .. }) => 1009,
            Self::Inventory(_) => 1002,
            Self::InventoryChunk(err) if err.is_size() => 1009,
            Self::InventoryChunk(_) => 1002,
        }
    }
}

/// An agent whose `Hello` was accepted.
#[derive(Debug)]
pub struct Admitted {
    pub agent: AgentRow,
    pub accepted_version: u16,
}

/// Hex SHA-256 of an agent token, as stored.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The first frame must be `Hello`.
pub fn expect_hello(frame: Frame) -> Result<Hello, Rejection> {
    match frame {
        Frame::Hello(hello) => Ok(hello),
        other => Err(Rejection::Unexpected {
            frame: other.tag().name(),
            when: "before Hello",
        }),
    }
}

/// Checks the version and the token of a `Hello`, and records the handshake.
pub async fn admit(state: &AppState, hello: &Hello) -> Result<Admitted, Rejection> {
    let accepted_version = negotiate_version(hello.protocol_version)?;
    let hash = token_hash(hello.token.expose_secret());
    let agent = match state.store.agent_by_token_hash(&hash).await {
        Ok(Some(agent)) => agent,
        Ok(None) => return Err(Rejection::TokenInvalid),
        Err(err) => {
            tracing::warn!(error = %err, "unable to look up an agent token");
            return Err(Rejection::StoreUnavailable);
        }
    };
    if agent.revoked_at.is_some() {
        return Err(Rejection::TokenRevoked);
    }
    if hello.agent_id != agent.name && hello.agent_id != agent.id {
        tracing::warn!(
            agent = %agent.name, announced = %hello.agent_id,
            "agent announces an id other than its registered name; the token decides"
        );
    }
    if let Err(err) = state
        .store
        .record_agent_hello(&agent.id, &hello.agent_version, accepted_version)
        .await
    {
        tracing::warn!(error = %err, agent = %agent.name, "unable to record an agent handshake");
        return Err(Rejection::StoreUnavailable);
    }
    Ok(Admitted {
        agent,
        accepted_version,
    })
}

/// What an admitted agent's frame asks for.
#[derive(Debug)]
pub enum AgentFrame {
    Samples(proto::Samples),
    SubscriberKeys(proto::SubscriberKeys),
    IndexedSamples(proto::IndexedSamples),
    Ping(u64),
    CommandResult(proto::CommandResult),
    Optics(proto::Optics),
    Inventory(proto::Inventory),
    InventoryChunk(proto::InventoryChunk),
    /// Accepted and counted; not consumed by this version of the control plane yet.
    Noted,
}

/// Sorts a frame from an admitted agent; frames only the control plane sends, and frames newer
/// than the connection's negotiated version, are refused.
pub fn admitted_frame(frame: Frame, accepted_version: u16) -> Result<AgentFrame, Rejection> {
    let needed = frame.tag().since_version();
    if needed > accepted_version {
        return Err(Rejection::NewerFrame {
            frame: frame.tag().name(),
            needed,
            accepted: accepted_version,
        });
    }
    match frame {
        Frame::Samples(samples) => Ok(AgentFrame::Samples(samples)),
        Frame::SubscriberKeys(keys) => Ok(AgentFrame::SubscriberKeys(keys)),
        Frame::IndexedSamples(samples) => Ok(AgentFrame::IndexedSamples(samples)),
        Frame::Ping(ping) => Ok(AgentFrame::Ping(ping.nonce)),
        Frame::CommandResult(result) => Ok(AgentFrame::CommandResult(result)),
        Frame::Optics(optics) => Ok(AgentFrame::Optics(optics)),
        Frame::Inventory(inventory) => Ok(AgentFrame::Inventory(inventory)),
        Frame::InventoryChunk(chunk) => Ok(AgentFrame::InventoryChunk(chunk)),
        Frame::Pong(_) | Frame::SessionEvent(_) => Ok(AgentFrame::Noted),
        other @ (Frame::Hello(_) | Frame::HelloAck(_) | Frame::Command(_) | Frame::Ack(_)) => {
            Err(Rejection::Unexpected {
                frame: other.tag().name(),
                when: "from an agent after the handshake",
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proto::{Ack, AgentToken, IndexedSamples, Ping, PROTOCOL_VERSION};

    fn hello() -> Frame {
        Frame::Hello(Hello {
            protocol_version: 1,
            agent_id: "a".into(),
            agent_version: "0".into(),
            token: AgentToken::new("t"),
        })
    }

    #[test]
    fn hello_comes_first_and_only_once() {
        assert!(expect_hello(hello()).is_ok());
        let before = expect_hello(Frame::Ping(Ping { nonce: 1 })).unwrap_err();
        assert_eq!(before.metric_reason(), "unexpected_frame");
        assert_eq!(before.close_code(), 1002);
        assert!(matches!(
            admitted_frame(hello(), PROTOCOL_VERSION),
            Err(Rejection::Unexpected { frame: "Hello", .. })
        ));
        assert!(admitted_frame(Frame::Ack(Ack { up_to_batch_seq: 1 }), PROTOCOL_VERSION).is_err());
        assert!(matches!(
            admitted_frame(Frame::Ping(Ping { nonce: 9 }), 1),
            Ok(AgentFrame::Ping(9))
        ));
    }

    #[test]
    fn frames_newer_than_the_connection_are_refused() {
        let indexed = || {
            Frame::IndexedSamples(IndexedSamples {
                batch_seq: 1,
                timestamp_ms: 0,
                entries: Vec::new(),
            })
        };
        let refused = admitted_frame(indexed(), 1).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "IndexedSamples frame needs protocol version 2; this connection speaks 1"
        );
        assert_eq!(refused.close_code(), 1002);
        assert!(matches!(
            admitted_frame(indexed(), 2),
            Ok(AgentFrame::IndexedSamples(_))
        ));
    }

    #[test]
    fn token_hash_is_hex_sha256() {
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
