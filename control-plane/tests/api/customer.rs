//! The subscriber API of seed 001: each endpoint's success shape and its error cases.

use serde_json::json;

use crate::both_backends;
use crate::helpers::{TestApp, KARIMA, RAHIM};

const API: &str = "/api/v1/customer";

async fn seed_client_flow(app: &TestApp) {
    // The seed's Dart client, verbatim: login with customer_code + phone, profile, network
    // status, reboot router, all under the seed's base path.
    let base = "/functions/v1/customer-api";
    let login = app
        .post(
            &format!("{base}/auth/login"),
            None,
            json!({ "customer_code": RAHIM.0, "phone": RAHIM.1 }),
        )
        .await;
    let data = login.data();
    let token = data["token"].as_str().unwrap();
    let customer = &data["customer"];
    assert_eq!(customer["customer_code"], RAHIM.0);
    assert_eq!(customer["phone"], RAHIM.1);
    assert_eq!(customer["pppoe_username"], RAHIM.2);
    assert_eq!(customer["status"], "active");
    assert_eq!(customer["monthly_bill"], 1000);
    assert_eq!(customer["due_amount"], 0);
    for key in ["id", "name", "email", "expiry_date"] {
        assert!(customer.get(key).is_some(), "login customer lacks {key}");
    }
    assert_eq!(customer["package"]["name"], "Premium 50Mbps");
    assert_eq!(customer["package"]["download_speed"], 50);
    assert_eq!(customer["package"]["speed_unit"], "mbps");

    let profile = app.get(&format!("{base}/profile"), Some(token)).await;
    let p = profile.data();
    assert_eq!(p["customer_code"], RAHIM.0);
    assert_eq!(p["package"]["price"], 1000);
    assert_eq!(p["area"]["name"], "Gulshan");
    assert_eq!(p["area"]["district"], "Dhaka");
    assert!(p["area"]["union_name"].is_null());
    for key in [
        "address",
        "onu_mac",
        "router_mac",
        "pon_port",
        "connection_date",
    ] {
        assert!(p[key].is_string(), "profile lacks {key}: {p}");
    }

    let status = app
        .get(&format!("{base}/network/status"), Some(token))
        .await;
    let s = status.data();
    assert_eq!(s["is_online"], true);
    assert_eq!(s["onu_rx_power"], -18.5);
    assert_eq!(
        s["rx_bandwidth"], 0,
        "whole rates print as integers like the seed"
    );
    for key in [
        "uptime",
        "tx_bandwidth",
        "total_download",
        "total_upload",
        "ip_address",
        "mac_address",
        "onu_status",
        "onu_tx_power",
        "last_online",
        "last_offline",
    ] {
        assert!(s.get(key).is_some(), "network status lacks {key}");
    }

    let reboot = app
        .post(
            &format!("{base}/device/reboot-router"),
            Some(token),
            json!({}),
        )
        .await;
    assert_eq!(reboot.data()["command"], "reboot");
    assert_eq!(reboot.data()["status"], "sent");
    assert_eq!(
        reboot.body["message"],
        "Router reboot command sent. Please wait 1-2 minutes."
    );
}
both_backends!(seed_client_flow);

async fn login_by_username_and_verify(app: &TestApp) {
    let login = app
        .post(
            &format!("{API}/auth/login"),
            None,
            json!({ "username": RAHIM.2, "customer_code": RAHIM.0 }),
        )
        .await;
    let token = login.data()["token"].as_str().unwrap().to_owned();
    let verify = app
        .post(
            &format!("{API}/auth/verify"),
            None,
            json!({ "token": token }),
        )
        .await;
    assert_eq!(verify.data()["valid"], true);
    assert_eq!(verify.data()["customer"]["name"], "Rahim Uddin");
    assert_eq!(verify.data()["customer"]["status"], "active");

    let wrong = app
        .post(
            &format!("{API}/auth/login"),
            None,
            json!({ "username": RAHIM.2, "customer_code": KARIMA.0 }),
        )
        .await;
    wrong.error(401);
    let missing_code = app
        .post(
            &format!("{API}/auth/login"),
            None,
            json!({ "phone": RAHIM.1 }),
        )
        .await;
    assert!(missing_code.error(400).contains("customer_code"));
    let missing_who = app
        .post(
            &format!("{API}/auth/login"),
            None,
            json!({ "customer_code": RAHIM.0 }),
        )
        .await;
    assert!(missing_who.error(400).contains("username or phone"));
    let verify_garbage = app
        .post(
            &format!("{API}/auth/verify"),
            None,
            json!({ "token": "abc" }),
        )
        .await;
    verify_garbage.error(401);
}
both_backends!(login_by_username_and_verify);

async fn profile_update(app: &TestApp) {
    let token = app.customer_token(RAHIM.0, RAHIM.1).await;
    let reply = app
        .put(
            &format!("{API}/profile"),
            Some(&token),
            json!({ "email": "new@example.com", "address": "New Address" }),
        )
        .await;
    assert_eq!(reply.body["message"], "Profile updated");
    assert_eq!(reply.data()["email"], "new@example.com");
    assert_eq!(reply.data()["address"], "New Address");
    assert_eq!(
        reply.data()["phone"],
        RAHIM.1,
        "fields not sent stay as they were"
    );
    let again = app.get(&format!("{API}/profile"), Some(&token)).await;
    assert_eq!(again.data()["email"], "new@example.com");

    app.put(
        &format!("{API}/profile"),
        Some(&token),
        json!({ "email": "not-an-email" }),
    )
    .await
    .error(400);
    app.put(
        &format!("{API}/profile"),
        Some(&token),
        json!({ "phone": "12ab" }),
    )
    .await
    .error(400);
    app.put(&format!("{API}/profile"), Some(&token), json!({}))
        .await
        .error(400);
    // Fields a subscriber may not change are ignored, not applied.
    let sneaky = app
        .put(
            &format!("{API}/profile"),
            Some(&token),
            json!({ "address": "X", "due_amount": 0, "status": "active", "customer_code": "HACK" }),
        )
        .await;
    assert_eq!(sneaky.data()["customer_code"], RAHIM.0);
}
both_backends!(profile_update);

async fn bandwidth_history(app: &TestApp) {
    let token = app.customer_token(RAHIM.0, RAHIM.1).await;
    let id = app.customer_id(RAHIM.0).await;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let minute = now - now.rem_euclid(60);
    // Three recent minutes, and one two days old that only the 7d and 30d views include.
    for (offset, rx) in [
        (-180, 45_000_000),
        (-120, 38_000_000),
        (-60, 12_500_000),
        (-2 * 86_400, 1_000_000),
    ] {
        app.store
            .put_bandwidth_minute(&id, minute + offset, rx, rx / 4)
            .await
            .unwrap();
    }
    let hour = app
        .get(&format!("{API}/network/bandwidth"), Some(&token))
        .await;
    let points = hour.data().as_array().unwrap();
    assert_eq!(points.len(), 3, "{points:?}");
    assert_eq!(points[0]["rx_mbps"], 45);
    assert_eq!(points[1]["rx_mbps"], 38);
    assert_eq!(points[2]["rx_mbps"], 12.5);
    assert_eq!(points[2]["tx_mbps"], 3.13);
    assert!(points[0]["timestamp"].as_str().unwrap().ends_with('Z'));
    let week = app
        .get(&format!("{API}/network/bandwidth?period=7d"), Some(&token))
        .await;
    assert!(week.data().as_array().unwrap().len() >= 2);
    let bad = app
        .get(&format!("{API}/network/bandwidth?period=2h"), Some(&token))
        .await;
    assert!(bad.error(400).contains("period"));
}
both_backends!(bandwidth_history);

async fn bills_and_payments(app: &TestApp) {
    let token = app.customer_token(KARIMA.0, KARIMA.1).await;
    let bills = app.get(&format!("{API}/bills"), Some(&token)).await;
    let data = bills.data();
    assert_eq!(data["pagination"]["total"], 3);
    assert_eq!(data["pagination"]["limit"], 20);
    assert_eq!(data["pagination"]["offset"], 0);
    let list = data["bills"].as_array().unwrap();
    assert_eq!(list.len(), 3);
    for key in [
        "id",
        "bill_number",
        "billing_month",
        "amount",
        "discount",
        "tax",
        "total_amount",
        "paid_amount",
        "status",
        "bill_date",
        "due_date",
        "paid_date",
    ] {
        assert!(list[0].get(key).is_some(), "bill lacks {key}");
    }
    let unpaid = app
        .get(&format!("{API}/bills?status=unpaid"), Some(&token))
        .await;
    let unpaid = unpaid.data()["bills"].as_array().unwrap().clone();
    assert_eq!(unpaid.len(), 1);
    assert_eq!(unpaid[0]["amount"], 500);
    assert_eq!(unpaid[0]["paid_amount"], 0);
    let page = app
        .get(&format!("{API}/bills?limit=1&offset=1"), Some(&token))
        .await;
    assert_eq!(page.data()["bills"].as_array().unwrap().len(), 1);
    assert_eq!(page.data()["pagination"]["total"], 3);

    let bill_id = unpaid[0]["id"].as_str().unwrap();
    let one = app
        .get(&format!("{API}/bills/{bill_id}"), Some(&token))
        .await;
    assert_eq!(one.data()["bill_number"], unpaid[0]["bill_number"]);
    for key in ["payment_method", "payment_reference", "notes"] {
        assert!(one.data().get(key).is_some(), "bill detail lacks {key}");
    }
    app.get(
        &format!("{API}/bills/00000000-0000-0000-0000-000000000000"),
        Some(&token),
    )
    .await
    .error(404);
    assert!(app
        .get(&format!("{API}/bills?status=PAID"), Some(&token))
        .await
        .error(400)
        .contains("status"));
    assert!(app
        .get(&format!("{API}/bills?limit=0"), Some(&token))
        .await
        .error(400)
        .contains("limit"));
    assert!(app
        .get(&format!("{API}/bills?limit=abc"), Some(&token))
        .await
        .error(400)
        .contains("limit"));
    assert!(app
        .get(&format!("{API}/bills?offset=-1"), Some(&token))
        .await
        .error(400)
        .contains("offset"));

    let payments = app.get(&format!("{API}/payments"), Some(&token)).await;
    assert_eq!(payments.data()["pagination"]["total"], 2);
    let first = &payments.data()["payments"][0];
    for key in [
        "id",
        "amount",
        "payment_method",
        "payment_date",
        "transaction_id",
        "notes",
    ] {
        assert!(first.get(key).is_some(), "payment lacks {key}");
    }

    let initiated = app
        .post(
            &format!("{API}/payments/initiate"),
            Some(&token),
            json!({ "amount": 500, "payment_method": "bkash", "bill_id": bill_id }),
        )
        .await;
    assert_eq!(initiated.body["message"], "Payment initiated");
    assert_eq!(initiated.data()["status"], "pending");
    assert_eq!(initiated.data()["amount"], 500);
    assert!(initiated.data()["payment_id"].is_string());
    assert!(initiated.data().get("payment_url").is_some());
    let fractional = app
        .post(
            &format!("{API}/payments/initiate"),
            Some(&token),
            json!({ "amount": 99.5, "payment_method": "nagad" }),
        )
        .await;
    assert_eq!(fractional.data()["amount"], 99.5);
    app.post(
        &format!("{API}/payments/initiate"),
        Some(&token),
        json!({ "amount": 0, "payment_method": "bkash" }),
    )
    .await
    .error(400);
    app.post(
        &format!("{API}/payments/initiate"),
        Some(&token),
        json!({ "amount": 10.555, "payment_method": "bkash" }),
    )
    .await
    .error(400);
    app.post(
        &format!("{API}/payments/initiate"),
        Some(&token),
        json!({ "amount": "500", "payment_method": "bkash" }),
    )
    .await
    .error(400);
    app.post(
        &format!("{API}/payments/initiate"),
        Some(&token),
        json!({ "amount": 500, "payment_method": "paypal" }),
    )
    .await
    .error(400);
    app.post(
        &format!("{API}/payments/initiate"),
        Some(&token),
        json!({ "amount": 500, "payment_method": "bkash", "bill_id": "nope" }),
    )
    .await
    .error(404);
    // Pending payments are not history.
    let payments = app.get(&format!("{API}/payments"), Some(&token)).await;
    assert_eq!(payments.data()["pagination"]["total"], 2);

    let recharge = app
        .post(
            &format!("{API}/recharge"),
            Some(&token),
            json!({ "amount": 1000, "payment_method": "rocket", "months": 2 }),
        )
        .await;
    assert_eq!(recharge.body["message"], "Recharge initiated");
    assert_eq!(recharge.data()["status"], "pending");
    assert_eq!(recharge.data()["amount"], 1000);
    app.post(
        &format!("{API}/recharge"),
        Some(&token),
        json!({ "amount": 1000, "payment_method": "rocket", "months": 0 }),
    )
    .await
    .error(400);
    app.post(
        &format!("{API}/recharge"),
        Some(&token),
        json!({ "amount": 1000, "payment_method": "rocket", "months": 1.5 }),
    )
    .await
    .error(400);
}
both_backends!(bills_and_payments);

async fn device_commands(app: &TestApp) {
    let token = app.customer_token(RAHIM.0, RAHIM.1).await;
    let cases = [
        (
            "reboot-router",
            "reboot",
            "reboot_router",
            "Router reboot command sent. Please wait 1-2 minutes.",
        ),
        (
            "reboot-onu",
            "reboot_onu",
            "reboot_onu",
            "ONU reboot command sent. Please wait 2-3 minutes.",
        ),
        (
            "disconnect",
            "disconnect",
            "disconnect",
            "Session disconnected. Reconnecting...",
        ),
    ];
    let mut ids = Vec::new();
    for (path, seed_word, kind, message) in cases {
        let reply = app
            .post(&format!("{API}/device/{path}"), Some(&token), json!({}))
            .await;
        assert_eq!(reply.data()["command"], seed_word);
        assert_eq!(reply.data()["status"], "sent");
        assert_eq!(reply.body["message"], message);
        let id = reply.data()["command_id"].as_str().unwrap().to_owned();
        let stored = app.store.command(&id).await.unwrap();
        assert_eq!(stored.kind, kind);
        assert_eq!(stored.state, "queued");
        let read = app
            .get(&format!("{API}/device/commands/{id}"), Some(&token))
            .await;
        assert_eq!(read.data()["state"], "queued");
        assert_eq!(read.data()["kind"], kind);
        ids.push(id);
    }
    let list = app
        .get(&format!("{API}/device/commands"), Some(&token))
        .await;
    assert_eq!(list.data()["pagination"]["total"], 3);
    // Each action is in the audit log with the subscriber as actor.
    let audit = app
        .store
        .list_audit(
            &control_plane::store::audit::AuditFilter {
                target_kind: Some("device_command".into()),
                ..Default::default()
            },
            control_plane::store::Page {
                limit: 10,
                offset: 0,
            },
        )
        .await
        .unwrap();
    assert_eq!(audit.total, 3);
    assert!(audit
        .rows
        .iter()
        .all(|r| r.actor_kind == "customer" && ids.contains(r.target_id.as_ref().unwrap())));
}
both_backends!(device_commands);

async fn packages_and_change(app: &TestApp) {
    let token = app.customer_token(RAHIM.0, RAHIM.1).await;
    let packages = app.get(&format!("{API}/packages"), Some(&token)).await;
    let list = packages.data().as_array().unwrap().clone();
    assert_eq!(list.len(), 3, "hidden packages are not offered: {list:?}");
    for key in [
        "id",
        "name",
        "description",
        "download_speed",
        "upload_speed",
        "speed_unit",
        "price",
        "validity_days",
    ] {
        assert!(list[0].get(key).is_some(), "package lacks {key}");
    }
    let current = list.iter().find(|p| p["name"] == "Premium 50Mbps").unwrap();
    let target = list.iter().find(|p| p["name"] == "Ultra 100Mbps").unwrap();
    app.post(
        &format!("{API}/packages/change"),
        Some(&token),
        json!({ "package_id": current["id"] }),
    )
    .await
    .error(400);
    app.post(&format!("{API}/packages/change"), Some(&token), json!({}))
        .await
        .error(400);
    app.post(
        &format!("{API}/packages/change"),
        Some(&token),
        json!({ "package_id": "missing" }),
    )
    .await
    .error(404);
    let reply = app
        .post(
            &format!("{API}/packages/change"),
            Some(&token),
            json!({ "package_id": target["id"] }),
        )
        .await;
    assert_eq!(reply.data()["request_type"], "package_change");
    assert_eq!(reply.data()["package_id"], target["id"]);
    assert_eq!(
        reply.body["message"],
        "Package change request submitted. Our team will contact you shortly."
    );
    app.post(
        &format!("{API}/packages/change"),
        Some(&token),
        json!({ "package_id": target["id"] }),
    )
    .await
    .error(409);
}
both_backends!(packages_and_change);

async fn support_tickets(app: &TestApp) {
    let token = app.customer_token(KARIMA.0, KARIMA.1).await;
    assert_eq!(
        app.get(&format!("{API}/support/tickets"), Some(&token))
            .await
            .data()
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let subject = "Robert'); DROP TABLE customers; -- \u{1F600} <b>";
    let created = app
        .post(
            &format!("{API}/support/tickets"),
            Some(&token),
            json!({ "subject": subject, "message": "Slow at night", "category": "connectivity" }),
        )
        .await;
    assert_eq!(created.body["message"], "Support ticket created");
    let id = created.data()["ticket_id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("TKT-"), "{id}");
    let list = app
        .get(&format!("{API}/support/tickets"), Some(&token))
        .await;
    let first = &list.data()[0];
    assert_eq!(first["id"], id.as_str());
    assert_eq!(
        first["subject"], subject,
        "SQL-looking text is stored and returned verbatim"
    );
    assert_eq!(first["status"], "open");
    assert_eq!(first["category"], "connectivity");
    assert!(first["created_at"].as_str().unwrap().ends_with('Z'));

    let reply = app
        .post(
            &format!("{API}/support/tickets/{id}/messages"),
            Some(&token),
            json!({ "message": "Still slow" }),
        )
        .await;
    let messages = reply.data()["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[1]["message"], "Still slow");
    assert_eq!(messages[1]["author"], "customer");

    // A staff-only note never shows to the subscriber.
    app.store
        .add_ticket_message(&id, "staff", "s1", "internal: check OLT port", true)
        .await
        .unwrap();
    let detail = app
        .get(&format!("{API}/support/tickets/{id}"), Some(&token))
        .await;
    assert_eq!(detail.data()["messages"].as_array().unwrap().len(), 2);
    assert!(!detail.body.to_string().contains("internal: check OLT port"));

    app.post(
        &format!("{API}/support/tickets"),
        Some(&token),
        json!({ "message": "x" }),
    )
    .await
    .error(400);
    app.post(
        &format!("{API}/support/tickets"),
        Some(&token),
        json!({ "subject": "x" }),
    )
    .await
    .error(400);
    app.post(
        &format!("{API}/support/tickets"),
        Some(&token),
        json!({ "subject": "x", "message": "y", "category": "wifi" }),
    )
    .await
    .error(400);
    let bad_priority = app
        .post(
            &format!("{API}/support/tickets"),
            Some(&token),
            json!({ "subject": "x", "message": "y", "priority": "asap" }),
        )
        .await
        .error(400);
    assert!(
        bad_priority.contains("priority must be one of"),
        "{bad_priority}"
    );
    let defaulted = app
        .post(
            &format!("{API}/support/tickets"),
            Some(&token),
            json!({ "subject": "x", "message": "y" }),
        )
        .await;
    let defaulted_id = defaulted.data()["ticket_id"].as_str().unwrap().to_owned();
    let detail = app
        .get(
            &format!("{API}/support/tickets/{defaulted_id}"),
            Some(&token),
        )
        .await;
    assert_eq!(detail.data()["category"], "other");
    assert_eq!(detail.data()["priority"], "normal");
    let urgent = app
        .post(
            &format!("{API}/support/tickets"),
            Some(&token),
            json!({ "subject": "x", "message": "y", "priority": "urgent" }),
        )
        .await;
    let urgent_id = urgent.data()["ticket_id"].as_str().unwrap().to_owned();
    let detail = app
        .get(&format!("{API}/support/tickets/{urgent_id}"), Some(&token))
        .await;
    assert_eq!(detail.data()["priority"], "urgent");
}
both_backends!(support_tickets);

async fn malformed_requests(app: &TestApp) {
    let token = app.customer_token(RAHIM.0, RAHIM.1).await;
    let cases: [(&str, &str); 6] = [
        ("/auth/login", "{not json"),
        ("/auth/login", ""),
        ("/auth/login", "[1,2,3]"),
        (
            "/auth/login",
            r#"{"customer_code": 12345, "phone": "01712345678"}"#,
        ),
        ("/support/tickets", r#"{"subject": ["a"], "message": "b"}"#),
        (
            "/payments/initiate",
            r#"{"amount": {"$gt": 0}, "payment_method": "bkash"}"#,
        ),
    ];
    for (path, body) in cases {
        let reply = app
            .request(
                reqwest::Method::POST,
                &format!("{API}{path}"),
                Some(&token),
                Some(body),
            )
            .await;
        let message = reply.error(400);
        assert!(!message.contains("internal"), "{path} {body}: {message}");
    }
    let huge = format!(
        r#"{{"subject":"x","message":"{}"}}"#,
        "a".repeat(400 * 1024)
    );
    let reply = app
        .request(
            reqwest::Method::POST,
            &format!("{API}/support/tickets"),
            Some(&token),
            Some(&huge),
        )
        .await;
    assert_eq!(reply.status.as_u16(), 413, "{}", reply.body);
    let unknown = app
        .get("/api/v1/customer/no-such-thing", Some(&token))
        .await;
    unknown.error(404);
}
both_backends!(malformed_requests);
