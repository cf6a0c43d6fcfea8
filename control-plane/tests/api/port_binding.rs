//! Customers on a port of a device (leased lines, Ethernet hand-offs): staff bind them through
//! the customer's attachment (checked, one customer per port), and an agent's samples for that
//! port reach that customer and no one else.

use std::time::Duration;

use proto::{SampleEntry, SubscriberKey};
use serde_json::{json, Value};

use crate::agent_client::{now_ms, register_agent, TestAgent};
use crate::both_backends;
use crate::helpers::{assert_metric, eventually, TestApp, RAHIM};

const ADMIN: &str = "/api/v1/admin";
const WAIT: Duration = Duration::from_secs(10);

fn port(device: &str, if_name: &str, rx_bps: u64, tx_bps: u64) -> SampleEntry {
    SampleEntry {
        subscriber_key: SubscriberKey::Port {
            device: device.into(),
            if_name: if_name.into(),
        },
        rx_bps,
        tx_bps,
        rx_octets_total: rx_bps / 8,
        tx_octets_total: tx_bps / 8,
    }
}

fn leased_line(code: &str, attachment: Value) -> Value {
    json!({
        "name": "Uttara Clinic", "customer_code": code, "phone": "01555000950",
        "attachment": attachment
    })
}

async fn status(app: &TestApp, token: &str) -> Value {
    app.get("/api/v1/customer/network/status", Some(token))
        .await
        .data()
        .clone()
}

async fn port_samples_reach_the_bound_customer(app: &TestApp) {
    let admin = app.staff_token("admin").await;
    let sites = app.get(&format!("{ADMIN}/sites"), Some(&admin)).await;
    let site_id = sites.data()["sites"][0]["id"].as_str().unwrap().to_owned();
    let device = app
        .post(
            &format!("{ADMIN}/devices"),
            Some(&admin),
            json!({ "site_id": site_id, "name": "sw-uttara-1", "kind": "switch" }),
        )
        .await;
    let device_id = device.data()["id"].as_str().unwrap().to_owned();
    let created = app
        .post(
            &format!("{ADMIN}/customers"),
            Some(&admin),
            leased_line(
                "CUST950",
                json!({ "port_device_id": device_id, "port_if_name": " ge-0/0/7 " }),
            ),
        )
        .await;
    let attachment = &created.data()["attachment"];
    assert_eq!(attachment["port_device_id"], device_id.as_str());
    assert_eq!(attachment["port_if_name"], "ge-0/0/7");

    // Half a binding, a bad name, an unknown device and a port already taken are refused.
    for (code, attachment, status) in [
        ("CUST951", json!({ "port_device_id": device_id }), 400),
        ("CUST952", json!({ "port_if_name": "ge-0/0/8" }), 400),
        (
            "CUST953",
            json!({ "port_device_id": device_id, "port_if_name": "ge\u{7}0" }),
            400,
        ),
        (
            "CUST954",
            json!({ "port_device_id": "no-such-device", "port_if_name": "ge-0/0/8" }),
            400,
        ),
        (
            "CUST955",
            json!({ "port_device_id": device_id, "port_if_name": "ge-0/0/7" }),
            409,
        ),
    ] {
        let reply = app
            .post(
                &format!("{ADMIN}/customers"),
                Some(&admin),
                leased_line(code, attachment.clone()),
            )
            .await;
        let message = reply.error(status);
        assert!(
            message.contains("port") || message.contains("device"),
            "{attachment}: {message}"
        );
    }
    let support = app.staff_token("support").await;
    app.post(
        &format!("{ADMIN}/customers"),
        Some(&support),
        leased_line(
            "CUST956",
            json!({ "port_device_id": device_id, "port_if_name": "ge-0/0/9" }),
        ),
    )
    .await
    .error(403);
    // The device carries a customer's line, so it stays.
    app.delete(&format!("{ADMIN}/devices/{device_id}"), Some(&admin))
        .await
        .error(409);

    // The agent names the device as its configuration does, and the port by its ifName.
    let (_, token) = register_agent(app, "uttara-pop").await;
    let clinic = app.customer_token("CUST950", "01555000950").await;
    let rahim = app.customer_token(RAHIM.0, RAHIM.1).await;
    let mut agent = TestAgent::admitted(app, &token).await;
    let now = now_ms() / 1_000 * 1_000;
    let entries = vec![
        port("sw-uttara-1", "ge-0/0/7", 12_000_000, 3_000_000),
        port("sw-uttara-1", "GE-0/0/7", 99_000_000, 1),
        port("sw-uttara-1", "ge-0/0/8", 98_000_000, 1),
    ];
    assert_eq!(agent.samples(1, now - 1_000, entries).await, 1);
    let s = eventually("the port's rate in the clinic's status", WAIT, || async {
        let s = status(app, &clinic).await;
        (s["rx_bandwidth"] == 12).then_some(s)
    })
    .await;
    assert_eq!(s["tx_bandwidth"], 3);
    assert_eq!(s["is_online"], true);
    assert_eq!(status(app, &rahim).await["rx_bandwidth"], 0);
    let metrics = crate::helpers::metrics_text(app).await;
    assert_metric(&metrics, "netops_ingest_samples_total", 1);
    assert_metric(&metrics, "netops_ingest_unknown_subscriber_keys_total", 2);
}
both_backends!(port_samples_reach_the_bound_customer);
