//! Staff read and set a customer's alert preferences and read the customer's alert delivery
//! log (email and webhook).

use axum::extract::{Path, State};

use crate::domain::StaffRole;
use crate::http::alert_preferences::{
    self as shared, delivery_view, AlertDeliveryView, AlertPreferencesBody, AlertPreferencesView,
};
use crate::http::audit::Actor;
use crate::http::extract::{ApiJson, ClientIp};
use crate::http::principal::StaffAuth;
use crate::http::response::{ok, ok_with, ApiError, ApiResult, Envelope, ErrorBody};
use crate::http::state::AppState;
use crate::store::customers::CustomerRow;

const READERS: &[StaffRole] = &[
    StaffRole::Admin,
    StaffRole::Billing,
    StaffRole::Support,
    StaffRole::Noc,
];
const WRITERS: &[StaffRole] = &[StaffRole::Admin, StaffRole::Billing, StaffRole::Support];
/// Deliveries one log answer lists, newest first.
const LOG_LIMIT: i64 = 100;

async fn customer(state: &AppState, id: &str) -> Result<CustomerRow, ApiError> {
    state
        .store
        .customer(id)
        .await
        .map_err(|e| ApiError::from_store(e, "customer"))
}

#[utoipa::path(get, path = "/customers/{id}/alert-preferences", tag = "admin",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Customer id")),
    responses(
        (status = 200, description = "The preferences in force", body = Envelope<AlertPreferencesView>),
        (status = 403, description = "Role may not do this", body = ErrorBody),
        (status = 404, description = "No such customer", body = ErrorBody),
    ))]
pub async fn get(
    State(state): State<AppState>,
    auth: StaffAuth,
    Path(id): Path<String>,
) -> ApiResult<AlertPreferencesView> {
    auth.require(READERS)?;
    let customer = customer(&state, &id).await?;
    ok(shared::read(&state, &customer).await?)
}

#[utoipa::path(put, path = "/customers/{id}/alert-preferences", tag = "admin",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Customer id")),
    request_body = AlertPreferencesBody,
    responses(
        (status = 200, description = "Stored; a new webhook secret is shown only now", body = Envelope<AlertPreferencesView>),
        (status = 400, description = "Not a JSON object of the documented fields", body = ErrorBody),
        (status = 403, description = "Role may not do this", body = ErrorBody),
        (status = 404, description = "No such customer", body = ErrorBody),
        (status = 422, description = "A bad value; every problem is named", body = ErrorBody),
    ))]
pub async fn put(
    State(state): State<AppState>,
    auth: StaffAuth,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AlertPreferencesBody>,
) -> ApiResult<AlertPreferencesView> {
    auth.require(WRITERS)?;
    let customer = customer(&state, &id).await?;
    let view = shared::update(&state, &customer, body, &Actor::staff(&auth, &ip)).await?;
    ok_with(view, "Alert preferences saved")
}

#[utoipa::path(get, path = "/customers/{id}/alert-deliveries", tag = "admin",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Customer id")),
    responses(
        (status = 200, description = "The newest 100 alert deliveries, newest first", body = Envelope<Vec<AlertDeliveryView>>),
        (status = 403, description = "Role may not do this", body = ErrorBody),
        (status = 404, description = "No such customer", body = ErrorBody),
    ))]
pub async fn deliveries(
    State(state): State<AppState>,
    auth: StaffAuth,
    Path(id): Path<String>,
) -> ApiResult<Vec<AlertDeliveryView>> {
    auth.require(READERS)?;
    let customer = customer(&state, &id).await?;
    let rows = state
        .store
        .customer_alert_deliveries(&customer.id, LOG_LIMIT)
        .await?;
    ok(rows.into_iter().map(delivery_view).collect())
}
