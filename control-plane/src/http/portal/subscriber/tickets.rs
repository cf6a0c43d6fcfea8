//! `GET /tickets` and `GET /tickets/{id}`: the subscriber's support tickets and one ticket's
//! thread.

use askama::Template;
use axum::extract::{Path, State};

use super::{Chrome, SubscriberSession, PORTAL};
use crate::http::customer::support::{get_ticket, list_tickets};
use crate::http::customer::views::{TicketDetail, TicketSummary};
use crate::http::portal::page::{html, PortalResult};
use crate::http::state::AppState;

#[derive(Template)]
#[template(path = "tickets.html")]
struct TicketsPage {
    chrome: Chrome,
    tickets: Vec<TicketSummary>,
}

#[derive(Template)]
#[template(path = "ticket.html")]
struct TicketPage {
    chrome: Chrome,
    ticket: TicketDetail,
}

#[utoipa::path(get, path = "/tickets", tag = "portal",
    responses((status = 200, description = "The subscriber's tickets", content_type = "text/html")))]
pub async fn tickets(State(state): State<AppState>, session: SubscriberSession) -> PortalResult {
    let tickets = list_tickets(State(state), session.auth.clone())
        .await
        .map_err(|e| PORTAL.error(e))?
        .0
        .data;
    Ok(html(&TicketsPage {
        chrome: Chrome::new("Support tickets", "tickets", &session),
        tickets,
    }))
}

#[utoipa::path(get, path = "/tickets/{id}", tag = "portal",
    params(("id" = String, Path, description = "Ticket id")),
    responses(
        (status = 200, description = "One ticket and its messages", content_type = "text/html"),
        (status = 404, description = "No such ticket for this subscriber", content_type = "text/html"),
    ))]
pub async fn ticket(
    State(state): State<AppState>,
    session: SubscriberSession,
    Path(id): Path<String>,
) -> PortalResult {
    let ticket = get_ticket(State(state), session.auth.clone(), Path(id))
        .await
        .map_err(|e| PORTAL.error(e))?
        .0
        .data;
    Ok(html(&TicketPage {
        chrome: Chrome::new(format!("Ticket: {}", ticket.subject), "tickets", &session),
        ticket,
    }))
}
