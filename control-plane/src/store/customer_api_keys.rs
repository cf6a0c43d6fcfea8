//! Customer API keys: stored as the SHA-256 of the key, always read and revoked through the
//! owning customer's id, and counted per request served (per key and per customer-month).

use super::{new_id, now_text, Store, StoreError, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CustomerApiKeyRow {
    pub id: String,
    pub customer_id: String,
    pub name: String,
    pub prefix: String,
    /// Space-separated scope names.
    pub scopes: String,
    pub created_by_kind: String,
    pub created_by_id: String,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub last_used_at: Option<String>,
    pub request_count: i64,
    pub revoked_at: Option<String>,
}

/// A key to store; the key itself never reaches the store, only its hash.
#[derive(Debug, Clone)]
pub struct NewCustomerApiKey<'a> {
    pub customer_id: &'a str,
    pub name: &'a str,
    pub prefix: &'a str,
    pub key_hash: &'a str,
    pub scopes: &'a str,
    pub created_by_kind: &'a str,
    pub created_by_id: &'a str,
    pub expires_at: Option<&'a str>,
}

const COLUMNS: &str = "id, customer_id, name, prefix, scopes, created_by_kind, created_by_id, \
    created_at, expires_at, last_used_at, request_count, revoked_at";

impl Store {
    pub async fn insert_customer_api_key(
        &self,
        key: &NewCustomerApiKey<'_>,
    ) -> StoreResult<CustomerApiKeyRow> {
        sqlx::query_as(&format!(
            "INSERT INTO customer_api_keys (id, customer_id, name, prefix, key_hash, scopes, \
             created_by_kind, created_by_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING {COLUMNS}"
        ))
        .bind(new_id())
        .bind(key.customer_id)
        .bind(key.name)
        .bind(key.prefix)
        .bind(key.key_hash)
        .bind(key.scopes)
        .bind(key.created_by_kind)
        .bind(key.created_by_id)
        .bind(now_text())
        .bind(key.expires_at)
        .fetch_one(self.pool())
        .await
        .map_err(|e| StoreError::from_write(e, "API key"))
    }

    /// The key with this hash, revoked, expired or not; changes nothing.
    pub async fn customer_api_key_by_hash(&self, key_hash: &str) -> StoreResult<CustomerApiKeyRow> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM customer_api_keys WHERE key_hash = $1"
        ))
        .bind(key_hash)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)
    }

    /// Counts one request served by the key: its own count and last use, and its customer's
    /// count for the month of `now` (`YYYY-MM`), in one transaction.
    pub async fn count_customer_api_key_use(&self, key: &CustomerApiKeyRow) -> StoreResult<()> {
        let now = now_text();
        let month = &now[..7];
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "UPDATE customer_api_keys SET request_count = request_count + 1, last_used_at = $1 \
             WHERE id = $2",
        )
        .bind(&now)
        .bind(&key.id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO api_request_months (customer_id, month, request_count) \
             VALUES ($1, $2, 1) ON CONFLICT (customer_id, month) DO UPDATE \
             SET request_count = api_request_months.request_count + 1",
        )
        .bind(&key.customer_id)
        .bind(month)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The customer's keys, newest first.
    pub async fn customer_api_keys(
        &self,
        customer_id: &str,
    ) -> StoreResult<Vec<CustomerApiKeyRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM customer_api_keys WHERE customer_id = $1 \
             ORDER BY created_at DESC, id"
        ))
        .bind(customer_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Revokes one of the customer's keys (once: the first time is kept). Another customer's
    /// key is "not found".
    pub async fn revoke_customer_api_key(
        &self,
        customer_id: &str,
        key_id: &str,
    ) -> StoreResult<CustomerApiKeyRow> {
        sqlx::query_as(&format!(
            "UPDATE customer_api_keys SET revoked_at = COALESCE(revoked_at, $1) \
             WHERE id = $2 AND customer_id = $3 RETURNING {COLUMNS}"
        ))
        .bind(now_text())
        .bind(key_id)
        .bind(customer_id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)
    }
}
