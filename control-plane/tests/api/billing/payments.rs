//! Payments: the sandbox gateway settles a bill once, callbacks are verified (forged,
//! re-priced and repeated ones change nothing), recharges extend expiry, staff record cash,
//! and another customer's bills stay unreachable.

use control_plane::billing::settings::GatewayKind;
use control_plane::config::{Config, Secret};
use ring::hmac;
use serde_json::{json, Value};
use time::macros::datetime;

use super::support::{billing_customer, bills, profile, run_billing, set_clock, API, CODE, PHONE};
use crate::both_backends;
use crate::helpers::{TestApp, KARIMA, RAHIM};

const CALLBACK_KEY: &str = "test-callback-key-0123456789abcdef-0123";

pub fn sandbox_config(config: &mut Config) {
    config.billing.gateway = GatewayKind::Sandbox;
    config.billing.callback_key = Some(Secret::new(CALLBACK_KEY));
}

/// Signs a callback as the gateway would, independently of the server's code.
fn signed(payment_id: &str, status: &str, amount_minor: i64, txn: &str, key: &str) -> Value {
    let key = hmac::Key::new(hmac::HMAC_SHA256, key.as_bytes());
    let text = format!("{payment_id}|{status}|{amount_minor}|{txn}");
    json!({
        "payment_id": payment_id,
        "status": status,
        "amount_minor": amount_minor,
        "transaction_id": txn,
        "signature": hex::encode(hmac::sign(&key, text.as_bytes()).as_ref()),
    })
}

async fn initiate(app: &TestApp, token: &str, amount: i64) -> Value {
    app.post(
        &format!("{API}/payments/initiate"),
        Some(token),
        json!({ "amount": amount, "payment_method": "bkash" }),
    )
    .await
    .data()
    .clone()
}

/// Posts a decision to the sandbox page; returns the status and the page.
async fn decide(app: &TestApp, url: &str, decision: &str) -> (u16, String) {
    let reply = app
        .client
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("decision={decision}"))
        .send()
        .await
        .expect("sandbox post");
    (reply.status().as_u16(), reply.text().await.expect("page"))
}

async fn allocation_count(app: &TestApp, customer_id: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM payment_allocations a JOIN payments p ON p.id = a.payment_id \
         WHERE p.customer_id = $1",
    )
    .bind(customer_id)
    .fetch_one(app.store.pool())
    .await
    .expect("count")
}

async fn sandbox_payment_settles_the_bill_once(app: &TestApp) {
    let customer_id = billing_customer(app, "2026-06-01", "2026-12-31").await;
    let token = app.customer_token(CODE, PHONE).await;
    set_clock(app, datetime!(2027-01-01 00:05 UTC));
    run_billing(app).await;

    set_clock(app, datetime!(2027-01-05 10:30 UTC));
    let payment = initiate(app, &token, 1000).await;
    let payment_id = payment["payment_id"].as_str().unwrap().to_owned();
    let url = payment["payment_url"]
        .as_str()
        .expect("payment_url")
        .to_owned();
    assert_eq!(
        url,
        format!("{}/api/v1/payments/sandbox/{payment_id}", app.base)
    );
    let page = app.client.get(&url).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let page = page.text().await.unwrap();
    assert!(
        page.contains("Confirm payment") && page.contains("1000"),
        "{page}"
    );

    let (status, page) = decide(app, &url, "confirm").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("completed"), "{page}");
    let bill = &bills(app, &token).await[0];
    assert_eq!(bill["status"], "paid");
    assert_eq!(bill["paid_amount"], 1000);
    assert_eq!(bill["paid_date"], "2027-01-05");
    let me = profile(app, &token).await;
    assert_eq!(me["due_amount"], 0);
    // The paid bill pays the service to the end of January.
    assert_eq!(me["expiry_date"], "2027-01-31");
    let history = app.get(&format!("{API}/payments"), Some(&token)).await;
    let first = history.data()["payments"][0].clone();
    assert_eq!(first["id"], payment_id.as_str());
    assert_eq!(first["payment_date"], "2027-01-05T10:30:00Z");
    assert!(first["transaction_id"]
        .as_str()
        .unwrap()
        .starts_with("SBX-"));

    // Confirming again changes nothing.
    let (status, _) = decide(app, &url, "confirm").await;
    assert_eq!(status, 200);
    assert_eq!(allocation_count(app, &customer_id).await, 1);
    assert_eq!(bills(app, &token).await[0]["paid_amount"], 1000);
    // Cancelling a completed payment is refused.
    assert_eq!(decide(app, &url, "cancel").await.0, 409);
    assert_eq!(decide(app, &url, "maybe").await.0, 400);

    // A recharge of two months extends the paid-until date by two months.
    let recharge = app
        .post(
            &format!("{API}/recharge"),
            Some(&token),
            json!({ "amount": 2000, "payment_method": "nagad", "months": 2 }),
        )
        .await;
    let url = recharge.data()["payment_url"].as_str().unwrap().to_owned();
    assert_eq!(decide(app, &url, "confirm").await.0, 200);
    let me = profile(app, &token).await;
    assert_eq!(me["expiry_date"], "2027-03-31");
    assert_eq!(me["due_amount"], 0);
}
both_backends!(sandbox_payment_settles_the_bill_once, super::sandbox_config);

async fn forged_and_repriced_callbacks_change_nothing(app: &TestApp) {
    let customer_id = billing_customer(app, "2026-06-01", "2026-12-31").await;
    let token = app.customer_token(CODE, PHONE).await;
    set_clock(app, datetime!(2027-01-01 00:05 UTC));
    run_billing(app).await;
    let payment = initiate(app, &token, 500).await;
    let id = payment["payment_id"].as_str().unwrap();
    let callback = "/api/v1/payments/callback/sandbox";

    // Signed with another key.
    let forged = signed(
        id,
        "completed",
        50_000,
        "T1",
        "not-the-key-not-the-key-not-the-key",
    );
    app.post(callback, None, forged).await.error(401);
    // The amount changed after signing.
    let mut tampered = signed(id, "completed", 50_000, "T1", CALLBACK_KEY);
    tampered["amount_minor"] = json!(100_000);
    app.post(callback, None, tampered).await.error(401);
    // Correctly signed, but not the payment's amount.
    let repriced = signed(id, "completed", 100_000, "T1", CALLBACK_KEY);
    app.post(callback, None, repriced).await.error(409);
    // An unknown gateway and a missing field.
    app.post(
        "/api/v1/payments/callback/bkash",
        None,
        signed(id, "completed", 50_000, "T1", CALLBACK_KEY),
    )
    .await
    .error(404);
    app.post(callback, None, json!({ "payment_id": id }))
        .await
        .error(400);
    assert_eq!(allocation_count(app, &customer_id).await, 0);
    assert_eq!(profile(app, &token).await["due_amount"], 1000);

    let good = signed(id, "completed", 50_000, "T1", CALLBACK_KEY);
    let first = app.post(callback, None, good.clone()).await;
    assert_eq!(first.data()["applied"], true);
    assert_eq!(first.data()["status"], "completed");
    let again = app.post(callback, None, good).await;
    assert_eq!(again.data()["applied"], false);
    let replayed = signed(id, "completed", 90_000, "T1", CALLBACK_KEY);
    app.post(callback, None, replayed).await.error(409);
    assert_eq!(allocation_count(app, &customer_id).await, 1);
    let bill = &bills(app, &token).await[0];
    assert_eq!(bill["paid_amount"], 500);
    assert_eq!(bill["status"], "partial");
    assert_eq!(profile(app, &token).await["due_amount"], 500);
}
both_backends!(
    forged_and_repriced_callbacks_change_nothing,
    super::sandbox_config
);

async fn staff_record_cash_oldest_bill_first(app: &TestApp) {
    let customer_id = billing_customer(app, "2026-06-01", "2026-12-31").await;
    let token = app.customer_token(CODE, PHONE).await;
    set_clock(app, datetime!(2027-01-01 00:05 UTC));
    run_billing(app).await;
    set_clock(app, datetime!(2027-02-01 00:05 UTC));
    run_billing(app).await;
    let listed = bills(app, &token).await;
    let (january, february) = (listed[0]["id"].clone(), listed[1]["id"].clone());
    let path = format!("/api/v1/admin/customers/{customer_id}/payments");
    let body = json!({ "amount": 1500, "payment_method": "cash", "reference": "RCPT-7" });

    for role in ["noc", "support"] {
        let staff = app.staff_token(role).await;
        app.post(&path, Some(&staff), body.clone()).await.error(403);
    }
    let billing = app.staff_token("billing").await;
    app.post(
        &path,
        Some(&billing),
        json!({ "amount": 10, "payment_method": "bitcoin" }),
    )
    .await
    .error(400);
    app.post(
        &path,
        Some(&billing),
        json!({ "amount": -1, "payment_method": "cash" }),
    )
    .await
    .error(400);
    let rahim = app.customer_id(RAHIM.0).await;
    let rahims_bill = app
        .store
        .customer_bills(
            &rahim,
            None,
            control_plane::store::Page {
                limit: 1,
                offset: 0,
            },
        )
        .await
        .unwrap()
        .rows[0]
        .id
        .clone();
    app.post(
        &path,
        Some(&billing),
        json!({ "amount": 10, "payment_method": "cash", "bill_id": rahims_bill }),
    )
    .await
    .error(404);

    let recorded = app.post(&path, Some(&billing), body).await;
    let data = recorded.data();
    assert_eq!(
        data["allocations"],
        json!([
            { "bill_id": january, "amount": 1000 },
            { "bill_id": february, "amount": 500 },
        ])
    );
    assert_eq!(data["due_amount"], 500);
    assert_eq!(data["credit_added"], 0);
    assert_eq!(data["expiry_date"], "2027-01-31");
    let listed = bills(app, &token).await;
    assert_eq!(listed[0]["status"], "paid");
    assert_eq!(listed[1]["status"], "partial");
    assert_eq!(profile(app, &token).await["due_amount"], 500);

    // Paying more than is due keeps the rest as credit for the next bill.
    let extra = app
        .post(
            &path,
            Some(&billing),
            json!({ "amount": 800, "payment_method": "bank" }),
        )
        .await;
    assert_eq!(extra.data()["credit_added"], 300);
    set_clock(app, datetime!(2027-03-01 00:05 UTC));
    run_billing(app).await;
    let march = &bills(app, &token).await[2];
    assert_eq!(march["paid_amount"], 300);
    assert_eq!(march["status"], "partial");
    assert_eq!(profile(app, &token).await["due_amount"], 700);

    let admin = app.staff_token("admin").await;
    let audit = app
        .get(
            "/api/v1/admin/audit-log?action=payment.record",
            Some(&admin),
        )
        .await;
    let entries = audit.data()["entries"].as_array().unwrap().clone();
    assert_eq!(entries.len(), 2);
    assert!(entries.iter().all(|e| e["actor_name"] == "billing"));
}
both_backends!(staff_record_cash_oldest_bill_first);

async fn another_customers_bills_and_payments_are_unreachable(app: &TestApp) {
    let rahim = app.customer_token(RAHIM.0, RAHIM.1).await;
    let karima = app.customer_token(KARIMA.0, KARIMA.1).await;
    let rahims_bills = app.get(&format!("{API}/bills"), Some(&rahim)).await;
    let bill_id = rahims_bills.data()["bills"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.get(&format!("{API}/bills/{bill_id}"), Some(&karima))
        .await
        .error(404);
    app.post(
        &format!("{API}/payments/initiate"),
        Some(&karima),
        json!({ "amount": 10, "payment_method": "bkash", "bill_id": bill_id }),
    )
    .await
    .error(404);
    let paid = initiate(app, &rahim, 10).await;
    let karimas_payments = app.get(&format!("{API}/payments"), Some(&karima)).await;
    assert!(karimas_payments.data()["payments"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["id"] != paid["payment_id"]));
}
both_backends!(
    another_customers_bills_and_payments_are_unreachable,
    super::sandbox_config
);
