//! `GET /`: the subscriber's dashboard — account, connection, the live chart fed by
//! `/network/live`, history from `/network/bandwidth`, ONU optics in plain words, and the
//! device action buttons.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use serde::Deserialize;

use super::pay::method_choices;
use super::signal::SignalVerdict;
use super::{Chrome, SubscriberSession, PORTAL};
use crate::billing::online_price::recharge_price_minor;
use crate::domain::Money;
use crate::http::customer::network::{bandwidth, status, BandwidthQuery};
use crate::http::customer::profile::get_profile;
use crate::http::customer::views::BandwidthPoint;
use crate::http::extract::{ApiQuery, ClientIp};
use crate::http::portal::page::{html, PortalResult};
use crate::http::state::AppState;

/// The history periods the chart offers, as the API names them.
const PERIODS: [(&str, &str); 4] = [
    ("1h", "Last hour"),
    ("24h", "Last 24 hours"),
    ("7d", "Last 7 days"),
    ("30d", "Last 30 days"),
];

#[derive(Debug, Deserialize)]
pub struct DashboardQuery {
    period: Option<String>,
}

pub struct PeriodLink {
    pub key: &'static str,
    pub label: &'static str,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    name: String,
    customer_code: String,
    account_status: String,
    package: Option<String>,
    expiry_date: String,
    due_amount: String,
    owes: bool,
    online: bool,
    uptime: String,
    ip_address: String,
    onu_status: String,
    rx_power: String,
    tx_power: String,
    verdict: &'static str,
    verdict_class: &'static str,
    advice: &'static str,
    periods: Vec<PeriodLink>,
    period_label: &'static str,
    history_json: String,
    history_summary: String,
    /// What one month of recharge costs, when the account has a monthly charge and a gateway
    /// takes online payments.
    month_price: Option<String>,
    methods: Vec<(&'static str, &'static str)>,
}

fn dbm_text(level: Option<f64>) -> String {
    level.map_or_else(|| "no reading".to_owned(), |dbm| format!("{dbm:.2} dBm"))
}

/// "peak 42.5 Mbps down, average 12.1 Mbps" for readers who cannot see the chart.
fn summary(points: &[BandwidthPoint]) -> String {
    if points.is_empty() {
        return "No traffic recorded in this period yet.".to_owned();
    }
    let rx: Vec<f64> = points.iter().map(|p| p.rx_mbps.0).collect();
    let peak = rx.iter().cloned().fold(0.0, f64::max);
    let average = rx.iter().sum::<f64>() / rx.len() as f64;
    format!("Download peak {peak:.1} Mbps, average {average:.1} Mbps.")
}

#[utoipa::path(get, path = "/", tag = "portal",
    params(("period" = Option<String>, Query, description = "History period: 1h, 24h, 7d or 30d")),
    responses(
        (status = 200, description = "The subscriber's dashboard", content_type = "text/html"),
        (status = 303, description = "Not logged in: to /login"),
        (status = 400, description = "Unknown period", content_type = "text/html"),
    ))]
pub async fn dashboard(
    State(state): State<AppState>,
    session: SubscriberSession,
    client_ip: ClientIp,
    query: Result<Query<DashboardQuery>, QueryRejection>,
) -> PortalResult {
    let Ok(Query(query)) = query else {
        return Err(PORTAL.bad_request("the address has a malformed query string"));
    };
    let period = query.period.unwrap_or_else(|| "1h".to_owned());
    let Some(&(period_key, period_label)) = PERIODS.iter().find(|(key, _)| *key == period) else {
        return Err(PORTAL.bad_request(format!(
            "'{period}' is not a history period; use 1h, 24h, 7d or 30d"
        )));
    };
    let err = |e| PORTAL.error(e);
    let profile = get_profile(State(state.clone()), session.auth.clone())
        .await
        .map_err(err)?
        .0
        .data;
    let network = status(State(state.clone()), session.auth.clone(), client_ip)
        .await
        .map_err(err)?
        .0
        .data;
    let history = bandwidth(
        State(state.clone()),
        session.auth.clone(),
        ApiQuery(BandwidthQuery {
            period: Some(period_key.to_owned()),
        }),
    )
    .await
    .map_err(err)?
    .0
    .data;
    let verdict = SignalVerdict::of(network.onu_status.as_deref(), network.onu_rx_power);
    let month_price = recharge_price_minor(
        profile.monthly_bill.0.minor(),
        1,
        state.billing.settings.tax_basis_points,
    )
    .filter(|_| state.billing.gateway().is_some())
    .map(|minor| Money::from_minor(minor).to_string());
    let page = DashboardPage {
        chrome: Chrome::load(&state, "My connection", "home", &session).await?,
        month_price,
        methods: method_choices(),
        name: profile.name,
        customer_code: profile.customer_code,
        account_status: profile.status,
        package: profile.package.map(|p| {
            format!(
                "{} ({}/{} {})",
                p.name,
                p.download_speed,
                p.upload_speed,
                super::speed_unit_words(&p.speed_unit)
            )
        }),
        expiry_date: profile.expiry_date.unwrap_or_else(|| "not set".into()),
        owes: profile.due_amount.0.minor() > 0,
        due_amount: profile.due_amount.0.to_string(),
        online: network.is_online,
        uptime: network.uptime.unwrap_or_else(|| "—".into()),
        ip_address: network.ip_address.unwrap_or_else(|| "—".into()),
        onu_status: network.onu_status.unwrap_or_else(|| "unknown".into()),
        rx_power: dbm_text(network.onu_rx_power),
        tx_power: dbm_text(network.onu_tx_power),
        verdict: verdict.words(),
        verdict_class: match verdict {
            SignalVerdict::Good => "good",
            SignalVerdict::Weak => "weak",
            SignalVerdict::NoSignal => "bad",
        },
        advice: verdict.advice(),
        periods: PERIODS
            .iter()
            .map(|&(key, label)| PeriodLink {
                key,
                label,
                current: key == period_key,
            })
            .collect(),
        period_label,
        history_summary: summary(&history),
        history_json: serde_json::to_string(&history).unwrap_or_else(|_| "[]".into()),
    };
    Ok(html(&page))
}
