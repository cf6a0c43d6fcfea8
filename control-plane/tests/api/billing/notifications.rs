//! Expiry warnings: the job creates one notification per configured warning and expiry date,
//! however often it runs; the subscriber lists them, marks them read, and sees only their own.

use control_plane::config::Config;
use serde_json::{json, Value};
use time::macros::datetime;
use time::OffsetDateTime;

use super::support::{billing_customer, run_billing, set_clock, API, CODE, PHONE};
use crate::both_backends;
use crate::helpers::{TestApp, KARIMA};

async fn warnings_on(app: &TestApp, at: OffsetDateTime) -> Value {
    set_clock(app, at);
    run_billing(app).await["expiry_warnings"].clone()
}

async fn notifications(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    app.get(&format!("{API}/notifications{query}"), Some(token))
        .await
        .data()
        .as_array()
        .expect("notifications")
        .clone()
}

async fn expiry_warnings_once_each(app: &TestApp) {
    billing_customer(app, "2026-06-01", "2026-12-31").await;
    assert_eq!(warnings_on(app, datetime!(2026-12-27 09:00 UTC)).await, 0);
    assert_eq!(warnings_on(app, datetime!(2026-12-28 09:00 UTC)).await, 1);
    assert_eq!(warnings_on(app, datetime!(2026-12-28 09:01 UTC)).await, 0);
    assert_eq!(warnings_on(app, datetime!(2026-12-29 09:00 UTC)).await, 0);
    assert_eq!(warnings_on(app, datetime!(2026-12-30 09:00 UTC)).await, 1);
    assert_eq!(warnings_on(app, datetime!(2026-12-31 09:00 UTC)).await, 0);

    let token = app.customer_token(CODE, PHONE).await;
    let listed = notifications(app, &token, "").await;
    assert_eq!(listed.len(), 2, "{listed:?}");
    for n in &listed {
        assert_eq!(n["type"], "EXPIRY_WARNING");
        assert_eq!(n["read"], false);
        assert!(n["message"]
            .as_str()
            .unwrap()
            .contains("paid until 2026-12-31"));
    }
    let tomorrow = listed
        .iter()
        .find(|n| n["message"].as_str().unwrap().contains("tomorrow"))
        .expect("the one-day warning");
    assert!(listed
        .iter()
        .any(|n| n["message"].as_str().unwrap().contains("in 3 days")));

    let id = tomorrow["id"].as_str().unwrap();
    let path = format!("{API}/notifications/{id}/read");
    let read = app.put(&path, Some(&token), json!({})).await;
    assert_eq!(read.data()["read"], true);
    assert_eq!(
        notifications(app, &token, "?unread_only=true").await.len(),
        1
    );
    assert_eq!(
        notifications(app, &token, "?unread_only=false").await.len(),
        2
    );
    app.get(
        &format!("{API}/notifications?unread_only=maybe"),
        Some(&token),
    )
    .await
    .error(400);

    // Another subscriber sees none of them and cannot mark them.
    sqlx::query("UPDATE customers SET status = 'active' WHERE customer_code = $1")
        .bind(KARIMA.0)
        .execute(app.store.pool())
        .await
        .expect("second subscriber active");
    let karima = app.customer_token(KARIMA.0, KARIMA.1).await;
    assert!(notifications(app, &karima, "").await.is_empty());
    let other = listed.iter().find(|n| n["id"] != tomorrow["id"]).unwrap();
    let other_path = format!("{API}/notifications/{}/read", other["id"].as_str().unwrap());
    app.put(&other_path, Some(&karima), json!({}))
        .await
        .error(404);
    assert_eq!(
        notifications(app, &token, "?unread_only=true").await.len(),
        1
    );
    app.get(&format!("{API}/notifications"), None)
        .await
        .error(401);
}
both_backends!(expiry_warnings_once_each);

fn no_warnings(config: &mut Config) {
    config.billing.expiry_warning_days = Vec::new();
}

async fn warnings_can_be_turned_off(app: &TestApp) {
    billing_customer(app, "2026-06-01", "2026-12-31").await;
    for day in [28, 30, 31] {
        let at = datetime!(2026-12-01 09:00 UTC).replace_day(day).unwrap();
        assert_eq!(warnings_on(app, at).await, 0);
    }
    let token = app.customer_token(CODE, PHONE).await;
    assert!(notifications(app, &token, "").await.is_empty());
}
both_backends!(warnings_can_be_turned_off, super::no_warnings);
