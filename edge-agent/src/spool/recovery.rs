//! Opening a spool directory: scanning the segments a previous run left and repairing damage.

use std::collections::VecDeque;
use std::fs;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use tracing::{info, warn};

use super::record::scan_segment;
use super::segment::Segment;
use super::{ack_mark, Spool, SpoolConfig, SpoolDepth, SpoolError};

pub(super) fn open(dir: PathBuf, config: SpoolConfig) -> Result<Spool, SpoolError> {
    if config.max_bytes < SpoolConfig::MIN_MAX_BYTES {
        return Err(SpoolError::LimitTooSmall {
            max_bytes: config.max_bytes,
            min_bytes: SpoolConfig::MIN_MAX_BYTES,
        });
    }
    fs::create_dir_all(&dir).map_err(|source| SpoolError::Directory {
        path: dir.clone(),
        source,
    })?;
    let acked_mark = ack_mark::read(&dir);
    let acked_through = acked_mark.unwrap_or(0);

    let mut segments = VecDeque::new();
    let mut highest_id = None;
    let mut previous_batch_seq = 0;
    for (id, path) in list_segment_files(&dir)? {
        highest_id = Some(id);
        let bytes = fs::read(&path).map_err(|source| SpoolError::io(&path, "read", source))?;
        let scan = scan_segment(&bytes, previous_batch_seq);
        if let Some(defect) = scan.defect {
            warn!(
                segment = %path.display(),
                %defect,
                kept_batches = scan.records.len(),
                discarded_bytes = bytes.len() as u64 - scan.valid_len,
                "spool segment is torn or damaged; truncating it after its last whole record"
            );
        }
        let segment = Segment {
            id,
            path,
            first_pending: scan
                .records
                .partition_point(|r| r.batch_seq <= acked_through),
            records: scan.records,
            len_bytes: scan.valid_len,
        };
        if segment.records.is_empty() || segment.is_fully_acked() {
            segment.remove_file()?;
            continue;
        }
        if scan.defect.is_some() {
            truncate(&segment)?;
        }
        previous_batch_seq = segment.last_batch_seq().unwrap_or(previous_batch_seq);
        segments.push_back(segment);
    }

    let writer = match segments.back() {
        Some(active) => active.open_for_append()?,
        None => {
            let (segment, writer) = Segment::create(&dir, highest_id.map_or(0, |id| id + 1))?;
            segments.push_back(segment);
            writer
        }
    };

    let (acked_through, next_batch_seq) = match (acked_mark, previous_batch_seq) {
        (None, 0) => {
            // A fresh spool numbers from the clock, so a reinstalled agent still numbers above
            // whatever an earlier installation sent (it sends far fewer than 1000 batches a second).
            let start = unix_time_ms().max(1);
            ack_mark::write(&dir, start - 1)?;
            (start - 1, start)
        }
        (_, last) => (acked_through, last.max(acked_through).saturating_add(1)),
    };

    let depth = SpoolDepth {
        pending_batches: segments.iter().map(|s| s.pending().len() as u64).sum(),
        pending_bytes: segments.iter().map(Segment::pending_bytes).sum(),
        disk_bytes: segments.iter().map(|s| s.len_bytes).sum(),
        dropped_batches_total: 0,
    };
    let spool = Spool {
        dir,
        config,
        segments,
        writer,
        reader: None,
        acked_through,
        next_batch_seq,
        depth,
    };
    info!(
        dir = %spool.dir.display(),
        pending_batches = depth.pending_batches,
        disk_bytes = depth.disk_bytes,
        first_pending_batch_seq = spool.first_pending_batch_seq(),
        next_batch_seq,
        "spool opened"
    );
    Ok(spool)
}

fn list_segment_files(dir: &std::path::Path) -> Result<Vec<(u64, PathBuf)>, SpoolError> {
    let entries = fs::read_dir(dir).map_err(|source| SpoolError::Directory {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| SpoolError::Directory {
            path: dir.to_path_buf(),
            source,
        })?;
        let name = entry.file_name();
        if let Some(id) = name.to_str().and_then(Segment::id_from_file_name) {
            files.push((id, entry.path()));
        }
    }
    files.sort_unstable_by_key(|(id, _)| *id);
    Ok(files)
}

fn truncate(segment: &Segment) -> Result<(), SpoolError> {
    let file = fs::OpenOptions::new()
        .write(true)
        .open(&segment.path)
        .map_err(|source| SpoolError::io(&segment.path, "opened for repair", source))?;
    file.set_len(segment.len_bytes)
        .and_then(|()| file.sync_data())
        .map_err(|source| SpoolError::io(&segment.path, "truncated", source))
}

fn unix_time_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis() as u64)
}
