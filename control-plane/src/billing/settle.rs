//! Settling payments from the HTTP side: a verified gateway callback, or a payment staff
//! record, each written with its audit entries in one transaction; then, for a subscriber
//! reactivated by paying, one disconnect so the BRAS applies the normal profile at the next
//! login.

use serde_json::json;

use super::gateway::{CallbackError, CallbackOutcome, GatewayCallback, PaymentGateway};
use crate::commands::request::{self, Requester};
use crate::domain::time::timestamp_text;
use crate::domain::CommandKind;
use crate::http::audit::Actor;
use crate::http::response::ApiError;
use crate::http::AppState;
use crate::store::audit::AuditEntry;
use crate::store::payments::PaymentRow;
use crate::store::settlement::{Completion, Settlement};
use crate::store::StoreError;
use crate::webhooks::emit::{wake, WebhookEvent};
use crate::webhooks::events;

/// Why a callback changed nothing.
#[derive(Debug, thiserror::Error)]
pub enum SettleError {
    #[error("callback refused: {0}")]
    Signature(#[from] CallbackError),
    #[error("no such payment")]
    UnknownPayment,
    #[error("the callback's amount ({callback_minor}) is not the payment's ({stored_minor}), in minor units")]
    AmountMismatch {
        callback_minor: i64,
        stored_minor: i64,
    },
    #[error("the payment is already {0}")]
    AlreadyFinal(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<SettleError> for ApiError {
    fn from(err: SettleError) -> Self {
        match err {
            SettleError::Signature(e) => ApiError::unauthorized(format!("callback refused: {e}")),
            SettleError::UnknownPayment => ApiError::not_found("payment"),
            SettleError::AmountMismatch { .. } | SettleError::AlreadyFinal(_) => {
                ApiError::conflict(err.to_string())
            }
            SettleError::Store(e) => ApiError::from(e),
        }
    }
}

/// What a callback did.
#[derive(Debug, Clone)]
pub struct CallbackResult {
    pub payment: PaymentRow,
    /// `false` for a repeated callback, which changed nothing.
    pub applied: bool,
    pub settlement: Option<Settlement>,
}

/// The gateway's side of the audit log.
fn gateway_actor(gateway: &str, client_ip: &str) -> Actor {
    Actor {
        kind: "system",
        id: format!("gateway:{gateway}"),
        name: None,
        client_ip: client_ip.to_owned(),
    }
}

/// Verifies and applies a gateway callback. The signature must verify and the signed amount
/// must be the stored payment's; the stored amount is what is settled. A repeated callback
/// with the same outcome answers with the payment and changes nothing.
pub async fn apply_callback(
    state: &AppState,
    gateway: &dyn PaymentGateway,
    callback: &GatewayCallback,
    signature: &str,
    client_ip: &str,
) -> Result<CallbackResult, SettleError> {
    gateway.verify(callback, signature)?;
    apply_verified(state, gateway.name(), callback, client_ip).await
}

/// Applies a callback whose signature `gateway` has verified: the signed amount must be the
/// stored payment's, and the stored amount is what is settled. A repeated callback with the
/// same outcome answers with the payment and changes nothing.
pub async fn apply_verified(
    state: &AppState,
    gateway: &str,
    callback: &GatewayCallback,
    client_ip: &str,
) -> Result<CallbackResult, SettleError> {
    let payment = match state.store.payment(&callback.payment_id).await {
        Ok(payment) => payment,
        Err(StoreError::NotFound) => return Err(SettleError::UnknownPayment),
        Err(err) => return Err(err.into()),
    };
    if callback.amount_minor != payment.amount_minor {
        return Err(SettleError::AmountMismatch {
            callback_minor: callback.amount_minor,
            stored_minor: payment.amount_minor,
        });
    }
    let unchanged = |payment: PaymentRow| {
        if payment.status == callback.outcome.as_str() {
            Ok(CallbackResult {
                payment,
                applied: false,
                settlement: None,
            })
        } else {
            Err(SettleError::AlreadyFinal(payment.status))
        }
    };
    if payment.status != "pending" {
        return unchanged(payment);
    }
    let actor = gateway_actor(gateway, client_ip);
    match callback.outcome {
        CallbackOutcome::Cancelled => {
            let entry = actor.entry(
                "payment.cancel",
                "payment",
                Some(&payment.id),
                json!({ "transaction_id": callback.transaction_id }),
            );
            if !state
                .store
                .end_pending_payment(&payment.id, "cancelled", &entry)
                .await?
            {
                return unchanged(state.store.payment(&payment.id).await?);
            }
            Ok(CallbackResult {
                payment: state.store.payment(&payment.id).await?,
                applied: true,
                settlement: None,
            })
        }
        CallbackOutcome::Completed => {
            let now = state.billing.clock.now();
            let today = now.to_offset(state.aaa.settings.utc_offset).date();
            let completion = state
                .store
                .complete_payment(
                    &payment.id,
                    &callback.transaction_id,
                    &timestamp_text(now),
                    today,
                    |s| settlement_audit(&actor, "payment.complete", s),
                    settlement_events,
                )
                .await?;
            match completion {
                Completion::AlreadyFinal(payment) => unchanged(*payment),
                Completion::Settled(settlement) => {
                    after_settlement(state, &settlement).await;
                    Ok(CallbackResult {
                        payment: settlement.payment.clone(),
                        applied: true,
                        settlement: Some(*settlement),
                    })
                }
            }
        }
    }
}

/// The audit detail of a settlement.
pub fn settlement_detail(s: &Settlement) -> serde_json::Value {
    json!({
        "customer_id": s.payment.customer_id,
        "amount_minor": s.payment.amount_minor,
        "payment_method": s.payment.payment_method,
        "purpose": s.payment.purpose,
        "transaction_id": s.payment.transaction_id,
        "allocations": s.allocation.parts.iter()
            .map(|p| json!({ "bill_id": p.bill_id, "amount_minor": p.amount_minor }))
            .collect::<Vec<_>>(),
        "credit_added_minor": s.allocation.credit_minor,
        "due_amount_minor": s.due_amount_minor,
        "expiry_date": s.expiry_date,
        "reactivated": s.reactivated,
    })
}

/// The audit entries of a settlement: `action` on the payment by `actor`, and the billing
/// system's reactivation of a subscriber the payment brought back.
pub fn settlement_audit(actor: &Actor, action: &str, s: &Settlement) -> Vec<AuditEntry> {
    let mut entries =
        vec![actor.entry(action, "payment", Some(&s.payment.id), settlement_detail(s))];
    if s.reactivated {
        entries.push(Actor::billing_system().entry(
            "customer.reactivate",
            "customer",
            Some(&s.payment.customer_id),
            json!({ "payment_id": s.payment.id }),
        ));
    }
    entries
}

/// The webhook events of a settlement, stored in its transaction: `payment.completed` and, for
/// a subscriber the payment reactivated, `customer.reactivated`.
pub fn settlement_events(s: &Settlement) -> Vec<WebhookEvent> {
    let mut out = vec![WebhookEvent::new(
        events::PAYMENT_COMPLETED,
        json!({
            "payment_id": s.payment.id,
            "customer_id": s.payment.customer_id,
            "amount_minor": s.payment.amount_minor,
            "payment_method": s.payment.payment_method,
            "purpose": s.payment.purpose,
            "transaction_id": s.payment.transaction_id,
            "due_amount_minor": s.due_amount_minor,
            "expiry_date": s.expiry_date,
        }),
    )];
    if s.reactivated {
        out.push(WebhookEvent::new(
            events::CUSTOMER_REACTIVATED,
            json!({ "customer_id": s.payment.customer_id, "payment_id": s.payment.id }),
        ));
    }
    out
}

/// After a settlement committed: wakes the webhook delivery loop, tells the subscriber by a
/// notification and, for a subscriber the payment reactivated (audited with the payment), one disconnect, so the session comes back
/// with the package's profile instead of the suspended answer.
pub async fn after_settlement(state: &AppState, s: &Settlement) {
    wake(state);
    super::notify::notify_payment(state, s).await;
    if s.reactivated {
        disconnect(state, &s.payment.customer_id, "reactivated by payment").await;
    }
}

/// Queues a disconnect for the customer as the billing system; failures are logged.
pub async fn disconnect(state: &AppState, customer_id: &str, why: &str) {
    let requester = Requester {
        kind: "system",
        id: "billing".to_owned(),
    };
    let result = match state.store.customer(customer_id).await {
        Ok(customer) => {
            request::queue(state, &customer, CommandKind::Disconnect, None, &requester).await
        }
        Err(err) => Err(err.into()),
    };
    if let Err(err) = result {
        tracing::warn!(customer = customer_id, error = %err, why, "billing disconnect not queued");
    }
}
