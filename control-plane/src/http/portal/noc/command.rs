//! `GET /noc/commands/{id}`: one device command followed to its end. The state box refreshes
//! itself from `GET /noc/commands/{id}/state` until the command is final; a change of speed
//! then says which path the BRAS took (CoA in place, or one disconnect), and a BGP dry run
//! lists the router commands the agent would run, with `POST /noc/commands/{id}/apply` to
//! queue exactly that change for real.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Form;
use serde_json::Value;

use super::{Chrome, FragmentSession, StaffSession, ACTION_ROLES, PORTAL};
use crate::http::admin::activity::{get_command, CommandRecord};
use crate::http::admin::bgp_peers::{create as bgp_change, BgpPeerBody};
use crate::http::extract::{ApiJson, ClientIp};
use crate::http::portal::page::{html, redirect, PortalResult};
use crate::http::portal::subscriber::TokenForm;
use crate::http::response::ApiError;
use crate::http::state::AppState;

/// A command as the state box shows it.
pub struct CommandView {
    pub id: String,
    pub kind: String,
    pub target: String,
    pub state: String,
    pub detail: String,
    pub finished: bool,
    /// For a finished change of speed: how it was applied, in words.
    pub speed_path: Option<&'static str>,
    /// For a BGP dry run that succeeded: the router commands it would run.
    pub router_commands: Option<String>,
    /// A BGP dry run whose change may now be applied.
    pub may_apply: bool,
}

const FINAL_STATES: &[&str] = &["succeeded", "failed", "rolled_back", "expired"];

/// Which path a finished change of speed took, from the agent's words.
fn speed_path(detail: &str) -> Option<&'static str> {
    if detail.contains("by CoA") {
        Some("CoA: changed in place, the session stayed up")
    } else if detail.contains("disconnected so the new rate") {
        Some("Disconnect: the BRAS refused the CoA, so the session was dropped once to re-login at the new rate")
    } else {
        None
    }
}

/// The part of a dry run's result that lists the router commands.
fn router_commands(detail: &str) -> Option<String> {
    let (_, rest) = detail.split_once("would run: ")?;
    let commands = rest.split("; then wait for").next().unwrap_or(rest);
    Some(commands.trim().to_owned())
}

fn is_dry_run(command: &CommandRecord) -> bool {
    command.kind == "bgp_peer_change" && command.params["dry_run"] == Value::Bool(true)
}

fn view(command: CommandRecord, may_act: bool) -> CommandView {
    let detail = command.detail.clone().unwrap_or_default();
    let finished = FINAL_STATES.contains(&command.state.as_str());
    let succeeded = command.state == "succeeded";
    let dry_run = is_dry_run(&command);
    CommandView {
        speed_path: (command.kind == "change_speed" && finished)
            .then(|| speed_path(&detail))
            .flatten(),
        router_commands: (dry_run && succeeded)
            .then(|| router_commands(&detail))
            .flatten(),
        may_apply: dry_run && succeeded && may_act,
        id: command.id,
        kind: command.kind,
        target: command.target,
        state: command.state,
        detail,
        finished,
    }
}

async fn command_view(
    state: &AppState,
    session: &StaffSession,
    id: String,
) -> Result<CommandView, ApiError> {
    let command = get_command(State(state.clone()), session.auth.clone(), Path(id))
        .await?
        .0
        .data;
    Ok(view(command, session.may(ACTION_ROLES)))
}

#[derive(Template)]
#[template(path = "noc/command_state.html")]
struct CommandState {
    command: CommandView,
    csrf: String,
}

#[derive(Template)]
#[template(path = "noc/command.html")]
struct CommandPage {
    chrome: Chrome,
    command: CommandView,
    csrf: String,
}

#[utoipa::path(get, path = "/noc/commands/{id}", tag = "portal",
    params(("id" = String, Path, description = "Command id")),
    responses(
        (status = 200, description = "One command followed to its end", content_type = "text/html"),
        (status = 403, description = "The role may not read commands", content_type = "text/html"),
        (status = 404, description = "No such command", content_type = "text/html"),
    ))]
pub async fn command(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
) -> PortalResult {
    let command = command_view(&state, &session, id)
        .await
        .map_err(|e| PORTAL.error(e))?;
    Ok(html(&CommandPage {
        chrome: Chrome::new(
            format!("Command {}", command.kind),
            "/noc/commands",
            &session,
        ),
        command,
        csrf: session.csrf.clone(),
    }))
}

#[utoipa::path(get, path = "/noc/commands/{id}/state", tag = "portal",
    params(("id" = String, Path, description = "Command id")),
    responses(
        (status = 200, description = "The command's state box, for the page's refresh", content_type = "text/html"),
        (status = 401, description = "No console session", body = crate::http::response::ErrorBody),
        (status = 403, description = "The role may not read commands", body = crate::http::response::ErrorBody),
        (status = 404, description = "No such command", body = crate::http::response::ErrorBody),
    ))]
pub async fn command_state(
    State(state): State<AppState>,
    FragmentSession(session): FragmentSession,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let command = command_view(&state, &session, id).await?;
    Ok(html(&CommandState {
        command,
        csrf: session.csrf,
    }))
}

#[utoipa::path(post, path = "/noc/commands/{id}/apply", tag = "portal",
    params(("id" = String, Path, description = "The id of a BGP dry run that succeeded")),
    responses(
        (status = 303, description = "The previewed change queued for real; to its command page"),
        (status = 403, description = "The role may not change BGP peerings, or the form's token is wrong", content_type = "text/html"),
        (status = 409, description = "The command is not a BGP dry run that succeeded", content_type = "text/html"),
    ))]
pub async fn apply(
    State(state): State<AppState>,
    session: StaffSession,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    form: Result<Form<TokenForm>, FormRejection>,
) -> PortalResult {
    let presented = form.ok().and_then(|Form(f)| f.csrf);
    session.check_csrf(&state, presented.as_deref())?;
    let err = |e| PORTAL.error(e);
    let preview = get_command(State(state.clone()), session.auth.clone(), Path(id))
        .await
        .map_err(err)?
        .0
        .data;
    let device_id = match (
        &preview.device_id,
        is_dry_run(&preview),
        preview.state.as_str(),
    ) {
        (Some(device_id), true, "succeeded") => device_id.clone(),
        _ => {
            return Err(PORTAL.error(ApiError::conflict(
                "only a BGP dry run that succeeded can be applied; preview the change first",
            )))
        }
    };
    let applied = bgp_change(
        State(state),
        session.auth,
        ClientIp(ip),
        Path(device_id),
        ApiJson(BgpPeerBody {
            customer_id: None,
            peer_ip: preview.params.get("peer_ip").cloned(),
            change: preview.params.get("change").cloned(),
            dry_run: Some(Value::Bool(false)),
            other: serde_json::Map::new(),
        }),
    )
    .await
    .map_err(err)?
    .0
    .data;
    Ok(redirect(&format!("/noc/commands/{}", applied.id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speed_paths_in_words() {
        assert!(
            speed_path("changed in place by CoA to 50/10 Mbps; the session stayed up")
                .is_some_and(|p| p.starts_with("CoA"))
        );
        assert!(speed_path(
            "CoA refused (Unsupported-Extension); disconnected so the new rate (50/10 Mbps) applies at re-login"
        )
        .is_some_and(|p| p.starts_with("Disconnect")));
        assert_eq!(speed_path("agent offline"), None);
    }

    #[test]
    fn dry_run_commands_are_cut_from_the_result() {
        let detail = "dry run: add neighbor 10.0.0.2 on r1 (FRR): nothing was changed; would run: vtysh -c 'router bgp 65001' -c 'neighbor 10.0.0.2 remote-as 65002'; then wait for the session to be Established; if it does not, the inverse commands are applied";
        assert_eq!(
            router_commands(detail).as_deref(),
            Some("vtysh -c 'router bgp 65001' -c 'neighbor 10.0.0.2 remote-as 65002'")
        );
        assert_eq!(router_commands("failed: no route"), None);
    }
}
