//! `GET /noc/subscribers/{id}`: one subscriber for staff: who and where, the rate now (which
//! refreshes itself from `GET /noc/subscribers/{id}/rate`), and the actions the role may take —
//! NOC: change of speed, ONU reboot, disconnect; billing: record a cash or bank payment. The
//! writes are in `subscriber_actions.rs`.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;

use super::live_rate::{live_rate, LiveRate};
use super::{or_dash, Chrome, FragmentSession, StaffSession, ACTION_ROLES, PAYMENT_ROLES, PORTAL};
use crate::http::admin::customers::get;
use crate::http::portal::page::{html, PortalResult};
use crate::http::response::ApiError;
use crate::http::state::AppState;

pub struct SubscriberFacts {
    pub id: String,
    pub code: String,
    pub name: String,
    pub phone: String,
    pub pppoe: String,
    pub status: String,
    pub expiry: String,
    pub monthly_bill: String,
    pub due_amount: String,
}

#[derive(Template)]
#[template(path = "noc/subscriber.html")]
struct SubscriberPage {
    chrome: Chrome,
    subscriber: SubscriberFacts,
    rate: LiveRate,
    may_act: bool,
    may_take_payments: bool,
}

#[utoipa::path(get, path = "/noc/subscribers/{id}", tag = "portal",
    params(("id" = String, Path, description = "Customer id")),
    responses(
        (status = 200, description = "One subscriber and the role's actions", content_type = "text/html"),
        (status = 404, description = "No such customer", content_type = "text/html"),
    ))]
pub async fn subscriber(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
) -> PortalResult {
    let c = get(State(state.clone()), session.auth.clone(), Path(id))
        .await
        .map_err(|e| PORTAL.error(e))?
        .0
        .data;
    let rate = live_rate(&state, &c.id);
    Ok(html(&SubscriberPage {
        chrome: Chrome::new(
            format!("{} {}", c.customer_code, c.name),
            "/noc/subscribers",
            &session,
        ),
        subscriber: SubscriberFacts {
            monthly_bill: c.monthly_bill.0.to_string(),
            due_amount: c.due_amount.0.to_string(),
            id: c.id,
            code: c.customer_code,
            name: c.name,
            phone: or_dash(c.phone),
            pppoe: or_dash(c.pppoe_username),
            status: c.status,
            expiry: or_dash(c.expiry_date),
        },
        rate,
        may_act: session.may(ACTION_ROLES),
        may_take_payments: session.may(PAYMENT_ROLES),
    }))
}

#[derive(Template)]
#[template(path = "noc/subscriber_rate.html")]
struct RateNow {
    rate: LiveRate,
}

#[utoipa::path(get, path = "/noc/subscribers/{id}/rate", tag = "portal",
    params(("id" = String, Path, description = "Customer id")),
    responses(
        (status = 200, description = "The subscriber's rate now, for the page's refresh", content_type = "text/html"),
        (status = 401, description = "No console session", body = crate::http::response::ErrorBody),
        (status = 404, description = "No such customer", body = crate::http::response::ErrorBody),
    ))]
pub async fn rate(
    State(state): State<AppState>,
    FragmentSession(session): FragmentSession,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let customer = get(State(state.clone()), session.auth, Path(id)).await?;
    Ok(html(&RateNow {
        rate: live_rate(&state, &customer.0.data.id),
    }))
}
