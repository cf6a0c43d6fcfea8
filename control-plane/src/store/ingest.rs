//! Batched writes of agent ingest: minute rollups merged by sample count, online state and
//! traffic totals added to `network_state` (for subscribers without an open RADIUS session),
//! and the subscriber keys agents report under.
//!
//! Multi-row statements are built by hand (the `Any` driver's query builder writes `?`, which
//! PostgreSQL refuses): `$n` placeholders on PostgreSQL, plain `?` on SQLite, whose driver
//! looks each named parameter up by scanning the statement's list, so binding `$n` costs grows
//! with the square of their number. Chunks stay below both backends' parameter limits.

use std::fmt::Write as _;

use sqlx::AnyConnection;

use super::{now_text, Backend, Store, StoreError, StoreResult};

/// Rows per multi-row statement on PostgreSQL.
const POSTGRES_ROWS_PER_STATEMENT: usize = 500;
/// Rows per statement on SQLite (at most 10 parameters a row, well below its limit of 32,766).
const SQLITE_ROWS_PER_STATEMENT: usize = 256;

/// One customer-minute of averaged rates, and how many one-second samples it averages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinuteRollupRow {
    pub customer_id: String,
    pub minute_unix: i64,
    pub rx_bps: i64,
    pub tx_bps: i64,
    pub sample_count: i64,
}

/// A change to a customer's `network_state` from ingest: current state, and octets to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkProgressRow {
    pub customer_id: String,
    pub is_online: bool,
    pub rx_bps: i64,
    pub tx_bps: i64,
    pub add_download_octets: i64,
    pub add_upload_octets: i64,
    pub last_online: Option<String>,
    pub last_offline: Option<String>,
    pub session_started_at: Option<String>,
}

/// The totals `network_state` holds after a progress write.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct NetworkTotalsRow {
    pub customer_id: String,
    pub total_download_octets: i64,
    pub total_upload_octets: i64,
}

/// How agents name a customer: PPPoE username, OLT + PON port + ONU id, or device + port.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SubscriberKeyRow {
    pub customer_id: String,
    pub pppoe_username: Option<String>,
    pub olt_device_id: Option<String>,
    pub olt_device_name: Option<String>,
    pub pon_port: Option<String>,
    pub onu_id: Option<i64>,
    pub port_device_id: Option<String>,
    pub port_device_name: Option<String>,
    pub port_if_name: Option<String>,
}

/// `($1, $2, …), ($n, …)` for `rows` rows of `columns` parameters, or with `?` for SQLite.
pub(super) fn values_list(backend: Backend, rows: usize, columns: usize) -> String {
    let mut sql = String::with_capacity(rows * columns * 5);
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ", (" });
        for column in 0..columns {
            if column > 0 {
                sql.push_str(", ");
            }
            match backend {
                Backend::Postgres => {
                    let _ = write!(sql, "${}", row * columns + column + 1);
                }
                Backend::Sqlite => sql.push('?'),
            }
        }
        sql.push(')');
    }
    sql
}

impl Store {
    pub(super) fn rows_per_statement(&self) -> usize {
        match self.backend() {
            Backend::Postgres => POSTGRES_ROWS_PER_STATEMENT,
            Backend::Sqlite => SQLITE_ROWS_PER_STATEMENT,
        }
    }

    /// Merges minute rollups: a minute already stored becomes the sample-weighted average of
    /// both parts. Rows must be unique per (customer, minute). Rows of customers deleted
    /// meanwhile are skipped. Returns the rows written.
    pub async fn merge_bandwidth_minutes(&self, rows: &[MinuteRollupRow]) -> StoreResult<usize> {
        let mut tx = self.pool().begin().await?;
        let mut failed = None;
        for chunk in rows.chunks(self.rows_per_statement()) {
            if let Err(err) = merge_minute_chunk(&mut tx, self.backend(), chunk).await {
                failed = Some(err);
                break;
            }
        }
        match failed {
            None => {
                tx.commit().await?;
                return Ok(rows.len());
            }
            Some(StoreError::Invalid(_)) => drop(tx),
            Some(other) => return Err(other),
        }
        // A customer was deleted while streaming: write row by row, skipping it.
        let mut conn = self.pool().acquire().await?;
        let mut written = 0;
        for row in rows {
            match merge_minute_chunk(&mut conn, self.backend(), std::slice::from_ref(row)).await {
                Ok(()) => written += 1,
                Err(StoreError::Invalid(reason)) => tracing::debug!(
                    customer_id = %row.customer_id, %reason,
                    "minute rollup skipped"
                ),
                Err(other) => return Err(other),
            }
        }
        Ok(written)
    }
}

async fn merge_minute_chunk(
    conn: &mut AnyConnection,
    backend: Backend,
    chunk: &[MinuteRollupRow],
) -> StoreResult<()> {
    let sql = format!(
        "INSERT INTO bandwidth_minutes (customer_id, minute_unix, rx_bps, tx_bps, sample_count) \
             VALUES {} ON CONFLICT (customer_id, minute_unix) DO UPDATE SET \
             rx_bps = (bandwidth_minutes.rx_bps * bandwidth_minutes.sample_count \
                 + excluded.rx_bps * excluded.sample_count) \
                 / (bandwidth_minutes.sample_count + excluded.sample_count), \
             tx_bps = (bandwidth_minutes.tx_bps * bandwidth_minutes.sample_count \
                 + excluded.tx_bps * excluded.sample_count) \
                 / (bandwidth_minutes.sample_count + excluded.sample_count), \
             sample_count = bandwidth_minutes.sample_count + excluded.sample_count",
        values_list(backend, chunk.len(), 5)
    );
    let mut query = sqlx::query(&sql);
    for row in chunk {
        query = query
            .bind(&row.customer_id)
            .bind(row.minute_unix - row.minute_unix.rem_euclid(60))
            .bind(row.rx_bps)
            .bind(row.tx_bps)
            .bind(row.sample_count.max(1));
    }
    query
        .execute(&mut *conn)
        .await
        .map_err(|e| StoreError::from_write(e, "bandwidth minute"))?;
    Ok(())
}

impl Store {
    /// Applies ingest progress to `network_state`: state is replaced, octets are added unless
    /// the customer has an open RADIUS session (accounting is then the source of the totals),
    /// and `last_online`/`last_offline`/`session_started_at` change only when given. Rows must be
    /// unique per customer. Returns the totals now stored.
    pub async fn add_network_progress(
        &self,
        rows: &[NetworkProgressRow],
    ) -> StoreResult<Vec<NetworkTotalsRow>> {
        let mut tx = self.pool().begin().await?;
        let mut totals = Vec::with_capacity(rows.len());
        let mut failed = None;
        for chunk in rows.chunks(self.rows_per_statement()) {
            match network_progress_chunk(&mut tx, self.backend(), chunk).await {
                Ok(mut written) => totals.append(&mut written),
                Err(err) => {
                    failed = Some(err);
                    break;
                }
            }
        }
        match failed {
            None => {
                tx.commit().await?;
                return Ok(totals);
            }
            Some(StoreError::Invalid(_)) => drop(tx),
            Some(other) => return Err(other),
        }
        let mut conn = self.pool().acquire().await?;
        totals.clear();
        for row in rows {
            match network_progress_chunk(&mut conn, self.backend(), std::slice::from_ref(row)).await
            {
                Ok(mut written) => totals.append(&mut written),
                Err(StoreError::Invalid(_)) => {}
                Err(other) => return Err(other),
            }
        }
        Ok(totals)
    }
}

async fn network_progress_chunk(
    conn: &mut AnyConnection,
    backend: Backend,
    chunk: &[NetworkProgressRow],
) -> StoreResult<Vec<NetworkTotalsRow>> {
    let sql = format!(
            "INSERT INTO network_state (customer_id, is_online, rx_bps, tx_bps, \
             total_download_octets, total_upload_octets, last_online, last_offline, \
             session_started_at, updated_at) VALUES {} \
             ON CONFLICT (customer_id) DO UPDATE SET is_online = excluded.is_online, \
             rx_bps = excluded.rx_bps, tx_bps = excluded.tx_bps, \
             total_download_octets = network_state.total_download_octets + CASE \
                 WHEN network_state.accounting_session_open = 0 THEN excluded.total_download_octets ELSE 0 END, \
             total_upload_octets = network_state.total_upload_octets + CASE \
                 WHEN network_state.accounting_session_open = 0 THEN excluded.total_upload_octets ELSE 0 END, \
             last_online = COALESCE(excluded.last_online, network_state.last_online), \
             last_offline = COALESCE(excluded.last_offline, network_state.last_offline), \
             session_started_at = CASE WHEN excluded.is_online = 0 THEN NULL \
                 ELSE COALESCE(excluded.session_started_at, network_state.session_started_at) END, \
             updated_at = excluded.updated_at \
             RETURNING customer_id, total_download_octets, total_upload_octets",
            values_list(backend, chunk.len(), 10)
        );
    let now = now_text();
    let mut query = sqlx::query_as::<_, NetworkTotalsRow>(&sql);
    for row in chunk {
        query = query
            .bind(&row.customer_id)
            .bind(i64::from(row.is_online))
            .bind(row.rx_bps)
            .bind(row.tx_bps)
            .bind(row.add_download_octets)
            .bind(row.add_upload_octets)
            .bind(&row.last_online)
            .bind(&row.last_offline)
            .bind(&row.session_started_at)
            .bind(&now);
    }
    query
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| StoreError::from_write(e, "network state"))
}

impl Store {
    /// Every customer with a key an agent may report traffic under.
    pub async fn subscriber_keys(&self) -> StoreResult<Vec<SubscriberKeyRow>> {
        Ok(sqlx::query_as(
            "SELECT c.id AS customer_id, c.pppoe_username, c.olt_device_id, \
             d.name AS olt_device_name, c.pon_port, c.onu_id, c.port_device_id, \
             p.name AS port_device_name, c.port_if_name \
             FROM customers c LEFT JOIN devices d ON d.id = c.olt_device_id \
             LEFT JOIN devices p ON p.id = c.port_device_id \
             WHERE c.pppoe_username IS NOT NULL \
             OR (c.olt_device_id IS NOT NULL AND c.pon_port IS NOT NULL AND c.onu_id IS NOT NULL) \
             OR (c.port_device_id IS NOT NULL AND c.port_if_name IS NOT NULL)",
        )
        .fetch_all(self.pool())
        .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::values_list;
    use crate::store::Backend;

    #[test]
    fn placeholders_number_every_row() {
        assert_eq!(values_list(Backend::Postgres, 1, 2), "($1, $2)");
        assert_eq!(
            values_list(Backend::Postgres, 2, 3),
            "($1, $2, $3), ($4, $5, $6)"
        );
        assert_eq!(values_list(Backend::Sqlite, 2, 2), "(?, ?), (?, ?)");
    }
}
