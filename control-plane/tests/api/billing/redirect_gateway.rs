//! A provider's redirect gateway configured like bKash: the payer is sent to the provider with
//! a signed request, and the provider's callback (its own field names, its signature header
//! over the raw body) completes the payment once; a replay changes nothing, a forged signature
//! is refused with nothing changed, and an amount other than the initiated one is refused.

use control_plane::billing::gateway::redirect::AmountUnit;
use control_plane::billing::gateway::settings::RedirectGatewaySettings;
use control_plane::billing::settings::GatewayKind;
use control_plane::config::Config;
use ring::hmac;
use serde_json::{json, Value};
use time::macros::datetime;

use super::support::{billing_customer, bills, profile, run_billing, set_clock, API, CODE, PHONE};
use crate::both_backends_with;
use crate::helpers::TestApp;

const SECRET: &str = "bkash-merchant-secret-0123456789";

fn bkash_config(config: &mut Config) {
    let secret_file = config.data_dir.join("bkash.key");
    std::fs::create_dir_all(&config.data_dir).expect("data dir");
    std::fs::write(&secret_file, format!("{SECRET}\n")).expect("secret file");
    config.billing.gateway = GatewayKind::Redirect("bkash".to_owned());
    config.billing.redirect_gateways = vec![RedirectGatewaySettings {
        name: "bkash".to_owned(),
        redirect_url: "https://checkout.bkash.example/pay?invoice={payment_id}&amount={amount}\
                       &callbackURL={callback_url}&signature={signature}"
            .to_owned(),
        secret_file,
        signature_header: "X-Bkash-Signature".to_owned(),
        payment_id_field: "merchantInvoiceNumber".to_owned(),
        status_field: "transactionStatus".to_owned(),
        amount_field: "amount".to_owned(),
        transaction_id_field: "trxID".to_owned(),
        amount_unit: AmountUnit::Major,
        completed_value: "Completed".to_owned(),
        cancelled_value: "Cancelled".to_owned(),
    }];
}

fn hmac_hex(text: &str) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, SECRET.as_bytes());
    hex::encode(hmac::sign(&key, text.as_bytes()).as_ref())
}

/// Posts a provider callback with this raw body and signature; returns (status, body).
async fn callback(app: &TestApp, body: &str, signature: &str) -> (u16, Value) {
    let reply = app
        .client
        .post(format!("{}/api/v1/payments/callback/bkash", app.base))
        .header("content-type", "application/json")
        .header("X-Bkash-Signature", signature)
        .body(body.to_owned())
        .send()
        .await
        .expect("callback");
    let status = reply.status().as_u16();
    (status, reply.json().await.expect("json"))
}

fn provider_body(payment_id: &str, amount: &str, trx: &str) -> String {
    json!({ "merchantInvoiceNumber": payment_id, "transactionStatus": "Completed",
            "amount": amount, "trxID": trx, "currency": "BDT" })
    .to_string()
}

async fn payment_status(app: &TestApp, id: &str) -> String {
    app.store.payment(id).await.expect("payment").status
}

async fn provider_callbacks_complete_once_and_forgeries_change_nothing(app: &TestApp) {
    billing_customer(app, "2026-06-01", "2026-12-31").await;
    let token = app.customer_token(CODE, PHONE).await;
    set_clock(app, datetime!(2027-01-01 00:05 UTC));
    run_billing(app).await;
    set_clock(app, datetime!(2027-01-05 10:30 UTC));

    let initiated = app
        .post(
            &format!("{API}/payments/initiate"),
            Some(&token),
            json!({ "amount": 1000, "payment_method": "bkash" }),
        )
        .await
        .data()
        .clone();
    let id = initiated["payment_id"].as_str().expect("id").to_owned();
    let url = initiated["payment_url"].as_str().expect("payment_url");
    let callback_url = format!("{}/api/v1/payments/callback/bkash", app.base)
        .replace(':', "%3A")
        .replace('/', "%2F");
    assert_eq!(
        url,
        format!(
            "https://checkout.bkash.example/pay?invoice={id}&amount=1000.00\
             &callbackURL={callback_url}&signature={}",
            hmac_hex(&format!("{id}|100000"))
        )
    );

    // Forged: signed with another key, or the body changed after signing.
    let good = provider_body(&id, "1000.00", "TRX1");
    let other = hex::encode(
        hmac::sign(
            &hmac::Key::new(hmac::HMAC_SHA256, b"not-the-merchant-secret"),
            good.as_bytes(),
        )
        .as_ref(),
    );
    let (status, _) = callback(app, &good, &other).await;
    assert_eq!(status, 401);
    let (status, _) = callback(app, &provider_body(&id, "1.00", "TRX1"), &hmac_hex(&good)).await;
    assert_eq!(status, 401);
    let (status, _) = callback(app, &good, "").await;
    assert_eq!(status, 401);
    assert_eq!(payment_status(app, &id).await, "pending");

    // Correctly signed but not the initiated amount: refused, nothing changed.
    let cheaper = provider_body(&id, "10.00", "TRX1");
    let (status, body) = callback(app, &cheaper, &hmac_hex(&cheaper)).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(payment_status(app, &id).await, "pending");
    assert_eq!(profile(app, &token).await["due_amount"], 1000.0);

    // The real callback completes it and pays the bill.
    let (status, body) = callback(app, &good, &format!("sha256={}", hmac_hex(&good))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["applied"], true);
    assert_eq!(payment_status(app, &id).await, "completed");
    assert_eq!(bills(app, &token).await[0]["status"], "paid");
    assert_eq!(profile(app, &token).await["due_amount"], 0.0);

    // A replay is answered and changes nothing.
    let (status, body) = callback(app, &good, &hmac_hex(&good)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["applied"], false);
    let completions: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'payment.complete' AND target_id = $1",
    )
    .bind(&id)
    .fetch_one(app.store.pool())
    .await
    .expect("count");
    assert_eq!(completions, 1);
    let allocations: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM payment_allocations WHERE payment_id = $1")
            .bind(&id)
            .fetch_one(app.store.pool())
            .await
            .expect("count");
    assert_eq!(allocations, 1);
}
both_backends_with!(
    provider_callbacks_complete_once_and_forgeries_change_nothing,
    bkash_config
);
