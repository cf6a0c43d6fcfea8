//! Property tests: `decode_frame` never panics, and encoding round-trips.

mod common;

use proptest::prelude::*;
use proto::{decode_frame, encode_frame, Frame, Ping, SampleEntry, Samples, SubscriberKey};

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
    fn ping_round_trip(nonce in any::<u64>()) {
        let frame = Frame::Ping(Ping { nonce });
        prop_assert_eq!(decode_frame(&encode_frame(&frame).expect("encodes")), Ok(frame));
    }
}
