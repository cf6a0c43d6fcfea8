//! `GET /noc`: the sites' edge agents — connected or not, last seen, version, clock offset.
//! The table refreshes itself every few seconds from `GET /noc/agents/rows`, so an agent that
//! drops shows red without a reload.

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::{or_dash, Chrome, FragmentSession, StaffSession, AGENT_ROLES, PORTAL};
use crate::http::admin::agents::{list, AgentRecord};
use crate::http::admin::network::list_sites;
use crate::http::extract::{ApiQuery, PageQuery};
use crate::http::portal::page::{html, redirect, PortalResult};
use crate::http::response::ApiError;
use crate::http::state::AppState;

pub struct AgentLine {
    pub name: String,
    pub site: String,
    pub connected: bool,
    pub revoked: bool,
    pub last_seen: String,
    pub version: String,
    pub clock_offset: String,
}

#[derive(Template)]
#[template(path = "noc/agent_rows.html")]
struct AgentRows {
    agents: Vec<AgentLine>,
}

#[derive(Template)]
#[template(path = "noc/agents.html")]
struct AgentsPage {
    chrome: Chrome,
    agents: Vec<AgentLine>,
}

fn clock_offset(ms: Option<i64>) -> String {
    match ms {
        None => "—".to_owned(),
        Some(ms) if ms.abs() >= 1000 => format!("{:+.1} s", ms as f64 / 1000.0),
        Some(ms) => format!("{ms:+} ms"),
    }
}

async fn agent_lines(
    state: &AppState,
    session: &StaffSession,
) -> Result<Vec<AgentLine>, crate::http::response::ApiError> {
    let agents = list(State(state.clone()), session.auth.clone())
        .await?
        .0
        .data;
    let sites = list_sites(
        State(state.clone()),
        session.auth.clone(),
        ApiQuery(PageQuery {
            limit: Some("100".into()),
            offset: None,
        }),
    )
    .await?
    .0
    .data
    .sites;
    let site_name = |id: &str| {
        sites
            .iter()
            .find(|s| s.id == id)
            .map_or_else(|| id.to_owned(), |s| s.name.clone())
    };
    let mut lines: Vec<AgentLine> = agents
        .into_iter()
        .map(|a: AgentRecord| AgentLine {
            site: site_name(&a.site_id),
            connected: a.connected,
            revoked: a.revoked_at.is_some(),
            last_seen: or_dash(a.last_seen_at),
            version: a.agent_version.map_or_else(
                || "—".to_owned(),
                |v| match a.protocol_version {
                    Some(p) => format!("{v} (protocol {p})"),
                    None => v,
                },
            ),
            clock_offset: clock_offset(a.clock_offset_ms),
            name: a.name,
        })
        .collect();
    // Revoked registrations last; they can never connect again.
    lines.sort_by_key(|l| (l.revoked, l.name.clone()));
    Ok(lines)
}

#[utoipa::path(get, path = "/noc", tag = "portal",
    responses(
        (status = 200, description = "Edge agents and their connection state", content_type = "text/html"),
        (status = 303, description = "Not logged in, or a role without agents: elsewhere"),
    ))]
pub async fn agents(State(state): State<AppState>, session: StaffSession) -> PortalResult {
    if !session.may(AGENT_ROLES) {
        return Ok(redirect("/noc/subscribers"));
    }
    let agents = agent_lines(&state, &session)
        .await
        .map_err(|e| PORTAL.error(e))?;
    Ok(html(&AgentsPage {
        chrome: Chrome::new("Agents", "/noc", &session),
        agents,
    }))
}

#[utoipa::path(get, path = "/noc/agents/rows", tag = "portal",
    responses(
        (status = 200, description = "The agents table's rows, for the page's refresh", content_type = "text/html"),
        (status = 401, description = "No console session", body = crate::http::response::ErrorBody),
        (status = 403, description = "The role may not see agents", body = crate::http::response::ErrorBody),
    ))]
pub async fn agent_rows(
    State(state): State<AppState>,
    FragmentSession(session): FragmentSession,
) -> Result<Response, ApiError> {
    let agents = agent_lines(&state, &session).await?;
    Ok(html(&AgentRows { agents }))
}
