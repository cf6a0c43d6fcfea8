//! Edge agents: registration with a hashed token, revocation, and the progress each agent's
//! stream has made (last acknowledged batch, last seen, clock offset).

use super::{new_id, now_text, Store, StoreError, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AgentRow {
    pub id: String,
    pub name: String,
    pub site_id: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
    pub last_seen_at: Option<String>,
    pub agent_version: Option<String>,
    pub protocol_version: Option<i64>,
    pub clock_offset_ms: Option<i64>,
    pub last_batch_seq: Option<i64>,
}

/// What an agent's stream has reached, written back in batches by the ingest flusher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentProgressRow {
    pub agent_id: String,
    pub last_batch_seq: Option<i64>,
    pub last_seen_at: String,
    pub clock_offset_ms: Option<i64>,
}

const COLUMNS: &str = "id, name, site_id, created_at, revoked_at, last_seen_at, agent_version, \
    protocol_version, clock_offset_ms, last_batch_seq";

impl Store {
    /// Registers an agent; `token_hash` is the hex SHA-256 of the token handed out once.
    pub async fn insert_agent(
        &self,
        name: &str,
        site_id: &str,
        token_hash: &str,
    ) -> StoreResult<AgentRow> {
        sqlx::query_as(&format!(
            "INSERT INTO agents (id, name, site_id, token_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING {COLUMNS}"
        ))
        .bind(new_id())
        .bind(name)
        .bind(site_id)
        .bind(token_hash)
        .bind(now_text())
        .fetch_one(self.pool())
        .await
        .map_err(|e| StoreError::from_write(e, "agent"))
    }

    /// Every agent, by name.
    pub async fn list_agents(&self) -> StoreResult<Vec<AgentRow>> {
        Ok(
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM agents ORDER BY name, id"))
                .fetch_all(self.pool())
                .await?,
        )
    }

    pub async fn agent(&self, id: &str) -> StoreResult<AgentRow> {
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM agents WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// The agent a token belongs to, revoked or not.
    pub async fn agent_by_token_hash(&self, token_hash: &str) -> StoreResult<Option<AgentRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM agents WHERE token_hash = $1"
        ))
        .bind(token_hash)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Revokes an agent's token; revoking twice keeps the first time.
    pub async fn revoke_agent(&self, id: &str) -> StoreResult<AgentRow> {
        sqlx::query_as(&format!(
            "UPDATE agents SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2 \
             RETURNING {COLUMNS}"
        ))
        .bind(now_text())
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)
    }

    /// Records an accepted handshake: software and protocol version, and when.
    pub async fn record_agent_hello(
        &self,
        id: &str,
        agent_version: &str,
        protocol_version: u16,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE agents SET agent_version = $1, protocol_version = $2, last_seen_at = $3 \
             WHERE id = $4",
        )
        .bind(agent_version)
        .bind(i64::from(protocol_version))
        .bind(now_text())
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Writes agents' progress in one transaction. The stored batch sequence never goes back.
    pub async fn save_agent_progress(&self, rows: &[AgentProgressRow]) -> StoreResult<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool().begin().await?;
        for row in rows {
            sqlx::query(
                "UPDATE agents SET last_seen_at = $1, \
                 clock_offset_ms = COALESCE($2, clock_offset_ms), \
                 last_batch_seq = CASE WHEN last_batch_seq IS NULL OR last_batch_seq < $3 \
                 THEN $3 ELSE last_batch_seq END WHERE id = $4",
            )
            .bind(&row.last_seen_at)
            .bind(row.clock_offset_ms)
            .bind(row.last_batch_seq)
            .bind(&row.agent_id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
