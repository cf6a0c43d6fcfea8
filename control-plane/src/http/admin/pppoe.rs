//! A customer's PPPoE account for FreeRADIUS: set the password (sealed at rest, never shown
//! again) and the fixed address, and read the newest authentication result. Admin and billing
//! write; every staff role reads.

use std::net::Ipv4Addr;

use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::domain::time::api_timestamp;
use crate::domain::StaffRole;
use crate::http::audit::{self, Actor};
use crate::http::extract::{non_empty, ApiJson, ClientIp};
use crate::http::principal::StaffAuth;
use crate::http::response::{ok, ok_with, ApiError, ApiResult, Envelope, ErrorBody};
use crate::http::state::AppState;
use crate::store::pppoe_accounts::PppoeAccountRow;

const WRITERS: &[StaffRole] = &[StaffRole::Admin, StaffRole::Billing];

/// The newest Access-Accept or Access-Reject FreeRADIUS reported.
#[derive(Debug, Serialize, ToSchema)]
pub struct LastAuth {
    pub at: String,
    /// `accept` or `reject`.
    pub result: String,
    pub nas: Option<String>,
    pub calling_station_id: Option<String>,
}

/// A PPPoE account as staff see it; the password itself is never returned.
#[derive(Debug, Serialize, ToSchema)]
pub struct PppoeAccountRecord {
    pub customer_id: String,
    pub pppoe_username: Option<String>,
    pub password_set: bool,
    pub static_ip: Option<String>,
    pub last_auth: Option<LastAuth>,
    pub updated_at: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordBody {
    /// 4 to 64 printable characters.
    pub password: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct StaticIpBody {
    /// An IPv4 address, or null to use the BRAS's pool again.
    pub static_ip: Option<String>,
}

fn record(
    customer_id: String,
    username: Option<String>,
    row: Option<PppoeAccountRow>,
) -> PppoeAccountRecord {
    let Some(row) = row else {
        return PppoeAccountRecord {
            customer_id,
            pppoe_username: username,
            password_set: false,
            static_ip: None,
            last_auth: None,
            updated_at: None,
        };
    };
    let last_auth = match (row.last_auth_at, row.last_auth_result) {
        (Some(at), Some(result)) => Some(LastAuth {
            at: api_timestamp(&at),
            result,
            nas: row.last_auth_nas,
            calling_station_id: row.last_auth_calling_station_id,
        }),
        _ => None,
    };
    PppoeAccountRecord {
        customer_id,
        pppoe_username: username,
        password_set: row.password_sealed.is_some(),
        static_ip: row.static_ip_address,
        last_auth,
        updated_at: Some(api_timestamp(&row.updated_at)),
    }
}

/// Checks a PPPoE password: what a CPE can type and CHAP can carry.
pub fn check_password(password: &str) -> Result<(), &'static str> {
    let chars = password.chars().count();
    if !(4..=64).contains(&chars) {
        return Err("password must be 4 to 64 characters");
    }
    if password.chars().any(|c| c.is_control()) {
        return Err("password must not contain control characters");
    }
    Ok(())
}

async fn username_of(state: &AppState, id: &str) -> Result<Option<String>, ApiError> {
    let customer = state
        .store
        .customer(id)
        .await
        .map_err(|e| ApiError::from_store(e, "customer"))?;
    Ok(customer.pppoe_username)
}

#[utoipa::path(get, path = "/customers/{id}/pppoe", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Envelope<PppoeAccountRecord>), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    _auth: StaffAuth,
    Path(id): Path<String>,
) -> ApiResult<PppoeAccountRecord> {
    let username = username_of(&state, &id).await?;
    let row = state.store.pppoe_account(&id).await?;
    ok(record(id, username, row))
}

#[utoipa::path(put, path = "/customers/{id}/pppoe/password", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = PasswordBody,
    responses((status = 200, body = Envelope<PppoeAccountRecord>), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn set_password(
    State(state): State<AppState>,
    auth: StaffAuth,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PasswordBody>,
) -> ApiResult<PppoeAccountRecord> {
    auth.require(WRITERS)?;
    let password = body
        .password
        .ok_or_else(|| ApiError::bad_request("password is required"))?;
    check_password(&password).map_err(ApiError::bad_request)?;
    let username = username_of(&state, &id).await?;
    let sealer = state.aaa.sealer().ok_or_else(|| {
        ApiError::unavailable("the PPPoE password key is not loaded; check the [aaa] settings")
    })?;
    let sealed = sealer.seal(&id, &password).map_err(ApiError::internal)?;
    let row = state
        .store
        .set_pppoe_password(&id, &sealed)
        .await
        .map_err(|e| ApiError::from_store(e, "customer"))?;
    audit::record(
        &state,
        &Actor::staff(&auth, &ip),
        "pppoe.password.set",
        "customer",
        Some(&id),
        json!({ "pppoe_username": username }),
    )
    .await?;
    ok_with(record(id, username, Some(row)), "PPPoE password set")
}

#[utoipa::path(put, path = "/customers/{id}/pppoe/static-ip", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = StaticIpBody,
    responses((status = 200, body = Envelope<PppoeAccountRecord>), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn set_static_ip(
    State(state): State<AppState>,
    auth: StaffAuth,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<StaticIpBody>,
) -> ApiResult<PppoeAccountRecord> {
    auth.require(WRITERS)?;
    let address = non_empty(body.static_ip)
        .map(|text| {
            text.parse::<Ipv4Addr>().map_err(|_| {
                ApiError::bad_request("static_ip must be an IPv4 address like 100.64.1.5")
            })
        })
        .transpose()?;
    if address.is_some_and(|a| a.is_unspecified() || a.is_broadcast() || a.is_multicast()) {
        return Err(ApiError::bad_request(
            "static_ip must be a unicast address a subscriber can use",
        ));
    }
    let username = username_of(&state, &id).await?;
    let text = address.map(|a| a.to_string());
    let row = state
        .store
        .set_static_ip(&id, text.as_deref())
        .await
        .map_err(|e| ApiError::from_store(e, "customer"))?;
    audit::record(
        &state,
        &Actor::staff(&auth, &ip),
        "pppoe.static_ip.set",
        "customer",
        Some(&id),
        json!({ "pppoe_username": username, "static_ip": text }),
    )
    .await?;
    ok_with(record(id, username, Some(row)), "Static IP address set")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords() {
        let check = |password: &str, fine: bool| {
            assert_eq!(check_password(password).is_ok(), fine, "{password:?}");
        };
        check("abcd", true);
        check("pässwörd 1", true);
        check("abc", false);
        check(&"x".repeat(65), false);
        check("ab\ncd", false);
    }
}
