//! `POST /api/v1/payments/callback/{gateway}`: a gateway reports a payment's outcome, signed.
//! The sandbox signs fixed fields (`CallbackBody`); a provider's redirect gateway signs its raw
//! body, checked before anything in it is read (`billing/gateway/redirect.rs`).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::billing::gateway::redirect::RedirectCallbackError;
use crate::billing::gateway::{CallbackOutcome, GatewayCallback};
use crate::billing::settle::{apply_callback, apply_verified, CallbackResult};
use crate::http::extract::ClientIp;
use crate::http::response::{ok_with, ApiError, ApiResult, Envelope, ErrorBody};
use crate::http::state::AppState;

/// A gateway's report. `signature` is the hex HMAC-SHA256, under the configured callback key,
/// of `payment_id|status|amount_minor|transaction_id`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CallbackBody {
    pub payment_id: Option<String>,
    /// `completed` or `cancelled`.
    pub status: Option<String>,
    /// What the gateway charged, in minor units; must be the payment's amount.
    pub amount_minor: Option<i64>,
    pub transaction_id: Option<String>,
    pub signature: Option<String>,
}

/// The payment after the callback.
#[derive(Debug, Serialize, ToSchema)]
pub struct CallbackAnswer {
    pub payment_id: String,
    /// `pending`, `completed` or `cancelled`.
    pub status: String,
    /// `false` when the callback repeated one already applied and changed nothing.
    pub applied: bool,
}

impl From<CallbackResult> for CallbackAnswer {
    fn from(r: CallbackResult) -> Self {
        Self {
            payment_id: r.payment.id,
            status: r.payment.status,
            applied: r.applied,
        }
    }
}

fn required<T>(value: Option<T>, name: &str) -> Result<T, ApiError> {
    value.ok_or_else(|| ApiError::bad_request(format!("{name} is required")))
}

impl CallbackBody {
    /// The signed fields and the signature, or a 400 naming what is missing.
    pub fn parse(self) -> Result<(GatewayCallback, String), ApiError> {
        let callback = GatewayCallback {
            payment_id: required(self.payment_id, "payment_id")?,
            outcome: CallbackOutcome::parse(&required(self.status, "status")?)
                .map_err(|e| ApiError::bad_request(e.to_string()))?,
            amount_minor: required(self.amount_minor, "amount_minor")?,
            transaction_id: required(self.transaction_id, "transaction_id")?,
        };
        Ok((callback, required(self.signature, "signature")?))
    }
}

#[utoipa::path(post, path = "/callback/{gateway}", tag = "payments",
    params(("gateway" = String, Path, description = "Gateway name: sandbox, or a [[payments.gateways]] entry (its body and signature header are the provider's)")),
    request_body = CallbackBody,
    responses(
        (status = 200, description = "Applied, or a repeat that changed nothing", body = Envelope<CallbackAnswer>),
        (status = 400, description = "A field is missing or malformed", body = ErrorBody),
        (status = 401, description = "The signature does not verify", body = ErrorBody),
        (status = 404, description = "No such gateway configured, or no such payment", body = ErrorBody),
        (status = 409, description = "The amount is not the payment's, or the payment already ended otherwise", body = ErrorBody),
    ))]
pub async fn callback(
    State(state): State<AppState>,
    Path(gateway): Path<String>,
    ClientIp(client_ip): ClientIp,
    headers: HeaderMap,
    raw_body: Bytes,
) -> ApiResult<CallbackAnswer> {
    let result = if let Some(provider) = state.billing.redirect_gateway(&gateway) {
        let signature = headers
            .get(provider.signature_header())
            .and_then(|v| v.to_str().ok());
        let callback = provider
            .parse_callback(signature, &raw_body)
            .map_err(|e| match e {
                RedirectCallbackError::NoSignature | RedirectCallbackError::Signature(_) => {
                    ApiError::unauthorized(format!("callback refused: {e}"))
                }
                other => ApiError::bad_request(other.to_string()),
            })?;
        apply_verified(&state, provider.name(), &callback, &client_ip).await?
    } else {
        let gateway = state
            .billing
            .gateway()
            .filter(|g| g.name() == gateway)
            .ok_or_else(|| ApiError::not_found("gateway"))?;
        let body: CallbackBody = serde_json::from_slice(&raw_body)
            .map_err(|e| ApiError::bad_request(format!("the body is not a callback: {e}")))?;
        let (callback, signature) = body.parse()?;
        apply_callback(&state, gateway, &callback, &signature, &client_ip).await?
    };
    let message = if result.applied {
        "Callback applied"
    } else {
        "Callback already applied"
    };
    ok_with(CallbackAnswer::from(result), message)
}
