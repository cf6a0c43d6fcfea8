//! Bills, payment history, and starting an online payment or a recharge
//! (`start_online_payment`, which the subscriber portal's Pay and Recharge use too).

use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use super::profile::own_customer;
use super::views::{
    bill_detail, bill_summary, payment_view, BillDetail, BillsPage, PaymentInitiated, PaymentsPage,
    RechargeInitiated,
};
use crate::domain::{BillStatus, Money, PaymentMethod};
use crate::http::amount::Amount;
use crate::http::audit::Actor;
use crate::http::extract::{non_empty, ApiJson, ApiQuery, ClientIp, PageQuery};
use crate::http::principal::CustomerAuth;
use crate::http::response::{ok, ok_with, ApiError, ApiResult, Envelope, ErrorBody, Pagination};
use crate::http::state::AppState;
use crate::store::payments::{NewPayment, PaymentRow};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BillsQuery {
    /// Number of records (default 20, at most 100).
    pub limit: Option<String>,
    /// Records to skip (default 0).
    pub offset: Option<String>,
    /// `paid`, `unpaid`, `partial` or `overdue`.
    pub status: Option<String>,
}

#[utoipa::path(get, path = "/bills", tag = "customer", security(("bearer" = [])),
    params(BillsQuery),
    responses(
        (status = 200, description = "The customer's bills, newest first", body = Envelope<BillsPage>),
        (status = 400, description = "Bad limit, offset or status", body = ErrorBody),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorBody),
    ))]
pub async fn list_bills(
    State(state): State<AppState>,
    auth: CustomerAuth,
    ApiQuery(query): ApiQuery<BillsQuery>,
) -> ApiResult<BillsPage> {
    let page = PageQuery {
        limit: query.limit,
        offset: query.offset,
    }
    .page()?;
    let status = non_empty(query.status)
        .map(|s| BillStatus::parse(&s))
        .transpose()
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let bills = state
        .store
        .customer_bills(&auth.customer_id, status.map(BillStatus::as_str), page)
        .await?;
    ok(BillsPage {
        bills: bills.rows.iter().map(bill_summary).collect(),
        pagination: Pagination {
            total: bills.total,
            limit: page.limit,
            offset: page.offset,
        },
    })
}

#[utoipa::path(get, path = "/bills/{id}", tag = "customer", security(("bearer" = [])),
    params(("id" = String, Path, description = "Bill id")),
    responses(
        (status = 200, description = "One bill", body = Envelope<BillDetail>),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorBody),
        (status = 404, description = "No such bill for this customer", body = ErrorBody),
    ))]
pub async fn get_bill(
    State(state): State<AppState>,
    auth: CustomerAuth,
    Path(id): Path<String>,
) -> ApiResult<BillDetail> {
    let bill = state
        .store
        .customer_bill(&auth.customer_id, &id)
        .await
        .map_err(|e| ApiError::from_store(e, "bill"))?;
    ok(bill_detail(&bill))
}

#[utoipa::path(get, path = "/payments", tag = "customer", security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, description = "Completed payments, newest first", body = Envelope<PaymentsPage>),
        (status = 400, description = "Bad limit or offset", body = ErrorBody),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorBody),
    ))]
pub async fn list_payments(
    State(state): State<AppState>,
    auth: CustomerAuth,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<PaymentsPage> {
    let page = query.page()?;
    let payments = state
        .store
        .customer_payments(&auth.customer_id, page)
        .await?;
    ok(PaymentsPage {
        payments: payments.rows.iter().map(payment_view).collect(),
        pagination: Pagination {
            total: payments.total,
            limit: page.limit,
            offset: page.offset,
        },
    })
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct InitiatePayment {
    /// Amount in currency units.
    #[schema(value_type = f64)]
    pub amount: Option<serde_json::Value>,
    /// `bkash`, `nagad`, `rocket` or `card`.
    pub payment_method: Option<String>,
    /// A specific bill to pay (optional).
    pub bill_id: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RechargeRequest {
    #[schema(value_type = f64)]
    pub amount: Option<serde_json::Value>,
    pub payment_method: Option<String>,
    /// Months to recharge (1 to 24).
    #[schema(value_type = i64)]
    pub months: Option<serde_json::Value>,
}

fn positive_amount(value: Option<serde_json::Value>) -> Result<Money, ApiError> {
    let value = value.ok_or_else(|| ApiError::bad_request("amount is required"))?;
    let money = Money::from_json(&value).map_err(|e| ApiError::bad_request(e.to_string()))?;
    if money.minor() <= 0 {
        return Err(ApiError::bad_request("amount must be greater than zero"));
    }
    Ok(money)
}

/// The configured gateway's page for this payment.
fn payment_url(state: &AppState, payment_id: &str, amount_minor: i64) -> Option<String> {
    state.billing.payment_url(payment_id, amount_minor)
}

/// The payment method a request names, or a 400 saying which ones there are.
pub fn method(value: Option<String>) -> Result<PaymentMethod, ApiError> {
    let text =
        non_empty(value).ok_or_else(|| ApiError::bad_request("payment_method is required"))?;
    PaymentMethod::parse(&text).map_err(|e| ApiError::bad_request(e.to_string()))
}

/// What a subscriber pays online.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OnlinePurpose {
    /// Their bills: the named one first (checked to be theirs), then oldest first.
    Bill { bill_id: Option<String> },
    /// Months of service (1 to 24); the money pays open bills like any payment.
    Recharge { months: i64 },
}

/// A pending online payment and where the subscriber's browser goes to pay it.
#[derive(Debug, Clone)]
pub struct StartedPayment {
    pub payment: PaymentRow,
    /// The configured gateway's page; `None` when online payments are off.
    pub payment_url: Option<String>,
}

/// Creates a subscriber's pending online payment with its audit entry, in one transaction.
/// The app's API and the portal both start payments here; the portal prices them itself.
pub async fn start_online_payment(
    state: &AppState,
    auth: &CustomerAuth,
    client_ip: &str,
    purpose: &OnlinePurpose,
    amount: Money,
    method: PaymentMethod,
) -> Result<StartedPayment, ApiError> {
    if amount.minor() <= 0 {
        return Err(ApiError::bad_request("amount must be greater than zero"));
    }
    let (new, action, detail) = match purpose {
        OnlinePurpose::Bill { bill_id } => {
            if let Some(bill_id) = bill_id {
                state
                    .store
                    .customer_bill(&auth.customer_id, bill_id)
                    .await
                    .map_err(|e| ApiError::from_store(e, "bill"))?;
            } else {
                own_customer(state, auth).await?;
            }
            (
                NewPayment {
                    bill_id: bill_id.clone(),
                    purpose: "bill".to_owned(),
                    ..NewPayment::default()
                },
                "payment.initiate",
                json!({ "amount_minor": amount.minor(), "payment_method": method.as_str(), "bill_id": bill_id }),
            )
        }
        OnlinePurpose::Recharge { months } => {
            if !(1..=24).contains(months) {
                return Err(ApiError::bad_request(
                    "months must be a whole number from 1 to 24",
                ));
            }
            own_customer(state, auth).await?;
            (
                NewPayment {
                    purpose: "recharge".to_owned(),
                    months: Some(*months),
                    ..NewPayment::default()
                },
                "payment.recharge",
                json!({ "amount_minor": amount.minor(), "payment_method": method.as_str(), "months": months }),
            )
        }
    };
    let payment = state
        .store
        .initiate_payment(
            &NewPayment {
                customer_id: auth.customer_id.clone(),
                amount_minor: amount.minor(),
                payment_method: method.as_str().to_owned(),
                status: "pending".to_owned(),
                ..new
            },
            |payment| {
                Actor::customer(auth, client_ip).entry(action, "payment", Some(&payment.id), detail)
            },
        )
        .await?;
    Ok(StartedPayment {
        payment_url: payment_url(state, &payment.id, payment.amount_minor),
        payment,
    })
}

#[utoipa::path(post, path = "/payments/initiate", tag = "customer", security(("bearer" = [])),
    request_body = InitiatePayment,
    responses(
        (status = 200, description = "Payment created, pending at the gateway", body = Envelope<PaymentInitiated>),
        (status = 400, description = "Bad amount or method", body = ErrorBody),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorBody),
        (status = 404, description = "bill_id is not one of this customer's bills", body = ErrorBody),
    ))]
pub async fn initiate_payment(
    State(state): State<AppState>,
    auth: CustomerAuth,
    ClientIp(client_ip): ClientIp,
    ApiJson(body): ApiJson<InitiatePayment>,
) -> ApiResult<PaymentInitiated> {
    let amount = positive_amount(body.amount)?;
    let method = method(body.payment_method)?;
    let purpose = OnlinePurpose::Bill {
        bill_id: non_empty(body.bill_id),
    };
    let started = start_online_payment(&state, &auth, &client_ip, &purpose, amount, method).await?;
    ok_with(
        PaymentInitiated {
            payment_url: started.payment_url,
            payment_id: started.payment.id,
            amount: Amount(amount),
            status: started.payment.status,
        },
        "Payment initiated",
    )
}

#[utoipa::path(post, path = "/recharge", tag = "customer", security(("bearer" = [])),
    request_body = RechargeRequest,
    responses(
        (status = 200, description = "Recharge created, pending at the gateway", body = Envelope<RechargeInitiated>),
        (status = 400, description = "Bad amount, method or months", body = ErrorBody),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorBody),
    ))]
pub async fn recharge(
    State(state): State<AppState>,
    auth: CustomerAuth,
    ClientIp(client_ip): ClientIp,
    ApiJson(body): ApiJson<RechargeRequest>,
) -> ApiResult<RechargeInitiated> {
    let amount = positive_amount(body.amount)?;
    let method = method(body.payment_method)?;
    let months = match body.months {
        None => 1,
        Some(value) => value.as_i64().unwrap_or(0),
    };
    let purpose = OnlinePurpose::Recharge { months };
    let started = start_online_payment(&state, &auth, &client_ip, &purpose, amount, method).await?;
    ok_with(
        RechargeInitiated {
            payment_url: started.payment_url,
            payment_id: started.payment.id,
            amount: Amount(amount),
            status: started.payment.status,
        },
        "Recharge initiated",
    )
}
