//! Device actions from the portal — reboot ONU, reboot router, reconnect — and the page that
//! follows a command to its end (`/commands/{id}`, polled by `command.js` through
//! `/commands/{id}/state`).

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Form;

use super::{Chrome, SubscriberSession, TokenForm, PORTAL};
use crate::domain::CommandKind;
use crate::http::customer::devices::{disconnect, get_command, reboot_onu, reboot_router};
use crate::http::extract::ClientIp;
use crate::http::portal::page::{html, redirect, PortalResult};
use crate::http::state::AppState;

/// Whether a command state is final.
pub fn is_final(state: &str) -> bool {
    !matches!(state, "queued" | "sent" | "running")
}

/// A command state in the subscriber's words.
pub fn state_words(state: &str) -> &'static str {
    match state {
        "queued" => "Waiting for the site to take the command",
        "sent" => "Sent to the site",
        "running" => "In progress",
        "succeeded" => "Done",
        "failed" => "Failed",
        "rolled_back" => "Undone",
        "expired" => "Timed out",
        _ => "Unknown",
    }
}

fn kind_words(kind: &str) -> &'static str {
    match CommandKind::parse(kind) {
        Ok(CommandKind::RebootOnu) => "Reboot ONU",
        Ok(CommandKind::RebootRouter) => "Reboot router",
        Ok(CommandKind::Disconnect) => "Reconnect",
        Ok(CommandKind::ChangeSpeed) => "Speed change",
        Ok(CommandKind::BgpPeerChange) => "Network change",
        Ok(CommandKind::FastPollOptics) => "Signal check",
        Err(_) => "Device command",
    }
}

async fn act(
    state: AppState,
    session: SubscriberSession,
    ip: String,
    form: Result<Form<TokenForm>, FormRejection>,
    kind: CommandKind,
) -> PortalResult {
    let presented = form.ok().and_then(|Form(f)| f.csrf);
    session.check_csrf(&state, presented.as_deref())?;
    let (state, auth, ip) = (State(state), session.auth, ClientIp(ip));
    let reply = match kind {
        CommandKind::RebootOnu => reboot_onu(state, auth, ip).await,
        CommandKind::RebootRouter => reboot_router(state, auth, ip).await,
        _ => disconnect(state, auth, ip).await,
    }
    .map_err(|e| PORTAL.error(e))?;
    Ok(redirect(&format!("/commands/{}", reply.0.data.command_id)))
}

#[utoipa::path(post, path = "/device/reboot-onu", tag = "portal",
    responses(
        (status = 303, description = "Queued; to the command's progress page"),
        (status = 403, description = "Missing or wrong anti-forgery token", content_type = "text/html"),
        (status = 429, description = "Asked too recently", content_type = "text/html"),
    ))]
pub async fn post_reboot_onu(
    State(state): State<AppState>,
    session: SubscriberSession,
    ClientIp(ip): ClientIp,
    form: Result<Form<TokenForm>, FormRejection>,
) -> PortalResult {
    act(state, session, ip, form, CommandKind::RebootOnu).await
}

#[utoipa::path(post, path = "/device/reboot-router", tag = "portal",
    responses(
        (status = 303, description = "Queued; to the command's progress page"),
        (status = 403, description = "Missing or wrong anti-forgery token", content_type = "text/html"),
        (status = 429, description = "Asked too recently", content_type = "text/html"),
    ))]
pub async fn post_reboot_router(
    State(state): State<AppState>,
    session: SubscriberSession,
    ClientIp(ip): ClientIp,
    form: Result<Form<TokenForm>, FormRejection>,
) -> PortalResult {
    act(state, session, ip, form, CommandKind::RebootRouter).await
}

#[utoipa::path(post, path = "/device/reconnect", tag = "portal",
    responses(
        (status = 303, description = "Queued; to the command's progress page"),
        (status = 403, description = "Missing or wrong anti-forgery token", content_type = "text/html"),
        (status = 429, description = "Asked too recently", content_type = "text/html"),
    ))]
pub async fn post_reconnect(
    State(state): State<AppState>,
    session: SubscriberSession,
    ClientIp(ip): ClientIp,
    form: Result<Form<TokenForm>, FormRejection>,
) -> PortalResult {
    act(state, session, ip, form, CommandKind::Disconnect).await
}

#[derive(Template)]
#[template(path = "command.html")]
struct CommandPage {
    chrome: Chrome,
    id: String,
    state: String,
    state_words: &'static str,
    detail: String,
    finished: bool,
    created_at: String,
}

#[utoipa::path(get, path = "/commands/{id}", tag = "portal",
    params(("id" = String, Path, description = "Command id")),
    responses(
        (status = 200, description = "The command's progress", content_type = "text/html"),
        (status = 404, description = "No such command for this subscriber", content_type = "text/html"),
    ))]
pub async fn command_page(
    State(state): State<AppState>,
    session: SubscriberSession,
    Path(id): Path<String>,
) -> PortalResult {
    let command = get_command(State(state.clone()), session.auth.clone(), Path(id))
        .await
        .map_err(|e| PORTAL.error(e))?
        .0
        .data;
    let page = CommandPage {
        chrome: Chrome::load(&state, kind_words(&command.kind), "home", &session).await?,
        state_words: state_words(&command.state),
        finished: is_final(&command.state),
        detail: command.detail.unwrap_or_default(),
        created_at: command.created_at,
        state: command.state,
        id: command.id,
    };
    Ok(html(&page))
}

#[utoipa::path(get, path = "/commands/{id}/state", tag = "portal",
    params(("id" = String, Path, description = "Command id")),
    responses(
        (status = 200, description = "The command as `GET /api/v1/customer/device/commands/{id}` gives it", body = crate::http::response::Envelope<crate::http::customer::views::CommandView>),
        (status = 401, description = "No portal session", body = crate::http::response::ErrorBody),
        (status = 404, description = "No such command for this subscriber", body = crate::http::response::ErrorBody),
    ))]
pub async fn command_state(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    match super::session_from_headers(&state, &headers) {
        Ok(session) => get_command(State(state), session.auth, Path(id))
            .await
            .into_response(),
        Err(err) => err.into_response(),
    }
}
