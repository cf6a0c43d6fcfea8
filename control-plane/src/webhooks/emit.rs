//! Emitting an event: one stored delivery per subscribed webhook, written inside the open
//! transaction of the change the event reports, so a change that rolls back leaves no event and
//! one that commits always has it. After the commit, `wake` starts the delivery loop.

use serde_json::{json, Value};
use sqlx::{Any, Transaction};

use crate::domain::time::{now, timestamp_text};
use crate::http::AppState;
use crate::store::webhooks::enqueue_deliveries;
use crate::store::{new_id, StoreResult};

/// An event a change produces: its name (from `events.rs`) and its data.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookEvent {
    pub event: &'static str,
    pub data: Value,
}

impl WebhookEvent {
    pub fn new(event: &'static str, data: Value) -> Self {
        Self { event, data }
    }
}

/// The body every webhook of `event` receives.
pub fn payload(event: &str, data: Value) -> String {
    json!({
        "id": new_id(),
        "event": event,
        "created_at": timestamp_text(now()),
        "data": data,
    })
    .to_string()
}

/// Stores the deliveries of `events` in the caller's transaction; returns how many.
pub async fn emit(tx: &mut Transaction<'_, Any>, events: &[WebhookEvent]) -> StoreResult<u64> {
    let mut stored = 0;
    for e in events {
        let body = payload(e.event, e.data.clone());
        stored += enqueue_deliveries(tx, e.event, &body).await?;
    }
    Ok(stored)
}

/// Stores `events` in a transaction of their own and wakes the loop, for a change whose own
/// write is not in reach (a command result the agent reported, stored by the command
/// pipeline). A failure is logged with the event: the change itself stands.
pub async fn emit_alone(state: &AppState, events: &[WebhookEvent]) {
    let stored = async {
        let mut tx = state.store.pool().begin().await?;
        let n = emit(&mut tx, events).await?;
        tx.commit().await?;
        Ok::<u64, crate::store::StoreError>(n)
    }
    .await;
    match stored {
        Ok(0) => {}
        Ok(_) => wake(state),
        Err(err) => {
            for e in events {
                tracing::error!(event = e.event, data = %e.data, error = %err,
                    "webhook event not stored");
            }
        }
    }
}

/// Wakes the delivery loop after a commit that stored deliveries.
pub fn wake(state: &AppState) {
    state.webhooks.wake.notify_one();
}
