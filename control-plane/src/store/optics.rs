//! ONU optics from agents: the latest reading per customer (in `network_state`) and its history.

use super::{now_text, Page, Paged, Store, StoreResult};

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
    /// Records a reading: history (a repeat of the same instant is ignored) and latest state.
    pub async fn record_onu_reading(&self, r: &OnuReading) -> StoreResult<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO onu_optics_history (customer_id, at_unix, status, rx_power_cdbm, \
             tx_power_cdbm, olt_rx_power_cdbm) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (customer_id, at_unix) DO NOTHING",
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
}
