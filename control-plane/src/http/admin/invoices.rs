//! `GET /api/v1/admin/bills/{id}/invoice.html` and `…/invoice.pdf`: any customer's bill as an
//! HTML or PDF invoice.

use axum::extract::{Path, State};
use axum::response::Response;

use crate::domain::StaffRole;
use crate::http::invoice::{invoice, invoice_pdf};
use crate::http::principal::StaffAuth;
use crate::http::response::{ApiError, ErrorBody};
use crate::http::state::AppState;
use crate::store::bills::BillRow;

const READERS: &[StaffRole] = &[StaffRole::Admin, StaffRole::Billing, StaffRole::Support];

/// The bill, when the staff member's role may read invoices.
async fn readable_bill(
    state: &AppState,
    auth: &StaffAuth,
    bill_id: &str,
) -> Result<BillRow, ApiError> {
    auth.require(READERS)?;
    state
        .store
        .bill(bill_id)
        .await
        .map_err(|e| ApiError::from_store(e, "bill"))
}

#[utoipa::path(get, path = "/bills/{id}/invoice.html", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "Bill id")),
    responses(
        (status = 200, description = "The bill as a printable invoice", content_type = "text/html", body = String),
        (status = 403, description = "Role may not do this", body = ErrorBody),
        (status = 404, description = "No such bill", body = ErrorBody),
    ))]
pub async fn bill_invoice(
    State(state): State<AppState>,
    auth: StaffAuth,
    Path(bill_id): Path<String>,
) -> Result<Response, ApiError> {
    let bill = readable_bill(&state, &auth, &bill_id).await?;
    invoice(&state, bill).await
}

#[utoipa::path(get, path = "/bills/{id}/invoice.pdf", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "Bill id")),
    responses(
        (status = 200, description = "The bill as a PDF invoice", content_type = "application/pdf", body = Vec<u8>),
        (status = 403, description = "Role may not do this", body = ErrorBody),
        (status = 404, description = "No such bill", body = ErrorBody),
    ))]
pub async fn bill_invoice_pdf(
    State(state): State<AppState>,
    auth: StaffAuth,
    Path(bill_id): Path<String>,
) -> Result<Response, ApiError> {
    let bill = readable_bill(&state, &auth, &bill_id).await?;
    invoice_pdf(&state, bill).await
}
