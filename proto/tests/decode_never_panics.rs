//! Property tests: `decode_frame` never panics, and encoding round-trips, also through the
//! per-connection numbering of subscribers.

mod common;

use proptest::prelude::*;
use proto::{
    decode_frame, encode_frame, Frame, IndexedSampleEntry, IndexedSamples, Ping, PonPort,
    SampleEntry, Samples, SubscriberKey, SubscriberKeys, SubscriberNumbering, SubscriberTable,
};

fn subscriber_key() -> impl Strategy<Value = SubscriberKey> {
    prop_oneof![
        "[a-z.]{0,6}".prop_map(SubscriberKey::PppoeUsername),
        ("[a-z0-9-]{1,6}", 0u16..3, 0u32..200).prop_map(|(olt, port, onu_id)| {
            SubscriberKey::Onu {
                olt,
                pon: PonPort {
                    frame: 0,
                    slot: 1,
                    port,
                },
                onu_id,
            }
        }),
        ("[a-z0-9]{1,4}", ".{0,6}")
            .prop_map(|(device, if_name)| SubscriberKey::Port { device, if_name }),
    ]
}

fn samples_batch(batch_seq: u64) -> impl Strategy<Value = Samples> {
    (
        any::<u64>(),
        proptest::collection::vec(
            (
                subscriber_key(),
                any::<u64>(),
                any::<u64>(),
                any::<u64>(),
                any::<u64>(),
            ),
            0..24,
        ),
    )
        .prop_map(move |(timestamp_ms, entries)| Samples {
            batch_seq,
            timestamp_ms,
            entries: entries
                .into_iter()
                .map(
                    |(subscriber_key, rx_bps, tx_bps, rx_total, tx_total)| SampleEntry {
                        subscriber_key,
                        rx_bps,
                        tx_bps,
                        rx_octets_total: rx_total,
                        tx_octets_total: tx_total,
                    },
                )
                .collect(),
        })
}

/// Sends `frame` through the encoder and decoder, as the wire would.
fn over_the_wire(frame: Frame) -> Frame {
    decode_frame(&encode_frame(&frame).expect("encodes")).expect("decodes")
}

proptest! {
    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = decode_frame(&bytes);
    }

    #[test]
    fn random_bodies_behind_a_valid_header_never_panic(
        tag in 0u8..16,
        body in proptest::collection::vec(any::<u8>(), 0..256),
    ) {
        let mut bytes = vec![1, 0, tag];
        bytes.extend(body);
        let _ = decode_frame(&bytes);
    }

    #[test]
    fn mutated_valid_frames_never_panic(position in any::<prop::sample::Index>(), value in any::<u8>()) {
        let mut bytes = encode_frame(&common::inventory()).expect("encodes");
        let at = position.index(bytes.len());
        bytes[at] = value;
        let _ = decode_frame(&bytes);
    }

    #[test]
    fn samples_round_trip(
        batch_seq in any::<u64>(),
        timestamp_ms in any::<u64>(),
        rates in proptest::collection::vec((any::<u64>(), any::<u64>(), ".{0,12}"), 0..20),
    ) {
        let entries = rates
            .into_iter()
            .map(|(rx_bps, tx_bps, username)| SampleEntry {
                subscriber_key: SubscriberKey::PppoeUsername(username),
                rx_bps,
                tx_bps,
                rx_octets_total: rx_bps / 8,
                tx_octets_total: tx_bps / 8,
            })
            .collect();
        let frame = Frame::Samples(Samples { batch_seq, timestamp_ms, entries });
        let bytes = encode_frame(&frame).expect("encodes");
        prop_assert_eq!(decode_frame(&bytes), Ok(frame));
    }

    #[test]
    fn random_bodies_behind_a_version_2_header_never_panic(
        tag in 0u8..16,
        body in proptest::collection::vec(any::<u8>(), 0..256),
    ) {
        let mut bytes = vec![2, 0, tag];
        bytes.extend(body);
        let _ = decode_frame(&bytes);
    }

    #[test]
    fn mutated_indexed_frames_never_panic(
        position in any::<prop::sample::Index>(),
        value in any::<u8>(),
        keys in any::<bool>(),
    ) {
        let frame = if keys { common::subscriber_keys() } else { common::indexed_samples() };
        let mut bytes = encode_frame(&frame).expect("encodes");
        let at = position.index(bytes.len());
        bytes[at] = value;
        let _ = decode_frame(&bytes);
    }

    #[test]
    fn indexed_samples_round_trip(
        batch_seq in any::<u64>(),
        timestamp_ms in any::<u64>(),
        entries in proptest::collection::vec(
            (any::<u32>(), any::<u64>(), any::<u64>(), any::<u64>(), any::<u64>()),
            0..40,
        ),
    ) {
        let entries = entries
            .into_iter()
            .map(|(subscriber_index, rx_bps, tx_bps, rx_octets_total, tx_octets_total)| {
                IndexedSampleEntry { subscriber_index, rx_bps, tx_bps, rx_octets_total, tx_octets_total }
            })
            .collect();
        let frame = Frame::IndexedSamples(IndexedSamples { batch_seq, timestamp_ms, entries });
        prop_assert_eq!(over_the_wire(frame.clone()), frame);
    }

    #[test]
    fn subscriber_keys_round_trip(
        first_index in any::<u32>(),
        keys in proptest::collection::vec(subscriber_key(), 0..20),
    ) {
        let frame = Frame::SubscriberKeys(SubscriberKeys { first_index, keys });
        prop_assert_eq!(over_the_wire(frame.clone()), frame);
    }

    /// What the agent numbers and the control plane reads back is the batch that was numbered,
    /// batch after batch on one connection.
    #[test]
    fn numbered_batches_read_back_unchanged(
        batches in proptest::collection::vec(samples_batch(0), 1..6),
    ) {
        let mut numbering = SubscriberNumbering::new();
        let mut table = SubscriberTable::new();
        for (seq, mut batch) in batches.into_iter().enumerate() {
            batch.batch_seq = seq as u64;
            let numbered = numbering.number(&batch).expect("room for every key");
            if let Some(keys) = numbered.new_keys {
                let Frame::SubscriberKeys(keys) = over_the_wire(Frame::SubscriberKeys(keys)) else {
                    panic!("a SubscriberKeys frame decodes as one");
                };
                table.add(keys).expect("numbers continue the table");
            }
            let Frame::IndexedSamples(indexed) = over_the_wire(Frame::IndexedSamples(numbered.samples)) else {
                panic!("an IndexedSamples frame decodes as one");
            };
            prop_assert_eq!(table.expand(&indexed), Ok(batch));
        }
        prop_assert_eq!(table.len(), numbering.len());
    }

    #[test]
    fn split_inventories_fit_and_join_back_unchanged(
        sizes in proptest::collection::vec((0u32..60, "[a-z0-9<>.-]{1,40}"), 0..6),
        max_frame_bytes in 400usize..4_000,
        generation in any::<u64>(),
    ) {
        let devices: Vec<proto::Device> = (0..sizes.len())
            .map(|d| proto::Device {
                device_id: format!("dev-{d}"),
                kind: proto::DeviceKind::Bras,
                profile: "p".into(),
                management_address: "127.0.0.1".into(),
            })
            .collect();
        let interfaces = sizes
            .iter()
            .enumerate()
            .flat_map(|(d, (count, name))| {
                (0..*count).map(move |if_index| proto::Interface {
                    device_id: format!("dev-{d}"),
                    if_index,
                    if_name: name.clone(),
                    speed_bps: Some(u64::from(if_index) * 1_000),
                })
            })
            .collect();
        let inventory = proto::Inventory { devices, interfaces, subscriber_keys: Vec::new() };
        let chunks = proto::split_inventory(&inventory, generation, max_frame_bytes)
            .expect("every entry fits");
        let mut joined = proto::Inventory::default();
        for (index, chunk) in chunks.iter().enumerate() {
            let bytes = encode_frame(&Frame::InventoryChunk(chunk.clone())).expect("encodes");
            prop_assert!(bytes.len() <= max_frame_bytes, "chunk {} is {} bytes", index, bytes.len());
            prop_assert_eq!(chunk.chunk_index as usize, index);
            prop_assert_eq!(chunk.chunk_count as usize, chunks.len());
            prop_assert_eq!(chunk.generation, generation);
            let Frame::InventoryChunk(back) = over_the_wire(Frame::InventoryChunk(chunk.clone())) else {
                panic!("an InventoryChunk decodes as one");
            };
            joined.devices.extend(back.devices);
            joined.interfaces.extend(back.interfaces);
        }
        prop_assert_eq!(joined, inventory);
    }

    #[test]
    fn ping_round_trip(nonce in any::<u64>()) {
        let frame = Frame::Ping(Ping { nonce });
        prop_assert_eq!(decode_frame(&encode_frame(&frame).expect("encodes")), Ok(frame));
    }
}
