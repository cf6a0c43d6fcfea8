//! `GET /onu-optics`: every ONU's latest levels, weakest first, with a weak-signal filter — the
//! NOC's list of fibres to check. The verdict uses the `[optics]` thresholds.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::OpticsLevel;
use crate::http::extract::{non_empty, ApiQuery, PageQuery};
use crate::http::principal::StaffAuth;
use crate::http::response::{ok, ApiError, ApiResult, Envelope, ErrorBody, Pagination};
use crate::http::state::AppState;
use crate::optics::Thresholds;
use crate::store::optics::OnuOpticsRow;

#[derive(Debug, Serialize, ToSchema)]
pub struct OnuOpticsRecord {
    pub customer_id: String,
    pub customer_code: String,
    pub name: String,
    pub pon_port: Option<String>,
    pub onu_id: Option<i64>,
    pub onu_status: Option<String>,
    /// ONU receive level in dBm; null when the OLT reports no value.
    pub rx_power_dbm: Option<f64>,
    pub tx_power_dbm: Option<f64>,
    /// The newest level against the `[optics]` thresholds: `good`, `weak` (at or below
    /// `weak_dbm`), `critical` (at or below `critical_dbm`), `overload` (at or above
    /// `overload_dbm`) or `no signal`.
    pub verdict: String,
    pub updated_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OnuOpticsPage {
    pub onus: Vec<OnuOpticsRecord>,
    pub pagination: Pagination,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OnuOpticsQuery {
    pub limit: Option<String>,
    pub offset: Option<String>,
    /// Keep only ONUs whose receive level is below this many dBm (e.g. -25), or have none.
    pub weak_below_dbm: Option<String>,
}

fn record(r: OnuOpticsRow, thresholds: &Thresholds) -> OnuOpticsRecord {
    let rx = r.onu_rx_power_cdbm.map(|c| c as f64 / 100.0);
    let verdict = match rx.map(|dbm| thresholds.plain(dbm)) {
        None => "no signal",
        Some(OpticsLevel::Normal) => "good",
        Some(level) => level.as_str(),
    };
    OnuOpticsRecord {
        customer_id: r.customer_id,
        customer_code: r.customer_code,
        name: r.name,
        pon_port: r.pon_port,
        onu_id: r.onu_id,
        onu_status: r.onu_status,
        rx_power_dbm: rx,
        tx_power_dbm: r.onu_tx_power_cdbm.map(|c| c as f64 / 100.0),
        verdict: verdict.to_owned(),
        updated_at: r.updated_at,
    }
}

#[utoipa::path(get, path = "/onu-optics", tag = "admin", security(("bearer" = [])),
    params(OnuOpticsQuery),
    responses(
        (status = 200, description = "ONUs, weakest receive level first", body = Envelope<OnuOpticsPage>),
        (status = 400, description = "Bad filter or paging", body = ErrorBody),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    _auth: StaffAuth,
    ApiQuery(q): ApiQuery<OnuOpticsQuery>,
) -> ApiResult<OnuOpticsPage> {
    let page = PageQuery {
        limit: q.limit,
        offset: q.offset,
    }
    .page()?;
    let weak = match non_empty(q.weak_below_dbm) {
        None => None,
        Some(text) => match text.parse::<f64>() {
            Ok(dbm) if dbm.is_finite() && (-60.0..=10.0).contains(&dbm) => {
                Some((dbm * 100.0).round() as i64)
            }
            _ => {
                return Err(ApiError::bad_request(
                    "weak_below_dbm must be a level in dBm from -60 to 10",
                ))
            }
        },
    };
    let rows = state.store.list_onu_optics(weak, page).await?;
    let thresholds = &state.optics.settings.thresholds;
    ok(OnuOpticsPage {
        onus: rows
            .rows
            .into_iter()
            .map(|row| record(row, thresholds))
            .collect(),
        pagination: Pagination {
            total: rows.total,
            limit: page.limit,
            offset: page.offset,
        },
    })
}
