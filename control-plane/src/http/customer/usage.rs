//! `GET /usage-stats` (seed 002): this calendar month's traffic, BGP peerings against the
//! plan's limit, and API key requests, with the plan's name.

use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::bgp_peering::BgpPeerRequest;
use crate::domain::bgp_peering_count::peerings_in_use;
use crate::http::principal::CustomerAuth;
use crate::http::response::{ok, ApiResult, Envelope, ErrorBody};
use crate::http::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct UsageStats {
    /// The calendar month (UTC) the figures cover, `YYYY-MM`.
    pub month: String,
    /// The customer's package (plan) name; null without one.
    pub plan_name: Option<String>,
    pub bandwidth: BandwidthUsage,
    pub bgp_peerings: PeeringUsage,
    pub api_requests: ApiRequestUsage,
}

/// Traffic this month, from the same totals as `/network/status` (RADIUS accounting while a
/// session is open, the agent's counters otherwise).
#[derive(Debug, Serialize, ToSchema)]
pub struct BandwidthUsage {
    pub download_bytes: i64,
    pub upload_bytes: i64,
    pub total_bytes: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PeeringUsage {
    /// BGP neighbors configured for the customer (added and not removed).
    pub used: i64,
    /// Peerings the plan includes; null when the plan sets no limit.
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiRequestUsage {
    /// Requests the customer's API keys were served this month.
    pub this_month: i64,
    /// Keys that work now (neither revoked nor expired).
    pub active_keys: i64,
}

#[utoipa::path(get, path = "/usage-stats", tag = "customer", security(("bearer" = [])),
    responses(
        (status = 200, description = "This month's usage against the plan", body = Envelope<UsageStats>),
        (status = 401, description = "Missing, invalid or expired token or API key", body = ErrorBody),
        (status = 403, description = "An API key without the read scope", body = ErrorBody),
    ))]
pub async fn usage_stats(
    State(state): State<AppState>,
    auth: CustomerAuth,
) -> ApiResult<UsageStats> {
    let now = crate::store::now_text();
    let month = &now[..7];
    let customer = &auth.customer_id;
    let traffic = state.store.traffic_in_month(customer, month).await?;
    let plan = state.store.plan_limits(customer).await?;
    let changes = state.store.succeeded_peering_changes(customer).await?;
    let parsed: Vec<(&str, BgpPeerRequest)> = changes
        .iter()
        .filter_map(|row| {
            let params = serde_json::from_str(&row.params).ok()?;
            match BgpPeerRequest::from_json(&params) {
                Ok(request) => Some((row.device_id.as_str(), request)),
                Err(problems) => {
                    tracing::warn!(device_id = %row.device_id, %problems, "stored BGP change unreadable");
                    None
                }
            }
        })
        .collect();
    let used = i64::try_from(peerings_in_use(parsed)).unwrap_or(i64::MAX);
    let this_month = state.store.api_requests_in_month(customer, month).await?;
    let active_keys = super::api_keys::active_keys(&state, customer).await?;
    ok(UsageStats {
        month: month.to_owned(),
        plan_name: plan.as_ref().map(|p| p.name.clone()),
        bandwidth: BandwidthUsage {
            download_bytes: traffic.download_octets,
            upload_bytes: traffic.upload_octets,
            total_bytes: traffic
                .download_octets
                .saturating_add(traffic.upload_octets),
        },
        bgp_peerings: PeeringUsage {
            used,
            limit: plan.and_then(|p| p.bgp_peerings_limit),
        },
        api_requests: ApiRequestUsage {
            this_month,
            active_keys: i64::try_from(active_keys).unwrap_or(i64::MAX),
        },
    })
}
