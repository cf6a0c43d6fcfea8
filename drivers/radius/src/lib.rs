//! RFC 5176 Dynamic Authorization client for netops: Disconnect-Request and CoA-Request to a
//! BRAS, with what the `radius` crate leaves out — Message-Authenticator, Event-Timestamp,
//! retransmission with backoff, response authentication, Identifier management for concurrent
//! requests, and Error-Cause in words.
//!
//! `packet` builds and checks datagrams without I/O; `client` owns the UDP socket.

pub mod client;
pub mod error_cause;
pub mod packet;
pub mod session;

pub use client::{DacClient, DacError, DacReply, Nas, RetryPolicy};
pub use error_cause::ErrorCause;
pub use packet::{PacketCheckError, RequestKind};
pub use session::{RateLimit, SessionIdent};
