//! `GET /noc/login`, `POST /noc/login` and `POST /noc/logout`: staff log in with username and
//! password as on the staff API; the token goes into the console's cookie (`Path=/noc`).

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use serde::Deserialize;

use super::{session_from_headers, PORTAL};
use crate::http::admin::auth::{login as api_login, StaffLogin};
use crate::http::extract::{ApiJson, ClientIp};
use crate::http::portal::csrf;
use crate::http::portal::page::{html, redirect, PortalResult};
use crate::http::portal::session::{cookie, secure, set_cookie, LOGIN_NONCE_COOKIE, STAFF_COOKIE};
use crate::http::portal::subscriber::TokenForm;
use crate::http::state::AppState;

#[derive(Template)]
#[template(path = "noc/login.html")]
struct LoginPage {
    css: &'static str,
    csrf: String,
    error: Option<String>,
    username: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct StaffLoginForm {
    csrf: Option<String>,
    username: Option<String>,
    password: Option<String>,
}

fn login_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    error: Option<String>,
    username: Option<String>,
) -> Response {
    let nonce = csrf::new_nonce();
    let page = LoginPage {
        css: crate::http::portal::assets::STYLESHEET,
        csrf: csrf::token_for(&state.portal.csrf_key, &format!("login:{nonce}")),
        error,
        username: username.unwrap_or_default(),
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

#[utoipa::path(get, path = "/noc/login", tag = "portal",
    responses((status = 200, description = "Staff login page", content_type = "text/html")))]
pub async fn form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if session_from_headers(&state, &headers).await.is_ok() {
        return redirect("/noc");
    }
    login_page(&state, &headers, StatusCode::OK, None, None)
}

#[utoipa::path(post, path = "/noc/login", tag = "portal",
    responses(
        (status = 303, description = "Logged in; to the console"),
        (status = 400, description = "Missing fields or an expired form", content_type = "text/html"),
        (status = 401, description = "Wrong username or password", content_type = "text/html"),
        (status = 429, description = "Too many failed logins", content_type = "text/html"),
    ))]
pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    ClientIp(ip): ClientIp,
    form: Result<Form<StaffLoginForm>, FormRejection>,
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
            form.username,
        );
    }
    let request = StaffLogin {
        username: form.username.clone(),
        password: form.password,
    };
    match api_login(State(state.clone()), ClientIp(ip), ApiJson(request)).await {
        Ok(reply) => {
            let secure = secure(&state.portal, &headers);
            let mut response = redirect("/noc");
            let cookies = response.headers_mut();
            cookies.append(
                SET_COOKIE,
                set_cookie(
                    STAFF_COOKIE,
                    &reply.0.data.token,
                    "/noc",
                    reply.0.data.expires_in,
                    secure,
                ),
            );
            cookies.append(
                SET_COOKIE,
                set_cookie(LOGIN_NONCE_COOKIE, "", "/", 0, secure),
            );
            response
        }
        Err(err) => login_page(
            &state,
            &headers,
            err.status,
            Some(err.message),
            form.username,
        ),
    }
}

#[utoipa::path(post, path = "/noc/logout", tag = "portal",
    responses((status = 303, description = "Logged out; the console's cookie is removed")))]
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<TokenForm>, FormRejection>,
) -> PortalResult {
    let session = session_from_headers(&state, &headers)
        .await
        .map_err(|e| PORTAL.error(e))?;
    let presented = form.ok().and_then(|Form(f)| f.csrf);
    session.check_csrf(&state, presented.as_deref())?;
    let mut response = redirect("/noc/login");
    response.headers_mut().append(
        SET_COOKIE,
        set_cookie(STAFF_COOKIE, "", "/noc", 0, secure(&state.portal, &headers)),
    );
    Ok(response)
}
