//! `GET /noc/audit`: the audit log, newest first (admin only, as on the staff API).

use askama::Template;
use axum::extract::State;

use super::{or_dash, Chrome, StaffSession, PORTAL};
use crate::http::admin::activity::{list_audit, AuditQuery};
use crate::http::extract::ApiQuery;
use crate::http::portal::page::{html, PortalResult};
use crate::http::state::AppState;

pub struct AuditLine {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub client_ip: String,
}

#[derive(Template)]
#[template(path = "noc/audit.html")]
struct AuditPage {
    chrome: Chrome,
    entries: Vec<AuditLine>,
}

#[utoipa::path(get, path = "/noc/audit", tag = "portal",
    responses(
        (status = 200, description = "The audit log", content_type = "text/html"),
        (status = 403, description = "Only admins read the audit log", content_type = "text/html"),
    ))]
pub async fn audit(State(state): State<AppState>, session: StaffSession) -> PortalResult {
    let page = list_audit(
        State(state),
        session.auth.clone(),
        ApiQuery(AuditQuery {
            limit: Some("100".into()),
            offset: None,
            actor_kind: None,
            actor_id: None,
            action: None,
            target_kind: None,
            target_id: None,
        }),
    )
    .await
    .map_err(|e| PORTAL.error(e))?
    .0
    .data;
    let entries = page
        .entries
        .into_iter()
        .map(|a| AuditLine {
            actor: match a.actor_name {
                Some(name) => format!("{} {name}", a.actor_kind),
                None => a.actor_kind,
            },
            target: match a.target_id {
                Some(id) => format!("{} {id}", a.target_kind),
                None => a.target_kind,
            },
            client_ip: or_dash(a.client_ip),
            at: a.at,
            action: a.action,
        })
        .collect();
    Ok(html(&AuditPage {
        chrome: Chrome::new("Audit log", "/noc/audit", &session),
        entries,
    }))
}
