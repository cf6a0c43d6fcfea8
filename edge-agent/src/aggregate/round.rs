//! When a `Samples` batch goes out: as soon as every device that polled lately has reported
//! its poll of the round, or a short deadline after the round's first report, whichever comes
//! first. Driving batches from poll completion, not a free-running timer, means a sample never
//! waits for a tick that happened to fall just before its poll ended. Pure; times are passed in.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

/// How long a round waits for slower devices after its first report.
pub const ROUND_DEADLINE: Duration = Duration::from_millis(300);

/// A device whose last report is older than this is not waited for (it missed polls; its
/// next report joins whichever round is open).
pub const ACTIVE_WITHIN: Duration = Duration::from_millis(2_500);

#[derive(Debug, Default)]
pub struct PollRound {
    /// Every device that reported lately, with the time of its last report.
    last_report: BTreeMap<String, Instant>,
    /// Devices that reported in the open round.
    reported: BTreeSet<String>,
    /// When the open round's first report came; `None` while no round is open.
    opened_at: Option<Instant>,
}

impl PollRound {
    /// Whether a report from `device` belongs to the next round: the device already reported
    /// in this one, so this round must go out first.
    pub fn belongs_to_next(&self, device: &str) -> bool {
        self.reported.contains(device)
    }

    /// Records a report from `device` at `now`.
    pub fn record(&mut self, device: &str, now: Instant) {
        self.last_report.insert(device.to_owned(), now);
        self.reported.insert(device.to_owned());
        self.opened_at.get_or_insert(now);
    }

    /// Forgets a device removed from the configuration.
    pub fn forget(&mut self, device: &str) {
        self.last_report.remove(device);
        self.reported.remove(device);
    }

    /// Whether the open round holds a report from every device that reported lately.
    pub fn complete(&self, now: Instant) -> bool {
        self.opened_at.is_some()
            && self.last_report.iter().all(|(device, at)| {
                self.reported.contains(device) || now.saturating_duration_since(*at) > ACTIVE_WITHIN
            })
    }

    /// When the open round goes out at the latest.
    pub fn deadline(&self) -> Option<Instant> {
        self.opened_at.map(|opened| opened + ROUND_DEADLINE)
    }

    /// Ends the open round (its batch went out) and forgets devices silent for long.
    pub fn close(&mut self, now: Instant) {
        self.reported.clear();
        self.opened_at = None;
        self.last_report
            .retain(|_, at| now.saturating_duration_since(*at) <= ACTIVE_WITHIN);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(start: Instant, at_ms: u64) -> Instant {
        start + Duration::from_millis(at_ms)
    }

    #[test]
    fn one_device_closes_its_round_at_once() {
        let start = Instant::now();
        let mut round = PollRound::default();
        assert!(!round.complete(start));
        assert_eq!(round.deadline(), None);
        round.record("bras-1", ms(start, 10));
        assert!(round.complete(ms(start, 10)));
        assert_eq!(round.deadline(), Some(ms(start, 10) + ROUND_DEADLINE));
        round.close(ms(start, 10));
        assert_eq!(round.deadline(), None);
        assert!(!round.belongs_to_next("bras-1"));
    }

    #[test]
    fn waits_for_every_device_that_polled_lately() {
        let start = Instant::now();
        let mut round = PollRound::default();
        round.record("bras-1", ms(start, 0));
        round.record("olt-1", ms(start, 40));
        round.close(ms(start, 40));
        round.record("bras-1", ms(start, 1_000));
        assert!(!round.complete(ms(start, 1_000)));
        assert!(!round.belongs_to_next("olt-1"));
        assert!(round.belongs_to_next("bras-1"));
        round.record("olt-1", ms(start, 1_050));
        assert!(round.complete(ms(start, 1_050)));
    }

    #[test]
    fn a_silent_device_is_no_longer_waited_for() {
        let start = Instant::now();
        let mut round = PollRound::default();
        round.record("bras-1", ms(start, 0));
        round.record("olt-1", ms(start, 0));
        round.close(ms(start, 0));
        round.record("bras-1", ms(start, 1_000));
        assert!(!round.complete(ms(start, 1_000)));
        round.close(ms(start, 1_300));
        round.record("bras-1", ms(start, 3_000));
        assert!(round.complete(ms(start, 3_000)));
        round.close(ms(start, 3_000));
        round.record("bras-1", ms(start, 4_000));
        round.forget("olt-1");
        assert!(round.complete(ms(start, 4_000)));
    }

    #[test]
    fn a_removed_device_completes_the_round() {
        let start = Instant::now();
        let mut round = PollRound::default();
        round.record("bras-1", ms(start, 0));
        round.record("olt-1", ms(start, 0));
        round.close(ms(start, 0));
        round.record("bras-1", ms(start, 1_000));
        assert!(!round.complete(ms(start, 1_000)));
        round.forget("olt-1");
        assert!(round.complete(ms(start, 1_001)));
    }
}
