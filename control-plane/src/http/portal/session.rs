//! The portals' sessions: the same JWT the API issues, kept in an HttpOnly, SameSite=Strict
//! cookie (`Secure` as `[portal] secure_cookies` says), and the checks on who may use it.

use axum::http::header::{COOKIE, HOST, ORIGIN};
use axum::http::{HeaderMap, HeaderName, HeaderValue};

use super::settings::{PortalRuntime, SecureCookies};
use crate::http::response::ApiError;

/// The subscriber portal's session; `Path=/` so the live stream under `/api` receives it.
pub const SUBSCRIBER_COOKIE: &str = "netops_session";
/// The NOC console's session, sent only under `/noc`.
pub const STAFF_COOKIE: &str = "netops_noc_session";
/// A login form's anti-forgery nonce, set when the form is shown.
pub const LOGIN_NONCE_COOKIE: &str = "netops_login_nonce";

/// The value of cookie `name`, if the request carries it.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim())
        .filter(|value| !value.is_empty())
}

/// The subscriber portal's token, if the request carries one.
pub fn subscriber_cookie(headers: &HeaderMap) -> Option<&str> {
    cookie(headers, SUBSCRIBER_COOKIE)
}

/// Refuses a request whose `Origin` names another site than its `Host` (or, behind a reverse
/// proxy that rewrites `Host`, its `X-Forwarded-Host`): a cookie-authenticated WebSocket or
/// stream opened from a foreign page. Requests without `Origin` come from the portal's own
/// same-origin `EventSource` or from non-browser clients. Pages cannot set either host header
/// on a stream or WebSocket they open, so a foreign page cannot pass this check.
pub fn check_same_origin(headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(origin) = headers.get(ORIGIN).and_then(|o| o.to_str().ok()) else {
        return Ok(());
    };
    let origin_host = origin
        .split_once("://")
        .map(|(_, rest)| rest.trim_end_matches('/'));
    let matches = |name: HeaderName| {
        headers
            .get_all(name)
            .iter()
            .filter_map(|h| h.to_str().ok())
            .flat_map(|h| h.split(','))
            .any(|host| origin_host.is_some_and(|o| o.eq_ignore_ascii_case(host.trim())))
    };
    if matches(HOST) || matches(X_FORWARDED_HOST) {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "the session cookie is accepted only from this site's own pages",
        ))
    }
}

const X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");

/// Whether cookies set in answer to this request are marked `Secure`.
pub fn secure(runtime: &PortalRuntime, headers: &HeaderMap) -> bool {
    match runtime.secure_cookies {
        SecureCookies::Always => true,
        SecureCookies::Never => false,
        SecureCookies::Auto => headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https")),
    }
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, for `max_age_secs` (0 removes it).
pub fn set_cookie(
    name: &str,
    value: &str,
    path: &str,
    max_age_secs: i64,
    secure: bool,
) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let text = format!(
        "{name}={value}; Path={path}; Max-Age={max_age_secs}; HttpOnly; SameSite=Strict{secure}"
    );
    // Names, tokens and paths are ASCII without control characters.
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(*k, HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn cookies_are_found_by_exact_name() {
        let h = headers(&[("cookie", "a=1; netops_session=tok; netops_session_x=no")]);
        assert_eq!(subscriber_cookie(&h), Some("tok"));
        let h = headers(&[("cookie", "netops_session_x=no"), ("cookie", "b=2")]);
        assert_eq!(subscriber_cookie(&h), None);
        let h = headers(&[("cookie", "netops_session=")]);
        assert_eq!(subscriber_cookie(&h), None);
    }

    #[test]
    fn foreign_origins_are_refused() {
        let same = headers(&[
            ("origin", "http://127.0.0.1:8080"),
            ("host", "127.0.0.1:8080"),
        ]);
        assert!(check_same_origin(&same).is_ok());
        let none = headers(&[("host", "127.0.0.1:8080")]);
        assert!(check_same_origin(&none).is_ok());
        let foreign = headers(&[
            ("origin", "https://evil.example"),
            ("host", "127.0.0.1:8080"),
        ]);
        assert_eq!(
            check_same_origin(&foreign).unwrap_err().status.as_u16(),
            403
        );
        let null = headers(&[("origin", "null"), ("host", "127.0.0.1:8080")]);
        assert!(check_same_origin(&null).is_err());
        let proxied = headers(&[
            ("origin", "https://portal.isp.example"),
            ("host", "127.0.0.1:8080"),
            ("x-forwarded-host", "portal.isp.example"),
        ]);
        assert!(check_same_origin(&proxied).is_ok());
        let proxied_foreign = headers(&[
            ("origin", "https://evil.example"),
            ("host", "127.0.0.1:8080"),
            ("x-forwarded-host", "portal.isp.example"),
        ]);
        assert!(check_same_origin(&proxied_foreign).is_err());
    }

    #[test]
    fn cookie_attributes() {
        let v = set_cookie("n", "v", "/noc", 60, true);
        assert_eq!(
            v.to_str().unwrap(),
            "n=v; Path=/noc; Max-Age=60; HttpOnly; SameSite=Strict; Secure"
        );
        let auto = PortalRuntime::ephemeral();
        assert!(secure(&auto, &headers(&[("x-forwarded-proto", "https")])));
        assert!(!secure(&auto, &headers(&[])));
    }
}
