//! Paying online from the portal: `POST /bills/{id}/pay` (the rest of one bill) and
//! `POST /recharge` (months of service) create the payment as the subscriber API does and
//! send the browser to the configured gateway's page; the gateway's page links back to
//! `GET /payments/{id}`, which shows the outcome. Amounts are priced here from the stored bill
//! or the subscriber's monthly charge (`billing::online_price`), never read from the form.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Form;
use serde::Deserialize;

use super::{checked_form, Chrome, HasToken, SubscriberSession, PORTAL};
use crate::billing::online_price::{bill_rest_minor, recharge_price_minor, MAX_RECHARGE_MONTHS};
use crate::domain::{Money, PaymentMethod};
use crate::http::customer::billing::{start_online_payment, OnlinePurpose};
use crate::http::customer::profile::own_customer;
use crate::http::extract::ClientIp;
use crate::http::portal::page::{html, redirect, PortalError, PortalResult};
use crate::http::response::ApiError;
use crate::http::state::AppState;
use crate::store::StoreError;

/// The payment methods a form offers, as (value, label).
pub fn method_choices() -> Vec<(&'static str, &'static str)> {
    PaymentMethod::ALL
        .iter()
        .map(|m| {
            let label = match m {
                PaymentMethod::Bkash => "bKash",
                PaymentMethod::Nagad => "Nagad",
                PaymentMethod::Rocket => "Rocket",
                PaymentMethod::Card => "Card",
            };
            (m.as_str(), label)
        })
        .collect()
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PayForm {
    csrf: Option<String>,
    /// `bkash`, `nagad`, `rocket` or `card`.
    payment_method: Option<String>,
}

impl HasToken for PayForm {
    fn token(&self) -> Option<&str> {
        self.csrf.as_deref()
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RechargeForm {
    csrf: Option<String>,
    /// `bkash`, `nagad`, `rocket` or `card`.
    payment_method: Option<String>,
    /// Months of service, 1 to 24.
    months: Option<String>,
}

impl HasToken for RechargeForm {
    fn token(&self) -> Option<&str> {
        self.csrf.as_deref()
    }
}

fn chosen_method(text: Option<String>) -> Result<PaymentMethod, PortalError> {
    crate::http::customer::billing::method(text).map_err(|e| PORTAL.error(e))
}

/// Refuses before anything is stored when no gateway takes online payments.
fn require_gateway(state: &AppState) -> Result<(), PortalError> {
    match state.billing.gateway() {
        Some(_) => Ok(()),
        None => Err(PORTAL.error(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "online payment is not available; pay with your mobile wallet using the bill number \
             as reference, or at our office",
        ))),
    }
}

/// To the gateway's page for the new payment (or its outcome page when there is none).
fn to_gateway(payment_id: &str, payment_url: Option<String>) -> PortalResult {
    Ok(redirect(
        &payment_url.unwrap_or_else(|| format!("/payments/{payment_id}")),
    ))
}

#[utoipa::path(post, path = "/bills/{id}/pay", tag = "portal",
    params(("id" = String, Path, description = "Bill id")),
    request_body(content = PayForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "Payment of what the bill still owes created; to the gateway's page"),
        (status = 400, description = "Bill already paid, or unknown payment method", content_type = "text/html"),
        (status = 403, description = "Missing or wrong anti-forgery token", content_type = "text/html"),
        (status = 404, description = "No such bill for this subscriber", content_type = "text/html"),
        (status = 503, description = "No payment gateway is configured", content_type = "text/html"),
    ))]
pub async fn pay_bill(
    State(state): State<AppState>,
    session: SubscriberSession,
    ClientIp(client_ip): ClientIp,
    Path(id): Path<String>,
    form: Result<Form<PayForm>, FormRejection>,
) -> PortalResult {
    let form = checked_form(&state, &session, form)?;
    let method = chosen_method(form.payment_method)?;
    let bill = state
        .store
        .customer_bill(&session.auth.customer_id, &id)
        .await
        .map_err(|e| PORTAL.error(ApiError::from_store(e, "bill")))?;
    let rest_minor = bill_rest_minor(bill.total_minor, bill.paid_minor);
    if rest_minor == 0 {
        return Err(
            PORTAL.bad_request(format!("bill {} is already paid in full", bill.bill_number))
        );
    }
    require_gateway(&state)?;
    let purpose = OnlinePurpose::Bill {
        bill_id: Some(bill.id),
    };
    let started = start_online_payment(
        &state,
        &session.auth,
        &client_ip,
        &purpose,
        Money::from_minor(rest_minor),
        method,
    )
    .await
    .map_err(|e| PORTAL.error(e))?;
    to_gateway(&started.payment.id, started.payment_url)
}

#[utoipa::path(post, path = "/recharge", tag = "portal",
    request_body(content = RechargeForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "Recharge priced at the monthly charge created; to the gateway's page"),
        (status = 400, description = "Months not 1 to 24, unknown payment method, or no monthly charge", content_type = "text/html"),
        (status = 403, description = "Missing or wrong anti-forgery token", content_type = "text/html"),
        (status = 503, description = "No payment gateway is configured", content_type = "text/html"),
    ))]
pub async fn recharge(
    State(state): State<AppState>,
    session: SubscriberSession,
    ClientIp(client_ip): ClientIp,
    form: Result<Form<RechargeForm>, FormRejection>,
) -> PortalResult {
    let form = checked_form(&state, &session, form)?;
    let method = chosen_method(form.payment_method)?;
    let months = form
        .months
        .as_deref()
        .map(str::trim)
        .and_then(|m| m.parse::<i64>().ok())
        .filter(|m| (1..=MAX_RECHARGE_MONTHS).contains(m))
        .ok_or_else(|| {
            PORTAL.bad_request(format!(
                "choose how many months to recharge, from 1 to {MAX_RECHARGE_MONTHS}"
            ))
        })?;
    let customer = own_customer(&state, &session.auth)
        .await
        .map_err(|e| PORTAL.error(e))?;
    let price_minor = recharge_price_minor(
        customer.monthly_bill_minor,
        months,
        state.billing.settings.tax_basis_points,
    )
    .ok_or_else(|| {
        PORTAL.bad_request(
            "your account has no monthly charge to recharge; open a ticket and we will set it up",
        )
    })?;
    require_gateway(&state)?;
    let started = start_online_payment(
        &state,
        &session.auth,
        &client_ip,
        &OnlinePurpose::Recharge { months },
        Money::from_minor(price_minor),
        method,
    )
    .await
    .map_err(|e| PORTAL.error(e))?;
    to_gateway(&started.payment.id, started.payment_url)
}

#[derive(Template)]
#[template(path = "payment.html")]
struct PaymentPage {
    chrome: Chrome,
    id: String,
    what: String,
    amount: String,
    method: String,
    status: String,
    status_words: &'static str,
    /// The paid bill's number and status now, for a bill payment.
    bill: Option<(String, String)>,
    expiry_date: String,
    due_amount: String,
    pay_again_url: Option<String>,
}

fn status_words(status: &str) -> &'static str {
    match status {
        "completed" => "Paid. Thank you!",
        "cancelled" => "Cancelled: nothing was charged.",
        "pending" => "Waiting for the payment to be confirmed.",
        _ => "Unknown",
    }
}

#[utoipa::path(get, path = "/payments/{id}", tag = "portal",
    params(("id" = String, Path, description = "Payment id")),
    responses(
        (status = 200, description = "The payment's outcome, the bill it paid and the paid-until date", content_type = "text/html"),
        (status = 404, description = "No such payment for this subscriber", content_type = "text/html"),
    ))]
pub async fn payment(
    State(state): State<AppState>,
    session: SubscriberSession,
    Path(id): Path<String>,
) -> PortalResult {
    let not_found = || PORTAL.error(ApiError::not_found("payment"));
    let payment = match state.store.payment(&id).await {
        Ok(p) if p.customer_id == session.auth.customer_id => p,
        Ok(_) | Err(StoreError::NotFound) => return Err(not_found()),
        Err(err) => return Err(PORTAL.error(err.into())),
    };
    let bill = match &payment.bill_id {
        Some(bill_id) => {
            let bill = state
                .store
                .customer_bill(&session.auth.customer_id, bill_id)
                .await
                .map_err(|e| PORTAL.error(ApiError::from_store(e, "bill")))?;
            Some((bill.bill_number, bill.status))
        }
        None => None,
    };
    let customer = own_customer(&state, &session.auth)
        .await
        .map_err(|e| PORTAL.error(e))?;
    let what = match (payment.purpose.as_str(), &bill) {
        ("recharge", _) => format!("Recharge of {} month(s)", payment.months.unwrap_or(1)),
        (_, Some((number, _))) => format!("Bill {number}"),
        _ => "Payment of your bills".to_owned(),
    };
    let pay_again_url = (payment.status == "pending")
        .then(|| state.billing.payment_url(&payment.id, payment.amount_minor))
        .flatten();
    let method = method_choices()
        .into_iter()
        .find(|(value, _)| *value == payment.payment_method)
        .map_or_else(|| payment.payment_method.clone(), |(_, l)| l.to_owned());
    let page = PaymentPage {
        chrome: Chrome::load(&state, "Payment", "bills", &session).await?,
        what,
        amount: Money::from_minor(payment.amount_minor).to_string(),
        method,
        status_words: status_words(&payment.status),
        status: payment.status,
        bill,
        expiry_date: customer.expiry_date.unwrap_or_else(|| "not set".into()),
        due_amount: Money::from_minor(customer.due_amount_minor).to_string(),
        pay_again_url,
        id: payment.id,
    };
    Ok(html(&page))
}
