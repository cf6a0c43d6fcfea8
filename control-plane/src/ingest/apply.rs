//! Applying one `Samples` batch: drop replays, map keys to customers through a per-connection
//! cache, then write every sample into its subscriber's live series.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use proto::{Samples, SubscriberKey};

use super::agents::AgentConnection;
use super::directory::MIN_RELOAD_INTERVAL;
use crate::http::AppState;
use crate::live::{now_unix_ms, PendingWrites, SubscriberLive, SubscriberSample};

/// A batch stamped further ahead of our clock than this is refused (the agent's clock is wrong).
const MAX_FUTURE_MS: i64 = 5 * 60 * 1_000;
/// A batch older than this (a very old spool) no longer changes anything shown.
const MAX_AGE_MS: i64 = 31 * 24 * 3_600 * 1_000;

enum Target {
    Known(Arc<SubscriberLive>),
    /// Not a customer at the last look; looked up again after the instant.
    Unknown(Instant),
}

/// One connection's memory of which customer each key names.
#[derive(Default)]
pub struct KeyCache {
    generation: u64,
    targets: HashMap<SubscriberKey, Target>,
}

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

fn needs_lookup(cache: &KeyCache, key: &SubscriberKey, now: Instant) -> bool {
    match cache.targets.get(key) {
        Some(Target::Known(_)) => false,
        Some(Target::Unknown(retry_at)) => now >= *retry_at,
        None => true,
    }
}

/// Applies a batch and returns the sequence to acknowledge with it.
pub async fn apply_samples(
    state: &AppState,
    connection: &AgentConnection,
    cache: &mut KeyCache,
    batch: Samples,
) -> (BatchOutcome, u64) {
    let metrics = &state.metrics.ingest;
    let last_acked = |connection: &AgentConnection| {
        connection
            .progress
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .last_batch_seq
            .unwrap_or(batch.batch_seq)
    };
    let duplicate = connection
        .progress
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .is_duplicate(batch.batch_seq);
    if duplicate {
        metrics.duplicate_batches.inc();
        return (BatchOutcome::Duplicate, last_acked(connection));
    }

    let directory = &state.ingest.directory;
    if cache.generation != directory.generation() {
        cache.targets.clear();
        cache.generation = directory.generation();
    }
    let now = Instant::now();
    let missing: Vec<&SubscriberKey> = batch
        .entries
        .iter()
        .map(|e| &e.subscriber_key)
        .filter(|key| needs_lookup(cache, key, now))
        .collect();
    if !missing.is_empty() {
        if let Err(err) = directory.reload_if_stale(&state.store).await {
            tracing::warn!(error = %err, "unable to reload subscriber keys");
        }
        for key in missing {
            let target = match directory.lookup(key) {
                Some(customer_id) => Target::Known(state.live.subscriber(&customer_id)),
                None => Target::Unknown(now + MIN_RELOAD_INTERVAL),
            };
            cache.targets.insert(key.clone(), target);
        }
    }

    let received_unix_ms = now_unix_ms();
    let sample_unix_ms = i64::try_from(batch.timestamp_ms).unwrap_or(i64::MAX);
    let lag_ms = received_unix_ms.saturating_sub(sample_unix_ms);
    let entries = batch.entries.len() as u64;
    let mut progress = connection
        .progress
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    if progress.is_duplicate(batch.batch_seq) {
        // Another connection of the same agent applied it while we looked keys up.
        metrics.duplicate_batches.inc();
        let acked = progress.last_batch_seq.unwrap_or(batch.batch_seq);
        return (BatchOutcome::Duplicate, acked);
    }
    progress.applied(batch.batch_seq, received_unix_ms, sample_unix_ms);
    let acked = progress.last_batch_seq.unwrap_or(batch.batch_seq);
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
            .inc_by(entries);
        return (BatchOutcome::Dropped, acked);
    }
    metrics.lag_seconds.observe(lag_ms as f64 / 1_000.0);

    let mut writes = PendingWrites::default();
    let (mut ingested, mut unknown) = (0usize, 0usize);
    for entry in &batch.entries {
        match cache.targets.get(&entry.subscriber_key) {
            Some(Target::Known(live)) => {
                let sample = SubscriberSample {
                    unix_ms: batch.timestamp_ms,
                    rx_bps: entry.rx_bps,
                    tx_bps: entry.tx_bps,
                    rx_octets_total: entry.rx_octets_total,
                    tx_octets_total: entry.tx_octets_total,
                };
                // A second older than the ring's hour still counts in its minute rollup.
                live.record(&sample, received_unix_ms, &mut writes);
                ingested += 1;
            }
            _ => unknown += 1,
        }
    }
    drop(progress);
    state.live.queue(&mut writes);
    metrics.samples_ingested.inc_by(ingested as u64);
    metrics.unknown_keys.inc_by(unknown as u64);
    (BatchOutcome::Applied { ingested, unknown }, acked)
}
