//! A customer API key on the customer API: which scope each request needs, and the checks a
//! key passes (known, not revoked, not expired, in scope, within the customer's rate limit)
//! before it acts as its customer. Each request it is let through is counted once.

use axum::http::Method;

use super::principal::{take_customer_budget, CustomerAuth, CustomerKeyUse};
use super::response::ApiError;
use super::state::AppState;
use super::CUSTOMER_API_BASES;
use crate::auth::api_keys::key_hash;
use crate::domain::ApiKeyScope;
use crate::store::StoreError;

/// The scope a request needs, or why no key may make it (a login token must).
pub fn required_scope(method: &Method, path: &str) -> Result<ApiKeyScope, &'static str> {
    let path = CUSTOMER_API_BASES
        .iter()
        .find_map(|base| path.strip_prefix(base))
        .unwrap_or(path);
    let under = |prefix: &str| {
        path == prefix
            || path
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with('/'))
    };
    if under("/api-keys") || under("/auth") {
        return Err("an API key cannot manage API keys or log in; use a login token");
    }
    if *method == Method::GET || *method == Method::HEAD {
        return Ok(ApiKeyScope::Read);
    }
    if *method == Method::POST {
        if under("/device") {
            return Ok(ApiKeyScope::Devices);
        }
        if path == "/payments/initiate" || path == "/recharge" {
            return Ok(ApiKeyScope::Billing);
        }
        if under("/support/tickets") {
            return Ok(ApiKeyScope::Support);
        }
    }
    Err("an API key cannot change the profile, packages or notifications; use a login token")
}

/// Checks a `nck_` key for a request to `method path` and takes one call from its customer's
/// request budget.
pub async fn customer_from_api_key(
    state: &AppState,
    key: &str,
    method: &Method,
    path: &str,
) -> Result<CustomerAuth, ApiError> {
    let api_key = match state.store.customer_api_key_by_hash(&key_hash(key)).await {
        Ok(api_key) => api_key,
        Err(StoreError::NotFound) => return Err(ApiError::unauthorized("invalid API key")),
        Err(err) => return Err(ApiError::from(err)),
    };
    if api_key.revoked_at.is_some() {
        return Err(ApiError::unauthorized("API key has been revoked"));
    }
    let now = crate::store::now_text();
    if api_key
        .expires_at
        .as_deref()
        .is_some_and(|at| at <= now.as_str())
    {
        return Err(ApiError::unauthorized("API key has expired"));
    }
    let scope = required_scope(method, path).map_err(ApiError::forbidden)?;
    if !api_key.scopes.split(' ').any(|s| s == scope.as_str()) {
        return Err(ApiError::forbidden(format!(
            "this API key lacks the {scope} scope needed for {method} {path}; its scopes: {}",
            api_key.scopes
        )));
    }
    take_customer_budget(state, &api_key.customer_id)?;
    state.store.count_customer_api_key_use(&api_key).await?;
    Ok(CustomerAuth {
        customer_id: api_key.customer_id,
        api_key: Some(CustomerKeyUse {
            id: api_key.id,
            name: api_key.name,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(method: Method, path: &str, expected: Option<ApiKeyScope>) {
        assert_eq!(
            required_scope(&method, path).ok(),
            expected,
            "{method} {path}"
        );
    }

    #[test]
    fn scopes_by_route() {
        use ApiKeyScope::*;
        check(Method::GET, "/network/status", Some(Read));
        check(Method::GET, "/api/v1/customer/usage-stats", Some(Read));
        check(
            Method::GET,
            "/functions/v1/customer-api/bills/b1",
            Some(Read),
        );
        check(Method::POST, "/device/reboot-router", Some(Devices));
        check(
            Method::POST,
            "/api/v1/customer/device/disconnect",
            Some(Devices),
        );
        check(Method::POST, "/payments/initiate", Some(Billing));
        check(Method::POST, "/recharge", Some(Billing));
        check(Method::POST, "/support/tickets", Some(Support));
        check(
            Method::POST,
            "/support/tickets/TKT-1/messages",
            Some(Support),
        );
        // Key management, logins and account changes need a login token.
        check(Method::GET, "/api-keys", None);
        check(Method::POST, "/api/v1/customer/api-keys", None);
        check(Method::DELETE, "/api-keys/k1", None);
        check(Method::POST, "/auth/verify", None);
        check(Method::PUT, "/profile", None);
        check(Method::POST, "/packages/change", None);
        check(Method::PUT, "/notifications/n1/read", None);
        check(Method::POST, "/devices-other", None);
        check(Method::POST, "/payments", None);
    }
}
