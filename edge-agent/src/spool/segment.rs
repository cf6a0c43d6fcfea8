//! One segment file: its name, its index of records, and the file operations on it.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::record::{RecordIndex, SEGMENT_HEADER_BYTES, SEGMENT_MAGIC};
use super::SpoolError;

const EXTENSION: &str = "seg";

/// A segment file and what it holds, oldest record first.
#[derive(Debug)]
pub(crate) struct Segment {
    pub(crate) id: u64,
    pub(crate) path: PathBuf,
    pub(crate) records: Vec<RecordIndex>,
    /// Records before this index are acknowledged.
    pub(crate) first_pending: usize,
    pub(crate) len_bytes: u64,
}

impl Segment {
    pub(crate) fn path_for(dir: &Path, id: u64) -> PathBuf {
        dir.join(format!("{id:020}.{EXTENSION}"))
    }

    /// The segment id a file name stands for, if it is a segment file at all.
    pub(crate) fn id_from_file_name(name: &str) -> Option<u64> {
        let digits = name.strip_suffix(EXTENSION)?.strip_suffix('.')?;
        if digits.len() != 20 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok()
    }

    /// Creates an empty segment file holding only the header; returns it with a handle to append.
    pub(crate) fn create(dir: &Path, id: u64) -> Result<(Self, File), SpoolError> {
        let path = Self::path_for(dir, id);
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(true)
            .write(true)
            .open(&path)
            .map_err(|source| SpoolError::io(&path, "created", source))?;
        file.write_all(&SEGMENT_MAGIC)
            .map_err(|source| SpoolError::io(&path, "written", source))?;
        let segment = Self {
            id,
            path,
            records: Vec::new(),
            first_pending: 0,
            len_bytes: SEGMENT_HEADER_BYTES,
        };
        Ok((segment, file))
    }

    pub(crate) fn open_for_append(&self) -> Result<File, SpoolError> {
        OpenOptions::new()
            .append(true)
            .open(&self.path)
            .map_err(|source| SpoolError::io(&self.path, "opened for appending", source))
    }

    pub(crate) fn pending(&self) -> &[RecordIndex] {
        self.records.get(self.first_pending..).unwrap_or_default()
    }

    pub(crate) fn pending_bytes(&self) -> u64 {
        self.pending()
            .iter()
            .map(|r| u64::from(r.encoded_len))
            .sum()
    }

    pub(crate) fn last_batch_seq(&self) -> Option<u64> {
        self.records.last().map(|r| r.batch_seq)
    }

    pub(crate) fn is_fully_acked(&self) -> bool {
        self.first_pending >= self.records.len()
    }

    pub(crate) fn remove_file(&self) -> Result<(), SpoolError> {
        fs::remove_file(&self.path).map_err(|source| SpoolError::io(&self.path, "removed", source))
    }
}

/// Reads the bytes of one record from an open segment file.
pub(crate) fn read_record_bytes(
    file: &mut File,
    path: &Path,
    index: &RecordIndex,
) -> Result<Vec<u8>, SpoolError> {
    let mut bytes = vec![0u8; index.encoded_len as usize];
    file.seek(SeekFrom::Start(index.offset))
        .and_then(|_| file.read_exact(&mut bytes))
        .map_err(|source| SpoolError::io(path, "read", source))?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(name: &str, expected: Option<u64>) {
        assert_eq!(Segment::id_from_file_name(name), expected, "{name}");
    }

    #[test]
    fn file_names() {
        check("00000000000000000007.seg", Some(7));
        let path = Segment::path_for(Path::new("/x"), 42);
        check(
            path.file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default(),
            Some(42),
        );
        check("7.seg", None);
        check("0000000000000000000x.seg", None);
        check("00000000000000000007.seg.tmp", None);
        check("acked", None);
    }
}
