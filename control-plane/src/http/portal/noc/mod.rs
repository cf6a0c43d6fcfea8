//! The NOC console at `/noc`: staff log in with their account; each page calls the staff API's
//! handler with the staff member's role, so a page or action the role may not use is refused
//! as the API refuses it, and the navigation shows only what the role may open.

pub mod agents;
pub mod audit;
pub mod bgp;
pub mod command;
pub mod commands;
pub mod devices;
pub mod live_rate;
pub mod login;
pub mod optics;
pub mod poll_health;
pub mod sessions;
pub mod subscriber;
pub mod subscriber_actions;
pub mod subscribers;
pub mod ticket_actions;
pub mod tickets;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::HeaderMap;

use super::csrf;
use super::page::{Portal, PortalError};
use super::session::{cookie, STAFF_COOKIE};
use crate::domain::StaffRole;
use crate::http::principal::{staff_from_token, StaffAuth};
use crate::http::response::ApiError;
use crate::http::state::AppState;

pub const PORTAL: Portal = Portal::Noc;

/// A logged-in staff member, from the console's session cookie.
#[derive(Debug, Clone)]
pub struct StaffSession {
    pub auth: StaffAuth,
    pub csrf: String,
    token: String,
}

impl StaffSession {
    pub fn check_csrf(&self, state: &AppState, presented: Option<&str>) -> Result<(), PortalError> {
        match presented {
            Some(token) if csrf::is_valid(&state.portal.csrf_key, &self.token, token) => Ok(()),
            _ => Err(PORTAL.forbidden(
                "this form has expired or did not come from this site; reload the page and try again",
            )),
        }
    }

    /// Whether the role may use a section (admin may use all).
    pub fn may(&self, roles: &[StaffRole]) -> bool {
        self.auth.role == StaffRole::Admin || roles.contains(&self.auth.role)
    }
}

pub async fn session_from_headers(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<StaffSession, ApiError> {
    let token = cookie(headers, STAFF_COOKIE)
        .ok_or_else(|| ApiError::unauthorized("log in to continue"))?;
    let auth = staff_from_token(state, token).await?;
    Ok(StaffSession {
        auth,
        csrf: csrf::token_for(&state.portal.csrf_key, token),
        token: token.to_owned(),
    })
}

/// A page's session: without one the browser goes to the login page (`PortalError`).
impl FromRequestParts<AppState> for StaffSession {
    type Rejection = PortalError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PortalError> {
        match FragmentSession::from_request_parts(parts, state).await {
            Ok(FragmentSession(session)) => Ok(session),
            Err(err) => Err(PORTAL.error(err)),
        }
    }
}

/// The console session of a script's refresh request (a table's rows, a state box): without
/// one it is refused as the API refuses, a `401` or `403` in the envelope, not a redirect.
pub struct FragmentSession(pub StaffSession);

impl FromRequestParts<AppState> for FragmentSession {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        session_from_headers(state, &parts.headers)
            .await
            .map(FragmentSession)
    }
}

/// Who may open each section, as the staff API decides it.
pub const AGENT_ROLES: &[StaffRole] = &[StaffRole::Noc];
pub const COMMAND_ROLES: &[StaffRole] = &[StaffRole::Noc, StaffRole::Support];
pub const ACTION_ROLES: &[StaffRole] = &[StaffRole::Noc];
pub const AUDIT_ROLES: &[StaffRole] = &[];
pub const TICKET_ROLES: &[StaffRole] = &[StaffRole::Support];
pub const PAYMENT_ROLES: &[StaffRole] = &[StaffRole::Billing];

pub struct NavLink {
    pub path: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// The console's layout around every page.
pub struct Chrome {
    pub title: String,
    pub csrf: String,
    pub css: &'static str,
    pub username: String,
    pub role: &'static str,
    pub nav: Vec<NavLink>,
}

impl Chrome {
    pub fn new(title: impl Into<String>, current: &str, session: &StaffSession) -> Self {
        let sections: [(&str, &str, bool); 8] = [
            ("/noc", "Agents", session.may(AGENT_ROLES)),
            ("/noc/devices", "Devices", true),
            ("/noc/subscribers", "Subscribers", true),
            ("/noc/optics", "ONU optics", true),
            ("/noc/sessions", "Sessions", true),
            ("/noc/commands", "Commands", session.may(COMMAND_ROLES)),
            ("/noc/tickets", "Tickets", session.may(TICKET_ROLES)),
            ("/noc/audit", "Audit log", session.may(AUDIT_ROLES)),
        ];
        Self {
            title: title.into(),
            csrf: session.csrf.clone(),
            css: super::assets::STYLESHEET,
            username: session.auth.username.clone(),
            role: session.auth.role.as_str(),
            nav: sections
                .into_iter()
                .filter(|(_, _, visible)| *visible)
                .map(|(path, label, _)| NavLink {
                    path,
                    label,
                    current: path == current,
                })
                .collect(),
        }
    }
}

/// A dash for a missing value, else the text.
pub fn or_dash(value: Option<String>) -> String {
    value.unwrap_or_else(|| "—".to_owned())
}
