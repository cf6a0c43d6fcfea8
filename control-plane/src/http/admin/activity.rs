//! Read-only views for staff: device commands and the audit log.

use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::{CommandKind, CommandState, StaffRole};
use crate::http::extract::{non_empty, ApiQuery, PageQuery};
use crate::http::principal::StaffAuth;
use crate::http::response::{ok, ApiError, ApiResult, Envelope, ErrorBody, Pagination};
use crate::http::state::AppState;
use crate::store::audit::{AuditFilter, AuditRow};
use crate::store::commands::{CommandFilter, CommandRow};

#[derive(Debug, Serialize, ToSchema)]
pub struct CommandRecord {
    pub id: String,
    pub kind: String,
    pub requester_kind: String,
    pub requester_id: String,
    pub customer_id: Option<String>,
    pub device_id: Option<String>,
    pub target: String,
    /// The kind's parameters as a JSON object.
    #[schema(value_type = Object)]
    pub params: serde_json::Value,
    pub state: String,
    pub detail: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommandsPage {
    pub commands: Vec<CommandRecord>,
    pub pagination: Pagination,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommandQuery {
    pub limit: Option<String>,
    pub offset: Option<String>,
    pub customer_id: Option<String>,
    pub state: Option<String>,
    pub kind: Option<String>,
}

pub fn command_record(c: CommandRow) -> CommandRecord {
    CommandRecord {
        params: serde_json::from_str(&c.params).unwrap_or(serde_json::Value::Null),
        id: c.id,
        kind: c.kind,
        requester_kind: c.requester_kind,
        requester_id: c.requester_id,
        customer_id: c.customer_id,
        device_id: c.device_id,
        target: c.target,
        state: c.state,
        detail: c.detail,
        created_at: c.created_at,
        updated_at: c.updated_at,
    }
}

const COMMAND_READERS: &[StaffRole] = &[StaffRole::Noc, StaffRole::Support];

#[utoipa::path(get, path = "/commands", tag = "admin", security(("bearer" = [])),
    params(CommandQuery),
    responses((status = 200, body = Envelope<CommandsPage>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_commands(
    State(state): State<AppState>,
    auth: StaffAuth,
    ApiQuery(q): ApiQuery<CommandQuery>,
) -> ApiResult<CommandsPage> {
    auth.require(COMMAND_READERS)?;
    let page = PageQuery {
        limit: q.limit,
        offset: q.offset,
    }
    .page()?;
    let bad = |e: crate::domain::enums::UnknownValue| ApiError::bad_request(e.to_string());
    let filter = CommandFilter {
        customer_id: non_empty(q.customer_id),
        state: non_empty(q.state)
            .map(|s| CommandState::parse(&s).map(|s| s.as_str().to_owned()))
            .transpose()
            .map_err(bad)?,
        kind: non_empty(q.kind)
            .map(|k| CommandKind::parse(&k).map(|k| k.as_str().to_owned()))
            .transpose()
            .map_err(bad)?,
    };
    let commands = state.store.list_commands(&filter, page).await?;
    ok(CommandsPage {
        commands: commands.rows.into_iter().map(command_record).collect(),
        pagination: Pagination {
            total: commands.total,
            limit: page.limit,
            offset: page.offset,
        },
    })
}

#[utoipa::path(get, path = "/commands/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Envelope<CommandRecord>), (status = 404, body = ErrorBody)))]
pub async fn get_command(
    State(state): State<AppState>,
    auth: StaffAuth,
    Path(id): Path<String>,
) -> ApiResult<CommandRecord> {
    auth.require(COMMAND_READERS)?;
    let command = state
        .store
        .command(&id)
        .await
        .map_err(|e| ApiError::from_store(e, "command"))?;
    ok(command_record(command))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditRecord {
    pub id: String,
    pub at: String,
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    pub action: String,
    pub target_kind: String,
    pub target_id: Option<String>,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    pub client_ip: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub entries: Vec<AuditRecord>,
    pub pagination: Pagination,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    pub limit: Option<String>,
    pub offset: Option<String>,
    /// `customer`, `staff`, `system` or `agent`.
    pub actor_kind: Option<String>,
    pub actor_id: Option<String>,
    /// Exact action, e.g. `customer.update`.
    pub action: Option<String>,
    pub target_kind: Option<String>,
    pub target_id: Option<String>,
}

fn audit_record(a: AuditRow) -> AuditRecord {
    AuditRecord {
        detail: serde_json::from_str(&a.detail).unwrap_or(serde_json::Value::Null),
        id: a.id,
        at: a.at,
        actor_kind: a.actor_kind,
        actor_id: a.actor_id,
        actor_name: a.actor_name,
        action: a.action,
        target_kind: a.target_kind,
        target_id: a.target_id,
        client_ip: a.client_ip,
    }
}

#[utoipa::path(get, path = "/audit-log", tag = "admin", security(("bearer" = [])),
    params(AuditQuery),
    responses((status = 200, description = "Newest first", body = Envelope<AuditPage>), (status = 403, body = ErrorBody)))]
pub async fn list_audit(
    State(state): State<AppState>,
    auth: StaffAuth,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<AuditPage> {
    auth.require(&[StaffRole::Admin])?;
    let page = PageQuery {
        limit: q.limit,
        offset: q.offset,
    }
    .page()?;
    let filter = AuditFilter {
        actor_kind: non_empty(q.actor_kind),
        actor_id: non_empty(q.actor_id),
        action: non_empty(q.action),
        target_kind: non_empty(q.target_kind),
        target_id: non_empty(q.target_id),
    };
    let entries = state.store.list_audit(&filter, page).await?;
    ok(AuditPage {
        entries: entries.rows.into_iter().map(audit_record).collect(),
        pagination: Pagination {
            total: entries.total,
            limit: page.limit,
            offset: page.offset,
        },
    })
}
