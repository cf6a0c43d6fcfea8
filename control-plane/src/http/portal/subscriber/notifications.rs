//! `GET /notifications` and `POST /notifications/{id}/read`: the subscriber's notifications,
//! newest first, and marking one read; the header counts the unread ones on every page.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::Form;

use super::{checked_form, Chrome, SubscriberSession, TokenForm, PORTAL};
use crate::http::customer::notifications::{list, mark_read, NotificationView, NotificationsQuery};
use crate::http::extract::ApiQuery;
use crate::http::portal::page::{html, redirect, PortalError, PortalResult};
use crate::http::principal::CustomerAuth;
use crate::http::state::AppState;
use crate::store::Page;

/// How many of the subscriber's notifications are unread.
pub async fn unread_count(state: &AppState, auth: &CustomerAuth) -> Result<i64, PortalError> {
    let none = Page {
        limit: 0,
        offset: 0,
    };
    let unread = state
        .store
        .customer_notifications(&auth.customer_id, true, none)
        .await
        .map_err(|e| PORTAL.error(e.into()))?;
    Ok(unread.total)
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    chrome: Chrome,
    notifications: Vec<NotificationView>,
}

#[utoipa::path(get, path = "/notifications", tag = "portal",
    responses((status = 200, description = "The subscriber's notifications, newest first", content_type = "text/html")))]
pub async fn notifications(
    State(state): State<AppState>,
    session: SubscriberSession,
) -> PortalResult {
    let notifications = list(
        State(state.clone()),
        session.auth.clone(),
        ApiQuery(NotificationsQuery { unread_only: None }),
    )
    .await
    .map_err(|e| PORTAL.error(e))?
    .0
    .data;
    Ok(html(&NotificationsPage {
        chrome: Chrome::load(&state, "Notifications", "notifications", &session).await?,
        notifications,
    }))
}

#[utoipa::path(post, path = "/notifications/{id}/read", tag = "portal",
    params(("id" = String, Path, description = "Notification id")),
    responses(
        (status = 303, description = "Marked read; back to the notifications"),
        (status = 403, description = "Missing or wrong anti-forgery token", content_type = "text/html"),
        (status = 404, description = "No such notification for this subscriber", content_type = "text/html"),
    ))]
pub async fn mark_notification_read(
    State(state): State<AppState>,
    session: SubscriberSession,
    Path(id): Path<String>,
    form: Result<Form<TokenForm>, FormRejection>,
) -> PortalResult {
    checked_form(&state, &session, form)?;
    let _marked = mark_read(State(state), session.auth, Path(id))
        .await
        .map_err(|e| PORTAL.error(e))?;
    Ok(redirect("/notifications"))
}
