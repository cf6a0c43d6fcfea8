//! Seed 002's business-portal lists: `/invoices` (the customer's bills with links to each
//! invoice document) and `/support-tickets` (the customer's tickets, paginated).

use axum::extract::State;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use super::billing::{list_bills, BillsQuery};
use super::views::{ticket_summary, BillSummary, TicketSummary};
use crate::http::extract::{ApiQuery, PageQuery};
use crate::http::principal::CustomerAuth;
use crate::http::response::{ok, ApiResult, Envelope, ErrorBody, Pagination};
use crate::http::state::AppState;
use crate::http::CUSTOMER_API_BASES;

/// A bill with where to fetch its invoice.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceView {
    #[serde(flatten)]
    pub bill: BillSummary,
    /// The printable HTML invoice (the same token or API key opens it).
    pub invoice_html_url: String,
    /// The PDF invoice.
    pub invoice_pdf_url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvoicesPage {
    pub invoices: Vec<InvoiceView>,
    pub pagination: Pagination,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SupportTicketsPage {
    pub tickets: Vec<TicketSummary>,
    pub pagination: Pagination,
}

#[utoipa::path(get, path = "/invoices", tag = "customer", security(("bearer" = [])),
    params(BillsQuery),
    responses(
        (status = 200, description = "The customer's bills as invoices, newest first", body = Envelope<InvoicesPage>),
        (status = 400, description = "Bad limit, offset or status", body = ErrorBody),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorBody),
    ))]
pub async fn invoices(
    state: State<AppState>,
    auth: CustomerAuth,
    query: ApiQuery<BillsQuery>,
) -> ApiResult<InvoicesPage> {
    let Json(page) = list_bills(state, auth, query).await?;
    let base = CUSTOMER_API_BASES[0];
    ok(InvoicesPage {
        invoices: page
            .data
            .bills
            .into_iter()
            .map(|bill| InvoiceView {
                invoice_html_url: format!("{base}/bills/{}/invoice.html", bill.id),
                invoice_pdf_url: format!("{base}/bills/{}/invoice.pdf", bill.id),
                bill,
            })
            .collect(),
        pagination: page.data.pagination,
    })
}

#[utoipa::path(get, path = "/support-tickets", tag = "customer", security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, description = "The customer's tickets, newest first", body = Envelope<SupportTicketsPage>),
        (status = 400, description = "Bad limit or offset", body = ErrorBody),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorBody),
    ))]
pub async fn support_tickets(
    State(state): State<AppState>,
    auth: CustomerAuth,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<SupportTicketsPage> {
    let page = query.page()?;
    let tickets = state
        .store
        .customer_tickets_page(&auth.customer_id, page)
        .await?;
    ok(SupportTicketsPage {
        tickets: tickets.rows.iter().map(ticket_summary).collect(),
        pagination: Pagination {
            total: tickets.total,
            limit: page.limit,
            offset: page.offset,
        },
    })
}
