//! Writing the audit log from handlers: who (customer or staff, and from where) did what.

use serde_json::Value;

use super::principal::{CustomerAuth, StaffAuth};
use super::response::ApiError;
use super::state::AppState;
use crate::store::audit::AuditEntry;

/// The person behind a request, for the audit log.
#[derive(Debug, Clone)]
pub struct Actor {
    pub kind: &'static str,
    pub id: String,
    pub name: Option<String>,
    pub client_ip: String,
}

impl Actor {
    pub fn customer(auth: &CustomerAuth, client_ip: &str) -> Self {
        Self {
            kind: "customer",
            id: auth.customer_id.clone(),
            name: auth.api_key.as_ref().map(|k| format!("api-key:{}", k.name)),
            client_ip: client_ip.to_owned(),
        }
    }

    /// The billing job and what follows from payments (suspension, reactivation, bills).
    pub fn billing_system() -> Self {
        Self {
            kind: "system",
            id: "billing".to_owned(),
            name: None,
            client_ip: "local".to_owned(),
        }
    }

    /// The entry this actor's `action` on a target makes, for a store transaction to write
    /// with the change itself.
    pub fn entry(
        &self,
        action: &str,
        target_kind: &str,
        target_id: Option<&str>,
        detail: Value,
    ) -> AuditEntry {
        AuditEntry {
            actor_kind: self.kind.to_owned(),
            actor_id: Some(self.id.clone()),
            actor_name: self.name.clone(),
            action: action.to_owned(),
            target_kind: target_kind.to_owned(),
            target_id: target_id.map(str::to_owned),
            detail,
            client_ip: Some(self.client_ip.clone()),
        }
    }

    pub fn staff(auth: &StaffAuth, client_ip: &str) -> Self {
        Self {
            kind: "staff",
            id: auth.staff_id.clone(),
            name: Some(auth.username.clone()),
            client_ip: client_ip.to_owned(),
        }
    }
}

/// Appends one entry. A failure is an error of the request: an action that cannot be audited
/// is reported, not silently kept.
pub async fn record(
    state: &AppState,
    actor: &Actor,
    action: &str,
    target_kind: &str,
    target_id: Option<&str>,
    detail: Value,
) -> Result<(), ApiError> {
    state
        .store
        .append_audit(&actor.entry(action, target_kind, target_id, detail))
        .await
        .map_err(ApiError::from)
}
