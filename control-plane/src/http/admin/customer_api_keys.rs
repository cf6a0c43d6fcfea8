//! Staff (admin, support) make, list and revoke a customer's API keys for them, with the same
//! rules and shapes as the customer's own `/api-keys` (`http/customer/api_keys.rs`). Managing
//! keys needs a staff login, not a staff API key.

use axum::extract::{Path, State};

use crate::domain::StaffRole;
use crate::http::audit::Actor;
use crate::http::customer::api_keys::{
    issue, view, withdraw, CreatedCustomerApiKey, CustomerApiKeyBody, CustomerApiKeyView,
};
use crate::http::extract::{ApiJson, ClientIp};
use crate::http::principal::StaffAuth;
use crate::http::response::{ok, ok_with, ApiError, ApiResult, Envelope, ErrorBody};
use crate::http::state::AppState;

const ROLES: &[StaffRole] = &[StaffRole::Admin, StaffRole::Support];

/// Checks the caller and that the customer exists.
async fn checked(state: &AppState, auth: &StaffAuth, customer_id: &str) -> Result<(), ApiError> {
    auth.require(ROLES)?;
    auth.require_login()?;
    state
        .store
        .customer(customer_id)
        .await
        .map_err(|e| ApiError::from_store(e, "customer"))?;
    Ok(())
}

#[utoipa::path(get, path = "/customers/{id}/api-keys", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "Customer id")),
    responses(
        (status = 200, description = "The customer's keys, newest first", body = Envelope<Vec<CustomerApiKeyView>>),
        (status = 403, description = "Not admin or support, or called with an API key", body = ErrorBody),
        (status = 404, description = "No such customer", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    auth: StaffAuth,
    Path(customer_id): Path<String>,
) -> ApiResult<Vec<CustomerApiKeyView>> {
    checked(&state, &auth, &customer_id).await?;
    let keys = state.store.customer_api_keys(&customer_id).await?;
    ok(keys.into_iter().map(view).collect())
}

#[utoipa::path(post, path = "/customers/{id}/api-keys", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "Customer id")),
    request_body = CustomerApiKeyBody,
    responses(
        (status = 200, description = "Key made; it is shown only now, to pass to the customer", body = Envelope<CreatedCustomerApiKey>),
        (status = 400, description = "Missing name, unknown scope or bad expiry", body = ErrorBody),
        (status = 403, description = "Not admin or support, or called with an API key", body = ErrorBody),
        (status = 404, description = "No such customer", body = ErrorBody),
        (status = 409, description = "Too many active keys", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    auth: StaffAuth,
    ClientIp(ip): ClientIp,
    Path(customer_id): Path<String>,
    ApiJson(body): ApiJson<CustomerApiKeyBody>,
) -> ApiResult<CreatedCustomerApiKey> {
    checked(&state, &auth, &customer_id).await?;
    let created = issue(&state, &customer_id, body, &Actor::staff(&auth, &ip)).await?;
    ok_with(created, "API key made. Store it now: it is not shown again")
}

#[utoipa::path(delete, path = "/customers/{id}/api-keys/{key_id}", tag = "admin", security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Customer id"),
        ("key_id" = String, Path, description = "API key id"),
    ),
    responses(
        (status = 200, description = "Key revoked; it works no more", body = Envelope<CustomerApiKeyView>),
        (status = 403, description = "Not admin or support, or called with an API key", body = ErrorBody),
        (status = 404, description = "No such customer, or no such key of this customer", body = ErrorBody),
    ))]
pub async fn revoke(
    State(state): State<AppState>,
    auth: StaffAuth,
    ClientIp(ip): ClientIp,
    Path((customer_id, key_id)): Path<(String, String)>,
) -> ApiResult<CustomerApiKeyView> {
    checked(&state, &auth, &customer_id).await?;
    let revoked = withdraw(&state, &customer_id, &key_id, &Actor::staff(&auth, &ip)).await?;
    ok_with(revoked, "API key revoked")
}
