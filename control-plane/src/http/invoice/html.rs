//! The invoice as a printable HTML page; every value is escaped by the template.

use askama::Template;
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY};
use axum::http::HeaderValue;
use axum::response::Response;

use super::Invoice;
use crate::http::portal::page::{html, CONTENT_SECURITY_POLICY as POLICY};

#[derive(Template)]
#[template(path = "invoice.html")]
struct InvoicePage {
    css: &'static str,
    invoice: Invoice,
}

pub fn page(invoice: Invoice) -> Response {
    let page = InvoicePage {
        css: crate::http::portal::assets::STYLESHEET,
        invoice,
    };
    let mut response = html(&page);
    let headers = response.headers_mut();
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(POLICY));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
