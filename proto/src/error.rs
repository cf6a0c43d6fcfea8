//! Typed errors for encoding and decoding frames.

use thiserror::Error;

/// Why bytes received from a peer are not a frame this build accepts.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecodeError {
    #[error("frame is empty")]
    Empty,
    #[error("frame of {len} bytes exceeds the {max} byte limit")]
    TooLarge { len: usize, max: usize },
    #[error("frame of {len} bytes is shorter than the {needed} byte envelope header")]
    TruncatedHeader { len: usize, needed: usize },
    #[error(
        "peer speaks protocol version {peer_version}, this build speaks versions {min_supported} to {max_supported}"
    )]
    UnsupportedVersion {
        peer_version: u16,
        min_supported: u16,
        max_supported: u16,
    },
    #[error("unknown frame tag {tag}")]
    UnknownTag { tag: u8 },
    #[error("{frame} frame does not exist in protocol version {version}")]
    NotInVersion { frame: &'static str, version: u16 },
    #[error("{frame} frame is truncated")]
    Truncated { frame: &'static str },
    #[error("{frame} frame has {count} unexpected trailing bytes")]
    TrailingBytes { frame: &'static str, count: usize },
    #[error("InventoryChunk frame says it is chunk {index} of {count}; chunks count from 0 and a set has at least one")]
    BadChunkPosition { index: u32, count: u32 },
    #[error("{frame} frame body is malformed")]
    Malformed {
        frame: &'static str,
        #[source]
        source: postcard::Error,
    },
}

/// Why a frame could not be encoded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EncodeError {
    #[error(
        "{frame} frame of {len} bytes exceeds the {max} byte limit; send fewer entries per frame"
    )]
    TooLarge {
        frame: &'static str,
        len: usize,
        max: usize,
    },
    #[error("cannot encode {frame} frame")]
    Serialize {
        frame: &'static str,
        #[source]
        source: postcard::Error,
    },
}
