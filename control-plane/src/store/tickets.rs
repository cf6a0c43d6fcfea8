//! Support tickets and their message threads; internal notes are for staff only.

use super::{new_id, now_text, Page, Paged, Store, StoreError, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TicketRow {
    pub id: String,
    pub customer_id: String,
    pub subject: String,
    pub category: String,
    pub priority: String,
    pub status: String,
    pub assigned_to: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TicketMessageRow {
    pub id: String,
    pub ticket_id: String,
    pub author_kind: String,
    pub author_id: String,
    pub body: String,
    pub internal: i64,
    pub created_at: String,
}

const COLUMNS: &str =
    "id, customer_id, subject, category, priority, status, assigned_to, created_at, updated_at";
const MESSAGE_COLUMNS: &str = "id, ticket_id, author_kind, author_id, body, internal, created_at";

impl Store {
    /// Opens a ticket at `priority` with its first message. Ticket ids are `TKT-<unix milliseconds>` as in
    /// the seed; two tickets in the same millisecond take the next free number.
    pub async fn open_ticket(
        &self,
        customer_id: &str,
        subject: &str,
        category: &str,
        priority: &str,
        message: &str,
    ) -> StoreResult<TicketRow> {
        let now = crate::domain::time::now();
        let now_text = crate::domain::time::timestamp_text(now);
        let base_ms = i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX);
        for attempt in 0..20 {
            let id = format!("TKT-{}", base_ms + attempt);
            let mut tx = self.pool().begin().await?;
            let inserted = sqlx::query_as::<_, TicketRow>(&format!(
                "INSERT INTO support_tickets (id, customer_id, subject, category, priority, status, \
                 created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'open', $6, $6) \
                 RETURNING {COLUMNS}"
            ))
            .bind(&id)
            .bind(customer_id)
            .bind(subject)
            .bind(category)
            .bind(priority)
            .bind(&now_text)
            .fetch_one(&mut *tx)
            .await;
            match inserted {
                Ok(ticket) => {
                    sqlx::query(
                        "INSERT INTO ticket_messages (id, ticket_id, author_kind, author_id, body, \
                         internal, created_at) VALUES ($1, $2, 'customer', $3, $4, 0, $5)",
                    )
                    .bind(new_id())
                    .bind(&id)
                    .bind(customer_id)
                    .bind(message)
                    .bind(&now_text)
                    .execute(&mut *tx)
                    .await?;
                    tx.commit().await?;
                    return Ok(ticket);
                }
                Err(err) => match StoreError::from_write(err, "ticket") {
                    StoreError::Conflict(_) => continue,
                    other => return Err(other),
                },
            }
        }
        Err(StoreError::Conflict(
            "too many tickets opened at this instant; try again".to_owned(),
        ))
    }

    pub async fn customer_tickets(&self, customer_id: &str) -> StoreResult<Vec<TicketRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM support_tickets WHERE customer_id = $1 \
             ORDER BY created_at DESC, id DESC LIMIT 500"
        ))
        .bind(customer_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// A page of the customer's tickets, newest first, with the count of all of them.
    pub async fn customer_tickets_page(
        &self,
        customer_id: &str,
        page: Page,
    ) -> StoreResult<Paged<TicketRow>> {
        let total: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM support_tickets WHERE customer_id = $1")
                .bind(customer_id)
                .fetch_one(self.pool())
                .await?;
        let rows = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM support_tickets WHERE customer_id = $1 \
             ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3"
        ))
        .bind(customer_id)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(self.pool())
        .await?;
        Ok(Paged { rows, total })
    }

    pub async fn customer_ticket(
        &self,
        customer_id: &str,
        ticket_id: &str,
    ) -> StoreResult<TicketRow> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM support_tickets WHERE id = $1 AND customer_id = $2"
        ))
        .bind(ticket_id)
        .bind(customer_id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)
    }

    /// The thread of a ticket; `include_internal` is true only for staff.
    pub async fn ticket_messages(
        &self,
        ticket_id: &str,
        include_internal: bool,
    ) -> StoreResult<Vec<TicketMessageRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM ticket_messages WHERE ticket_id = $1 \
             AND ($2 = 1 OR internal = 0) ORDER BY created_at, id"
        ))
        .bind(ticket_id)
        .bind(i64::from(include_internal))
        .fetch_all(self.pool())
        .await?)
    }

    /// Adds a message to a ticket; a customer's reply reopens a resolved ticket.
    pub async fn add_ticket_message(
        &self,
        ticket_id: &str,
        author_kind: &str,
        author_id: &str,
        body: &str,
        internal: bool,
    ) -> StoreResult<TicketMessageRow> {
        let now = now_text();
        let mut tx = self.pool().begin().await?;
        let message = sqlx::query_as(&format!(
            "INSERT INTO ticket_messages (id, ticket_id, author_kind, author_id, body, internal, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {MESSAGE_COLUMNS}"
        ))
        .bind(new_id())
        .bind(ticket_id)
        .bind(author_kind)
        .bind(author_id)
        .bind(body)
        .bind(i64::from(internal))
        .bind(&now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| StoreError::from_write(e, "ticket message"))?;
        let reopen = if author_kind == "customer" { 1_i64 } else { 0 };
        sqlx::query(
            "UPDATE support_tickets SET updated_at = $1, \
             status = CASE WHEN $2 = 1 AND status = 'resolved' THEN 'open' ELSE status END \
             WHERE id = $3",
        )
        .bind(&now)
        .bind(reopen)
        .bind(ticket_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(message)
    }
}
