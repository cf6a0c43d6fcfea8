//! The support ticket queue for staff (admin, support): every customer's tickets by status,
//! priority and assignee; one ticket with its whole thread, internal notes marked; a reply or
//! an internal note; and changes of status, priority and assignee. Every write is audited.

use std::collections::HashMap;

use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::{IntoParams, ToSchema};

use crate::domain::{StaffRole, TicketPriority, TicketStatus};
use crate::http::audit::{self, Actor};
use crate::http::extract::{non_empty, required_text, ApiJson, ApiQuery, ClientIp, PageQuery};
use crate::http::principal::StaffAuth;
use crate::http::response::{ok, ok_with, ApiError, ApiResult, Envelope, ErrorBody, Pagination};
use crate::http::state::AppState;
use crate::store::notifications::NewNotification;
use crate::store::ticket_queue::{
    QueuedTicketRow, TicketAssignee, TicketQueueFilter, TicketUpdate,
};
use crate::webhooks::emit::{wake, WebhookEvent};
use crate::webhooks::events;

/// Characters of a reply a notification repeats.
const PREVIEW_CHARS: usize = 200;

pub const ROLES: &[StaffRole] = &[StaffRole::Admin, StaffRole::Support];

/// The longest reply or note, in characters.
const MAX_MESSAGE_CHARS: usize = 5000;

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffTicketRecord {
    pub id: String,
    pub customer_id: String,
    pub customer_code: String,
    pub customer_name: String,
    pub subject: String,
    pub category: String,
    /// `low`, `normal`, `high` or `urgent`.
    pub priority: String,
    /// `open`, `in-progress`, `resolved` or `closed`.
    pub status: String,
    /// The assigned staff member's id; null when unassigned.
    pub assigned_to: Option<String>,
    pub assignee_username: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffTicketMessage {
    pub id: String,
    /// `customer` or `staff`.
    pub author_kind: String,
    /// The staff member's username, or the customer's name.
    pub author_name: String,
    pub message: String,
    /// A staff-only note: never shown to the customer.
    pub internal: bool,
    pub created_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffTicketDetail {
    pub ticket: StaffTicketRecord,
    /// Oldest first, internal notes included.
    pub messages: Vec<StaffTicketMessage>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffTicketsPage {
    pub tickets: Vec<StaffTicketRecord>,
    pub pagination: Pagination,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TicketQueueQuery {
    pub limit: Option<String>,
    pub offset: Option<String>,
    /// `open`, `in-progress`, `resolved` or `closed`; all when absent.
    pub status: Option<String>,
    /// `low`, `normal`, `high` or `urgent`; all when absent.
    pub priority: Option<String>,
    /// A staff id, or `unassigned`; all when absent.
    pub assigned_to: Option<String>,
}

/// A reply to the customer, or with `internal` true a note only staff read.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StaffTicketMessageBody {
    pub message: Option<String>,
    /// Default false.
    pub internal: Option<bool>,
}

/// Fields to change; absent ones stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StaffTicketUpdateBody {
    pub status: Option<String>,
    pub priority: Option<String>,
    /// A staff id; null or an empty string unassigns.
    #[schema(value_type = Option<String>)]
    #[serde(default, deserialize_with = "present")]
    pub assigned_to: Option<Value>,
}

/// A field that is there, `null` included: `Some`; absent fields stay `None` by `default`.
fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

pub fn ticket_record(t: QueuedTicketRow) -> StaffTicketRecord {
    StaffTicketRecord {
        id: t.id,
        customer_id: t.customer_id,
        customer_code: t.customer_code,
        customer_name: t.customer_name,
        subject: t.subject,
        category: t.category,
        priority: t.priority,
        status: t.status,
        assigned_to: t.assigned_to,
        assignee_username: t.assignee_username,
        created_at: t.created_at,
        updated_at: t.updated_at,
    }
}

fn parsed<T>(
    value: Option<String>,
    parse: fn(&str) -> Result<T, crate::domain::UnknownValue>,
) -> Result<Option<T>, ApiError> {
    non_empty(value)
        .map(|text| parse(&text).map_err(|e| ApiError::bad_request(e.to_string())))
        .transpose()
}

#[utoipa::path(get, path = "/tickets", tag = "admin", security(("bearer" = [])),
    params(TicketQueueQuery),
    responses(
        (status = 200, description = "Tickets, most recently updated first", body = Envelope<StaffTicketsPage>),
        (status = 400, description = "Bad status, priority or paging", body = ErrorBody),
        (status = 403, description = "Role may not do this (admin and support may)", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    auth: StaffAuth,
    ApiQuery(q): ApiQuery<TicketQueueQuery>,
) -> ApiResult<StaffTicketsPage> {
    auth.require(ROLES)?;
    let page = PageQuery {
        limit: q.limit,
        offset: q.offset,
    }
    .page()?;
    let filter = TicketQueueFilter {
        status: parsed(q.status, TicketStatus::parse)?.map(|s| s.as_str().to_owned()),
        priority: parsed(q.priority, TicketPriority::parse)?.map(|p| p.as_str().to_owned()),
        assignee: non_empty(q.assigned_to).map(|a| match a.as_str() {
            "unassigned" => TicketAssignee::Unassigned,
            _ => TicketAssignee::Staff(a),
        }),
    };
    let tickets = state.store.list_ticket_queue(&filter, page).await?;
    ok(StaffTicketsPage {
        tickets: tickets.rows.into_iter().map(ticket_record).collect(),
        pagination: Pagination {
            total: tickets.total,
            limit: page.limit,
            offset: page.offset,
        },
    })
}

#[utoipa::path(get, path = "/tickets/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "Ticket id, e.g. TKT-1704268800000")),
    responses(
        (status = 200, description = "The ticket and its whole thread", body = Envelope<StaffTicketDetail>),
        (status = 403, description = "Role may not do this", body = ErrorBody),
        (status = 404, description = "No such ticket", body = ErrorBody),
    ))]
pub async fn get(
    State(state): State<AppState>,
    auth: StaffAuth,
    Path(id): Path<String>,
) -> ApiResult<StaffTicketDetail> {
    auth.require(ROLES)?;
    let ticket = state
        .store
        .queued_ticket(&id)
        .await
        .map_err(|e| ApiError::from_store(e, "ticket"))?;
    let messages = state.store.ticket_messages(&id, true).await?;
    let staff: HashMap<String, String> = state
        .store
        .list_staff()
        .await?
        .into_iter()
        .map(|s| (s.id, s.username))
        .collect();
    let messages = messages
        .into_iter()
        .map(|m| StaffTicketMessage {
            author_name: match m.author_kind.as_str() {
                "staff" => staff
                    .get(&m.author_id)
                    .cloned()
                    .unwrap_or_else(|| "staff".to_owned()),
                _ => ticket.customer_name.clone(),
            },
            id: m.id,
            author_kind: m.author_kind,
            message: m.body,
            internal: m.internal != 0,
            created_at: m.created_at,
        })
        .collect();
    ok(StaffTicketDetail {
        ticket: ticket_record(ticket),
        messages,
    })
}

#[utoipa::path(post, path = "/tickets/{id}/messages", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "Ticket id")),
    request_body = StaffTicketMessageBody,
    responses(
        (status = 200, description = "Reply or internal note added", body = Envelope<StaffTicketRecord>),
        (status = 400, description = "Missing or too long message", body = ErrorBody),
        (status = 403, description = "Role may not do this", body = ErrorBody),
        (status = 404, description = "No such ticket", body = ErrorBody),
    ))]
pub async fn add_message(
    State(state): State<AppState>,
    auth: StaffAuth,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<StaffTicketMessageBody>,
) -> ApiResult<StaffTicketRecord> {
    auth.require(ROLES)?;
    let message = required_text("message", body.message, MAX_MESSAGE_CHARS)?;
    let internal = body.internal.unwrap_or(false);
    state
        .store
        .queued_ticket(&id)
        .await
        .map_err(|e| ApiError::from_store(e, "ticket"))?;
    let added = state
        .store
        .add_ticket_message(&id, "staff", &auth.staff_id, &message, internal)
        .await?;
    let action = if internal {
        "ticket.note"
    } else {
        "ticket.reply"
    };
    audit::record(
        &state,
        &Actor::staff(&auth, &ip),
        action,
        "ticket",
        Some(&id),
        json!({ "message_id": added.id, "internal": internal }),
    )
    .await?;
    let ticket = state.store.queued_ticket(&id).await?;
    if !internal {
        tell_subscriber_of_reply(&state, &ticket, &added.id, &message).await;
    }
    let words = if internal {
        "Internal note added"
    } else {
        "Reply sent"
    };
    ok_with(ticket_record(ticket), words)
}

/// Notifies the ticket's subscriber of a staff reply (info), with the `ticket.replied` webhook
/// event in the same transaction. Logged on failure: the reply itself is stored.
async fn tell_subscriber_of_reply(
    state: &AppState,
    ticket: &QueuedTicketRow,
    message_id: &str,
    message: &str,
) {
    let preview: String = message.chars().take(PREVIEW_CHARS).collect();
    let notification = NewNotification {
        customer_id: ticket.customer_id.clone(),
        kind: crate::alerts::severity::kind::TICKET_REPLY.to_owned(),
        title: format!("Reply to your ticket: {}", ticket.subject),
        message: preview,
        dedupe_key: format!("ticket-reply:{message_id}"),
    };
    let event = WebhookEvent::new(
        events::TICKET_REPLIED,
        json!({ "ticket_id": ticket.id, "customer_id": ticket.customer_id,
                "message_id": message_id, "status": ticket.status }),
    );
    match crate::alerts::notify(state, &notification, &[event]).await {
        Ok(_) => wake(state),
        Err(err) => tracing::error!(ticket = %ticket.id, error = %err,
            "ticket reply stored but its notification was not"),
    }
}

/// The assignee a body names: `None` to leave it, `Some(None)` to unassign.
async fn assignee(
    state: &AppState,
    value: Option<Value>,
) -> Result<Option<Option<String>>, ApiError> {
    match value {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::String(text)) if text.trim().is_empty() => Ok(Some(None)),
        Some(Value::String(text)) => {
            let staff = state.store.staff(text.trim()).await.map_err(|e| match e {
                crate::store::StoreError::NotFound => {
                    ApiError::bad_request("assigned_to must be the id of a staff member")
                }
                other => ApiError::from(other),
            })?;
            Ok(Some(Some(staff.id)))
        }
        Some(_) => Err(ApiError::bad_request(
            "assigned_to must be a staff id, or null to unassign",
        )),
    }
}

#[utoipa::path(patch, path = "/tickets/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "Ticket id")),
    request_body = StaffTicketUpdateBody,
    responses(
        (status = 200, description = "Ticket changed", body = Envelope<StaffTicketRecord>),
        (status = 400, description = "Unknown status or priority, or no such staff member", body = ErrorBody),
        (status = 403, description = "Role may not do this", body = ErrorBody),
        (status = 404, description = "No such ticket", body = ErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    auth: StaffAuth,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<StaffTicketUpdateBody>,
) -> ApiResult<StaffTicketRecord> {
    auth.require(ROLES)?;
    let update = TicketUpdate {
        status: parsed(body.status, TicketStatus::parse)?.map(|s| s.as_str().to_owned()),
        priority: parsed(body.priority, TicketPriority::parse)?.map(|p| p.as_str().to_owned()),
        assigned_to: assignee(&state, body.assigned_to).await?,
    };
    if update.status.is_none() && update.priority.is_none() && update.assigned_to.is_none() {
        return Err(ApiError::bad_request(
            "give at least one of status, priority and assigned_to",
        ));
    }
    let ticket = state
        .store
        .update_ticket(&id, &update)
        .await
        .map_err(|e| ApiError::from_store(e, "ticket"))?;
    audit::record(
        &state,
        &Actor::staff(&auth, &ip),
        "ticket.update",
        "ticket",
        Some(&id),
        json!({
            "status": update.status,
            "priority": update.priority,
            "assigned_to": update.assigned_to,
        }),
    )
    .await?;
    ok_with(ticket_record(ticket), "Ticket updated")
}

/// A staff member tickets may be assigned to.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketAssigneeRecord {
    pub id: String,
    pub username: String,
    pub role: String,
}

#[utoipa::path(get, path = "/tickets/assignees", tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, description = "Enabled support and admin staff, by username", body = Envelope<Vec<TicketAssigneeRecord>>),
        (status = 403, description = "Role may not do this", body = ErrorBody),
    ))]
pub async fn assignees(
    State(state): State<AppState>,
    auth: StaffAuth,
) -> ApiResult<Vec<TicketAssigneeRecord>> {
    auth.require(ROLES)?;
    let staff = state.store.list_staff().await?;
    ok(staff
        .into_iter()
        .filter(|s| s.disabled == 0 && matches!(s.role.as_str(), "admin" | "support"))
        .map(|s| TicketAssigneeRecord {
            id: s.id,
            username: s.username,
            role: s.role,
        })
        .collect())
}
