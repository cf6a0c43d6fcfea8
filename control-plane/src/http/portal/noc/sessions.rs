//! `GET /noc/sessions`: PPPoE sessions online now, as accounting reports them.

use askama::Template;
use axum::extract::State;

use super::{or_dash, Chrome, StaffSession, PORTAL};
use crate::http::admin::sessions::{online, OnlineQuery};
use crate::http::extract::ApiQuery;
use crate::http::portal::page::{html, PortalResult};
use crate::http::state::AppState;

pub struct SessionLine {
    pub username: String,
    pub nas: String,
    pub address: String,
    pub started_at: String,
    pub download_mb: String,
    pub upload_mb: String,
}

#[derive(Template)]
#[template(path = "noc/sessions.html")]
struct SessionsPage {
    chrome: Chrome,
    total: i64,
    sessions: Vec<SessionLine>,
}

fn megabytes(octets: i64) -> String {
    format!("{:.1}", octets as f64 / 1e6)
}

#[utoipa::path(get, path = "/noc/sessions", tag = "portal",
    responses((status = 200, description = "Online PPPoE sessions", content_type = "text/html")))]
pub async fn sessions(State(state): State<AppState>, session: StaffSession) -> PortalResult {
    let page = online(
        State(state),
        session.auth.clone(),
        ApiQuery(OnlineQuery {
            limit: Some("100".into()),
            offset: None,
            nas: None,
            username: None,
            customer_id: None,
            framed_ip: None,
        }),
    )
    .await
    .map_err(|e| PORTAL.error(e))?
    .0
    .data;
    let sessions = page
        .sessions
        .into_iter()
        .map(|s| SessionLine {
            nas: or_dash(s.nas_identifier.or(s.nas_ip_address)),
            address: or_dash(s.framed_ip_address),
            download_mb: megabytes(s.download_octets),
            upload_mb: megabytes(s.upload_octets),
            username: s.username,
            started_at: s.started_at,
        })
        .collect();
    Ok(html(&SessionsPage {
        chrome: Chrome::new("Online sessions", "/noc/sessions", &session),
        total: page.pagination.total,
        sessions,
    }))
}
