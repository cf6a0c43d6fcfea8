//! Staff API keys: stored as the SHA-256 of the key, looked up by it, listed and revoked.

use super::{new_id, now_text, Store, StoreError, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiKeyRow {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub role: String,
    pub created_by: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

const COLUMNS: &str = "id, name, prefix, role, created_by, created_at, last_used_at, revoked_at";

impl Store {
    pub async fn insert_api_key(
        &self,
        name: &str,
        prefix: &str,
        key_hash: &str,
        role: &str,
        created_by: &str,
    ) -> StoreResult<ApiKeyRow> {
        sqlx::query_as(&format!(
            "INSERT INTO staff_api_keys (id, name, prefix, key_hash, role, created_by, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {COLUMNS}"
        ))
        .bind(new_id())
        .bind(name)
        .bind(prefix)
        .bind(key_hash)
        .bind(role)
        .bind(created_by)
        .bind(now_text())
        .fetch_one(self.pool())
        .await
        .map_err(|e| StoreError::from_write(e, "API key"))
    }

    /// The key with this hash, revoked or not, and notes its use.
    pub async fn use_api_key(&self, key_hash: &str) -> StoreResult<ApiKeyRow> {
        sqlx::query_as(&format!(
            "UPDATE staff_api_keys SET last_used_at = $1 WHERE key_hash = $2 \
             RETURNING {COLUMNS}"
        ))
        .bind(now_text())
        .bind(key_hash)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)
    }

    /// Every key, newest first.
    pub async fn list_api_keys(&self) -> StoreResult<Vec<ApiKeyRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM staff_api_keys ORDER BY created_at DESC, id"
        ))
        .fetch_all(self.pool())
        .await?)
    }

    /// Revokes a key (once: the first time is kept).
    pub async fn revoke_api_key(&self, id: &str) -> StoreResult<ApiKeyRow> {
        sqlx::query_as(&format!(
            "UPDATE staff_api_keys SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2 \
             RETURNING {COLUMNS}"
        ))
        .bind(now_text())
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)
    }
}
