//! ONU optics from agents: the latest reading per customer (in `network_state`) and its history.

use super::{now_text, Page, Paged, Store, StoreResult};

/// One stored reading of the history. Levels in hundredths of a dBm.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OnuHistoryRow {
    pub at_unix: i64,
    pub status: String,
    pub rx_power_cdbm: Option<i64>,
    pub tx_power_cdbm: Option<i64>,
    pub olt_rx_power_cdbm: Option<i64>,
}

const HISTORY_COLUMNS: &str = "at_unix, status, rx_power_cdbm, tx_power_cdbm, olt_rx_power_cdbm";

/// One ONU reading for a customer. Levels in hundredths of a dBm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnuReading {
    pub customer_id: String,
    pub at_unix: i64,
    pub status: String,
    pub rx_power_cdbm: Option<i64>,
    pub tx_power_cdbm: Option<i64>,
    pub olt_rx_power_cdbm: Option<i64>,
}

/// A row of the staff optics table.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OnuOpticsRow {
    pub customer_id: String,
    pub customer_code: String,
    pub name: String,
    pub pon_port: Option<String>,
    pub onu_id: Option<i64>,
    pub onu_status: Option<String>,
    pub onu_rx_power_cdbm: Option<i64>,
    pub onu_tx_power_cdbm: Option<i64>,
    pub updated_at: String,
}

impl Store {
    /// Records a reading: history (a later reading within the same second, such as a fast poll
    /// right after a full walk, replaces the earlier one) and latest state.
    pub async fn record_onu_reading(&self, r: &OnuReading) -> StoreResult<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO onu_optics_history (customer_id, at_unix, status, rx_power_cdbm, \
             tx_power_cdbm, olt_rx_power_cdbm) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (customer_id, at_unix) DO UPDATE SET status = excluded.status, \
             rx_power_cdbm = excluded.rx_power_cdbm, tx_power_cdbm = excluded.tx_power_cdbm, \
             olt_rx_power_cdbm = excluded.olt_rx_power_cdbm",
        )
        .bind(&r.customer_id)
        .bind(r.at_unix)
        .bind(&r.status)
        .bind(r.rx_power_cdbm)
        .bind(r.tx_power_cdbm)
        .bind(r.olt_rx_power_cdbm)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO network_state (customer_id, onu_status, onu_rx_power_cdbm, \
             onu_tx_power_cdbm, updated_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (customer_id) DO UPDATE SET onu_status = excluded.onu_status, \
             onu_rx_power_cdbm = excluded.onu_rx_power_cdbm, \
             onu_tx_power_cdbm = excluded.onu_tx_power_cdbm, updated_at = excluded.updated_at",
        )
        .bind(&r.customer_id)
        .bind(&r.status)
        .bind(r.rx_power_cdbm)
        .bind(r.tx_power_cdbm)
        .bind(now_text())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Customers' latest ONU optics, weakest receive level first; `weak_below_cdbm` keeps only
    /// ONUs below that level or with no level at all (offline).
    pub async fn list_onu_optics(
        &self,
        weak_below_cdbm: Option<i64>,
        page: Page,
    ) -> StoreResult<Paged<OnuOpticsRow>> {
        let condition = "s.onu_status IS NOT NULL AND ($1 IS NULL OR s.onu_rx_power_cdbm IS NULL \
            OR s.onu_rx_power_cdbm < $1)";
        let total: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM network_state s WHERE {condition}"
        ))
        .bind(weak_below_cdbm)
        .fetch_one(self.pool())
        .await?;
        let rows = sqlx::query_as(&format!(
            "SELECT s.customer_id, c.customer_code, c.name, c.pon_port, c.onu_id, s.onu_status, \
             s.onu_rx_power_cdbm, s.onu_tx_power_cdbm, s.updated_at \
             FROM network_state s JOIN customers c ON c.id = s.customer_id WHERE {condition} \
             ORDER BY CASE WHEN s.onu_rx_power_cdbm IS NULL THEN 0 ELSE 1 END, \
             s.onu_rx_power_cdbm, c.customer_code LIMIT $2 OFFSET $3"
        ))
        .bind(weak_below_cdbm)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(self.pool())
        .await?;
        Ok(Paged { rows, total })
    }

    /// When the customer's ONU was last read by an agent (Unix seconds); `None` if never.
    pub async fn latest_onu_reading_at(&self, customer_id: &str) -> StoreResult<Option<i64>> {
        Ok(
            sqlx::query_scalar(
                "SELECT MAX(at_unix) FROM onu_optics_history WHERE customer_id = $1",
            )
            .bind(customer_id)
            .fetch_one(self.pool())
            .await?,
        )
    }

    /// One customer's readings between `from_unix` and `to_unix` (inclusive, either open),
    /// newest first.
    pub async fn onu_optics_history(
        &self,
        customer_id: &str,
        from_unix: Option<i64>,
        to_unix: Option<i64>,
        page: Page,
    ) -> StoreResult<Paged<OnuHistoryRow>> {
        let condition = "customer_id = $1 AND ($2 IS NULL OR at_unix >= $2) \
            AND ($3 IS NULL OR at_unix <= $3)";
        let total: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM onu_optics_history WHERE {condition}"
        ))
        .bind(customer_id)
        .bind(from_unix)
        .bind(to_unix)
        .fetch_one(self.pool())
        .await?;
        let rows = sqlx::query_as(&format!(
            "SELECT {HISTORY_COLUMNS} FROM onu_optics_history WHERE {condition} \
             ORDER BY at_unix DESC LIMIT $4 OFFSET $5"
        ))
        .bind(customer_id)
        .bind(from_unix)
        .bind(to_unix)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(self.pool())
        .await?;
        Ok(Paged { rows, total })
    }

    /// The newest reading in each `step_secs` bucket since `since_unix`, oldest first: a
    /// chart's points, each a real reading.
    pub async fn onu_optics_chart(
        &self,
        customer_id: &str,
        since_unix: i64,
        step_secs: i64,
    ) -> StoreResult<Vec<OnuHistoryRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {HISTORY_COLUMNS} FROM onu_optics_history WHERE customer_id = $1 \
             AND at_unix IN (SELECT MAX(at_unix) FROM onu_optics_history \
             WHERE customer_id = $1 AND at_unix >= $2 GROUP BY at_unix / $3) \
             ORDER BY at_unix"
        ))
        .bind(customer_id)
        .bind(since_unix)
        .bind(step_secs.max(1))
        .fetch_all(self.pool())
        .await?)
    }
}
