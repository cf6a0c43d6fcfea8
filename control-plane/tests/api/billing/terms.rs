//! Staff set a customer's billing cycle, billing day and exemption from suspension: checked
//! with every bad field named, audited with before and after, and used by the next run.

use reqwest::Method;
use serde_json::{json, Value};
use time::macros::datetime;

use super::support::{billing_customer, profile, run_billing, set_clock, CODE, PHONE};
use crate::both_backends;
use crate::helpers::{Reply, TestApp};

fn path(customer_id: &str) -> String {
    format!("/api/v1/admin/customers/{customer_id}/billing-terms")
}

async fn patch(app: &TestApp, customer_id: &str, token: &str, body: Value) -> Reply {
    app.request(
        Method::PATCH,
        &path(customer_id),
        Some(token),
        Some(&body.to_string()),
    )
    .await
}

async fn staff_change_billing_terms(app: &TestApp) {
    let customer_id = billing_customer(app, "2026-06-01", "2026-12-31").await;
    let billing = app.staff_token("billing").await;
    let terms = app.get(&path(&customer_id), Some(&billing)).await;
    assert_eq!(
        terms.data(),
        &json!({ "customer_id": customer_id, "billing_cycle": "monthly", "billing_day": 1,
                 "never_suspend": false, "credit": 0 })
    );

    let changed = patch(app, &customer_id, &billing, json!({ "billing_day": 15 })).await;
    assert_eq!(changed.data()["billing_day"], 15);
    assert_eq!(changed.data()["billing_cycle"], "monthly");
    let changed = patch(
        app,
        &customer_id,
        &billing,
        json!({ "billing_cycle": "prepaid", "never_suspend": true }),
    )
    .await;
    assert_eq!(changed.data()["billing_cycle"], "prepaid");
    assert_eq!(changed.data()["billing_day"], 15);
    assert_eq!(changed.data()["never_suspend"], true);
    let read = app.get(&path(&customer_id), Some(&billing)).await;
    assert_eq!(read.data(), changed.data());

    let admin = app.staff_token("admin").await;
    let audit = app
        .get(
            "/api/v1/admin/audit-log?action=customer.billing_terms",
            Some(&admin),
        )
        .await;
    let entries = audit.data()["entries"].as_array().expect("entries").clone();
    assert_eq!(entries.len(), 2);
    // Newest first.
    let detail: Value = match &entries[0]["detail"] {
        Value::String(text) => serde_json::from_str(text).expect("detail JSON"),
        other => other.clone(),
    };
    assert_eq!(
        detail,
        json!({
            "before": { "billing_cycle": "monthly", "billing_day": 15, "never_suspend": false },
            "after": { "billing_cycle": "prepaid", "billing_day": 15, "never_suspend": true },
        })
    );
    assert_eq!(entries[0]["actor_name"], "billing");
    assert_eq!(entries[0]["target_id"], customer_id.as_str());
}
both_backends!(staff_change_billing_terms);

async fn bad_billing_terms_are_refused(app: &TestApp) {
    let customer_id = billing_customer(app, "2026-06-01", "2026-12-31").await;
    let billing = app.staff_token("billing").await;
    let message = patch(
        app,
        &customer_id,
        &billing,
        json!({ "billing_cycle": "weekly", "billing_day": 31, "never_suspend": "yes" }),
    )
    .await
    .error(400);
    for part in ["billing_cycle", "billing_day", "never_suspend"] {
        assert!(message.contains(part), "{message}");
    }
    for body in [
        json!({}),
        json!({ "billing_day": 0 }),
        json!({ "billing_day": "5" }),
        json!({ "billing_day": 2.5 }),
        json!({ "billing_day": null }),
        json!({ "grace_days": 3 }),
    ] {
        patch(app, &customer_id, &billing, body).await.error(400);
    }
    let no_package = app.customer_id(crate::helpers::RAHIM.0).await;
    sqlx::query("UPDATE customers SET package_id = NULL WHERE id = $1")
        .bind(&no_package)
        .execute(app.store.pool())
        .await
        .expect("package removed");
    let message = patch(
        app,
        &no_package,
        &billing,
        json!({ "billing_cycle": "prepaid" }),
    )
    .await
    .error(400);
    assert!(message.contains("validity_days"), "{message}");

    patch(
        app,
        "no-such-customer",
        &billing,
        json!({ "billing_day": 2 }),
    )
    .await
    .error(404);
    for role in ["noc", "support"] {
        let token = app.staff_token(role).await;
        patch(app, &customer_id, &token, json!({ "billing_day": 2 }))
            .await
            .error(403);
        app.get(&path(&customer_id), Some(&token)).await.error(403);
    }
    let subscriber = app.customer_token(CODE, PHONE).await;
    patch(
        app,
        &customer_id,
        &subscriber,
        json!({ "never_suspend": true }),
    )
    .await
    .error(401);

    // Nothing changed.
    let terms = app.get(&path(&customer_id), Some(&billing)).await;
    assert_eq!(terms.data()["billing_day"], 1);
    assert_eq!(terms.data()["never_suspend"], false);
}
both_backends!(bad_billing_terms_are_refused);

async fn an_exempt_customer_is_not_suspended(app: &TestApp) {
    let customer_id = billing_customer(app, "2026-06-01", "2026-12-31").await;
    let billing = app.staff_token("billing").await;
    patch(
        app,
        &customer_id,
        &billing,
        json!({ "never_suspend": true }),
    )
    .await
    .data();
    set_clock(app, datetime!(2027-01-01 00:00 UTC));
    let run = run_billing(app).await;
    assert_eq!(run["bills_issued"], 1, "{run}");
    assert_eq!(run["customers_suspended"], 0, "{run}");
    let token = app.customer_token(CODE, PHONE).await;
    let me = profile(app, &token).await;
    assert_eq!(me["status"], "active", "{me}");
    assert_eq!(me["due_amount"], 1000, "{me}");

    // Lifting the exemption lets the next run suspend.
    patch(
        app,
        &customer_id,
        &billing,
        json!({ "never_suspend": false }),
    )
    .await
    .data();
    assert_eq!(run_billing(app).await["customers_suspended"], 1);
}
both_backends!(an_exempt_customer_is_not_suspended);
