//! The HTTP surface: subscriber API, staff API, the agent WebSocket, the web portals,
//! operations endpoints and the API document.

pub mod admin;
pub mod agent;
pub mod alert_preferences;
pub mod amount;
pub mod audit;
pub mod client_address;
pub mod csv;
pub mod customer;
pub mod customer_api_key;
pub mod extract;
pub mod invoice;
pub mod openapi;
pub mod ops;
pub mod payments;
pub mod portal;
pub mod principal;
pub mod radius;
pub mod response;
pub mod state;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::Router;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use response::ApiError;
pub use state::AppState;

/// Largest request body accepted anywhere.
const MAX_BODY_BYTES: usize = 256 * 1024;

/// The paths under which the subscriber API answers.
pub const CUSTOMER_API_BASES: [&str; 2] = ["/api/v1/customer", "/functions/v1/customer-api"];

/// Builds the whole application router and its OpenAPI document.
pub fn router(state: AppState) -> (Router, utoipa::openapi::OpenApi) {
    let (api, doc) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .nest(CUSTOMER_API_BASES[0], customer::routes())
        .nest("/api/v1/admin", admin::routes())
        .nest("/api/v1/radius", radius::routes())
        .nest("/api/v1/payments", payments::routes())
        .nest("/api/v1/agent", agent_routes())
        .merge(portal::routes())
        .split_for_parts();
    // The seed's own base path serves the same handlers; documented once.
    let (seed_base, _) = customer::routes().split_for_parts();
    let doc_state = Arc::new(doc.clone());
    let docs = Router::new()
        .route("/api/openapi.json", get(openapi::openapi_json))
        .route("/api/docs", get(openapi::docs_page))
        .with_state(doc_state);
    let app = Router::new()
        .merge(api)
        .nest(CUSTOMER_API_BASES[1], seed_base)
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .fallback(not_found)
        .with_state(state.clone())
        .merge(docs)
        .layer(axum::middleware::from_fn_with_state(
            state.metrics.clone(),
            crate::telemetry::track_requests,
        ))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::Extension(Arc::new(
            state.limits.trusted_proxies.clone(),
        )));
    (app, doc)
}

fn agent_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(utoipa_axum::routes!(agent::agent_ws))
}

async fn not_found() -> ApiError {
    ApiError::new(axum::http::StatusCode::NOT_FOUND, "no such endpoint")
}
