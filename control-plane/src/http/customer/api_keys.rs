//! A customer's own API keys (seeds 002 and 003): list, make (the key shown once) and revoke.
//! Managing keys needs a login token; staff do the same for a customer through
//! `http/admin/customer_api_keys.rs`, which shares `issue`, `view` and the shapes here.

use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::auth::api_keys::{key_hash, new_customer_key, shown_prefix};
use crate::domain::time::{api_timestamp, now, parse_timestamp, timestamp_text};
use crate::domain::ApiKeyScope;
use crate::http::audit::{self, Actor};
use crate::http::extract::{required_text, ApiJson, ClientIp};
use crate::http::principal::CustomerAuth;
use crate::http::response::{ok, ok_with, ApiError, ApiResult, Envelope, ErrorBody};
use crate::http::state::AppState;
use crate::store::customer_api_keys::{CustomerApiKeyRow, NewCustomerApiKey};

/// Keys a customer may hold at once (revoked and expired ones do not count).
const MAX_ACTIVE_KEYS: usize = 20;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerApiKeyBody {
    /// What the key is for, e.g. `monitoring`.
    pub name: Option<String>,
    /// Any of `read` (every GET of the customer API), `devices` (device actions), `billing`
    /// (payments and recharges), `support` (opening and answering tickets). Default `["read"]`.
    pub scopes: Option<Vec<String>>,
    /// When the key stops working, RFC 3339 (e.g. `2027-01-01T00:00:00Z`), in the future.
    /// Absent or null: it does not expire.
    pub expires_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerApiKeyView {
    pub id: String,
    pub name: String,
    /// The key's first characters.
    pub prefix: String,
    pub scopes: Vec<String>,
    /// `active`, `expired` or `revoked`.
    pub status: String,
    /// `customer` or `staff`.
    pub created_by: String,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub last_used_at: Option<String>,
    /// Requests the key was served (refused ones do not count).
    pub request_count: i64,
    pub revoked_at: Option<String>,
}

/// A new key, shown only now.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedCustomerApiKey {
    pub api_key: CustomerApiKeyView,
    /// Send as `Authorization: Bearer <key>`.
    pub key: String,
}

/// `active`, `expired` or `revoked` at `now` (stored timestamp text).
pub fn key_status(k: &CustomerApiKeyRow, now: &str) -> &'static str {
    if k.revoked_at.is_some() {
        "revoked"
    } else if k.expires_at.as_deref().is_some_and(|at| at <= now) {
        "expired"
    } else {
        "active"
    }
}

pub fn view(k: CustomerApiKeyRow) -> CustomerApiKeyView {
    let status = key_status(&k, &crate::store::now_text());
    CustomerApiKeyView {
        id: k.id,
        name: k.name,
        prefix: k.prefix,
        scopes: k.scopes.split(' ').map(str::to_owned).collect(),
        status: status.to_owned(),
        created_by: k.created_by_kind,
        created_at: api_timestamp(&k.created_at),
        expires_at: k.expires_at.as_deref().map(api_timestamp),
        last_used_at: k.last_used_at.as_deref().map(api_timestamp),
        request_count: k.request_count,
        revoked_at: k.revoked_at.as_deref().map(api_timestamp),
    }
}

/// The scopes, checked, without repeats, in a fixed order, space-separated.
fn scopes_text(scopes: Option<Vec<String>>) -> Result<String, ApiError> {
    let asked = scopes.unwrap_or_else(|| vec![ApiKeyScope::Read.as_str().to_owned()]);
    if asked.is_empty() {
        return Err(ApiError::bad_request("scopes must name at least one scope"));
    }
    let mut chosen = Vec::new();
    for text in &asked {
        chosen.push(
            ApiKeyScope::parse(text.trim())
                .map_err(|e| ApiError::bad_request(format!("scopes: {e}")))?,
        );
    }
    let names: Vec<&str> = ApiKeyScope::ALL
        .iter()
        .filter(|s| chosen.contains(s))
        .map(|s| s.as_str())
        .collect();
    Ok(names.join(" "))
}

fn expiry_text(expires_at: Option<String>) -> Result<Option<String>, ApiError> {
    let Some(text) = expires_at
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
    else {
        return Ok(None);
    };
    let at = parse_timestamp(&text).ok_or_else(|| {
        ApiError::bad_request("expires_at must be an RFC 3339 time, e.g. 2027-01-01T00:00:00Z")
    })?;
    if at <= now() {
        return Err(ApiError::bad_request("expires_at must be in the future"));
    }
    Ok(Some(timestamp_text(at)))
}

/// How many of the customer's keys work now.
pub async fn active_keys(state: &AppState, customer_id: &str) -> Result<usize, ApiError> {
    let now = crate::store::now_text();
    let keys = state.store.customer_api_keys(customer_id).await?;
    Ok(keys
        .iter()
        .filter(|k| key_status(k, &now) == "active")
        .count())
}

/// Makes a key for the customer and audits it as `actor`'s `api_key.create`.
pub async fn issue(
    state: &AppState,
    customer_id: &str,
    body: CustomerApiKeyBody,
    actor: &Actor,
) -> Result<CreatedCustomerApiKey, ApiError> {
    let name = required_text("name", body.name, 64)?;
    let scopes = scopes_text(body.scopes)?;
    let expires_at = expiry_text(body.expires_at)?;
    let active = active_keys(state, customer_id).await?;
    if active >= MAX_ACTIVE_KEYS {
        return Err(ApiError::conflict(format!(
            "a customer may hold at most {MAX_ACTIVE_KEYS} active API keys; revoke one first"
        )));
    }
    let key = new_customer_key();
    let api_key = state
        .store
        .insert_customer_api_key(&NewCustomerApiKey {
            customer_id,
            name: &name,
            prefix: &shown_prefix(&key),
            key_hash: &key_hash(&key),
            scopes: &scopes,
            created_by_kind: actor.kind,
            created_by_id: &actor.id,
            expires_at: expires_at.as_deref(),
        })
        .await?;
    audit::record(
        state,
        actor,
        "api_key.create",
        "customer_api_key",
        Some(&api_key.id),
        json!({
            "customer_id": customer_id,
            "name": api_key.name,
            "prefix": api_key.prefix,
            "scopes": api_key.scopes,
            "expires_at": api_key.expires_at,
        }),
    )
    .await?;
    Ok(CreatedCustomerApiKey {
        api_key: view(api_key),
        key,
    })
}

/// Revokes one of the customer's keys and audits it as `actor`'s `api_key.revoke`.
pub async fn withdraw(
    state: &AppState,
    customer_id: &str,
    key_id: &str,
    actor: &Actor,
) -> Result<CustomerApiKeyView, ApiError> {
    let api_key = state
        .store
        .revoke_customer_api_key(customer_id, key_id)
        .await
        .map_err(|e| ApiError::from_store(e, "API key"))?;
    audit::record(
        state,
        actor,
        "api_key.revoke",
        "customer_api_key",
        Some(key_id),
        json!({ "customer_id": customer_id, "name": api_key.name }),
    )
    .await?;
    Ok(view(api_key))
}

#[utoipa::path(get, path = "/api-keys", tag = "customer", security(("bearer" = [])),
    responses(
        (status = 200, description = "The customer's keys, newest first", body = Envelope<Vec<CustomerApiKeyView>>),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorBody),
        (status = 403, description = "Called with an API key", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    auth: CustomerAuth,
) -> ApiResult<Vec<CustomerApiKeyView>> {
    auth.require_login()?;
    let keys = state.store.customer_api_keys(&auth.customer_id).await?;
    ok(keys.into_iter().map(view).collect())
}

#[utoipa::path(post, path = "/api-keys", tag = "customer", security(("bearer" = [])),
    request_body = CustomerApiKeyBody,
    responses(
        (status = 200, description = "Key made; it is shown only now", body = Envelope<CreatedCustomerApiKey>),
        (status = 400, description = "Missing name, unknown scope or bad expiry", body = ErrorBody),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorBody),
        (status = 403, description = "Called with an API key", body = ErrorBody),
        (status = 409, description = "Too many active keys", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    auth: CustomerAuth,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<CustomerApiKeyBody>,
) -> ApiResult<CreatedCustomerApiKey> {
    auth.require_login()?;
    let created = issue(
        &state,
        &auth.customer_id,
        body,
        &Actor::customer(&auth, &ip),
    )
    .await?;
    ok_with(created, "API key made. Store it now: it is not shown again")
}

#[utoipa::path(delete, path = "/api-keys/{key_id}", tag = "customer", security(("bearer" = [])),
    params(("key_id" = String, Path, description = "API key id")),
    responses(
        (status = 200, description = "Key revoked; it works no more", body = Envelope<CustomerApiKeyView>),
        (status = 401, description = "Missing, invalid or expired token", body = ErrorBody),
        (status = 403, description = "Called with an API key", body = ErrorBody),
        (status = 404, description = "No such key for this customer", body = ErrorBody),
    ))]
pub async fn revoke(
    State(state): State<AppState>,
    auth: CustomerAuth,
    ClientIp(ip): ClientIp,
    Path(key_id): Path<String>,
) -> ApiResult<CustomerApiKeyView> {
    auth.require_login()?;
    let revoked = withdraw(
        &state,
        &auth.customer_id,
        &key_id,
        &Actor::customer(&auth, &ip),
    )
    .await?;
    ok_with(revoked, "API key revoked")
}
