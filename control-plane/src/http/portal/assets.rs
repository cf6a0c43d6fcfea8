//! The portals' static files, compiled into the binary: one stylesheet and a few small plain
//! scripts (the bandwidth charts, command progress, the NOC console's refresh).

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Paths the templates link to.
pub const STYLESHEET: &str = "/assets/portal.css";

const FILES: [(&str, &str, &str); 4] = [
    (
        "portal.css",
        "text/css; charset=utf-8",
        include_str!("assets/portal.css"),
    ),
    (
        "charts.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/charts.js"),
    ),
    (
        "command.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/command.js"),
    ),
    (
        "noc.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/noc.js"),
    ),
];

#[utoipa::path(get, path = "/assets/{name}", tag = "portal",
    params(("name" = String, Path, description = "portal.css, charts.js, command.js or noc.js")),
    responses(
        (status = 200, description = "The file", content_type = "text/css"),
        (status = 404, description = "No such file"),
    ))]
pub async fn asset(Path(name): Path<String>) -> Response {
    match FILES.iter().find(|(file, _, _)| *file == name) {
        Some((_, content_type, body)) => (
            [
                (CONTENT_TYPE, *content_type),
                (CACHE_CONTROL, "public, max-age=300"),
            ],
            *body,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "no such file").into_response(),
    }
}
