//! `GET /network/status` and `GET /network/bandwidth`: the subscriber's connection as the
//! store knows it with live agent samples laid over it (offline and zero until an agent or
//! accounting reports).

use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;

use super::profile::own_customer;
use super::views::{BandwidthPoint, NetworkStatus};
use crate::domain::time::{api_timestamp, parse_timestamp, uptime_text};
use crate::domain::BandwidthPeriod;
use crate::http::amount::Mbps;
use crate::http::extract::ApiQuery;
use crate::http::principal::CustomerAuth;
use crate::http::response::{ok, ApiError, ApiResult, Envelope, ErrorBody};
use crate::http::state::AppState;
use crate::live::hour_chart::hour_chart;

/// Hundredths of a dBm to dBm.
fn dbm(centi_dbm: i64) -> f64 {
    centi_dbm as f64 / 100.0
}

#[utoipa::path(get, path = "/network/status", tag = "customer", security(("bearer" = [])),
    responses(
        (status = 200, description = "Current connection state", body = Envelope<NetworkStatus>),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorBody),
    ))]
pub async fn status(State(state): State<AppState>, auth: CustomerAuth) -> ApiResult<NetworkStatus> {
    let known = state
        .live
        .network_state(&state.store, &auth.customer_id)
        .await?;
    let Some(s) = known else {
        own_customer(&state, &auth).await?;
        return ok(NetworkStatus {
            is_online: false,
            uptime: None,
            rx_bandwidth: Mbps(0.0),
            tx_bandwidth: Mbps(0.0),
            total_download: 0,
            total_upload: 0,
            ip_address: None,
            mac_address: None,
            onu_status: None,
            onu_rx_power: None,
            onu_tx_power: None,
            last_online: None,
            last_offline: None,
        });
    };
    let online = s.is_online != 0;
    let uptime = if online {
        s.session_started_at
            .as_deref()
            .and_then(parse_timestamp)
            .map(|start| uptime_text((crate::domain::time::now() - start).whole_seconds()))
    } else {
        None
    };
    ok(NetworkStatus {
        is_online: online,
        uptime,
        rx_bandwidth: Mbps::from_bps(if online { s.rx_bps } else { 0 }),
        tx_bandwidth: Mbps::from_bps(if online { s.tx_bps } else { 0 }),
        total_download: s.total_download_octets,
        total_upload: s.total_upload_octets,
        ip_address: s.ip_address.clone(),
        mac_address: s.mac_address.clone(),
        onu_status: s.onu_status.clone(),
        onu_rx_power: s.onu_rx_power_cdbm.map(dbm),
        onu_tx_power: s.onu_tx_power_cdbm.map(dbm),
        last_online: s.last_online.as_deref().map(api_timestamp),
        last_offline: s.last_offline.as_deref().map(api_timestamp),
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BandwidthQuery {
    /// `1h`, `24h`, `7d` or `30d` (default `1h`).
    pub period: Option<String>,
}

#[utoipa::path(get, path = "/network/bandwidth", tag = "customer", security(("bearer" = [])),
    params(BandwidthQuery),
    responses(
        (status = 200, description = "Bandwidth history, oldest first", body = Envelope<Vec<BandwidthPoint>>),
        (status = 400, description = "Unknown period", body = ErrorBody),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorBody),
    ))]
pub async fn bandwidth(
    State(state): State<AppState>,
    auth: CustomerAuth,
    ApiQuery(query): ApiQuery<BandwidthQuery>,
) -> ApiResult<Vec<BandwidthPoint>> {
    let period = match query.period.as_deref().map(str::trim) {
        None | Some("") => BandwidthPeriod::Hour,
        Some(text) => {
            BandwidthPeriod::parse(text).map_err(|e| ApiError::bad_request(e.to_string()))?
        }
    };
    own_customer(&state, &auth).await?;
    let (window_secs, step_secs) = window_and_step(period);
    let now = crate::domain::time::now().unix_timestamp();
    let since = now - window_secs;
    // The last hour comes from the per-second ring at 10 s; minutes before the ring's first
    // full minute (a restart, a subscriber who just came online) still come from the rollups.
    let live = match period {
        BandwidthPeriod::Hour => state
            .live
            .hour_buckets(&auth.customer_id, now, LIVE_STEP_SECS),
        _ => None,
    };
    let rollups = state
        .store
        .bandwidth_history(
            &auth.customer_id,
            since - since.rem_euclid(step_secs),
            step_secs,
        )
        .await?;
    let points = hour_chart(&rollups, step_secs, live)
        .into_iter()
        .map(|p| BandwidthPoint {
            timestamp: unix_text(p.start_unix),
            rx_mbps: Mbps::from_bps(p.rx_bps),
            tx_mbps: Mbps::from_bps(p.tx_bps),
        })
        .collect();
    ok(points)
}

/// Width of the last hour's points when they come from the per-second ring: 360 points.
const LIVE_STEP_SECS: i64 = 10;

/// How far back each period looks and how wide its points are: about 60 to 300 points each.
fn window_and_step(period: BandwidthPeriod) -> (i64, i64) {
    match period {
        BandwidthPeriod::Hour => (3_600, 60),
        BandwidthPeriod::Day => (86_400, 300),
        BandwidthPeriod::Week => (7 * 86_400, 3_600),
        BandwidthPeriod::Month => (30 * 86_400, 4 * 3_600),
    }
}

fn unix_text(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map(|at| api_timestamp(&crate::domain::time::timestamp_text(at)))
        .unwrap_or_default()
}
