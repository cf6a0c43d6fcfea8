//! netops wire protocol between edge agents and the control plane.
//!
//! Every WebSocket message is one binary frame: a fixed three-byte envelope
//! header (protocol version, little-endian `u16`, then a one-byte frame tag)
//! followed by the frame body encoded with `postcard`. The header layout never
//! changes between protocol versions, so a peer can always tell which version
//! a frame belongs to and say so in a typed error. The header carries the
//! version that introduced the frame; which frames a connection may use is the
//! version negotiated in `Hello`/`HelloAck`.
//!
//! Conventions on the wire: timestamps are milliseconds since the Unix epoch in
//! UTC (`_ms`), rates are bits per second (`_bps`), optical power is dBm
//! (`_dbm`), and traffic directions are seen from the subscriber (`rx` is what
//! the subscriber downloads, `tx` what it uploads).

mod codec;
mod command;
mod error;
mod frame;
mod handshake;
mod inventory;
mod inventory_chunk;
mod optics;
mod samples;
mod session;
mod subscriber;
mod subscriber_index;
mod version;

pub use codec::{decode_frame, encode_frame, HEADER_BYTES, MAX_FRAME_BYTES};
pub use command::{
    BgpPeerChange, Command, CommandId, CommandIdParseError, CommandKind, CommandResult,
    CommandState, CommandTarget, SessionHints,
};
pub use error::{DecodeError, EncodeError};
pub use frame::{Frame, FrameTag};
pub use handshake::{AgentToken, Hello, HelloAck, Ping, Pong};
pub use inventory::{Device, DeviceKind, Interface, Inventory};
pub use inventory_chunk::{split_inventory, InventoryChunk, SplitError};
pub use optics::{OnuOptics, OnuStatus, Optics};
pub use samples::{Ack, IndexedSampleEntry, IndexedSamples, SampleEntry, Samples};
pub use session::{SessionChange, SessionEvent};
pub use subscriber::{pppoe_username_of_interface, PonPort, SubscriberKey};
pub use subscriber_index::{
    NumberedBatch, SubscriberKeys, SubscriberNumbering, SubscriberTable, SubscriberTableError,
    MAX_SUBSCRIBERS_PER_CONNECTION,
};
pub use version::{negotiate_version, VersionMismatch, MIN_PROTOCOL_VERSION, PROTOCOL_VERSION};
