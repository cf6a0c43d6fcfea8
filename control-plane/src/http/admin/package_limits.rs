//! `GET` / `PUT /packages/{id}/limits`: what a package (a business plan) includes beyond speed
//! and price, shown against use in the customer's `/usage-stats`. Today: BGP peerings.

use axum::extract::{Path, State};
use serde::Serialize;
use serde_json::{json, Map, Value};
use utoipa::ToSchema;

use crate::domain::StaffRole;
use crate::http::audit::{self, Actor};
use crate::http::extract::{ApiJson, ClientIp};
use crate::http::principal::StaffAuth;
use crate::http::response::{ok, ok_with, ApiError, ApiResult, Envelope, ErrorBody};
use crate::http::state::AppState;

const READERS: &[StaffRole] = &[StaffRole::Billing, StaffRole::Support];
const WRITERS: &[StaffRole] = &[StaffRole::Billing];

/// Largest peering limit accepted; far above any plan, to catch typing mistakes.
const MAX_BGP_PEERINGS: i64 = 10_000;

#[derive(Debug, Serialize, ToSchema)]
pub struct PackageLimits {
    pub package_id: String,
    /// BGP peerings the package includes; null for no limit.
    pub bgp_peerings: Option<i64>,
}

/// The limits to set; every key is required, so an empty body never clears a limit.
#[derive(Debug, ToSchema)]
pub struct PackageLimitsBody {
    /// A whole number from 0 to 10000, or null for no limit.
    #[schema(value_type = Option<i64>)]
    pub bgp_peerings: Value,
}

fn bgp_peerings(body: &Map<String, Value>) -> Result<Option<i64>, ApiError> {
    if let Some(other) = body.keys().find(|k| *k != "bgp_peerings") {
        return Err(ApiError::bad_request(format!(
            "unknown field {other}; the body has bgp_peerings"
        )));
    }
    match body.get("bgp_peerings") {
        None => Err(ApiError::bad_request(
            "bgp_peerings is required (a number, or null for no limit)",
        )),
        Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_i64() {
            Some(limit) if (0..=MAX_BGP_PEERINGS).contains(&limit) => Ok(Some(limit)),
            _ => Err(ApiError::bad_request(format!(
                "bgp_peerings must be a whole number from 0 to {MAX_BGP_PEERINGS}, or null"
            ))),
        },
        _ => Err(ApiError::bad_request(
            "bgp_peerings must be a number or null",
        )),
    }
}

#[utoipa::path(get, path = "/packages/{id}/limits", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "Package id")),
    responses(
        (status = 200, description = "The package's limits", body = Envelope<PackageLimits>),
        (status = 403, description = "Role may not do this (admin, billing and support may)", body = ErrorBody),
        (status = 404, description = "No such package", body = ErrorBody),
    ))]
pub async fn get(
    State(state): State<AppState>,
    auth: StaffAuth,
    Path(id): Path<String>,
) -> ApiResult<PackageLimits> {
    auth.require(READERS)?;
    let limit = state
        .store
        .package_bgp_peerings_limit(&id)
        .await
        .map_err(|e| ApiError::from_store(e, "package"))?;
    ok(PackageLimits {
        package_id: id,
        bgp_peerings: limit,
    })
}

#[utoipa::path(put, path = "/packages/{id}/limits", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "Package id")),
    request_body = PackageLimitsBody,
    responses(
        (status = 200, description = "Limits set", body = Envelope<PackageLimits>),
        (status = 400, description = "A limit out of range or not a number", body = ErrorBody),
        (status = 403, description = "Role may not do this (admin and billing may)", body = ErrorBody),
        (status = 404, description = "No such package", body = ErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    auth: StaffAuth,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Map<String, Value>>,
) -> ApiResult<PackageLimits> {
    auth.require(WRITERS)?;
    let limit = bgp_peerings(&body)?;
    state
        .store
        .set_package_bgp_peerings_limit(&id, limit)
        .await
        .map_err(|e| ApiError::from_store(e, "package"))?;
    audit::record(
        &state,
        &Actor::staff(&auth, &ip),
        "package.limits",
        "package",
        Some(&id),
        json!({ "bgp_peerings": limit }),
    )
    .await?;
    ok_with(
        PackageLimits {
            package_id: id,
            bgp_peerings: limit,
        },
        "Package limits updated",
    )
}
