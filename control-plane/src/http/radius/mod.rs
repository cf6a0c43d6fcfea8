//! The endpoints FreeRADIUS's `rest` module calls (see `packaging/freeradius/`): authorize,
//! post-auth and accounting under `/api/v1/radius`. They answer in rlm_rest's JSON and status
//! codes (200 with items, 204 nothing to add, 401 reject, 404 unknown user) rather than the API
//! envelope, and require the `[aaa]` API key as `Authorization: Bearer <key>`.

pub mod accounting;
pub mod attributes;
pub mod authorize;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::principal::bearer_token;
use super::response::ApiError;
use super::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(authorize::authorize))
        .routes(routes!(authorize::post_auth))
        .routes(routes!(accounting::accounting))
}

/// A request from FreeRADIUS carrying the configured API key.
#[derive(Debug, Clone, Copy)]
pub struct FreeRadius;

/// Why a caller is not FreeRADIUS.
#[derive(Debug)]
pub enum NotFreeRadius {
    /// No `[aaa] api_key` is configured: the endpoints do not exist.
    Disabled,
    /// A missing or wrong key. rlm_rest reads a 401 as reject; the body stays empty so it has
    /// nothing to decode.
    Unauthorized,
}

impl IntoResponse for NotFreeRadius {
    fn into_response(self) -> Response {
        match self {
            Self::Disabled => ApiError::new(
                StatusCode::NOT_FOUND,
                "RADIUS endpoints are disabled; set [aaa] api_key to enable them",
            )
            .into_response(),
            Self::Unauthorized => StatusCode::UNAUTHORIZED.into_response(),
        }
    }
}

impl FromRequestParts<AppState> for FreeRadius {
    type Rejection = NotFreeRadius;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if !state.aaa.enabled() {
            return Err(NotFreeRadius::Disabled);
        }
        match bearer_token(parts) {
            Ok(key) if state.aaa.accepts_api_key(key) => Ok(FreeRadius),
            _ => {
                tracing::warn!("RADIUS request with a missing or wrong API key refused");
                Err(NotFreeRadius::Unauthorized)
            }
        }
    }
}
