//! Webhooks and their delivery log: registering and deactivating webhooks, storing one
//! delivery per subscribed webhook for an event, and the delivery loop's claim and outcome.

use super::{new_id, now_text, Store, StoreError, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct WebhookRow {
    pub id: String,
    pub url: String,
    /// Event names, comma-separated.
    pub events: String,
    /// The signing key; never logged, shown to staff only when the webhook is created.
    pub secret: String,
    pub active: i64,
    pub created_by: Option<String>,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DeliveryRow {
    pub id: String,
    pub webhook_id: String,
    pub event: String,
    pub payload: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub last_status_code: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: String,
    pub delivered_at: Option<String>,
}

/// A delivery due now, with where and how to send it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DueDelivery {
    pub id: String,
    pub event: String,
    pub payload: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub url: String,
    pub secret: String,
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptOutcome {
    Delivered {
        status_code: i64,
    },
    /// Failed; tried again at `next_attempt_at`.
    Retry {
        status_code: Option<i64>,
        error: String,
        next_attempt_at: String,
    },
    /// Failed for the last time.
    Failed {
        status_code: Option<i64>,
        error: String,
    },
}

const WEBHOOK_COLUMNS: &str = "id, url, events, secret, active, created_by, created_at";
const DELIVERY_COLUMNS: &str = "id, webhook_id, event, payload, status, attempts, \
    next_attempt_at, last_status_code, last_error, created_at, delivered_at";

impl Store {
    pub async fn insert_webhook(
        &self,
        url: &str,
        events: &[String],
        secret: &str,
        created_by: &str,
    ) -> StoreResult<WebhookRow> {
        sqlx::query_as(&format!(
            "INSERT INTO webhooks (id, url, events, secret, active, created_by, created_at) \
             VALUES ($1, $2, $3, $4, 1, $5, $6) RETURNING {WEBHOOK_COLUMNS}"
        ))
        .bind(new_id())
        .bind(url)
        .bind(events.join(","))
        .bind(secret)
        .bind(created_by)
        .bind(now_text())
        .fetch_one(self.pool())
        .await
        .map_err(|e| StoreError::from_write(e, "webhook"))
    }

    /// Every webhook, active ones first, newest first.
    pub async fn list_webhooks(&self) -> StoreResult<Vec<WebhookRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {WEBHOOK_COLUMNS} FROM webhooks ORDER BY active DESC, created_at DESC, id"
        ))
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn webhook(&self, id: &str) -> StoreResult<WebhookRow> {
        sqlx::query_as(&format!(
            "SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)
    }

    /// Stops a webhook: no new deliveries, pending ones are not sent; its log is kept.
    pub async fn deactivate_webhook(&self, id: &str) -> StoreResult<()> {
        let mut tx = self.pool().begin().await?;
        let found = sqlx::query("UPDATE webhooks SET active = 0 WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if found == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query(
            "UPDATE webhook_deliveries SET status = 'failed', last_error = 'webhook removed' \
             WHERE webhook_id = $1 AND status = 'pending'",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Pending deliveries of active webhooks due at `now`, oldest first, at most `limit`.
    pub async fn due_deliveries(&self, now: &str, limit: i64) -> StoreResult<Vec<DueDelivery>> {
        Ok(sqlx::query_as(
            "SELECT d.id, d.event, d.payload, d.attempts, d.next_attempt_at, w.url, w.secret \
             FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id \
             WHERE d.status = 'pending' AND w.active = 1 AND d.next_attempt_at <= $1 \
             ORDER BY d.next_attempt_at, d.id LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    /// Takes a due delivery for one attempt by moving its next attempt to `lease_until`;
    /// `false` when another replica took it first.
    pub async fn claim_delivery(&self, d: &DueDelivery, lease_until: &str) -> StoreResult<bool> {
        Ok(sqlx::query(
            "UPDATE webhook_deliveries SET next_attempt_at = $1 \
             WHERE id = $2 AND status = 'pending' AND next_attempt_at = $3",
        )
        .bind(lease_until)
        .bind(&d.id)
        .bind(&d.next_attempt_at)
        .execute(self.pool())
        .await?
        .rows_affected()
            == 1)
    }

    /// Records an attempt's outcome.
    pub async fn finish_attempt(&self, id: &str, outcome: &AttemptOutcome) -> StoreResult<()> {
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
            "UPDATE webhook_deliveries SET status = $1, attempts = attempts + 1, \
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

    /// A webhook's deliveries, newest first, at most `limit`.
    pub async fn webhook_deliveries(
        &self,
        webhook_id: &str,
        limit: i64,
    ) -> StoreResult<Vec<DeliveryRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE webhook_id = $1 \
             ORDER BY created_at DESC, id DESC LIMIT $2"
        ))
        .bind(webhook_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }
}

impl Store {
    /// Stores one pending delivery of `payload` as `event` for `webhook_id` alone, due at once
    /// (a test send); its id. `NotFound` for no such webhook or a removed one.
    pub async fn enqueue_test_delivery(
        &self,
        webhook_id: &str,
        event: &str,
        payload: &str,
    ) -> StoreResult<String> {
        let id = new_id();
        let now = now_text();
        let stored = sqlx::query(
            "INSERT INTO webhook_deliveries (id, webhook_id, event, payload, status, \
             attempts, next_attempt_at, created_at) SELECT $1, id, $2, $3, 'pending', 0, $4, $4 \
             FROM webhooks WHERE id = $5 AND active = 1",
        )
        .bind(&id)
        .bind(event)
        .bind(payload)
        .bind(&now)
        .bind(webhook_id)
        .execute(self.pool())
        .await?
        .rows_affected();
        if stored == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(id)
    }
}

/// Stores one pending delivery of `payload` for every active webhook subscribed to `event`,
/// due at once, inside the caller's transaction; returns how many.
pub async fn enqueue_deliveries(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    event: &str,
    payload: &str,
) -> StoreResult<u64> {
    let webhooks: Vec<(String, String)> =
        sqlx::query_as("SELECT id, events FROM webhooks WHERE active = 1")
            .fetch_all(&mut **tx)
            .await?;
    let now = now_text();
    let mut stored = 0;
    for (webhook_id, events) in webhooks {
        if !events.split(',').any(|e| e == event) {
            continue;
        }
        sqlx::query(
            "INSERT INTO webhook_deliveries (id, webhook_id, event, payload, status, \
             attempts, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, 'pending', 0, \
             $5, $5)",
        )
        .bind(new_id())
        .bind(&webhook_id)
        .bind(event)
        .bind(payload)
        .bind(&now)
        .execute(&mut **tx)
        .await?;
        stored += 1;
    }
    Ok(stored)
}
