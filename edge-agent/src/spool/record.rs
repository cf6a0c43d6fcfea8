//! Byte layout of spool segments and records, encoded and parsed without any file I/O.
//!
//! A segment file is the eight-byte `SEGMENT_MAGIC` followed by records. A record is
//! `[payload_len: u32 LE][crc32c: u32 LE][batch_seq: u64 LE][payload]`; the checksum covers the
//! length, the batch sequence number and the payload, so a torn or bit-flipped record is
//! detected instead of being replayed as garbage.

use thiserror::Error;

use super::crc::crc32c;

/// First bytes of every segment file: format name and version.
pub(crate) const SEGMENT_MAGIC: [u8; 8] = *b"NOSPOOL1";

pub(crate) const SEGMENT_HEADER_BYTES: u64 = SEGMENT_MAGIC.len() as u64;

pub(crate) const RECORD_HEADER_BYTES: usize = 16;

/// Largest payload a record may carry: one encoded frame.
pub(crate) const MAX_PAYLOAD_BYTES: usize = proto::MAX_FRAME_BYTES;

/// Encodes one record. The caller has checked `payload.len() <= MAX_PAYLOAD_BYTES`.
pub(crate) fn encode_record(batch_seq: u64, payload: &[u8]) -> Vec<u8> {
    let len_bytes = (payload.len() as u32).to_le_bytes();
    let seq_bytes = batch_seq.to_le_bytes();
    let crc = crc32c(&[&len_bytes, &seq_bytes, payload]);
    let mut out = Vec::with_capacity(RECORD_HEADER_BYTES + payload.len());
    out.extend_from_slice(&len_bytes);
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(&seq_bytes);
    out.extend_from_slice(payload);
    out
}

/// One record read back from a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Record<'a> {
    pub(crate) batch_seq: u64,
    pub(crate) payload: &'a [u8],
}

impl Record<'_> {
    pub(crate) fn encoded_len(&self) -> usize {
        RECORD_HEADER_BYTES + self.payload.len()
    }
}

/// Why the bytes at some offset of a segment are not a valid record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub(crate) enum RecordDefect {
    #[error("segment header is cut short")]
    TornSegmentHeader,
    #[error("segment header is not a netops spool segment of this format")]
    ForeignSegmentHeader,
    #[error("record header is cut short ({available} of {RECORD_HEADER_BYTES} bytes)")]
    TornHeader { available: usize },
    #[error("record payload is cut short ({available} of {declared} bytes)")]
    TornPayload { declared: usize, available: usize },
    #[error(
        "record declares {declared} payload bytes, more than the {MAX_PAYLOAD_BYTES} byte limit"
    )]
    LengthOutOfRange { declared: usize },
    #[error("record checksum does not match its contents")]
    ChecksumMismatch,
    #[error("batch {batch_seq} does not follow batch {previous}")]
    OutOfOrder { batch_seq: u64, previous: u64 },
}

/// Parses the record at the start of `bytes`; `Ok(None)` when `bytes` is empty.
pub(crate) fn parse_record(bytes: &[u8]) -> Result<Option<Record<'_>>, RecordDefect> {
    if bytes.is_empty() {
        return Ok(None);
    }
    let Some((header, rest)) = bytes.split_first_chunk::<RECORD_HEADER_BYTES>() else {
        return Err(RecordDefect::TornHeader {
            available: bytes.len(),
        });
    };
    let [l0, l1, l2, l3, c0, c1, c2, c3, seq @ ..] = *header;
    let declared = u32::from_le_bytes([l0, l1, l2, l3]) as usize;
    if declared > MAX_PAYLOAD_BYTES {
        return Err(RecordDefect::LengthOutOfRange { declared });
    }
    let Some(payload) = rest.get(..declared) else {
        return Err(RecordDefect::TornPayload {
            declared,
            available: rest.len(),
        });
    };
    let crc = u32::from_le_bytes([c0, c1, c2, c3]);
    if crc != crc32c(&[&[l0, l1, l2, l3], &seq, payload]) {
        return Err(RecordDefect::ChecksumMismatch);
    }
    Ok(Some(Record {
        batch_seq: u64::from_le_bytes(seq),
        payload,
    }))
}

/// Where one record sits in its segment file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RecordIndex {
    pub(crate) batch_seq: u64,
    pub(crate) offset: u64,
    pub(crate) encoded_len: u32,
}

/// What a whole segment file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SegmentScan {
    pub(crate) records: Vec<RecordIndex>,
    /// Length of the well-formed prefix (header and records); the rest is to be truncated.
    pub(crate) valid_len: u64,
    /// Why scanning stopped before the end of the bytes, if it did.
    pub(crate) defect: Option<RecordDefect>,
}

/// Scans a segment file's bytes. Records must carry batch numbers above `previous_batch_seq`
/// and increasing; scanning stops at the first defect.
pub(crate) fn scan_segment(bytes: &[u8], previous_batch_seq: u64) -> SegmentScan {
    let mut scan = SegmentScan {
        records: Vec::new(),
        valid_len: 0,
        defect: None,
    };
    if bytes.is_empty() {
        return scan;
    }
    let Some(body) = bytes.strip_prefix(&SEGMENT_MAGIC[..]) else {
        scan.defect = Some(if SEGMENT_MAGIC.starts_with(bytes) {
            RecordDefect::TornSegmentHeader
        } else {
            RecordDefect::ForeignSegmentHeader
        });
        return scan;
    };
    scan.valid_len = SEGMENT_HEADER_BYTES;
    let mut previous = previous_batch_seq;
    let mut rest = body;
    loop {
        match parse_record(rest) {
            Ok(None) => return scan,
            Ok(Some(record)) if record.batch_seq <= previous => {
                scan.defect = Some(RecordDefect::OutOfOrder {
                    batch_seq: record.batch_seq,
                    previous,
                });
                return scan;
            }
            Ok(Some(record)) => {
                let encoded_len = record.encoded_len();
                scan.records.push(RecordIndex {
                    batch_seq: record.batch_seq,
                    offset: scan.valid_len,
                    encoded_len: encoded_len as u32,
                });
                scan.valid_len += encoded_len as u64;
                previous = record.batch_seq;
                rest = &rest[encoded_len..];
            }
            Err(defect) => {
                scan.defect = Some(defect);
                return scan;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(records: &[(u64, &[u8])]) -> Vec<u8> {
        let mut bytes = SEGMENT_MAGIC.to_vec();
        for (batch_seq, payload) in records {
            bytes.extend(encode_record(*batch_seq, payload));
        }
        bytes
    }

    /// Scans `bytes` and compares the batch numbers found, the valid length and the defect.
    fn check(bytes: &[u8], batches: &[u64], valid_len: usize, defect: Option<RecordDefect>) {
        let scan = scan_segment(bytes, 0);
        let found: Vec<u64> = scan.records.iter().map(|r| r.batch_seq).collect();
        assert_eq!(found, batches, "batches");
        assert_eq!(scan.valid_len, valid_len as u64, "valid_len");
        assert_eq!(scan.defect, defect, "defect");
    }

    #[test]
    fn record_layout_fixture() {
        let bytes = encode_record(0x0102_0304_0506_0708, b"ab");
        assert_eq!(&bytes[..4], &[2, 0, 0, 0]);
        assert_eq!(&bytes[8..16], &[8, 7, 6, 5, 4, 3, 2, 1]);
        assert_eq!(&bytes[16..], b"ab");
        let crc = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
        assert_eq!(crc, crc32c(&[&bytes[..4], &bytes[8..]]));
    }

    #[test]
    fn round_trip() {
        let bytes = encode_record(7, b"frame");
        assert_eq!(
            parse_record(&bytes),
            Ok(Some(Record {
                batch_seq: 7,
                payload: b"frame"
            }))
        );
        assert_eq!(parse_record(&[]), Ok(None));
    }

    #[test]
    fn clean_segments() {
        check(&[], &[], 0, None);
        check(&SEGMENT_MAGIC, &[], 8, None);
        let bytes = segment(&[(1, b"a"), (2, b""), (5, b"ccc")]);
        check(&bytes, &[1, 2, 5], bytes.len(), None);
    }

    #[test]
    fn torn_tails_are_cut_at_the_last_whole_record() {
        let whole = segment(&[(1, b"abc"), (2, b"defg")]);
        let first_end = 8 + RECORD_HEADER_BYTES + 3;
        check(
            &whole[..first_end + 5],
            &[1],
            first_end,
            Some(RecordDefect::TornHeader { available: 5 }),
        );
        check(
            &whole[..whole.len() - 1],
            &[1],
            first_end,
            Some(RecordDefect::TornPayload {
                declared: 4,
                available: 3,
            }),
        );
        check(&whole[..3], &[], 0, Some(RecordDefect::TornSegmentHeader));
    }

    #[test]
    fn corruption_is_detected() {
        let mut flipped = segment(&[(1, b"abc"), (2, b"defg")]);
        let last = flipped.len() - 1;
        flipped[last] ^= 0x40;
        check(
            &flipped,
            &[1],
            8 + RECORD_HEADER_BYTES + 3,
            Some(RecordDefect::ChecksumMismatch),
        );

        let mut huge = SEGMENT_MAGIC.to_vec();
        huge.extend_from_slice(&u32::MAX.to_le_bytes());
        huge.extend_from_slice(&[0; 12]);
        check(
            &huge,
            &[],
            8,
            Some(RecordDefect::LengthOutOfRange {
                declared: u32::MAX as usize,
            }),
        );

        check(
            b"NOTSPOOLxxxxxxxxxxxxxxxxxxxxxx",
            &[],
            0,
            Some(RecordDefect::ForeignSegmentHeader),
        );
        check(&[0u8; 40], &[], 0, Some(RecordDefect::ForeignSegmentHeader));
    }

    #[test]
    fn batches_must_increase() {
        let bytes = segment(&[(3, b"a"), (3, b"b")]);
        check(
            &bytes,
            &[3],
            8 + RECORD_HEADER_BYTES + 1,
            Some(RecordDefect::OutOfOrder {
                batch_seq: 3,
                previous: 3,
            }),
        );
        let scan = scan_segment(&segment(&[(4, b"a")]), 9);
        assert!(scan.records.is_empty());
    }
}
