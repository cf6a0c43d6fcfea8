//! One customer's ONU optics for staff: the reading history (paged, newest first, between two
//! times) and a refresh that asks the site's agent for a fast reading. Roles: admin, noc,
//! support.

use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use super::activity::{command_record, CommandRecord};
use crate::commands::request::{RequestError, Requester};
use crate::domain::time::{api_unix_timestamp, parse_timestamp};
use crate::domain::StaffRole;
use crate::http::audit::{self, Actor};
use crate::http::extract::{non_empty, ApiQuery, ClientIp, PageQuery};
use crate::http::principal::StaffAuth;
use crate::http::response::{ok, ok_with, ApiError, ApiResult, Envelope, ErrorBody, Pagination};
use crate::http::state::AppState;
use crate::optics::refresh::{request_fast_poll, Refresh, RefreshError};
use crate::optics::{Signal, Thresholds};
use crate::store::optics::OnuHistoryRow;

const ROLES: &[StaffRole] = &[StaffRole::Noc, StaffRole::Support];

/// One stored reading.
#[derive(Debug, Serialize, ToSchema)]
pub struct OnuReadingRecord {
    pub at: String,
    pub onu_status: String,
    /// ONU receive level in dBm; null when the OLT reported none.
    pub rx_power_dbm: Option<f64>,
    pub tx_power_dbm: Option<f64>,
    /// The OLT's receive level from this ONU, dBm.
    pub olt_rx_power_dbm: Option<f64>,
    /// This reading alone against the `[optics]` thresholds (no hysteresis): `normal`, `weak`,
    /// `critical`, `overload`, `offline`; null when it says nothing (no level, status unknown).
    pub level: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OnuHistoryPage {
    pub customer_id: String,
    pub readings: Vec<OnuReadingRecord>,
    pub pagination: Pagination,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    pub limit: Option<String>,
    pub offset: Option<String>,
    /// Readings at or after this time, RFC 3339 (e.g. `2026-01-03T10:00:00Z`).
    pub from: Option<String>,
    /// Readings at or before this time, RFC 3339.
    pub to: Option<String>,
}

fn dbm(centi_dbm: i64) -> f64 {
    centi_dbm as f64 / 100.0
}

fn reading_record(r: OnuHistoryRow, thresholds: &Thresholds) -> OnuReadingRecord {
    let rx = r.rx_power_cdbm.map(dbm);
    let level = thresholds
        .of_reading(Signal::of(&r.status, rx))
        .map(|level| level.as_str().to_owned());
    OnuReadingRecord {
        at: api_unix_timestamp(r.at_unix),
        onu_status: r.status,
        rx_power_dbm: rx,
        tx_power_dbm: r.tx_power_cdbm.map(dbm),
        olt_rx_power_dbm: r.olt_rx_power_cdbm.map(dbm),
        level,
    }
}

fn unix_param(name: &str, value: Option<String>) -> Result<Option<i64>, ApiError> {
    match non_empty(value) {
        None => Ok(None),
        Some(text) => parse_timestamp(&text)
            .map(|at| Some(at.unix_timestamp()))
            .ok_or_else(|| {
                ApiError::bad_request(format!(
                    "{name} must be an RFC 3339 time such as 2026-01-03T10:00:00Z"
                ))
            }),
    }
}

#[utoipa::path(get, path = "/customers/{id}/onu-optics/history", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "Customer id"), HistoryQuery),
    responses(
        (status = 200, description = "The customer's ONU readings, newest first", body = Envelope<OnuHistoryPage>),
        (status = 400, description = "Bad time or paging", body = ErrorBody),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorBody),
        (status = 403, description = "Role may not do this", body = ErrorBody),
        (status = 404, description = "No such customer", body = ErrorBody),
    ))]
pub async fn history(
    State(state): State<AppState>,
    auth: StaffAuth,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<HistoryQuery>,
) -> ApiResult<OnuHistoryPage> {
    auth.require(ROLES)?;
    let page = PageQuery {
        limit: q.limit,
        offset: q.offset,
    }
    .page()?;
    let from = unix_param("from", q.from)?;
    let to = unix_param("to", q.to)?;
    if let (Some(from), Some(to)) = (from, to) {
        if from > to {
            return Err(ApiError::bad_request("from must not be after to"));
        }
    }
    state
        .store
        .customer(&id)
        .await
        .map_err(|e| ApiError::from_store(e, "customer"))?;
    let rows = state.store.onu_optics_history(&id, from, to, page).await?;
    let thresholds = &state.optics.settings.thresholds;
    ok(OnuHistoryPage {
        customer_id: id,
        readings: rows
            .rows
            .into_iter()
            .map(|row| reading_record(row, thresholds))
            .collect(),
        pagination: Pagination {
            total: rows.total,
            limit: page.limit,
            offset: page.offset,
        },
    })
}

#[utoipa::path(post, path = "/customers/{id}/onu-optics/refresh", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "Customer id")),
    responses(
        (status = 200, description = "A fast optics poll queued for the site's agent, or the one already in flight", body = Envelope<CommandRecord>),
        (status = 400, description = "No OLT, PON port and ONU id on file", body = ErrorBody),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorBody),
        (status = 403, description = "Role may not do this", body = ErrorBody),
        (status = 404, description = "No such customer", body = ErrorBody),
        (status = 429, description = "This ONU was polled fast moments ago; Retry-After says when to ask again", body = ErrorBody),
    ))]
pub async fn refresh(
    State(state): State<AppState>,
    auth: StaffAuth,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
) -> ApiResult<CommandRecord> {
    auth.require(ROLES)?;
    let customer = state
        .store
        .customer(&id)
        .await
        .map_err(|e| ApiError::from_store(e, "customer"))?;
    let requester = Requester {
        kind: "staff",
        id: auth.staff_id.clone(),
    };
    match request_fast_poll(&state, &customer, &requester).await {
        Ok(Refresh::Queued(command)) => {
            let params: serde_json::Value =
                serde_json::from_str(&command.params).unwrap_or(serde_json::Value::Null);
            audit::record(
                &state,
                &Actor::staff(&auth, &ip),
                "device.fast_poll_optics",
                "device_command",
                Some(&command.id),
                json!({ "customer_id": customer.id, "target": command.target, "params": params }),
            )
            .await?;
            ok_with(
                command_record(command),
                "Fast optics poll queued for the site's agent",
            )
        }
        Ok(Refresh::InFlight(command)) => ok_with(
            command_record(command),
            "A fast optics poll of this ONU is already in progress",
        ),
        Err(RefreshError::TooSoon {
            retry_after_secs, ..
        }) => Err(ApiError::too_many(
            format!("this ONU was polled fast moments ago; ask again in {retry_after_secs} s"),
            retry_after_secs,
        )),
        Err(RefreshError::Request(RequestError::Store(err))) | Err(RefreshError::Store(err)) => {
            Err(err.into())
        }
        Err(RefreshError::Request(err)) => Err(ApiError::bad_request(err.to_string())),
    }
}
