//! Property test: random appends, acknowledgements and reopens keep the spool's order, and the
//! only unacknowledged batches that ever go missing are the oldest ones, each of them counted.

use std::collections::VecDeque;
use std::path::Path;

use edge_agent::spool::{Spool, SpoolConfig};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Append {
        len_bytes: usize,
    },
    /// Acknowledge the first `count` pending batches (as far as the model knows them).
    Ack {
        count: usize,
    },
    Reopen,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0usize..600).prop_map(|len_bytes| Op::Append { len_bytes }),
        2 => (1usize..8).prop_map(|count| Op::Ack { count }),
        1 => Just(Op::Reopen),
    ]
}

const CONFIG: SpoolConfig = SpoolConfig {
    max_bytes: 6 * 1024,
    segment_bytes: 1024,
};

fn open(dir: &Path) -> Spool {
    Spool::open(dir, CONFIG).expect("open")
}

fn payload(batch_seq: u64, len_bytes: usize) -> Vec<u8> {
    (0..len_bytes)
        .map(|i| (batch_seq as usize + i) as u8)
        .collect()
}

fn replay(spool: &mut Spool) -> Vec<(u64, Vec<u8>)> {
    let mut out = Vec::new();
    let mut after = 0;
    for _ in 0..100_000 {
        match spool.read_after(after).expect("read") {
            Some(batch) => {
                after = batch.batch_seq;
                out.push((batch.batch_seq, batch.frame_bytes));
            }
            None => break,
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn order_kept_and_losses_counted(ops in proptest::collection::vec(op(), 1..120)) {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut spool = open(dir.path());
        // The model: pending batches in order.
        let mut model: VecDeque<(u64, Vec<u8>)> = VecDeque::new();
        let mut dropped_seen = 0u64;
        for op in ops {
            match op {
                Op::Append { len_bytes } => {
                    let batch_seq = spool.next_batch_seq();
                    let bytes = payload(batch_seq, len_bytes);
                    spool.append(batch_seq, &bytes).expect("append");
                    model.push_back((batch_seq, bytes));
                }
                Op::Ack { count } => {
                    if let Some((up_to, _)) = model.get(count.min(model.len()).saturating_sub(1)) {
                        let up_to = *up_to;
                        spool.ack(up_to).expect("ack");
                        model.retain(|(seq, _)| *seq > up_to);
                    }
                }
                Op::Reopen => {
                    drop(spool);
                    spool = open(dir.path());
                    dropped_seen = 0;
                }
            }
            // Batches the spool reports dropped must be the model's oldest.
            let dropped_now = spool.depth().dropped_batches_total;
            for _ in dropped_seen..dropped_now {
                model.pop_front();
            }
            dropped_seen = dropped_now;

            let depth = spool.depth();
            prop_assert!(depth.disk_bytes <= CONFIG.max_bytes, "{depth:?}");
            prop_assert_eq!(depth.pending_batches, model.len() as u64);
            let replayed = replay(&mut spool);
            prop_assert_eq!(&replayed, &model.iter().cloned().collect::<Vec<_>>());
        }
    }
}
