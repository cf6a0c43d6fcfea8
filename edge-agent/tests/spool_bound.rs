//! The spool's size bound: the oldest batches go first, and every loss is counted.

use edge_agent::spool::{Spool, SpoolConfig};

fn payload(n: u64) -> Vec<u8> {
    let mut bytes = n.to_le_bytes().to_vec();
    bytes.resize(200, 0xAB);
    bytes
}

#[test]
fn full_spool_drops_oldest_segments_and_counts_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = SpoolConfig {
        max_bytes: 4096,
        segment_bytes: 1024,
    };
    let mut spool = Spool::open(dir.path(), config).expect("open");
    let first = spool.next_batch_seq();
    let total = 200u64;
    let mut dropped_by_appends = 0;
    for n in 0..total {
        let outcome = spool.append(first + n, &payload(n)).expect("append");
        dropped_by_appends += outcome.dropped_batches;
        assert!(
            spool.depth().disk_bytes <= config.max_bytes,
            "{:?}",
            spool.depth()
        );
    }
    let depth = spool.depth();
    assert!(depth.dropped_batches_total > 0);
    assert_eq!(depth.dropped_batches_total, dropped_by_appends);
    assert_eq!(depth.pending_batches + depth.dropped_batches_total, total);

    // What is left is the newest batches, contiguous and in order.
    let mut after = 0;
    let mut kept = Vec::new();
    for _ in 0..total {
        let Some(batch) = spool.read_after(after).expect("read") else {
            break;
        };
        assert_eq!(batch.frame_bytes, payload(batch.batch_seq - first));
        after = batch.batch_seq;
        kept.push(batch.batch_seq);
    }
    let expected: Vec<u64> = (first + depth.dropped_batches_total..first + total).collect();
    assert_eq!(kept, expected);
}

#[test]
fn acknowledged_batches_are_not_counted_as_dropped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = SpoolConfig {
        max_bytes: 4096,
        segment_bytes: 1024,
    };
    let mut spool = Spool::open(dir.path(), config).expect("open");
    let first = spool.next_batch_seq();
    for n in 0..100 {
        spool.append(first + n, &payload(n)).expect("append");
        spool.ack(first + n).expect("ack");
    }
    assert_eq!(spool.depth().dropped_batches_total, 0);
    assert_eq!(spool.depth().pending_batches, 0);
    assert!(spool.depth().disk_bytes <= 1024 + 300);
}

#[test]
fn frame_larger_than_the_spool_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut spool = Spool::open(dir.path(), SpoolConfig::with_max_bytes(2048)).expect("open");
    let seq = spool.next_batch_seq();
    let error = spool.append(seq, &[0u8; 4096]).expect_err("too large");
    assert!(error.to_string().contains("cannot be spooled"), "{error}");
    spool.append(seq, b"small").expect("the spool still works");
}
