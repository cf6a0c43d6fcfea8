//! Size limits of the spool.

/// How much disk the spool may use and how it is cut into segment files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpoolConfig {
    /// Upper bound on the bytes of all segment files together. When a new batch would exceed it,
    /// the oldest segment is dropped and its unacknowledged batches are counted as lost.
    pub max_bytes: u64,
    /// A segment is sealed and a new one started once it reaches this size; it is also the
    /// granularity at which a full spool drops its oldest data.
    pub segment_bytes: u64,
}

impl SpoolConfig {
    /// 512 MiB. A `Samples` entry takes about 39 bytes per subscriber-second on disk, so this
    /// holds about 22 minutes of a 10,000-subscriber site (a ten-minute outage up to about
    /// 22,000 subscribers) and about a day of 150 (`tests/spool_bound.rs` measures it).
    pub const DEFAULT_MAX_BYTES: u64 = 512 * 1024 * 1024;

    /// The smallest bound accepted, so that at least a few frames fit.
    pub const MIN_MAX_BYTES: u64 = 1024;

    /// A bound of `max_bytes`, cut into segments of a sixteenth of it (between 4 KiB and 8 MiB).
    pub fn with_max_bytes(max_bytes: u64) -> Self {
        Self {
            max_bytes,
            segment_bytes: (max_bytes / 16).clamp(4 * 1024, 8 * 1024 * 1024),
        }
    }
}

impl Default for SpoolConfig {
    fn default() -> Self {
        Self::with_max_bytes(Self::DEFAULT_MAX_BYTES)
    }
}
