//! The OpenAPI 3.1 document, generated from the handlers, and a small page that lists it.

use axum::extract::State;
use axum::response::Html;
use axum::Json;
use std::sync::Arc;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "netops API",
        description = "Subscriber API (seed 001 contract) at /api/v1/customer and /functions/v1/customer-api; staff API at /api/v1/admin.",
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "customer", description = "Subscriber self-service (seed 001)"),
        (name = "admin", description = "Staff and NOC API"),
        (name = "payments", description = "Payment gateway callbacks and the sandbox gateway's page"),
        (name = "agent", description = "Edge agent WebSocket (binary netops wire protocol)"),
        (name = "portal", description = "Web portals: subscriber self-service at / and the NOC console at /noc (HTML pages, session cookie)"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

pub async fn openapi_json(State(doc): State<Arc<OpenApiDoc>>) -> Json<OpenApiDoc> {
    Json((*doc).clone())
}

/// A plain HTML index of every operation; no scripts, so it works under a strict CSP.
pub async fn docs_page(State(doc): State<Arc<OpenApiDoc>>) -> Html<String> {
    let mut rows = String::new();
    for (path, item) in &doc.paths.paths {
        let ops = [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("DELETE", &item.delete),
            ("PATCH", &item.patch),
        ];
        for (method, op) in ops {
            if let Some(op) = op {
                let summary = op
                    .summary
                    .clone()
                    .or_else(|| op.description.clone())
                    .unwrap_or_default();
                rows.push_str(&format!(
                    "<tr><td><code>{method}</code></td><td><code>{}</code></td><td>{}</td></tr>\n",
                    escape(path),
                    escape(summary.lines().next().unwrap_or_default())
                ));
            }
        }
    }
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>netops API</title>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"></head><body>\
         <h1>netops API</h1><p>The machine-readable document is at \
         <a href=\"/api/openapi.json\">/api/openapi.json</a> (OpenAPI 3.1).</p>\
         <table><thead><tr><th>Method</th><th>Path</th><th>Summary</th></tr></thead><tbody>\n{rows}\
         </tbody></table></body></html>"
    ))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
