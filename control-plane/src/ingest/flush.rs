//! The ingest flusher: once a second it closes ended minutes, marks silent subscribers offline
//! and writes what ingest queued (minute rollups, `network_state` progress, agent progress) in
//! batches. At shutdown it writes running minutes as they are; their later samples merge in.

use std::collections::HashMap;
use std::time::Duration;

use tokio::sync::oneshot;

use crate::http::AppState;
use crate::live::{now_unix_ms, PendingWrites};
use crate::store::ingest::{MinuteRollupRow, NetworkProgressRow};

/// How often the flusher runs.
pub const FLUSH_INTERVAL: Duration = Duration::from_secs(1);

/// Queued rollups kept for a retry while the store fails; beyond this the oldest are dropped.
const MAX_QUEUED_MINUTES: usize = 2_000_000;

/// Runs until `drain` fires (or its sender is dropped), then flushes everything once more.
pub async fn run(state: AppState, mut drain: oneshot::Receiver<()>) {
    let mut tick = tokio::time::interval(FLUSH_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                let pending = state.live.sweep(now_unix_ms());
                flush(&state, pending).await;
            }
            _ = &mut drain => break,
        }
    }
    let pending = state.live.drain();
    flush(&state, pending).await;
}

/// One row per customer-minute: parts of the same minute merge by sample count.
pub fn coalesce_minutes(rows: Vec<MinuteRollupRow>) -> Vec<MinuteRollupRow> {
    let mut merged: HashMap<(String, i64), MinuteRollupRow> = HashMap::with_capacity(rows.len());
    for row in rows {
        let key = (row.customer_id.clone(), row.minute_unix);
        match merged.get_mut(&key) {
            Some(into) => {
                let total = (into.sample_count + row.sample_count).max(1);
                into.rx_bps =
                    (into.rx_bps * into.sample_count + row.rx_bps * row.sample_count) / total;
                into.tx_bps =
                    (into.tx_bps * into.sample_count + row.tx_bps * row.sample_count) / total;
                into.sample_count = total;
            }
            None => {
                merged.insert(key, row);
            }
        }
    }
    merged.into_values().collect()
}

/// One row per customer: octets add up, the later state wins.
pub fn coalesce_progress(rows: Vec<NetworkProgressRow>) -> Vec<NetworkProgressRow> {
    let mut merged: HashMap<String, NetworkProgressRow> = HashMap::with_capacity(rows.len());
    for row in rows {
        match merged.get_mut(&row.customer_id) {
            Some(into) => {
                into.add_download_octets = into
                    .add_download_octets
                    .saturating_add(row.add_download_octets);
                into.add_upload_octets =
                    into.add_upload_octets.saturating_add(row.add_upload_octets);
                into.is_online = row.is_online;
                into.rx_bps = row.rx_bps;
                into.tx_bps = row.tx_bps;
                into.last_online = row.last_online.or(into.last_online.take());
                into.last_offline = row.last_offline.or(into.last_offline.take());
                into.session_started_at = if row.is_online {
                    row.session_started_at.or(into.session_started_at.take())
                } else {
                    None
                };
            }
            None => {
                merged.insert(row.customer_id.clone(), row);
            }
        }
    }
    merged.into_values().collect()
}

async fn flush(state: &AppState, pending: PendingWrites) {
    let metrics = &state.metrics.ingest;
    let minutes = coalesce_minutes(pending.minutes);
    if !minutes.is_empty() {
        match state.store.merge_bandwidth_minutes(&minutes).await {
            Ok(written) => metrics
                .rollup_rows
                .with_label_values(&["bandwidth_minutes"])
                .inc_by(written as u64),
            Err(err) => {
                tracing::warn!(error = %err, rows = minutes.len(), "unable to write minute rollups; retrying");
                metrics
                    .flush_failures
                    .with_label_values(&["bandwidth_minutes"])
                    .inc();
                let mut minutes = minutes;
                minutes.truncate(MAX_QUEUED_MINUTES);
                state.live.queue(&mut PendingWrites {
                    minutes,
                    progress: Vec::new(),
                });
            }
        }
    }

    let progress = coalesce_progress(pending.progress);
    if !progress.is_empty() {
        match state.store.add_network_progress(&progress).await {
            Ok(totals) => {
                metrics
                    .rollup_rows
                    .with_label_values(&["network_state"])
                    .inc_by(totals.len() as u64);
                let totals: HashMap<&str, _> =
                    totals.iter().map(|t| (t.customer_id.as_str(), t)).collect();
                for row in &progress {
                    if let Some(live) = state.live.existing(&row.customer_id) {
                        live.progress_stored(row, totals.get(row.customer_id.as_str()).copied());
                    }
                }
            }
            Err(err) => {
                tracing::warn!(error = %err, rows = progress.len(), "unable to write network state; retrying");
                metrics
                    .flush_failures
                    .with_label_values(&["network_state"])
                    .inc();
                for row in &progress {
                    if let Some(live) = state.live.existing(&row.customer_id) {
                        live.progress_failed(row);
                    }
                }
            }
        }
    }

    let agents = state.ingest.agents.take_changed_progress();
    if let Err(err) = state.store.save_agent_progress(&agents).await {
        tracing::warn!(error = %err, "unable to write agent progress; retrying");
        metrics.flush_failures.with_label_values(&["agents"]).inc();
        state.ingest.agents.progress_unsaved(&agents);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minute(customer: &str, minute_unix: i64, rx_bps: i64, samples: i64) -> MinuteRollupRow {
        MinuteRollupRow {
            customer_id: customer.into(),
            minute_unix,
            rx_bps,
            tx_bps: rx_bps / 2,
            sample_count: samples,
        }
    }

    #[test]
    fn parts_of_a_minute_merge_by_weight() {
        let mut rows = coalesce_minutes(vec![
            minute("c1", 60, 100, 30),
            minute("c2", 60, 7, 1),
            minute("c1", 60, 400, 10),
        ]);
        rows.sort_by(|a, b| a.customer_id.cmp(&b.customer_id));
        assert_eq!(
            rows,
            vec![minute("c1", 60, 175, 40), minute("c2", 60, 7, 1)]
        );
    }
}
