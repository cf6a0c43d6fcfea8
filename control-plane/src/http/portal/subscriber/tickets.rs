//! Support tickets in the portal: `GET /tickets` lists them with the form that opens one
//! (`POST /tickets`), `GET /tickets/{id}` shows one thread with the reply form
//! (`POST /tickets/{id}/reply`). Staff-only notes never reach these pages: the thread comes
//! from the subscriber API, which leaves them out.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Form;
use serde::Deserialize;

use super::{checked_form, Chrome, HasToken, SubscriberSession, PORTAL};
use crate::domain::{TicketCategory, TicketPriority, TicketStatus};
use crate::http::customer::support::{
    create_ticket, get_ticket, list_tickets, reply, NewTicket, TicketReply,
};
use crate::http::customer::views::{TicketDetail, TicketSummary};
use crate::http::extract::ApiJson;
use crate::http::portal::page::{html, redirect, PortalResult};
use crate::http::response::ApiError;
use crate::http::state::AppState;

/// The new-ticket form as posted (and shown again, with the reason, when refused).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct NewTicketForm {
    csrf: Option<String>,
    subject: Option<String>,
    category: Option<String>,
    priority: Option<String>,
    message: Option<String>,
}

impl HasToken for NewTicketForm {
    fn token(&self) -> Option<&str> {
        self.csrf.as_deref()
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ReplyForm {
    csrf: Option<String>,
    message: Option<String>,
}

impl HasToken for ReplyForm {
    fn token(&self) -> Option<&str> {
        self.csrf.as_deref()
    }
}

/// One choice of a select, with whether it is chosen.
pub struct Choice {
    pub value: &'static str,
    pub label: String,
    pub selected: bool,
}

fn choices(values: &[&'static str], chosen: &str) -> Vec<Choice> {
    values
        .iter()
        .map(|&value| Choice {
            value,
            label: value[..1].to_uppercase() + &value[1..],
            selected: value == chosen,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "tickets.html")]
struct TicketsPage {
    chrome: Chrome,
    tickets: Vec<TicketSummary>,
    error: Option<String>,
    subject: String,
    message: String,
    categories: Vec<Choice>,
    priorities: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "ticket.html")]
struct TicketPage {
    chrome: Chrome,
    ticket: TicketDetail,
    closed: bool,
    error: Option<String>,
    draft: String,
}

async fn tickets_page(
    state: &AppState,
    session: &SubscriberSession,
    form: &NewTicketForm,
    error: Option<ApiError>,
) -> PortalResult {
    let tickets = list_tickets(State(state.clone()), session.auth.clone())
        .await
        .map_err(|e| PORTAL.error(e))?
        .0
        .data;
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let categories: Vec<&'static str> = TicketCategory::ALL.iter().map(|c| c.as_str()).collect();
    let priorities: Vec<&'static str> = TicketPriority::ALL.iter().map(|p| p.as_str()).collect();
    let status = error.as_ref().map_or(StatusCode::OK, |e| e.status);
    let page = TicketsPage {
        chrome: Chrome::load(state, "Support tickets", "tickets", session).await?,
        tickets,
        error: error.map(|e| e.message),
        subject: text(&form.subject),
        message: text(&form.message),
        categories: choices(
            &categories,
            form.category.as_deref().unwrap_or("connectivity"),
        ),
        priorities: choices(&priorities, form.priority.as_deref().unwrap_or("normal")),
    };
    let mut response = html(&page);
    *response.status_mut() = status;
    Ok(response)
}

async fn ticket_page(
    state: &AppState,
    session: &SubscriberSession,
    id: String,
    draft: String,
    error: Option<ApiError>,
) -> PortalResult {
    let ticket = get_ticket(State(state.clone()), session.auth.clone(), Path(id))
        .await
        .map_err(|e| PORTAL.error(e))?
        .0
        .data;
    let status = error.as_ref().map_or(StatusCode::OK, |e| e.status);
    let page = TicketPage {
        chrome: Chrome::load(
            state,
            format!("Ticket: {}", ticket.subject),
            "tickets",
            session,
        )
        .await?,
        closed: ticket.status == TicketStatus::Closed.as_str(),
        ticket,
        error: error.map(|e| e.message),
        draft,
    };
    let mut response = html(&page);
    *response.status_mut() = status;
    Ok(response)
}

#[utoipa::path(get, path = "/tickets", tag = "portal",
    responses((status = 200, description = "The subscriber's tickets and the form to open one", content_type = "text/html")))]
pub async fn tickets(State(state): State<AppState>, session: SubscriberSession) -> PortalResult {
    tickets_page(&state, &session, &NewTicketForm::default(), None).await
}

#[utoipa::path(post, path = "/tickets", tag = "portal",
    request_body(content = NewTicketForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "Opened; to the ticket's thread"),
        (status = 400, description = "Missing subject or message, or unknown category or priority: the form again with the reason", content_type = "text/html"),
        (status = 403, description = "Missing or wrong anti-forgery token", content_type = "text/html"),
    ))]
pub async fn open_ticket(
    State(state): State<AppState>,
    session: SubscriberSession,
    form: Result<Form<NewTicketForm>, FormRejection>,
) -> PortalResult {
    let form = checked_form(&state, &session, form)?;
    let request = NewTicket {
        subject: form.subject.clone(),
        message: form.message.clone(),
        category: form.category.clone(),
        priority: form.priority.clone(),
    };
    match create_ticket(State(state.clone()), session.auth.clone(), ApiJson(request)).await {
        Ok(created) => Ok(redirect(&format!("/tickets/{}", created.0.data.ticket_id))),
        Err(err) if err.status == StatusCode::BAD_REQUEST => {
            tickets_page(&state, &session, &form, Some(err)).await
        }
        Err(err) => Err(PORTAL.error(err)),
    }
}

#[utoipa::path(get, path = "/tickets/{id}", tag = "portal",
    params(("id" = String, Path, description = "Ticket id")),
    responses(
        (status = 200, description = "One ticket, its messages and the reply form", content_type = "text/html"),
        (status = 404, description = "No such ticket for this subscriber", content_type = "text/html"),
    ))]
pub async fn ticket(
    State(state): State<AppState>,
    session: SubscriberSession,
    Path(id): Path<String>,
) -> PortalResult {
    ticket_page(&state, &session, id, String::new(), None).await
}

#[utoipa::path(post, path = "/tickets/{id}/reply", tag = "portal",
    params(("id" = String, Path, description = "Ticket id")),
    request_body(content = ReplyForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "Added; back to the thread at the new message"),
        (status = 400, description = "Empty message or closed ticket: the thread again with the reason", content_type = "text/html"),
        (status = 403, description = "Missing or wrong anti-forgery token", content_type = "text/html"),
        (status = 404, description = "No such ticket for this subscriber", content_type = "text/html"),
    ))]
pub async fn reply_to_ticket(
    State(state): State<AppState>,
    session: SubscriberSession,
    Path(id): Path<String>,
    form: Result<Form<ReplyForm>, FormRejection>,
) -> PortalResult {
    let form = checked_form(&state, &session, form)?;
    let request = TicketReply {
        message: form.message.clone(),
    };
    let answer = reply(
        State(state.clone()),
        session.auth.clone(),
        Path(id.clone()),
        ApiJson(request),
    )
    .await;
    match answer {
        Ok(thread) => {
            let newest = thread.0.data.messages.last().map(|m| m.id.clone());
            let anchor = newest.map(|m| format!("#msg-{m}")).unwrap_or_default();
            Ok(redirect(&format!("/tickets/{id}{anchor}")))
        }
        Err(err) if err.status == StatusCode::BAD_REQUEST => {
            ticket_page(
                &state,
                &session,
                id,
                form.message.unwrap_or_default(),
                Some(err),
            )
            .await
        }
        Err(err) => Err(PORTAL.error(err)),
    }
}
