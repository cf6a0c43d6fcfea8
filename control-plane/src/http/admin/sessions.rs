//! PPPoE sessions from RADIUS accounting: who is online now (filtered, paged) and one
//! customer's session history. Every staff role reads.

use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::time::api_timestamp;
use crate::http::extract::{non_empty, ApiQuery, PageQuery};
use crate::http::principal::StaffAuth;
use crate::http::response::{ok, ApiError, ApiResult, Envelope, ErrorBody, Pagination};
use crate::http::state::AppState;
use crate::store::sessions::{OnlineFilter, RadiusSessionRow};

/// One PPPoE session.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionRecord {
    pub id: String,
    pub online: bool,
    pub username: String,
    pub customer_id: Option<String>,
    pub nas_ip_address: Option<String>,
    pub nas_identifier: Option<String>,
    pub acct_session_id: String,
    pub framed_ip_address: Option<String>,
    /// The subscriber's MAC (Calling-Station-Id).
    pub calling_station_id: Option<String>,
    pub started_at: String,
    /// The newest accounting packet.
    pub updated_at: String,
    pub stopped_at: Option<String>,
    /// Octets to the subscriber (the NAS's Acct-Output-Octets with gigawords).
    pub download_octets: i64,
    /// Octets from the subscriber (the NAS's Acct-Input-Octets with gigawords).
    pub upload_octets: i64,
    pub session_time_secs: i64,
    /// Acct-Terminate-Cause, or NAS-Reboot after Accounting-On/Off.
    pub terminate_cause: Option<String>,
    /// `stop`, `stale` (no accounting for too long) or `nas-restart`.
    pub close_reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionsPage {
    pub sessions: Vec<SessionRecord>,
    pub pagination: Pagination,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OnlineQuery {
    pub limit: Option<String>,
    pub offset: Option<String>,
    /// NAS-IP-Address or NAS-Identifier.
    pub nas: Option<String>,
    /// Text found in the PPPoE username.
    pub username: Option<String>,
    pub customer_id: Option<String>,
    pub framed_ip: Option<String>,
}

fn record(row: RadiusSessionRow) -> SessionRecord {
    SessionRecord {
        online: row.stopped_at.is_none(),
        id: row.id,
        username: row.username,
        customer_id: row.customer_id,
        nas_ip_address: row.nas_ip_address,
        nas_identifier: row.nas_identifier,
        acct_session_id: row.acct_session_id,
        framed_ip_address: row.framed_ip_address,
        calling_station_id: row.calling_station_id,
        started_at: api_timestamp(&row.started_at),
        updated_at: api_timestamp(&row.updated_at),
        stopped_at: row.stopped_at.as_deref().map(api_timestamp),
        download_octets: row.output_octets,
        upload_octets: row.input_octets,
        session_time_secs: row.session_time_secs,
        terminate_cause: row.terminate_cause,
        close_reason: row.close_reason,
    }
}

#[utoipa::path(get, path = "/sessions/online", tag = "admin", security(("bearer" = [])),
    params(OnlineQuery),
    responses((status = 200, body = Envelope<SessionsPage>), (status = 400, body = ErrorBody)))]
pub async fn online(
    State(state): State<AppState>,
    _auth: StaffAuth,
    ApiQuery(q): ApiQuery<OnlineQuery>,
) -> ApiResult<SessionsPage> {
    let page = PageQuery {
        limit: q.limit,
        offset: q.offset,
    }
    .page()?;
    let filter = OnlineFilter {
        nas: non_empty(q.nas),
        username: non_empty(q.username),
        customer_id: non_empty(q.customer_id),
        framed_ip_address: non_empty(q.framed_ip),
    };
    let sessions = state.store.online_sessions(&filter, page).await?;
    ok(SessionsPage {
        sessions: sessions.rows.into_iter().map(record).collect(),
        pagination: Pagination {
            total: sessions.total,
            limit: page.limit,
            offset: page.offset,
        },
    })
}

#[utoipa::path(get, path = "/customers/{id}/sessions", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path), PageQuery),
    responses((status = 200, body = Envelope<SessionsPage>), (status = 404, body = ErrorBody)))]
pub async fn customer_history(
    State(state): State<AppState>,
    _auth: StaffAuth,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<SessionsPage> {
    let page = q.page()?;
    state
        .store
        .customer(&id)
        .await
        .map_err(|e| ApiError::from_store(e, "customer"))?;
    let sessions = state.store.customer_sessions(&id, page).await?;
    ok(SessionsPage {
        sessions: sessions.rows.into_iter().map(record).collect(),
        pagination: Pagination {
            total: sessions.total,
            limit: page.limit,
            offset: page.offset,
        },
    })
}
