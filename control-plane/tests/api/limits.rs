//! Abuse limits: 100 requests per minute per customer, and login lockouts.

use serde_json::json;

use crate::helpers::{TestApp, KARIMA, RAHIM};
use crate::{both_backends, both_backends_with};

async fn rate_limit_per_customer(app: &TestApp) {
    let rahim = app.customer_token(RAHIM.0, RAHIM.1).await;
    let karima = app.customer_token(KARIMA.0, KARIMA.1).await;
    let mut refused = None;
    for i in 0..115 {
        let reply = app
            .get("/api/v1/customer/network/status", Some(&rahim))
            .await;
        if reply.status.as_u16() == 429 {
            refused = Some((i, reply));
            break;
        }
        reply.data();
    }
    let (at, reply) = refused.expect("the limit was never reached");
    // The bucket refills slowly while the loop runs, so the 101st or a very close call fails.
    assert!((100..=110).contains(&at), "refused at request {at}");
    assert!(reply.error(429).contains("rate limit"));
    let retry: u64 = reply.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));
    // Another customer is not affected.
    app.get("/api/v1/customer/network/status", Some(&karima))
        .await
        .data();
}
both_backends!(rate_limit_per_customer);

async fn login_lockout(app: &TestApp) {
    let path = "/api/v1/customer/auth/login";
    for _ in 0..5 {
        app.post(
            path,
            None,
            json!({ "phone": RAHIM.1, "customer_code": "WRONG1" }),
        )
        .await
        .error(401);
    }
    // Now even the right code is refused for this phone, with Retry-After.
    let locked = app
        .post(
            path,
            None,
            json!({ "phone": RAHIM.1, "customer_code": RAHIM.0 }),
        )
        .await;
    assert!(locked.error(429).contains("too many failed logins"));
    assert!(locked.headers.contains_key("retry-after"));
    // The same account by its other identifier, and other accounts, still log in.
    app.post(
        path,
        None,
        json!({ "username": RAHIM.2, "customer_code": RAHIM.0 }),
    )
    .await
    .data();
    app.post(
        path,
        None,
        json!({ "phone": KARIMA.1, "customer_code": KARIMA.0 }),
    )
    .await
    .data();
}
both_backends!(login_lockout);

async fn address_lockout(app: &TestApp) {
    let path = "/api/v1/customer/auth/login";
    // Guessing across many accounts from one address locks that address.
    for i in 0..20 {
        app.post(
            path,
            None,
            json!({ "phone": format!("0170000{i:04}"), "customer_code": "GUESS" }),
        )
        .await
        .error(401);
    }
    let locked = app
        .post(
            path,
            None,
            json!({ "phone": KARIMA.1, "customer_code": KARIMA.0 }),
        )
        .await;
    locked.error(429);
}
both_backends!(address_lockout);

async fn staff_login_lockout(app: &TestApp) {
    let path = "/api/v1/admin/auth/login";
    for _ in 0..5 {
        app.post(
            path,
            None,
            json!({ "username": "billing", "password": "wrong-password" }),
        )
        .await
        .error(401);
    }
    let locked = app
        .post(
            path,
            None,
            json!({ "username": "billing", "password": "netops-demo-billing" }),
        )
        .await;
    locked.error(429);
    app.post(
        path,
        None,
        json!({ "username": "nobody", "password": "whatever-password" }),
    )
    .await
    .error(401);
}
both_backends!(staff_login_lockout);

/// A login attempt as it arrives through a proxy that forwards `forwarded_for`.
async fn login_via(app: &TestApp, forwarded_for: &str, phone: &str, code: &str) -> u16 {
    app.client
        .post(format!("{}/api/v1/customer/auth/login", app.base))
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({ "phone": phone, "customer_code": code }))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn behind_a_trusted_proxy(config: &mut control_plane::config::Config) {
    config.limits.trusted_proxies =
        control_plane::http::client_address::TrustedProxies::parse(&["127.0.0.0/8".to_owned()])
            .unwrap();
}

async fn a_trusted_proxy_forwards_each_clients_address(app: &TestApp) {
    // One client behind the proxy guesses until its own address is locked ...
    for i in 0..20 {
        let status = login_via(app, "203.0.113.7", &format!("0170000{i:04}"), "GUESS").await;
        assert_eq!(status, 401);
    }
    assert_eq!(login_via(app, "203.0.113.7", KARIMA.1, KARIMA.0).await, 429);
    // ... and the other subscribers behind the same proxy still log in.
    assert_eq!(
        login_via(app, "198.51.100.20", KARIMA.1, KARIMA.0).await,
        200
    );
    // A client cannot pick its address by sending its own header: the proxy appends the real one.
    assert_eq!(
        login_via(app, "198.51.100.20, 203.0.113.7", RAHIM.1, RAHIM.0).await,
        429
    );
}
both_backends_with!(
    a_trusted_proxy_forwards_each_clients_address,
    behind_a_trusted_proxy
);

async fn forwarded_for_is_ignored_unless_the_proxy_is_trusted(app: &TestApp) {
    // Without trusted proxies a forged header changes nothing: every guess counts against the
    // connection's own address.
    for i in 0..20 {
        let forged = format!("192.0.2.{i}");
        let status = login_via(app, &forged, &format!("0170000{i:04}"), "GUESS").await;
        assert_eq!(status, 401);
    }
    assert_eq!(login_via(app, "192.0.2.200", KARIMA.1, KARIMA.0).await, 429);
}
both_backends!(forwarded_for_is_ignored_unless_the_proxy_is_trusted);
