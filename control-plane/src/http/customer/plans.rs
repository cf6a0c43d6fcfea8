//! Seed 002's plan routes on the package logic: `GET /plan` (the current package and a change
//! on its way), `GET /plans` (what `GET /packages` offers) and `POST /change-plan` (what
//! `POST /packages/change` does, with `effective` now or next_cycle).

use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use super::packages::{list_packages, request_change, PackageChangeRequest};
use super::profile::own_customer;
use super::views::{package_offer, PackageChangeRequested, PackageOffer};
use crate::http::amount::Amount;
use crate::http::extract::{ApiJson, ClientIp};
use crate::http::principal::CustomerAuth;
use crate::http::response::{ok, ApiResult, Envelope, ErrorBody};
use crate::http::state::AppState;
use crate::store::StoreError;

/// A change request of the subscriber that has not applied yet.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanChangeWaiting {
    pub to_package_id: String,
    pub to_package_name: String,
    /// `now` or `next_cycle`.
    pub effective: String,
    /// `pending` (waiting for staff) or `approved` (waiting for `apply_on`).
    pub status: String,
    /// The first day of the next billing period, for an approved next-cycle change.
    pub apply_on: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CurrentPlan {
    /// The package the subscriber is on; `null` without one.
    pub package: Option<PackageOffer>,
    /// What each billing period costs.
    pub monthly_bill: Amount,
    pub pending_change: Option<PlanChangeWaiting>,
}

#[utoipa::path(get, path = "/plan", tag = "customer", security(("bearer" = [])),
    responses(
        (status = 200, description = "The current plan and a change on its way", body = Envelope<CurrentPlan>),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorBody),
    ))]
pub async fn current_plan(
    State(state): State<AppState>,
    auth: CustomerAuth,
) -> ApiResult<CurrentPlan> {
    let customer = own_customer(&state, &auth).await?;
    let package = match &customer.package_id {
        None => None,
        Some(id) => match state.store.package(id).await {
            Ok(package) => Some(package_offer(&package)),
            Err(StoreError::NotFound) => None,
            Err(err) => return Err(err.into()),
        },
    };
    let pending_change = state
        .store
        .open_package_change(&customer.id)
        .await?
        .map(|r| PlanChangeWaiting {
            to_package_id: r.to_package_id,
            to_package_name: r.to_package_name,
            effective: r.effective,
            status: r.status,
            apply_on: r.apply_on,
        });
    ok(CurrentPlan {
        package,
        monthly_bill: Amount::minor(customer.monthly_bill_minor),
        pending_change,
    })
}

#[utoipa::path(get, path = "/plans", tag = "customer", security(("bearer" = [])),
    responses(
        (status = 200, description = "Plans visible in the portal, cheapest first", body = Envelope<Vec<PackageOffer>>),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorBody),
    ))]
pub async fn plans(state: State<AppState>, auth: CustomerAuth) -> ApiResult<Vec<PackageOffer>> {
    list_packages(state, auth).await
}

#[utoipa::path(post, path = "/change-plan", tag = "customer", security(("bearer" = [])),
    request_body = PackageChangeRequest,
    responses(
        (status = 200, description = "Request recorded for staff", body = Envelope<PackageChangeRequested>),
        (status = 400, description = "Missing package_id, bad effective, or already on it", body = ErrorBody),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorBody),
        (status = 404, description = "No such package offered", body = ErrorBody),
        (status = 409, description = "A change request is already waiting", body = ErrorBody),
    ))]
pub async fn change_plan(
    state: State<AppState>,
    auth: CustomerAuth,
    client_ip: ClientIp,
    body: ApiJson<PackageChangeRequest>,
) -> ApiResult<PackageChangeRequested> {
    request_change(state, auth, client_ip, body).await
}
