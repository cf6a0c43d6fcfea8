//! Admins make API keys for staff scripts, each with one staff role, list and revoke them. A
//! key is shown once; an API key cannot manage keys.

use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::auth::api_keys::{key_hash, new_key, shown_prefix};
use crate::domain::StaffRole;
use crate::http::audit::{self, Actor};
use crate::http::extract::{non_empty, required_text, ApiJson, ClientIp};
use crate::http::principal::StaffAuth;
use crate::http::response::{ok, ok_with, ApiError, ApiResult, Envelope, ErrorBody};
use crate::http::state::AppState;
use crate::store::api_keys::ApiKeyRow;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiKeyBody {
    /// What the key is for, e.g. `accounting-export`.
    pub name: Option<String>,
    /// The staff role the key acts with: `admin`, `noc`, `billing` or `support`.
    pub role: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyView {
    pub id: String,
    pub name: String,
    /// The key's first characters.
    pub prefix: String,
    pub role: String,
    /// The admin who made it; the key stops working when that account is disabled.
    pub created_by: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// A new key, shown only now.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiKey {
    pub api_key: ApiKeyView,
    /// Send as `Authorization: Bearer <key>`.
    pub key: String,
}

fn view(k: ApiKeyRow) -> ApiKeyView {
    ApiKeyView {
        id: k.id,
        name: k.name,
        prefix: k.prefix,
        role: k.role,
        created_by: k.created_by,
        created_at: k.created_at,
        last_used_at: k.last_used_at,
        revoked_at: k.revoked_at,
    }
}

fn require_admin_login(auth: &StaffAuth) -> Result<(), ApiError> {
    auth.require(&[StaffRole::Admin])?;
    auth.require_login()
}

#[utoipa::path(post, path = "/api-keys", tag = "admin", security(("bearer" = [])),
    request_body = ApiKeyBody,
    responses(
        (status = 200, description = "Key made; it is shown only now", body = Envelope<CreatedApiKey>),
        (status = 400, description = "Missing name or unknown role", body = ErrorBody),
        (status = 403, description = "Not an admin, or called with an API key", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    auth: StaffAuth,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<ApiKeyBody>,
) -> ApiResult<CreatedApiKey> {
    require_admin_login(&auth)?;
    let name = required_text("name", body.name, 64)?;
    let role = non_empty(body.role)
        .ok_or_else(|| ApiError::bad_request("role is required"))
        .and_then(|r| StaffRole::parse(&r).map_err(|e| ApiError::bad_request(e.to_string())))?;
    let key = new_key();
    let api_key = state
        .store
        .insert_api_key(
            &name,
            &shown_prefix(&key),
            &key_hash(&key),
            role.as_str(),
            &auth.staff_id,
        )
        .await?;
    audit::record(
        &state,
        &Actor::staff(&auth, &ip),
        "api_key.create",
        "api_key",
        Some(&api_key.id),
        json!({ "name": api_key.name, "role": api_key.role, "prefix": api_key.prefix }),
    )
    .await?;
    ok_with(
        CreatedApiKey {
            api_key: view(api_key),
            key,
        },
        "API key made. Store it now: it is not shown again",
    )
}

#[utoipa::path(get, path = "/api-keys", tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, description = "Every key, newest first", body = Envelope<Vec<ApiKeyView>>),
        (status = 403, description = "Not an admin, or called with an API key", body = ErrorBody),
    ))]
pub async fn list(State(state): State<AppState>, auth: StaffAuth) -> ApiResult<Vec<ApiKeyView>> {
    require_admin_login(&auth)?;
    let keys = state.store.list_api_keys().await?;
    ok(keys.into_iter().map(view).collect())
}

#[utoipa::path(delete, path = "/api-keys/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "API key id")),
    responses(
        (status = 200, description = "Key revoked; it works no more", body = Envelope<ApiKeyView>),
        (status = 403, description = "Not an admin, or called with an API key", body = ErrorBody),
        (status = 404, description = "No such key", body = ErrorBody),
    ))]
pub async fn revoke(
    State(state): State<AppState>,
    auth: StaffAuth,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
) -> ApiResult<ApiKeyView> {
    require_admin_login(&auth)?;
    let api_key = state
        .store
        .revoke_api_key(&id)
        .await
        .map_err(|e| ApiError::from_store(e, "API key"))?;
    audit::record(
        &state,
        &Actor::staff(&auth, &ip),
        "api_key.revoke",
        "api_key",
        Some(&id),
        json!({ "name": api_key.name }),
    )
    .await?;
    ok_with(view(api_key), "API key revoked")
}
