//! The staff API of PPPoE accounts: who may set passwords and addresses, what is audited, and
//! that a password is never shown again.

use serde_json::json;

use super::with_aaa;
use crate::aaa_backends;
use crate::helpers::{TestApp, KARIMA, RAHIM};

async fn passwords_and_static_addresses(app: &TestApp) {
    let rahim = app.customer_id(RAHIM.0).await;
    let karima = app.customer_id(KARIMA.0).await;
    let password_path = format!("/api/v1/admin/customers/{rahim}/pppoe/password");
    let ip_path = |id: &str| format!("/api/v1/admin/customers/{id}/pppoe/static-ip");

    let support = app.staff_token("support").await;
    app.put(
        &password_path,
        Some(&support),
        json!({"password": "secret-1"}),
    )
    .await
    .error(403);
    let billing = app.staff_token("billing").await;
    for bad in [
        json!({}),
        json!({"password": "abc"}),
        json!({"password": "ab\ncd"}),
    ] {
        app.put(&password_path, Some(&billing), bad)
            .await
            .error(400);
    }
    let set = app
        .put(
            &password_path,
            Some(&billing),
            json!({"password": "secret-1"}),
        )
        .await;
    assert_eq!(set.data()["password_set"], true);
    assert!(!set.body.to_string().contains("secret-1"));

    let read = app
        .get(
            &format!("/api/v1/admin/customers/{rahim}/pppoe"),
            Some(&support),
        )
        .await;
    assert_eq!(read.data()["pppoe_username"], RAHIM.2);
    assert!(!read.body.to_string().contains("secret-1"));
    let stored: Option<String> =
        sqlx::query_scalar("SELECT password_sealed FROM pppoe_accounts WHERE customer_id = $1")
            .bind(&rahim)
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    let stored = stored.unwrap();
    assert!(stored.starts_with("v1:") && !stored.contains("secret-1"));

    app.put(
        &ip_path(&rahim),
        Some(&billing),
        json!({"static_ip": "100.64.1.300"}),
    )
    .await
    .error(400);
    app.put(
        &ip_path(&rahim),
        Some(&billing),
        json!({"static_ip": "0.0.0.0"}),
    )
    .await
    .error(400);
    let ip = app
        .put(
            &ip_path(&rahim),
            Some(&billing),
            json!({"static_ip": " 100.64.1.5 "}),
        )
        .await;
    assert_eq!(ip.data()["static_ip"], "100.64.1.5");
    app.put(
        &ip_path(&karima),
        Some(&billing),
        json!({"static_ip": "100.64.1.5"}),
    )
    .await
    .error(409);
    let cleared = app
        .put(&ip_path(&rahim), Some(&billing), json!({"static_ip": null}))
        .await;
    assert_eq!(cleared.data()["static_ip"], serde_json::Value::Null);
    app.put(
        "/api/v1/admin/customers/no-such-id/pppoe/password",
        Some(&billing),
        json!({"password": "secret-1"}),
    )
    .await
    .error(404);

    let admin = app.staff_token("admin").await;
    let audit = app
        .get(
            "/api/v1/admin/audit-log?action=pppoe.password.set",
            Some(&admin),
        )
        .await;
    let entries = audit.data().to_string();
    assert!(entries.contains(&rahim), "{entries}");
    assert!(
        !entries.contains("secret-1"),
        "the password must not be audited"
    );
    let audit = app
        .get(
            "/api/v1/admin/audit-log?action=pppoe.static_ip.set",
            Some(&admin),
        )
        .await;
    assert_eq!(audit.data()["pagination"]["total"], 2);
}
aaa_backends!(passwords_and_static_addresses, super::with_aaa);
