//! `GET /noc/optics`: every ONU's latest levels, weakest first, with the verdict and the
//! thresholds it uses.

use askama::Template;
use axum::extract::State;

use super::{or_dash, Chrome, StaffSession, PORTAL};
use crate::http::admin::optics::{list, OnuOpticsQuery};
use crate::http::extract::ApiQuery;
use crate::http::portal::page::{html, PortalResult};
use crate::http::state::AppState;

pub struct OnuLine {
    pub code: String,
    pub name: String,
    pub onu: String,
    pub status: String,
    pub rx: String,
    pub tx: String,
    pub verdict: String,
    pub verdict_class: &'static str,
    pub updated_at: String,
}

#[derive(Template)]
#[template(path = "noc/optics.html")]
struct OpticsPage {
    chrome: Chrome,
    onus: Vec<OnuLine>,
}

fn dbm(level: Option<f64>) -> String {
    level.map_or_else(|| "—".to_owned(), |v| format!("{v:.2}"))
}

#[utoipa::path(get, path = "/noc/optics", tag = "portal",
    responses((status = 200, description = "ONU optics, weakest first", content_type = "text/html")))]
pub async fn optics(State(state): State<AppState>, session: StaffSession) -> PortalResult {
    let page = list(
        State(state),
        session.auth.clone(),
        ApiQuery(OnuOpticsQuery {
            limit: Some("100".into()),
            offset: None,
            weak_below_dbm: None,
        }),
    )
    .await
    .map_err(|e| PORTAL.error(e))?
    .0
    .data;
    let onus = page
        .onus
        .into_iter()
        .map(|o| OnuLine {
            onu: match (&o.pon_port, o.onu_id) {
                (Some(port), Some(id)) => format!("{port} ONU {id}"),
                _ => "—".to_owned(),
            },
            verdict_class: match o.verdict.as_str() {
                "good" => "good",
                "weak" => "weak",
                _ => "bad",
            },
            code: o.customer_code,
            name: o.name,
            status: or_dash(o.onu_status),
            rx: dbm(o.rx_power_dbm),
            tx: dbm(o.tx_power_dbm),
            verdict: o.verdict,
            updated_at: o.updated_at,
        })
        .collect();
    Ok(html(&OpticsPage {
        chrome: Chrome::new("ONU optics", "/noc/optics", &session),
        onus,
    }))
}
