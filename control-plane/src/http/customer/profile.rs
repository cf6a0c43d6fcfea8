//! `GET /profile` and `PUT /profile` (phone, email and address only).

use axum::extract::State;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::views::{profile, Profile};
use crate::domain::{Email, Phone};
use crate::http::audit::{self, Actor};
use crate::http::extract::{non_empty, optional_text, ApiJson, ClientIp};
use crate::http::principal::CustomerAuth;
use crate::http::response::{ok, ok_with, ApiError, ApiResult, Envelope, ErrorBody};
use crate::http::state::AppState;
use crate::store::customers::CustomerRow;
use crate::store::StoreError;

#[derive(Debug, Deserialize, ToSchema)]
pub struct ProfileUpdate {
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
}

/// The caller's own customer row; a token whose customer was deleted is no longer valid.
pub async fn own_customer(state: &AppState, auth: &CustomerAuth) -> Result<CustomerRow, ApiError> {
    match state.store.customer(&auth.customer_id).await {
        Ok(customer) => Ok(customer),
        Err(StoreError::NotFound) => Err(ApiError::unauthorized("account no longer exists")),
        Err(err) => Err(err.into()),
    }
}

async fn full_profile(state: &AppState, customer: &CustomerRow) -> Result<Profile, ApiError> {
    let package = match &customer.package_id {
        Some(id) => Some(state.store.package(id).await?),
        None => None,
    };
    let area = match &customer.area_id {
        Some(id) => Some(state.store.area(id).await?),
        None => None,
    };
    Ok(profile(customer, package.as_ref(), area.as_ref()))
}

#[utoipa::path(get, path = "/profile", tag = "customer", security(("bearer" = [])),
    responses(
        (status = 200, description = "The customer's profile", body = Envelope<Profile>),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorBody),
        (status = 429, description = "Rate limit exceeded", body = ErrorBody),
    ))]
pub async fn get_profile(State(state): State<AppState>, auth: CustomerAuth) -> ApiResult<Profile> {
    let customer = own_customer(&state, &auth).await?;
    ok(full_profile(&state, &customer).await?)
}

#[utoipa::path(put, path = "/profile", tag = "customer", security(("bearer" = [])),
    request_body = ProfileUpdate,
    responses(
        (status = 200, description = "Profile updated", body = Envelope<Profile>),
        (status = 400, description = "Invalid field", body = ErrorBody),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorBody),
    ))]
pub async fn update_profile(
    State(state): State<AppState>,
    auth: CustomerAuth,
    ClientIp(client_ip): ClientIp,
    ApiJson(body): ApiJson<ProfileUpdate>,
) -> ApiResult<Profile> {
    let bad = |e: crate::domain::ids::InvalidId| ApiError::bad_request(e.to_string());
    let phone = non_empty(body.phone)
        .map(|p| Phone::parse(&p))
        .transpose()
        .map_err(bad)?;
    let email = non_empty(body.email)
        .map(|e| Email::parse(&e))
        .transpose()
        .map_err(bad)?;
    let address = optional_text("address", body.address, 500)?;
    if phone.is_none() && email.is_none() && address.is_none() {
        return Err(ApiError::bad_request(
            "nothing to update: send phone, email or address",
        ));
    }
    own_customer(&state, &auth).await?;
    let updated = state
        .store
        .update_customer_contact(
            &auth.customer_id,
            phone.as_ref().map(Phone::as_str),
            email.as_ref().map(Email::as_str),
            address.as_deref(),
        )
        .await?;
    audit::record(
        &state,
        &Actor::customer(&auth, &client_ip),
        "customer.profile_update",
        "customer",
        Some(&auth.customer_id),
        json!({
            "phone": phone.as_ref().map(Phone::as_str),
            "email": email.as_ref().map(Email::as_str),
            "address": address,
        }),
    )
    .await?;
    ok_with(full_profile(&state, &updated).await?, "Profile updated")
}
