//! Edge agents: register one for a site (its token is shown once), list them with their
//! connection state, and revoke one (which also drops its live connection).

use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::domain::StaffRole;
use crate::http::audit::{self, Actor};
use crate::http::extract::{required_text, ApiJson, ClientIp};
use crate::http::principal::StaffAuth;
use crate::http::response::{ok, ok_with, ApiError, ApiResult, Envelope, ErrorBody};
use crate::http::state::AppState;
use crate::ingest::agents::{ConnectionInfo, Eviction};
use crate::ingest::session::token_hash;
use crate::store::agents::AgentRow;

const ROLES: &[StaffRole] = &[StaffRole::Admin, StaffRole::Noc];

#[derive(Debug, Serialize, ToSchema)]
pub struct AgentRecord {
    pub id: String,
    pub name: String,
    pub site_id: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
    /// Connected to this control-plane process now.
    pub connected: bool,
    pub connected_since: Option<String>,
    pub last_seen_at: Option<String>,
    pub agent_version: Option<String>,
    pub protocol_version: Option<i64>,
    /// The agent's clock minus ours, in milliseconds (includes one-way network delay).
    pub clock_offset_ms: Option<i64>,
    /// Highest `Samples` batch acknowledged.
    pub last_batch_seq: Option<i64>,
}

/// A new agent and its token. The token is shown only in this answer; the store keeps its hash.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedAgent {
    pub agent: AgentRecord,
    pub token: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AgentBody {
    /// Unique name, usually the site's; letters, digits, `.`, `_` and `-`.
    pub name: Option<String>,
    pub site_id: Option<String>,
}

fn record(agent: AgentRow, connection: Option<&ConnectionInfo>) -> AgentRecord {
    AgentRecord {
        connected: connection.is_some() && agent.revoked_at.is_none(),
        connected_since: connection.map(|c| c.connected_at.clone()),
        id: agent.id,
        name: agent.name,
        site_id: agent.site_id,
        created_at: agent.created_at,
        revoked_at: agent.revoked_at,
        last_seen_at: agent.last_seen_at,
        agent_version: agent.agent_version,
        protocol_version: agent.protocol_version,
        clock_offset_ms: agent.clock_offset_ms,
        last_batch_seq: agent.last_batch_seq,
    }
}

fn agent_name(name: Option<String>) -> Result<String, ApiError> {
    let name = required_text("name", name, 64)?;
    if name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        Ok(name)
    } else {
        Err(ApiError::bad_request(
            "name may contain only letters, digits, '.', '_' and '-'",
        ))
    }
}

#[utoipa::path(post, path = "/agents", tag = "admin", security(("bearer" = [])),
    request_body = AgentBody,
    responses(
        (status = 200, description = "Agent registered; the token is shown only now", body = Envelope<IssuedAgent>),
        (status = 400, description = "Invalid field or unknown site", body = ErrorBody),
        (status = 403, description = "Role may not do this", body = ErrorBody),
        (status = 409, description = "Name taken", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    auth: StaffAuth,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<AgentBody>,
) -> ApiResult<IssuedAgent> {
    auth.require(ROLES)?;
    let name = agent_name(body.name)?;
    let site_id = required_text("site_id", body.site_id, 64)?;
    state.store.site(&site_id).await.map_err(|e| match e {
        crate::store::StoreError::NotFound => ApiError::bad_request("site_id names no site"),
        other => ApiError::from(other),
    })?;
    let token = hex::encode(rand::random::<[u8; 32]>());
    let agent = state
        .store
        .insert_agent(&name, &site_id, &token_hash(&token))
        .await?;
    audit::record(
        &state,
        &Actor::staff(&auth, &ip),
        "agent.create",
        "agent",
        Some(&agent.id),
        json!({ "name": agent.name, "site_id": agent.site_id }),
    )
    .await?;
    ok_with(
        IssuedAgent {
            agent: record(agent, None),
            token,
        },
        "Agent registered. Store the token now: it is not shown again",
    )
}

#[utoipa::path(get, path = "/agents", tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, description = "Agents by name, with their connection state", body = Envelope<Vec<AgentRecord>>),
        (status = 403, description = "Role may not do this", body = ErrorBody),
    ))]
pub async fn list(State(state): State<AppState>, auth: StaffAuth) -> ApiResult<Vec<AgentRecord>> {
    auth.require(ROLES)?;
    let connected = state.ingest.agents.connected();
    let agents = state.store.list_agents().await?;
    ok(agents
        .into_iter()
        .map(|a| {
            let connection = connected.get(&a.id);
            record(a, connection)
        })
        .collect())
}

#[utoipa::path(delete, path = "/agents/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "Token revoked and any live connection dropped", body = Envelope<AgentRecord>),
        (status = 403, description = "Role may not do this", body = ErrorBody),
        (status = 404, description = "No such agent", body = ErrorBody),
    ))]
pub async fn revoke(
    State(state): State<AppState>,
    auth: StaffAuth,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
) -> ApiResult<AgentRecord> {
    auth.require(ROLES)?;
    let agent = state
        .store
        .revoke_agent(&id)
        .await
        .map_err(|e| ApiError::from_store(e, "agent"))?;
    let dropped = state.ingest.agents.evict(&agent.id, Eviction::Revoked);
    audit::record(
        &state,
        &Actor::staff(&auth, &ip),
        "agent.revoke",
        "agent",
        Some(&agent.id),
        json!({ "name": agent.name, "dropped_connection": dropped }),
    )
    .await?;
    ok_with(record(agent, None), "Agent token revoked")
}
