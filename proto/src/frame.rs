//! The `Frame` enum and the one-byte tags that identify each frame on the wire.

use crate::{
    Ack, Command, CommandResult, Hello, HelloAck, IndexedSamples, Inventory, InventoryChunk,
    Optics, Ping, Pong, Samples, SessionEvent, SubscriberKeys,
};

/// Every message agents and the control plane exchange.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    Hello(Hello),
    HelloAck(HelloAck),
    Inventory(Inventory),
    Samples(Samples),
    Optics(Optics),
    SessionEvent(SessionEvent),
    Command(Command),
    CommandResult(CommandResult),
    Ack(Ack),
    Ping(Ping),
    Pong(Pong),
    SubscriberKeys(SubscriberKeys),
    IndexedSamples(IndexedSamples),
    InventoryChunk(InventoryChunk),
}

/// The envelope's frame tag. Values are fixed forever; new frames take new values and `0` is
/// never used, so a zeroed buffer is not a valid frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum FrameTag {
    Hello = 1,
    HelloAck = 2,
    Inventory = 3,
    Samples = 4,
    Optics = 5,
    SessionEvent = 6,
    Command = 7,
    CommandResult = 8,
    Ack = 9,
    Ping = 10,
    Pong = 11,
    SubscriberKeys = 12,
    IndexedSamples = 13,
    InventoryChunk = 14,
}

impl FrameTag {
    pub const ALL: [FrameTag; 14] = [
        Self::Hello,
        Self::HelloAck,
        Self::Inventory,
        Self::Samples,
        Self::Optics,
        Self::SessionEvent,
        Self::Command,
        Self::CommandResult,
        Self::Ack,
        Self::Ping,
        Self::Pong,
        Self::SubscriberKeys,
        Self::IndexedSamples,
        Self::InventoryChunk,
    ];

    pub fn from_byte(byte: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|tag| *tag as u8 == byte)
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Hello => "Hello",
            Self::HelloAck => "HelloAck",
            Self::Inventory => "Inventory",
            Self::Samples => "Samples",
            Self::Optics => "Optics",
            Self::SessionEvent => "SessionEvent",
            Self::Command => "Command",
            Self::CommandResult => "CommandResult",
            Self::Ack => "Ack",
            Self::Ping => "Ping",
            Self::Pong => "Pong",
            Self::SubscriberKeys => "SubscriberKeys",
            Self::IndexedSamples => "IndexedSamples",
            Self::InventoryChunk => "InventoryChunk",
        }
    }

    /// The protocol version that introduced this frame. It is the version its envelope carries,
    /// so a peer of that version or newer reads it; a frame is sent only when the version
    /// negotiated in the handshake is at least this.
    pub fn since_version(self) -> u16 {
        match self {
            Self::SubscriberKeys | Self::IndexedSamples => 2,
            Self::InventoryChunk => 3,
            _ => 1,
        }
    }
}

impl Frame {
    pub fn tag(&self) -> FrameTag {
        match self {
            Self::Hello(_) => FrameTag::Hello,
            Self::HelloAck(_) => FrameTag::HelloAck,
            Self::Inventory(_) => FrameTag::Inventory,
            Self::Samples(_) => FrameTag::Samples,
            Self::Optics(_) => FrameTag::Optics,
            Self::SessionEvent(_) => FrameTag::SessionEvent,
            Self::Command(_) => FrameTag::Command,
            Self::CommandResult(_) => FrameTag::CommandResult,
            Self::Ack(_) => FrameTag::Ack,
            Self::Ping(_) => FrameTag::Ping,
            Self::Pong(_) => FrameTag::Pong,
            Self::SubscriberKeys(_) => FrameTag::SubscriberKeys,
            Self::IndexedSamples(_) => FrameTag::IndexedSamples,
            Self::InventoryChunk(_) => FrameTag::InventoryChunk,
        }
    }
}
