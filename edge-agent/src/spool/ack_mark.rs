//! The `acked` file: the highest batch the control plane has acknowledged, kept across restarts.
//!
//! Twelve bytes: the batch number (u64 LE) and its CRC-32C (u32 LE). It is replaced atomically by
//! writing a temporary file and renaming it. A missing or damaged file only means that some
//! already acknowledged batches are replayed, which the control plane treats as no-ops.

use std::fs;
use std::path::{Path, PathBuf};

use super::crc::crc32c;
use super::SpoolError;

const FILE_NAME: &str = "acked";
const TEMP_FILE_NAME: &str = "acked.tmp";

pub(crate) fn encode(acked_through: u64) -> [u8; 12] {
    let seq = acked_through.to_le_bytes();
    let crc = crc32c(&[&seq]).to_le_bytes();
    let mut out = [0u8; 12];
    out[..8].copy_from_slice(&seq);
    out[8..].copy_from_slice(&crc);
    out
}

pub(crate) fn decode(bytes: &[u8]) -> Option<u64> {
    let [s0, s1, s2, s3, s4, s5, s6, s7, c0, c1, c2, c3] = *bytes else {
        return None;
    };
    let seq = [s0, s1, s2, s3, s4, s5, s6, s7];
    (crc32c(&[&seq]) == u32::from_le_bytes([c0, c1, c2, c3])).then(|| u64::from_le_bytes(seq))
}

fn path(dir: &Path) -> PathBuf {
    dir.join(FILE_NAME)
}

/// Reads the mark; `None` when it is missing or damaged.
pub(crate) fn read(dir: &Path) -> Option<u64> {
    fs::read(path(dir)).ok().and_then(|bytes| decode(&bytes))
}

pub(crate) fn write(dir: &Path, acked_through: u64) -> Result<(), SpoolError> {
    let temp = dir.join(TEMP_FILE_NAME);
    fs::write(&temp, encode(acked_through))
        .map_err(|source| SpoolError::io(&temp, "written", source))?;
    let target = path(dir);
    fs::rename(&temp, &target).map_err(|source| SpoolError::io(&target, "replaced", source))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(bytes: &[u8], expected: Option<u64>) {
        assert_eq!(decode(bytes), expected, "{bytes:?}");
    }

    #[test]
    fn decode_cases() {
        check(&encode(0), Some(0));
        check(&encode(u64::MAX), Some(u64::MAX));
        check(&encode(1_700_000_000_123), Some(1_700_000_000_123));
        let mut flipped = encode(42);
        flipped[0] ^= 1;
        check(&flipped, None);
        check(&encode(42)[..11], None);
        check(&[], None);
    }
}
