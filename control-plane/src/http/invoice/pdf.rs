//! The invoice as a PDF file (written by `crate::pdf`), with the same content as the HTML page.

use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};

use super::Invoice;
use crate::pdf::PdfDocument;

/// The invoice's PDF document.
pub fn document(invoice: &Invoice) -> PdfDocument {
    let title = format!("Invoice {}", invoice.bill_number);
    let mut doc = PdfDocument::new(title.clone());
    if !invoice.isp_name.is_empty() {
        doc.section(&invoice.isp_name);
    }
    doc.heading(&title);
    doc.field("Customer", &invoice.customer_name);
    doc.field("Customer code", &invoice.customer_code);
    for (label, value) in [("Address", &invoice.address), ("Phone", &invoice.phone)] {
        if !value.is_empty() {
            doc.field(label, value);
        }
    }
    doc.field("Bill date", &invoice.bill_date);
    doc.field("Due date", &invoice.due_date);
    doc.field("Billing month", &invoice.billing_month);
    if !invoice.period.is_empty() {
        doc.field("Service period", &invoice.period);
    }
    doc.field("Status", &invoice.status);
    doc.section("Charges");
    doc.field(&invoice.service, &invoice.amount);
    doc.field("Discount", &format!("-{}", invoice.discount));
    doc.field("Tax", &invoice.tax);
    doc.strong_field("Total", &invoice.total);
    doc.field("Paid", &invoice.paid);
    doc.strong_field("Balance due", &invoice.balance);
    if !invoice.paid_date.is_empty() {
        doc.paragraph(&format!("Paid in full on {}.", invoice.paid_date));
    }
    if !invoice.notes.is_empty() {
        doc.paragraph(&invoice.notes);
    }
    doc
}

/// The response: `application/pdf`, named after the bill, never cached.
pub fn file(invoice: &Invoice) -> Response {
    let bytes = document(invoice).to_bytes();
    let name: String = invoice
        .bill_number
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let disposition = HeaderValue::from_str(&format!("inline; filename=\"invoice-{name}.pdf\""))
        .unwrap_or_else(|_| HeaderValue::from_static("inline"));
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
    headers.insert(CONTENT_DISPOSITION, disposition);
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
