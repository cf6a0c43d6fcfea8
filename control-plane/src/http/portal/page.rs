//! Turning templates into responses: the HTML answer, the error page, the redirect to login
//! when a session is missing or over, and the security headers every portal answer carries.

use askama::Template;
use axum::extract::Request;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION, RETRY_AFTER};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::http::response::ApiError;

/// No inline scripts or styles anywhere: every script and the stylesheet are files under
/// `/assets/`.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; \
    frame-ancestors 'none'; base-uri 'none'";

/// Which portal an answer belongs to: where its login page is and what its home is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Portal {
    Subscriber,
    Noc,
}

impl Portal {
    pub fn login_path(self) -> &'static str {
        match self {
            Portal::Subscriber => "/login",
            Portal::Noc => "/noc/login",
        }
    }

    pub fn home_path(self) -> &'static str {
        match self {
            Portal::Subscriber => "/",
            Portal::Noc => "/noc",
        }
    }

    /// An API error as this portal shows it.
    pub fn error(self, err: ApiError) -> PortalError {
        PortalError {
            portal: self,
            status: err.status,
            message: err.message,
            retry_after_secs: err.retry_after_secs,
        }
    }

    pub fn bad_request(self, message: impl Into<String>) -> PortalError {
        self.error(ApiError::bad_request(message))
    }

    pub fn forbidden(self, message: impl Into<String>) -> PortalError {
        self.error(ApiError::forbidden(message))
    }
}

/// A failed portal request. A 401 sends the browser to the login page; anything else is an
/// error page with the status code and the reason in plain words.
#[derive(Debug)]
pub struct PortalError {
    pub portal: Portal,
    pub status: StatusCode,
    pub message: String,
    pub retry_after_secs: Option<u64>,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: String,
    message: &'a str,
    home: &'static str,
    css: &'static str,
}

impl IntoResponse for PortalError {
    fn into_response(self) -> Response {
        if self.status == StatusCode::UNAUTHORIZED {
            return redirect(self.portal.login_path());
        }
        let page = ErrorPage {
            title: format!(
                "{} {}",
                self.status.as_u16(),
                self.status.canonical_reason().unwrap_or("Error")
            ),
            message: &self.message,
            home: self.portal.home_path(),
            css: super::assets::STYLESHEET,
        };
        let mut response = html(&page);
        *response.status_mut() = self.status;
        if let Some(secs) = self.retry_after_secs {
            if let Ok(value) = HeaderValue::from_str(&secs.to_string()) {
                response.headers_mut().insert(RETRY_AFTER, value);
            }
        }
        response
    }
}

pub type PortalResult = Result<Response, PortalError>;

/// A rendered page, or a plain 500 if the template fails (it cannot for valid data).
pub fn html<T: Template>(page: &T) -> Response {
    match page.render() {
        Ok(body) => (
            [(
                CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            )],
            body,
        )
            .into_response(),
        Err(err) => {
            tracing::error!(error = %err, "portal template failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

/// `303 See Other` to a path of this site.
pub fn redirect(path: &str) -> Response {
    let location = HeaderValue::from_str(path).unwrap_or_else(|_| HeaderValue::from_static("/"));
    (StatusCode::SEE_OTHER, [(LOCATION, location)]).into_response()
}

/// Adds the portal's security headers; pages are never cached, assets are for a while.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let is_asset = request.uri().path().starts_with("/assets/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set = |headers: &mut axum::http::HeaderMap, name: &'static str, value: &'static str| {
        headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    };
    set(headers, "content-security-policy", CONTENT_SECURITY_POLICY);
    set(headers, "x-content-type-options", "nosniff");
    set(headers, "x-frame-options", "DENY");
    set(headers, "referrer-policy", "same-origin");
    if !is_asset {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
