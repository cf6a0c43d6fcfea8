//! `GET /bills/{id}/invoice.html` and `GET /bills/{id}/invoice.pdf`: the subscriber's own bill
//! as an HTML or PDF invoice; another customer's bill is "not found".

use axum::extract::{Path, State};
use axum::response::Response;

use crate::http::invoice::{invoice, invoice_pdf};
use crate::http::principal::CustomerAuth;
use crate::http::response::{ApiError, ErrorBody};
use crate::http::state::AppState;

#[utoipa::path(get, path = "/bills/{id}/invoice.html", tag = "customer", security(("bearer" = [])),
    params(("id" = String, Path, description = "Bill id")),
    responses(
        (status = 200, description = "The bill as a printable invoice", content_type = "text/html", body = String),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorBody),
        (status = 404, description = "No such bill for this customer", body = ErrorBody),
    ))]
pub async fn bill_invoice(
    State(state): State<AppState>,
    auth: CustomerAuth,
    Path(bill_id): Path<String>,
) -> Result<Response, ApiError> {
    let bill = state
        .store
        .customer_bill(&auth.customer_id, &bill_id)
        .await
        .map_err(|e| ApiError::from_store(e, "bill"))?;
    invoice(&state, bill).await
}

#[utoipa::path(get, path = "/bills/{id}/invoice.pdf", tag = "customer", security(("bearer" = [])),
    params(("id" = String, Path, description = "Bill id")),
    responses(
        (status = 200, description = "The bill as a PDF invoice", content_type = "application/pdf", body = Vec<u8>),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorBody),
        (status = 404, description = "No such bill for this customer", body = ErrorBody),
    ))]
pub async fn bill_invoice_pdf(
    State(state): State<AppState>,
    auth: CustomerAuth,
    Path(bill_id): Path<String>,
) -> Result<Response, ApiError> {
    let bill = state
        .store
        .customer_bill(&auth.customer_id, &bill_id)
        .await
        .map_err(|e| ApiError::from_store(e, "bill"))?;
    invoice_pdf(&state, bill).await
}
