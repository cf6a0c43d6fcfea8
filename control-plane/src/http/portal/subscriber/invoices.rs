//! `GET /bills/{id}/invoice.html` and `GET /bills/{id}/invoice.pdf` in the portal: the logged-in
//! subscriber's own bill as an invoice, exactly as the subscriber API gives it.

use axum::extract::{Path, State};
use axum::response::Response;

use super::{SubscriberSession, PORTAL};
use crate::http::customer::invoice::{bill_invoice, bill_invoice_pdf};
use crate::http::portal::page::PortalError;
use crate::http::state::AppState;

#[utoipa::path(get, path = "/bills/{id}/invoice.html", tag = "portal",
    params(("id" = String, Path, description = "Bill id")),
    responses((status = 200, description = "The subscriber's bill as a printable invoice", content_type = "text/html")))]
pub async fn invoice_html(
    State(state): State<AppState>,
    session: SubscriberSession,
    Path(bill_id): Path<String>,
) -> Result<Response, PortalError> {
    bill_invoice(State(state), session.auth, Path(bill_id))
        .await
        .map_err(|e| PORTAL.error(e))
}

#[utoipa::path(get, path = "/bills/{id}/invoice.pdf", tag = "portal",
    params(("id" = String, Path, description = "Bill id")),
    responses((status = 200, description = "The subscriber's bill as a PDF invoice", content_type = "application/pdf")))]
pub async fn invoice_pdf(
    State(state): State<AppState>,
    session: SubscriberSession,
    Path(bill_id): Path<String>,
) -> Result<Response, PortalError> {
    bill_invoice_pdf(State(state), session.auth, Path(bill_id))
        .await
        .map_err(|e| PORTAL.error(e))
}
