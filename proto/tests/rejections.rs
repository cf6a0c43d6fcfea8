//! Every way `decode_frame` rejects input, each with its typed error and message.

mod common;

use common::hex;
use proto::{decode_frame, encode_frame, DecodeError, MAX_FRAME_BYTES, PROTOCOL_VERSION};

fn check(input: &[u8], expected: DecodeError, expected_message: &str) {
    let error = decode_frame(input).expect_err("must be rejected");
    assert_eq!(error, expected);
    assert_eq!(error.to_string(), expected_message);
}

#[test]
fn empty_input() {
    check(&[], DecodeError::Empty, "frame is empty");
}

#[test]
fn truncated_header() {
    check(
        &hex("01 00"),
        DecodeError::TruncatedHeader { len: 2, needed: 3 },
        "frame of 2 bytes is shorter than the 3 byte envelope header",
    );
}

#[test]
fn unknown_tags() {
    check(
        &hex("01 00 00"),
        DecodeError::UnknownTag { tag: 0 },
        "unknown frame tag 0",
    );
    check(
        &hex("01 00 ff 2a"),
        DecodeError::UnknownTag { tag: 255 },
        "unknown frame tag 255",
    );
}

#[test]
fn unsupported_versions() {
    check(
        &hex("04 00 0a 2a"),
        DecodeError::UnsupportedVersion {
            peer_version: 4,
            min_supported: 1,
            max_supported: 3,
        },
        "peer speaks protocol version 4, this build speaks versions 1 to 3",
    );
    check(
        &hex("00 00 0a 2a"),
        DecodeError::UnsupportedVersion {
            peer_version: 0,
            min_supported: 1,
            max_supported: 3,
        },
        "peer speaks protocol version 0, this build speaks versions 1 to 3",
    );
}

#[test]
fn frames_newer_than_their_envelope() {
    // IndexedSamples (tag 13) came with version 2; a version 1 envelope cannot carry it.
    check(
        &hex("01 00 0d  01 00 00"),
        DecodeError::NotInVersion {
            frame: "IndexedSamples",
            version: 1,
        },
        "IndexedSamples frame does not exist in protocol version 1",
    );
    check(
        &hex("01 00 0c  00 00"),
        DecodeError::NotInVersion {
            frame: "SubscriberKeys",
            version: 1,
        },
        "SubscriberKeys frame does not exist in protocol version 1",
    );
    // A version 1 frame reads the same under a version 2 envelope.
    assert_eq!(decode_frame(&hex("02 00 0a 2a")), Ok(common::ping()));
}

#[test]
fn malformed_inventory_chunks() {
    // InventoryChunk (tag 14) came with version 3; a version 2 envelope cannot carry it.
    check(
        &hex("02 00 0e  05 00 01 00 00 00"),
        DecodeError::NotInVersion {
            frame: "InventoryChunk",
            version: 2,
        },
        "InventoryChunk frame does not exist in protocol version 2",
    );
    check(
        &hex("03 00 0e  05 00 00 00 00 00"),
        DecodeError::BadChunkPosition { index: 0, count: 0 },
        "InventoryChunk frame says it is chunk 0 of 0; chunks count from 0 and a set has at least one",
    );
    check(
        &hex("03 00 0e  05 02 02 00 00 00"),
        DecodeError::BadChunkPosition { index: 2, count: 2 },
        "InventoryChunk frame says it is chunk 2 of 2; chunks count from 0 and a set has at least one",
    );
    check(
        &hex("03 00 0e  05 00 01 00 00"),
        DecodeError::Truncated {
            frame: "InventoryChunk",
        },
        "InventoryChunk frame is truncated",
    );
    check(
        &hex("03 00 0e  05 00 01 00 00 00 00"),
        DecodeError::TrailingBytes {
            frame: "InventoryChunk",
            count: 1,
        },
        "InventoryChunk frame has 1 unexpected trailing bytes",
    );
    // The only chunk of a set, empty, is valid.
    assert!(decode_frame(&hex("03 00 0e  05 00 01 00 00 00")).is_ok());
}

#[test]
fn truncated_bodies() {
    check(
        &hex("01 00 0a"),
        DecodeError::Truncated { frame: "Ping" },
        "Ping frame is truncated",
    );
    // A Hello whose token string claims 2 bytes but carries 1.
    check(
        &hex("01 00 01  01 04 70 6f 70 31 03 30 2e 31 02 74"),
        DecodeError::Truncated { frame: "Hello" },
        "Hello frame is truncated",
    );
    // Every strict prefix of a valid frame past the header is rejected as truncated.
    let full = encode_frame(&common::optics()).expect("encodes");
    for len in 3..full.len() {
        assert_eq!(
            decode_frame(&full[..len]),
            Err(DecodeError::Truncated { frame: "Optics" }),
            "prefix of {len} bytes"
        );
    }
}

#[test]
fn trailing_bytes() {
    check(
        &hex("01 00 0a 2a 00 00"),
        DecodeError::TrailingBytes {
            frame: "Ping",
            count: 2,
        },
        "Ping frame has 2 unexpected trailing bytes",
    );
}

#[test]
fn malformed_body() {
    // Command state discriminant 9 does not exist.
    let id = "ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab";
    check(
        &hex(&format!("01 00 08 {id} 09 02 6f 6b")),
        DecodeError::Malformed {
            frame: "CommandResult",
            source: postcard::Error::SerdeDeCustom,
        },
        "CommandResult frame body is malformed",
    );
    // Agent id that is not UTF-8.
    check(
        &hex("01 00 01  01 01 ff 00 00"),
        DecodeError::Malformed {
            frame: "Hello",
            source: postcard::Error::DeserializeBadUtf8,
        },
        "Hello frame body is malformed",
    );
}

#[test]
fn frames_over_the_size_limit() {
    let mut oversized = vec![0u8; MAX_FRAME_BYTES + 1];
    oversized[..2].copy_from_slice(&PROTOCOL_VERSION.to_le_bytes());
    check(
        &oversized,
        DecodeError::TooLarge {
            len: MAX_FRAME_BYTES + 1,
            max: MAX_FRAME_BYTES,
        },
        "frame of 4194305 bytes exceeds the 4194304 byte limit",
    );
}
