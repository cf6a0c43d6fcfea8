//! `POST /auth/login` for staff: username and password, with the same lockout as subscribers.

use std::time::Instant;

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::password::{decoy_hash, verify_password};
use crate::auth::Principal;
use crate::domain::StaffRole;
use crate::http::extract::{non_empty, ApiJson, ClientIp};
use crate::http::principal::StaffAuth;
use crate::http::response::{ok, ApiError, ApiResult, Envelope, ErrorBody};
use crate::http::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct StaffLogin {
    pub username: Option<String>,
    pub password: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffIdentity {
    pub id: String,
    pub username: String,
    pub role: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffLoginData {
    pub token: String,
    pub expires_in: i64,
    pub staff: StaffIdentity,
}

#[utoipa::path(post, path = "/auth/login", tag = "admin",
    request_body = StaffLogin,
    responses(
        (status = 200, description = "Logged in", body = Envelope<StaffLoginData>),
        (status = 400, description = "Missing username or password", body = ErrorBody),
        (status = 401, description = "Wrong credentials or disabled account", body = ErrorBody),
        (status = 429, description = "Too many failed logins; see Retry-After", body = ErrorBody),
    ))]
pub async fn login(
    State(state): State<AppState>,
    ClientIp(client_ip): ClientIp,
    ApiJson(body): ApiJson<StaffLogin>,
) -> ApiResult<StaffLoginData> {
    let username =
        non_empty(body.username).ok_or_else(|| ApiError::bad_request("username is required"))?;
    let password = body
        .password
        .filter(|p| !p.is_empty())
        .ok_or_else(|| ApiError::bad_request("password is required"))?;
    let identifier = format!("staff:{username}");
    let now = Instant::now();
    if let Err(retry) = state.login_guard.check(&identifier, &client_ip, now) {
        return Err(ApiError::too_many(
            format!("too many failed logins; try again in {} s", retry.secs()),
            retry.secs(),
        ));
    }
    let staff = state.store.staff_by_username(&username).await?;
    let hash = staff
        .as_ref()
        .map_or(decoy_hash(), |s| s.password_hash.as_str())
        .to_owned();
    let matches = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(ApiError::internal)?;
    let staff = match staff {
        Some(staff) if matches && staff.disabled == 0 => staff,
        _ => {
            state
                .metrics
                .login_failures
                .with_label_values(&["staff"])
                .inc();
            if state
                .login_guard
                .record_failure(&identifier, &client_ip, now)
                .is_some()
            {
                state.metrics.login_lockouts.inc();
                tracing::warn!(%username, %client_ip, "staff login locked after repeated failures");
            }
            return Err(ApiError::unauthorized("invalid username or password"));
        }
    };
    state.login_guard.record_success(&identifier);
    state.store.touch_staff_login(&staff.id).await?;
    let role = StaffRole::parse(&staff.role).map_err(ApiError::internal)?;
    let token = state.keys.issue(
        &Principal::Staff {
            id: staff.id.clone(),
            role,
        },
        crate::domain::time::now().unix_timestamp(),
    );
    ok(StaffLoginData {
        token,
        expires_in: state.keys.ttl_secs(),
        staff: StaffIdentity {
            id: staff.id,
            username: staff.username,
            role: staff.role,
        },
    })
}

#[utoipa::path(get, path = "/auth/me", tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, description = "The logged-in staff member", body = Envelope<StaffIdentity>),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorBody),
    ))]
pub async fn me(auth: StaffAuth) -> ApiResult<StaffIdentity> {
    ok(StaffIdentity {
        id: auth.staff_id,
        username: auth.username,
        role: auth.role.as_str().to_owned(),
    })
}
