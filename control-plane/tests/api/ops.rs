//! Health, readiness and Prometheus metrics.

use crate::both_backends;
use crate::helpers::{TestApp, RAHIM};

async fn health_ready_metrics(app: &TestApp) {
    assert_eq!(app.get("/healthz", None).await.body["status"], "ok");
    let ready = app.get("/readyz", None).await;
    assert_eq!(ready.status.as_u16(), 200, "{}", ready.body);
    let token = app.customer_token(RAHIM.0, RAHIM.1).await;
    app.get("/api/v1/customer/network/status", Some(&token))
        .await
        .data();
    app.get("/api/v1/customer/bills/nope", Some(&token))
        .await
        .error(404);
    let text = app
        .client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains(r#"netops_http_requests_total{method="GET",route="/api/v1/customer/network/status",status="200"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"route="/api/v1/customer/bills/{id}",status="404""#),
        "raw ids never become labels"
    );
    assert!(text.contains("netops_http_request_duration_seconds_bucket"));
    assert!(text.contains("netops_db_pool_connections{state=\"open\"}"));
    assert!(text.contains("netops_build_info{version="));
}
both_backends!(health_ready_metrics);

async fn not_ready_when_database_is_gone(app: &TestApp) {
    app.store.close().await;
    let ready = app.get("/readyz", None).await;
    assert_eq!(ready.status.as_u16(), 503, "{}", ready.body);
    // A client request fails cleanly with the envelope, not a hang or a panic.
    let login = app
        .post(
            "/api/v1/customer/auth/login",
            None,
            serde_json::json!({ "customer_code": RAHIM.0, "phone": RAHIM.1 }),
        )
        .await;
    assert_eq!(login.status.as_u16(), 503, "{}", login.body);
    assert_eq!(login.body["success"], false);
}
both_backends!(not_ready_when_database_is_gone);
