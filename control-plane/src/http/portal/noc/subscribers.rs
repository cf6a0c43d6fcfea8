//! `GET /noc/subscribers?q=`: the subscriber list, searchable by name, code, phone or PPPoE
//! username, with each subscriber's live rate (the same per-second series `/network/live`
//! reads; the rows refresh themselves from `GET /noc/subscribers/rows?q=`) and the NOC's
//! actions per subscriber (reboot ONU, disconnect) for roles that may use them:
//! `POST /noc/subscribers/{id}/reboot-onu` and `/disconnect`.

use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Form;
use serde::Deserialize;

use super::live_rate::{live_rate, LiveRate};
use super::{or_dash, Chrome, FragmentSession, StaffSession, ACTION_ROLES, PORTAL};
use crate::http::admin::commands::{create, StaffCommandBody};
use crate::http::admin::customers::{list, CustomerQuery};
use crate::http::extract::{ApiJson, ApiQuery, ClientIp};
use crate::http::portal::page::{html, redirect, PortalResult};
use crate::http::portal::subscriber::TokenForm;
use crate::http::response::ApiError;
use crate::http::state::AppState;

#[derive(Debug, Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
}

pub struct SubscriberLine {
    pub id: String,
    pub code: String,
    pub name: String,
    pub phone: String,
    pub pppoe: String,
    pub status: String,
    pub pon: String,
    pub expiry: String,
    pub rate: LiveRate,
}

#[derive(Template)]
#[template(path = "noc/subscribers.html")]
struct SubscribersPage {
    chrome: Chrome,
    q: String,
    refresh_url: String,
    total: i64,
    subscribers: Vec<SubscriberLine>,
    may_act: bool,
    csrf: String,
}

#[derive(Template)]
#[template(path = "noc/subscriber_rows.html")]
struct SubscriberRows {
    subscribers: Vec<SubscriberLine>,
    may_act: bool,
    csrf: String,
}

/// The first 100 subscribers matching `q`, and how many match in all.
async fn subscriber_lines(
    state: &AppState,
    session: &StaffSession,
    q: &str,
) -> Result<(i64, Vec<SubscriberLine>), crate::http::response::ApiError> {
    let page = list(
        State(state.clone()),
        session.auth.clone(),
        ApiQuery(CustomerQuery {
            limit: Some("100".into()),
            offset: None,
            q: (!q.is_empty()).then(|| q.to_owned()),
            status: None,
            area_id: None,
            package_id: None,
        }),
    )
    .await?
    .0
    .data;
    let subscribers = page
        .customers
        .into_iter()
        .map(|c| SubscriberLine {
            pon: match (&c.pon_port, c.attachment.onu_id) {
                (Some(port), Some(onu)) => format!("{port} ONU {onu}"),
                _ => "—".to_owned(),
            },
            rate: live_rate(state, &c.id),
            id: c.id,
            code: c.customer_code,
            name: c.name,
            phone: or_dash(c.phone),
            pppoe: or_dash(c.pppoe_username),
            status: c.status,
            expiry: or_dash(c.expiry_date),
        })
        .collect();
    Ok((page.pagination.total, subscribers))
}

/// `text` as a query-string value: unreserved characters as they are, every other byte as
/// `%XX`.
fn query_escape(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn search_text(query: Result<Query<SearchQuery>, QueryRejection>) -> Option<String> {
    let Query(query) = query.ok()?;
    Some(query.q.unwrap_or_default().trim().to_owned())
}

#[utoipa::path(get, path = "/noc/subscribers", tag = "portal",
    params(("q" = Option<String>, Query, description = "Text in the name, code, phone or PPPoE username")),
    responses((status = 200, description = "Subscribers", content_type = "text/html")))]
pub async fn subscribers(
    State(state): State<AppState>,
    session: StaffSession,
    query: Result<Query<SearchQuery>, QueryRejection>,
) -> PortalResult {
    let Some(q) = search_text(query) else {
        return Err(PORTAL.bad_request("the address has a malformed query string"));
    };
    let (total, subscribers) = subscriber_lines(&state, &session, &q)
        .await
        .map_err(|e| PORTAL.error(e))?;
    let refresh_url = format!("/noc/subscribers/rows?q={}", query_escape(&q));
    Ok(html(&SubscribersPage {
        may_act: session.may(ACTION_ROLES),
        chrome: Chrome::new("Subscribers", "/noc/subscribers", &session),
        csrf: session.csrf.clone(),
        q,
        refresh_url,
        total,
        subscribers,
    }))
}

#[utoipa::path(get, path = "/noc/subscribers/rows", tag = "portal",
    params(("q" = Option<String>, Query, description = "Text in the name, code, phone or PPPoE username")),
    responses(
        (status = 200, description = "The subscriber table's rows with live rates, for the page's refresh", content_type = "text/html"),
        (status = 400, description = "A malformed query string", body = crate::http::response::ErrorBody),
        (status = 401, description = "No console session", body = crate::http::response::ErrorBody),
    ))]
pub async fn subscriber_rows(
    State(state): State<AppState>,
    FragmentSession(session): FragmentSession,
    query: Result<Query<SearchQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let q = search_text(query).ok_or_else(|| ApiError::bad_request("malformed query string"))?;
    let (_, subscribers) = subscriber_lines(&state, &session, &q).await?;
    Ok(html(&SubscriberRows {
        may_act: session.may(ACTION_ROLES),
        csrf: session.csrf,
        subscribers,
    }))
}

async fn act(
    state: AppState,
    session: StaffSession,
    ip: String,
    id: String,
    form: Result<Form<TokenForm>, FormRejection>,
    kind: &str,
) -> PortalResult {
    let presented = form.ok().and_then(|Form(f)| f.csrf);
    session.check_csrf(&state, presented.as_deref())?;
    let command = create(
        State(state),
        session.auth,
        ClientIp(ip),
        Path(id),
        ApiJson(StaffCommandBody {
            kind: Some(kind.to_owned()),
            download_mbps: None,
            upload_mbps: None,
        }),
    )
    .await
    .map_err(|e| PORTAL.error(e))?
    .0
    .data;
    Ok(redirect(&format!("/noc/commands?highlight={}", command.id)))
}

#[utoipa::path(post, path = "/noc/subscribers/{id}/reboot-onu", tag = "portal",
    params(("id" = String, Path, description = "Customer id")),
    responses(
        (status = 303, description = "Queued; to the commands page"),
        (status = 403, description = "The role may not act on devices, or the form's token is wrong", content_type = "text/html"),
    ))]
pub async fn reboot_onu(
    State(state): State<AppState>,
    session: StaffSession,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    form: Result<Form<TokenForm>, FormRejection>,
) -> PortalResult {
    act(state, session, ip, id, form, "reboot_onu").await
}

#[utoipa::path(post, path = "/noc/subscribers/{id}/disconnect", tag = "portal",
    params(("id" = String, Path, description = "Customer id")),
    responses(
        (status = 303, description = "Queued; to the commands page"),
        (status = 403, description = "The role may not act on devices, or the form's token is wrong", content_type = "text/html"),
    ))]
pub async fn disconnect(
    State(state): State<AppState>,
    session: StaffSession,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    form: Result<Form<TokenForm>, FormRejection>,
) -> PortalResult {
    act(state, session, ip, id, form, "disconnect").await
}
