//! The spool's size bound: the oldest batches go first, every loss is counted, and the default
//! bound holds a ten-minute control-plane outage of a large site.

use edge_agent::spool::{Spool, SpoolConfig};
use proto::{encode_frame, Frame, SampleEntry, Samples, SubscriberKey};

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

/// Subscribers at a large site (a POP with a couple of BRAS).
const LARGE_SITE_SUBSCRIBERS: u64 = 10_000;

/// One second of a large site: every subscriber with a 16-character PPPoE username, rates in
/// the tens of megabits, and octet totals of a month's traffic.
fn large_site_frame(batch_seq: u64) -> Vec<u8> {
    let entries = (0..LARGE_SITE_SUBSCRIBERS)
        .map(|i| SampleEntry {
            subscriber_key: SubscriberKey::PppoeUsername(format!("subscriber.{i:05}")),
            rx_bps: 25_000_000 + i * 1_000,
            tx_bps: 5_000_000 + i * 100,
            rx_octets_total: 8_000_000_000_000 + i,
            tx_octets_total: 1_600_000_000_000 + i,
        })
        .collect();
    encode_frame(&Frame::Samples(Samples {
        batch_seq,
        timestamp_ms: 1_800_000_000_000 + batch_seq * 1_000,
        entries,
    }))
    .expect("encode")
}

#[test]
fn default_bound_holds_ten_minutes_of_a_large_site() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut spool = Spool::open(dir.path(), SpoolConfig::default()).expect("open");
    let first = spool.next_batch_seq();
    let seconds = 10u64;
    for n in 0..seconds {
        spool
            .append(first + n, &large_site_frame(first + n))
            .expect("append");
    }
    let depth = spool.depth();
    assert_eq!(depth.dropped_batches_total, 0);
    let bytes_per_second = depth.disk_bytes / seconds;
    let held_seconds = SpoolConfig::DEFAULT_MAX_BYTES / bytes_per_second;
    eprintln!(
        "{LARGE_SITE_SUBSCRIBERS} subscribers: {bytes_per_second} spool bytes a second \
         ({} per subscriber-second); the default {} MiB holds {} minutes",
        bytes_per_second / LARGE_SITE_SUBSCRIBERS,
        SpoolConfig::DEFAULT_MAX_BYTES >> 20,
        held_seconds / 60
    );
    assert!(
        held_seconds >= 600,
        "the default spool holds only {held_seconds} s of a {LARGE_SITE_SUBSCRIBERS}-subscriber site"
    );
}
