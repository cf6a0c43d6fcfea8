//! Applying one batch (`Samples` by key, `IndexedSamples` by number): drop replays, resolve
//! subscribers through the connection's table, then write every sample into its subscriber's
//! live series.

use std::sync::Arc;

use proto::{IndexedSamples, Samples, SubscriberTableError};

use super::agents::AgentConnection;
use super::subscribers::ConnectionSubscribers;
use crate::http::AppState;
use crate::live::{now_unix_ms, PendingWrites, SubscriberLive, SubscriberSample};

/// A batch stamped further ahead of our clock than this is refused (the agent's clock is wrong).
const MAX_FUTURE_MS: i64 = 5 * 60 * 1_000;
/// A batch older than this (a very old spool) no longer changes anything shown.
const MAX_AGE_MS: i64 = 31 * 24 * 3_600 * 1_000;

/// What became of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchOutcome {
    Applied {
        ingested: usize,
        unknown: usize,
    },
    /// Already applied before; acknowledged and ignored.
    Duplicate,
    /// Timestamp out of range; acknowledged, nothing stored.
    Dropped,
}

/// One entry's rates, whichever way the batch named its subscriber.
pub struct EntryRates {
    pub rx_bps: u64,
    pub tx_bps: u64,
    pub rx_octets_total: u64,
    pub tx_octets_total: u64,
}

fn is_duplicate(connection: &AgentConnection, batch_seq: u64) -> Option<u64> {
    let progress = connection
        .progress
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    progress
        .is_duplicate(batch_seq)
        .then(|| progress.last_batch_seq.unwrap_or(batch_seq))
}

/// Applies a batch that names subscribers by key (protocol 1) and returns the sequence to
/// acknowledge with it.
pub async fn apply_samples(
    state: &AppState,
    connection: &AgentConnection,
    subscribers: &mut ConnectionSubscribers,
    batch: Samples,
) -> (BatchOutcome, u64) {
    if let Some(acked) = is_duplicate(connection, batch.batch_seq) {
        state.metrics.ingest.duplicate_batches.inc();
        return (BatchOutcome::Duplicate, acked);
    }
    subscribers.resolve_keyed(state, &batch).await;
    let entries = batch.entries.iter().map(|entry| {
        let live = subscribers
            .keyed(&entry.subscriber_key)
            .and_then(|t| t.live());
        let rates = EntryRates {
            rx_bps: entry.rx_bps,
            tx_bps: entry.tx_bps,
            rx_octets_total: entry.rx_octets_total,
            tx_octets_total: entry.tx_octets_total,
        };
        (live, rates)
    });
    record_batch(
        state,
        connection,
        batch.batch_seq,
        batch.timestamp_ms,
        entries,
    )
}

/// Applies a batch that names subscribers by their number on the connection (protocol 2).
/// A batch using a number not given is refused whole: nothing of it is stored.
pub async fn apply_indexed_samples(
    state: &AppState,
    connection: &AgentConnection,
    subscribers: &mut ConnectionSubscribers,
    batch: IndexedSamples,
) -> Result<(BatchOutcome, u64), SubscriberTableError> {
    subscribers.check_numbers(&batch)?;
    if let Some(acked) = is_duplicate(connection, batch.batch_seq) {
        state.metrics.ingest.duplicate_batches.inc();
        return Ok((BatchOutcome::Duplicate, acked));
    }
    subscribers.resolve_numbered(state, &batch).await;
    let entries = batch.entries.iter().map(|entry| {
        let live = subscribers.numbered(entry.subscriber_index).live();
        let rates = EntryRates {
            rx_bps: entry.rx_bps,
            tx_bps: entry.tx_bps,
            rx_octets_total: entry.rx_octets_total,
            tx_octets_total: entry.tx_octets_total,
        };
        (live, rates)
    });
    Ok(record_batch(
        state,
        connection,
        batch.batch_seq,
        batch.timestamp_ms,
        entries,
    ))
}

/// Records a batch whose subscribers are resolved (`None`: not a customer).
fn record_batch<'a>(
    state: &AppState,
    connection: &AgentConnection,
    batch_seq: u64,
    timestamp_ms: u64,
    entries: impl ExactSizeIterator<Item = (Option<&'a Arc<SubscriberLive>>, EntryRates)>,
) -> (BatchOutcome, u64) {
    let metrics = &state.metrics.ingest;
    let received_unix_ms = now_unix_ms();
    let sample_unix_ms = i64::try_from(timestamp_ms).unwrap_or(i64::MAX);
    let lag_ms = received_unix_ms.saturating_sub(sample_unix_ms);
    let count = entries.len() as u64;
    let mut progress = connection
        .progress
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    if progress.is_duplicate(batch_seq) {
        // Another connection of the same agent applied it while we looked keys up.
        metrics.duplicate_batches.inc();
        let acked = progress.last_batch_seq.unwrap_or(batch_seq);
        return (BatchOutcome::Duplicate, acked);
    }
    progress.applied(batch_seq, received_unix_ms, sample_unix_ms);
    let acked = progress.last_batch_seq.unwrap_or(batch_seq);
    if !(-MAX_FUTURE_MS..=MAX_AGE_MS).contains(&lag_ms) {
        drop(progress);
        let reason = if lag_ms < 0 {
            "future_timestamp"
        } else {
            "too_old"
        };
        metrics
            .samples_dropped
            .with_label_values(&[reason])
            .inc_by(count);
        return (BatchOutcome::Dropped, acked);
    }
    metrics.lag_seconds.observe(lag_ms as f64 / 1_000.0);

    let mut writes = PendingWrites::default();
    let (mut ingested, mut unknown) = (0usize, 0usize);
    for (live, rates) in entries {
        match live {
            Some(live) => {
                let sample = SubscriberSample {
                    unix_ms: timestamp_ms,
                    rx_bps: rates.rx_bps,
                    tx_bps: rates.tx_bps,
                    rx_octets_total: rates.rx_octets_total,
                    tx_octets_total: rates.tx_octets_total,
                };
                // A second older than the ring's hour still counts in its minute rollup.
                live.record(&sample, received_unix_ms, &mut writes);
                ingested += 1;
            }
            None => unknown += 1,
        }
    }
    drop(progress);
    state.live.queue(&mut writes);
    metrics.samples_ingested.inc_by(ingested as u64);
    metrics.unknown_keys.inc_by(unknown as u64);
    (BatchOutcome::Applied { ingested, unknown }, acked)
}
