//! Spool behaviour across restarts: numbering, acknowledgements and torn or damaged files.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use edge_agent::spool::{Spool, SpoolConfig};

fn open(dir: &Path) -> Spool {
    Spool::open(dir, SpoolConfig::with_max_bytes(1024 * 1024)).expect("spool opens")
}

/// Appends `payloads` as consecutive batches; returns their numbers.
fn append_all(spool: &mut Spool, payloads: &[&[u8]]) -> Vec<u64> {
    payloads
        .iter()
        .map(|payload| {
            let batch_seq = spool.next_batch_seq();
            spool.append(batch_seq, payload).expect("append");
            batch_seq
        })
        .collect()
}

/// Every pending batch in replay order, as (batch_seq, payload).
fn pending(spool: &mut Spool) -> Vec<(u64, Vec<u8>)> {
    let mut out = Vec::new();
    let mut after = 0;
    for _ in 0..10_000 {
        match spool.read_after(after).expect("read") {
            Some(batch) => {
                after = batch.batch_seq;
                out.push((batch.batch_seq, batch.frame_bytes));
            }
            None => return out,
        }
    }
    panic!("more than 10000 pending batches");
}

fn segment_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "seg"))
        .collect();
    files.sort();
    files
}

#[test]
fn fresh_spool_numbers_from_the_clock_and_continues_after_reopen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut spool = open(dir.path());
    let first = spool.next_batch_seq();
    assert!(
        first > 1_600_000_000_000,
        "fresh spool starts at unix ms, got {first}"
    );
    let seqs = append_all(&mut spool, &[b"a", b"b", b"c"]);
    assert_eq!(seqs, vec![first, first + 1, first + 2]);
    drop(spool);

    let mut spool = open(dir.path());
    assert_eq!(spool.next_batch_seq(), first + 3);
    assert_eq!(
        pending(&mut spool),
        vec![
            (first, b"a".to_vec()),
            (first + 1, b"b".to_vec()),
            (first + 2, b"c".to_vec())
        ]
    );
    assert_eq!(spool.depth().pending_batches, 3);
}

#[test]
fn acknowledgements_survive_reopen_and_numbering_continues_when_empty() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut spool = open(dir.path());
    let seqs = append_all(&mut spool, &[b"a", b"b", b"c"]);
    assert_eq!(spool.ack(seqs[1]).expect("ack"), 2);
    assert_eq!(spool.ack(seqs[1]).expect("repeated ack"), 0);
    drop(spool);

    let mut spool = open(dir.path());
    assert_eq!(pending(&mut spool), vec![(seqs[2], b"c".to_vec())]);
    spool.ack(seqs[2]).expect("ack");
    assert_eq!(spool.depth().pending_batches, 0);
    drop(spool);

    let spool = open(dir.path());
    assert_eq!(spool.next_batch_seq(), seqs[2] + 1);
    assert_eq!(spool.depth().pending_batches, 0);
}

#[test]
fn an_ack_beyond_the_newest_batch_moves_numbering_past_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut spool = open(dir.path());
    let seqs = append_all(&mut spool, &[b"a"]);
    spool.ack(seqs[0] + 100).expect("ack");
    assert_eq!(spool.next_batch_seq(), seqs[0] + 101);
    assert!(spool.append(seqs[0] + 1, b"late").is_err());
}

#[test]
fn torn_tail_is_truncated_not_replayed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut spool = open(dir.path());
    let seqs = append_all(&mut spool, &[b"one", b"two", b"three"]);
    spool.flush().expect("flush");
    drop(spool);

    // A crash in the middle of the next append: a record header and half a payload.
    let files = segment_files(dir.path());
    let last = files.last().expect("a segment");
    let mut file = OpenOptions::new().append(true).open(last).expect("open");
    file.write_all(&[40, 0, 0, 0, 1, 2, 3, 4, 9, 9, 9, 9, 9, 9, 9, 9, b'h', b'a'])
        .expect("write");
    drop(file);

    let mut spool = open(dir.path());
    let replayed: Vec<u64> = pending(&mut spool).into_iter().map(|(s, _)| s).collect();
    assert_eq!(replayed, seqs);
    let next = append_all(&mut spool, &[b"four"]);
    drop(spool);

    let mut spool = open(dir.path());
    let replayed: Vec<u64> = pending(&mut spool).into_iter().map(|(s, _)| s).collect();
    assert_eq!(replayed, [seqs.clone(), next].concat());
}

#[test]
fn damaged_record_ends_the_segment_at_the_damage() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut spool = open(dir.path());
    let seqs = append_all(&mut spool, &[b"one", b"two", b"three"]);
    drop(spool);

    let files = segment_files(dir.path());
    let last = files.last().expect("a segment");
    let mut bytes = fs::read(last).expect("read");
    // Header (8) + first record (16 + 3) puts the second record's payload at 43.
    bytes[8 + 19 + 16] ^= 0xFF;
    fs::write(last, &bytes).expect("write");

    let mut spool = open(dir.path());
    assert_eq!(pending(&mut spool), vec![(seqs[0], b"one".to_vec())]);
}

#[test]
fn damage_after_open_is_dropped_and_counted_on_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut spool = open(dir.path());
    let seqs = append_all(&mut spool, &[b"one", b"two", b"three"]);
    spool.flush().expect("flush");

    let files = segment_files(dir.path());
    let last = files.last().expect("a segment");
    let mut bytes = fs::read(last).expect("read");
    bytes[8 + 19 + 16] ^= 0xFF;
    fs::write(last, &bytes).expect("write");

    let replayed: Vec<u64> = pending(&mut spool).into_iter().map(|(s, _)| s).collect();
    assert_eq!(replayed, vec![seqs[0], seqs[2]]);
    assert_eq!(spool.depth().dropped_batches_total, 1);
    assert_eq!(spool.depth().pending_batches, 2);
}

#[test]
fn foreign_files_in_the_directory_are_left_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("notes.txt"), b"operator notes").expect("write");
    let mut spool = open(dir.path());
    append_all(&mut spool, &[b"a"]);
    drop(spool);
    let spool = open(dir.path());
    assert_eq!(spool.depth().pending_batches, 1);
    assert!(dir.path().join("notes.txt").exists());
}

#[test]
fn too_small_a_limit_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let error = Spool::open(dir.path(), SpoolConfig::with_max_bytes(10)).expect_err("refused");
    assert!(error.to_string().contains("below the minimum"), "{error}");
}
