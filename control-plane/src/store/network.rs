//! What the store knows of a subscriber's connection: online state, session, counters, optics.

use super::{Store, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct NetworkStateRow {
    pub customer_id: String,
    pub is_online: i64,
    pub ip_address: Option<String>,
    pub mac_address: Option<String>,
    pub session_started_at: Option<String>,
    pub rx_bps: i64,
    pub tx_bps: i64,
    pub total_download_octets: i64,
    pub total_upload_octets: i64,
    pub onu_status: Option<String>,
    /// Hundredths of a dBm, so -18.5 dBm is -1850.
    pub onu_rx_power_cdbm: Option<i64>,
    pub onu_tx_power_cdbm: Option<i64>,
    pub last_online: Option<String>,
    pub last_offline: Option<String>,
    pub updated_at: String,
    /// 1 while the subscriber has an open RADIUS session: the totals then follow accounting
    /// octets and agent ingest adds nothing to them.
    pub accounting_session_open: i64,
}

const COLUMNS: &str = "customer_id, is_online, ip_address, mac_address, session_started_at, \
    rx_bps, tx_bps, total_download_octets, total_upload_octets, onu_status, onu_rx_power_cdbm, \
    onu_tx_power_cdbm, last_online, last_offline, updated_at, accounting_session_open";

impl Store {
    /// The last known network state of a customer; `None` until anything has reported.
    pub async fn network_state(&self, customer_id: &str) -> StoreResult<Option<NetworkStateRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM network_state WHERE customer_id = $1"
        ))
        .bind(customer_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Writes a customer's network state whole but for `accounting_session_open`, which only
    /// accounting sets (used by the demo).
    pub async fn put_network_state(&self, s: &NetworkStateRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO network_state (customer_id, is_online, ip_address, mac_address, \
             session_started_at, rx_bps, tx_bps, total_download_octets, total_upload_octets, \
             onu_status, onu_rx_power_cdbm, onu_tx_power_cdbm, last_online, last_offline, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
             ON CONFLICT (customer_id) DO UPDATE SET is_online = excluded.is_online, \
             ip_address = excluded.ip_address, mac_address = excluded.mac_address, \
             session_started_at = excluded.session_started_at, rx_bps = excluded.rx_bps, \
             tx_bps = excluded.tx_bps, total_download_octets = excluded.total_download_octets, \
             total_upload_octets = excluded.total_upload_octets, onu_status = excluded.onu_status, \
             onu_rx_power_cdbm = excluded.onu_rx_power_cdbm, \
             onu_tx_power_cdbm = excluded.onu_tx_power_cdbm, last_online = excluded.last_online, \
             last_offline = excluded.last_offline, updated_at = excluded.updated_at",
        )
        .bind(&s.customer_id)
        .bind(s.is_online)
        .bind(&s.ip_address)
        .bind(&s.mac_address)
        .bind(&s.session_started_at)
        .bind(s.rx_bps)
        .bind(s.tx_bps)
        .bind(s.total_download_octets)
        .bind(s.total_upload_octets)
        .bind(&s.onu_status)
        .bind(s.onu_rx_power_cdbm)
        .bind(s.onu_tx_power_cdbm)
        .bind(&s.last_online)
        .bind(&s.last_offline)
        .bind(&s.updated_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }
}

/// One aggregated point of bandwidth history.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct BandwidthBucket {
    pub bucket_unix: i64,
    pub rx_bps: i64,
    pub tx_bps: i64,
}

impl Store {
    /// Writes (or replaces) one minute's average rates for a customer.
    pub async fn put_bandwidth_minute(
        &self,
        customer_id: &str,
        minute_unix: i64,
        rx_bps: i64,
        tx_bps: i64,
    ) -> StoreResult<()> {
        let minute_unix = minute_unix - minute_unix.rem_euclid(60);
        sqlx::query(
            "INSERT INTO bandwidth_minutes (customer_id, minute_unix, rx_bps, tx_bps) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (customer_id, minute_unix) \
             DO UPDATE SET rx_bps = excluded.rx_bps, tx_bps = excluded.tx_bps",
        )
        .bind(customer_id)
        .bind(minute_unix)
        .bind(rx_bps)
        .bind(tx_bps)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Average rates per `step_secs` bucket from `since_unix` on, oldest first.
    pub async fn bandwidth_history(
        &self,
        customer_id: &str,
        since_unix: i64,
        step_secs: i64,
    ) -> StoreResult<Vec<BandwidthBucket>> {
        let step = step_secs.max(60);
        Ok(sqlx::query_as(
            "SELECT (minute_unix / $3) * $3 AS bucket_unix, \
             CAST(AVG(rx_bps) AS BIGINT) AS rx_bps, CAST(AVG(tx_bps) AS BIGINT) AS tx_bps \
             FROM bandwidth_minutes WHERE customer_id = $1 AND minute_unix >= $2 \
             GROUP BY 1 ORDER BY 1",
        )
        .bind(customer_id)
        .bind(since_unix)
        .bind(step)
        .fetch_all(self.pool())
        .await?)
    }
}
