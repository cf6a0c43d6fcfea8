//! A money change and its audit entry commit together or not at all: while the database
//! refuses audit rows, a staff payment, a gateway settlement, a bill and a suspension leave no
//! trace; once it accepts them again, each is written with its entry.

use control_plane::store::Backend;
use serde_json::json;
use time::macros::datetime;

use super::payments::sandbox_config;
use super::support::{billing_customer, bills, profile, run_billing, set_clock, API, CODE, PHONE};
use crate::both_backends;
use crate::helpers::TestApp;

/// Makes every insert into `audit_log` fail, as a full disk or a lost connection would: a
/// trigger refuses the row while the one-row `audit_refusal` table says so.
async fn refuse_audit(app: &TestApp) {
    let installed: Option<i64> = sqlx::query_scalar(
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'audit_refusal'",
    )
    .fetch_one(app.store.pool())
    .await
    .ok();
    let statements: &[&str] = match (app.store.backend(), installed) {
        (_, Some(1)) => &["UPDATE audit_refusal SET refused = 1"],
        (Backend::Sqlite, _) => &[
            "CREATE TABLE IF NOT EXISTS audit_refusal (refused INTEGER NOT NULL)",
            "INSERT INTO audit_refusal (refused) SELECT 1 WHERE NOT EXISTS \
             (SELECT 1 FROM audit_refusal)",
            "UPDATE audit_refusal SET refused = 1",
            "CREATE TRIGGER IF NOT EXISTS audit_refused BEFORE INSERT ON audit_log \
             WHEN (SELECT refused FROM audit_refusal) = 1 \
             BEGIN SELECT RAISE(ABORT, 'audit log refused'); END",
        ],
        (Backend::Postgres, _) => &[
            "CREATE TABLE audit_refusal (refused INTEGER NOT NULL)",
            "INSERT INTO audit_refusal (refused) VALUES (1)",
            "CREATE FUNCTION audit_refused() RETURNS trigger LANGUAGE plpgsql AS \
             'BEGIN IF (SELECT refused FROM audit_refusal) = 1 THEN \
             RAISE EXCEPTION ''audit log refused''; END IF; RETURN NEW; END'",
            "CREATE TRIGGER audit_refused BEFORE INSERT ON audit_log \
             FOR EACH ROW EXECUTE FUNCTION audit_refused()",
        ],
    };
    for statement in statements {
        sqlx::query(statement)
            .execute(app.store.pool())
            .await
            .expect("audit refusal trigger");
    }
}

async fn allow_audit(app: &TestApp) {
    sqlx::query("UPDATE audit_refusal SET refused = 0")
        .execute(app.store.pool())
        .await
        .expect("audit allowed again");
}

async fn count(app: &TestApp, sql: &str, customer_id: &str) -> i64 {
    sqlx::query_scalar(sql)
        .bind(customer_id)
        .fetch_one(app.store.pool())
        .await
        .expect("count")
}

async fn payments_of(app: &TestApp, customer_id: &str) -> i64 {
    count(
        app,
        "SELECT COUNT(*) FROM payments WHERE customer_id = $1",
        customer_id,
    )
    .await
}

async fn audit_entries(app: &TestApp, action: &str) -> usize {
    let admin = app.staff_token("admin").await;
    app.get(
        &format!("/api/v1/admin/audit-log?action={action}"),
        Some(&admin),
    )
    .await
    .data()["entries"]
        .as_array()
        .expect("entries")
        .len()
}

async fn bill_and_suspension_need_their_audit_entries(app: &TestApp) {
    let customer_id = billing_customer(app, "2026-06-01", "2026-12-31").await;
    let token = app.customer_token(CODE, PHONE).await;
    let billing = app.staff_token("billing").await;

    // The run on New Year's Day would bill January and suspend the subscriber, paid only
    // until 31 December; with the audit log refusing, none of it is kept.
    set_clock(app, datetime!(2027-01-01 00:00 UTC));
    refuse_audit(app).await;
    app.post("/api/v1/admin/billing/run", Some(&billing), json!({}))
        .await
        .error(500);
    let bills_of = "SELECT COUNT(*) FROM bills WHERE customer_id = $1";
    assert_eq!(count(app, bills_of, &customer_id).await, 0);
    let me = profile(app, &token).await;
    assert_eq!(me["status"], "active", "{me}");
    assert_eq!(me["due_amount"], 0, "{me}");

    allow_audit(app).await;
    let run = run_billing(app).await;
    assert_eq!(run["bills_issued"], 1, "{run}");
    assert_eq!(run["customers_suspended"], 1, "{run}");
    assert_eq!(audit_entries(app, "bill.issue").await, 1);
    assert_eq!(audit_entries(app, "customer.suspend").await, 1);
}
both_backends!(bill_and_suspension_need_their_audit_entries);

async fn staff_payment_needs_its_audit_entry(app: &TestApp) {
    let customer_id = billing_customer(app, "2026-06-01", "2026-12-31").await;
    let token = app.customer_token(CODE, PHONE).await;
    set_clock(app, datetime!(2027-01-01 00:05 UTC));
    run_billing(app).await;
    let billing = app.staff_token("billing").await;
    let path = format!("/api/v1/admin/customers/{customer_id}/payments");
    let cash = json!({ "amount": 1000, "payment_method": "cash" });

    refuse_audit(app).await;
    app.post(&path, Some(&billing), cash.clone())
        .await
        .error(500);
    assert_eq!(payments_of(app, &customer_id).await, 0);
    let allocations = "SELECT COUNT(*) FROM payment_allocations a \
        JOIN payments p ON p.id = a.payment_id WHERE p.customer_id = $1";
    assert_eq!(count(app, allocations, &customer_id).await, 0);
    let listed = bills(app, &token).await;
    assert!(listed.iter().all(|b| b["paid_amount"] == 0), "{listed:?}");
    let me = profile(app, &token).await;
    assert_eq!(me["due_amount"], 1000, "{me}");
    assert_eq!(me["status"], "suspended", "{me}");
    assert_eq!(me["expiry_date"], "2026-12-31", "{me}");

    allow_audit(app).await;
    let paid = app.post(&path, Some(&billing), cash).await;
    assert_eq!(paid.data()["reactivated"], true);
    assert_eq!(payments_of(app, &customer_id).await, 1);
    assert_eq!(audit_entries(app, "payment.record").await, 1);
    assert_eq!(audit_entries(app, "customer.reactivate").await, 1);
    assert_eq!(profile(app, &token).await["status"], "active");
}
both_backends!(staff_payment_needs_its_audit_entry);

async fn gateway_payment_needs_its_audit_entries(app: &TestApp) {
    let customer_id = billing_customer(app, "2026-06-01", "2026-12-31").await;
    let token = app.customer_token(CODE, PHONE).await;
    set_clock(app, datetime!(2027-01-01 00:05 UTC));
    run_billing(app).await;
    let initiate = json!({ "amount": 1000, "payment_method": "bkash" });

    // Without its audit entry a payment is not even created.
    refuse_audit(app).await;
    app.post(
        &format!("{API}/payments/initiate"),
        Some(&token),
        initiate.clone(),
    )
    .await
    .error(500);
    assert_eq!(payments_of(app, &customer_id).await, 0);
    allow_audit(app).await;
    let payment = app
        .post(&format!("{API}/payments/initiate"), Some(&token), initiate)
        .await;
    let url = payment.data()["payment_url"].as_str().unwrap().to_owned();

    // Nor is it settled or cancelled.
    refuse_audit(app).await;
    for decision in ["confirm", "cancel"] {
        let reply = app
            .client
            .post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("decision={decision}"))
            .send()
            .await
            .expect("sandbox post");
        assert_eq!(reply.status().as_u16(), 500, "{decision}");
    }
    let pending = "SELECT COUNT(*) FROM payments WHERE customer_id = $1 AND status = 'pending'";
    assert_eq!(count(app, pending, &customer_id).await, 1);
    assert_eq!(bills(app, &token).await[0]["paid_amount"], 0);
    assert_eq!(profile(app, &token).await["due_amount"], 1000);

    allow_audit(app).await;
    let reply = app
        .client
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("decision=confirm")
        .send()
        .await
        .expect("sandbox post");
    assert_eq!(reply.status().as_u16(), 200);
    assert_eq!(bills(app, &token).await[0]["paid_amount"], 1000);
    assert_eq!(audit_entries(app, "payment.initiate").await, 1);
    assert_eq!(audit_entries(app, "payment.complete").await, 1);
}
both_backends!(
    gateway_payment_needs_its_audit_entries,
    super::sandbox_config
);
