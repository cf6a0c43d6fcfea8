//! The ingest flusher: once a second it closes ended minutes, marks silent subscribers offline
//! and writes what ingest queued (minute rollups, `network_state` progress, agent progress) in
//! batches. At shutdown it writes running minutes as they are; their later samples merge in.

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

/// One row per customer-minute: parts of the same minute merge by sample count, in the order
/// they came. Sorted by customer and minute, the table's key, so a write walks its index in
/// order.
pub fn coalesce_minutes(mut rows: Vec<MinuteRollupRow>) -> Vec<MinuteRollupRow> {
    // Stable: parts of a minute stay in the order they came.
    rows.sort_by(|a, b| {
        (a.customer_id.as_str(), a.minute_unix).cmp(&(b.customer_id.as_str(), b.minute_unix))
    });
    let mut merged: Vec<MinuteRollupRow> = Vec::with_capacity(rows.len());
    for row in rows {
        match merged.last_mut() {
            Some(into)
                if into.customer_id == row.customer_id && into.minute_unix == row.minute_unix =>
            {
                let total = (into.sample_count + row.sample_count).max(1);
                into.rx_bps =
                    (into.rx_bps * into.sample_count + row.rx_bps * row.sample_count) / total;
                into.tx_bps =
                    (into.tx_bps * into.sample_count + row.tx_bps * row.sample_count) / total;
                into.sample_count = total;
            }
            _ => merged.push(row),
        }
    }
    merged
}

/// One row per customer: octets add up, the later state wins. Sorted by customer, the
/// table's key.
pub fn coalesce_progress(mut rows: Vec<NetworkProgressRow>) -> Vec<NetworkProgressRow> {
    // Stable: a customer's rows stay in the order they came, so the later state wins.
    rows.sort_by(|a, b| a.customer_id.cmp(&b.customer_id));
    let mut merged: Vec<NetworkProgressRow> = Vec::with_capacity(rows.len());
    for row in rows {
        match merged.last_mut() {
            Some(into) if into.customer_id == row.customer_id => {
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
            _ => merged.push(row),
        }
    }
    merged
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
            Ok(mut totals) => {
                metrics
                    .rollup_rows
                    .with_label_values(&["network_state"])
                    .inc_by(totals.len() as u64);
                // Both sorted by customer: each row finds its totals by walking along.
                totals.sort_unstable_by(|a, b| a.customer_id.cmp(&b.customer_id));
                let mut totals = totals.iter().peekable();
                let lives = state
                    .live
                    .existing_each(progress.iter().map(|r| r.customer_id.as_str()));
                for (row, live) in progress.iter().zip(lives) {
                    while totals
                        .next_if(|t| t.customer_id < row.customer_id)
                        .is_some()
                    {}
                    let stored = totals.next_if(|t| t.customer_id == row.customer_id);
                    if let Some(live) = live {
                        live.progress_stored(row, stored);
                    }
                }
            }
            Err(err) => {
                tracing::warn!(error = %err, rows = progress.len(), "unable to write network state; retrying");
                metrics
                    .flush_failures
                    .with_label_values(&["network_state"])
                    .inc();
                let lives = state
                    .live
                    .existing_each(progress.iter().map(|r| r.customer_id.as_str()));
                for (row, live) in progress.iter().zip(lives) {
                    if let Some(live) = live {
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

    fn progress(customer: &str, online: bool, add_download_octets: i64) -> NetworkProgressRow {
        NetworkProgressRow {
            customer_id: customer.into(),
            is_online: online,
            rx_bps: add_download_octets * 8,
            tx_bps: 0,
            add_download_octets,
            add_upload_octets: 1,
            last_online: online.then(|| format!("on-{add_download_octets}")),
            last_offline: (!online).then(|| format!("off-{add_download_octets}")),
            session_started_at: online.then(|| "s".to_owned()),
        }
    }

    #[test]
    fn a_customers_progress_adds_up_and_the_later_state_wins() {
        let rows = coalesce_progress(vec![
            progress("c2", true, 5),
            progress("c1", true, 10),
            progress("c1", false, 20),
            progress("c1", true, 30),
        ]);
        let mut c1 = progress("c1", true, 60);
        c1.rx_bps = 240;
        c1.add_upload_octets = 3;
        c1.last_online = Some("on-30".into());
        c1.last_offline = Some("off-20".into());
        assert_eq!(rows, vec![c1, progress("c2", true, 5)]);
    }

    #[test]
    fn parts_of_a_minute_merge_by_weight() {
        let rows = coalesce_minutes(vec![
            minute("c2", 60, 7, 1),
            minute("c1", 120, 9, 1),
            minute("c1", 60, 100, 30),
            minute("c1", 60, 400, 10),
        ]);
        assert_eq!(
            rows,
            vec![
                minute("c1", 60, 175, 40),
                minute("c1", 120, 9, 1),
                minute("c2", 60, 7, 1)
            ]
        );
    }
}
