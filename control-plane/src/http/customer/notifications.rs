//! The subscriber's notifications (expiry warnings, suspension, payments), newest first, and
//! marking one read; the shape follows the notifications API of the portal seed (004) inside
//! seed 001's envelope.

use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::extract::{non_empty, ApiQuery};
use crate::http::principal::CustomerAuth;
use crate::http::response::{ok, ok_with, ApiError, ApiResult, Envelope, ErrorBody};
use crate::http::state::AppState;
use crate::store::notifications::NotificationRow;
use crate::store::Page;

/// Most notifications one answer lists.
const MAX_LISTED: i64 = 100;

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationView {
    pub id: String,
    pub title: String,
    pub message: String,
    /// `EXPIRY_WARNING`, `SERVICE_SUSPENDED`, `PAYMENT_RECEIVED`, `TICKET_REPLY` or
    /// `OPTICS_THRESHOLD`.
    #[serde(rename = "type")]
    pub kind: String,
    pub read: bool,
    /// `info`, `warning` or `critical`, from the type.
    pub severity: String,
    /// When it was created, RFC 3339 UTC.
    pub timestamp: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationsQuery {
    /// `true` for unread notifications only (default `false`).
    pub unread_only: Option<String>,
}

fn view(n: NotificationRow) -> NotificationView {
    NotificationView {
        id: n.id,
        title: n.title,
        message: n.message,
        kind: n.kind.to_ascii_uppercase(),
        read: n.read_at.is_some(),
        severity: n.severity,
        timestamp: n.created_at,
    }
}

#[utoipa::path(get, path = "/notifications", tag = "customer", security(("bearer" = [])),
    params(NotificationsQuery),
    responses(
        (status = 200, description = "The newest 100 notifications, newest first", body = Envelope<Vec<NotificationView>>),
        (status = 400, description = "unread_only is not true or false", body = ErrorBody),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    auth: CustomerAuth,
    ApiQuery(q): ApiQuery<NotificationsQuery>,
) -> ApiResult<Vec<NotificationView>> {
    let unread_only = match non_empty(q.unread_only).as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(ApiError::bad_request("unread_only must be true or false")),
    };
    let page = Page {
        limit: MAX_LISTED,
        offset: 0,
    };
    let rows = state
        .store
        .customer_notifications(&auth.customer_id, unread_only, page)
        .await?;
    ok(rows.rows.into_iter().map(view).collect())
}

#[utoipa::path(put, path = "/notifications/{id}/read", tag = "customer", security(("bearer" = [])),
    params(("id" = String, Path, description = "Notification id")),
    responses(
        (status = 200, description = "Marked read", body = Envelope<NotificationView>),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorBody),
        (status = 404, description = "No such notification for this customer", body = ErrorBody),
    ))]
pub async fn mark_read(
    State(state): State<AppState>,
    auth: CustomerAuth,
    Path(id): Path<String>,
) -> ApiResult<NotificationView> {
    let row = state
        .store
        .mark_notification_read(&auth.customer_id, &id)
        .await
        .map_err(|e| ApiError::from_store(e, "notification"))?;
    ok_with(view(row), "Notification marked read")
}
