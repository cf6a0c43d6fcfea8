//! The billing job's expiry warnings: one notification per subscriber, expiry date and
//! configured warning, safe to repeat and to run on two replicas at once.

use serde_json::json;
use time::{Date, Duration};

use super::expiry_warning::warning_due;
use crate::domain::time::{date_text, parse_date};
use crate::http::AppState;
use crate::store::notifications::NewNotification;
use crate::store::StoreError;
use crate::webhooks::emit::{wake, WebhookEvent};
use crate::webhooks::events;

/// The kind of an expiry warning in `notifications`.
pub const EXPIRY_WARNING: &str = "expiry_warning";

/// Creates the expiry warnings due `today`; returns how many were new.
pub async fn warn_expiring(state: &AppState, today: Date) -> Result<u64, StoreError> {
    let days = &state.billing.settings.expiry_warning_days;
    let Some(furthest) = days.iter().max() else {
        return Ok(0);
    };
    let last_day = today + Duration::days(i64::from(*furthest));
    let mut created = 0;
    for (customer_id, expiry) in state
        .store
        .expiring_customers(&date_text(today), &date_text(last_day))
        .await?
    {
        let Some(expiry_date) = parse_date(&expiry) else {
            continue;
        };
        let Some(warning) = warning_due(today, expiry_date, days) else {
            continue;
        };
        let event = WebhookEvent::new(
            events::EXPIRY_WARNING,
            json!({ "customer_id": customer_id, "expiry_date": expiry,
                    "title": warning.title, "message": warning.message }),
        );
        let notification = NewNotification {
            customer_id,
            kind: EXPIRY_WARNING.to_owned(),
            title: warning.title,
            message: warning.message,
            dedupe_key: warning.dedupe_key,
        };
        if state
            .store
            .create_notification(&notification, &[event])
            .await?
        {
            created += 1;
        }
    }
    if created > 0 {
        wake(state);
    }
    Ok(created)
}
