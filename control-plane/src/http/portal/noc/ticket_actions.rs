//! The support engineer's writes on a ticket, each a form posted from `GET /noc/tickets/{id}`
//! with the page's token: `POST /noc/tickets/{id}/reply` (to the customer),
//! `/note` (internal, staff only), `/assign` and `/status`. Each goes through the staff API's
//! handler, which checks the role and writes the audit entry, then back to the ticket.

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::Form;
use serde::Deserialize;
use serde_json::Value;

use super::{StaffSession, PORTAL};
use crate::http::admin::tickets::{
    add_message, update, StaffTicketMessageBody, StaffTicketUpdateBody,
};
use crate::http::extract::{ApiJson, ClientIp};
use crate::http::portal::page::{redirect, PortalResult};
use crate::http::state::AppState;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TicketForm {
    csrf: Option<String>,
    message: Option<String>,
    assigned_to: Option<String>,
    status: Option<String>,
}

/// The form, once its token is checked.
fn checked(
    state: &AppState,
    session: &StaffSession,
    form: Result<Form<TicketForm>, FormRejection>,
) -> Result<TicketForm, crate::http::portal::page::PortalError> {
    let form = form.ok().map(|Form(f)| f);
    session.check_csrf(state, form.as_ref().and_then(|f| f.csrf.as_deref()))?;
    form.ok_or_else(|| PORTAL.bad_request("the form was not sent as a form; reload the page"))
}

async fn message(
    state: AppState,
    session: StaffSession,
    ip: String,
    id: String,
    form: Result<Form<TicketForm>, FormRejection>,
    internal: bool,
) -> PortalResult {
    let form = checked(&state, &session, form)?;
    let _ticket = add_message(
        State(state),
        session.auth,
        ClientIp(ip),
        Path(id.clone()),
        ApiJson(StaffTicketMessageBody {
            message: form.message,
            internal: Some(internal),
        }),
    )
    .await
    .map_err(|e| PORTAL.error(e))?;
    Ok(redirect(&format!("/noc/tickets/{id}")))
}

async fn change(
    state: AppState,
    session: StaffSession,
    ip: String,
    id: String,
    body: StaffTicketUpdateBody,
) -> PortalResult {
    let _ticket = update(
        State(state),
        session.auth,
        ClientIp(ip),
        Path(id.clone()),
        ApiJson(body),
    )
    .await
    .map_err(|e| PORTAL.error(e))?;
    Ok(redirect(&format!("/noc/tickets/{id}")))
}

#[utoipa::path(post, path = "/noc/tickets/{id}/reply", tag = "portal",
    params(("id" = String, Path, description = "Ticket id")),
    responses(
        (status = 303, description = "Reply sent; back to the ticket"),
        (status = 400, description = "No message", content_type = "text/html"),
        (status = 403, description = "The role may not answer tickets, or the form's token is wrong", content_type = "text/html"),
    ))]
pub async fn reply(
    State(state): State<AppState>,
    session: StaffSession,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    form: Result<Form<TicketForm>, FormRejection>,
) -> PortalResult {
    message(state, session, ip, id, form, false).await
}

#[utoipa::path(post, path = "/noc/tickets/{id}/note", tag = "portal",
    params(("id" = String, Path, description = "Ticket id")),
    responses(
        (status = 303, description = "Internal note added; back to the ticket"),
        (status = 400, description = "No message", content_type = "text/html"),
        (status = 403, description = "The role may not answer tickets, or the form's token is wrong", content_type = "text/html"),
    ))]
pub async fn note(
    State(state): State<AppState>,
    session: StaffSession,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    form: Result<Form<TicketForm>, FormRejection>,
) -> PortalResult {
    message(state, session, ip, id, form, true).await
}

#[utoipa::path(post, path = "/noc/tickets/{id}/assign", tag = "portal",
    params(("id" = String, Path, description = "Ticket id")),
    responses(
        (status = 303, description = "Assigned (an empty choice unassigns); back to the ticket"),
        (status = 403, description = "The role may not change tickets, or the form's token is wrong", content_type = "text/html"),
    ))]
pub async fn assign(
    State(state): State<AppState>,
    session: StaffSession,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    form: Result<Form<TicketForm>, FormRejection>,
) -> PortalResult {
    let form = checked(&state, &session, form)?;
    let assigned_to = Value::String(form.assigned_to.unwrap_or_default());
    let body = StaffTicketUpdateBody {
        status: None,
        priority: None,
        assigned_to: Some(assigned_to),
    };
    change(state, session, ip, id, body).await
}

#[utoipa::path(post, path = "/noc/tickets/{id}/status", tag = "portal",
    params(("id" = String, Path, description = "Ticket id")),
    responses(
        (status = 303, description = "Status changed; back to the ticket"),
        (status = 400, description = "An unknown status", content_type = "text/html"),
        (status = 403, description = "The role may not change tickets, or the form's token is wrong", content_type = "text/html"),
    ))]
pub async fn status(
    State(state): State<AppState>,
    session: StaffSession,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    form: Result<Form<TicketForm>, FormRejection>,
) -> PortalResult {
    let form = checked(&state, &session, form)?;
    let body = StaffTicketUpdateBody {
        status: Some(form.status.unwrap_or_default()),
        priority: None,
        assigned_to: None,
    };
    change(state, session, ip, id, body).await
}
