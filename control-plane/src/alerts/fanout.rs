//! Creating a notification and routing it: stored for the subscriber API, then queued by
//! email and on the customer's webhook when its severity reaches the customer's minimum.

use serde_json::json;

use super::preferences::AlertPreferences;
use super::severity::Severity;
use crate::domain::time::{now, timestamp_text};
use crate::http::AppState;
use crate::store::alerts::NewAlertDelivery;
use crate::store::notifications::{NewNotification, NotificationRow};
use crate::store::StoreError;
use crate::webhooks::emit::WebhookEvent;

/// The event name customers' webhooks receive.
pub const NOTIFICATION_EVENT: &str = "notification.created";

/// Creates the notification unless it exists (by its dedupe key) and queues its alerts;
/// `true` when it was new. The webhook `events` it announces are stored with it in one
/// transaction. A failure to queue is logged: the notification itself stands.
pub async fn notify(
    state: &AppState,
    n: &NewNotification,
    events: &[WebhookEvent],
) -> Result<bool, StoreError> {
    let Some(row) = state.store.insert_notification(n, events).await? else {
        return Ok(false);
    };
    if let Err(err) = route(state, &row).await {
        tracing::error!(notification = %row.id, customer = %row.customer_id, error = %err,
            "notification stored but its alerts were not queued");
    }
    Ok(true)
}

/// Queues the email and webhook alerts `row` is due under the customer's preferences.
async fn route(state: &AppState, row: &NotificationRow) -> Result<(), StoreError> {
    let preferences =
        AlertPreferences::from_row(state.store.alert_preferences(&row.customer_id).await?);
    let severity = Severity::parse(&row.severity).unwrap_or(Severity::Info);
    if severity < preferences.min_severity {
        return Ok(());
    }
    if preferences.email_enabled && state.email.relay.is_some() {
        let profile = state.store.customer(&row.customer_id).await?;
        if let Some(to) = preferences.email_to(profile.email.as_deref()) {
            let alert = NewAlertDelivery {
                customer_id: row.customer_id.clone(),
                notification_id: row.id.clone(),
                channel: "email",
                target: to.to_owned(),
                subject: row.title.clone(),
                body: email_text(row, severity),
            };
            if state.store.enqueue_alert(&alert).await? {
                state.email.wake.notify_one();
            }
        }
    }
    if let (true, Some(url)) = (preferences.webhook_enabled, &preferences.webhook_url) {
        let alert = NewAlertDelivery {
            customer_id: row.customer_id.clone(),
            notification_id: row.id.clone(),
            channel: "webhook",
            target: url.clone(),
            subject: NOTIFICATION_EVENT.to_owned(),
            body: webhook_body(row),
        };
        if state.store.enqueue_alert(&alert).await? {
            state.webhooks.alert_wake.notify_one();
        }
    }
    Ok(())
}

fn email_text(row: &NotificationRow, severity: Severity) -> String {
    format!(
        "{}\n\nSeverity: {}\nSent: {}\n",
        row.message,
        severity.as_str(),
        row.created_at
    )
}

/// The JSON body a customer's webhook receives.
fn webhook_body(row: &NotificationRow) -> String {
    json!({
        "id": row.id,
        "event": NOTIFICATION_EVENT,
        "created_at": timestamp_text(now()),
        "data": {
            "notification_id": row.id,
            "customer_id": row.customer_id,
            "type": row.kind.to_ascii_uppercase(),
            "severity": row.severity,
            "title": row.title,
            "message": row.message,
            "timestamp": row.created_at,
        },
    })
    .to_string()
}
