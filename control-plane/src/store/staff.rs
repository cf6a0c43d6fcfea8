//! Staff accounts with roles; passwords are stored as argon2 hashes only.

use super::{new_id, now_text, Store, StoreError, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StaffRow {
    pub id: String,
    pub username: String,
    pub password_hash: String,
    pub role: String,
    pub disabled: i64,
    pub created_at: String,
    pub last_login_at: Option<String>,
}

const COLUMNS: &str = "id, username, password_hash, role, disabled, created_at, last_login_at";

impl Store {
    pub async fn insert_staff(
        &self,
        username: &str,
        password_hash: &str,
        role: &str,
    ) -> StoreResult<StaffRow> {
        sqlx::query_as(&format!(
            "INSERT INTO staff_users (id, username, password_hash, role, disabled, created_at) \
             VALUES ($1, $2, $3, $4, 0, $5) RETURNING {COLUMNS}"
        ))
        .bind(new_id())
        .bind(username)
        .bind(password_hash)
        .bind(role)
        .bind(now_text())
        .fetch_one(self.pool())
        .await
        .map_err(|e| match StoreError::from_write(e, "staff user") {
            StoreError::Conflict(_) => {
                StoreError::Conflict(format!("username '{username}' is already taken"))
            }
            other => other,
        })
    }

    pub async fn staff_by_username(&self, username: &str) -> StoreResult<Option<StaffRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM staff_users WHERE username = $1"
        ))
        .bind(username)
        .fetch_optional(self.pool())
        .await?)
    }

    pub async fn staff(&self, id: &str) -> StoreResult<StaffRow> {
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM staff_users WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)
    }

    pub async fn list_staff(&self) -> StoreResult<Vec<StaffRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM staff_users ORDER BY username LIMIT 1000"
        ))
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn touch_staff_login(&self, id: &str) -> StoreResult<()> {
        sqlx::query("UPDATE staff_users SET last_login_at = $1 WHERE id = $2")
            .bind(now_text())
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn set_staff_disabled(&self, id: &str, disabled: bool) -> StoreResult<StaffRow> {
        sqlx::query_as(&format!(
            "UPDATE staff_users SET disabled = $1 WHERE id = $2 RETURNING {COLUMNS}"
        ))
        .bind(i64::from(disabled))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)
    }
}
