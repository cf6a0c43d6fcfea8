//! Webhooks: a receiver on 127.0.0.1 gets billing events signed with the webhook's secret
//! (checked here with ring, independently), a refused delivery is retried with backoff, one
//! that never gets through is given up and counted, and only admins manage webhooks.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use control_plane::config::Config;
use ring::hmac;
use serde_json::{json, Value};
use time::macros::datetime;

use super::support::{billing_customer, run_billing, set_clock};
use crate::both_backends;
use crate::helpers::{assert_metric, eventually, metrics_text, TestApp};

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    event: String,
    delivery: String,
    timestamp: String,
    signature: String,
    body: String,
}

/// What the receiver got, and the statuses it answers with (then 200).
#[derive(Default)]
struct Receiver {
    got: Mutex<Vec<Received>>,
    answers: Mutex<Vec<StatusCode>>,
}

async fn receive(State(r): State<Arc<Receiver>>, headers: HeaderMap, body: String) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    r.got.lock().unwrap().push(Received {
        event: header("x-netops-event"),
        delivery: header("x-netops-delivery"),
        timestamp: header("x-netops-timestamp"),
        signature: header("x-netops-signature"),
        body,
    });
    let mut answers = r.answers.lock().unwrap();
    if answers.is_empty() {
        StatusCode::OK
    } else {
        answers.remove(0)
    }
}

/// Starts a receiver on 127.0.0.1; returns its URL.
async fn start_receiver(receiver: Arc<Receiver>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Router::new()
        .route("/hook", post(receive))
        .with_state(receiver);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}/hook")
}

fn fast_retries(config: &mut Config) {
    config.webhooks.retry_base = Duration::from_millis(100);
    config.webhooks.max_attempts = 3;
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

async fn register(app: &TestApp, url: &str, events: Value) -> Value {
    let admin = app.staff_token("admin").await;
    app.post(
        "/api/v1/admin/webhooks",
        Some(&admin),
        json!({ "url": url, "events": events }),
    )
    .await
    .data()
    .clone()
}

async fn deliveries(app: &TestApp, webhook_id: &str) -> Vec<Value> {
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

async fn billing_events_are_delivered_signed_and_retried(app: &TestApp) {
    let receiver = Arc::new(Receiver::default());
    receiver
        .answers
        .lock()
        .unwrap()
        .push(StatusCode::SERVICE_UNAVAILABLE);
    let url = start_receiver(Arc::clone(&receiver)).await;
    let created = register(app, &url, json!(["bill.generated", "payment.completed"])).await;
    let secret = created["secret"].as_str().unwrap().to_owned();
    let webhook_id = created["webhook"]["id"].as_str().unwrap().to_owned();

    // January's bill: the first attempt is refused, the retry gets through.
    let customer_id = billing_customer(app, "2026-06-01", "2026-12-31").await;
    set_clock(app, datetime!(2027-01-01 00:05 UTC));
    assert_eq!(run_billing(app).await["customers_suspended"], 1);
    let got = eventually(
        "the retried bill.generated",
        Duration::from_secs(10),
        || {
            let receiver = Arc::clone(&receiver);
            async move {
                let got = receiver.got.lock().unwrap().clone();
                (got.len() >= 2).then_some(got)
            }
        },
    )
    .await;
    assert_eq!(got.len(), 2, "{got:?}");
    for r in &got {
        assert_eq!(r.event, "bill.generated");
        verify(&secret, r);
    }
    assert_eq!(got[0].delivery, got[1].delivery);
    let body: Value = serde_json::from_str(&got[1].body).unwrap();
    assert_eq!(body["event"], "bill.generated");
    assert_eq!(body["data"]["customer_id"], customer_id.as_str());
    assert_eq!(body["data"]["total_minor"], 100_000);

    // A payment; the suspension before it was not subscribed to.
    let billing = app.staff_token("billing").await;
    app.post(
        &format!("/api/v1/admin/customers/{customer_id}/payments"),
        Some(&billing),
        json!({ "amount": 1000, "payment_method": "cash" }),
    )
    .await
    .data();
    let payment = eventually("payment.completed", Duration::from_secs(10), || {
        let receiver = Arc::clone(&receiver);
        async move {
            let got = receiver.got.lock().unwrap().clone();
            got.into_iter().find(|r| r.event == "payment.completed")
        }
    })
    .await;
    verify(&secret, &payment);
    let body: Value = serde_json::from_str(&payment.body).unwrap();
    assert_eq!(body["data"]["amount_minor"], 100_000);
    assert_eq!(body["data"]["payment_method"], "cash");

    let log = eventually(
        "both deliveries logged",
        Duration::from_secs(10),
        || async {
            let log = deliveries(app, &webhook_id).await;
            log.iter()
                .all(|d| d["status"] == "delivered")
                .then_some(log)
        },
    )
    .await;
    assert_eq!(log.len(), 2, "{log:?}");
    let bill = log.iter().find(|d| d["event"] == "bill.generated").unwrap();
    assert_eq!(bill["attempts"], 2);
    assert_eq!(bill["last_status_code"], 200);
    assert!(receiver
        .got
        .lock()
        .unwrap()
        .iter()
        .all(|r| r.event != "service.suspended"));
    let metrics = metrics_text(app).await;
    assert_metric(
        &metrics,
        "netops_webhook_deliveries_total{outcome=\"delivered\"}",
        2,
    );
    assert_metric(
        &metrics,
        "netops_webhook_deliveries_total{outcome=\"retried\"}",
        1,
    );
    assert_metric(
        &metrics,
        "netops_webhook_deliveries_total{outcome=\"failed\"}",
        0,
    );
}
both_backends!(
    billing_events_are_delivered_signed_and_retried,
    super::fast_retries
);

async fn an_unreachable_receiver_is_given_up(app: &TestApp) {
    // A port nothing listens on any more.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", closed.local_addr().unwrap());
    drop(closed);
    let created = register(app, &url, json!(["bill.generated"])).await;
    let webhook_id = created["webhook"]["id"].as_str().unwrap().to_owned();
    billing_customer(app, "2026-06-01", "2026-12-31").await;
    set_clock(app, datetime!(2027-01-01 00:05 UTC));
    run_billing(app).await;
    let failed = eventually("the delivery given up", Duration::from_secs(10), || async {
        let log = deliveries(app, &webhook_id).await;
        log.into_iter().find(|d| d["status"] == "failed")
    })
    .await;
    assert_eq!(failed["attempts"], 3);
    assert!(failed["last_error"]
        .as_str()
        .unwrap()
        .contains("connection"));
    let metrics = metrics_text(app).await;
    assert_metric(
        &metrics,
        "netops_webhook_deliveries_total{outcome=\"retried\"}",
        2,
    );
    assert_metric(
        &metrics,
        "netops_webhook_deliveries_total{outcome=\"failed\"}",
        1,
    );
}
both_backends!(an_unreachable_receiver_is_given_up, super::fast_retries);

async fn only_admins_manage_webhooks(app: &TestApp) {
    let admin = app.staff_token("admin").await;
    for (body, part) in [
        (json!({ "events": ["bill.generated"] }), "url"),
        (
            json!({ "url": "ftp://127.0.0.1/x", "events": ["bill.generated"] }),
            "http://",
        ),
        (
            json!({ "url": "http://u:p@127.0.0.1/x", "events": ["bill.generated"] }),
            "password",
        ),
        (
            json!({ "url": "not a url", "events": ["bill.generated"] }),
            "not a URL",
        ),
        (
            json!({ "url": "http://127.0.0.1/x", "events": [] }),
            "at least one",
        ),
        (
            json!({ "url": "http://127.0.0.1/x", "events": ["bill.paid"] }),
            "unknown events bill.paid",
        ),
    ] {
        let message = app
            .post("/api/v1/admin/webhooks", Some(&admin), body.clone())
            .await
            .error(400);
        assert!(message.contains(part), "{body}: {message}");
    }
    for role in ["billing", "noc", "support"] {
        let token = app.staff_token(role).await;
        app.post(
            "/api/v1/admin/webhooks",
            Some(&token),
            json!({ "url": "http://127.0.0.1:9/x", "events": ["bill.generated"] }),
        )
        .await
        .error(403);
        app.get("/api/v1/admin/webhooks", Some(&token))
            .await
            .error(403);
    }
    let created = register(app, "http://127.0.0.1:9/x", json!(["bill.generated"])).await;
    let id = created["webhook"]["id"].as_str().unwrap().to_owned();
    let listed = app.get("/api/v1/admin/webhooks", Some(&admin)).await;
    let listed = listed.data().as_array().unwrap().clone();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].get("secret").is_none(), "{listed:?}");
    app.delete(&format!("/api/v1/admin/webhooks/{id}"), Some(&admin))
        .await
        .data();
    let listed = app.get("/api/v1/admin/webhooks", Some(&admin)).await;
    assert_eq!(listed.data()[0]["active"], false);
    app.delete("/api/v1/admin/webhooks/no-such-webhook", Some(&admin))
        .await
        .error(404);
    let audit = app
        .get("/api/v1/admin/audit-log?target_kind=webhook", Some(&admin))
        .await;
    assert_eq!(audit.data()["entries"].as_array().unwrap().len(), 2);
}
both_backends!(only_admins_manage_webhooks);

/// The received events named `event`, waiting until there are `count` of them.
async fn received(receiver: &Arc<Receiver>, event: &str, count: usize) -> Vec<Received> {
    eventually(event, Duration::from_secs(10), || {
        let receiver = Arc::clone(receiver);
        async move {
            let got: Vec<Received> = receiver
                .got
                .lock()
                .unwrap()
                .iter()
                .filter(|r| r.event == event)
                .cloned()
                .collect();
            (got.len() >= count).then_some(got)
        }
    })
    .await
}

async fn a_test_send_reaches_that_webhook_alone(app: &TestApp) {
    let asked = Arc::new(Receiver::default());
    let other = Arc::new(Receiver::default());
    let asked_url = start_receiver(Arc::clone(&asked)).await;
    let other_url = start_receiver(Arc::clone(&other)).await;
    let webhook = register(app, &asked_url, json!(["payment.completed"])).await;
    register(app, &other_url, json!(["payment.completed"])).await;
    let id = webhook["webhook"]["id"].as_str().unwrap();
    let secret = webhook["secret"].as_str().unwrap();

    for role in ["noc", "billing", "support"] {
        let token = app.staff_token(role).await;
        app.post(
            &format!("/api/v1/admin/webhooks/{id}/test"),
            Some(&token),
            json!({}),
        )
        .await
        .error(403);
    }
    let admin = app.staff_token("admin").await;
    let sent = app
        .post(
            &format!("/api/v1/admin/webhooks/{id}/test"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(sent.data()["event"], "webhook.test");
    let got = received(&asked, "webhook.test", 1).await;
    assert_eq!(got.len(), 1, "{got:?}");
    verify(secret, &got[0]);
    assert_eq!(
        got[0].delivery,
        sent.data()["delivery_id"].as_str().unwrap()
    );
    let log = deliveries(app, id).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["event"], "webhook.test");

    // A second webhook's receiver heard nothing; an unknown or removed webhook is a 404.
    app.post("/api/v1/admin/webhooks/nope/test", Some(&admin), json!({}))
        .await
        .error(404);
    app.delete(&format!("/api/v1/admin/webhooks/{id}"), Some(&admin))
        .await;
    app.post(
        &format!("/api/v1/admin/webhooks/{id}/test"),
        Some(&admin),
        json!({}),
    )
    .await
    .error(404);
    assert!(
        other.got.lock().unwrap().is_empty(),
        "only the asked webhook"
    );
}
both_backends!(a_test_send_reaches_that_webhook_alone);

async fn a_staff_reply_is_announced_and_an_internal_note_is_not(app: &TestApp) {
    let receiver = Arc::new(Receiver::default());
    let url = start_receiver(Arc::clone(&receiver)).await;
    register(app, &url, json!(["ticket.replied"])).await;
    let ticket = crate::staff_tickets::open_ticket(app, crate::helpers::RAHIM, "Link down").await;
    let support = app.staff_token("support").await;
    let messages = format!("/api/v1/admin/tickets/{ticket}/messages");
    app.post(
        &messages,
        Some(&support),
        json!({ "message": "Splitter at pole 7 suspected", "internal": true }),
    )
    .await
    .data();
    app.post(
        &messages,
        Some(&support),
        json!({ "message": "A technician is on the way" }),
    )
    .await
    .data();

    let got = received(&receiver, "ticket.replied", 1).await;
    let body: Value = serde_json::from_str(&got[0].body).unwrap();
    assert_eq!(body["data"]["ticket_id"], ticket.as_str());
    let (code, phone, _) = crate::helpers::RAHIM;
    let token = app.customer_token(code, phone).await;
    let notes = app
        .get("/api/v1/customer/notifications", Some(&token))
        .await;
    let text = notes.data().to_string();
    assert!(text.contains("A technician is on the way"), "{text}");
    assert!(
        !text.contains("Splitter"),
        "internal notes stay internal: {text}"
    );
    // The note was stored before the reply: had it been announced, it would have come first.
    assert_eq!(receiver.got.lock().unwrap().len(), 1);
}
both_backends!(a_staff_reply_is_announced_and_an_internal_note_is_not);
