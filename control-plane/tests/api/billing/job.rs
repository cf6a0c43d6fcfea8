//! The billing job: bills issued once per period (also when two runs race), with exact
//! numbers and dates, overdue after the due date, and the staff route's roles.

use serde_json::json;
use time::macros::datetime;

use super::support::{billing_customer, bills, profile, run_billing, set_clock, CODE, PHONE};
use crate::both_backends;
use crate::helpers::TestApp;

async fn job_issues_each_bill_once_and_marks_it_overdue(app: &TestApp) {
    let customer_id = billing_customer(app, "2026-06-01", "2027-01-31").await;
    let token = app.customer_token(CODE, PHONE).await;

    set_clock(app, datetime!(2027-01-01 00:05 UTC));
    let first = run_billing(app).await;
    assert_eq!(first["billing_date"], "2027-01-01");
    assert_eq!(first["bills_issued"], 1, "{first}");
    let again = run_billing(app).await;
    assert_eq!(again["bills_issued"], 0, "{again}");

    let listed = bills(app, &token).await;
    assert_eq!(listed.len(), 1);
    let bill = &listed[0];
    assert_eq!(bill["bill_number"], "BILL-2027-000001");
    assert_eq!(bill["billing_month"], "2027-01");
    assert_eq!(bill["bill_date"], "2027-01-01");
    assert_eq!(bill["due_date"], "2027-01-10");
    assert_eq!(bill["total_amount"], 1000);
    assert_eq!(bill["paid_amount"], 0);
    assert_eq!(bill["status"], "unpaid");
    assert_eq!(profile(app, &token).await["due_amount"], 1000);

    // The due date itself is not overdue; the day after is.
    set_clock(app, datetime!(2027-01-10 23:59 UTC));
    assert_eq!(run_billing(app).await["bills_overdue"], 0);
    set_clock(app, datetime!(2027-01-11 00:00 UTC));
    assert_eq!(run_billing(app).await["bills_overdue"], 1);
    assert_eq!(bills(app, &token).await[0]["status"], "overdue");
    assert_eq!(run_billing(app).await["bills_overdue"], 0);

    // The next month's bill, numbered next; the due amount is both bills.
    set_clock(app, datetime!(2027-02-01 06:00 UTC));
    assert_eq!(run_billing(app).await["bills_issued"], 1);
    let listed = bills(app, &token).await;
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[1]["bill_number"], "BILL-2027-000002");
    assert_eq!(listed[1]["billing_month"], "2027-02");
    assert_eq!(listed[1]["due_date"], "2027-02-10");
    assert_eq!(profile(app, &token).await["due_amount"], 2000);

    // Two runs at once (two replicas) still issue March once.
    set_clock(app, datetime!(2027-03-01 00:00 UTC));
    let (a, b) = tokio::join!(run_billing(app), run_billing(app));
    let issued = a["bills_issued"].as_u64().unwrap() + b["bills_issued"].as_u64().unwrap();
    assert_eq!(issued, 1, "{a} {b}");
    let march: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM bills WHERE customer_id = $1 AND billing_month = '2027-03'",
    )
    .bind(&customer_id)
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(march, 1);
    assert_eq!(profile(app, &token).await["due_amount"], 3000);
}
both_backends!(job_issues_each_bill_once_and_marks_it_overdue);

async fn the_database_refuses_a_second_bill_for_a_period(app: &TestApp) {
    let customer_id = billing_customer(app, "2026-06-01", "2027-01-31").await;
    set_clock(app, datetime!(2027-01-01 00:05 UTC));
    run_billing(app).await;
    // A replica that missed the first bill (its check ran before the insert) is refused by
    // the unique (customer, period) index, not by anything in this process.
    let duplicate = sqlx::query(
        "INSERT INTO bills (id, customer_id, bill_number, billing_month, amount_minor, \
         total_minor, status, bill_date, due_date, created_at, period_start) VALUES \
         ('dup', $1, 'BILL-2027-999999', '2027-01', 1, 1, 'unpaid', '2027-01-01', '2027-01-10', \
         '2027-01-01T00:00:00.000Z', '2027-01-01')",
    )
    .bind(&customer_id)
    .execute(app.store.pool())
    .await;
    assert!(
        duplicate.is_err(),
        "a second bill for the period was stored"
    );
}
both_backends!(the_database_refuses_a_second_bill_for_a_period);

async fn billing_run_needs_a_billing_role(app: &TestApp) {
    for role in ["noc", "support"] {
        let token = app.staff_token(role).await;
        app.post("/api/v1/admin/billing/run", Some(&token), json!({}))
            .await
            .error(403);
    }
    app.post("/api/v1/admin/billing/run", None, json!({}))
        .await
        .error(401);
    let customer = app
        .customer_token(crate::helpers::RAHIM.0, crate::helpers::RAHIM.1)
        .await;
    app.post("/api/v1/admin/billing/run", Some(&customer), json!({}))
        .await
        .error(401);
    let admin = app.staff_token("admin").await;
    app.post("/api/v1/admin/billing/run", Some(&admin), json!({}))
        .await
        .data();
    let audit = app
        .get("/api/v1/admin/audit-log?action=billing.run", Some(&admin))
        .await;
    let entries = audit.data()["entries"].as_array().expect("entries").clone();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["actor_name"], "admin");
}
both_backends!(billing_run_needs_a_billing_role);
