//! `GET /bills`: the subscriber's bills, newest first.

use askama::Template;
use axum::extract::State;

use super::{Chrome, SubscriberSession, PORTAL};
use crate::http::customer::billing::{list_bills, BillsQuery};
use crate::http::extract::ApiQuery;
use crate::http::portal::page::{html, PortalResult};
use crate::http::state::AppState;

pub struct BillLine {
    pub id: String,
    pub bill_number: String,
    pub billing_month: String,
    pub total: String,
    pub paid: String,
    pub status: String,
    pub due_date: String,
}

#[derive(Template)]
#[template(path = "bills.html")]
struct BillsPage {
    chrome: Chrome,
    bills: Vec<BillLine>,
}

#[utoipa::path(get, path = "/bills", tag = "portal",
    responses((status = 200, description = "The subscriber's bills", content_type = "text/html")))]
pub async fn bills(State(state): State<AppState>, session: SubscriberSession) -> PortalResult {
    let page = list_bills(
        State(state),
        session.auth.clone(),
        ApiQuery(BillsQuery {
            limit: Some("100".into()),
            offset: None,
            status: None,
        }),
    )
    .await
    .map_err(|e| PORTAL.error(e))?
    .0
    .data;
    let bills = page
        .bills
        .into_iter()
        .map(|b| BillLine {
            id: b.id,
            bill_number: b.bill_number,
            billing_month: b.billing_month,
            total: b.total_amount.0.to_string(),
            paid: b.paid_amount.0.to_string(),
            status: b.status,
            due_date: b.due_date,
        })
        .collect();
    Ok(html(&BillsPage {
        chrome: Chrome::new("Bills", "bills", &session),
        bills,
    }))
}
