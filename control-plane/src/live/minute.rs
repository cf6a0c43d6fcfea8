//! One subscriber's running minute: sums of per-second rates until the minute closes, when it
//! becomes one averaged rollup row.

/// One closed (or partial) minute: average rates over the samples it saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MinuteAverage {
    pub minute_unix: i64,
    pub rx_bps: u64,
    pub tx_bps: u64,
    pub samples: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MinuteAccumulator {
    minute_unix: i64,
    rx_bps_sum: u64,
    tx_bps_sum: u64,
    samples: u32,
}

fn minute_of(unix: i64) -> i64 {
    unix - unix.rem_euclid(60)
}

impl MinuteAccumulator {
    /// Adds one second. A sample of a later minute closes the running one and returns it; a
    /// late sample of an earlier minute comes back alone, to be merged into its stored row.
    pub fn add(&mut self, unix: i64, rx_bps: u64, tx_bps: u64) -> Option<MinuteAverage> {
        let minute = minute_of(unix);
        if self.samples > 0 && minute < self.minute_unix {
            return Some(MinuteAverage {
                minute_unix: minute,
                rx_bps,
                tx_bps,
                samples: 1,
            });
        }
        let closed = if self.samples > 0 && minute > self.minute_unix {
            self.take()
        } else {
            None
        };
        self.minute_unix = minute;
        self.rx_bps_sum = self.rx_bps_sum.saturating_add(rx_bps);
        self.tx_bps_sum = self.tx_bps_sum.saturating_add(tx_bps);
        self.samples += 1;
        closed
    }

    /// Closes the running minute if it ended at or before `unix`.
    pub fn close_before(&mut self, unix: i64) -> Option<MinuteAverage> {
        if self.samples > 0 && self.minute_unix + 60 <= unix {
            self.take()
        } else {
            None
        }
    }

    /// Takes the running minute as it is (at shutdown); later samples of it merge by weight.
    pub fn take(&mut self) -> Option<MinuteAverage> {
        if self.samples == 0 {
            return None;
        }
        let samples = u64::from(self.samples);
        let average = MinuteAverage {
            minute_unix: self.minute_unix,
            rx_bps: self.rx_bps_sum / samples,
            tx_bps: self.tx_bps_sum / samples,
            samples: self.samples,
        };
        *self = Self::default();
        Some(average)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: i64 = 1_700_000_040; // a minute boundary

    #[test]
    fn a_later_minute_closes_the_running_one() {
        let mut acc = MinuteAccumulator::default();
        assert_eq!(acc.add(M, 10, 2), None);
        assert_eq!(acc.add(M + 59, 20, 4), None);
        let closed = acc.add(M + 61, 7, 7);
        assert_eq!(
            closed,
            Some(MinuteAverage {
                minute_unix: M,
                rx_bps: 15,
                tx_bps: 3,
                samples: 2
            })
        );
        assert_eq!(acc.close_before(M + 119), None);
        assert_eq!(acc.close_before(M + 120).map(|m| m.samples), Some(1));
        assert_eq!(acc.take(), None);
    }

    #[test]
    fn late_samples_come_back_alone() {
        let mut acc = MinuteAccumulator::default();
        acc.add(M + 60, 1, 1);
        assert_eq!(
            acc.add(M + 5, 9, 3),
            Some(MinuteAverage {
                minute_unix: M,
                rx_bps: 9,
                tx_bps: 3,
                samples: 1
            })
        );
        assert_eq!(acc.take().map(|m| m.samples), Some(1));
    }
}
