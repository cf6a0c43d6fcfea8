//! `GET /packages` (what the portal offers) and `POST /packages/change` (a request staff act on).

use axum::extract::State;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::profile::own_customer;
use super::views::{package_offer, PackageChangeRequested, PackageOffer};
use crate::http::audit::{self, Actor};
use crate::http::extract::{non_empty, ApiJson, ClientIp};
use crate::http::principal::CustomerAuth;
use crate::http::response::{ok, ok_with, ApiError, ApiResult, Envelope, ErrorBody};
use crate::http::state::AppState;
use crate::store::packages::PackageFilter;
use crate::store::{Page, StoreError};

#[utoipa::path(get, path = "/packages", tag = "customer", security(("bearer" = [])),
    responses(
        (status = 200, description = "Packages visible in the portal, cheapest first", body = Envelope<Vec<PackageOffer>>),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorBody),
    ))]
pub async fn list_packages(
    State(state): State<AppState>,
    _auth: CustomerAuth,
) -> ApiResult<Vec<PackageOffer>> {
    let filter = PackageFilter {
        portal_visible: Some(true),
        ..PackageFilter::default()
    };
    let packages = state
        .store
        .list_packages(
            &filter,
            Page {
                limit: 500,
                offset: 0,
            },
        )
        .await?;
    ok(packages.rows.iter().map(package_offer).collect())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PackageChangeRequest {
    pub package_id: Option<String>,
    /// `now` (the default: prorated within the current period once staff approve) or
    /// `next_cycle` (from the first day of the next billing period).
    pub effective: Option<String>,
}

/// The `effective` of a request: `now` when absent.
fn effective(text: Option<String>) -> Result<&'static str, ApiError> {
    match non_empty(text).as_deref() {
        None | Some("now") => Ok("now"),
        Some("next_cycle") => Ok("next_cycle"),
        Some(other) => Err(ApiError::bad_request(format!(
            "effective must be now or next_cycle, not '{other}'"
        ))),
    }
}

#[utoipa::path(post, path = "/packages/change", tag = "customer", security(("bearer" = [])),
    request_body = PackageChangeRequest,
    responses(
        (status = 200, description = "Request recorded for staff", body = Envelope<PackageChangeRequested>),
        (status = 400, description = "Missing package_id, bad effective, or already on it", body = ErrorBody),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorBody),
        (status = 404, description = "No such package offered", body = ErrorBody),
        (status = 409, description = "A change request is already pending", body = ErrorBody),
    ))]
pub async fn request_change(
    State(state): State<AppState>,
    auth: CustomerAuth,
    ClientIp(client_ip): ClientIp,
    ApiJson(body): ApiJson<PackageChangeRequest>,
) -> ApiResult<PackageChangeRequested> {
    let package_id = non_empty(body.package_id)
        .ok_or_else(|| ApiError::bad_request("package_id is required"))?;
    let effective = effective(body.effective)?;
    let package = match state.store.package(&package_id).await {
        Ok(p) if p.portal_visible != 0 => p,
        Ok(_) | Err(StoreError::NotFound) => return Err(ApiError::not_found("package")),
        Err(err) => return Err(err.into()),
    };
    let customer = own_customer(&state, &auth).await?;
    if customer.package_id.as_deref() == Some(package.id.as_str()) {
        return Err(ApiError::bad_request("you are already on this package"));
    }
    if let Some(pending) = state.store.pending_package_change(&customer.id).await? {
        return Err(ApiError::conflict(format!(
            "a change to package {pending} is already waiting"
        )));
    }
    let request_id = state
        .store
        .insert_package_change_request(
            &customer.id,
            customer.package_id.as_deref(),
            &package.id,
            effective,
        )
        .await?;
    audit::record(
        &state,
        &Actor::customer(&auth, &client_ip),
        "package.change_request",
        "package_change_request",
        Some(&request_id),
        json!({ "from_package_id": customer.package_id, "to_package_id": package.id,
                "effective": effective }),
    )
    .await?;
    ok_with(
        PackageChangeRequested {
            request_type: "package_change".to_owned(),
            package_id: package.id,
            effective: effective.to_owned(),
        },
        "Package change request submitted. Our team will contact you shortly.",
    )
}
