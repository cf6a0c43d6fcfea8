//! The subscriber portal at `/`: login, dashboard with the live chart, device actions with
//! their progress, bills, packages and tickets. Pages call the subscriber API's own handlers,
//! so the portal shows and does exactly what the API does for the same subscriber.

pub mod bills;
pub mod dashboard;
pub mod device;
pub mod invoices;
pub mod login;
pub mod packages;
pub mod signal;
pub mod tickets;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::HeaderMap;

use super::csrf;
use super::page::{Portal, PortalError};
use super::session::subscriber_cookie;
use crate::http::principal::{customer_from_token, CustomerAuth};
use crate::http::response::ApiError;
use crate::http::state::AppState;

pub const PORTAL: Portal = Portal::Subscriber;

/// A logged-in subscriber, from the session cookie.
#[derive(Debug, Clone)]
pub struct SubscriberSession {
    pub auth: CustomerAuth,
    /// The anti-forgery token this session's forms carry.
    pub csrf: String,
    token: String,
}

impl SubscriberSession {
    /// Checks the token a form or script request presented.
    pub fn check_csrf(&self, state: &AppState, presented: Option<&str>) -> Result<(), PortalError> {
        match presented {
            Some(token) if csrf::is_valid(&state.portal.csrf_key, &self.token, token) => Ok(()),
            _ => Err(PORTAL.forbidden(
                "this form has expired or did not come from this site; reload the page and try again",
            )),
        }
    }
}

/// The session in the cookie, checked as the API checks a bearer token (and counted against
/// the same per-subscriber request budget).
pub fn session_from_headers(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<SubscriberSession, ApiError> {
    let token =
        subscriber_cookie(headers).ok_or_else(|| ApiError::unauthorized("log in to continue"))?;
    let auth = customer_from_token(state, token)?;
    Ok(SubscriberSession {
        auth,
        csrf: csrf::token_for(&state.portal.csrf_key, token),
        token: token.to_owned(),
    })
}

impl FromRequestParts<AppState> for SubscriberSession {
    type Rejection = PortalError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        session_from_headers(state, &parts.headers).map_err(|e| PORTAL.error(e))
    }
}

/// What the page layout shows around every page.
pub struct Chrome {
    pub title: String,
    /// The navigation entry to mark as current.
    pub section: &'static str,
    pub csrf: String,
    pub css: &'static str,
}

impl Chrome {
    pub fn new(
        title: impl Into<String>,
        section: &'static str,
        session: &SubscriberSession,
    ) -> Self {
        Self {
            title: title.into(),
            section,
            csrf: session.csrf.clone(),
            css: super::assets::STYLESHEET,
        }
    }
}

/// A package's speed unit as people write it ("mbps" → "Mbps").
pub fn speed_unit_words(unit: &str) -> String {
    match unit.to_ascii_lowercase().as_str() {
        "kbps" => "kbps".to_owned(),
        "mbps" => "Mbps".to_owned(),
        "gbps" => "Gbps".to_owned(),
        _ => unit.to_owned(),
    }
}

/// A form that carries only the anti-forgery token.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct TokenForm {
    /// The page's anti-forgery token.
    pub csrf: Option<String>,
}
