//! Spooled batches on a protocol 2 connection: each `Samples` batch numbered with the
//! connection's `SubscriberNumbering` and sent as `SubscriberKeys` (the keys new to the
//! connection) followed by `IndexedSamples`. The spool keeps batches with their keys, so a
//! replay on a new connection is numbered afresh.

use proto::{decode_frame, encode_frame, Frame, SubscriberNumbering};

/// The frames that carry one spooled batch, in sending order. Anything but a `Samples` frame,
/// and a batch the connection cannot number, goes as it was spooled.
pub(crate) fn numbered_frames(
    numbering: &mut SubscriberNumbering,
    spooled: Vec<u8>,
) -> Vec<Vec<u8>> {
    let Ok(Frame::Samples(batch)) = decode_frame(&spooled) else {
        return vec![spooled];
    };
    let Some(numbered) = numbering.number(&batch) else {
        return vec![spooled];
    };
    let samples = encode_frame(&Frame::IndexedSamples(numbered.samples));
    let Some(new_keys) = numbered.new_keys else {
        return match samples {
            Ok(samples) => vec![samples],
            Err(_) => vec![spooled],
        };
    };
    let keys_frame = Frame::SubscriberKeys(new_keys);
    match (encode_frame(&keys_frame), samples) {
        (Ok(keys), Ok(samples)) => vec![keys, samples],
        _ => {
            if let Frame::SubscriberKeys(new_keys) = &keys_frame {
                numbering.take_back(new_keys);
            }
            vec![spooled]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proto::{SampleEntry, Samples, SubscriberKey, SubscriberKeys, SubscriberTable};

    fn spooled(batch_seq: u64, names: &[&str]) -> Samples {
        Samples {
            batch_seq,
            timestamp_ms: 1_700_000_000_000 + batch_seq * 1_000,
            entries: names
                .iter()
                .map(|name| SampleEntry {
                    subscriber_key: SubscriberKey::PppoeUsername((*name).into()),
                    rx_bps: 8_000,
                    tx_bps: 800,
                    rx_octets_total: batch_seq * 1_000,
                    tx_octets_total: batch_seq * 100,
                })
                .collect(),
        }
    }

    /// Sends spooled batches through `numbered_frames` and reads them as the control plane does.
    fn received(
        numbering: &mut SubscriberNumbering,
        batches: &[Samples],
    ) -> Vec<(&'static str, Samples)> {
        let mut table = SubscriberTable::new();
        let mut out = Vec::new();
        for batch in batches {
            let bytes = encode_frame(&Frame::Samples(batch.clone())).unwrap();
            for frame in numbered_frames(numbering, bytes) {
                match decode_frame(&frame).unwrap() {
                    Frame::SubscriberKeys(keys) => {
                        table.add(keys).unwrap();
                    }
                    Frame::IndexedSamples(indexed) => {
                        out.push(("IndexedSamples", table.expand(&indexed).unwrap()));
                    }
                    Frame::Samples(samples) => out.push(("Samples", samples)),
                    other => panic!("unexpected {other:?}"),
                }
            }
        }
        out
    }

    #[test]
    fn batches_arrive_by_number_and_read_back_unchanged() {
        let batches = [spooled(1, &["a", "b"]), spooled(2, &["b", "c"])];
        let mut numbering = SubscriberNumbering::new();
        let got = received(&mut numbering, &batches);
        assert_eq!(
            got,
            vec![
                ("IndexedSamples", batches[0].clone()),
                ("IndexedSamples", batches[1].clone())
            ]
        );
        // A new connection numbers again from 0, and its receiver reads the replay as well.
        let mut fresh = SubscriberNumbering::new();
        assert_eq!(received(&mut fresh, &batches[1..]), got[1..]);
    }

    #[test]
    fn only_new_keys_are_sent() {
        let mut numbering = SubscriberNumbering::new();
        let first = encode_frame(&Frame::Samples(spooled(1, &["a", "b"]))).unwrap();
        assert_eq!(numbered_frames(&mut numbering, first).len(), 2);
        let second = encode_frame(&Frame::Samples(spooled(2, &["b", "a"]))).unwrap();
        let frames = numbered_frames(&mut numbering, second);
        assert_eq!(
            frames.len(),
            1,
            "no SubscriberKeys when every key is numbered"
        );
        let third = encode_frame(&Frame::Samples(spooled(3, &["c"]))).unwrap();
        let frames = numbered_frames(&mut numbering, third);
        assert_eq!(
            decode_frame(&frames[0]),
            Ok(Frame::SubscriberKeys(SubscriberKeys {
                first_index: 2,
                keys: vec![SubscriberKey::PppoeUsername("c".into())],
            }))
        );
    }

    #[test]
    fn other_bytes_go_as_spooled() {
        let mut numbering = SubscriberNumbering::new();
        let ping = encode_frame(&Frame::Ping(proto::Ping { nonce: 1 })).unwrap();
        assert_eq!(numbered_frames(&mut numbering, ping.clone()), vec![ping]);
        assert_eq!(
            numbered_frames(&mut numbering, vec![9, 9]),
            vec![vec![9, 9]]
        );
        assert!(numbering.is_empty());
    }
}
