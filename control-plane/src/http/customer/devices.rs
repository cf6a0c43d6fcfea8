//! Device actions a subscriber can ask for: reboot router, reboot ONU, disconnect the PPPoE
//! session; and reading back the state of those commands.

use axum::extract::{Path, State};
use serde_json::json;

use super::profile::own_customer;
use super::views::{CommandView, CommandsPage, DeviceCommandAccepted};
use crate::commands::request::{self, RequestError, Requester};
use crate::domain::time::api_timestamp;
use crate::domain::CommandKind;
use crate::http::audit::{self, Actor};
use crate::http::extract::{ApiQuery, ClientIp, PageQuery};
use crate::http::principal::CustomerAuth;
use crate::http::response::{ok, ok_with, ApiError, ApiResult, Envelope, ErrorBody, Pagination};
use crate::http::state::AppState;
use crate::store::commands::{CommandFilter, CommandRow};

/// The subscriber's words for a command that cannot be queued.
fn refused(err: RequestError) -> ApiError {
    match err {
        RequestError::Missing(what) => ApiError::bad_request(format!(
            "no {what} is on file for this account; contact your ISP"
        )),
        RequestError::Store(err) => err.into(),
        RequestError::NotForCustomers(_)
        | RequestError::NoPackage
        | RequestError::BadPackage(_) => ApiError::forbidden("this action is for staff"),
    }
}

async fn queue(
    state: &AppState,
    auth: &CustomerAuth,
    client_ip: &str,
    kind: CommandKind,
) -> Result<CommandRow, ApiError> {
    let customer = own_customer(state, auth).await?;
    if matches!(kind, CommandKind::ChangeSpeed | CommandKind::BgpPeerChange) {
        return Err(ApiError::forbidden("this action is for staff"));
    }
    request::target_of(kind, &customer).map_err(refused)?;
    check_cooldown(state, &customer.id, kind).await?;
    let requester = Requester {
        kind: "customer",
        id: auth.customer_id.clone(),
    };
    let command = request::queue(state, &customer, kind, None, &requester)
        .await
        .map_err(refused)?;
    audit::record(
        state,
        &Actor::customer(auth, client_ip),
        &format!("device.{}", kind.as_str()),
        "device_command",
        Some(&command.id),
        json!({ "target": command.target }),
    )
    .await?;
    Ok(command)
}

/// Refuses with 429 and the time left while the last request of this kind is too recent.
async fn check_cooldown(
    state: &AppState,
    customer_id: &str,
    kind: CommandKind,
) -> Result<(), ApiError> {
    let cooldown_secs = match kind {
        CommandKind::Disconnect => state.limits.disconnect_cooldown_secs,
        _ => state.limits.reboot_cooldown_secs,
    };
    if cooldown_secs == 0 {
        return Ok(());
    }
    let last = state
        .store
        .last_customer_command_at(customer_id, kind.as_str())
        .await?
        .as_deref()
        .and_then(crate::domain::time::parse_timestamp);
    let Some(last) = last else { return Ok(()) };
    let elapsed = (crate::domain::time::now() - last).whole_seconds().max(0);
    let cooldown = i64::try_from(cooldown_secs).unwrap_or(i64::MAX);
    if elapsed >= cooldown {
        return Ok(());
    }
    let left = u64::try_from(cooldown - elapsed).unwrap_or(1);
    let what = match kind {
        CommandKind::RebootOnu => "reboot the ONU",
        CommandKind::RebootRouter => "reboot the router",
        _ => "reconnect",
    };
    Err(ApiError::too_many(
        format!("you asked for this a moment ago; you can {what} again in {left} s"),
        left,
    ))
}

fn accepted(seed_word: &str, command: &CommandRow) -> DeviceCommandAccepted {
    DeviceCommandAccepted {
        command: seed_word.to_owned(),
        status: "sent".to_owned(),
        command_id: command.id.clone(),
        state: command.state.clone(),
    }
}

#[utoipa::path(post, path = "/device/reboot-router", tag = "customer", security(("bearer" = [])),
    responses(
        (status = 200, description = "Reboot queued", body = Envelope<DeviceCommandAccepted>),
        (status = 400, description = "No router on file", body = ErrorBody),
        (status = 429, description = "Asked too recently; Retry-After says when to ask again", body = ErrorBody),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorBody),
    ))]
pub async fn reboot_router(
    State(state): State<AppState>,
    auth: CustomerAuth,
    ClientIp(ip): ClientIp,
) -> ApiResult<DeviceCommandAccepted> {
    let command = queue(&state, &auth, &ip, CommandKind::RebootRouter).await?;
    ok_with(
        accepted("reboot", &command),
        "Router reboot command sent. Please wait 1-2 minutes.",
    )
}

#[utoipa::path(post, path = "/device/reboot-onu", tag = "customer", security(("bearer" = [])),
    responses(
        (status = 200, description = "Reboot queued", body = Envelope<DeviceCommandAccepted>),
        (status = 400, description = "No ONU on file", body = ErrorBody),
        (status = 429, description = "Asked too recently; Retry-After says when to ask again", body = ErrorBody),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorBody),
    ))]
pub async fn reboot_onu(
    State(state): State<AppState>,
    auth: CustomerAuth,
    ClientIp(ip): ClientIp,
) -> ApiResult<DeviceCommandAccepted> {
    let command = queue(&state, &auth, &ip, CommandKind::RebootOnu).await?;
    ok_with(
        accepted("reboot_onu", &command),
        "ONU reboot command sent. Please wait 2-3 minutes.",
    )
}

#[utoipa::path(post, path = "/device/disconnect", tag = "customer", security(("bearer" = [])),
    responses(
        (status = 200, description = "Disconnect queued", body = Envelope<DeviceCommandAccepted>),
        (status = 400, description = "No PPPoE account on file", body = ErrorBody),
        (status = 429, description = "Asked too recently; Retry-After says when to ask again", body = ErrorBody),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorBody),
    ))]
pub async fn disconnect(
    State(state): State<AppState>,
    auth: CustomerAuth,
    ClientIp(ip): ClientIp,
) -> ApiResult<DeviceCommandAccepted> {
    let command = queue(&state, &auth, &ip, CommandKind::Disconnect).await?;
    ok_with(
        accepted("disconnect", &command),
        "Session disconnected. Reconnecting...",
    )
}

fn command_view(c: &CommandRow) -> CommandView {
    CommandView {
        id: c.id.clone(),
        kind: c.kind.clone(),
        state: c.state.clone(),
        detail: c.detail.clone(),
        created_at: api_timestamp(&c.created_at),
        updated_at: api_timestamp(&c.updated_at),
    }
}

#[utoipa::path(get, path = "/device/commands", tag = "customer", security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, description = "The customer's device commands, newest first", body = Envelope<CommandsPage>),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorBody),
    ))]
pub async fn list_commands(
    State(state): State<AppState>,
    auth: CustomerAuth,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<CommandsPage> {
    let page = query.page()?;
    let filter = CommandFilter {
        customer_id: Some(auth.customer_id.clone()),
        ..CommandFilter::default()
    };
    let commands = state.store.list_commands(&filter, page).await?;
    ok(CommandsPage {
        commands: commands.rows.iter().map(command_view).collect(),
        pagination: Pagination {
            total: commands.total,
            limit: page.limit,
            offset: page.offset,
        },
    })
}

#[utoipa::path(get, path = "/device/commands/{id}", tag = "customer", security(("bearer" = [])),
    params(("id" = String, Path, description = "Command id")),
    responses(
        (status = 200, description = "One of the customer's commands", body = Envelope<CommandView>),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorBody),
        (status = 404, description = "No such command for this customer", body = ErrorBody),
    ))]
pub async fn get_command(
    State(state): State<AppState>,
    auth: CustomerAuth,
    Path(id): Path<String>,
) -> ApiResult<CommandView> {
    let command = state
        .store
        .command(&id)
        .await
        .map_err(|e| ApiError::from_store(e, "command"))?;
    if command.customer_id.as_deref() != Some(auth.customer_id.as_str()) {
        return Err(ApiError::not_found("command"));
    }
    ok(command_view(&command))
}
