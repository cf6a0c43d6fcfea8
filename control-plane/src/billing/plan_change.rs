//! What follows a package change outside its transaction: the change of the session's speed at
//! the BRAS (a CoA through the device-actions pipeline), and the billing job's step that applies
//! approved next-cycle changes on the first day of the new period.

use serde_json::json;
use time::Date;

use crate::commands::request::{self, RequestError, Requester};
use crate::http::audit::Actor;
use crate::http::AppState;
use crate::store::commands::CommandRow;
use crate::store::package_changes::PackageChangeRow;
use crate::store::StoreError;
use crate::webhooks::emit::{wake, WebhookEvent};
use crate::webhooks::events;

/// The `package.changed` webhook event of an applied request.
pub fn package_changed(r: &PackageChangeRow) -> WebhookEvent {
    WebhookEvent::new(
        events::PACKAGE_CHANGED,
        json!({ "customer_id": r.customer_id, "package_change_request_id": r.id,
                "from_package_id": r.from_package_id, "to_package_id": r.to_package_id,
                "to_package_name": r.to_package_name, "effective": r.effective,
                "applied_at": r.applied_at }),
    )
}

/// The speed change queued for a customer moved to a package, or why none was.
pub struct SpeedChange {
    pub command: Option<CommandRow>,
    /// Why no command was queued (e.g. no PPPoE account on file); the package applies from
    /// the subscriber's next login.
    pub skipped: Option<String>,
}

/// Queues the change of `customer_id`'s session speed to their package, audited as
/// `device.change_speed` by `actor`.
pub async fn queue_speed_change(
    state: &AppState,
    customer_id: &str,
    requester: &Requester,
    actor: &Actor,
    request_id: &str,
) -> Result<SpeedChange, StoreError> {
    let customer = state.store.customer(customer_id).await?;
    match request::change_speed_to_package(state, &customer, requester).await {
        Ok(command) => {
            let params: serde_json::Value =
                serde_json::from_str(&command.params).unwrap_or(serde_json::Value::Null);
            state
                .store
                .append_audit(&actor.entry(
                    "device.change_speed",
                    "device_command",
                    Some(&command.id),
                    json!({ "customer_id": customer.id, "target": command.target,
                            "params": params, "package_change_request_id": request_id }),
                ))
                .await?;
            Ok(SpeedChange {
                command: Some(command),
                skipped: None,
            })
        }
        Err(RequestError::Store(err)) => Err(err),
        Err(why) => Ok(SpeedChange {
            command: None,
            skipped: Some(why.to_string()),
        }),
    }
}

/// Applies the approved next-cycle changes due on `today` (before the run issues bills, so the
/// new period is billed at the new price) and queues their speed changes; returns how many.
pub async fn apply_waiting(state: &AppState, today: Date) -> Result<u64, StoreError> {
    let system = Actor::billing_system();
    let applied = state
        .store
        .apply_waiting_package_changes(
            today,
            |r| {
                system.entry(
                    "package.change_apply",
                    "package_change_request",
                    Some(&r.id),
                    json!({ "customer_id": r.customer_id, "from_package_id": r.from_package_id,
                            "to_package_id": r.to_package_id, "apply_on": r.apply_on }),
                )
            },
            |r| vec![package_changed(r)],
        )
        .await?;
    if !applied.is_empty() {
        wake(state);
    }
    for change in &applied {
        // The speed change is on behalf of the staff member who approved the request.
        let requester = Requester {
            kind: "staff",
            id: change.decided_by.clone().unwrap_or_default(),
        };
        match queue_speed_change(state, &change.customer_id, &requester, &system, &change.id).await
        {
            Ok(SpeedChange {
                skipped: Some(why), ..
            }) => {
                tracing::info!(customer = %change.customer_id, reason = %why, "no speed change queued")
            }
            Ok(_) => {}
            Err(err) => {
                tracing::warn!(customer = %change.customer_id, error = %err, "speed change not queued")
            }
        }
    }
    Ok(u64::try_from(applied.len()).unwrap_or(u64::MAX))
}
