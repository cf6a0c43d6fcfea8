//! Extractors for the caller: a logged-in customer or a customer API key (rate-limited per
//! customer), or a staff member with a role.

use std::time::Instant;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use super::customer_api_key::customer_from_api_key;
use super::response::ApiError;
use super::state::AppState;
use crate::auth::{Principal, TokenError};
use crate::domain::StaffRole;

/// A customer with a valid token or API key, within their request budget.
#[derive(Debug, Clone)]
pub struct CustomerAuth {
    pub customer_id: String,
    /// The API key the request came with; `None` for a login token.
    pub api_key: Option<CustomerKeyUse>,
}

/// The customer API key behind a request.
#[derive(Debug, Clone)]
pub struct CustomerKeyUse {
    pub id: String,
    pub name: String,
}

impl CustomerAuth {
    /// A customer logged in with a token.
    pub fn logged_in(customer_id: String) -> Self {
        Self {
            customer_id,
            api_key: None,
        }
    }

    /// Refuses with 403 when the caller is an API key (managing keys needs a login).
    pub fn require_login(&self) -> Result<(), ApiError> {
        match self.api_key {
            None => Ok(()),
            Some(_) => Err(ApiError::forbidden(
                "an API key cannot do this; log in as the customer",
            )),
        }
    }
}

/// A staff member with a valid token whose account is still enabled, or a staff API key
/// (acting with its own role for the admin who made it).
#[derive(Debug, Clone)]
pub struct StaffAuth {
    pub staff_id: String,
    /// The staff member's username, or `api-key:<name>` for a key.
    pub username: String,
    pub role: StaffRole,
    /// The API key the request came with; `None` for a login token.
    pub api_key_id: Option<String>,
}

impl StaffAuth {
    /// Refuses with 403 unless the caller has one of the roles (admin always may).
    pub fn require(&self, roles: &[StaffRole]) -> Result<(), ApiError> {
        if self.role == StaffRole::Admin || roles.contains(&self.role) {
            Ok(())
        } else {
            let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            Err(ApiError::forbidden(format!(
                "this action needs one of the roles: admin, {}",
                names.join(", ")
            )))
        }
    }

    /// Refuses with 403 when the caller is an API key (managing keys needs a login).
    pub fn require_login(&self) -> Result<(), ApiError> {
        match self.api_key_id {
            None => Ok(()),
            Some(_) => Err(ApiError::forbidden(
                "an API key cannot do this; log in as a staff member",
            )),
        }
    }
}

pub fn bearer_token(parts: &Parts) -> Result<&str, ApiError> {
    let value = parts
        .headers
        .get(AUTHORIZATION)
        .ok_or_else(|| ApiError::unauthorized("missing Authorization header"))?
        .to_str()
        .map_err(|_| ApiError::unauthorized("malformed Authorization header"))?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::unauthorized("Authorization header must be 'Bearer <token>'"))?;
    Ok(token)
}

pub fn token_error(err: TokenError) -> ApiError {
    match err {
        TokenError::Expired => ApiError::unauthorized("token has expired; log in again"),
        TokenError::Invalid => ApiError::unauthorized("invalid token"),
    }
}

/// Checks a customer token and takes one call from the customer's request budget.
pub fn customer_from_token(state: &AppState, token: &str) -> Result<CustomerAuth, ApiError> {
    let customer_id = match state.keys.verify(token).map_err(token_error)? {
        Principal::Customer { id } => id,
        Principal::Staff { .. } => {
            return Err(ApiError::unauthorized(
                "a staff token cannot be used on the customer API",
            ))
        }
    };
    take_customer_budget(state, &customer_id)?;
    Ok(CustomerAuth::logged_in(customer_id))
}

/// Takes one call from the customer's request budget, shared by their tokens and API keys.
pub fn take_customer_budget(state: &AppState, customer_id: &str) -> Result<(), ApiError> {
    if let Err(retry) = state.customer_limiter.check(customer_id, Instant::now()) {
        state.metrics.rate_limited.inc();
        return Err(ApiError::too_many(
            format!(
                "rate limit of {} requests per minute exceeded; retry in {} s",
                state.customer_limiter.per_minute(),
                retry.secs()
            ),
            retry.secs(),
        ));
    }
    Ok(())
}

/// Checks the bearer credential of a request to the customer API: a customer API key for this
/// method and path, or a login token.
async fn customer_from_bearer(
    state: &AppState,
    parts: &Parts,
    token: &str,
) -> Result<CustomerAuth, ApiError> {
    if token.starts_with(crate::auth::api_keys::CUSTOMER_KEY_PREFIX) {
        return customer_from_api_key(state, token, &parts.method, parts.uri.path()).await;
    }
    if token.starts_with(crate::auth::api_keys::KEY_PREFIX) {
        return Err(ApiError::unauthorized(
            "a staff API key cannot be used on the customer API",
        ));
    }
    customer_from_token(state, token)
}

impl FromRequestParts<AppState> for CustomerAuth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer_token(parts)?;
        customer_from_bearer(state, parts, token).await
    }
}

/// A customer opening a stream. Browsers cannot set headers on a WebSocket, so the token may
/// come in `Authorization: Bearer`, in the `token` query parameter, or in the subscriber
/// portal's session cookie, in that order. A stream counts once against the rate limit, when
/// it opens.
#[derive(Debug, Clone)]
pub struct CustomerStreamAuth(pub CustomerAuth);

#[derive(serde::Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

impl FromRequestParts<AppState> for CustomerStreamAuth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if parts.headers.contains_key(AUTHORIZATION) {
            let token = bearer_token(parts)?;
            return customer_from_bearer(state, parts, token).await.map(Self);
        }
        let from_query = axum::extract::Query::<TokenQuery>::try_from_uri(&parts.uri)
            .ok()
            .and_then(|q| q.0.token)
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty());
        if let Some(token) = from_query {
            return customer_from_token(state, &token).map(Self);
        }
        // The subscriber portal's session cookie opens this read-only stream too, and only
        // from the portal's own pages.
        let token =
            crate::http::portal::session::subscriber_cookie(&parts.headers).ok_or_else(|| {
                ApiError::unauthorized("missing Authorization header or token query parameter")
            })?;
        crate::http::portal::session::check_same_origin(&parts.headers)?;
        customer_from_token(state, token).map(Self)
    }
}

impl FromRequestParts<AppState> for StaffAuth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer_token(parts)?;
        staff_from_token(state, token).await
    }
}

/// Checks a staff token (or API key) and that its account is still enabled with the same role.
pub async fn staff_from_token(state: &AppState, token: &str) -> Result<StaffAuth, ApiError> {
    if token.starts_with(crate::auth::api_keys::KEY_PREFIX) {
        return staff_from_api_key(state, token).await;
    }
    if token.starts_with(crate::auth::api_keys::CUSTOMER_KEY_PREFIX) {
        return Err(ApiError::unauthorized(
            "a customer API key cannot be used on the staff API",
        ));
    }
    let (staff_id, role) = match state.keys.verify(token).map_err(token_error)? {
        Principal::Staff { id, role } => (id, role),
        Principal::Customer { .. } => {
            return Err(ApiError::unauthorized(
                "a customer token cannot be used on the staff API",
            ))
        }
    };
    // The account may have been disabled or re-roled since the token was issued.
    let staff = match state.store.staff(&staff_id).await {
        Ok(staff) => staff,
        Err(crate::store::StoreError::NotFound) => {
            return Err(ApiError::unauthorized("staff account no longer exists"))
        }
        Err(err) => return Err(ApiError::from(err)),
    };
    if staff.disabled != 0 {
        return Err(ApiError::unauthorized("staff account is disabled"));
    }
    let current_role = StaffRole::parse(&staff.role).map_err(ApiError::internal)?;
    if current_role != role {
        return Err(ApiError::unauthorized(
            "role changed since login; log in again",
        ));
    }
    Ok(StaffAuth {
        staff_id,
        username: staff.username,
        role,
        api_key_id: None,
    })
}

/// Checks an API key: known, not revoked, and its maker's account still enabled.
async fn staff_from_api_key(state: &AppState, key: &str) -> Result<StaffAuth, ApiError> {
    let hash = crate::auth::api_keys::key_hash(key);
    let api_key = match state.store.use_api_key(&hash).await {
        Ok(api_key) => api_key,
        Err(crate::store::StoreError::NotFound) => {
            return Err(ApiError::unauthorized("invalid API key"))
        }
        Err(err) => return Err(ApiError::from(err)),
    };
    if api_key.revoked_at.is_some() {
        return Err(ApiError::unauthorized("API key has been revoked"));
    }
    match state.store.staff(&api_key.created_by).await {
        Ok(maker) if maker.disabled == 0 => {}
        Ok(_) | Err(crate::store::StoreError::NotFound) => {
            return Err(ApiError::unauthorized(
                "the staff account that made this API key is disabled",
            ))
        }
        Err(err) => return Err(ApiError::from(err)),
    }
    let role = StaffRole::parse(&api_key.role).map_err(ApiError::internal)?;
    Ok(StaffAuth {
        staff_id: api_key.created_by,
        username: format!("api-key:{}", api_key.name),
        role,
        api_key_id: Some(api_key.id),
    })
}
