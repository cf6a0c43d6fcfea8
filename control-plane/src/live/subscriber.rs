//! One subscriber's live series: the per-second ring, the running minute, the latest rates,
//! traffic not yet added to the store, and the watch that live streams read.

use std::sync::Mutex;

use tokio::sync::watch;

use super::minute::{MinuteAccumulator, MinuteAverage};
use super::ring::{RateBucket, SecondRing};
use crate::domain::time::unix_ms_text;
use crate::store::ingest::{MinuteRollupRow, NetworkProgressRow, NetworkTotalsRow};
use crate::store::network::NetworkStateRow;

/// One second of one subscriber's traffic as an agent reported it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubscriberSample {
    /// The second the rates describe, by the agent's clock.
    pub unix_ms: u64,
    pub rx_bps: u64,
    pub tx_bps: u64,
    /// The agent's running octet counters for this subscriber.
    pub rx_octets_total: u64,
    pub tx_octets_total: u64,
}

/// The newest rates, as live streams show them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LivePoint {
    pub unix_ms: u64,
    pub rx_bps: u64,
    pub tx_bps: u64,
}

/// Store writes produced while ingesting or sweeping, queued for the flusher.
#[derive(Debug, Default)]
pub struct PendingWrites {
    pub minutes: Vec<MinuteRollupRow>,
    pub progress: Vec<NetworkProgressRow>,
}

impl PendingWrites {
    pub fn is_empty(&self) -> bool {
        self.minutes.is_empty() && self.progress.is_empty()
    }

    pub fn append(&mut self, other: &mut PendingWrites) {
        self.minutes.append(&mut other.minutes);
        self.progress.append(&mut other.progress);
    }
}

pub struct SubscriberLive {
    pub customer_id: String,
    series: Mutex<Series>,
}

#[derive(Default)]
struct Series {
    ring: Option<SecondRing>,
    minute: MinuteAccumulator,
    /// Our wall clock when a sample last reached the running minute.
    minute_fed_unix_ms: i64,
    latest: Option<LivePoint>,
    /// Our wall clock when the latest sample arrived; offline detection uses it, not the
    /// agent's clock.
    received_unix_ms: i64,
    /// Online as last queued for the store.
    online: bool,
    online_since: Option<String>,
    last_online: Option<String>,
    last_offline: Option<String>,
    rx_counter: Option<u64>,
    tx_counter: Option<u64>,
    unsaved_octets: [u64; 2],
    in_flight_octets: [u64; 2],
    stored_totals: Option<[i64; 2]>,
    viewers: Option<watch::Sender<LivePoint>>,
}

fn octets_since(last: &mut Option<u64>, counter: u64, rate_bps: u64) -> u64 {
    let delta = match *last {
        Some(previous) if counter >= previous => counter - previous,
        // First sight of this counter in this process, or the agent restarted: one second of
        // traffic at the reported rate.
        _ => rate_bps / 8,
    };
    *last = Some(counter);
    delta
}

fn clamp_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

impl SubscriberLive {
    pub fn new(customer_id: String) -> Self {
        Self {
            customer_id,
            series: Mutex::new(Series::default()),
        }
    }

    fn series(&self) -> std::sync::MutexGuard<'_, Series> {
        self.series.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Applies one second of traffic. Closed minutes and online transitions go to `out`.
    /// Returns `false` when the second is older than the hour kept (it still counts in its
    /// minute rollup).
    pub fn record(
        &self,
        sample: &SubscriberSample,
        received_unix_ms: i64,
        out: &mut PendingWrites,
    ) -> bool {
        let unix = i64::try_from(sample.unix_ms / 1_000).unwrap_or(i64::MAX);
        let mut s = self.series();
        let in_ring = match &mut s.ring {
            Some(ring) => ring.record(unix, sample.rx_bps, sample.tx_bps),
            None => {
                let mut ring = SecondRing::new(unix);
                ring.record(unix, sample.rx_bps, sample.tx_bps);
                s.ring = Some(ring);
                true
            }
        };
        if let Some(closed) = s.minute.add(unix, sample.rx_bps, sample.tx_bps) {
            self.queue_minute(&mut s, closed, out);
        }
        s.minute_fed_unix_ms = received_unix_ms;
        let rx = octets_since(&mut s.rx_counter, sample.rx_octets_total, sample.rx_bps);
        let tx = octets_since(&mut s.tx_counter, sample.tx_octets_total, sample.tx_bps);
        s.unsaved_octets[0] = s.unsaved_octets[0].saturating_add(rx);
        s.unsaved_octets[1] = s.unsaved_octets[1].saturating_add(tx);
        let newest = s.latest.is_none_or(|p| sample.unix_ms > p.unix_ms);
        if newest {
            let point = LivePoint {
                unix_ms: sample.unix_ms,
                rx_bps: sample.rx_bps,
                tx_bps: sample.tx_bps,
            };
            s.latest = Some(point);
            s.received_unix_ms = received_unix_ms;
            if let Some(viewers) = &s.viewers {
                if viewers.receiver_count() > 0 {
                    viewers.send_replace(point);
                } else {
                    s.viewers = None;
                }
            }
            if !s.online {
                let now = unix_ms_text(received_unix_ms);
                s.online = true;
                s.online_since = Some(now.clone());
                s.last_online = Some(now);
                let row = self.progress(&mut s, None);
                out.progress.push(row);
            }
        }
        in_ring
    }

    fn queue_minute(&self, s: &mut Series, closed: MinuteAverage, out: &mut PendingWrites) {
        out.minutes.push(MinuteRollupRow {
            customer_id: self.customer_id.clone(),
            minute_unix: closed.minute_unix,
            rx_bps: clamp_i64(closed.rx_bps),
            tx_bps: clamp_i64(closed.tx_bps),
            sample_count: i64::from(closed.samples),
        });
        if s.online {
            s.last_online = Some(unix_ms_text(s.received_unix_ms));
        }
        let row = self.progress(s, None);
        out.progress.push(row);
    }

    /// A `network_state` change carrying the traffic not yet stored, which is now in flight.
    fn progress(&self, s: &mut Series, last_offline: Option<String>) -> NetworkProgressRow {
        let [rx, tx] = std::mem::take(&mut s.unsaved_octets);
        s.in_flight_octets[0] += rx;
        s.in_flight_octets[1] += tx;
        let (rx_bps, tx_bps) = match (s.online, s.latest) {
            (true, Some(p)) => (clamp_i64(p.rx_bps), clamp_i64(p.tx_bps)),
            _ => (0, 0),
        };
        NetworkProgressRow {
            customer_id: self.customer_id.clone(),
            is_online: s.online,
            rx_bps,
            tx_bps,
            add_download_octets: clamp_i64(rx),
            add_upload_octets: clamp_i64(tx),
            last_online: if s.online {
                s.last_online.clone()
            } else {
                None
            },
            last_offline,
            session_started_at: if s.online {
                s.online_since.clone()
            } else {
                None
            },
        }
    }

    /// Closes the running minute when it ended `grace_ms` or more ago and no sample reached it
    /// for `grace_ms`, and marks the subscriber offline when no sample came for
    /// `offline_after_ms`. A spool replay feeds minutes long past, each until the next one
    /// starts: they close then, whole, instead of in one part per sweep.
    pub fn sweep(
        &self,
        now_unix_ms: i64,
        grace_ms: i64,
        offline_after_ms: i64,
        out: &mut PendingWrites,
    ) {
        let mut s = self.series();
        if now_unix_ms - s.minute_fed_unix_ms >= grace_ms {
            if let Some(closed) = s.minute.close_before((now_unix_ms - grace_ms) / 1_000) {
                self.queue_minute(&mut s, closed, out);
            }
        }
        if s.online && now_unix_ms - s.received_unix_ms >= offline_after_ms {
            s.online = false;
            s.online_since = None;
            let at = unix_ms_text(now_unix_ms);
            s.last_offline = Some(at.clone());
            let row = self.progress(&mut s, Some(at));
            out.progress.push(row);
        }
    }

    /// Queues the running minute as it is and all unstored traffic (at shutdown).
    pub fn drain(&self, out: &mut PendingWrites) {
        let mut s = self.series();
        if let Some(partial) = s.minute.take() {
            self.queue_minute(&mut s, partial, out);
        } else if s.unsaved_octets != [0, 0] {
            let row = self.progress(&mut s, None);
            out.progress.push(row);
        }
    }

    /// The store took `row`'s traffic; it now holds `totals` (none when the customer was
    /// deleted meanwhile).
    pub fn progress_stored(&self, row: &NetworkProgressRow, totals: Option<&NetworkTotalsRow>) {
        let mut s = self.series();
        s.in_flight_octets[0] =
            s.in_flight_octets[0].saturating_sub(row.add_download_octets as u64);
        s.in_flight_octets[1] = s.in_flight_octets[1].saturating_sub(row.add_upload_octets as u64);
        if let Some(totals) = totals {
            s.stored_totals = Some([totals.total_download_octets, totals.total_upload_octets]);
        }
    }

    /// The store now holds these totals (written by accounting).
    pub fn totals_stored(&self, totals: [i64; 2]) {
        self.series().stored_totals = Some(totals);
    }

    /// The store refused `row`; its traffic goes back to unsaved, to be retried.
    pub fn progress_failed(&self, row: &NetworkProgressRow) {
        let mut s = self.series();
        let rx = (row.add_download_octets as u64).min(s.in_flight_octets[0]);
        let tx = (row.add_upload_octets as u64).min(s.in_flight_octets[1]);
        s.in_flight_octets[0] -= rx;
        s.in_flight_octets[1] -= tx;
        s.unsaved_octets[0] += rx;
        s.unsaved_octets[1] += tx;
    }

    /// The stored state with what this process has ingested since laid over it.
    pub fn overlay(
        &self,
        stored: Option<&NetworkStateRow>,
        now_unix_ms: i64,
        offline_after_ms: i64,
    ) -> NetworkStateRow {
        let s = self.series();
        let mut row = stored.cloned().unwrap_or_else(|| NetworkStateRow {
            customer_id: self.customer_id.clone(),
            is_online: 0,
            ip_address: None,
            mac_address: None,
            session_started_at: None,
            rx_bps: 0,
            tx_bps: 0,
            total_download_octets: 0,
            total_upload_octets: 0,
            onu_status: None,
            onu_rx_power_cdbm: None,
            onu_tx_power_cdbm: None,
            last_online: None,
            last_offline: None,
            updated_at: unix_ms_text(now_unix_ms),
            accounting_session_open: 0,
        });
        // With an open RADIUS session the totals are accounting's, as stored; the agent's
        // traffic is not added (see `Store::add_network_progress`).
        if row.accounting_session_open == 0 {
            let [stored_rx, stored_tx] = s
                .stored_totals
                .unwrap_or([row.total_download_octets, row.total_upload_octets]);
            let pending_rx = clamp_i64(s.unsaved_octets[0] + s.in_flight_octets[0]);
            let pending_tx = clamp_i64(s.unsaved_octets[1] + s.in_flight_octets[1]);
            row.total_download_octets = stored_rx.saturating_add(pending_rx);
            row.total_upload_octets = stored_tx.saturating_add(pending_tx);
        }
        let Some(latest) = s.latest else {
            return row;
        };
        let online = now_unix_ms - s.received_unix_ms < offline_after_ms;
        row.is_online = i64::from(online);
        if online {
            row.rx_bps = clamp_i64(latest.rx_bps);
            row.tx_bps = clamp_i64(latest.tx_bps);
            row.last_online = Some(unix_ms_text(s.received_unix_ms));
            if row.session_started_at.is_none() {
                row.session_started_at = s.online_since.clone();
            }
        } else {
            row.rx_bps = 0;
            row.tx_bps = 0;
            row.session_started_at = None;
            row.last_offline = s.last_offline.clone().or(row.last_offline);
        }
        row
    }

    /// Per-bucket averages of the last hour and the first second the ring covers.
    pub fn hour_buckets(&self, now_unix: i64, step_secs: i64) -> Option<(i64, Vec<RateBucket>)> {
        let s = self.series();
        let ring = s.ring.as_ref()?;
        Some((ring.covered_since(), ring.buckets(now_unix, step_secs)))
    }

    /// A receiver that sees every newest second as it arrives.
    pub fn watch(&self) -> watch::Receiver<LivePoint> {
        let mut s = self.series();
        let latest = s.latest.unwrap_or_default();
        s.viewers
            .get_or_insert_with(|| watch::channel(latest).0)
            .subscribe()
    }

    /// The newest point and when it arrived by our clock.
    pub fn latest(&self) -> Option<(LivePoint, i64)> {
        let s = self.series();
        s.latest.map(|p| (p, s.received_unix_ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE_MS: i64 = 1_700_000_040_000; // a minute boundary
    const GRACE_MS: i64 = 3_000;
    const OFFLINE_MS: i64 = 10_000;

    fn sample(unix_ms: i64, rx_bps: u64) -> SubscriberSample {
        SubscriberSample {
            unix_ms: unix_ms as u64,
            rx_bps,
            tx_bps: 0,
            rx_octets_total: 0,
            tx_octets_total: 0,
        }
    }

    fn minutes(out: &PendingWrites) -> Vec<(i64, i64, i64)> {
        out.minutes
            .iter()
            .map(|m| (m.minute_unix, m.rx_bps, m.sample_count))
            .collect()
    }

    #[test]
    fn a_live_minute_closes_after_the_grace() {
        let live = SubscriberLive::new("c1".into());
        let mut out = PendingWrites::default();
        live.record(
            &sample(MINUTE_MS + 58_000, 10_000),
            MINUTE_MS + 58_100,
            &mut out,
        );
        live.record(
            &sample(MINUTE_MS + 59_000, 20_000),
            MINUTE_MS + 59_100,
            &mut out,
        );
        live.sweep(MINUTE_MS + 62_000, GRACE_MS, OFFLINE_MS, &mut out);
        assert!(out.minutes.is_empty(), "still inside the grace");
        live.sweep(MINUTE_MS + 63_100, GRACE_MS, OFFLINE_MS, &mut out);
        assert_eq!(minutes(&out), [(MINUTE_MS / 1_000, 15_000, 2)]);
    }

    #[test]
    fn a_replayed_minute_closes_whole() {
        let live = SubscriberLive::new("c1".into());
        let mut out = PendingWrites::default();
        // An hour-old minute replayed at one second per 100 ms, swept every second.
        let now = MINUTE_MS + 3_600_000;
        for second in 0..60 {
            let received = now + second * 100;
            live.record(
                &sample(MINUTE_MS + second * 1_000, 8_000),
                received,
                &mut out,
            );
            if second % 10 == 9 {
                live.sweep(received, GRACE_MS, OFFLINE_MS, &mut out);
            }
        }
        assert!(
            out.minutes.is_empty(),
            "closed in parts: {:?}",
            minutes(&out)
        );
        live.record(&sample(MINUTE_MS + 60_000, 8_000), now + 6_000, &mut out);
        assert_eq!(minutes(&out), [(MINUTE_MS / 1_000, 8_000, 60)]);
        // The replay stops: its last minute closes once quiet for the grace.
        live.sweep(now + 8_000, GRACE_MS, OFFLINE_MS, &mut out);
        assert_eq!(out.minutes.len(), 1);
        live.sweep(now + 9_000, GRACE_MS, OFFLINE_MS, &mut out);
        assert_eq!(out.minutes.len(), 2);
    }
}
