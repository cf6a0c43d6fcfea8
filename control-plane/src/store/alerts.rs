//! Alert preferences per customer and the alert outbox (`alert_deliveries`): one row per
//! notification and channel, claimed with a lease by the delivery loop and finished with the
//! attempt's outcome, which makes it the delivery log as well.

use super::webhooks::AttemptOutcome;
use super::{new_id, now_text, Store, StoreError, StoreResult};

/// A customer's stored preferences; a customer without a row has the defaults of
/// `alerts::preferences`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AlertPreferencesRow {
    pub customer_id: String,
    pub email_enabled: i64,
    /// `None`: the profile's email.
    pub email_address: Option<String>,
    pub webhook_enabled: i64,
    pub webhook_url: Option<String>,
    /// The HMAC-SHA256 key of the customer's webhook deliveries; never logged.
    pub webhook_secret: Option<String>,
    pub min_severity: String,
    pub updated_by: String,
    pub updated_at: String,
}

/// Preferences to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertPreferencesFields {
    pub email_enabled: bool,
    pub email_address: Option<String>,
    pub webhook_enabled: bool,
    pub webhook_url: Option<String>,
    pub webhook_secret: Option<String>,
    pub min_severity: String,
}

/// One alert to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAlertDelivery {
    pub customer_id: String,
    pub notification_id: String,
    /// `email` or `webhook`.
    pub channel: &'static str,
    /// The address or URL.
    pub target: String,
    /// Email subject, or the webhook event name.
    pub subject: String,
    /// Email text, or the webhook's JSON body.
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AlertDeliveryRow {
    pub id: String,
    pub customer_id: String,
    pub notification_id: String,
    pub channel: String,
    pub target: String,
    pub subject: String,
    pub body: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub last_status_code: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: String,
    pub delivered_at: Option<String>,
}

/// A pending alert due now, with the customer's current webhook secret.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DueAlert {
    pub id: String,
    pub customer_id: String,
    pub target: String,
    pub subject: String,
    pub body: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub webhook_secret: Option<String>,
}

const PREFERENCE_COLUMNS: &str = "customer_id, email_enabled, email_address, webhook_enabled, \
    webhook_url, webhook_secret, min_severity, updated_by, updated_at";
const DELIVERY_COLUMNS: &str = "id, customer_id, notification_id, channel, target, subject, \
    body, status, attempts, next_attempt_at, last_status_code, last_error, created_at, \
    delivered_at";

impl Store {
    pub async fn alert_preferences(
        &self,
        customer_id: &str,
    ) -> StoreResult<Option<AlertPreferencesRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {PREFERENCE_COLUMNS} FROM alert_preferences WHERE customer_id = $1"
        ))
        .bind(customer_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Stores the customer's preferences, replacing earlier ones.
    pub async fn put_alert_preferences(
        &self,
        customer_id: &str,
        f: &AlertPreferencesFields,
        updated_by: &str,
    ) -> StoreResult<AlertPreferencesRow> {
        sqlx::query_as(&format!(
            "INSERT INTO alert_preferences ({PREFERENCE_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (customer_id) DO UPDATE SET email_enabled = $2, email_address = $3, \
             webhook_enabled = $4, webhook_url = $5, webhook_secret = $6, min_severity = $7, \
             updated_by = $8, updated_at = $9 RETURNING {PREFERENCE_COLUMNS}"
        ))
        .bind(customer_id)
        .bind(i64::from(f.email_enabled))
        .bind(&f.email_address)
        .bind(i64::from(f.webhook_enabled))
        .bind(&f.webhook_url)
        .bind(&f.webhook_secret)
        .bind(&f.min_severity)
        .bind(updated_by)
        .bind(now_text())
        .fetch_one(self.pool())
        .await
        .map_err(|e| StoreError::from_write(e, "alert preferences"))
    }

    /// Queues an alert due at once, unless the notification already has one on the channel;
    /// `true` when queued.
    pub async fn enqueue_alert(&self, a: &NewAlertDelivery) -> StoreResult<bool> {
        let now = now_text();
        Ok(sqlx::query(
            "INSERT INTO alert_deliveries (id, customer_id, notification_id, channel, target, \
             subject, body, status, attempts, next_attempt_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $8, $8) \
             ON CONFLICT (notification_id, channel) DO NOTHING",
        )
        .bind(new_id())
        .bind(&a.customer_id)
        .bind(&a.notification_id)
        .bind(a.channel)
        .bind(&a.target)
        .bind(&a.subject)
        .bind(&a.body)
        .bind(&now)
        .execute(self.pool())
        .await
        .map_err(|e| StoreError::from_write(e, "alert"))?
        .rows_affected()
            == 1)
    }

    /// Pending alerts of `channel` due at `now`, oldest first, at most `limit`.
    pub async fn due_alerts(
        &self,
        channel: &str,
        now: &str,
        limit: i64,
    ) -> StoreResult<Vec<DueAlert>> {
        Ok(sqlx::query_as(
            "SELECT d.id, d.customer_id, d.target, d.subject, d.body, d.attempts, \
             d.next_attempt_at, p.webhook_secret FROM alert_deliveries d \
             LEFT JOIN alert_preferences p ON p.customer_id = d.customer_id \
             WHERE d.channel = $1 AND d.status = 'pending' AND d.next_attempt_at <= $2 \
             ORDER BY d.next_attempt_at, d.created_at, d.id LIMIT $3",
        )
        .bind(channel)
        .bind(now)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    /// Takes a due alert for one attempt by moving its next attempt to `lease_until`;
    /// `false` when another replica took it first.
    pub async fn claim_alert(&self, a: &DueAlert, lease_until: &str) -> StoreResult<bool> {
        Ok(sqlx::query(
            "UPDATE alert_deliveries SET next_attempt_at = $1 \
             WHERE id = $2 AND status = 'pending' AND next_attempt_at = $3",
        )
        .bind(lease_until)
        .bind(&a.id)
        .bind(&a.next_attempt_at)
        .execute(self.pool())
        .await?
        .rows_affected()
            == 1)
    }

    /// Records an attempt's outcome.
    pub async fn finish_alert_attempt(
        &self,
        id: &str,
        outcome: &AttemptOutcome,
    ) -> StoreResult<()> {
        let (status, code, error, next, delivered_at) = match outcome {
            AttemptOutcome::Delivered { status_code } => (
                "delivered",
                Some(*status_code),
                None,
                None,
                Some(now_text()),
            ),
            AttemptOutcome::Retry {
                status_code,
                error,
                next_attempt_at,
            } => (
                "pending",
                *status_code,
                Some(error.clone()),
                Some(next_attempt_at.clone()),
                None,
            ),
            AttemptOutcome::Failed { status_code, error } => {
                ("failed", *status_code, Some(error.clone()), None, None)
            }
        };
        sqlx::query(
            "UPDATE alert_deliveries SET status = $1, attempts = attempts + 1, \
             last_status_code = $2, last_error = $3, \
             next_attempt_at = COALESCE($4, next_attempt_at), delivered_at = $5 WHERE id = $6",
        )
        .bind(status)
        .bind(code)
        .bind(error)
        .bind(next)
        .bind(delivered_at)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The customer's alert deliveries, newest first, at most `limit`.
    pub async fn customer_alert_deliveries(
        &self,
        customer_id: &str,
        limit: i64,
    ) -> StoreResult<Vec<AlertDeliveryRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM alert_deliveries WHERE customer_id = $1 \
             ORDER BY created_at DESC, id DESC LIMIT $2"
        ))
        .bind(customer_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }
}
