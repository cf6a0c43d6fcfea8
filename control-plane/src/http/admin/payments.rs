//! Staff record a payment received outside a gateway (cash at the office, a bank transfer):
//! it is allocated over the customer's bills, the due amount and paid-until date follow, and
//! a suspended subscriber who now owes nothing is reactivated, all in one transaction with the
//! audit entries.

use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::billing::ROLES;
use crate::billing::settle::{after_settlement, settlement_audit, settlement_events};
use crate::domain::time::timestamp_text;
use crate::domain::Money;
use crate::http::amount::Amount;
use crate::http::audit::Actor;
use crate::http::extract::{non_empty, ApiJson, ClientIp};
use crate::http::principal::StaffAuth;
use crate::http::response::{ok_with, ApiError, ApiResult, Envelope, ErrorBody};
use crate::http::state::AppState;
use crate::store::payments::NewPayment;

/// Methods staff record; online methods settle through their gateway.
const STAFF_METHODS: &[&str] = &["cash", "bank"];

#[derive(Debug, Deserialize, ToSchema)]
pub struct RecordPaymentBody {
    /// Amount in currency units, e.g. `1000` or `999.5`.
    #[schema(value_type = f64)]
    pub amount: Option<serde_json::Value>,
    /// `cash` or `bank`.
    pub payment_method: Option<String>,
    /// Receipt or bank transaction reference.
    pub reference: Option<String>,
    /// Pay this bill first (optional); the rest goes to the oldest unpaid bills.
    pub bill_id: Option<String>,
    pub notes: Option<String>,
}

/// Part of a payment applied to a bill.
#[derive(Debug, Serialize, ToSchema)]
pub struct AllocationView {
    pub bill_id: String,
    pub amount: Amount,
}

/// A recorded payment and what it changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentRecorded {
    pub payment_id: String,
    pub amount: Amount,
    pub payment_method: String,
    pub status: String,
    pub allocations: Vec<AllocationView>,
    /// Money beyond every open bill, kept for the next bills.
    pub credit_added: Amount,
    pub due_amount: Amount,
    pub expiry_date: Option<String>,
    /// The customer was suspended and is active again.
    pub reactivated: bool,
}

#[utoipa::path(post, path = "/customers/{id}/payments", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "Customer id")),
    request_body = RecordPaymentBody,
    responses(
        (status = 200, description = "Payment recorded and allocated", body = Envelope<PaymentRecorded>),
        (status = 400, description = "Bad amount or method", body = ErrorBody),
        (status = 403, description = "Role may not do this", body = ErrorBody),
        (status = 404, description = "No such customer, or bill_id is not one of theirs", body = ErrorBody),
    ))]
pub async fn record(
    State(state): State<AppState>,
    auth: StaffAuth,
    ClientIp(ip): ClientIp,
    Path(customer_id): Path<String>,
    ApiJson(body): ApiJson<RecordPaymentBody>,
) -> ApiResult<PaymentRecorded> {
    auth.require(ROLES)?;
    let amount = body
        .amount
        .ok_or_else(|| ApiError::bad_request("amount is required"))
        .and_then(|v| Money::from_json(&v).map_err(|e| ApiError::bad_request(e.to_string())))?;
    if amount.minor() <= 0 {
        return Err(ApiError::bad_request("amount must be greater than zero"));
    }
    let method = non_empty(body.payment_method)
        .ok_or_else(|| ApiError::bad_request("payment_method is required"))?;
    if !STAFF_METHODS.contains(&method.as_str()) {
        return Err(ApiError::bad_request("payment_method must be cash or bank"));
    }
    state
        .store
        .customer(&customer_id)
        .await
        .map_err(|e| ApiError::from_store(e, "customer"))?;
    let bill_id = non_empty(body.bill_id);
    if let Some(bill_id) = &bill_id {
        state
            .store
            .customer_bill(&customer_id, bill_id)
            .await
            .map_err(|e| ApiError::from_store(e, "bill"))?;
    }
    let now = state.billing.clock.now();
    let today = now.to_offset(state.aaa.settings.utc_offset).date();
    let actor = Actor::staff(&auth, &ip);
    let settlement = state
        .store
        .record_payment(
            &NewPayment {
                customer_id: customer_id.clone(),
                bill_id,
                purpose: "bill".to_owned(),
                amount_minor: amount.minor(),
                payment_method: method,
                status: "completed".to_owned(),
                transaction_id: non_empty(body.reference),
                payment_date: Some(timestamp_text(now)),
                notes: non_empty(body.notes),
                ..NewPayment::default()
            },
            today,
            |s| settlement_audit(&actor, "payment.record", s),
            settlement_events,
        )
        .await
        .map_err(|e| ApiError::from_store(e, "customer"))?;
    after_settlement(&state, &settlement).await;
    ok_with(
        PaymentRecorded {
            payment_id: settlement.payment.id.clone(),
            amount: Amount(amount),
            payment_method: settlement.payment.payment_method.clone(),
            status: settlement.payment.status.clone(),
            allocations: settlement
                .allocation
                .parts
                .iter()
                .map(|p| AllocationView {
                    bill_id: p.bill_id.clone(),
                    amount: Amount::minor(p.amount_minor),
                })
                .collect(),
            credit_added: Amount::minor(settlement.allocation.credit_minor),
            due_amount: Amount::minor(settlement.due_amount_minor),
            expiry_date: settlement.expiry_date.clone(),
            reactivated: settlement.reactivated,
        },
        "Payment recorded",
    )
}
