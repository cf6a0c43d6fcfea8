//! `GET /login`, `POST /login` and `POST /logout`: the subscriber logs in as in the API (customer
//! code with phone or PPPoE username); the API's token goes into the session cookie.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use serde::Deserialize;

use super::{session_from_headers, TokenForm, PORTAL};
use crate::http::customer::auth::{login as api_login, LoginRequest};
use crate::http::extract::{ApiJson, ClientIp};
use crate::http::portal::csrf;
use crate::http::portal::page::{html, redirect, PortalResult};
use crate::http::portal::session::{
    cookie, secure, set_cookie, LOGIN_NONCE_COOKIE, SUBSCRIBER_COOKIE,
};
use crate::http::state::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    css: &'static str,
    csrf: String,
    error: Option<String>,
    customer_code: String,
    phone: String,
    username: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct LoginForm {
    csrf: Option<String>,
    customer_code: Option<String>,
    phone: Option<String>,
    username: Option<String>,
}

/// The login form with a fresh anti-forgery nonce in its cookie.
fn login_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    error: Option<String>,
    form: Option<&LoginForm>,
) -> Response {
    let nonce = csrf::new_nonce();
    let field = |f: Option<&Option<String>>| f.and_then(|v| v.clone()).unwrap_or_default();
    let page = LoginPage {
        css: crate::http::portal::assets::STYLESHEET,
        csrf: csrf::token_for(&state.portal.csrf_key, &format!("login:{nonce}")),
        error,
        customer_code: field(form.map(|f| &f.customer_code)),
        phone: field(form.map(|f| &f.phone)),
        username: field(form.map(|f| &f.username)),
    };
    let mut response = html(&page);
    *response.status_mut() = status;
    response.headers_mut().append(
        SET_COOKIE,
        set_cookie(
            LOGIN_NONCE_COOKIE,
            &nonce,
            "/",
            3600,
            secure(&state.portal, headers),
        ),
    );
    response
}

#[utoipa::path(get, path = "/login", tag = "portal",
    responses((status = 200, description = "Subscriber login page", content_type = "text/html")))]
pub async fn form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if session_from_headers(&state, &headers).is_ok() {
        return redirect("/");
    }
    login_page(&state, &headers, StatusCode::OK, None, None)
}

#[utoipa::path(post, path = "/login", tag = "portal",
    responses(
        (status = 303, description = "Logged in; the session cookie is set and the browser goes to the dashboard"),
        (status = 400, description = "Missing or malformed fields, or an expired form", content_type = "text/html"),
        (status = 401, description = "Wrong credentials", content_type = "text/html"),
        (status = 429, description = "Too many failed logins", content_type = "text/html"),
    ))]
pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    ClientIp(ip): ClientIp,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return login_page(
            &state,
            &headers,
            StatusCode::BAD_REQUEST,
            Some("the login form was not sent as a form; reload the page".into()),
            None,
        );
    };
    let nonce_ok = match (cookie(&headers, LOGIN_NONCE_COOKIE), form.csrf.as_deref()) {
        (Some(nonce), Some(token)) => {
            csrf::is_valid(&state.portal.csrf_key, &format!("login:{nonce}"), token)
        }
        _ => false,
    };
    if !nonce_ok {
        return login_page(
            &state,
            &headers,
            StatusCode::BAD_REQUEST,
            Some("this login form has expired; please try again".into()),
            Some(&form),
        );
    }
    let request = LoginRequest {
        username: form.username.clone(),
        phone: form.phone.clone(),
        customer_code: form.customer_code.clone(),
    };
    match api_login(State(state.clone()), ClientIp(ip), ApiJson(request)).await {
        Ok(reply) => {
            let secure = secure(&state.portal, &headers);
            let mut response = redirect("/");
            let cookies = response.headers_mut();
            cookies.append(
                SET_COOKIE,
                set_cookie(
                    SUBSCRIBER_COOKIE,
                    &reply.0.data.token,
                    "/",
                    state.keys.ttl_secs(),
                    secure,
                ),
            );
            cookies.append(
                SET_COOKIE,
                set_cookie(LOGIN_NONCE_COOKIE, "", "/", 0, secure),
            );
            response
        }
        Err(err) => login_page(&state, &headers, err.status, Some(err.message), Some(&form)),
    }
}

#[utoipa::path(post, path = "/logout", tag = "portal",
    responses((status = 303, description = "Logged out; the session cookie is removed")))]
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<TokenForm>, FormRejection>,
) -> PortalResult {
    let session = session_from_headers(&state, &headers).map_err(|e| PORTAL.error(e))?;
    let presented = form.ok().and_then(|Form(f)| f.csrf);
    session.check_csrf(&state, presented.as_deref())?;
    let mut response = redirect("/login");
    response.headers_mut().append(
        SET_COOKIE,
        set_cookie(
            SUBSCRIBER_COOKIE,
            "",
            "/",
            0,
            secure(&state.portal, &headers),
        ),
    );
    Ok(response)
}
