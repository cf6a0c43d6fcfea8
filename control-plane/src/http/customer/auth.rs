//! `POST /auth/login` and `POST /auth/verify`: login by PPPoE username or phone plus customer
//! code, with failed attempts limited per identifier and per client address.

use std::time::Instant;

use axum::extract::State;
use serde::Deserialize;
use utoipa::ToSchema;

use super::views::{login_customer, LoginData, VerifiedCustomer, VerifyData};
use crate::auth::Principal;
use crate::domain::{CustomerCode, CustomerStatus, Phone, PppoeUsername};
use crate::http::extract::{non_empty, ApiJson, ClientIp};
use crate::http::principal::token_error;
use crate::http::response::{ok, ApiError, ApiResult, Envelope, ErrorBody};
use crate::http::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    /// PPPoE username (optional if phone is given).
    pub username: Option<String>,
    /// Phone number (optional if username is given).
    pub phone: Option<String>,
    /// The customer's unique code (required).
    pub customer_code: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct VerifyRequest {
    pub token: Option<String>,
}

const BAD_CREDENTIALS: &str = "invalid credentials: check the customer code and username or phone";

#[utoipa::path(post, path = "/auth/login", tag = "customer",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = Envelope<LoginData>),
        (status = 400, description = "Missing or malformed fields", body = ErrorBody),
        (status = 401, description = "Wrong credentials", body = ErrorBody),
        (status = 403, description = "Account is inactive", body = ErrorBody),
        (status = 429, description = "Too many failed logins; see Retry-After", body = ErrorBody),
    ))]
pub async fn login(
    State(state): State<AppState>,
    ClientIp(client_ip): ClientIp,
    ApiJson(body): ApiJson<LoginRequest>,
) -> ApiResult<LoginData> {
    let code = non_empty(body.customer_code)
        .ok_or_else(|| ApiError::bad_request("customer_code is required"))?;
    let username = non_empty(body.username);
    let phone = non_empty(body.phone);
    if username.is_none() && phone.is_none() {
        return Err(ApiError::bad_request("username or phone is required"));
    }
    let code = CustomerCode::parse(&code).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let username = username
        .map(|u| PppoeUsername::parse(&u))
        .transpose()
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let phone = phone
        .map(|p| Phone::parse(&p))
        .transpose()
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    // The public half of the credentials names the account under attack.
    let identifier = username
        .as_ref()
        .map(|u| format!("user:{u}"))
        .or_else(|| phone.as_ref().map(|p| format!("phone:{p}")))
        .unwrap_or_default();

    let now = Instant::now();
    if let Err(retry) = state.login_guard.check(&identifier, &client_ip, now) {
        return Err(ApiError::too_many(
            format!("too many failed logins; try again in {} s", retry.secs()),
            retry.secs(),
        ));
    }
    let customer = state
        .store
        .customer_for_login(
            code.as_str(),
            username.as_ref().map(PppoeUsername::as_str),
            phone.as_ref().map(Phone::as_str),
        )
        .await?;
    let Some(customer) = customer else {
        state
            .metrics
            .login_failures
            .with_label_values(&["customer"])
            .inc();
        if state
            .login_guard
            .record_failure(&identifier, &client_ip, now)
            .is_some()
        {
            state.metrics.login_lockouts.inc();
            tracing::warn!(%identifier, %client_ip, "customer login locked after repeated failures");
        }
        return Err(ApiError::unauthorized(BAD_CREDENTIALS));
    };
    if customer.status == CustomerStatus::Inactive.as_str() {
        return Err(ApiError::forbidden("account is inactive; contact your ISP"));
    }
    state.login_guard.record_success(&identifier);
    let package = match &customer.package_id {
        Some(id) => Some(state.store.package(id).await?),
        None => None,
    };
    let token = state.keys.issue(
        &Principal::Customer {
            id: customer.id.clone(),
        },
        crate::domain::time::now().unix_timestamp(),
    );
    ok(LoginData {
        token,
        customer: login_customer(&customer, package.as_ref()),
    })
}

#[utoipa::path(post, path = "/auth/verify", tag = "customer",
    request_body = VerifyRequest,
    responses(
        (status = 200, description = "Token is valid", body = Envelope<VerifyData>),
        (status = 400, description = "Missing token", body = ErrorBody),
        (status = 401, description = "Invalid or expired token", body = ErrorBody),
    ))]
pub async fn verify(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<VerifyRequest>,
) -> ApiResult<VerifyData> {
    let token = non_empty(body.token).ok_or_else(|| ApiError::bad_request("token is required"))?;
    let id = match state.keys.verify(&token).map_err(token_error)? {
        Principal::Customer { id } => id,
        Principal::Staff { .. } => return Err(ApiError::unauthorized("not a customer token")),
    };
    let customer = match state.store.customer(&id).await {
        Ok(customer) => customer,
        Err(crate::store::StoreError::NotFound) => {
            return Err(ApiError::unauthorized("account no longer exists"))
        }
        Err(err) => return Err(err.into()),
    };
    ok(VerifyData {
        valid: true,
        customer: VerifiedCustomer {
            id: customer.id,
            name: customer.name,
            status: customer.status,
        },
    })
}
