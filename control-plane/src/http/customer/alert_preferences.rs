//! `GET` and `PUT /alert-preferences` (seed 002): the customer's own email and webhook alert
//! settings and minimum severity.

use axum::extract::State;

use super::profile::own_customer;
use crate::http::alert_preferences::{self as shared, AlertPreferencesBody, AlertPreferencesView};
use crate::http::audit::Actor;
use crate::http::extract::{ApiJson, ClientIp};
use crate::http::principal::CustomerAuth;
use crate::http::response::{ok, ok_with, ApiResult, Envelope, ErrorBody};
use crate::http::state::AppState;

#[utoipa::path(get, path = "/alert-preferences", tag = "customer", security(("bearer" = [])),
    responses(
        (status = 200, description = "The preferences in force", body = Envelope<AlertPreferencesView>),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorBody),
    ))]
pub async fn get(
    State(state): State<AppState>,
    auth: CustomerAuth,
) -> ApiResult<AlertPreferencesView> {
    let customer = own_customer(&state, &auth).await?;
    ok(shared::read(&state, &customer).await?)
}

#[utoipa::path(put, path = "/alert-preferences", tag = "customer", security(("bearer" = [])),
    request_body = AlertPreferencesBody,
    responses(
        (status = 200, description = "Stored; a new webhook secret is shown only now", body = Envelope<AlertPreferencesView>),
        (status = 400, description = "Not a JSON object of the documented fields", body = ErrorBody),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorBody),
        (status = 422, description = "A bad value; every problem is named", body = ErrorBody),
    ))]
pub async fn put(
    State(state): State<AppState>,
    auth: CustomerAuth,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<AlertPreferencesBody>,
) -> ApiResult<AlertPreferencesView> {
    let customer = own_customer(&state, &auth).await?;
    let actor = Actor::customer(&auth, &ip);
    let view = shared::update(&state, &customer, body, &actor).await?;
    ok_with(view, "Alert preferences saved")
}
