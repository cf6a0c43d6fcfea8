//! Webhooks to `https://` receivers (rustls on 127.0.0.1 with a throwaway CA): staff webhooks
//! arrive signed when `[webhooks] ca_file` trusts the CA; an untrusted certificate is a failed
//! attempt with the reason in the log; a customer's own webhook gets that customer's alerts
//! at or above their minimum severity.

use std::path::PathBuf;
use std::time::Duration;

use control_plane::alerts::networks::Network;
use control_plane::config::Config;
use ring::hmac;
use serde_json::{json, Value};
use time::macros::datetime;

use super::https_receiver::{self, Got, Received};
use super::pki::Pki;
use super::{alert_log, set_preferences};
use crate::billing::support::{billing_customer, run_billing, set_clock, CODE, PHONE};
use crate::helpers::{eventually, Backend, TestApp};

const WAIT: Duration = Duration::from_secs(30);

macro_rules! on_both {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(crate::helpers::Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name(crate::helpers::Backend::Postgres).await;
            }
        }
    };
}

fn trusting(ca_file: PathBuf) -> impl FnOnce(&mut Config) {
    move |config: &mut Config| {
        config.webhooks.ca_file = Some(ca_file);
        config.webhooks.retry_base = Duration::from_millis(100);
        config.webhooks.max_attempts = 2;
        config.webhooks.allow_private_networks = vec![Network::parse("127.0.0.0/8").unwrap()];
    }
}

fn verify(secret: &str, r: &Received) {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    let signed = format!("{}.{}", r.timestamp, r.body);
    let expected = format!(
        "sha256={}",
        hex::encode(hmac::sign(&key, signed.as_bytes()).as_ref())
    );
    assert_eq!(r.signature, expected, "{r:?}");
}

async fn received(got: &Got, count: usize) -> Vec<Received> {
    eventually("webhook deliveries at the receiver", WAIT, || async {
        let got = got.lock().unwrap().clone();
        (got.len() >= count).then_some(got)
    })
    .await
}

/// Two PKIs: the one the control plane trusts and one it does not.
fn pkis(test: &str) -> Option<(tempfile::TempDir, Pki, Pki)> {
    if !super::have(test, "openssl", &["version"], "openssl") {
        return None;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let trusted = dir.path().join("trusted");
    let untrusted = dir.path().join("untrusted");
    std::fs::create_dir_all(&trusted).unwrap();
    std::fs::create_dir_all(&untrusted).unwrap();
    let (a, b) = (Pki::make(&trusted), Pki::make(&untrusted));
    Some((dir, a, b))
}

async fn register(app: &TestApp, url: &str) -> (String, String) {
    let admin = app.staff_token("admin").await;
    let created = app
        .post(
            "/api/v1/admin/webhooks",
            Some(&admin),
            json!({ "url": url, "events": ["bill.generated"] }),
        )
        .await;
    let created = created.data();
    (
        created["webhook"]["id"].as_str().unwrap().to_owned(),
        created["secret"].as_str().unwrap().to_owned(),
    )
}

async fn staff_log(app: &TestApp, webhook_id: &str) -> Vec<Value> {
    let admin = app.staff_token("admin").await;
    app.get(
        &format!("/api/v1/admin/webhooks/{webhook_id}/deliveries"),
        Some(&admin),
    )
    .await
    .data()
    .as_array()
    .unwrap()
    .clone()
}

async fn https_receivers_need_a_trusted_certificate(backend: Backend) {
    let Some((_dir, trusted, untrusted)) = pkis("https_receivers_need_a_trusted_certificate")
    else {
        return;
    };
    let Some(app) = TestApp::spawn_with(backend, trusting(trusted.ca.clone())).await else {
        return;
    };
    let (good_url, good) = https_receiver::start(&trusted).await;
    let (bad_url, bad) = https_receiver::start(&untrusted).await;
    let (good_id, secret) = register(&app, &good_url).await;
    let (bad_id, _) = register(&app, &bad_url).await;

    billing_customer(&app, "2026-06-01", "2026-12-31").await;
    set_clock(&app, datetime!(2027-01-01 00:05 UTC));
    run_billing(&app).await;

    let got = received(&good, 1).await;
    assert_eq!(got[0].path, "/hook");
    assert_eq!(got[0].event, "bill.generated");
    verify(&secret, &got[0]);
    let failed = eventually("the untrusted receiver given up", WAIT, || async {
        staff_log(&app, &bad_id)
            .await
            .into_iter()
            .find(|d| d["status"] == "failed")
    })
    .await;
    assert_eq!(failed["attempts"], 2);
    let error = failed["last_error"].as_str().unwrap();
    assert!(
        error.contains("TLS handshake with 127.0.0.1 failed") && error.contains("certificate"),
        "{error}"
    );
    assert!(bad.lock().unwrap().is_empty());
    let delivered = staff_log(&app, &good_id).await;
    assert_eq!(delivered[0]["status"], "delivered", "{delivered:?}");
    app.stop().await;
}
on_both!(https_receivers_need_a_trusted_certificate);

async fn customer_webhook_gets_alerts_from_its_minimum(backend: Backend) {
    let Some((_dir, trusted, _)) = pkis("customer_webhook_gets_alerts_from_its_minimum") else {
        return;
    };
    let Some(app) = TestApp::spawn_with(backend, trusting(trusted.ca.clone())).await else {
        return;
    };
    let (url, got) = https_receiver::start(&trusted).await;
    let customer_id = billing_customer(&app, "2026-06-01", "2026-12-31").await;
    let token = app.customer_token(CODE, PHONE).await;
    let set = set_preferences(
        &app,
        &token,
        json!({ "email_enabled": false, "webhook_enabled": true, "webhook_url": url,
                "min_severity": "warning" }),
    )
    .await;
    let secret = set["webhook_secret"].as_str().unwrap().to_owned();

    set_clock(&app, datetime!(2026-12-28 09:00 UTC));
    assert_eq!(run_billing(&app).await["expiry_warnings"], 1);
    let first = received(&got, 1).await;
    assert_eq!(first[0].event, "notification.created");
    verify(&secret, &first[0]);
    let body: Value = serde_json::from_str(&first[0].body).unwrap();
    assert_eq!(body["data"]["customer_id"], customer_id);
    assert_eq!(body["data"]["type"], "EXPIRY_WARNING");
    assert_eq!(body["data"]["severity"], "warning");
    eventually("the alert logged delivered", WAIT, || async {
        let log = alert_log(&app, &customer_id).await;
        (log.len() == 1 && log[0]["status"] == "delivered" && log[0]["channel"] == "webhook")
            .then_some(())
    })
    .await;

    // Critical only: the one-day warning is not sent.
    set_preferences(&app, &token, json!({ "min_severity": "critical" })).await;
    set_clock(&app, datetime!(2026-12-30 09:00 UTC));
    assert_eq!(run_billing(&app).await["expiry_warnings"], 1);
    assert_eq!(alert_log(&app, &customer_id).await.len(), 1);
    assert_eq!(got.lock().unwrap().len(), 1);
    app.stop().await;
}
on_both!(customer_webhook_gets_alerts_from_its_minimum);

/// A URL that passed the check when saved but reaches an internal address at delivery (as a
/// name re-pointed in DNS would) is refused then, for good, without a connection.
async fn internal_addresses_are_refused_at_delivery(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let customer_id = billing_customer(&app, "2026-06-01", "2026-12-31").await;
    let token = app.customer_token(CODE, PHONE).await;
    app.put(
        &format!("{}/alert-preferences", crate::billing::support::API),
        Some(&token),
        json!({ "webhook_url": url, "webhook_enabled": true, "email_enabled": false }),
    )
    .await
    .error(422);
    let fields = control_plane::store::alerts::AlertPreferencesFields {
        email_enabled: false,
        email_address: None,
        webhook_enabled: true,
        webhook_url: Some(url),
        webhook_secret: Some("s".repeat(64)),
        min_severity: "info".to_owned(),
    };
    app.store
        .put_alert_preferences(&customer_id, &fields, "test")
        .await
        .unwrap();
    set_clock(&app, datetime!(2026-12-28 09:00 UTC));
    assert_eq!(run_billing(&app).await["expiry_warnings"], 1);
    let failed = eventually("the delivery refused", WAIT, || async {
        let log = alert_log(&app, &customer_id).await;
        log.into_iter().find(|d| d["status"] == "failed")
    })
    .await;
    assert_eq!(failed["attempts"], 1);
    let error = failed["last_error"].as_str().unwrap();
    assert!(
        error.contains("127.0.0.1 is an internal address"),
        "{error}"
    );
    let accepted = tokio::time::timeout(Duration::from_millis(1), listener.accept()).await;
    assert!(accepted.is_err(), "no connection was made");
    app.stop().await;
}
on_both!(internal_addresses_are_refused_at_delivery);
