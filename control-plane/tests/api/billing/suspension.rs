//! A month on the hand-set clock: the bill is issued, the subscriber who has not paid is
//! suspended at expiry (once, with a disconnect), pays in the sandbox and is reactivated at
//! once with one more disconnect; an exempt subscriber is never suspended.

use serde_json::json;
use time::macros::datetime;

use super::support::{billing_customer, profile, run_billing, set_clock, API, CODE, PHONE};
use crate::both_backends;
use crate::helpers::TestApp;

/// (kind, requester_kind) of the customer's device commands, oldest first.
async fn commands(app: &TestApp, customer_id: &str) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT kind, requester_kind FROM device_commands WHERE customer_id = $1 \
         ORDER BY created_at, id",
    )
    .bind(customer_id)
    .fetch_all(app.store.pool())
    .await
    .expect("commands")
}

async fn suspended_at_expiry_and_reactivated_by_paying(app: &TestApp) {
    let customer_id = billing_customer(app, "2026-06-01", "2026-12-31").await;
    let token = app.customer_token(CODE, PHONE).await;

    // Paid until 31 December: December's bill is issued and owed, but the service still runs
    // in the last minute of the year.
    set_clock(app, datetime!(2026-12-31 23:59 UTC));
    let run = run_billing(app).await;
    assert_eq!(run["bills_issued"], 1, "{run}");
    assert_eq!(run["customers_suspended"], 0, "{run}");
    // January's bill is issued and the paid time is over.
    set_clock(app, datetime!(2027-01-01 00:00 UTC));
    let run = run_billing(app).await;
    assert_eq!(run["bills_issued"], 1, "{run}");
    assert_eq!(run["customers_suspended"], 1, "{run}");
    assert_eq!(profile(app, &token).await["status"], "suspended");
    assert_eq!(run_billing(app).await["customers_suspended"], 0);
    let disconnect = ("disconnect".to_owned(), "system".to_owned());
    assert_eq!(
        commands(app, &customer_id).await,
        std::slice::from_ref(&disconnect)
    );

    // Paying both bills in the sandbox reactivates at once, with one more disconnect.
    set_clock(app, datetime!(2027-01-02 09:00 UTC));
    let payment = app
        .post(
            &format!("{API}/payments/initiate"),
            Some(&token),
            json!({ "amount": 2000, "payment_method": "bkash" }),
        )
        .await;
    let url = payment.data()["payment_url"].as_str().unwrap().to_owned();
    let confirmed = app
        .client
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("decision=confirm")
        .send()
        .await
        .unwrap();
    assert_eq!(confirmed.status().as_u16(), 200);
    let page = confirmed.text().await.unwrap();
    assert!(page.contains("completed"), "{page}");
    let me = profile(app, &token).await;
    assert_eq!(me["due_amount"], 0, "{me}");
    assert_eq!(me["status"], "active", "{me}");
    assert_eq!(me["expiry_date"], "2027-01-31");
    assert_eq!(
        commands(app, &customer_id).await,
        [disconnect.clone(), disconnect]
    );
    assert_eq!(run_billing(app).await["customers_suspended"], 0);

    let admin = app.staff_token("admin").await;
    for action in [
        "customer.suspend",
        "customer.reactivate",
        "payment.complete",
    ] {
        let audit = app
            .get(
                &format!("/api/v1/admin/audit-log?action={action}"),
                Some(&admin),
            )
            .await;
        let entries = audit.data()["entries"].as_array().unwrap().clone();
        assert_eq!(entries.len(), 1, "{action}");
        assert_eq!(entries[0]["actor_kind"], "system", "{action}");
    }
}
both_backends!(
    suspended_at_expiry_and_reactivated_by_paying,
    crate::billing::payments::sandbox_config
);

async fn exempt_customers_are_never_suspended(app: &TestApp) {
    let customer_id = billing_customer(app, "2026-06-01", "2026-12-31").await;
    sqlx::query("UPDATE customers SET never_suspend = 1 WHERE id = $1")
        .bind(&customer_id)
        .execute(app.store.pool())
        .await
        .unwrap();
    let token = app.customer_token(CODE, PHONE).await;
    set_clock(app, datetime!(2027-01-05 00:00 UTC));
    let run = run_billing(app).await;
    assert_eq!(run["bills_issued"], 1);
    assert_eq!(run["customers_suspended"], 0);
    assert_eq!(profile(app, &token).await["status"], "active");
    assert!(commands(app, &customer_id).await.is_empty());
}
both_backends!(exempt_customers_are_never_suspended);
