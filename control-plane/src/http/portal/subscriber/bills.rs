//! `GET /bills`: the subscriber's bills, newest first, each unpaid one with its Pay control
//! (`POST /bills/{id}/pay`, in `pay.rs`).

use askama::Template;
use axum::extract::State;

use super::pay::method_choices;
use super::{Chrome, SubscriberSession, PORTAL};
use crate::billing::online_price::bill_rest_minor;
use crate::domain::Money;
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
    /// What the bill still owes, when it owes anything.
    pub rest: Option<String>,
}

#[derive(Template)]
#[template(path = "bills.html")]
struct BillsPage {
    chrome: Chrome,
    bills: Vec<BillLine>,
    /// Whether a gateway takes online payments.
    online: bool,
    methods: Vec<(&'static str, &'static str)>,
}

#[utoipa::path(get, path = "/bills", tag = "portal",
    responses((status = 200, description = "The subscriber's bills", content_type = "text/html")))]
pub async fn bills(State(state): State<AppState>, session: SubscriberSession) -> PortalResult {
    let page = list_bills(
        State(state.clone()),
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
            rest: Some(bill_rest_minor(
                b.total_amount.0.minor(),
                b.paid_amount.0.minor(),
            ))
            .filter(|&rest| rest > 0)
            .map(|rest| Money::from_minor(rest).to_string()),
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
        chrome: Chrome::load(&state, "Bills", "bills", &session).await?,
        bills,
        online: state.billing.gateway().is_some(),
        methods: method_choices(),
    }))
}
