//! Staff API keys: made by an admin with one role, shown once and kept only as a hash, acting
//! with exactly that role (audited under the key's name), unable to manage keys, and refused
//! once revoked or when their maker is disabled.

use serde_json::json;

use crate::both_backends;
use crate::helpers::{assert_stored_as_sha256, TestApp};

/// Makes a staff API key as the demo admin; returns (id, key).
pub(crate) async fn make_key(app: &TestApp, name: &str, role: &str) -> (String, String) {
    let admin = app.staff_token("admin").await;
    let created = app
        .post(
            "/api/v1/admin/api-keys",
            Some(&admin),
            json!({ "name": name, "role": role }),
        )
        .await;
    let data = created.data();
    (
        data["api_key"]["id"].as_str().unwrap().to_owned(),
        data["key"].as_str().unwrap().to_owned(),
    )
}

async fn a_key_acts_with_its_role(app: &TestApp) {
    let (id, key) = make_key(app, "accounting", "billing").await;
    assert!(key.starts_with("nok_") && key.len() == 68, "{key}");

    // Only the SHA-256 of the key is stored.
    let stored = assert_stored_as_sha256(app, "staff_api_keys", &id, &key).await;
    let admin = app.staff_token("admin").await;
    let listed = app.get("/api/v1/admin/api-keys", Some(&admin)).await;
    let text = listed.body.to_string();
    assert!(!text.contains(&key) && !text.contains(&stored), "{text}");
    assert_eq!(listed.data()[0]["prefix"], &key[..12]);
    assert_eq!(listed.data()[0]["last_used_at"], serde_json::Value::Null);

    // The billing role: billing runs yes, webhooks (admin) no, keys never.
    app.get("/api/v1/admin/customers", Some(&key)).await.data();
    app.post("/api/v1/admin/billing/run", Some(&key), json!({}))
        .await
        .data();
    app.get("/api/v1/admin/webhooks", Some(&key))
        .await
        .error(403);
    app.get("/api/v1/admin/api-keys", Some(&key))
        .await
        .error(403);
    let audit = app
        .get("/api/v1/admin/audit-log?action=billing.run", Some(&admin))
        .await;
    assert_eq!(
        audit.data()["entries"][0]["actor_name"],
        "api-key:accounting"
    );
    let listed = app.get("/api/v1/admin/api-keys", Some(&admin)).await;
    assert!(listed.data()[0]["last_used_at"].is_string());

    // An admin key still cannot make keys.
    let (_, admin_key) = make_key(app, "inventory-sync", "admin").await;
    app.get("/api/v1/admin/webhooks", Some(&admin_key))
        .await
        .data();
    let message = app
        .post(
            "/api/v1/admin/api-keys",
            Some(&admin_key),
            json!({ "name": "x", "role": "admin" }),
        )
        .await
        .error(403);
    assert!(message.contains("API key"), "{message}");

    // Revoked: refused.
    app.delete(&format!("/api/v1/admin/api-keys/{id}"), Some(&admin))
        .await
        .data();
    let message = app
        .get("/api/v1/admin/customers", Some(&key))
        .await
        .error(401);
    assert!(message.contains("revoked"), "{message}");
    app.get(
        "/api/v1/admin/customers",
        Some(&format!("nok_{}", "0".repeat(64))),
    )
    .await
    .error(401);
    let revokes = app
        .get(
            "/api/v1/admin/audit-log?action=api_key.revoke",
            Some(&admin),
        )
        .await;
    assert_eq!(revokes.data()["entries"].as_array().unwrap().len(), 1);
}
both_backends!(a_key_acts_with_its_role);

async fn keys_need_an_admin_and_an_enabled_maker(app: &TestApp) {
    let admin = app.staff_token("admin").await;
    for (body, part) in [
        (json!({ "role": "billing" }), "name"),
        (json!({ "name": "x" }), "role"),
        (json!({ "name": "x", "role": "owner" }), "role"),
    ] {
        let message = app
            .post("/api/v1/admin/api-keys", Some(&admin), body.clone())
            .await
            .error(400);
        assert!(message.contains(part), "{body}: {message}");
    }
    for role in ["billing", "noc", "support"] {
        let token = app.staff_token(role).await;
        app.post(
            "/api/v1/admin/api-keys",
            Some(&token),
            json!({ "name": "x", "role": "support" }),
        )
        .await
        .error(403);
    }
    app.delete("/api/v1/admin/api-keys/no-such-key", Some(&admin))
        .await
        .error(404);

    let (_, key) = make_key(app, "noc-script", "noc").await;
    app.get("/api/v1/admin/customers", Some(&key)).await.data();
    sqlx::query("UPDATE staff_users SET disabled = 1 WHERE username = 'admin'")
        .execute(app.store.pool())
        .await
        .unwrap();
    let message = app
        .get("/api/v1/admin/customers", Some(&key))
        .await
        .error(401);
    assert!(message.contains("disabled"), "{message}");
}
both_backends!(keys_need_an_admin_and_an_enabled_maker);
