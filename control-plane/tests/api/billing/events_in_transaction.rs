//! Webhook events are stored in the transaction of the change they report: a change that rolls
//! back (here: its audit entry refused by a trigger) leaves neither the change nor its event,
//! and a committed change (a bill, a payment, a package change, an expiry warning) always has
//! its event, once.

use serde_json::{json, Value};
use time::macros::datetime;

use super::support::{billing_customer, bills, run_billing, set_clock, API, CODE, PHONE};
use crate::both_backends;
use crate::helpers::TestApp;
use control_plane::store::Backend;

/// Makes every audit insert of `action` fail, so the transaction that writes it rolls back.
async fn refuse_audit(app: &TestApp, action: &str) {
    let statements = match app.store.backend() {
        Backend::Sqlite => vec![format!(
            "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log WHEN NEW.action = '{action}' \
             BEGIN SELECT RAISE(ABORT, 'audit refused'); END"
        )],
        Backend::Postgres => vec![
            format!(
                "CREATE OR REPLACE FUNCTION refuse_audit() RETURNS trigger AS $$ BEGIN \
                 IF NEW.action = '{action}' THEN RAISE EXCEPTION 'audit refused'; END IF; \
                 RETURN NEW; END $$ LANGUAGE plpgsql"
            ),
            "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW \
             EXECUTE FUNCTION refuse_audit()"
                .to_owned(),
        ],
    };
    for sql in statements {
        sqlx::raw_sql(&sql)
            .execute(app.store.pool())
            .await
            .expect("trigger");
    }
}

async fn allow_audit(app: &TestApp) {
    let sql = match app.store.backend() {
        Backend::Sqlite => "DROP TRIGGER refuse_audit",
        Backend::Postgres => "DROP TRIGGER refuse_audit ON audit_log",
    };
    sqlx::raw_sql(sql)
        .execute(app.store.pool())
        .await
        .expect("drop trigger");
}

/// The stored deliveries' (event, payload) pairs, oldest first.
async fn deliveries(app: &TestApp) -> Vec<(String, Value)> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT event, payload FROM webhook_deliveries ORDER BY created_at, id")
            .fetch_all(app.store.pool())
            .await
            .expect("deliveries");
    rows.into_iter()
        .map(|(event, payload)| (event, serde_json::from_str(&payload).expect("json")))
        .collect()
}

async fn events_commit_and_roll_back_with_their_change(app: &TestApp) {
    let admin = app.staff_token("admin").await;
    // Port 9 (discard) on loopback refuses; the stored deliveries are what is checked.
    app.post(
        "/api/v1/admin/webhooks",
        Some(&admin),
        json!({ "url": "http://127.0.0.1:9/hook",
                "events": ["bill.generated", "payment.completed", "package.changed"] }),
    )
    .await
    .data();
    let customer_id = billing_customer(app, "2026-06-01", "2026-12-31").await;
    set_clock(app, datetime!(2027-01-01 00:05 UTC));

    // The bill's audit entry is refused: no bill, and no bill.generated event either.
    refuse_audit(app, "bill.issue").await;
    let run = run_billing(app).await;
    assert_eq!(run["bills_issued"], 0, "{run}");
    assert_eq!(run["customers_failed"], 1, "{run}");
    let token = app.customer_token(CODE, PHONE).await;
    assert!(bills(app, &token).await.is_empty());
    assert!(deliveries(app).await.is_empty());

    // Allowed again: the bill and exactly its event.
    allow_audit(app).await;
    assert_eq!(run_billing(app).await["bills_issued"], 1);
    let bill = bills(app, &token).await[0].clone();
    let stored = deliveries(app).await;
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(stored[0].0, "bill.generated");
    assert_eq!(stored[0].1["data"]["bill_number"], bill["bill_number"]);

    // A staff payment whose audit is refused leaves no payment.completed; then one that commits.
    let billing = app.staff_token("billing").await;
    let pay = format!("/api/v1/admin/customers/{customer_id}/payments");
    refuse_audit(app, "payment.record").await;
    let reply = app
        .post(
            &pay,
            Some(&billing),
            json!({ "amount": 100, "payment_method": "cash" }),
        )
        .await;
    assert_eq!(reply.status.as_u16(), 500, "{}", reply.body);
    assert_eq!(deliveries(app).await.len(), 1);
    allow_audit(app).await;
    app.post(
        &pay,
        Some(&billing),
        json!({ "amount": 100, "payment_method": "cash" }),
    )
    .await
    .data();
    let stored = deliveries(app).await;
    assert_eq!(stored.len(), 2, "{stored:?}");
    assert_eq!(stored[1].0, "payment.completed");
    assert_eq!(stored[1].1["data"]["amount_minor"], 10_000);

    // A package change approved now announces itself with the approval.
    let plans = app.get(&format!("{API}/plans"), Some(&token)).await;
    let ultra = plans
        .data()
        .as_array()
        .expect("plans")
        .iter()
        .find(|p| p["name"] == "Ultra 100Mbps")
        .cloned()
        .expect("ultra");
    app.post(
        &format!("{API}/change-plan"),
        Some(&token),
        json!({ "package_id": ultra["id"] }),
    )
    .await
    .data();
    let pending = app
        .get(
            "/api/v1/admin/package-change-requests?status=pending",
            Some(&billing),
        )
        .await;
    let id = pending.data()["requests"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    refuse_audit(app, "package.change_approve").await;
    let refused = app
        .post(
            &format!("/api/v1/admin/package-change-requests/{id}/approve"),
            Some(&billing),
            json!({}),
        )
        .await;
    assert_eq!(refused.status.as_u16(), 500, "{}", refused.body);
    assert_eq!(deliveries(app).await.len(), 2);
    let customer = app.store.customer(&customer_id).await.expect("customer");
    assert_eq!(
        customer.monthly_bill_minor, 100_000,
        "the change rolled back"
    );
    allow_audit(app).await;
    app.post(
        &format!("/api/v1/admin/package-change-requests/{id}/approve"),
        Some(&billing),
        json!({}),
    )
    .await
    .data();
    let stored = deliveries(app).await;
    assert_eq!(stored.len(), 3, "{stored:?}");
    assert_eq!(stored[2].0, "package.changed");
    assert_eq!(stored[2].1["data"]["to_package_id"], ultra["id"]);
}
both_backends!(events_commit_and_roll_back_with_their_change);

async fn an_expiry_warning_is_announced_once(app: &TestApp) {
    let admin = app.staff_token("admin").await;
    app.post(
        "/api/v1/admin/webhooks",
        Some(&admin),
        json!({ "url": "http://127.0.0.1:9/hook", "events": ["expiry.warning"] }),
    )
    .await
    .data();
    let customer_id = billing_customer(app, "2026-06-01", "2027-01-04").await;
    set_clock(app, datetime!(2027-01-01 00:05 UTC));
    assert_eq!(run_billing(app).await["expiry_warnings"], 1);
    assert_eq!(run_billing(app).await["expiry_warnings"], 0);
    let stored = deliveries(app).await;
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(stored[0].0, "expiry.warning");
    assert_eq!(stored[0].1["data"]["customer_id"], customer_id.as_str());
    assert_eq!(stored[0].1["data"]["expiry_date"], "2027-01-04");
}
both_backends!(an_expiry_warning_is_announced_once);
