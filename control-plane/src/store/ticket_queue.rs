//! The support ticket queue as staff see it: every customer's tickets with filters, one ticket
//! with its customer and assignee, and staff changes of status, priority and assignee.

use super::{now_text, Page, Paged, Store, StoreError, StoreResult};

/// A ticket with the names staff read next to it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct QueuedTicketRow {
    pub id: String,
    pub customer_id: String,
    pub customer_code: String,
    pub customer_name: String,
    pub subject: String,
    pub category: String,
    pub priority: String,
    pub status: String,
    /// The assigned staff member's id and username.
    pub assigned_to: Option<String>,
    pub assignee_username: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// Which tickets to list; `None` matches any.
#[derive(Debug, Clone, Default)]
pub struct TicketQueueFilter {
    pub status: Option<String>,
    pub priority: Option<String>,
    pub assignee: Option<TicketAssignee>,
}

/// A filter on the assignee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TicketAssignee {
    Unassigned,
    Staff(String),
}

/// A staff change of a ticket; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct TicketUpdate {
    pub status: Option<String>,
    pub priority: Option<String>,
    /// `Some(None)` unassigns.
    pub assigned_to: Option<Option<String>>,
}

const SELECT: &str = "SELECT t.id, t.customer_id, c.customer_code, c.name AS customer_name, \
    t.subject, t.category, t.priority, t.status, t.assigned_to, s.username AS assignee_username, \
    t.created_at, t.updated_at \
    FROM support_tickets t \
    JOIN customers c ON c.id = t.customer_id \
    LEFT JOIN staff_users s ON s.id = t.assigned_to";

impl Store {
    /// Tickets most recently updated first, so the newest activity leads the queue.
    pub async fn list_ticket_queue(
        &self,
        filter: &TicketQueueFilter,
        page: Page,
    ) -> StoreResult<Paged<QueuedTicketRow>> {
        let (unassigned, assignee) = match &filter.assignee {
            None => (0_i64, None),
            Some(TicketAssignee::Unassigned) => (1, None),
            Some(TicketAssignee::Staff(id)) => (0, Some(id.clone())),
        };
        let condition = "($1 IS NULL OR t.status = $1) AND ($2 IS NULL OR t.priority = $2) \
            AND ($3 IS NULL OR t.assigned_to = $3) AND ($4 = 0 OR t.assigned_to IS NULL)";
        let total: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM support_tickets t WHERE {condition}"
        ))
        .bind(&filter.status)
        .bind(&filter.priority)
        .bind(&assignee)
        .bind(unassigned)
        .fetch_one(self.pool())
        .await?;
        let rows = sqlx::query_as(&format!(
            "{SELECT} WHERE {condition} ORDER BY t.updated_at DESC, t.id DESC LIMIT $5 OFFSET $6"
        ))
        .bind(&filter.status)
        .bind(&filter.priority)
        .bind(&assignee)
        .bind(unassigned)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(self.pool())
        .await?;
        Ok(Paged { rows, total })
    }

    pub async fn queued_ticket(&self, id: &str) -> StoreResult<QueuedTicketRow> {
        sqlx::query_as(&format!("{SELECT} WHERE t.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Applies a staff change and returns the ticket as it now is.
    pub async fn update_ticket(
        &self,
        id: &str,
        update: &TicketUpdate,
    ) -> StoreResult<QueuedTicketRow> {
        let (set_assignee, assignee) = match &update.assigned_to {
            None => (0_i64, None),
            Some(assignee) => (1, assignee.clone()),
        };
        let changed = sqlx::query(
            "UPDATE support_tickets SET status = COALESCE($1, status), \
             priority = COALESCE($2, priority), \
             assigned_to = CASE WHEN $3 = 1 THEN $4 ELSE assigned_to END, updated_at = $5 \
             WHERE id = $6",
        )
        .bind(&update.status)
        .bind(&update.priority)
        .bind(set_assignee)
        .bind(&assignee)
        .bind(now_text())
        .bind(id)
        .execute(self.pool())
        .await
        .map_err(|e| StoreError::from_write(e, "ticket"))?;
        if changed.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        self.queued_ticket(id).await
    }
}
