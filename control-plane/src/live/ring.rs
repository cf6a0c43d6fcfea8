//! The last hour of one subscriber's rates at one-second resolution, in a fixed ring.
//!
//! Cost per subscriber: 3,600 slots × (download + upload) × 2 bytes (see `rate_code`) =
//! 14,400 bytes, plus a 32-byte header and the allocator's rounding: about 14.5 KB, so
//! 100,000 subscribers take about 1.45 GB for a full hour.

use super::rate_code::{decode_bps, encode_bps, NO_SAMPLE};

/// Seconds of history kept.
pub const RING_SECONDS: i64 = 3_600;

/// Average rates over one bucket of seconds that had samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateBucket {
    pub start_unix: i64,
    pub rx_bps: u64,
    pub tx_bps: u64,
}

/// Slot `unix % 3600` holds second `unix` for the hour ending at `newest_unix`; seconds without
/// a sample hold `NO_SAMPLE`.
pub struct SecondRing {
    slots: Box<[[u16; 2]]>,
    newest_unix: i64,
    first_unix: i64,
}

fn slot_index(unix: i64) -> usize {
    unix.rem_euclid(RING_SECONDS) as usize
}

impl SecondRing {
    pub fn new(first_unix: i64) -> Self {
        Self {
            slots: vec![[NO_SAMPLE; 2]; RING_SECONDS as usize].into_boxed_slice(),
            newest_unix: first_unix,
            first_unix,
        }
    }

    /// Stores one second. Returns `false` for a second already older than the hour kept.
    pub fn record(&mut self, unix: i64, rx_bps: u64, tx_bps: u64) -> bool {
        if unix > self.newest_unix {
            let gap = unix - self.newest_unix;
            if gap >= RING_SECONDS {
                self.slots.fill([NO_SAMPLE; 2]);
            } else {
                for second in self.newest_unix + 1..unix {
                    self.slots[slot_index(second)] = [NO_SAMPLE; 2];
                }
            }
            self.newest_unix = unix;
        } else if unix <= self.newest_unix - RING_SECONDS {
            return false;
        }
        self.first_unix = self.first_unix.min(unix);
        self.slots[slot_index(unix)] = [encode_bps(rx_bps), encode_bps(tx_bps)];
        true
    }

    /// The first second the ring can answer for: before it, history comes from minute rollups.
    pub fn covered_since(&self) -> i64 {
        self.first_unix.max(self.newest_unix - RING_SECONDS + 1)
    }

    /// Averages per `step_secs` bucket (aligned to multiples of the step) over the hour ending
    /// at `now_unix`, oldest first; buckets without any sample are left out.
    pub fn buckets(&self, now_unix: i64, step_secs: i64) -> Vec<RateBucket> {
        let step = step_secs.max(1);
        let end = now_unix.max(self.newest_unix);
        let start = (end - RING_SECONDS + 1).max(self.covered_since());
        let last = end.min(self.newest_unix);
        let mut out = Vec::with_capacity((RING_SECONDS / step) as usize + 1);
        let mut current: Option<(i64, u64, u64, u64)> = None;
        for second in start..=last {
            let [rx, tx] = self.slots[slot_index(second)];
            let (Some(rx), Some(tx)) = (decode_bps(rx), decode_bps(tx)) else {
                continue;
            };
            let bucket = second - second.rem_euclid(step);
            match &mut current {
                Some((start_unix, rx_sum, tx_sum, count)) if *start_unix == bucket => {
                    *rx_sum += rx;
                    *tx_sum += tx;
                    *count += 1;
                }
                _ => {
                    if let Some(done) = current.take() {
                        out.push(average(done));
                    }
                    current = Some((bucket, rx, tx, 1));
                }
            }
        }
        if let Some(done) = current {
            out.push(average(done));
        }
        out
    }
}

fn average((start_unix, rx_sum, tx_sum, count): (i64, u64, u64, u64)) -> RateBucket {
    RateBucket {
        start_unix,
        rx_bps: rx_sum / count.max(1),
        tx_bps: tx_sum / count.max(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_700_000_000;

    fn check(ring: &SecondRing, now: i64, step: i64, expected: &[(i64, u64)]) {
        let got: Vec<(i64, u64)> = ring
            .buckets(now, step)
            .iter()
            .map(|b| (b.start_unix - T0, b.rx_bps))
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn buckets_average_only_seconds_with_samples() {
        let mut ring = SecondRing::new(T0);
        for (offset, rx) in [(0, 10_000_000), (1, 20_000_000), (15, 5_000_000)] {
            assert!(ring.record(T0 + offset, rx, 0));
        }
        check(&ring, T0 + 20, 10, &[(0, 15_000_000), (10, 5_000_000)]);
    }

    #[test]
    fn seconds_skipped_by_a_jump_are_cleared() {
        let mut ring = SecondRing::new(T0);
        ring.record(T0, 1_000_000, 0);
        ring.record(T0 + RING_SECONDS + 5, 2_000_000, 0);
        check(
            &ring,
            T0 + RING_SECONDS + 5,
            1,
            &[(RING_SECONDS + 5, 2_000_000)],
        );
        // A second from before the kept hour is refused; a late second inside it is kept.
        assert!(!ring.record(T0 + 5, 3_000_000, 0));
        assert!(ring.record(T0 + RING_SECONDS, 4_000_000, 0));
        check(
            &ring,
            T0 + RING_SECONDS + 5,
            1,
            &[(RING_SECONDS, 4_000_000), (RING_SECONDS + 5, 2_000_000)],
        );
    }

    #[test]
    fn coverage_starts_at_the_first_sample_then_slides() {
        let mut ring = SecondRing::new(T0 + 100);
        assert_eq!(ring.covered_since(), T0 + 100);
        ring.record(T0 + 100 + RING_SECONDS, 0, 0);
        assert_eq!(ring.covered_since(), T0 + 101);
    }
}
