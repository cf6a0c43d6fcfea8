//! `POST /authorize` (rlm_rest authorize): the check item `control:Cleartext-Password` for PAP
//! and CHAP and the reply items of the subscriber's package, or a reject, answered from the
//! in-memory login table (`aaa/pppoe_logins.rs`). The outcome is recorded for support staff:
//! for PAP here (the request carries the password), for CHAP by `POST /post-auth`.

use std::net::Ipv4Addr;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use utoipa::{IntoParams, ToSchema};

use super::attributes::{AttributeList, RadiusAttributes, RestReply};
use super::FreeRadius;
use crate::aaa::reply::{
    authorize as decide, AccessKind, AccessProfile, AuthorizeOutcome, PackageSpeed, PppoeSubscriber,
};
use crate::domain::time::{now, parse_date};
use crate::domain::{CustomerStatus, PppoeUsername, SpeedUnit};
use crate::http::extract::{ApiJson, ApiQuery};
use crate::http::response::{ApiError, ErrorBody};
use crate::http::state::AppState;
use crate::store::now_text;
use crate::store::pppoe_accounts::{AuthOutcome, PppoeLoginRow};

/// RADIUS attributes as rlm_rest sends them with `body = 'json'`:
/// `{"User-Name": {"type": "string", "value": ["rahim.gulshan"]}, …}`.
#[derive(Debug, ToSchema)]
#[schema(value_type = Object)]
pub struct RestAttributes(pub Value);

/// Items for FreeRADIUS: `{"control:Cleartext-Password": {"op": ":=", "value": "…",
/// "do_xlat": false}, "reply:Mikrotik-Rate-Limit": {…}, …}`.
#[derive(Debug, ToSchema)]
#[schema(value_type = Object)]
pub struct RestItems(pub Value);

fn attributes(body: &Value) -> Result<RadiusAttributes, ApiError> {
    RadiusAttributes::from_json(body).map_err(|e| ApiError::bad_request(e.to_string()))
}

/// The subscriber as the reply logic sees it; the password is opened here and nowhere logged.
fn subscriber(state: &AppState, row: &PppoeLoginRow) -> Result<PppoeSubscriber, ApiError> {
    let status = CustomerStatus::parse(&row.status).map_err(ApiError::internal)?;
    let package = match (
        row.download_speed,
        row.upload_speed,
        row.speed_unit.as_deref(),
    ) {
        (Some(down), Some(up), Some(unit)) => Some(PackageSpeed::from_package(
            down,
            up,
            SpeedUnit::parse(unit).map_err(ApiError::internal)?,
        )),
        _ => None,
    };
    let password = match &row.password_sealed {
        None => None,
        Some(sealed) => {
            let sealer = state
                .aaa
                .sealer()
                .ok_or_else(|| ApiError::internal("the PPPoE password key is not loaded"))?;
            Some(
                sealer
                    .open(&row.customer_id, sealed)
                    .map_err(ApiError::internal)?,
            )
        }
    };
    Ok(PppoeSubscriber {
        status,
        expiry_date: row.expiry_date.as_deref().and_then(parse_date),
        package,
        password,
        static_ip: row
            .static_ip_address
            .as_deref()
            .and_then(|ip| ip.parse::<Ipv4Addr>().ok()),
    })
}

fn accept_items(profile: AccessProfile) -> Value {
    let mut reply = RestReply::default();
    reply.set(
        AttributeList::Control,
        "Cleartext-Password",
        json!(profile.cleartext_password),
    );
    reply.set(AttributeList::Reply, &profile.rate.0, json!(profile.rate.1));
    if let Some(ip) = profile.framed_ip {
        reply.set(
            AttributeList::Reply,
            "Framed-IP-Address",
            json!(ip.to_string()),
        );
    }
    if let Some(pool) = profile.framed_pool {
        reply.set(AttributeList::Reply, "Framed-Pool", json!(pool));
    }
    if let Some(secs) = profile.session_timeout_secs {
        reply.set(AttributeList::Reply, "Session-Timeout", json!(secs));
    }
    reply.set(
        AttributeList::Reply,
        "Acct-Interim-Interval",
        json!(profile.acct_interim_interval_secs),
    );
    reply.into_json()
}

#[utoipa::path(post, path = "/authorize", tag = "radius", security(("bearer" = [])),
    request_body = RestAttributes,
    responses(
        (status = 200, description = "Accept: check and reply items", body = RestItems),
        (status = 401, description = "Reject (with reply:Reply-Message), or a wrong API key", body = RestItems),
        (status = 404, description = "No subscriber has this PPPoE username"),
        (status = 400, description = "Not rlm_rest JSON, or no User-Name", body = ErrorBody),
    ))]
pub async fn authorize(
    State(state): State<AppState>,
    _caller: FreeRadius,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    let attributes = attributes(&body)?;
    let username = attributes
        .text("User-Name")
        .ok_or_else(|| ApiError::bad_request("User-Name is required"))?;
    let Ok(username) = PppoeUsername::parse(username) else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    let Some(row) = state
        .aaa_logins
        .login(&state.store, username.as_str())
        .await?
    else {
        tracing::info!(username = %username, "Access-Request for an unknown PPPoE username");
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    let subscriber = subscriber(&state, &row)?;
    // With PAP the password is in the request, so the outcome FreeRADIUS's pap module will
    // reach is known here and recorded now; the site calls post-auth only for the others.
    let pap_password = attributes.raw("User-Password");
    match decide(&subscriber, &state.aaa.settings, now()) {
        AuthorizeOutcome::Accept(profile) => {
            let kind = match profile.kind {
                AccessKind::Normal => "normal",
                AccessKind::WalledGarden(reason) => reason.as_str(),
            };
            tracing::info!(username = %username, pool = kind, "PPPoE login authorized");
            if let Some(presented) = pap_password {
                let matches = same_password(presented, &profile.cleartext_password);
                record(&state, outcome(&attributes, username.as_str(), matches)).await?;
            }
            Ok((StatusCode::OK, Json(accept_items(profile))).into_response())
        }
        AuthorizeOutcome::Reject(reason) => {
            tracing::info!(username = %username, reason = reason.as_str(), "PPPoE login rejected");
            if pap_password.is_some() {
                record(&state, outcome(&attributes, username.as_str(), false)).await?;
            }
            let mut reply = RestReply::default();
            reply.set(
                AttributeList::Reply,
                "Reply-Message",
                json!(reason.message()),
            );
            Ok((StatusCode::UNAUTHORIZED, Json(reply.into_json())).into_response())
        }
    }
}

/// The outcome FreeRADIUS reached, as the module's post-auth URI passes it.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PostAuthQuery {
    /// `reject` when FreeRADIUS sent Access-Reject (`%{control:Post-Auth-Type}`); anything
    /// else is an accept.
    pub result: Option<String>,
}

#[utoipa::path(post, path = "/post-auth", tag = "radius", security(("bearer" = [])),
    params(PostAuthQuery), request_body = RestAttributes,
    responses(
        (status = 204, description = "Recorded (or an unknown username, ignored)"),
        (status = 400, description = "Not rlm_rest JSON", body = ErrorBody),
    ))]
pub async fn post_auth(
    State(state): State<AppState>,
    _caller: FreeRadius,
    ApiQuery(query): ApiQuery<PostAuthQuery>,
    ApiJson(body): ApiJson<Value>,
) -> Result<StatusCode, ApiError> {
    let attributes = attributes(&body)?;
    let Some(username) = attributes.text("User-Name") else {
        return Ok(StatusCode::NO_CONTENT);
    };
    let accepted = !query
        .result
        .is_some_and(|result| result.trim().eq_ignore_ascii_case("reject"));
    record(&state, outcome(&attributes, username, accepted)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Compares a presented PAP password with the stored one without an early exit.
fn same_password(presented: &str, stored: &str) -> bool {
    presented.len() == stored.len()
        && presented
            .bytes()
            .zip(stored.bytes())
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
}

fn outcome(attributes: &RadiusAttributes, username: &str, accepted: bool) -> AuthOutcome {
    let nas = attributes
        .text("NAS-IP-Address")
        .or_else(|| attributes.text("NAS-Identifier"));
    AuthOutcome {
        username: username.to_owned(),
        accepted,
        nas: nas.map(str::to_owned),
        calling_station_id: attributes.text("Calling-Station-Id").map(str::to_owned),
        at: now_text(),
    }
}

/// Queues an outcome for the batch writer; writes it here only when the queue is full.
async fn record(state: &AppState, outcome: AuthOutcome) -> Result<(), ApiError> {
    if let Err(outcome) = state.aaa_auth_log.queue(outcome) {
        state.store.record_auth_outcomes(&[outcome]).await?;
    }
    Ok(())
}
