//! What the customer and staff alert-preference routes share: the request and answer shapes
//! (seed 002) and reading, checking and storing a change with its audit entry.

use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::audit::{self, Actor};
use super::response::ApiError;
use super::state::AppState;
use crate::alerts::preferences::{apply_update, AlertPreferences, PreferencesUpdate};
use crate::store::alerts::AlertDeliveryRow;
use crate::store::customers::CustomerRow;

/// A change; fields left out keep their value. An empty `email_address` means the profile's
/// email; an empty `webhook_url` removes the webhook.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertPreferencesBody {
    pub email_enabled: Option<bool>,
    pub email_address: Option<String>,
    pub webhook_enabled: Option<bool>,
    /// `https://` (or `http://`) URL of a public receiver.
    pub webhook_url: Option<String>,
    /// `info`, `warning` or `critical`: alerts below it are not sent.
    pub min_severity: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AlertPreferencesView {
    pub email_enabled: bool,
    /// The chosen address; `null` means the profile's email.
    pub email_address: Option<String>,
    /// Where alert email goes now (the chosen address or the profile's).
    pub email_to: Option<String>,
    pub webhook_enabled: bool,
    pub webhook_url: Option<String>,
    /// The HMAC-SHA256 key of webhook deliveries, shown only in the answer that created it
    /// (when a webhook URL is first set or changed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_secret: Option<String>,
    pub min_severity: String,
    /// Whether alert email can be sent at all (the ISP configured an SMTP relay).
    pub email_available: bool,
}

/// One alert sent or being sent, for the delivery log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertDeliveryView {
    pub id: String,
    pub notification_id: String,
    /// `email` or `webhook`.
    pub channel: String,
    /// The address or URL.
    pub target: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    /// SMTP or HTTP code of the last answer.
    pub last_status_code: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: String,
    pub delivered_at: Option<String>,
}

pub fn delivery_view(d: AlertDeliveryRow) -> AlertDeliveryView {
    AlertDeliveryView {
        id: d.id,
        notification_id: d.notification_id,
        channel: d.channel,
        target: d.target,
        status: d.status,
        attempts: d.attempts,
        next_attempt_at: d.next_attempt_at,
        last_status_code: d.last_status_code,
        last_error: d.last_error,
        created_at: d.created_at,
        delivered_at: d.delivered_at,
    }
}

fn view(
    state: &AppState,
    p: &AlertPreferences,
    customer: &CustomerRow,
    new_secret: Option<String>,
) -> AlertPreferencesView {
    AlertPreferencesView {
        email_enabled: p.email_enabled,
        email_address: p.email_address.clone(),
        email_to: p.email_to(customer.email.as_deref()).map(str::to_owned),
        webhook_enabled: p.webhook_enabled,
        webhook_url: p.webhook_url.clone(),
        webhook_secret: new_secret,
        min_severity: p.min_severity.as_str().to_owned(),
        email_available: state.email.relay.is_some(),
    }
}

/// The customer's preferences in force.
pub async fn read(
    state: &AppState,
    customer: &CustomerRow,
) -> Result<AlertPreferencesView, ApiError> {
    let stored = state.store.alert_preferences(&customer.id).await?;
    Ok(view(
        state,
        &AlertPreferences::from_row(stored),
        customer,
        None,
    ))
}

/// Checks and stores a change (422 with every problem), audited as `actor`.
pub async fn update(
    state: &AppState,
    customer: &CustomerRow,
    body: AlertPreferencesBody,
    actor: &Actor,
) -> Result<AlertPreferencesView, ApiError> {
    let current = AlertPreferences::from_row(state.store.alert_preferences(&customer.id).await?);
    let change = PreferencesUpdate {
        email_enabled: body.email_enabled,
        email_address: body.email_address,
        webhook_enabled: body.webhook_enabled,
        webhook_url: body.webhook_url,
        min_severity: body.min_severity,
    };
    let mut next = apply_update(
        &current,
        change,
        customer.email.as_deref(),
        &state.webhooks.settings.allow_private_networks,
    )
    .map_err(|problems| ApiError::unprocessable(problems.join("; ")))?;
    let mut new_secret = None;
    if next.webhook_url.is_some()
        && (next.webhook_url != current.webhook_url || next.webhook_secret.is_none())
    {
        let secret = hex::encode(rand::random::<[u8; 32]>());
        next.webhook_secret = Some(secret.clone());
        new_secret = Some(secret);
    }
    let actor_name = actor.name.clone().unwrap_or_else(|| actor.id.clone());
    state
        .store
        .put_alert_preferences(&customer.id, &next.fields(), &actor_name)
        .await?;
    audit::record(
        state,
        actor,
        "alert_preferences.update",
        "customer",
        Some(&customer.id),
        json!({
            "email_enabled": next.email_enabled,
            "email_address": next.email_address,
            "webhook_enabled": next.webhook_enabled,
            "webhook_url": next.webhook_url,
            "min_severity": next.min_severity.as_str(),
            "new_webhook_secret": new_secret.is_some(),
        }),
    )
    .await?;
    Ok(view(state, &next, customer, new_secret))
}
