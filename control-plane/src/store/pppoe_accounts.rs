//! PPPoE accounts: a subscriber's sealed password, fixed address and newest authentication
//! result, and the joined view FreeRADIUS's authorize needs (customer, package, account).

use super::{now_text, Store, StoreError, StoreResult};

/// Everything authorize needs about one PPPoE username.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PppoeLoginRow {
    pub customer_id: String,
    pub status: String,
    pub expiry_date: Option<String>,
    pub download_speed: Option<i64>,
    pub upload_speed: Option<i64>,
    pub speed_unit: Option<String>,
    pub password_sealed: Option<String>,
    pub static_ip_address: Option<String>,
}

/// One PPPoE username and what authorize needs about it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PppoeLoginEntry {
    pub pppoe_username: String,
    #[sqlx(flatten)]
    pub login: PppoeLoginRow,
}

/// A customer's PPPoE account as staff see it (never the password itself).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PppoeAccountRow {
    pub customer_id: String,
    pub password_sealed: Option<String>,
    pub static_ip_address: Option<String>,
    pub last_auth_at: Option<String>,
    pub last_auth_result: Option<String>,
    pub last_auth_nas: Option<String>,
    pub last_auth_calling_station_id: Option<String>,
    pub updated_at: String,
}

/// One post-auth outcome by PPPoE username, as queued for a batched write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthOutcome {
    pub username: String,
    pub accepted: bool,
    pub nas: Option<String>,
    pub calling_station_id: Option<String>,
    /// When FreeRADIUS reported it (`now_text()` form).
    pub at: String,
}

const ACCOUNT_COLUMNS: &str = "customer_id, password_sealed, static_ip_address, last_auth_at, \
    last_auth_result, last_auth_nas, last_auth_calling_station_id, updated_at";

impl Store {
    /// Every PPPoE username with the customer, package and account behind it, and the
    /// `aaa_subscriber_version` they are at least as new as (read first, so a write committed
    /// in between shows up as a newer version at the next check, never as a lost one).
    pub async fn pppoe_logins(&self) -> StoreResult<(i64, Vec<PppoeLoginEntry>)> {
        let version = self.subscriber_version().await?;
        let rows = sqlx::query_as(
            "SELECT c.pppoe_username, c.id AS customer_id, c.status, c.expiry_date, \
             p.download_speed, p.upload_speed, p.speed_unit, a.password_sealed, \
             a.static_ip_address \
             FROM customers c LEFT JOIN packages p ON p.id = c.package_id \
             LEFT JOIN pppoe_accounts a ON a.customer_id = c.id \
             WHERE c.pppoe_username IS NOT NULL",
        )
        .fetch_all(self.pool())
        .await?;
        Ok((version, rows))
    }

    /// The count of writes to what authorize reads, by every writer (migration 0009).
    pub async fn subscriber_version(&self) -> StoreResult<i64> {
        Ok(
            sqlx::query_scalar("SELECT version FROM aaa_subscriber_version WHERE id = 1")
                .fetch_one(self.pool())
                .await?,
        )
    }

    /// The customer with this PPPoE username, if any.
    pub async fn customer_id_by_pppoe(&self, username: &str) -> StoreResult<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT id FROM customers WHERE pppoe_username = $1")
                .bind(username)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// The customer's PPPoE account; `None` until staff set a password or an address.
    pub async fn pppoe_account(&self, customer_id: &str) -> StoreResult<Option<PppoeAccountRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM pppoe_accounts WHERE customer_id = $1"
        ))
        .bind(customer_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Stores a sealed PPPoE password for the customer.
    pub async fn set_pppoe_password(
        &self,
        customer_id: &str,
        password_sealed: &str,
    ) -> StoreResult<PppoeAccountRow> {
        let row = sqlx::query_as(&format!(
            "INSERT INTO pppoe_accounts (customer_id, password_sealed, updated_at) \
             VALUES ($1, $2, $3) ON CONFLICT (customer_id) DO UPDATE SET \
             password_sealed = excluded.password_sealed, updated_at = excluded.updated_at \
             RETURNING {ACCOUNT_COLUMNS}"
        ))
        .bind(customer_id)
        .bind(password_sealed)
        .bind(now_text())
        .fetch_one(self.pool())
        .await
        .map_err(|e| StoreError::from_write(e, "PPPoE account"))?;
        self.note_subscriber_change();
        Ok(row)
    }

    /// Assigns (or with `None` removes) the customer's fixed address; an address is one
    /// customer's only.
    pub async fn set_static_ip(
        &self,
        customer_id: &str,
        address: Option<&str>,
    ) -> StoreResult<PppoeAccountRow> {
        let row = sqlx::query_as(&format!(
            "INSERT INTO pppoe_accounts (customer_id, static_ip_address, updated_at) \
             VALUES ($1, $2, $3) ON CONFLICT (customer_id) DO UPDATE SET \
             static_ip_address = excluded.static_ip_address, updated_at = excluded.updated_at \
             RETURNING {ACCOUNT_COLUMNS}"
        ))
        .bind(customer_id)
        .bind(address)
        .bind(now_text())
        .fetch_one(self.pool())
        .await
        .map_err(|e| StoreError::from_write(e, "the static IP address"))?;
        self.note_subscriber_change();
        Ok(row)
    }

    /// Records outcomes by PPPoE username in one statement; usernames nobody has are
    /// skipped. At most one outcome per username (see `aaa::auth_log::newest_per_username`).
    pub async fn record_auth_outcomes(&self, outcomes: &[AuthOutcome]) -> StoreResult<()> {
        for chunk in outcomes.chunks(100) {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| {
                    let b = i * 5;
                    format!(
                        "(${}, ${}, ${}, ${}, ${})",
                        b + 1,
                        b + 2,
                        b + 3,
                        b + 4,
                        b + 5
                    )
                })
                .collect();
            // `VALUES` columns are column1..column5 on both SQLite and PostgreSQL; `WHERE TRUE`
            // lets SQLite parse ON CONFLICT after a SELECT.
            let sql = format!(
                "INSERT INTO pppoe_accounts (customer_id, last_auth_at, last_auth_result, \
                 last_auth_nas, last_auth_calling_station_id, updated_at) \
                 SELECT c.id, v.column2, v.column3, v.column4, v.column5, v.column2 \
                 FROM (VALUES {}) AS v JOIN customers c ON c.pppoe_username = v.column1 \
                 WHERE TRUE ON CONFLICT (customer_id) DO UPDATE SET \
                 last_auth_at = excluded.last_auth_at, last_auth_result = excluded.last_auth_result, \
                 last_auth_nas = excluded.last_auth_nas, \
                 last_auth_calling_station_id = excluded.last_auth_calling_station_id",
                values.join(", ")
            );
            let mut query = sqlx::query(&sql);
            for outcome in chunk {
                query = query
                    .bind(outcome.username.as_str())
                    .bind(outcome.at.as_str())
                    .bind(if outcome.accepted { "accept" } else { "reject" })
                    .bind(outcome.nas.as_deref())
                    .bind(outcome.calling_station_id.as_deref());
            }
            query
                .execute(self.pool())
                .await
                .map_err(|e| StoreError::from_write(e, "PPPoE account"))?;
        }
        Ok(())
    }
}
