//! The frame envelope: `encode_frame` and the never-panicking `decode_frame`.
//!
//! Layout: `[version: u16 little-endian][tag: u8][postcard body]`. The body must use every
//! remaining byte. The version is the one that introduced the frame (`FrameTag::since_version`):
//! a frame of version 1 reads the same in every version, so a peer that speaks only version 1
//! still reads the `Hello` of a newer one and the handshake can settle on version 1.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::{
    DecodeError, EncodeError, Frame, FrameTag, InventoryChunk, MIN_PROTOCOL_VERSION,
    PROTOCOL_VERSION,
};

/// Largest frame either side sends or accepts, envelope included.
pub const MAX_FRAME_BYTES: usize = 4 * 1024 * 1024;

/// Size of the envelope header: two bytes of version, one byte of tag.
pub const HEADER_BYTES: usize = 3;

/// Encodes a frame under the protocol version that introduced it.
pub fn encode_frame(frame: &Frame) -> Result<Vec<u8>, EncodeError> {
    let tag = frame.tag();
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(&tag.since_version().to_le_bytes());
    out.push(tag as u8);
    let out = match frame {
        Frame::Hello(body) => append_body(tag, body, out),
        Frame::HelloAck(body) => append_body(tag, body, out),
        Frame::Inventory(body) => append_body(tag, body, out),
        Frame::Samples(body) => append_body(tag, body, out),
        Frame::Optics(body) => append_body(tag, body, out),
        Frame::SessionEvent(body) => append_body(tag, body, out),
        Frame::Command(body) => append_body(tag, body, out),
        Frame::CommandResult(body) => append_body(tag, body, out),
        Frame::Ack(body) => append_body(tag, body, out),
        Frame::Ping(body) => append_body(tag, body, out),
        Frame::Pong(body) => append_body(tag, body, out),
        Frame::SubscriberKeys(body) => append_body(tag, body, out),
        Frame::IndexedSamples(body) => append_body(tag, body, out),
        Frame::InventoryChunk(body) => append_body(tag, body, out),
    }?;
    if out.len() > MAX_FRAME_BYTES {
        return Err(EncodeError::TooLarge {
            frame: tag.name(),
            len: out.len(),
            max: MAX_FRAME_BYTES,
        });
    }
    Ok(out)
}

fn append_body<T: Serialize>(
    tag: FrameTag,
    body: &T,
    out: Vec<u8>,
) -> Result<Vec<u8>, EncodeError> {
    postcard::to_extend(body, out).map_err(|source| EncodeError::Serialize {
        frame: tag.name(),
        source,
    })
}

/// Decodes one frame received from a peer.
///
/// Never panics, whatever the input; every rejection is a `DecodeError`.
pub fn decode_frame(bytes: &[u8]) -> Result<Frame, DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    if bytes.len() > MAX_FRAME_BYTES {
        return Err(DecodeError::TooLarge {
            len: bytes.len(),
            max: MAX_FRAME_BYTES,
        });
    }
    let [v0, v1, tag, body @ ..] = bytes else {
        return Err(DecodeError::TruncatedHeader {
            len: bytes.len(),
            needed: HEADER_BYTES,
        });
    };
    let peer_version = u16::from_le_bytes([*v0, *v1]);
    if !(MIN_PROTOCOL_VERSION..=PROTOCOL_VERSION).contains(&peer_version) {
        return Err(DecodeError::UnsupportedVersion {
            peer_version,
            min_supported: MIN_PROTOCOL_VERSION,
            max_supported: PROTOCOL_VERSION,
        });
    }
    let tag = FrameTag::from_byte(*tag).ok_or(DecodeError::UnknownTag { tag: *tag })?;
    if tag.since_version() > peer_version {
        return Err(DecodeError::NotInVersion {
            frame: tag.name(),
            version: peer_version,
        });
    }
    Ok(match tag {
        FrameTag::Hello => Frame::Hello(decode_body(tag, body)?),
        FrameTag::HelloAck => Frame::HelloAck(decode_body(tag, body)?),
        FrameTag::Inventory => Frame::Inventory(decode_body(tag, body)?),
        FrameTag::Samples => Frame::Samples(decode_body(tag, body)?),
        FrameTag::Optics => Frame::Optics(decode_body(tag, body)?),
        FrameTag::SessionEvent => Frame::SessionEvent(decode_body(tag, body)?),
        FrameTag::Command => Frame::Command(decode_body(tag, body)?),
        FrameTag::CommandResult => Frame::CommandResult(decode_body(tag, body)?),
        FrameTag::Ack => Frame::Ack(decode_body(tag, body)?),
        FrameTag::Ping => Frame::Ping(decode_body(tag, body)?),
        FrameTag::Pong => Frame::Pong(decode_body(tag, body)?),
        FrameTag::SubscriberKeys => Frame::SubscriberKeys(decode_body(tag, body)?),
        FrameTag::IndexedSamples => Frame::IndexedSamples(decode_body(tag, body)?),
        FrameTag::InventoryChunk => Frame::InventoryChunk(checked_chunk(decode_body(tag, body)?)?),
    })
}

/// A chunk's place in its set must make sense: at least one chunk, and the index within it.
fn checked_chunk(chunk: InventoryChunk) -> Result<InventoryChunk, DecodeError> {
    if chunk.chunk_count == 0 || chunk.chunk_index >= chunk.chunk_count {
        return Err(DecodeError::BadChunkPosition {
            index: chunk.chunk_index,
            count: chunk.chunk_count,
        });
    }
    Ok(chunk)
}

fn decode_body<T: DeserializeOwned>(tag: FrameTag, body: &[u8]) -> Result<T, DecodeError> {
    let frame = tag.name();
    match postcard::take_from_bytes::<T>(body) {
        Ok((value, [])) => Ok(value),
        Ok((_, rest)) => Err(DecodeError::TrailingBytes {
            frame,
            count: rest.len(),
        }),
        Err(postcard::Error::DeserializeUnexpectedEnd) => Err(DecodeError::Truncated { frame }),
        Err(source) => Err(DecodeError::Malformed { frame, source }),
    }
}
