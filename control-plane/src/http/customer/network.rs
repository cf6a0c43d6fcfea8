//! `GET /network/status`, `GET /network/bandwidth` and `GET /network/optics`: the
//! subscriber's connection as the store knows it with live agent samples laid over it (offline
//! and zero until an agent or accounting reports), and their ONU's receive level over time.
//! Opening the status asks the site's agent for a fast ONU reading when the newest one is old.

use axum::extract::State;
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;

use super::profile::own_customer;
use super::views::{BandwidthPoint, NetworkStatus, OpticsPoint};
use crate::commands::request::Requester;
use crate::domain::time::{api_timestamp, api_unix_timestamp, parse_timestamp, uptime_text};
use crate::domain::{BandwidthPeriod, OpticsPeriod};
use crate::http::amount::Mbps;
use crate::http::audit::{self, Actor};
use crate::http::extract::{ApiQuery, ClientIp};
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
pub async fn status(
    State(state): State<AppState>,
    auth: CustomerAuth,
    ClientIp(ip): ClientIp,
) -> ApiResult<NetworkStatus> {
    refresh_optics_if_stale(&state, &auth, &ip).await;
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
            timestamp: api_unix_timestamp(p.start_unix),
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

/// Asks the site's agent for a fast reading of the subscriber's ONU when the newest one is older
/// than `[optics] refresh_after_secs`. The status is served either way; problems are logged.
async fn refresh_optics_if_stale(state: &AppState, auth: &CustomerAuth, ip: &str) {
    use crate::optics::refresh::{due_on_status_view, request_fast_poll, Refresh, RefreshError};
    let (customer, age_secs) = match due_on_status_view(state, &auth.customer_id).await {
        Ok(Some(due)) => due,
        Ok(None) => return,
        Err(err) => {
            tracing::warn!(error = %err, "unable to check the age of an ONU reading");
            return;
        }
    };
    let requester = Requester {
        kind: "customer",
        id: auth.customer_id.clone(),
    };
    match request_fast_poll(state, &customer, &requester).await {
        Ok(Refresh::Queued(command)) => {
            let audited = audit::record(
                state,
                &Actor::customer(auth, ip),
                "device.fast_poll_optics",
                "device_command",
                Some(&command.id),
                json!({ "target": command.target, "reason": "status view", "reading_age_secs": age_secs }),
            )
            .await;
            if let Err(err) = audited {
                tracing::error!(error = ?err, command = %command.id, "a fast optics poll was queued but could not be audited");
            }
        }
        Ok(Refresh::InFlight(_)) | Err(RefreshError::TooSoon { .. }) => {}
        Err(err) => {
            tracing::info!(error = %err, customer = %auth.customer_id, "no fast optics poll for a status view")
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OpticsQuery {
    /// `24h` or `7d` (default `24h`).
    pub period: Option<String>,
}

#[utoipa::path(get, path = "/network/optics", tag = "customer", security(("bearer" = [])),
    params(OpticsQuery),
    responses(
        (status = 200, description = "The ONU's readings, oldest first: the newest of each 5 minutes (24h) or hour (7d)", body = Envelope<Vec<OpticsPoint>>),
        (status = 400, description = "Unknown period", body = ErrorBody),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorBody),
    ))]
pub async fn optics(
    State(state): State<AppState>,
    auth: CustomerAuth,
    ApiQuery(query): ApiQuery<OpticsQuery>,
) -> ApiResult<Vec<OpticsPoint>> {
    let period = match query.period.as_deref().map(str::trim) {
        None | Some("") => OpticsPeriod::Day,
        Some(text) => {
            OpticsPeriod::parse(text).map_err(|e| ApiError::bad_request(e.to_string()))?
        }
    };
    own_customer(&state, &auth).await?;
    let (window_secs, step_secs) = match period {
        OpticsPeriod::Day => (86_400, 300),
        OpticsPeriod::Week => (7 * 86_400, 3_600),
    };
    let since = crate::domain::time::now().unix_timestamp() - window_secs;
    let rows = state
        .store
        .onu_optics_chart(&auth.customer_id, since, step_secs)
        .await?;
    ok(rows
        .into_iter()
        .map(|r| OpticsPoint {
            timestamp: api_unix_timestamp(r.at_unix),
            onu_status: r.status,
            onu_rx_power: r.rx_power_cdbm.map(dbm),
            onu_tx_power: r.tx_power_cdbm.map(dbm),
        })
        .collect())
}
