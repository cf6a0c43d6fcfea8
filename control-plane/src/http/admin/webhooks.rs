//! Staff (admin) register webhooks for billing events, list and remove them, and read a
//! webhook's delivery log. The signing secret is shown once, when the webhook is created.

use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::Deleted;
use crate::domain::StaffRole;
use crate::http::audit::{self, Actor};
use crate::http::extract::{required_text, ApiJson, ClientIp};
use crate::http::principal::StaffAuth;
use crate::http::response::{ok, ok_with, ApiError, ApiResult, Envelope, ErrorBody};
use crate::http::state::AppState;
use crate::store::webhooks::{DeliveryRow, WebhookRow};
use crate::webhooks::emit::{payload, wake};
use crate::webhooks::events::{self, parse_events};

const ROLES: &[StaffRole] = &[StaffRole::Admin];
/// Deliveries one log answer lists, newest first.
const LOG_LIMIT: i64 = 100;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookBody {
    /// Where deliveries are POSTed: an `https://` or `http://` URL.
    pub url: Option<String>,
    /// `payment.completed`, `bill.generated`, `service.suspended`, `customer.reactivated`,
    /// `package.changed`, `expiry.warning`, `ticket.replied`, `device.optics_alarm`,
    /// `device.command_finished`.
    pub events: Option<Vec<String>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookView {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    pub active: bool,
    pub created_by: Option<String>,
    pub created_at: String,
}

/// A new webhook with its signing secret, shown only now.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedWebhook {
    pub webhook: WebhookView,
    /// HMAC-SHA256 key: `X-Netops-Signature` is `sha256=` and the hex HMAC of
    /// `<X-Netops-Timestamp>.<body>`.
    pub secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    pub id: String,
    pub event: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub last_status_code: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: String,
    pub delivered_at: Option<String>,
    /// The JSON body sent.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}

fn view(w: WebhookRow) -> WebhookView {
    WebhookView {
        id: w.id,
        url: w.url,
        events: w.events.split(',').map(str::to_owned).collect(),
        active: w.active != 0,
        created_by: w.created_by,
        created_at: w.created_at,
    }
}

fn delivery_view(d: DeliveryRow) -> DeliveryView {
    DeliveryView {
        payload: serde_json::from_str(&d.payload).unwrap_or(serde_json::Value::Null),
        id: d.id,
        event: d.event,
        status: d.status,
        attempts: d.attempts,
        next_attempt_at: d.next_attempt_at,
        last_status_code: d.last_status_code,
        last_error: d.last_error,
        created_at: d.created_at,
        delivered_at: d.delivered_at,
    }
}

/// An `https://` or `http://` URL with a host and no credentials.
fn webhook_url(text: String) -> Result<String, ApiError> {
    let bad = |why: &str| ApiError::bad_request(format!("url {why}"));
    let url = reqwest::Url::parse(text.trim()).map_err(|_| bad("is not a URL"))?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(bad("must start with https:// or http://"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("must not carry a user name or password"));
    }
    Ok(url.to_string())
}

#[utoipa::path(post, path = "/webhooks", tag = "admin", security(("bearer" = [])),
    request_body = WebhookBody,
    responses(
        (status = 200, description = "Webhook registered; the secret is shown only now", body = Envelope<CreatedWebhook>),
        (status = 400, description = "Bad URL or events", body = ErrorBody),
        (status = 403, description = "Role may not do this", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    auth: StaffAuth,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<WebhookBody>,
) -> ApiResult<CreatedWebhook> {
    auth.require(ROLES)?;
    let url = webhook_url(required_text("url", body.url, 2000)?)?;
    let events = parse_events(&body.events.unwrap_or_default()).map_err(ApiError::bad_request)?;
    let secret = hex::encode(rand::random::<[u8; 32]>());
    let webhook = state
        .store
        .insert_webhook(&url, &events, &secret, &auth.username)
        .await?;
    audit::record(
        &state,
        &Actor::staff(&auth, &ip),
        "webhook.create",
        "webhook",
        Some(&webhook.id),
        json!({ "url": webhook.url, "events": events }),
    )
    .await?;
    ok_with(
        CreatedWebhook {
            webhook: view(webhook),
            secret,
        },
        "Webhook registered. Store the secret now: it is not shown again",
    )
}

#[utoipa::path(get, path = "/webhooks", tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, description = "Every webhook, active first", body = Envelope<Vec<WebhookView>>),
        (status = 403, description = "Role may not do this", body = ErrorBody),
    ))]
pub async fn list(State(state): State<AppState>, auth: StaffAuth) -> ApiResult<Vec<WebhookView>> {
    auth.require(ROLES)?;
    let webhooks = state.store.list_webhooks().await?;
    ok(webhooks.into_iter().map(view).collect())
}

#[utoipa::path(delete, path = "/webhooks/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "Webhook id")),
    responses(
        (status = 200, description = "Webhook stopped; pending deliveries are not sent, the log is kept", body = Envelope<Deleted>),
        (status = 403, description = "Role may not do this", body = ErrorBody),
        (status = 404, description = "No such webhook", body = ErrorBody),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    auth: StaffAuth,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
) -> ApiResult<Deleted> {
    auth.require(ROLES)?;
    state
        .store
        .deactivate_webhook(&id)
        .await
        .map_err(|e| ApiError::from_store(e, "webhook"))?;
    audit::record(
        &state,
        &Actor::staff(&auth, &ip),
        "webhook.delete",
        "webhook",
        Some(&id),
        json!({}),
    )
    .await?;
    ok_with(Deleted { id }, "Webhook removed")
}

#[utoipa::path(get, path = "/webhooks/{id}/deliveries", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "Webhook id")),
    responses(
        (status = 200, description = "The newest 100 deliveries, newest first", body = Envelope<Vec<DeliveryView>>),
        (status = 403, description = "Role may not do this", body = ErrorBody),
        (status = 404, description = "No such webhook", body = ErrorBody),
    ))]
pub async fn deliveries(
    State(state): State<AppState>,
    auth: StaffAuth,
    Path(id): Path<String>,
) -> ApiResult<Vec<DeliveryView>> {
    auth.require(ROLES)?;
    state
        .store
        .webhook(&id)
        .await
        .map_err(|e| ApiError::from_store(e, "webhook"))?;
    let rows = state.store.webhook_deliveries(&id, LOG_LIMIT).await?;
    ok(rows.into_iter().map(delivery_view).collect())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TestSendView {
    /// The queued delivery; follow it in `/webhooks/{id}/deliveries`.
    pub delivery_id: String,
    pub event: String,
}

#[utoipa::path(post, path = "/webhooks/{id}/test", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "Webhook id")),
    description = "Queues one signed `webhook.test` delivery to this webhook alone, sent like \
        any other (retries, delivery log), so a receiver can be checked before real events flow.",
    responses(
        (status = 200, description = "Test delivery queued", body = Envelope<TestSendView>),
        (status = 403, description = "Role may not do this", body = ErrorBody),
        (status = 404, description = "No such webhook, or removed", body = ErrorBody),
    ))]
pub async fn test_send(
    State(state): State<AppState>,
    auth: StaffAuth,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
) -> ApiResult<TestSendView> {
    auth.require(ROLES)?;
    let body = payload(
        events::WEBHOOK_TEST,
        json!({ "webhook_id": id, "message": "test delivery from netops" }),
    );
    let delivery_id = state
        .store
        .enqueue_test_delivery(&id, events::WEBHOOK_TEST, &body)
        .await
        .map_err(|e| ApiError::from_store(e, "webhook"))?;
    audit::record(
        &state,
        &Actor::staff(&auth, &ip),
        "webhook.test",
        "webhook",
        Some(&id),
        json!({ "delivery_id": delivery_id }),
    )
    .await?;
    wake(&state);
    ok_with(
        TestSendView {
            delivery_id,
            event: events::WEBHOOK_TEST.to_owned(),
        },
        "Test delivery queued",
    )
}
