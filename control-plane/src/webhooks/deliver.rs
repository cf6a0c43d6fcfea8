//! The delivery loop: sends due deliveries (woken by a new event, or every second for retries)
//! until the server stops, one attempt per claim, so two replicas never send one attempt
//! twice.

use std::time::Duration;

use super::backoff::retry_wait;
use super::client::Post;
use super::signature::{sign, DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use crate::domain::time::{now, timestamp_text};
use crate::http::AppState;
use crate::store::webhooks::{AttemptOutcome, DueDelivery};
use crate::store::StoreError;

/// Most deliveries one pass sends.
const BATCH: i64 = 50;
/// How often the loop looks for retries that became due.
const POLL: Duration = Duration::from_secs(1);

pub async fn run(state: AppState) {
    let mut stop = state.shutdown.signal();
    loop {
        if let Err(err) = deliver_due(&state).await {
            tracing::warn!(error = %err, "webhook deliveries not read");
        }
        tokio::select! {
            _ = state.webhooks.wake.notified() => {}
            _ = tokio::time::sleep(POLL) => {}
            _ = stop.wait_for(|stopping| *stopping) => break,
        }
    }
}

/// Sends every delivery due now (at most `BATCH`); returns how many were attempted.
pub async fn deliver_due(state: &AppState) -> Result<usize, StoreError> {
    let due = state
        .store
        .due_deliveries(&timestamp_text(now()), BATCH)
        .await?;
    let mut attempted = 0;
    for delivery in due {
        // The lease outlasts one attempt, so a replica that dies mid-attempt leaves the
        // delivery to be retried, not lost.
        let lease = state.webhooks.settings.timeout + Duration::from_secs(30);
        let lease_until = timestamp_text(now() + lease);
        if !state.store.claim_delivery(&delivery, &lease_until).await? {
            continue;
        }
        attempted += 1;
        let outcome = attempt(state, &delivery).await;
        let label = match &outcome {
            AttemptOutcome::Delivered { .. } => "delivered",
            AttemptOutcome::Retry { .. } => "retried",
            AttemptOutcome::Failed { .. } => "failed",
        };
        state
            .metrics
            .webhook_deliveries
            .with_label_values(&[label])
            .inc();
        if let AttemptOutcome::Failed { error, .. } = &outcome {
            tracing::warn!(delivery = %delivery.id, event = %delivery.event, error, "webhook delivery given up");
        }
        state.store.finish_attempt(&delivery.id, &outcome).await?;
    }
    Ok(attempted)
}

/// One POST of the delivery; a 2xx answer is delivered, anything else is retried until the
/// attempts run out.
async fn attempt(state: &AppState, d: &DueDelivery) -> AttemptOutcome {
    let sent_at = now().unix_timestamp();
    let headers = [
        (EVENT_HEADER, d.event.clone()),
        (DELIVERY_HEADER, d.id.clone()),
        (TIMESTAMP_HEADER, sent_at.to_string()),
        (SIGNATURE_HEADER, sign(&d.secret, sent_at, &d.payload)),
    ];
    let post = Post {
        url: &d.url,
        headers: &headers,
        body: &d.payload,
    };
    let (status_code, error) = match state.webhooks.client.post(&post, None).await {
        Ok(code) if (200..300).contains(&code) => {
            return AttemptOutcome::Delivered {
                status_code: i64::from(code),
            }
        }
        Ok(code) => (Some(i64::from(code)), format!("answered {code}")),
        Err(err) => (None, err.to_string()),
    };
    let attempts = u32::try_from(d.attempts)
        .unwrap_or(u32::MAX)
        .saturating_add(1);
    let settings = &state.webhooks.settings;
    if attempts >= settings.max_attempts {
        AttemptOutcome::Failed { status_code, error }
    } else {
        let wait = retry_wait(settings.retry_base, attempts);
        AttemptOutcome::Retry {
            status_code,
            error,
            next_attempt_at: timestamp_text(now() + wait),
        }
    }
}
