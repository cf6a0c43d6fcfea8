//! Request extractors whose failures answer in the seed's error envelope with a 400, never a
//! 500 or a plain-text rejection.

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::response::ApiError;
use crate::store::Page;

/// A JSON body. The content type is not required (some mobile clients omit it); the body must
/// parse into `T`, and the error says where it did not.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|err| {
            ApiError::new(
                err.status(),
                format!("unable to read request body: {}", err.body_text()),
            )
        })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(ApiError::bad_request("request body must be a JSON object"));
        }
        serde_json::from_slice(&bytes)
            .map(ApiJson)
            .map_err(|err| ApiError::bad_request(format!("invalid JSON body: {err}")))
    }
}

/// Query parameters parsed into `T`, with a 400 naming the bad parameter.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        serde_urlencoded_from_str(query)
            .map(ApiQuery)
            .map_err(|err| ApiError::bad_request(format!("invalid query parameters: {err}")))
    }
}

fn serde_urlencoded_from_str<T: DeserializeOwned>(query: &str) -> Result<T, String> {
    axum::extract::Query::<T>::try_from_uri(
        &format!("/?{query}")
            .parse()
            .map_err(|e: axum::http::uri::InvalidUri| e.to_string())?,
    )
    .map(|q| q.0)
    .map_err(|e| e.body_text())
}

/// The address of the client: the TCP peer, or behind a trusted reverse proxy the address it
/// forwards (`[limits] trusted_proxies`, see `client_address.rs`).
#[derive(Debug, Clone)]
pub struct ClientIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let Some(peer) = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
        else {
            return Ok(ClientIp("unknown".to_owned()));
        };
        let forwarded_for = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|value| value.to_str().ok());
        let ip = match parts
            .extensions
            .get::<std::sync::Arc<crate::http::client_address::TrustedProxies>>()
        {
            Some(proxies) => proxies.client(peer, forwarded_for),
            None => peer,
        };
        Ok(ClientIp(ip.to_string()))
    }
}

/// `limit` and `offset` as query strings, checked: limit 1..=100 (default 20), offset ≥ 0.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Number of records (default 20, at most 100).
    pub limit: Option<String>,
    /// Records to skip (default 0).
    pub offset: Option<String>,
}

impl PageQuery {
    pub fn page(&self) -> Result<Page, ApiError> {
        let limit = page_limit(self.limit.as_deref())?;
        let offset = parse_bounded("offset", self.offset.as_deref(), 0, 0, i64::MAX / 2)?;
        Ok(Page { limit, offset })
    }
}

/// A page's `limit` as a query string, checked as `PageQuery` checks it: 1..=100, default 20.
pub fn page_limit(limit: Option<&str>) -> Result<i64, ApiError> {
    parse_bounded("limit", limit, 20, 1, 100)
}

fn parse_bounded(
    name: &str,
    value: Option<&str>,
    default: i64,
    min: i64,
    max: i64,
) -> Result<i64, ApiError> {
    match value.map(str::trim) {
        None | Some("") => Ok(default),
        Some(text) => match text.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(ApiError::bad_request(format!(
                "{name} must be a whole number from {min} to {max}"
            ))),
        },
    }
}

/// Trims an optional text field and turns empty into none.
pub fn non_empty(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// A required text field, trimmed, with a length limit.
pub fn required_text(
    field: &str,
    value: Option<String>,
    max_chars: usize,
) -> Result<String, ApiError> {
    let text =
        non_empty(value).ok_or_else(|| ApiError::bad_request(format!("{field} is required")))?;
    if text.chars().count() > max_chars {
        return Err(ApiError::bad_request(format!(
            "{field} must be at most {max_chars} characters"
        )));
    }
    Ok(text)
}

/// An optional text field, trimmed, with a length limit.
pub fn optional_text(
    field: &str,
    value: Option<String>,
    max_chars: usize,
) -> Result<Option<String>, ApiError> {
    match non_empty(value) {
        Some(text) if text.chars().count() > max_chars => Err(ApiError::bad_request(format!(
            "{field} must be at most {max_chars} characters"
        ))),
        other => Ok(other),
    }
}
