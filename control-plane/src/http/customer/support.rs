//! Support tickets: list, open, read a thread and reply (staff-only notes never show here).

use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::ToSchema;

use super::profile::own_customer;
use super::views::{ticket_detail, ticket_summary, TicketCreated, TicketDetail, TicketSummary};
use crate::domain::{TicketCategory, TicketPriority, TicketStatus};
use crate::http::extract::{non_empty, required_text, ApiJson};
use crate::http::principal::CustomerAuth;
use crate::http::response::{ok, ok_with, ApiError, ApiResult, Envelope, ErrorBody};
use crate::http::state::AppState;

#[utoipa::path(get, path = "/support/tickets", tag = "customer", security(("bearer" = [])),
    responses(
        (status = 200, description = "The customer's tickets, newest first", body = Envelope<Vec<TicketSummary>>),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorBody),
    ))]
pub async fn list_tickets(
    State(state): State<AppState>,
    auth: CustomerAuth,
) -> ApiResult<Vec<TicketSummary>> {
    let tickets = state.store.customer_tickets(&auth.customer_id).await?;
    ok(tickets.iter().map(ticket_summary).collect())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewTicket {
    pub subject: Option<String>,
    pub message: Option<String>,
    /// `connectivity`, `billing`, `package` or `other` (default `other`).
    pub category: Option<String>,
    /// `low`, `normal`, `high` or `urgent` (default `normal`).
    pub priority: Option<String>,
}

#[utoipa::path(post, path = "/support/tickets", tag = "customer", security(("bearer" = [])),
    request_body = NewTicket,
    responses(
        (status = 200, description = "Ticket opened", body = Envelope<TicketCreated>),
        (status = 400, description = "Missing subject or message, or unknown category or priority", body = ErrorBody),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorBody),
    ))]
pub async fn create_ticket(
    State(state): State<AppState>,
    auth: CustomerAuth,
    ApiJson(body): ApiJson<NewTicket>,
) -> ApiResult<TicketCreated> {
    let subject = required_text("subject", body.subject, 200)?;
    let message = required_text("message", body.message, 5000)?;
    let category = match non_empty(body.category) {
        None => TicketCategory::Other,
        Some(text) => {
            TicketCategory::parse(&text).map_err(|e| ApiError::bad_request(e.to_string()))?
        }
    };
    let priority = match non_empty(body.priority) {
        None => TicketPriority::Normal,
        Some(text) => {
            TicketPriority::parse(&text).map_err(|e| ApiError::bad_request(e.to_string()))?
        }
    };
    own_customer(&state, &auth).await?;
    let ticket = state
        .store
        .open_ticket(
            &auth.customer_id,
            &subject,
            category.as_str(),
            priority.as_str(),
            &message,
        )
        .await?;
    ok_with(
        TicketCreated {
            ticket_id: ticket.id,
        },
        "Support ticket created",
    )
}

#[utoipa::path(get, path = "/support/tickets/{id}", tag = "customer", security(("bearer" = [])),
    params(("id" = String, Path, description = "Ticket id, e.g. TKT-1704268800000")),
    responses(
        (status = 200, description = "The ticket with its messages", body = Envelope<TicketDetail>),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorBody),
        (status = 404, description = "No such ticket for this customer", body = ErrorBody),
    ))]
pub async fn get_ticket(
    State(state): State<AppState>,
    auth: CustomerAuth,
    Path(id): Path<String>,
) -> ApiResult<TicketDetail> {
    let ticket = state
        .store
        .customer_ticket(&auth.customer_id, &id)
        .await
        .map_err(|e| ApiError::from_store(e, "ticket"))?;
    let messages = state.store.ticket_messages(&ticket.id, false).await?;
    ok(ticket_detail(&ticket, &messages))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TicketReply {
    pub message: Option<String>,
}

#[utoipa::path(post, path = "/support/tickets/{id}/messages", tag = "customer", security(("bearer" = [])),
    params(("id" = String, Path, description = "Ticket id")),
    request_body = TicketReply,
    responses(
        (status = 200, description = "Reply added; the updated ticket", body = Envelope<TicketDetail>),
        (status = 400, description = "Empty message or ticket closed", body = ErrorBody),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorBody),
        (status = 404, description = "No such ticket for this customer", body = ErrorBody),
    ))]
pub async fn reply(
    State(state): State<AppState>,
    auth: CustomerAuth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<TicketReply>,
) -> ApiResult<TicketDetail> {
    let message = required_text("message", body.message, 5000)?;
    own_customer(&state, &auth).await?;
    let ticket = state
        .store
        .customer_ticket(&auth.customer_id, &id)
        .await
        .map_err(|e| ApiError::from_store(e, "ticket"))?;
    if ticket.status == TicketStatus::Closed.as_str() {
        return Err(ApiError::bad_request("ticket is closed; open a new one"));
    }
    state
        .store
        .add_ticket_message(&ticket.id, "customer", &auth.customer_id, &message, false)
        .await?;
    let ticket = state.store.customer_ticket(&auth.customer_id, &id).await?;
    let messages = state.store.ticket_messages(&ticket.id, false).await?;
    ok_with(ticket_detail(&ticket, &messages), "Reply added")
}
