//! ONU optics levels and alarms: each ONU's level now (`onu_optics_levels`) and every crossing
//! from one level to another (`onu_optics_alarms`), the newest crossing of an ONU open until
//! the next one ends it.

use super::{new_id, now_text, Page, Paged, Store, StoreError, StoreResult};

/// A crossing to record. Levels are the words of `domain::OpticsLevel`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOpticsAlarm {
    pub customer_id: String,
    pub olt: String,
    pub pon_port: Option<String>,
    pub onu_id: Option<i64>,
    pub rx_power_cdbm: Option<i64>,
    pub from_level: String,
    pub to_level: String,
    /// When the reading was taken (stored timestamp text).
    pub at: String,
}

/// A row of the staff alarm list.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OpticsAlarmRow {
    pub id: String,
    pub customer_id: String,
    pub customer_code: String,
    pub name: String,
    pub olt: String,
    pub pon_port: Option<String>,
    pub onu_id: Option<i64>,
    pub rx_power_cdbm: Option<i64>,
    pub from_level: String,
    pub to_level: String,
    pub at: String,
    pub ended_at: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct OpticsAlarmFilter {
    /// Only alarms still open and not a return to normal.
    pub active_only: bool,
    pub customer_id: Option<String>,
}

/// One ONU's latest receive level with its place in the network, for per-ONU metrics.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OnuRxRow {
    pub olt: String,
    pub pon_port: String,
    pub onu_id: i64,
    pub rx_power_cdbm: i64,
}

impl Store {
    /// The ONU's level now; `None` before its first judged reading.
    pub async fn onu_optics_level(&self, customer_id: &str) -> StoreResult<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT level FROM onu_optics_levels WHERE customer_id = $1")
                .bind(customer_id)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// Notes an ONU's first level when it crosses nothing (normal from the start).
    pub async fn start_onu_optics_level(
        &self,
        customer_id: &str,
        level: &str,
        at: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO onu_optics_levels (customer_id, level, since, updated_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (customer_id) DO NOTHING",
        )
        .bind(customer_id)
        .bind(level)
        .bind(at)
        .bind(now_text())
        .execute(self.pool())
        .await
        .map_err(|e| StoreError::from_write(e, "ONU optics level"))?;
        Ok(())
    }

    /// Records a crossing: the ONU's level moves from `from_level` to `to_level`, the open alarm
    /// ends and the new one opens, all or nothing. Returns false (and changes nothing) when the
    /// level was not `from_level` any more (another reading got there first).
    pub async fn record_optics_crossing(&self, alarm: &NewOpticsAlarm) -> StoreResult<bool> {
        let mut tx = self.pool().begin().await?;
        let moved = sqlx::query(
            "INSERT INTO onu_optics_levels (customer_id, level, since, updated_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (customer_id) DO UPDATE SET \
             level = excluded.level, since = excluded.since, updated_at = excluded.updated_at \
             WHERE onu_optics_levels.level = $5",
        )
        .bind(&alarm.customer_id)
        .bind(&alarm.to_level)
        .bind(&alarm.at)
        .bind(now_text())
        .bind(&alarm.from_level)
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::from_write(e, "ONU optics level"))?
        .rows_affected();
        if moved == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query(
            "UPDATE onu_optics_alarms SET ended_at = $1 WHERE customer_id = $2 \
             AND ended_at IS NULL",
        )
        .bind(&alarm.at)
        .bind(&alarm.customer_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO onu_optics_alarms (id, customer_id, olt, pon_port, onu_id, \
             rx_power_cdbm, from_level, to_level, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(new_id())
        .bind(&alarm.customer_id)
        .bind(&alarm.olt)
        .bind(&alarm.pon_port)
        .bind(alarm.onu_id)
        .bind(alarm.rx_power_cdbm)
        .bind(&alarm.from_level)
        .bind(&alarm.to_level)
        .bind(&alarm.at)
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::from_write(e, "ONU optics alarm"))?;
        tx.commit().await?;
        Ok(true)
    }

    /// Alarms newest first; `active_only` keeps the open ones that are not a return to normal.
    pub async fn list_optics_alarms(
        &self,
        filter: &OpticsAlarmFilter,
        page: Page,
    ) -> StoreResult<Paged<OpticsAlarmRow>> {
        let active = i64::from(filter.active_only);
        let condition = "($1 = 0 OR (a.ended_at IS NULL AND a.to_level <> 'normal')) \
            AND ($2 IS NULL OR a.customer_id = $2)";
        let total: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM onu_optics_alarms a WHERE {condition}"
        ))
        .bind(active)
        .bind(&filter.customer_id)
        .fetch_one(self.pool())
        .await?;
        let rows = sqlx::query_as(&format!(
            "SELECT a.id, a.customer_id, c.customer_code, c.name, a.olt, a.pon_port, a.onu_id, \
             a.rx_power_cdbm, a.from_level, a.to_level, a.at, a.ended_at \
             FROM onu_optics_alarms a JOIN customers c ON c.id = a.customer_id \
             WHERE {condition} ORDER BY a.at DESC, a.id DESC LIMIT $3 OFFSET $4"
        ))
        .bind(active)
        .bind(&filter.customer_id)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(self.pool())
        .await?;
        Ok(Paged { rows, total })
    }

    /// How many ONUs are at each level now.
    pub async fn onus_by_optics_level(&self) -> StoreResult<Vec<(String, i64)>> {
        Ok(
            sqlx::query_as("SELECT level, COUNT(*) FROM onu_optics_levels GROUP BY level")
                .fetch_all(self.pool())
                .await?,
        )
    }

    /// Every ONU with a receive level on file and a known OLT, PON port and ONU id.
    pub async fn onu_rx_levels(&self) -> StoreResult<Vec<OnuRxRow>> {
        Ok(sqlx::query_as(
            "SELECT d.name AS olt, c.pon_port, c.onu_id, s.onu_rx_power_cdbm AS rx_power_cdbm \
             FROM network_state s JOIN customers c ON c.id = s.customer_id \
             JOIN devices d ON d.id = c.olt_device_id \
             WHERE s.onu_rx_power_cdbm IS NOT NULL AND c.pon_port IS NOT NULL \
             AND c.onu_id IS NOT NULL ORDER BY d.name, c.pon_port, c.onu_id",
        )
        .fetch_all(self.pool())
        .await?)
    }
}
