//! Alert preferences over HTTP: defaults from the profile, partial updates, every problem
//! named in one 422, a webhook secret shown once, staff roles, and each subscriber's own.

use serde_json::json;

use super::set_preferences;
use crate::billing::support::API;
use crate::both_backends;
use crate::helpers::{TestApp, KARIMA, RAHIM};

const PATH: &str = "/api/v1/customer/alert-preferences";

async fn preferences_are_read_set_and_checked(app: &TestApp) {
    let rahim = app.customer_token(RAHIM.0, RAHIM.1).await;
    let defaults = app.get(PATH, Some(&rahim)).await;
    let defaults = defaults.data();
    assert_eq!(defaults["email_enabled"], true);
    assert_eq!(defaults["email_address"], json!(null));
    assert_eq!(defaults["email_to"], "rahim.gulshan@example.com");
    assert_eq!(defaults["webhook_enabled"], false);
    assert_eq!(defaults["min_severity"], "warning");
    assert_eq!(defaults["email_available"], false);
    assert!(defaults.get("webhook_secret").is_none());

    // A partial change keeps the rest; a new webhook URL brings a secret, shown once.
    let set = set_preferences(
        app,
        &rahim,
        json!({ "min_severity": "critical", "webhook_enabled": true,
                "webhook_url": "https://hooks.example/netops" }),
    )
    .await;
    assert_eq!(set["min_severity"], "critical");
    assert_eq!(set["email_enabled"], true);
    assert_eq!(set["webhook_url"], "https://hooks.example/netops");
    let secret = set["webhook_secret"].as_str().expect("secret shown once");
    assert_eq!(secret.len(), 64);
    let again = set_preferences(app, &rahim, json!({ "email_address": "noc@rahim.example" })).await;
    assert!(again.get("webhook_secret").is_none(), "{again}");
    assert_eq!(again["email_to"], "noc@rahim.example");
    let read = app.get(PATH, Some(&rahim)).await;
    assert_eq!(read.data()["min_severity"], "critical");
    assert!(read.data().get("webhook_secret").is_none());

    // Every problem at once, in the seed's envelope, as 422.
    let message = app
        .put(
            PATH,
            Some(&rahim),
            json!({ "email_address": "nobody", "min_severity": "urgent",
                    "webhook_url": "http://10.20.0.5/hook" }),
        )
        .await
        .error(422);
    for part in [
        "email_address nobody has no @",
        "min_severity must be",
        "internal address",
    ] {
        assert!(message.contains(part), "{message}");
    }
    for url in [
        "http://169.254.169.254/",
        "https://[::1]/x",
        "ftp://hooks.example/",
    ] {
        app.put(PATH, Some(&rahim), json!({ "webhook_url": url }))
            .await
            .error(422);
    }
    let message = app
        .put(
            PATH,
            Some(&rahim),
            json!({ "webhook_url": "", "webhook_enabled": true }),
        )
        .await
        .error(422);
    assert!(message.contains("webhook_url is required"), "{message}");
    app.put(PATH, Some(&rahim), json!({ "sms": true }))
        .await
        .error(400);
    app.put(PATH, Some(&rahim), json!({ "email_enabled": "yes" }))
        .await
        .error(400);
    app.get(PATH, None).await.error(401);
    // Nothing of the refused changes was stored.
    assert_eq!(
        app.get(PATH, Some(&rahim)).await.data()["min_severity"],
        "critical"
    );

    // Karima sees her own defaults, not Rahim's choices.
    let karima = app.customer_token(KARIMA.0, KARIMA.1).await;
    let hers = app
        .get(&format!("{API}/alert-preferences"), Some(&karima))
        .await;
    assert_eq!(hers.data()["min_severity"], "warning");
    assert_eq!(hers.data()["webhook_url"], json!(null));
    assert_eq!(hers.data()["email_to"], "karima.gulshan@example.com");
}
both_backends!(preferences_are_read_set_and_checked);

async fn staff_read_and_set_preferences_by_role(app: &TestApp) {
    let rahim_id = app.customer_id(RAHIM.0).await;
    let path = format!("/api/v1/admin/customers/{rahim_id}/alert-preferences");
    for role in ["admin", "billing", "support"] {
        let token = app.staff_token(role).await;
        let set = app
            .put(&path, Some(&token), json!({ "min_severity": "info" }))
            .await;
        assert_eq!(set.data()["min_severity"], "info", "{role}");
    }
    let noc = app.staff_token("noc").await;
    assert_eq!(
        app.get(&path, Some(&noc)).await.data()["min_severity"],
        "info"
    );
    app.put(&path, Some(&noc), json!({ "min_severity": "critical" }))
        .await
        .error(403);
    let admin = app.staff_token("admin").await;
    app.put(&path, Some(&admin), json!({ "min_severity": "loud" }))
        .await
        .error(422);
    app.get(
        "/api/v1/admin/customers/no-such-id/alert-preferences",
        Some(&admin),
    )
    .await
    .error(404);
    let rahim = app.customer_token(RAHIM.0, RAHIM.1).await;
    app.get(&path, Some(&rahim)).await.error(401);
    assert_eq!(
        app.get(PATH, Some(&rahim)).await.data()["min_severity"],
        "info"
    );

    // Each change is in the audit log with who made it.
    let audit = app
        .get(
            &format!(
                "/api/v1/admin/audit-log?action=alert_preferences.update&target_id={rahim_id}"
            ),
            Some(&admin),
        )
        .await;
    let entries = audit.data()["entries"].as_array().expect("entries").clone();
    assert_eq!(entries.len(), 3, "{entries:?}");
}
both_backends!(staff_read_and_set_preferences_by_role);
