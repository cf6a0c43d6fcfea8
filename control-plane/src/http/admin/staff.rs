//! Staff accounts, for admins: create, list, enable and disable.

use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::auth::password::{check_password_strength, hash_password};
use crate::domain::StaffRole;
use crate::http::audit::{self, Actor};
use crate::http::extract::{required_text, ApiJson, ClientIp};
use crate::http::principal::StaffAuth;
use crate::http::response::{ok, ok_with, ApiError, ApiResult, Envelope, ErrorBody};
use crate::http::state::AppState;
use crate::store::staff::StaffRow;

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffRecord {
    pub id: String,
    pub username: String,
    pub role: String,
    pub disabled: bool,
    pub created_at: String,
    pub last_login_at: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewStaff {
    pub username: Option<String>,
    pub password: Option<String>,
    /// `admin`, `noc`, `billing` or `support`.
    pub role: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct StaffStatus {
    pub disabled: bool,
}

fn staff_record(s: StaffRow) -> StaffRecord {
    StaffRecord {
        id: s.id,
        username: s.username,
        role: s.role,
        disabled: s.disabled != 0,
        created_at: s.created_at,
        last_login_at: s.last_login_at,
    }
}

#[utoipa::path(get, path = "/staff", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = Envelope<Vec<StaffRecord>>), (status = 403, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, auth: StaffAuth) -> ApiResult<Vec<StaffRecord>> {
    auth.require(&[StaffRole::Admin])?;
    let staff = state.store.list_staff().await?;
    ok(staff.into_iter().map(staff_record).collect())
}

#[utoipa::path(post, path = "/staff", tag = "admin", security(("bearer" = [])),
    request_body = NewStaff,
    responses((status = 200, body = Envelope<StaffRecord>), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    auth: StaffAuth,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<NewStaff>,
) -> ApiResult<StaffRecord> {
    auth.require(&[StaffRole::Admin])?;
    let username = required_text("username", body.username, 64)?;
    if !username
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    {
        return Err(ApiError::bad_request(
            "username may contain only letters, digits, '.', '-' and '_'",
        ));
    }
    let role = required_text("role", body.role, 16)?;
    let role = StaffRole::parse(&role).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let password = body.password.unwrap_or_default();
    check_password_strength(&password).map_err(ApiError::bad_request)?;
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    let staff = state
        .store
        .insert_staff(&username, &hash, role.as_str())
        .await?;
    audit::record(
        &state,
        &Actor::staff(&auth, &ip),
        "staff.create",
        "staff",
        Some(&staff.id),
        json!({ "username": username, "role": role.as_str() }),
    )
    .await?;
    ok_with(staff_record(staff), "Staff account created")
}

#[utoipa::path(put, path = "/staff/{id}/status", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = StaffStatus,
    responses((status = 200, body = Envelope<StaffRecord>), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn set_status(
    State(state): State<AppState>,
    auth: StaffAuth,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<StaffStatus>,
) -> ApiResult<StaffRecord> {
    auth.require(&[StaffRole::Admin])?;
    if id == auth.staff_id && body.disabled {
        return Err(ApiError::bad_request("you cannot disable your own account"));
    }
    let staff = state
        .store
        .set_staff_disabled(&id, body.disabled)
        .await
        .map_err(|e| ApiError::from_store(e, "staff account"))?;
    audit::record(
        &state,
        &Actor::staff(&auth, &ip),
        if body.disabled {
            "staff.disable"
        } else {
            "staff.enable"
        },
        "staff",
        Some(&id),
        json!({ "username": staff.username }),
    )
    .await?;
    ok_with(staff_record(staff), "Staff account updated")
}
