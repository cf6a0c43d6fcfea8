//! A bill as an invoice, for staff (`/api/v1/admin/bills/{id}/invoice.{html,pdf}`), for the
//! subscriber whose bill it is (`/api/v1/customer/bills/{id}/invoice.{html,pdf}`) and in the
//! subscriber portal (`/bills/{id}/invoice.{html,pdf}`). Both forms show the same `Invoice`.

mod html;
mod pdf;

use axum::response::Response;

use super::csv::money_text;
use super::response::ApiError;
use super::state::AppState;
use crate::store::bills::BillRow;
use crate::store::StoreError;

/// What an invoice shows, every amount already as text.
pub struct Invoice {
    pub isp_name: String,
    pub bill_number: String,
    pub customer_name: String,
    pub customer_code: String,
    pub address: String,
    pub phone: String,
    pub bill_date: String,
    pub due_date: String,
    pub billing_month: String,
    pub period: String,
    pub status: String,
    pub service: String,
    pub amount: String,
    pub discount: String,
    pub tax: String,
    pub total: String,
    pub paid: String,
    pub balance: String,
    pub paid_date: String,
    pub notes: String,
}

/// The invoice of `bill`, with its customer's name and address and the package's name.
async fn load(state: &AppState, bill: BillRow) -> Result<Invoice, ApiError> {
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
    Ok(Invoice {
        isp_name: state.billing.settings.isp_name.clone(),
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
    })
}

/// The invoice of `bill` as a printable HTML page.
pub async fn invoice(state: &AppState, bill: BillRow) -> Result<Response, ApiError> {
    Ok(html::page(load(state, bill).await?))
}

/// The invoice of `bill` as a PDF file.
pub async fn invoice_pdf(state: &AppState, bill: BillRow) -> Result<Response, ApiError> {
    Ok(pdf::file(&load(state, bill).await?))
}
