//! `GET /noc/commands`: device commands and their states, newest first; the table refreshes
//! itself from `GET /noc/commands/rows` while the page is open.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

use super::{or_dash, Chrome, FragmentSession, StaffSession, PORTAL};
use crate::http::admin::activity::{list_commands, CommandQuery};
use crate::http::extract::ApiQuery;
use crate::http::portal::page::{html, PortalResult};
use crate::http::response::ApiError;
use crate::http::state::AppState;

#[derive(Debug, Deserialize)]
pub struct CommandsPageQuery {
    highlight: Option<String>,
}

pub struct CommandLine {
    pub id: String,
    pub kind: String,
    pub target: String,
    pub requester: String,
    pub state: String,
    pub detail: String,
    pub created_at: String,
    pub highlighted: bool,
}

#[derive(Template)]
#[template(path = "noc/command_rows.html")]
struct CommandRows {
    commands: Vec<CommandLine>,
}

#[derive(Template)]
#[template(path = "noc/commands.html")]
struct CommandsPage {
    chrome: Chrome,
    commands: Vec<CommandLine>,
    refresh_url: String,
}

async fn command_lines(
    state: &AppState,
    session: &StaffSession,
    highlight: Option<&str>,
) -> Result<Vec<CommandLine>, ApiError> {
    let page = list_commands(
        State(state.clone()),
        session.auth.clone(),
        ApiQuery(CommandQuery {
            limit: Some("50".into()),
            offset: None,
            customer_id: None,
            state: None,
            kind: None,
        }),
    )
    .await?
    .0
    .data;
    Ok(page
        .commands
        .into_iter()
        .map(|c| CommandLine {
            highlighted: highlight == Some(c.id.as_str()),
            requester: c.requester_kind,
            detail: or_dash(c.detail),
            id: c.id,
            kind: c.kind,
            target: c.target,
            state: c.state,
            created_at: c.created_at,
        })
        .collect())
}

#[utoipa::path(get, path = "/noc/commands", tag = "portal",
    params(("highlight" = Option<String>, Query, description = "A command id to mark")),
    responses(
        (status = 200, description = "Device commands and their states", content_type = "text/html"),
        (status = 403, description = "The role may not read commands", content_type = "text/html"),
    ))]
pub async fn commands(
    State(state): State<AppState>,
    session: StaffSession,
    query: Result<Query<CommandsPageQuery>, QueryRejection>,
) -> PortalResult {
    let Ok(Query(query)) = query else {
        return Err(PORTAL.bad_request("the address has a malformed query string"));
    };
    let highlight = query.highlight.filter(|h| uuid::Uuid::parse_str(h).is_ok());
    let commands = command_lines(&state, &session, highlight.as_deref())
        .await
        .map_err(|e| PORTAL.error(e))?;
    Ok(html(&CommandsPage {
        chrome: Chrome::new("Commands", "/noc/commands", &session),
        commands,
        refresh_url: match highlight {
            Some(id) => format!("/noc/commands/rows?highlight={id}"),
            None => "/noc/commands/rows".to_owned(),
        },
    }))
}

#[utoipa::path(get, path = "/noc/commands/rows", tag = "portal",
    params(("highlight" = Option<String>, Query, description = "A command id to mark")),
    responses(
        (status = 200, description = "The commands table's rows, for the page's refresh", content_type = "text/html"),
        (status = 401, description = "No console session", body = crate::http::response::ErrorBody),
        (status = 403, description = "The role may not read commands", body = crate::http::response::ErrorBody),
    ))]
pub async fn command_rows(
    State(state): State<AppState>,
    FragmentSession(session): FragmentSession,
    query: Result<Query<CommandsPageQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let highlight = query.ok().and_then(|Query(q)| q.highlight);
    let commands = command_lines(&state, &session, highlight.as_deref()).await?;
    Ok(html(&CommandRows { commands }))
}
