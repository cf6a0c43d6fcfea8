//! Emitting an event: one stored delivery per subscribed webhook, then a wake-up of the
//! delivery loop. Called after the change it reports has committed.

use serde_json::{json, Value};

use crate::domain::time::{now, timestamp_text};
use crate::http::AppState;
use crate::store::new_id;

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

/// Stores the event's deliveries and wakes the delivery loop. A database error is logged with
/// the event, since the change it reports has already happened.
pub async fn emit(state: &AppState, event: &str, data: Value) {
    let body = payload(event, data);
    match state.store.enqueue_deliveries(event, &body).await {
        Ok(0) => {}
        Ok(_) => state.webhooks.wake.notify_one(),
        Err(err) => {
            tracing::error!(event, payload = %body, error = %err, "webhook event not stored")
        }
    }
}
