//! Paying from the portal: a bill's Pay button and the dashboard's Recharge form create the
//! payment priced on the server (an amount in the form is ignored), send the browser to the
//! sandbox gateway, whose page links back to the portal's outcome page; other subscribers'
//! bills and payments answer 404, and without a gateway the portal says so in words.

use reqwest::header::LOCATION;
use reqwest::StatusCode;
use serde_json::Value;

use super::{csrf_of, logged_in};
use crate::billing::payments::sandbox_config;
use crate::helpers::{TestApp, KARIMA, RAHIM};
use crate::{both_backends, both_backends_with};

const API: &str = "/api/v1/customer";

async fn unpaid_bill(app: &TestApp, token: &str) -> Value {
    let bills = app.get(&format!("{API}/bills"), Some(token)).await;
    bills.data()["bills"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["status"] == "unpaid")
        .expect("an unpaid bill")
        .clone()
}

/// Confirms or cancels at the sandbox gateway's page the way its form does.
async fn decide(app: &TestApp, url: &str, decision: &str) -> String {
    let reply = app
        .client
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("decision={decision}"))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), StatusCode::OK);
    reply.text().await.unwrap()
}

async fn a_bill_is_paid_through_the_gateway_and_back(app: &TestApp) {
    let token = app.customer_token(KARIMA.0, KARIMA.1).await;
    let bill = unpaid_bill(app, &token).await;
    let bill_id = bill["id"].as_str().unwrap().to_owned();
    let bill_number = bill["bill_number"].as_str().unwrap().to_owned();
    let karima_id = app.customer_id(KARIMA.0).await;
    let stored_bill = app.store.customer_bill(&karima_id, &bill_id).await.unwrap();

    let mut karima = logged_in(app, KARIMA).await;
    let bills = karima.get("/bills").await;
    assert!(
        bills
            .body
            .contains(&format!("action=\"/bills/{bill_id}/pay\"")),
        "{}",
        bills.body
    );
    assert!(bills
        .body
        .contains(&format!("Pay bill {bill_number} with</label>")));
    let csrf = csrf_of(&bills);

    // The amount is the bill's rest, whatever the form says.
    let sent = karima
        .post_form(
            &format!("/bills/{bill_id}/pay"),
            &[
                ("csrf", &csrf),
                ("payment_method", "nagad"),
                ("amount", "1"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let gateway = sent.headers[LOCATION].to_str().unwrap().to_owned();
    let payment_id = gateway
        .strip_prefix(&format!("{}/api/v1/payments/sandbox/", app.base))
        .expect("the sandbox page")
        .to_owned();
    let payment = app.store.payment(&payment_id).await.unwrap();
    assert_eq!(
        payment.amount_minor,
        stored_bill.total_minor - stored_bill.paid_minor,
        "priced at what the bill still owes"
    );
    assert!(payment.amount_minor > 0);
    assert_eq!(payment.bill_id.as_deref(), Some(bill_id.as_str()));
    assert_eq!(payment.payment_method, "nagad");
    assert_eq!(payment.status, "pending");

    // Rahim cannot see Karima's payment, nor pay her bill.
    let mut rahim = logged_in(app, RAHIM).await;
    assert_eq!(
        rahim.get(&format!("/payments/{payment_id}")).await.status,
        StatusCode::NOT_FOUND
    );
    let rahim_csrf = csrf_of(&rahim.get("/bills").await);
    let theirs = rahim
        .post_form(
            &format!("/bills/{bill_id}/pay"),
            &[("csrf", &rahim_csrf), ("payment_method", "bkash")],
        )
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert!(theirs.body.contains("bill not found"), "{}", theirs.body);

    let pending = karima.get(&format!("/payments/{payment_id}")).await;
    assert!(
        pending.body.contains("data-status=\"pending\""),
        "{}",
        pending.body
    );

    let done = decide(app, &gateway, "confirm").await;
    assert!(
        done.contains(&format!("href=\"/payments/{payment_id}\"")),
        "the sandbox links back: {done}"
    );
    let outcome = karima.get(&format!("/payments/{payment_id}")).await;
    assert_eq!(outcome.status, StatusCode::OK);
    assert!(
        outcome.body.contains("data-status=\"completed\""),
        "{}",
        outcome.body
    );
    assert!(outcome.body.contains(&format!("Bill {bill_number}")));
    assert!(
        outcome.body.contains("class=\"status-paid\">paid</dd>"),
        "{}",
        outcome.body
    );
    let bills = karima.get("/bills").await;
    assert!(
        !bills.body.contains(&format!("/bills/{bill_id}/pay")),
        "paid bills have no Pay"
    );

    // Paying it again is refused in words.
    let again = karima
        .post_form(
            &format!("/bills/{bill_id}/pay"),
            &[("csrf", &csrf), ("payment_method", "nagad")],
        )
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert!(again.body.contains("already paid"), "{}", again.body);

    // Every payment started here is in the audit log as the subscriber's.
    let admin = app.staff_token("admin").await;
    let audit = app
        .get(
            &format!("/api/v1/admin/audit-log?target_id={payment_id}"),
            Some(&admin),
        )
        .await;
    let actions: Vec<&str> = audit.data()["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert!(actions.contains(&"payment.initiate"), "{actions:?}");
}
both_backends_with!(a_bill_is_paid_through_the_gateway_and_back, sandbox_config);

async fn a_recharge_is_priced_at_the_monthly_charge_and_extends_expiry(app: &TestApp) {
    let customer_id = app.customer_id(RAHIM.0).await;
    let before = app.store.customer(&customer_id).await.unwrap();
    let mut rahim = logged_in(app, RAHIM).await;
    let dashboard = rahim.get("/").await;
    assert!(dashboard
        .body
        .contains("<label for=\"recharge-months\">Months</label>"));
    let csrf = csrf_of(&dashboard);

    for months in ["0", "25", "two", ""] {
        let refused = rahim
            .post_form(
                "/recharge",
                &[
                    ("csrf", &csrf),
                    ("months", months),
                    ("payment_method", "bkash"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "months {months:?}");
        assert!(refused.body.contains("from 1 to 24"), "{}", refused.body);
    }
    let wrong_method = rahim
        .post_form(
            "/recharge",
            &[("csrf", &csrf), ("months", "2"), ("payment_method", "gold")],
        )
        .await;
    assert_eq!(wrong_method.status, StatusCode::BAD_REQUEST);
    assert!(wrong_method.body.contains("payment_method must be one of"));

    let sent = rahim
        .post_form(
            "/recharge",
            &[
                ("csrf", &csrf),
                ("months", "2"),
                ("payment_method", "bkash"),
                ("amount", "0.01"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let gateway = sent.headers[LOCATION].to_str().unwrap().to_owned();
    let payment_id = gateway.rsplit('/').next().unwrap().to_owned();
    let payment = app.store.payment(&payment_id).await.unwrap();
    assert_eq!(payment.purpose, "recharge");
    assert_eq!(payment.months, Some(2));
    assert_eq!(payment.amount_minor, before.monthly_bill_minor * 2);

    decide(app, &gateway, "confirm").await;
    let after = app.store.customer(&customer_id).await.unwrap();
    let old = before.expiry_date.clone().unwrap();
    let new = after.expiry_date.clone().unwrap();
    assert!(new > old, "expiry {old} moved to {new}");
    let outcome = rahim.get(&format!("/payments/{payment_id}")).await;
    assert!(
        outcome.body.contains("Recharge of 2 month(s)"),
        "{}",
        outcome.body
    );
    assert!(outcome
        .body
        .contains(&format!("<dd id=\"expiry-date\">{new}</dd>")));
    let dashboard = rahim.get("/").await;
    assert!(
        dashboard.body.contains(&new),
        "the dashboard shows the new expiry"
    );
}
both_backends_with!(
    a_recharge_is_priced_at_the_monthly_charge_and_extends_expiry,
    sandbox_config
);

async fn without_a_gateway_paying_is_refused_in_words(app: &TestApp) {
    let token = app.customer_token(KARIMA.0, KARIMA.1).await;
    let bill_id = unpaid_bill(app, &token).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut karima = logged_in(app, KARIMA).await;
    let bills = karima.get("/bills").await;
    assert!(
        !bills.body.contains("/pay\""),
        "no Pay button without a gateway"
    );
    assert!(!karima.get("/").await.body.contains("id=\"recharge\""));
    let csrf = csrf_of(&bills);
    let refused = karima
        .post_form(
            &format!("/bills/{bill_id}/pay"),
            &[("csrf", &csrf), ("payment_method", "bkash")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        refused.body.contains("online payment is not available"),
        "{}",
        refused.body
    );
    let customer_id = app.customer_id(KARIMA.0).await;
    let pending: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM payments WHERE customer_id = $1 AND status = 'pending'",
    )
    .bind(&customer_id)
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(pending, 0, "nothing stored");
}
both_backends!(without_a_gateway_paying_is_refused_in_words);
