//! Alerts: preferences (seed 002), email through a real SMTP server from Debian
//! (`python3-aiosmtpd`) on 127.0.0.1, and webhooks to `https://` receivers with a throwaway
//! CA made by `openssl`.

#[path = "../../../../drivers/snmp/tests/lab/mod.rs"]
mod lab;
#[path = "../../pki/mod.rs"]
mod pki;

mod email;
mod https_receiver;
mod preferences;
mod smtp_sink;
mod webhooks_https;

use serde_json::Value;

use crate::billing::support::API;
use crate::helpers::TestApp;

/// Sets the subscriber's alert preferences; returns the answer's data.
async fn set_preferences(app: &TestApp, token: &str, body: Value) -> Value {
    app.put(&format!("{API}/alert-preferences"), Some(token), body)
        .await
        .data()
        .clone()
}

/// The customer's alert delivery log as staff see it, newest first.
async fn alert_log(app: &TestApp, customer_id: &str) -> Vec<Value> {
    let admin = app.staff_token("admin").await;
    app.get(
        &format!("/api/v1/admin/customers/{customer_id}/alert-deliveries"),
        Some(&admin),
    )
    .await
    .data()
    .as_array()
    .expect("log")
    .clone()
}

/// A port on 127.0.0.1 that was free a moment ago.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// Whether `tool` runs; skips (or fails with `NETOPS_LAB_REQUIRED=1`) naming the package.
fn have(test: &str, program: &str, args: &[&str], package: &str) -> bool {
    let ok = std::process::Command::new(program)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        lab::skip_or_fail(
            test,
            &format!("{program} is not usable (apt install {package})"),
        );
    }
    ok
}
