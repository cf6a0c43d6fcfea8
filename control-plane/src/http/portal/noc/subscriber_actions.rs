//! Staff writes on one subscriber, posted from `GET /noc/subscribers/{id}` with the page's
//! token: `POST /noc/subscribers/{id}/speed` queues a change of speed through the staff API's
//! command handler (then the command's page shows whether the BRAS took a CoA or needed a
//! disconnect), and `POST /noc/subscribers/{id}/payment` records a cash or bank payment
//! through the staff API's payment handler. The handlers check the role and audit.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::Form;
use serde::Deserialize;

use super::{Chrome, StaffSession, PORTAL};
use crate::domain::Money;
use crate::http::admin::commands::{create, StaffCommandBody};
use crate::http::admin::payments::{record, PaymentRecorded, RecordPaymentBody};
use crate::http::extract::{non_empty, ApiJson, ClientIp};
use crate::http::portal::page::{html, redirect, PortalError, PortalResult};
use crate::http::state::AppState;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SpeedForm {
    csrf: Option<String>,
    download_mbps: Option<String>,
    upload_mbps: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PaymentForm {
    csrf: Option<String>,
    amount: Option<String>,
    payment_method: Option<String>,
    reference: Option<String>,
    notes: Option<String>,
}

/// A rate typed into the form: empty is none; anything else must be a number.
fn mbps(field: &str, text: Option<String>) -> Result<Option<f64>, PortalError> {
    match non_empty(text) {
        None => Ok(None),
        Some(text) => text.parse::<f64>().map(Some).map_err(|_| {
            PORTAL.bad_request(format!(
                "{field} must be a number of megabits per second, e.g. 50 or 12.5"
            ))
        }),
    }
}

#[utoipa::path(post, path = "/noc/subscribers/{id}/speed", tag = "portal",
    params(("id" = String, Path, description = "Customer id")),
    responses(
        (status = 303, description = "Queued; to the command's page"),
        (status = 400, description = "A rate that is not a number, or only one of the two", content_type = "text/html"),
        (status = 403, description = "The role may not act on devices, or the form's token is wrong", content_type = "text/html"),
    ))]
pub async fn speed(
    State(state): State<AppState>,
    session: StaffSession,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    form: Result<Form<SpeedForm>, FormRejection>,
) -> PortalResult {
    let form = form.ok().map(|Form(f)| f);
    session.check_csrf(&state, form.as_ref().and_then(|f| f.csrf.as_deref()))?;
    let form = form.ok_or_else(|| PORTAL.bad_request("the form was not sent as a form"))?;
    let command = create(
        State(state),
        session.auth,
        ClientIp(ip),
        Path(id),
        ApiJson(StaffCommandBody {
            kind: Some("change_speed".to_owned()),
            download_mbps: mbps("the download rate", form.download_mbps)?,
            upload_mbps: mbps("the upload rate", form.upload_mbps)?,
        }),
    )
    .await
    .map_err(|e| PORTAL.error(e))?
    .0
    .data;
    Ok(redirect(&format!("/noc/commands/{}", command.id)))
}

#[derive(Template)]
#[template(path = "noc/payment_recorded.html")]
struct PaymentRecordedPage {
    chrome: Chrome,
    customer_id: String,
    payment: PaymentRecorded,
}

#[utoipa::path(post, path = "/noc/subscribers/{id}/payment", tag = "portal",
    params(("id" = String, Path, description = "Customer id")),
    responses(
        (status = 200, description = "Payment recorded; what it paid and what is still due", content_type = "text/html"),
        (status = 400, description = "A bad amount or method", content_type = "text/html"),
        (status = 403, description = "The role may not record payments, or the form's token is wrong", content_type = "text/html"),
    ))]
pub async fn payment(
    State(state): State<AppState>,
    session: StaffSession,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    form: Result<Form<PaymentForm>, FormRejection>,
) -> PortalResult {
    let form = form.ok().map(|Form(f)| f);
    session.check_csrf(&state, form.as_ref().and_then(|f| f.csrf.as_deref()))?;
    let form = form.ok_or_else(|| PORTAL.bad_request("the form was not sent as a form"))?;
    // The amount typed is parsed as decimal text into minor units, never through a float.
    let amount = non_empty(form.amount)
        .map(|text| {
            Money::parse_decimal(&text)
                .map(|money| money.to_json())
                .map_err(|e| PORTAL.bad_request(format!("the amount {text:?}: {e}")))
        })
        .transpose()?;
    let payment = record(
        State(state),
        session.auth.clone(),
        ClientIp(ip),
        Path(id.clone()),
        ApiJson(RecordPaymentBody {
            amount,
            payment_method: form.payment_method,
            reference: form.reference,
            bill_id: None,
            notes: form.notes,
        }),
    )
    .await
    .map_err(|e| PORTAL.error(e))?
    .0
    .data;
    Ok(html(&PaymentRecordedPage {
        chrome: Chrome::new("Payment recorded", "/noc/subscribers", &session),
        customer_id: id,
        payment,
    }))
}
