//! Bounded on-disk spool of `Samples` frames kept until the control plane acknowledges them.
//!
//! The spool is a directory of append-only segment files (`record.rs` has the byte layout) plus
//! an `acked` mark. Batches are appended in increasing `batch_seq` order, read back in that order
//! for sending and replay, and released once an `Ack` covers them. When the size bound is reached
//! the oldest segment is dropped and its unacknowledged batches are logged and counted, never lost
//! silently. The spool also keeps batch numbers increasing: `next_batch_seq` continues across
//! restarts.
//!
//! All I/O is plain blocking file I/O on small records, one append per second; the uplink calls it
//! inline rather than on a blocking thread.

mod ack_mark;
mod config;
mod crc;
mod error;
mod record;
mod recovery;
mod segment;

use std::collections::VecDeque;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use tracing::{error, warn};

pub use config::SpoolConfig;
pub use error::SpoolError;

use record::{encode_record, parse_record, MAX_PAYLOAD_BYTES, SEGMENT_HEADER_BYTES};
use segment::{read_record_bytes, Segment};

/// How full the spool is, for metrics and logs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SpoolDepth {
    /// Batches stored and not yet acknowledged.
    pub pending_batches: u64,
    /// Bytes of those batches on disk, record headers included.
    pub pending_bytes: u64,
    /// Bytes of all segment files, counted against `SpoolConfig::max_bytes`.
    pub disk_bytes: u64,
    /// Unacknowledged batches dropped since the spool was opened: to stay within the size
    /// bound, or because their record was found damaged on disk.
    pub dropped_batches_total: u64,
}

/// One spooled batch read back for sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpooledBatch {
    pub batch_seq: u64,
    /// The encoded `Samples` frame, as appended.
    pub frame_bytes: Vec<u8>,
}

/// What an append cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AppendOutcome {
    /// Unacknowledged batches dropped to make room.
    pub dropped_batches: u64,
}

/// The on-disk spool. See the module documentation.
#[derive(Debug)]
pub struct Spool {
    dir: PathBuf,
    config: SpoolConfig,
    /// Oldest first; never empty. The last one is the active segment `writer` appends to.
    segments: VecDeque<Segment>,
    writer: File,
    /// A read handle on the segment last read from, by segment id.
    reader: Option<(u64, File)>,
    acked_through: u64,
    next_batch_seq: u64,
    depth: SpoolDepth,
}

impl Spool {
    /// Opens the spool in `dir`, creating the directory if needed, and recovers what a previous
    /// run left: torn or damaged record tails are truncated (and logged), acknowledged segments
    /// are removed, and numbering continues after the highest batch seen.
    pub fn open(dir: impl Into<PathBuf>, config: SpoolConfig) -> Result<Self, SpoolError> {
        recovery::open(dir.into(), config)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The number the next batch must carry (or exceed).
    pub fn next_batch_seq(&self) -> u64 {
        self.next_batch_seq
    }

    /// The highest batch the control plane acknowledged.
    pub fn acked_through(&self) -> u64 {
        self.acked_through
    }

    /// The newest batch stored, acknowledged or not.
    pub fn last_batch_seq(&self) -> Option<u64> {
        self.segments.iter().rev().find_map(Segment::last_batch_seq)
    }

    /// The oldest batch not yet acknowledged.
    pub fn first_pending_batch_seq(&self) -> Option<u64> {
        self.segments
            .iter()
            .find_map(|s| s.pending().first().map(|r| r.batch_seq))
    }

    pub fn depth(&self) -> SpoolDepth {
        self.depth
    }

    /// Stores one encoded frame as batch `batch_seq`, dropping the oldest segment first if the
    /// size bound requires it.
    pub fn append(
        &mut self,
        batch_seq: u64,
        frame_bytes: &[u8],
    ) -> Result<AppendOutcome, SpoolError> {
        let limit_bytes = self
            .config
            .max_bytes
            .saturating_sub(SEGMENT_HEADER_BYTES + record::RECORD_HEADER_BYTES as u64)
            .min(MAX_PAYLOAD_BYTES as u64);
        if frame_bytes.len() as u64 > limit_bytes {
            return Err(SpoolError::FrameTooLarge {
                len_bytes: frame_bytes.len(),
                max_bytes: self.config.max_bytes,
                limit_bytes,
            });
        }
        if batch_seq < self.next_batch_seq {
            return Err(SpoolError::BatchOutOfOrder {
                batch_seq,
                next_batch_seq: self.next_batch_seq,
            });
        }
        let bytes = encode_record(batch_seq, frame_bytes);
        let record_bytes = bytes.len() as u64;
        let dropped_batches = self.make_room(record_bytes)?;

        let active = self.active_mut();
        let offset = active.len_bytes;
        if let Err(source) = self.writer.write_all(&bytes) {
            // Leave no partial record behind for the next append to hide behind.
            let _ = self.writer.set_len(offset);
            return Err(SpoolError::io(&self.active().path, "appended to", source));
        }
        let active = self.active_mut();
        active.records.push(record::RecordIndex {
            batch_seq,
            offset,
            encoded_len: record_bytes as u32,
        });
        active.len_bytes += record_bytes;
        self.depth.disk_bytes += record_bytes;
        self.depth.pending_batches += 1;
        self.depth.pending_bytes += record_bytes;
        self.next_batch_seq = batch_seq.saturating_add(1);
        Ok(AppendOutcome { dropped_batches })
    }

    /// Releases every batch up to and including `up_to_batch_seq`; returns how many were pending.
    ///
    /// An acknowledgement beyond the newest batch also moves `next_batch_seq` past it, so new
    /// batches never carry a number the control plane already considers stored.
    pub fn ack(&mut self, up_to_batch_seq: u64) -> Result<u64, SpoolError> {
        if up_to_batch_seq <= self.acked_through {
            return Ok(0);
        }
        self.acked_through = up_to_batch_seq;
        self.next_batch_seq = self.next_batch_seq.max(up_to_batch_seq.saturating_add(1));
        let mut released = 0u64;
        for segment in &mut self.segments {
            let newly_acked = segment
                .pending()
                .partition_point(|r| r.batch_seq <= up_to_batch_seq);
            if newly_acked == 0 {
                break;
            }
            let released_bytes: u64 = segment.pending()[..newly_acked]
                .iter()
                .map(|r| u64::from(r.encoded_len))
                .sum();
            segment.first_pending += newly_acked;
            released += newly_acked as u64;
            self.depth.pending_batches -= newly_acked as u64;
            self.depth.pending_bytes -= released_bytes;
        }
        self.remove_acked_sealed_segments()?;
        ack_mark::write(&self.dir, up_to_batch_seq)?;
        Ok(released)
    }

    /// The first pending batch numbered above `after_batch_seq`, read from disk.
    ///
    /// A record that fails its checksum here (damaged after it was written) is dropped, logged and
    /// counted, and the next one is returned instead.
    pub fn read_after(&mut self, after_batch_seq: u64) -> Result<Option<SpooledBatch>, SpoolError> {
        let bound = after_batch_seq.max(self.acked_through);
        // Each pass either returns or removes one damaged record, so this ends.
        loop {
            let Some((segment_pos, record_pos)) = self.locate_after(bound) else {
                return Ok(None);
            };
            let segment = &self.segments[segment_pos];
            let index = segment.records[record_pos];
            let (segment_id, path) = (segment.id, segment.path.clone());
            let file = self.reader_for(segment_id, &path)?;
            let bytes = read_record_bytes(file, &path, &index)?;
            match parse_record(&bytes) {
                Ok(Some(record)) if record.batch_seq == index.batch_seq => {
                    return Ok(Some(SpooledBatch {
                        batch_seq: record.batch_seq,
                        frame_bytes: record.payload.to_vec(),
                    }));
                }
                outcome => {
                    let reason = match outcome {
                        Err(defect) => defect.to_string(),
                        Ok(_) => "record holds another batch than indexed".to_owned(),
                    };
                    error!(
                        batch_seq = index.batch_seq,
                        segment = %path.display(),
                        %reason,
                        "spooled batch is damaged on disk; dropping it"
                    );
                    self.segments[segment_pos].records.remove(record_pos);
                    self.depth.pending_batches -= 1;
                    self.depth.pending_bytes -= u64::from(index.encoded_len);
                    self.depth.dropped_batches_total += 1;
                }
            }
        }
    }

    /// Forces appended batches to stable storage.
    pub fn flush(&mut self) -> Result<(), SpoolError> {
        self.writer
            .sync_data()
            .map_err(|source| SpoolError::io(&self.active().path, "synced", source))
    }

    fn active(&self) -> &Segment {
        // `segments` is never empty: `recovery::open` and `roll` keep an active segment.
        &self.segments[self.segments.len() - 1]
    }

    fn active_mut(&mut self) -> &mut Segment {
        let last = self.segments.len() - 1;
        &mut self.segments[last]
    }

    fn locate_after(&self, bound: u64) -> Option<(usize, usize)> {
        self.segments.iter().enumerate().find_map(|(pos, segment)| {
            let first_pending = segment.first_pending;
            let skip = segment.pending().partition_point(|r| r.batch_seq <= bound);
            (first_pending + skip < segment.records.len()).then_some((pos, first_pending + skip))
        })
    }

    fn reader_for(&mut self, segment_id: u64, path: &Path) -> Result<&mut File, SpoolError> {
        let reader = match self.reader.take() {
            Some((id, file)) if id == segment_id => (id, file),
            _ => {
                let file =
                    File::open(path).map_err(|source| SpoolError::io(path, "opened", source))?;
                (segment_id, file)
            }
        };
        let (_, file) = self.reader.insert(reader);
        Ok(file)
    }

    /// Rolls to a new segment and drops the oldest ones until `record_bytes` more fit.
    fn make_room(&mut self, record_bytes: u64) -> Result<u64, SpoolError> {
        let active = self.active();
        if !active.records.is_empty() && active.len_bytes + record_bytes > self.config.segment_bytes
        {
            self.roll()?;
        }
        let mut dropped = 0;
        // Each pass removes a segment; the active one is rolled first, so this ends.
        while self.depth.disk_bytes + record_bytes > self.config.max_bytes {
            if self.segments.len() == 1 {
                if self.active().records.is_empty() {
                    break;
                }
                self.roll()?;
            }
            dropped += self.drop_oldest()?;
        }
        Ok(dropped)
    }

    /// Seals the active segment and starts a new one.
    fn roll(&mut self) -> Result<(), SpoolError> {
        self.flush()?;
        let (segment, writer) = Segment::create(&self.dir, self.active().id + 1)?;
        self.depth.disk_bytes += segment.len_bytes;
        self.segments.push_back(segment);
        self.writer = writer;
        self.remove_acked_sealed_segments()
    }

    fn drop_oldest(&mut self) -> Result<u64, SpoolError> {
        let Some(segment) = self.segments.pop_front() else {
            return Ok(0);
        };
        self.forget_segment(&segment)?;
        let dropped = segment.pending().len() as u64;
        if dropped > 0 {
            self.depth.pending_batches -= dropped;
            self.depth.pending_bytes -= segment.pending_bytes();
            self.depth.dropped_batches_total += dropped;
            warn!(
                dropped_batches = dropped,
                first_batch_seq = segment.pending().first().map(|r| r.batch_seq),
                last_batch_seq = segment.last_batch_seq(),
                dropped_batches_total = self.depth.dropped_batches_total,
                max_bytes = self.config.max_bytes,
                "spool full: dropped the oldest unacknowledged batches"
            );
        }
        Ok(dropped)
    }

    /// Removes sealed segments whose batches are all acknowledged, oldest first.
    fn remove_acked_sealed_segments(&mut self) -> Result<(), SpoolError> {
        while self.segments.len() > 1 && self.segments[0].is_fully_acked() {
            if let Some(segment) = self.segments.pop_front() {
                self.forget_segment(&segment)?;
            }
        }
        Ok(())
    }

    fn forget_segment(&mut self, segment: &Segment) -> Result<(), SpoolError> {
        if self.reader.as_ref().map(|(id, _)| *id) == Some(segment.id) {
            self.reader = None;
        }
        self.depth.disk_bytes -= segment.len_bytes;
        segment.remove_file()
    }
}
