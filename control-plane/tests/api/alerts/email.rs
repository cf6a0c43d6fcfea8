//! Alert email through a real SMTP server (`python3 -m aiosmtpd`) on 127.0.0.1: a warning
//! reaches a subscriber whose minimum is warning, with the right To, Subject and body; below
//! the minimum, or with email off, nothing is queued; a relay that is down and then up gets
//! the message once; STARTTLS is used with a private CA, and required means required.

use std::path::PathBuf;
use std::time::Duration;

use control_plane::alerts::networks::Network;
use control_plane::config::Config;
use control_plane::email::address::EmailAddress;
use control_plane::email::settings::StartTls;
use serde_json::{json, Value};
use time::macros::datetime;

use super::pki::Pki;
use super::smtp_sink::{self, body, header, SmtpSink};
use super::{alert_log, free_port, set_preferences};
use crate::billing::support::{billing_customer, run_billing, set_clock, API, CODE, PHONE};
use crate::helpers::{assert_metric, eventually, metrics_text, Backend, TestApp};

const WAIT: Duration = Duration::from_secs(30);
const SUBSCRIBER_EMAIL: &str = "billing.test@example.com";

/// Runs `$name(backend)` once per backend.
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

fn relay_at(port: u16, starttls: StartTls, ca_file: Option<PathBuf>) -> impl FnOnce(&mut Config) {
    move |config: &mut Config| {
        config.email.host = Some("127.0.0.1".to_owned());
        config.email.port = port;
        config.email.starttls = starttls;
        config.email.from = Some(EmailAddress::parse("noc@isp.example").unwrap());
        config.email.ca_file = ca_file;
        config.email.retry_base = Duration::from_millis(200);
        config.email.max_attempts = 20;
        config.email.timeout = Duration::from_secs(10);
        config.webhooks.allow_private_networks = vec![Network::parse("127.0.0.0/8").unwrap()];
    }
}

/// The billing subscriber with an email address; returns (customer id, token).
async fn subscriber(app: &TestApp) -> (String, String) {
    let id = billing_customer(app, "2026-06-01", "2026-12-31").await;
    sqlx::query("UPDATE customers SET email = $1 WHERE id = $2")
        .bind(SUBSCRIBER_EMAIL)
        .bind(&id)
        .execute(app.store.pool())
        .await
        .expect("subscriber email");
    (id, app.customer_token(CODE, PHONE).await)
}

/// Runs the billing job at `at`; returns how many expiry warnings it created.
async fn warnings_at(app: &TestApp, at: time::OffsetDateTime) -> Value {
    set_clock(app, at);
    run_billing(app).await["expiry_warnings"].clone()
}

async fn delivered_log(app: &TestApp, customer_id: &str, count: usize) -> Vec<Value> {
    eventually("alert deliveries delivered", WAIT, || async {
        let log = alert_log(app, customer_id).await;
        (log.len() == count && log.iter().all(|d| d["status"] == "delivered")).then_some(log)
    })
    .await
}

async fn messages(sink: &SmtpSink, count: usize) -> Vec<String> {
    eventually("messages at the SMTP server", WAIT, || async {
        let got = sink.messages();
        (got.len() >= count).then_some(got)
    })
    .await
}

async fn email_follows_preferences(backend: Backend) {
    if !smtp_sink::available("email_follows_preferences") {
        return;
    }
    let port = free_port();
    let sink = SmtpSink::start(port, None).await;
    let Some(app) =
        TestApp::spawn_with(backend, relay_at(port, StartTls::Opportunistic, None)).await
    else {
        return;
    };
    let (customer_id, token) = subscriber(&app).await;
    let set = set_preferences(&app, &token, json!({ "min_severity": "warning" })).await;
    assert_eq!(set["email_available"], true);
    assert_eq!(set["email_to"], SUBSCRIBER_EMAIL);

    // The three-day expiry warning is a warning: at the minimum, so it is emailed.
    assert_eq!(warnings_at(&app, datetime!(2026-12-28 09:00 UTC)).await, 1);
    let got = messages(&sink, 1).await;
    let notifications = app.get(&format!("{API}/notifications"), Some(&token)).await;
    let notification = notifications.data()[0].clone();
    assert_eq!(notification["severity"], "warning");
    let message = &got[0];
    assert_eq!(header(message, "To"), Some(SUBSCRIBER_EMAIL), "{message}");
    assert_eq!(
        header(message, "From"),
        Some("noc@isp.example"),
        "{message}"
    );
    assert_eq!(
        header(message, "Subject"),
        notification["title"].as_str(),
        "{message}"
    );
    let message_id = header(message, "Message-ID").expect("Message-ID");
    assert!(message_id.starts_with('<') && message_id.ends_with("@isp.example>"));
    assert!(
        header(message, "Date").is_some_and(|d| d.ends_with("+0000")),
        "{message}"
    );
    let text = body(message);
    assert!(
        text.contains(notification["message"].as_str().unwrap()),
        "{message}"
    );
    assert!(text.contains("paid until 2026-12-31"), "{message}");
    assert!(text.contains("Severity: warning"), "{message}");
    let log = delivered_log(&app, &customer_id, 1).await;
    assert_eq!(log[0]["channel"], "email");
    assert_eq!(log[0]["target"], SUBSCRIBER_EMAIL);
    assert_eq!(log[0]["notification_id"], notification["id"]);
    assert_eq!(log[0]["last_status_code"], 250);
    assert_metric(
        &metrics_text(&app).await,
        "netops_email_deliveries_total{outcome=\"delivered\"}",
        1,
    );

    // Below the minimum: the notification is made, no email is queued.
    set_preferences(&app, &token, json!({ "min_severity": "critical" })).await;
    assert_eq!(warnings_at(&app, datetime!(2026-12-30 09:00 UTC)).await, 1);
    assert_eq!(alert_log(&app, &customer_id).await.len(), 1);

    // Email off: nothing queued even for everything from info up.
    set_preferences(
        &app,
        &token,
        json!({ "email_enabled": false, "min_severity": "info" }),
    )
    .await;
    sqlx::query("UPDATE customers SET expiry_date = '2027-01-02' WHERE id = $1")
        .bind(&customer_id)
        .execute(app.store.pool())
        .await
        .expect("new expiry");
    assert_eq!(warnings_at(&app, datetime!(2026-12-30 10:00 UTC)).await, 1);
    assert_eq!(alert_log(&app, &customer_id).await.len(), 1);
    assert_eq!(sink.messages().len(), 1);
    app.stop().await;
}
on_both!(email_follows_preferences);

async fn relay_down_then_up_gets_the_message_once(backend: Backend) {
    if !smtp_sink::available("relay_down_then_up_gets_the_message_once") {
        return;
    }
    let port = free_port();
    let Some(app) = TestApp::spawn_with(backend, relay_at(port, StartTls::Off, None)).await else {
        return;
    };
    // The defaults (email on to the profile's address, warnings and worse) apply.
    let (customer_id, _) = subscriber(&app).await;
    assert_eq!(warnings_at(&app, datetime!(2026-12-28 09:00 UTC)).await, 1);
    let refused = eventually("a refused attempt", WAIT, || async {
        let log = alert_log(&app, &customer_id).await;
        log.into_iter()
            .find(|d| d["attempts"].as_i64() >= Some(1) && d["status"] == "pending")
    })
    .await;
    let error = refused["last_error"].as_str().unwrap();
    assert!(error.contains("cannot connect to the relay"), "{error}");

    let sink = SmtpSink::start(port, None).await;
    let log = delivered_log(&app, &customer_id, 1).await;
    assert!(log[0]["attempts"].as_i64() >= Some(2), "{log:?}");
    let got = messages(&sink, 1).await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(header(&got[0], "To"), Some(SUBSCRIBER_EMAIL));
    let metrics = metrics_text(&app).await;
    assert_metric(
        &metrics,
        "netops_email_deliveries_total{outcome=\"delivered\"}",
        1,
    );
    assert!(
        !metrics.contains("netops_email_deliveries_total{outcome=\"retried\"} 0"),
        "{metrics}"
    );
    app.stop().await;
}
on_both!(relay_down_then_up_gets_the_message_once);

async fn starttls_with_a_private_ca(backend: Backend) {
    let test = "starttls_with_a_private_ca";
    if !smtp_sink::available(test) || !super::have(test, "openssl", &["version"], "openssl") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let pki = Pki::make(dir.path());
    let port = free_port();
    let sink = SmtpSink::start(port, Some((&pki.server_cert, &pki.server_key))).await;
    let config = relay_at(port, StartTls::Required, Some(pki.ca.clone()));
    let Some(app) = TestApp::spawn_with(backend, config).await else {
        return;
    };
    let (customer_id, _) = subscriber(&app).await;
    assert_eq!(warnings_at(&app, datetime!(2026-12-28 09:00 UTC)).await, 1);
    delivered_log(&app, &customer_id, 1).await;
    let got = messages(&sink, 1).await;
    assert_eq!(header(&got[0], "To"), Some(SUBSCRIBER_EMAIL));
    app.stop().await;
}
on_both!(starttls_with_a_private_ca);

async fn required_starttls_is_not_skipped(backend: Backend) {
    if !smtp_sink::available("required_starttls_is_not_skipped") {
        return;
    }
    let port = free_port();
    let sink = SmtpSink::start(port, None).await;
    let Some(app) = TestApp::spawn_with(backend, relay_at(port, StartTls::Required, None)).await
    else {
        return;
    };
    let (customer_id, _) = subscriber(&app).await;
    assert_eq!(warnings_at(&app, datetime!(2026-12-28 09:00 UTC)).await, 1);
    let refused = eventually("an attempt refused for want of STARTTLS", WAIT, || async {
        let log = alert_log(&app, &customer_id).await;
        log.into_iter().find(|d| d["attempts"].as_i64() >= Some(1))
    })
    .await;
    assert_eq!(refused["status"], "pending");
    let error = refused["last_error"].as_str().unwrap();
    assert!(error.contains("does not offer STARTTLS"), "{error}");
    assert!(sink.messages().is_empty());
    app.stop().await;
}
on_both!(required_starttls_is_not_skipped);

async fn suspension_is_critical_and_payment_is_info(backend: Backend) {
    if !smtp_sink::available("suspension_is_critical_and_payment_is_info") {
        return;
    }
    let port = free_port();
    let sink = SmtpSink::start(port, None).await;
    let Some(app) = TestApp::spawn_with(backend, relay_at(port, StartTls::Off, None)).await else {
        return;
    };
    let (customer_id, token) = subscriber(&app).await;
    set_preferences(&app, &token, json!({ "min_severity": "critical" })).await;

    // Expired with January's bill unpaid: suspended, and told so by email.
    set_clock(&app, datetime!(2027-01-01 00:05 UTC));
    assert_eq!(run_billing(&app).await["customers_suspended"], 1);
    let got = messages(&sink, 1).await;
    assert_eq!(header(&got[0], "Subject"), Some("Service suspended"));
    assert!(
        body(&got[0]).contains("paid until 2026-12-31"),
        "{}",
        got[0]
    );
    assert!(body(&got[0]).contains("Severity: critical"), "{}", got[0]);

    // The payment that reactivates is info: listed in the API, not emailed.
    let billing = app.staff_token("billing").await;
    app.post(
        &format!("/api/v1/admin/customers/{customer_id}/payments"),
        Some(&billing),
        json!({ "amount": 1000, "payment_method": "cash" }),
    )
    .await
    .data();
    let listed = app.get(&format!("{API}/notifications"), Some(&token)).await;
    let listed = listed.data().as_array().unwrap().clone();
    let kinds: Vec<(&str, &str)> = listed
        .iter()
        .map(|n| (n["type"].as_str().unwrap(), n["severity"].as_str().unwrap()))
        .collect();
    assert!(
        kinds.contains(&("SERVICE_SUSPENDED", "critical")),
        "{kinds:?}"
    );
    assert!(kinds.contains(&("PAYMENT_RECEIVED", "info")), "{kinds:?}");
    let payment = listed
        .iter()
        .find(|n| n["type"] == "PAYMENT_RECEIVED")
        .unwrap();
    assert!(
        payment["message"].as_str().unwrap().contains("1000 (cash)"),
        "{payment}"
    );
    let log = delivered_log(&app, &customer_id, 1).await;
    assert_eq!(log[0]["channel"], "email");
    app.stop().await;
}
on_both!(suspension_is_critical_and_payment_is_info);

async fn relay_login_over_starttls(backend: Backend) {
    let test = "relay_login_over_starttls";
    if !smtp_sink::available(test) || !super::have(test, "openssl", &["version"], "openssl") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let pki = Pki::make(dir.path());
    let password_file = dir.path().join("smtp-password");
    std::fs::write(&password_file, "relay-secret-1\n").unwrap();
    let port = free_port();
    let tls = (pki.server_cert.as_path(), pki.server_key.as_path());
    let sink = SmtpSink::start_with_login(port, tls, "netops", "relay-secret-1").await;
    let relay = relay_at(port, StartTls::Required, Some(pki.ca.clone()));
    let config = move |config: &mut Config| {
        relay(config);
        config.email.username = Some("netops".to_owned());
        config.email.password_file = Some(password_file);
    };
    let Some(app) = TestApp::spawn_with(backend, config).await else {
        return;
    };
    let (customer_id, _) = subscriber(&app).await;
    assert_eq!(warnings_at(&app, datetime!(2026-12-28 09:00 UTC)).await, 1);
    delivered_log(&app, &customer_id, 1).await;
    let got = messages(&sink, 1).await;
    assert_eq!(header(&got[0], "X-Login"), Some("netops"), "{}", got[0]);
    assert_eq!(header(&got[0], "To"), Some(SUBSCRIBER_EMAIL));
    app.stop().await;
}
on_both!(relay_login_over_starttls);
