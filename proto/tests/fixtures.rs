//! Byte fixtures that pin the wire format of every frame: each must encode to exactly these
//! bytes and decode back to the same frame.

mod common;

use common::hex;
use proto::{decode_frame, encode_frame, Frame, Interface, InventoryChunk};

fn check(frame: Frame, expected_hex: &str) {
    let expected = hex(expected_hex);
    let encoded = encode_frame(&frame).expect("encodes");
    assert_eq!(encoded, expected, "encoding of {:?} changed", frame.tag());
    assert_eq!(decode_frame(&expected), Ok(frame));
}

#[test]
fn handshake_and_liveness() {
    check(
        common::hello(),
        "01 00 01  01 04 70 6f 70 31 03 30 2e 31 02 74 6b",
    );
    check(common::hello_ack(), "01 00 02  01 80 d0 95 ff bc 31");
    check(common::ping(), "01 00 0a  2a");
    check(common::pong(), "01 00 0b  2a");
}

#[test]
fn inventory() {
    check(
        common::inventory(),
        "01 00 03  01 05 62 72 61 73 31 01 08 6d 69 6b 72 6f 74 69 6b 08 31 30 2e 30 2e 30 2e 31
         01 05 62 72 61 73 31 0f 0b 3c 70 70 70 6f 65 2d 62 6f 62 3e 00
         02 00 03 62 6f 62 02 03 73 77 31 03 67 65 31",
    );
}

#[test]
fn inventory_chunk() {
    // Version 3: generation 5, chunk 1 of 2, no device, one interface, no subscriber key.
    check(
        Frame::InventoryChunk(InventoryChunk {
            generation: 5,
            chunk_index: 1,
            chunk_count: 2,
            devices: Vec::new(),
            interfaces: vec![Interface {
                device_id: "bras1".into(),
                if_index: 15,
                if_name: "ge1".into(),
                speed_bps: None,
            }],
            subscriber_keys: Vec::new(),
        }),
        "03 00 0e  05 01 02 00 01 05 62 72 61 73 31 0f 03 67 65 31 00 00",
    );
}

#[test]
fn samples_and_ack() {
    check(
        common::samples(),
        "01 00 04  ac 02 80 d0 95 ff bc 31 01 00 03 62 6f 62 80 e1 eb 17 e8 07
         80 80 80 80 80 20 00",
    );
    check(common::ack(), "01 00 09  ac 02");
}

#[test]
fn subscribers_by_number() {
    // Version 2 frames carry version 2 in their envelope.
    check(
        common::subscriber_keys(),
        "02 00 0c  ac 02 02 00 03 62 6f 62 01 04 6f 6c 74 31 00 01 02 07",
    );
    check(
        common::indexed_samples(),
        "02 00 0d  ac 02 80 d0 95 ff bc 31 02 ac 02 80 e1 eb 17 e8 07 80 80 80 80 80 20 00
         ad 02 00 00 00 00",
    );
}

#[test]
fn optics_with_missing_levels() {
    check(
        common::optics(),
        "01 00 05  04 6f 6c 74 31 80 d0 95 ff bc 31 01 01 04 6f 6c 74 31 00 01 02 07 00
         01 71 3d 0a d7 a3 30 37 c0  01 00 00 00 00 00 00 04 40  00  00
         01 08 48 57 54 43 30 30 30 31  00",
    );
}

#[test]
fn session_event() {
    check(
        common::session_event(),
        "01 00 06  80 d0 95 ff bc 31 05 62 72 61 73 31 00 03 62 6f 62 01 01 03 6c 63 70
         01 00 64 40 00 09",
    );
}

#[test]
fn commands() {
    let id = "ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab";
    check(
        common::command(),
        &format!("01 00 07 {id} 04 6f 6c 74 31 01 01 04 6f 6c 74 31 00 01 02 07 00"),
    );
    check(
        common::command_change_speed(),
        &format!("01 00 07 {id} 05 62 72 61 73 31 00 03 80 e1 eb 17 80 ad e2 04"),
    );
    check(
        common::command_bgp(),
        &format!("01 00 07 {id} 05 65 64 67 65 31 00 04 00 c0 00 02 01 00 80 f8 03 00 00 00  00"),
    );
    check(
        common::command_bgp_policy_dry_run(),
        &format!("01 00 07 {id} 05 65 64 67 65 31 00 04 00 c0 00 02 01 05 01 02 49 4e 00  01"),
    );
    check(
        common::command_result(),
        &format!("01 00 08 {id} 02 02 6f 6b"),
    );
    check(
        common::command_result_rolled_back(),
        &format!("01 00 08 {id} 06 02 61 73"),
    );
}
