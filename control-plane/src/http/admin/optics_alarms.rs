//! `GET /onu-optics/alarms`: every crossing of an ONU from one optics level to another (weak,
//! critical, overload, offline and back to normal), newest first; `active=true` keeps the ONUs
//! in alarm now. Roles: admin, noc, support.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::time::api_timestamp;
use crate::domain::StaffRole;
use crate::http::extract::{non_empty, ApiQuery, PageQuery};
use crate::http::principal::StaffAuth;
use crate::http::response::{ok, ApiError, ApiResult, Envelope, ErrorBody, Pagination};
use crate::http::state::AppState;
use crate::store::optics_alarms::{OpticsAlarmFilter, OpticsAlarmRow};

const ROLES: &[StaffRole] = &[StaffRole::Noc, StaffRole::Support];

/// One crossing.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpticsAlarmRecord {
    pub id: String,
    pub customer_id: String,
    pub customer_code: String,
    pub name: String,
    /// The OLT's device name as its agent reports it.
    pub olt: String,
    pub pon_port: Option<String>,
    pub onu_id: Option<i64>,
    /// The receive level of the reading that crossed, dBm; null when offline.
    pub rx_power_dbm: Option<f64>,
    /// `normal`, `weak`, `critical`, `overload` or `offline`.
    pub from_level: String,
    pub to_level: String,
    pub at: String,
    /// When the ONU crossed again (ending this one); null while it lasts.
    pub ended_at: Option<String>,
    /// The ONU is at `to_level` now and it is not `normal`.
    pub active: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OpticsAlarmsPage {
    pub alarms: Vec<OpticsAlarmRecord>,
    pub pagination: Pagination,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlarmsQuery {
    pub limit: Option<String>,
    pub offset: Option<String>,
    /// `true` for ONUs in alarm now only; `false` or absent for every crossing.
    pub active: Option<String>,
    pub customer_id: Option<String>,
}

fn record(r: OpticsAlarmRow) -> OpticsAlarmRecord {
    OpticsAlarmRecord {
        active: r.ended_at.is_none() && r.to_level != "normal",
        id: r.id,
        customer_id: r.customer_id,
        customer_code: r.customer_code,
        name: r.name,
        olt: r.olt,
        pon_port: r.pon_port,
        onu_id: r.onu_id,
        rx_power_dbm: r.rx_power_cdbm.map(|c| c as f64 / 100.0),
        from_level: r.from_level,
        to_level: r.to_level,
        at: api_timestamp(&r.at),
        ended_at: r.ended_at.as_deref().map(api_timestamp),
    }
}

#[utoipa::path(get, path = "/onu-optics/alarms", tag = "admin", security(("bearer" = [])),
    params(AlarmsQuery),
    responses(
        (status = 200, description = "Optics level crossings, newest first", body = Envelope<OpticsAlarmsPage>),
        (status = 400, description = "Bad filter or paging", body = ErrorBody),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorBody),
        (status = 403, description = "Role may not do this", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    auth: StaffAuth,
    ApiQuery(q): ApiQuery<AlarmsQuery>,
) -> ApiResult<OpticsAlarmsPage> {
    auth.require(ROLES)?;
    let page = PageQuery {
        limit: q.limit,
        offset: q.offset,
    }
    .page()?;
    let active_only = match non_empty(q.active).as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(ApiError::bad_request("active must be true or false")),
    };
    let filter = OpticsAlarmFilter {
        active_only,
        customer_id: non_empty(q.customer_id),
    };
    let alarms = state.store.list_optics_alarms(&filter, page).await?;
    ok(OpticsAlarmsPage {
        alarms: alarms.rows.into_iter().map(record).collect(),
        pagination: Pagination {
            total: alarms.total,
            limit: page.limit,
            offset: page.offset,
        },
    })
}
