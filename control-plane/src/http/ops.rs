//! Operations endpoints: `/healthz` (the process answers), `/readyz` (database reachable and
//! migrated) and `/metrics` (Prometheus text format; gauges from the store are set first).

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde_json::json;

use super::state::AppState;

pub async fn healthz() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.store.readiness().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ready" }))),
        Err(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "not ready", "reason": reason })),
        ),
    }
}

pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let _one_scrape = state.metrics.scrape.lock().await;
    state.metrics.optics.refresh(&state.store).await;
    let (open, idle) = state.store.pool_usage();
    state
        .metrics
        .db_pool
        .with_label_values(&["open"])
        .set(i64::from(open));
    state
        .metrics
        .db_pool
        .with_label_values(&["idle"])
        .set(i64::try_from(idle).unwrap_or(i64::MAX));
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
}
