//! Device commands: one row per action on a device, from request to its final state.

use super::{new_id, now_text, Page, Paged, Store, StoreError, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CommandRow {
    pub id: String,
    pub kind: String,
    pub requester_kind: String,
    pub requester_id: String,
    pub customer_id: Option<String>,
    pub device_id: Option<String>,
    pub target: String,
    pub params: String,
    pub state: String,
    pub detail: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewCommand {
    pub kind: String,
    pub requester_kind: String,
    pub requester_id: String,
    pub customer_id: Option<String>,
    pub device_id: Option<String>,
    /// What the command acts on, in words a NOC engineer reads ("pppoe:rahim", "onu:OLT-1 0/1/1:7").
    pub target: String,
    /// JSON object of the kind's parameters.
    pub params: String,
}

#[derive(Debug, Clone, Default)]
pub struct CommandFilter {
    pub customer_id: Option<String>,
    pub state: Option<String>,
    pub kind: Option<String>,
}

const COLUMNS: &str = "id, kind, requester_kind, requester_id, customer_id, device_id, target, \
    params, state, detail, created_at, updated_at";

impl Store {
    /// Queues a command.
    pub async fn insert_command(&self, c: &NewCommand) -> StoreResult<CommandRow> {
        sqlx::query_as(&format!(
            "INSERT INTO device_commands (id, kind, requester_kind, requester_id, customer_id, \
             device_id, target, params, state, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, \
             $6, $7, $8, 'queued', $9, $9) RETURNING {COLUMNS}"
        ))
        .bind(new_id())
        .bind(&c.kind)
        .bind(&c.requester_kind)
        .bind(&c.requester_id)
        .bind(&c.customer_id)
        .bind(&c.device_id)
        .bind(&c.target)
        .bind(&c.params)
        .bind(now_text())
        .fetch_one(self.pool())
        .await
        .map_err(|e| StoreError::from_write(e, "device command"))
    }

    /// When the customer last asked for a command of this kind, if ever.
    pub async fn last_customer_command_at(
        &self,
        customer_id: &str,
        kind: &str,
    ) -> StoreResult<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT MAX(created_at) FROM device_commands WHERE customer_id = $1 AND kind = $2 \
             AND requester_kind = 'customer'",
        )
        .bind(customer_id)
        .bind(kind)
        .fetch_one(self.pool())
        .await?)
    }

    /// The command of `kind` on this device and target that is queued, sent or running.
    pub async fn in_flight_command(
        &self,
        kind: &str,
        device_id: &str,
        target: &str,
    ) -> StoreResult<Option<CommandRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM device_commands WHERE kind = $1 AND device_id = $2 \
             AND target = $3 AND state IN ('queued', 'sent', 'running') \
             ORDER BY created_at DESC LIMIT 1"
        ))
        .bind(kind)
        .bind(device_id)
        .bind(target)
        .fetch_optional(self.pool())
        .await?)
    }

    /// When a command of `kind` on this device and target was last queued, by anyone.
    pub async fn last_target_command_at(
        &self,
        kind: &str,
        device_id: &str,
        target: &str,
    ) -> StoreResult<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT MAX(created_at) FROM device_commands WHERE kind = $1 AND device_id = $2 \
             AND target = $3",
        )
        .bind(kind)
        .bind(device_id)
        .bind(target)
        .fetch_one(self.pool())
        .await?)
    }

    pub async fn command(&self, id: &str) -> StoreResult<CommandRow> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM device_commands WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)
    }

    pub async fn list_commands(
        &self,
        filter: &CommandFilter,
        page: Page,
    ) -> StoreResult<Paged<CommandRow>> {
        let condition = "($1 IS NULL OR customer_id = $1) AND ($2 IS NULL OR state = $2) \
            AND ($3 IS NULL OR kind = $3)";
        let total: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM device_commands WHERE {condition}"
        ))
        .bind(&filter.customer_id)
        .bind(&filter.state)
        .bind(&filter.kind)
        .fetch_one(self.pool())
        .await?;
        let rows = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM device_commands WHERE {condition} \
             ORDER BY created_at DESC, id DESC LIMIT $4 OFFSET $5"
        ))
        .bind(&filter.customer_id)
        .bind(&filter.state)
        .bind(&filter.kind)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(self.pool())
        .await?;
        Ok(Paged { rows, total })
    }
}
