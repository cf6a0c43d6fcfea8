//! A bill as a printable HTML invoice, for staff (`/api/v1/admin/bills/{id}/invoice.html`) and
//! for the subscriber whose bill it is (`/api/v1/customer/bills/{id}/invoice.html`). Every
//! value is escaped by the template.

use askama::Template;
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY};
use axum::http::HeaderValue;
use axum::response::Response;

use super::csv::money_text;
use super::portal::page::{html, CONTENT_SECURITY_POLICY as POLICY};
use super::response::ApiError;
use super::state::AppState;
use crate::store::bills::BillRow;
use crate::store::StoreError;

#[derive(Template)]
#[template(path = "invoice.html")]
struct InvoicePage {
    css: &'static str,
    bill_number: String,
    customer_name: String,
    customer_code: String,
    address: String,
    phone: String,
    bill_date: String,
    due_date: String,
    billing_month: String,
    period: String,
    status: String,
    service: String,
    amount: String,
    discount: String,
    tax: String,
    total: String,
    paid: String,
    balance: String,
    paid_date: String,
    notes: String,
}

/// The invoice of `bill`, with its customer's name and address and the package's name.
pub async fn invoice(state: &AppState, bill: BillRow) -> Result<Response, ApiError> {
    let customer = state
        .store
        .customer(&bill.customer_id)
        .await
        .map_err(|e| ApiError::from_store(e, "customer"))?;
    let package = match &customer.package_id {
        None => None,
        Some(id) => match state.store.package(id).await {
            Ok(package) => Some(package.name),
            Err(StoreError::NotFound) => None,
            Err(err) => return Err(err.into()),
        },
    };
    let period = match (&bill.period_start, &bill.period_end) {
        (Some(start), Some(end)) => format!("{start} to {end}"),
        _ => String::new(),
    };
    let service = match package {
        Some(name) => format!("Internet service: {name}"),
        None => "Internet service".to_owned(),
    };
    let page = InvoicePage {
        css: super::portal::assets::STYLESHEET,
        bill_number: bill.bill_number,
        customer_name: customer.name,
        customer_code: customer.customer_code,
        address: customer.address.unwrap_or_default(),
        phone: customer.phone.unwrap_or_default(),
        bill_date: bill.bill_date,
        due_date: bill.due_date,
        billing_month: bill.billing_month,
        period,
        status: bill.status,
        service,
        amount: money_text(bill.amount_minor),
        discount: money_text(bill.discount_minor),
        tax: money_text(bill.tax_minor),
        total: money_text(bill.total_minor),
        paid: money_text(bill.paid_minor),
        balance: money_text((bill.total_minor - bill.paid_minor).max(0)),
        paid_date: bill.paid_date.unwrap_or_default(),
        notes: bill.notes.unwrap_or_default(),
    };
    let mut response = html(&page);
    let headers = response.headers_mut();
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(POLICY));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
