//! The subscriber portal at `/`: login, dashboard with the live chart, device actions with
//! their progress, bills with online payment and recharge, packages with change requests,
//! tickets with their threads, and notifications. Pages call the subscriber API's own
//! handlers, so the portal shows and does exactly what the API does for the same subscriber.

pub mod bills;
pub mod dashboard;
pub mod device;
pub mod invoices;
pub mod login;
pub mod notifications;
pub mod packages;
pub mod pay;
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
    /// Unread notifications, counted in the header.
    pub unread: i64,
}

impl Chrome {
    /// The layout for `session`'s page, with its unread notifications counted.
    pub async fn load(
        state: &AppState,
        title: impl Into<String>,
        section: &'static str,
        session: &SubscriberSession,
    ) -> Result<Self, PortalError> {
        let unread = notifications::unread_count(state, &session.auth).await?;
        Ok(Self {
            title: title.into(),
            section,
            csrf: session.csrf.clone(),
            css: super::assets::STYLESHEET,
            unread,
        })
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

/// A posted form after its anti-forgery token is checked: the form, or the 403 page when the
/// token is missing or wrong (a body that is not a form carries no token either).
pub fn checked_form<T: HasToken>(
    state: &AppState,
    session: &SubscriberSession,
    form: Result<axum::Form<T>, axum::extract::rejection::FormRejection>,
) -> Result<T, PortalError> {
    let form = form.ok().map(|axum::Form(form)| form);
    session.check_csrf(state, form.as_ref().and_then(HasToken::token))?;
    form.ok_or_else(|| PORTAL.bad_request("the form was not sent as a form; reload the page"))
}

/// A form with an anti-forgery token field.
pub trait HasToken {
    fn token(&self) -> Option<&str>;
}

impl HasToken for TokenForm {
    fn token(&self) -> Option<&str> {
        self.csrf.as_deref()
    }
}
