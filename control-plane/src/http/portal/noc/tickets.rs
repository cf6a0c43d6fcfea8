//! `GET /noc/tickets` and `GET /noc/tickets/{id}`: the support queue, filtered by status,
//! priority and assignee, and one ticket's whole thread (internal notes marked) with the forms
//! to reply, add an internal note, assign and change status (`ticket_actions.rs`).

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use serde::Deserialize;

use super::{Chrome, StaffSession, PORTAL};
use crate::domain::{TicketPriority, TicketStatus};
use crate::http::admin::tickets::{
    assignees, get, list, StaffTicketDetail, StaffTicketRecord, TicketQueueQuery,
};
use crate::http::extract::ApiQuery;
use crate::http::portal::page::{html, PortalResult};
use crate::http::response::ApiError;
use crate::http::state::AppState;

#[derive(Debug, Default, Deserialize)]
pub struct QueueFilterQuery {
    status: Option<String>,
    priority: Option<String>,
    assigned_to: Option<String>,
}

/// A choice in a filter or form `select`.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn choices<'a>(values: impl Iterator<Item = &'a str>, current: &str) -> Vec<Choice> {
    values
        .map(|v| Choice {
            value: v.to_owned(),
            label: v.to_owned(),
            selected: v == current,
        })
        .collect()
}

/// The staff members a ticket may be assigned to, as `select` choices.
async fn assignee_choices(
    state: &AppState,
    session: &StaffSession,
    current: &str,
) -> Result<Vec<Choice>, ApiError> {
    let staff = assignees(State(state.clone()), session.auth.clone())
        .await?
        .0
        .data;
    Ok(staff
        .into_iter()
        .map(|s| Choice {
            selected: s.id == current,
            value: s.id,
            label: format!("{} ({})", s.username, s.role),
        })
        .collect())
}

#[derive(Template)]
#[template(path = "noc/tickets.html")]
struct TicketsPage {
    chrome: Chrome,
    tickets: Vec<StaffTicketRecord>,
    total: i64,
    statuses: Vec<Choice>,
    priorities: Vec<Choice>,
    assignees: Vec<Choice>,
    unassigned: bool,
}

#[utoipa::path(get, path = "/noc/tickets", tag = "portal",
    params(
        ("status" = Option<String>, Query, description = "open, in-progress, resolved or closed"),
        ("priority" = Option<String>, Query, description = "low, normal, high or urgent"),
        ("assigned_to" = Option<String>, Query, description = "A staff id, or unassigned"),
    ),
    responses(
        (status = 200, description = "The support ticket queue", content_type = "text/html"),
        (status = 400, description = "An unknown filter value", content_type = "text/html"),
        (status = 403, description = "The role may not read tickets", content_type = "text/html"),
    ))]
pub async fn tickets(
    State(state): State<AppState>,
    session: StaffSession,
    query: Result<Query<QueueFilterQuery>, QueryRejection>,
) -> PortalResult {
    let Ok(Query(query)) = query else {
        return Err(PORTAL.bad_request("the address has a malformed query string"));
    };
    let err = |e| PORTAL.error(e);
    let page = list(
        State(state.clone()),
        session.auth.clone(),
        ApiQuery(TicketQueueQuery {
            limit: Some("100".into()),
            offset: None,
            status: query.status.clone(),
            priority: query.priority.clone(),
            assigned_to: query.assigned_to.clone(),
        }),
    )
    .await
    .map_err(err)?
    .0
    .data;
    let assigned = query.assigned_to.unwrap_or_default();
    Ok(html(&TicketsPage {
        chrome: Chrome::new("Support tickets", "/noc/tickets", &session),
        tickets: page.tickets,
        total: page.pagination.total,
        statuses: choices(
            TicketStatus::ALL.iter().map(|s| s.as_str()),
            query.status.as_deref().unwrap_or_default(),
        ),
        priorities: choices(
            TicketPriority::ALL.iter().map(|p| p.as_str()),
            query.priority.as_deref().unwrap_or_default(),
        ),
        assignees: assignee_choices(&state, &session, &assigned)
            .await
            .map_err(err)?,
        unassigned: assigned == "unassigned",
    }))
}

#[derive(Template)]
#[template(path = "noc/ticket.html")]
struct TicketPage {
    chrome: Chrome,
    detail: StaffTicketDetail,
    statuses: Vec<Choice>,
    assignees: Vec<Choice>,
}

#[utoipa::path(get, path = "/noc/tickets/{id}", tag = "portal",
    params(("id" = String, Path, description = "Ticket id")),
    responses(
        (status = 200, description = "One ticket, its thread and the staff forms", content_type = "text/html"),
        (status = 403, description = "The role may not read tickets", content_type = "text/html"),
        (status = 404, description = "No such ticket", content_type = "text/html"),
    ))]
pub async fn ticket(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
) -> PortalResult {
    let err = |e| PORTAL.error(e);
    let detail = get(State(state.clone()), session.auth.clone(), Path(id))
        .await
        .map_err(err)?
        .0
        .data;
    let assigned = detail.ticket.assigned_to.clone().unwrap_or_default();
    Ok(html(&TicketPage {
        chrome: Chrome::new(
            format!("Ticket {}: {}", detail.ticket.id, detail.ticket.subject),
            "/noc/tickets",
            &session,
        ),
        statuses: choices(
            TicketStatus::ALL.iter().map(|s| s.as_str()),
            &detail.ticket.status,
        ),
        assignees: assignee_choices(&state, &session, &assigned)
            .await
            .map_err(err)?,
        detail,
    }))
}
