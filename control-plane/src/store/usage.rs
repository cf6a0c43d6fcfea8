//! What a business customer used in a month: traffic (`traffic_months`, kept by triggers on
//! `network_state`'s totals), API key requests (`api_request_months`), and the plan's BGP
//! peering limit (set by staff, read and written here) with the peering changes that succeeded
//! for the customer.

use super::{Store, StoreError, StoreResult};

/// Octets a customer moved in one month.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct TrafficMonthRow {
    pub download_octets: i64,
    pub upload_octets: i64,
}

/// The customer's package as far as usage limits go.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PlanLimitsRow {
    pub package_id: String,
    pub name: String,
    pub bgp_peerings_limit: Option<i64>,
}

/// A BGP peering change that succeeded for the customer: the router and the stored request.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PeeringChangeRow {
    pub device_id: String,
    pub params: String,
}

impl Store {
    /// Octets in a month (`YYYY-MM`); zero when nothing was recorded.
    pub async fn traffic_in_month(
        &self,
        customer_id: &str,
        month: &str,
    ) -> StoreResult<TrafficMonthRow> {
        let row: Option<TrafficMonthRow> = sqlx::query_as(
            "SELECT download_octets, upload_octets FROM traffic_months \
             WHERE customer_id = $1 AND month = $2",
        )
        .bind(customer_id)
        .bind(month)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.unwrap_or_default())
    }

    /// Requests the customer's API keys were served in a month (`YYYY-MM`).
    pub async fn api_requests_in_month(&self, customer_id: &str, month: &str) -> StoreResult<i64> {
        let count: Option<i64> = sqlx::query_scalar(
            "SELECT request_count FROM api_request_months WHERE customer_id = $1 AND month = $2",
        )
        .bind(customer_id)
        .bind(month)
        .fetch_optional(self.pool())
        .await?;
        Ok(count.unwrap_or(0))
    }

    /// The customer's package and its limits; `None` without a package.
    pub async fn plan_limits(&self, customer_id: &str) -> StoreResult<Option<PlanLimitsRow>> {
        Ok(sqlx::query_as(
            "SELECT p.id AS package_id, p.name, p.bgp_peerings_limit \
             FROM customers c JOIN packages p ON p.id = c.package_id WHERE c.id = $1",
        )
        .bind(customer_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// BGP peering changes that succeeded for the customer, oldest first.
    pub async fn succeeded_peering_changes(
        &self,
        customer_id: &str,
    ) -> StoreResult<Vec<PeeringChangeRow>> {
        Ok(sqlx::query_as(
            "SELECT device_id, params FROM device_commands \
             WHERE customer_id = $1 AND kind = $2 AND state = 'succeeded' \
             AND device_id IS NOT NULL ORDER BY created_at, id",
        )
        .bind(customer_id)
        .bind(crate::domain::CommandKind::BgpPeerChange.as_str())
        .fetch_all(self.pool())
        .await?)
    }
}

impl Store {
    /// A package's BGP peering limit; `None` for no limit.
    pub async fn package_bgp_peerings_limit(&self, package_id: &str) -> StoreResult<Option<i64>> {
        let row: Option<(Option<i64>,)> =
            sqlx::query_as("SELECT bgp_peerings_limit FROM packages WHERE id = $1")
                .bind(package_id)
                .fetch_optional(self.pool())
                .await?;
        row.map(|(limit,)| limit).ok_or(StoreError::NotFound)
    }

    pub async fn set_package_bgp_peerings_limit(
        &self,
        package_id: &str,
        limit: Option<i64>,
    ) -> StoreResult<()> {
        let updated = sqlx::query(
            "UPDATE packages SET bgp_peerings_limit = $1, updated_at = $2 WHERE id = $3",
        )
        .bind(limit)
        .bind(super::now_text())
        .bind(package_id)
        .execute(self.pool())
        .await
        .map_err(|e| StoreError::from_write(e, "package"))?
        .rows_affected();
        if updated == 0 {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }
}
