//! The OpenAPI document lists every route, and every documented route is really served.

use crate::both_backends;
use crate::helpers::TestApp;

/// Every endpoint of seed 001, as (method, path).
const SEED_ENDPOINTS: [(&str, &str); 18] = [
    ("post", "/auth/login"),
    ("post", "/auth/verify"),
    ("get", "/profile"),
    ("put", "/profile"),
    ("get", "/network/status"),
    ("get", "/network/bandwidth"),
    ("get", "/bills"),
    ("get", "/bills/{id}"),
    ("get", "/payments"),
    ("post", "/payments/initiate"),
    ("post", "/recharge"),
    ("post", "/device/reboot-router"),
    ("post", "/device/reboot-onu"),
    ("post", "/device/disconnect"),
    ("get", "/packages"),
    ("post", "/packages/change"),
    ("get", "/support/tickets"),
    ("post", "/support/tickets"),
];

/// The endpoints of seed 002 served so far, as (method, path).
const SEED_002_ENDPOINTS: [(&str, &str); 6] = [
    ("get", "/usage-stats"),
    ("get", "/invoices"),
    ("get", "/support-tickets"),
    ("get", "/api-keys"),
    ("post", "/api-keys"),
    ("delete", "/api-keys/{key_id}"),
];

async fn every_route_is_documented(app: &TestApp) {
    let doc = app.get("/api/openapi.json", None).await;
    assert_eq!(doc.status.as_u16(), 200);
    assert!(doc.body["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc.body["paths"].as_object().unwrap();
    for (method, path) in SEED_ENDPOINTS.iter().chain(&SEED_002_ENDPOINTS) {
        let full = format!("/api/v1/customer{path}");
        assert!(
            paths.get(&full).and_then(|p| p.get(method)).is_some(),
            "{method} {full} is missing from the OpenAPI document"
        );
    }
    for admin in [
        "/api/v1/admin/auth/login",
        "/api/v1/admin/areas",
        "/api/v1/admin/packages",
        "/api/v1/admin/customers/{id}",
        "/api/v1/admin/audit-log",
        "/api/v1/admin/agents/{id}/inventory",
        "/api/v1/admin/devices/{id}/interfaces",
    ] {
        assert!(paths.contains_key(admin), "{admin} missing");
    }
    // Every documented operation is routed: none answers "no such endpoint" or 405, under both
    // base paths of the subscriber API.
    for (path, item) in paths {
        for method in ["get", "post", "put", "delete"] {
            if item.get(method).is_none() {
                continue;
            }
            let concrete = path.replace("{id}", "00000000-0000-0000-0000-000000000000");
            let mut targets = vec![concrete.clone()];
            if let Some(rest) = concrete.strip_prefix("/api/v1/customer") {
                targets.push(format!("/functions/v1/customer-api{rest}"));
            }
            for target in targets {
                let reply = app
                    .request(
                        method.to_uppercase().parse().unwrap(),
                        &target,
                        None,
                        Some("{}"),
                    )
                    .await;
                assert_ne!(reply.status.as_u16(), 405, "{method} {target}");
                assert!(
                    reply.body["error"] != "no such endpoint",
                    "{method} {target} is documented but not routed"
                );
            }
        }
    }
    let docs = app
        .client
        .get(format!("{}/api/docs", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(docs.status().as_u16(), 200);
    assert!(docs
        .text()
        .await
        .unwrap()
        .contains("/api/v1/customer/network/status"));
}
both_backends!(every_route_is_documented);
