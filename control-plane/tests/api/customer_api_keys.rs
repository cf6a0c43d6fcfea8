//! Customer API keys (seeds 002 and 003): made by the customer or by staff, shown once and
//! kept only as a hash, acting as their customer alone within their scopes, counted once per
//! request served, refused when revoked or expired, and sharing the customer's rate limit.

use serde_json::{json, Value};

use crate::helpers::{assert_stored_as_sha256, TestApp, KARIMA, RAHIM};
use crate::{both_backends, both_backends_with};

const API: &str = "/api/v1/customer";

/// Makes a key as the customer logged in with `token`; returns (id, key).
async fn make_key(app: &TestApp, token: &str, body: Value) -> (String, String) {
    let created = app
        .post(&format!("{API}/api-keys"), Some(token), body)
        .await;
    assert_eq!(
        created.body["message"],
        "API key made. Store it now: it is not shown again"
    );
    let data = created.data();
    (
        data["api_key"]["id"].as_str().unwrap().to_owned(),
        data["key"].as_str().unwrap().to_owned(),
    )
}

async fn listed(app: &TestApp, token: &str) -> Vec<Value> {
    app.get(&format!("{API}/api-keys"), Some(token))
        .await
        .data()
        .as_array()
        .unwrap()
        .clone()
}

async fn request_count(app: &TestApp, id: &str) -> i64 {
    sqlx::query_scalar("SELECT request_count FROM customer_api_keys WHERE id = $1")
        .bind(id)
        .fetch_one(app.store.pool())
        .await
        .unwrap()
}

async fn a_key_acts_as_its_customer_within_its_scopes(app: &TestApp) {
    let rahim = app.customer_token(RAHIM.0, RAHIM.1).await;
    let (id, key) = make_key(
        app,
        &rahim,
        json!({ "name": "monitoring", "scopes": ["read"] }),
    )
    .await;
    assert!(key.starts_with("nck_") && key.len() == 68, "{key}");

    // Only the SHA-256 of the key is stored, and lists never show it.
    let stored = assert_stored_as_sha256(app, "customer_api_keys", &id, &key).await;
    let keys = listed(app, &rahim).await;
    let text = Value::Array(keys.clone()).to_string();
    assert!(!text.contains(&key) && !text.contains(&stored), "{text}");
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["prefix"], &key[..12]);
    assert_eq!(keys[0]["scopes"], json!(["read"]));
    assert_eq!(keys[0]["status"], "active");
    assert_eq!(keys[0]["created_by"], "customer");
    assert_eq!(keys[0]["request_count"], 0);
    assert_eq!(keys[0]["last_used_at"], Value::Null);
    assert_eq!(keys[0]["expires_at"], Value::Null);

    // It reads as Rahim, on both bases of the customer API.
    let profile = app.get(&format!("{API}/profile"), Some(&key)).await;
    assert_eq!(profile.data()["customer_code"], RAHIM.0);
    app.get("/functions/v1/customer-api/network/status", Some(&key))
        .await
        .data();
    assert_eq!(request_count(app, &id).await, 2);

    // Outside its scope: 403 naming the scope; not counted.
    let message = app
        .post(&format!("{API}/device/disconnect"), Some(&key), json!({}))
        .await
        .error(403);
    assert!(message.contains("devices scope"), "{message}");
    let message = app
        .post(
            &format!("{API}/payments/initiate"),
            Some(&key),
            json!({ "amount": 100, "payment_method": "bkash" }),
        )
        .await
        .error(403);
    assert!(message.contains("billing scope"), "{message}");
    let message = app
        .post(
            &format!("{API}/support/tickets"),
            Some(&key),
            json!({ "subject": "x", "message": "y" }),
        )
        .await
        .error(403);
    assert!(message.contains("support scope"), "{message}");
    // Keys never manage keys or change the account.
    for reply in [
        app.get(&format!("{API}/api-keys"), Some(&key)).await,
        app.post(
            &format!("{API}/api-keys"),
            Some(&key),
            json!({ "name": "x" }),
        )
        .await,
        app.delete(&format!("{API}/api-keys/{id}"), Some(&key))
            .await,
        app.put(
            &format!("{API}/profile"),
            Some(&key),
            json!({ "email": "a@b.c" }),
        )
        .await,
    ] {
        assert!(reply.error(403).contains("login token"), "{}", reply.body);
    }
    // Not a staff credential.
    app.get("/api/v1/admin/customers", Some(&key))
        .await
        .error(401);
    assert_eq!(request_count(app, &id).await, 2);

    // Each request served counts exactly once.
    for _ in 0..3 {
        app.get(&format!("{API}/bills"), Some(&key)).await.data();
    }
    assert_eq!(request_count(app, &id).await, 5);
    let keys = listed(app, &rahim).await;
    assert_eq!(keys[0]["request_count"], 5);
    assert!(keys[0]["last_used_at"].is_string());

    // A devices key acts on Rahim's device, audited under the key's name.
    let (_, ops_key) = make_key(
        app,
        &rahim,
        json!({ "name": "ops", "scopes": ["devices", "read", "devices"] }),
    )
    .await;
    assert_eq!(
        listed(app, &rahim).await[0]["scopes"],
        json!(["read", "devices"])
    );
    let queued = app
        .post(
            &format!("{API}/device/disconnect"),
            Some(&ops_key),
            json!({}),
        )
        .await;
    assert!(queued.data()["command_id"].is_string());
    let admin = app.staff_token("admin").await;
    let audit = app
        .get(
            "/api/v1/admin/audit-log?action=device.disconnect",
            Some(&admin),
        )
        .await;
    let entry = &audit.data()["entries"][0];
    assert_eq!(entry["actor_kind"], "customer");
    assert_eq!(entry["actor_name"], "api-key:ops");
    let created = app
        .get(
            "/api/v1/admin/audit-log?action=api_key.create",
            Some(&admin),
        )
        .await;
    assert_eq!(created.data()["entries"].as_array().unwrap().len(), 2);
}
both_backends!(a_key_acts_as_its_customer_within_its_scopes);

async fn keys_belong_to_their_customer_alone(app: &TestApp) {
    let rahim = app.customer_token(RAHIM.0, RAHIM.1).await;
    let karima = app.customer_token(KARIMA.0, KARIMA.1).await;
    let (rahim_key_id, rahim_key) = make_key(app, &rahim, json!({ "name": "rahim-script" })).await;

    // Karima neither sees nor revokes Rahim's key.
    assert!(listed(app, &karima).await.is_empty());
    let message = app
        .delete(&format!("{API}/api-keys/{rahim_key_id}"), Some(&karima))
        .await
        .error(404);
    assert!(message.contains("not found"), "{message}");
    app.get(&format!("{API}/profile"), Some(&rahim_key))
        .await
        .data();

    // Rahim's key cannot read Karima's bill or ticket.
    let bills = app.get(&format!("{API}/bills"), Some(&karima)).await;
    let karima_bill = bills.data()["bills"][0]["id"].as_str().unwrap().to_owned();
    app.get(&format!("{API}/bills/{karima_bill}"), Some(&rahim_key))
        .await
        .error(404);
    app.get(
        &format!("{API}/bills/{karima_bill}/invoice.html"),
        Some(&rahim_key),
    )
    .await
    .error(404);
    let ticket = app
        .post(
            &format!("{API}/support/tickets"),
            Some(&karima),
            json!({ "subject": "Slow", "message": "At night" }),
        )
        .await;
    let ticket_id = ticket.data()["ticket_id"].as_str().unwrap().to_owned();
    app.get(
        &format!("{API}/support/tickets/{ticket_id}"),
        Some(&rahim_key),
    )
    .await
    .error(404);
    let tickets = app
        .get(&format!("{API}/support-tickets"), Some(&rahim_key))
        .await;
    let theirs = tickets.data()["tickets"].as_array().unwrap();
    assert!(theirs.iter().all(|t| t["id"] != ticket_id.as_str()));

    // Staff make a key for Karima; support and admin may, billing may not.
    let karima_id = app.customer_id(KARIMA.0).await;
    let staff_path = format!("/api/v1/admin/customers/{karima_id}/api-keys");
    let billing = app.staff_token("billing").await;
    app.post(&staff_path, Some(&billing), json!({ "name": "x" }))
        .await
        .error(403);
    let support = app.staff_token("support").await;
    let made = app
        .post(
            &staff_path,
            Some(&support),
            json!({ "name": "noc-export", "scopes": ["read"] }),
        )
        .await;
    let staff_key = made.data()["key"].as_str().unwrap().to_owned();
    let staff_key_id = made.data()["api_key"]["id"].as_str().unwrap().to_owned();
    let profile = app.get(&format!("{API}/profile"), Some(&staff_key)).await;
    assert_eq!(profile.data()["customer_code"], KARIMA.0);
    let keys = listed(app, &karima).await;
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["created_by"], "staff");
    let admin = app.staff_token("admin").await;
    let audit = app
        .get(
            "/api/v1/admin/audit-log?action=api_key.create",
            Some(&admin),
        )
        .await;
    let entry = &audit.data()["entries"][0];
    assert_eq!(entry["actor_kind"], "staff");
    assert_eq!(entry["target_id"], staff_key_id.as_str());
    // A staff API key cannot make customer keys: that needs a staff login.
    let (_, staff_api_key) = crate::api_keys::make_key(app, "crm", "support").await;
    app.post(&staff_path, Some(&staff_api_key), json!({ "name": "x" }))
        .await
        .error(403);
    let staff_list = app.get(&staff_path, Some(&support)).await;
    assert_eq!(staff_list.data().as_array().unwrap().len(), 1);
    // A key of one customer is not found under another.
    let rahim_id = app.customer_id(RAHIM.0).await;
    app.delete(
        &format!("/api/v1/admin/customers/{rahim_id}/api-keys/{staff_key_id}"),
        Some(&support),
    )
    .await
    .error(404);
    app.get(
        "/api/v1/admin/customers/00000000-0000-0000-0000-000000000000/api-keys",
        Some(&support),
    )
    .await
    .error(404);
    app.delete(&format!("{staff_path}/{staff_key_id}"), Some(&support))
        .await
        .data();
    app.get(&format!("{API}/profile"), Some(&staff_key))
        .await
        .error(401);
}
both_backends!(keys_belong_to_their_customer_alone);

async fn bad_revoked_and_expired_keys_are_refused(app: &TestApp) {
    let rahim = app.customer_token(RAHIM.0, RAHIM.1).await;
    for (body, part) in [
        (json!({}), "name"),
        (json!({ "name": "x", "scopes": [] }), "scopes"),
        (json!({ "name": "x", "scopes": ["admin"] }), "scope"),
        (
            json!({ "name": "x", "expires_at": "tomorrow" }),
            "expires_at",
        ),
        (
            json!({ "name": "x", "expires_at": "2001-01-01T00:00:00Z" }),
            "future",
        ),
        (json!({ "name": "x", "owner": "me" }), "owner"),
    ] {
        let message = app
            .post(&format!("{API}/api-keys"), Some(&rahim), body.clone())
            .await
            .error(400);
        assert!(message.contains(part), "{body}: {message}");
    }

    // Expiry: works before, refused after.
    let (expiring_id, expiring) = make_key(
        app,
        &rahim,
        json!({ "name": "temporary", "expires_at": "2099-01-01T00:00:00Z" }),
    )
    .await;
    assert_eq!(
        listed(app, &rahim).await[0]["expires_at"],
        "2099-01-01T00:00:00Z"
    );
    app.get(&format!("{API}/profile"), Some(&expiring))
        .await
        .data();
    // The expiry passes (set in the store, as the clock cannot be moved for tokens).
    sqlx::query("UPDATE customer_api_keys SET expires_at = $1 WHERE id = $2")
        .bind("2001-01-01T00:00:00.000Z")
        .bind(&expiring_id)
        .execute(app.store.pool())
        .await
        .unwrap();
    let message = app
        .get(&format!("{API}/profile"), Some(&expiring))
        .await
        .error(401);
    assert!(message.contains("expired"), "{message}");
    assert_eq!(listed(app, &rahim).await[0]["status"], "expired");

    // Revocation: refused at once, and revoking twice keeps the first time.
    let (id, key) = make_key(app, &rahim, json!({ "name": "short-lived" })).await;
    app.get(&format!("{API}/profile"), Some(&key)).await.data();
    let revoked = app
        .delete(&format!("{API}/api-keys/{id}"), Some(&rahim))
        .await;
    assert_eq!(revoked.data()["status"], "revoked");
    let first = revoked.data()["revoked_at"].clone();
    let message = app
        .get(&format!("{API}/profile"), Some(&key))
        .await
        .error(401);
    assert!(message.contains("revoked"), "{message}");
    let again = app
        .delete(&format!("{API}/api-keys/{id}"), Some(&rahim))
        .await;
    assert_eq!(again.data()["revoked_at"], first);
    assert_eq!(request_count(app, &id).await, 1);

    // Unknown keys and staff keys are refused.
    let message = app
        .get(
            &format!("{API}/profile"),
            Some(&format!("nck_{}", "0".repeat(64))),
        )
        .await
        .error(401);
    assert!(message.contains("invalid API key"), "{message}");
    app.delete(
        &format!("{API}/api-keys/00000000-0000-0000-0000-000000000000"),
        Some(&rahim),
    )
    .await
    .error(404);
    let admin = app.staff_token("admin").await;
    let (_, staff_key) = crate::api_keys::make_key(app, "s", "support").await;
    let message = app
        .get(&format!("{API}/profile"), Some(&staff_key))
        .await
        .error(401);
    assert!(message.contains("staff API key"), "{message}");
    let revokes = app
        .get(
            "/api/v1/admin/audit-log?action=api_key.revoke",
            Some(&admin),
        )
        .await;
    assert_eq!(revokes.data()["entries"].as_array().unwrap().len(), 2);
}
both_backends!(bad_revoked_and_expired_keys_are_refused);

fn six_per_minute(config: &mut control_plane::config::Config) {
    config.limits.customer_requests_per_minute = 6;
}

async fn keys_share_the_customers_rate_limit(app: &TestApp) {
    let rahim = app.customer_token(RAHIM.0, RAHIM.1).await;
    // The token's first call of the six.
    let (id, key) = make_key(app, &rahim, json!({ "name": "busy" })).await;
    let mut refused = None;
    for i in 0..10 {
        let reply = app.get(&format!("{API}/network/status"), Some(&key)).await;
        if reply.status.as_u16() == 429 {
            refused = Some((i, reply));
            break;
        }
        reply.data();
    }
    let (at, reply) = refused.expect("the key was never limited");
    // One call refills every 10 s, far longer than this loop.
    assert_eq!(at, 5, "refused at key request {at}");
    assert!(reply.error(429).contains("rate limit"));
    assert!(reply.headers.contains_key("retry-after"));
    // The customer's token shares the bucket; another customer does not.
    app.get(&format!("{API}/profile"), Some(&rahim))
        .await
        .error(429);
    let karima = app.customer_token(KARIMA.0, KARIMA.1).await;
    app.get(&format!("{API}/profile"), Some(&karima))
        .await
        .data();
    // Refused requests are not counted.
    assert_eq!(request_count(app, &id).await, 5);
}
both_backends_with!(keys_share_the_customers_rate_limit, six_per_minute);
