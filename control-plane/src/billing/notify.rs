//! Billing's notifications to subscribers: the job's expiry warnings (one per subscriber,
//! expiry date and configured warning, safe to repeat and to run on two replicas at once),
//! suspension for money due and payments received.

use serde_json::json;
use time::{Date, Duration};

use super::expiry_warning::warning_due;
use crate::alerts::severity::kind;
use crate::domain::money::Money;
use crate::domain::time::{date_text, parse_date};
use crate::http::AppState;
use crate::store::notifications::NewNotification;
use crate::store::settlement::Settlement;
use crate::store::StoreError;
use crate::webhooks::emit::{wake, WebhookEvent};
use crate::webhooks::events;

/// The kind of an expiry warning in `notifications`.
pub const EXPIRY_WARNING: &str = crate::alerts::severity::kind::EXPIRY_WARNING;

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
        if crate::alerts::notify(state, &notification, &[event]).await? {
            created += 1;
        }
    }
    if created > 0 {
        wake(state);
    }
    Ok(created)
}

/// Tells a subscriber their service was suspended at expiry (critical). Logged on failure:
/// the suspension has already happened.
pub async fn notify_suspended(state: &AppState, customer_id: &str, expiry: &str) {
    let notification = NewNotification {
        customer_id: customer_id.to_owned(),
        kind: kind::SUSPENSION.to_owned(),
        title: "Service suspended".to_owned(),
        message: format!(
            "Your service was suspended: it was paid until {expiry} and money is due. Paying \
             the amount due reconnects it at once."
        ),
        dedupe_key: format!("suspended:{expiry}"),
    };
    send(state, &notification).await;
}

/// Tells a subscriber their payment was received (info). Logged on failure: the payment has
/// already been settled.
pub async fn notify_payment(state: &AppState, s: &Settlement) {
    let notification = NewNotification {
        customer_id: s.payment.customer_id.clone(),
        kind: kind::PAYMENT.to_owned(),
        title: "Payment received".to_owned(),
        message: format!(
            "We received your payment of {} ({}). Amount due now: {}.",
            Money::from_minor(s.payment.amount_minor),
            s.payment.payment_method,
            Money::from_minor(s.due_amount_minor),
        ),
        dedupe_key: format!("payment:{}", s.payment.id),
    };
    send(state, &notification).await;
}

async fn send(state: &AppState, notification: &NewNotification) {
    if let Err(err) = crate::alerts::notify(state, notification, &[]).await {
        tracing::error!(customer = %notification.customer_id, kind = %notification.kind,
            error = %err, "notification not stored");
    }
}
