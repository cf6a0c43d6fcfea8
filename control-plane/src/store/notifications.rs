//! Notifications to subscribers: created once per `(customer, dedupe_key)`, listed newest
//! first, marked read by their own subscriber.

use super::{new_id, now_text, Page, Paged, Store, StoreError, StoreResult};
use crate::alerts::severity::Severity;
use crate::webhooks::emit::{emit, WebhookEvent};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct NotificationRow {
    pub id: String,
    pub customer_id: String,
    /// `expiry_warning`.
    pub kind: String,
    pub title: String,
    pub message: String,
    /// `info`, `warning` or `critical`, from the kind (`alerts::severity`).
    pub severity: String,
    pub read_at: Option<String>,
    pub created_at: String,
}

/// One notification to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotification {
    pub customer_id: String,
    pub kind: String,
    pub title: String,
    pub message: String,
    pub dedupe_key: String,
}

const COLUMNS: &str = "id, customer_id, kind, title, message, severity, read_at, created_at";

impl Store {
    /// Active customers paid until a day from `first_day` to `last_day` (both included):
    /// (id, expiry date).
    pub async fn expiring_customers(
        &self,
        first_day: &str,
        last_day: &str,
    ) -> StoreResult<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT id, expiry_date FROM customers WHERE status = 'active' \
             AND expiry_date IS NOT NULL AND expiry_date >= $1 AND expiry_date <= $2 ORDER BY id",
        )
        .bind(first_day)
        .bind(last_day)
        .fetch_all(self.pool())
        .await?)
    }

    /// Creates the notification unless the customer has one with its `dedupe_key`, and with it
    /// in the same transaction the webhook `events` it announces; `true` when created.
    pub async fn create_notification(
        &self,
        n: &NewNotification,
        events: &[WebhookEvent],
    ) -> StoreResult<bool> {
        Ok(self.insert_notification(n, events).await?.is_some())
    }

    /// Like `create_notification`, returning the new row (`None` when it existed), with the
    /// severity of its kind.
    pub async fn insert_notification(
        &self,
        n: &NewNotification,
        events: &[WebhookEvent],
    ) -> StoreResult<Option<NotificationRow>> {
        let mut tx = self.pool().begin().await?;
        let row: Option<NotificationRow> = sqlx::query_as(&format!(
            "INSERT INTO notifications (id, customer_id, kind, title, message, severity, \
             dedupe_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (customer_id, dedupe_key) DO NOTHING RETURNING {COLUMNS}"
        ))
        .bind(new_id())
        .bind(&n.customer_id)
        .bind(&n.kind)
        .bind(&n.title)
        .bind(&n.message)
        .bind(Severity::of_kind(&n.kind).as_str())
        .bind(&n.dedupe_key)
        .bind(now_text())
        .fetch_optional(&mut *tx)
        .await
        .map_err(|e| StoreError::from_write(e, "notification"))?;
        if row.is_some() {
            emit(&mut tx, events).await?;
        }
        tx.commit().await?;
        Ok(row)
    }

    /// Active subscribers on any device of `site_id` (BRAS, OLT, CPE or bound port).
    pub async fn active_customers_of_site(&self, site_id: &str) -> StoreResult<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT c.id FROM customers c JOIN devices d ON d.id IN \
             (c.bras_device_id, c.olt_device_id, c.cpe_device_id, c.port_device_id) \
             WHERE d.site_id = $1 AND c.status = 'active' ORDER BY c.id",
        )
        .bind(site_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// The customer's notifications, newest first; only unread ones when `unread_only`.
    pub async fn customer_notifications(
        &self,
        customer_id: &str,
        unread_only: bool,
        page: Page,
    ) -> StoreResult<Paged<NotificationRow>> {
        let condition = "customer_id = $1 AND ($2 = 0 OR read_at IS NULL)";
        let total: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM notifications WHERE {condition}"
        ))
        .bind(customer_id)
        .bind(i64::from(unread_only))
        .fetch_one(self.pool())
        .await?;
        let rows = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM notifications WHERE {condition} \
             ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4"
        ))
        .bind(customer_id)
        .bind(i64::from(unread_only))
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(self.pool())
        .await?;
        Ok(Paged { rows, total })
    }

    /// Marks the customer's own notification read (once: the first time is kept).
    pub async fn mark_notification_read(
        &self,
        customer_id: &str,
        id: &str,
    ) -> StoreResult<NotificationRow> {
        sqlx::query_as(&format!(
            "UPDATE notifications SET read_at = COALESCE(read_at, $1) \
             WHERE id = $2 AND customer_id = $3 RETURNING {COLUMNS}"
        ))
        .bind(now_text())
        .bind(id)
        .bind(customer_id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)
    }
}
