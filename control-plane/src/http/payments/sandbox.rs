//! The sandbox gateway's page: `GET /api/v1/payments/sandbox/{id}` shows the payment with
//! Confirm and Cancel buttons; `POST` with `decision=confirm` or `decision=cancel` makes the
//! sandbox send its signed callback, which is verified and applied like any gateway's, and
//! links back to the subscriber portal's page for the payment (`/payments/{id}`).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Html;

use crate::billing::gateway::sandbox::SandboxGateway;
use crate::billing::gateway::{CallbackOutcome, GatewayCallback, PaymentGateway};
use crate::billing::settle::apply_callback;
use crate::domain::Money;
use crate::http::extract::ClientIp;
use crate::http::response::ApiError;
use crate::http::state::AppState;
use crate::store::StoreError;

fn sandbox(state: &AppState) -> Result<&SandboxGateway, ApiError> {
    state
        .billing
        .sandbox()
        .ok_or_else(|| ApiError::not_found("sandbox gateway (it is off)"))
}

fn page_html(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"></head><body>\
         <h1>{title}</h1><p><strong>Sandbox: no real money moves.</strong></p>{body}</body></html>"
    ))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[utoipa::path(get, path = "/sandbox/{id}", tag = "payments",
    params(("id" = String, Path, description = "Payment id")),
    responses(
        (status = 200, description = "The sandbox payment page", content_type = "text/html", body = String),
        (status = 404, description = "Sandbox off, or no such payment", body = crate::http::response::ErrorBody),
    ))]
pub async fn page(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Html<String>, ApiError> {
    sandbox(&state)?;
    let payment = state
        .store
        .payment(&id)
        .await
        .map_err(|e| ApiError::from_store(e, "payment"))?;
    let what = match payment.purpose.as_str() {
        "recharge" => format!("Recharge of {} month(s)", payment.months.unwrap_or(1)),
        _ => "Bill payment".to_owned(),
    };
    let action = format!("/api/v1/payments/sandbox/{}", escape(&payment.id));
    let buttons = if payment.status == "pending" {
        format!(
            "<form method=\"post\" action=\"{action}\"><input type=\"hidden\" name=\"decision\" \
             value=\"confirm\"><button type=\"submit\">Confirm payment</button></form>\
             <form method=\"post\" action=\"{action}\"><input type=\"hidden\" name=\"decision\" \
             value=\"cancel\"><button type=\"submit\">Cancel</button></form>"
        )
    } else {
        format!("<p>This payment is {}.</p>", escape(&payment.status))
    };
    Ok(page_html(
        "Pay with the sandbox",
        &format!(
            "<p>{what}: <strong>{}</strong> by {}</p>{buttons}",
            Money::from_minor(payment.amount_minor),
            escape(&payment.payment_method)
        ),
    ))
}

#[utoipa::path(post, path = "/sandbox/{id}", tag = "payments",
    params(("id" = String, Path, description = "Payment id")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded",
        description = "decision=confirm or decision=cancel"),
    responses(
        (status = 200, description = "The outcome page", content_type = "text/html", body = String),
        (status = 400, description = "decision is not confirm or cancel", body = crate::http::response::ErrorBody),
        (status = 404, description = "Sandbox off, or no such payment", body = crate::http::response::ErrorBody),
        (status = 409, description = "The payment already ended otherwise", body = crate::http::response::ErrorBody),
    ))]
pub async fn decide(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ClientIp(client_ip): ClientIp,
    body: Bytes,
) -> Result<Html<String>, ApiError> {
    let gateway = sandbox(&state)?;
    let outcome = match body.as_ref() {
        b"decision=confirm" => CallbackOutcome::Completed,
        b"decision=cancel" => CallbackOutcome::Cancelled,
        _ => return Err(ApiError::bad_request("decision must be confirm or cancel")),
    };
    let payment = match state.store.payment(&id).await {
        Ok(payment) => payment,
        Err(StoreError::NotFound) => return Err(ApiError::not_found("payment")),
        Err(err) => return Err(err.into()),
    };
    // The sandbox's side: it charged the payment's amount and signs its report.
    let callback = GatewayCallback {
        payment_id: payment.id,
        outcome,
        amount_minor: payment.amount_minor,
        transaction_id: SandboxGateway::transaction_id(),
    };
    let signature = gateway.sign(&callback);
    let result = apply_callback(
        &state,
        gateway as &dyn PaymentGateway,
        &callback,
        &signature,
        &client_ip,
    )
    .await?;
    // A real gateway sends the browser back to the merchant; the sandbox links to the
    // portal's page for this payment (which shows it only to its own subscriber).
    Ok(page_html(
        "Sandbox payment",
        &format!(
            "<p>The payment is {}.</p><p><a href=\"/payments/{}\" id=\"return\">Return to your \
             account</a></p>",
            escape(&result.payment.status),
            escape(&result.payment.id)
        ),
    ))
}
