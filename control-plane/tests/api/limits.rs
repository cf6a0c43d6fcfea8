//! Abuse limits: 100 requests per minute per customer, and login lockouts.

use serde_json::json;

use crate::both_backends;
use crate::helpers::{TestApp, KARIMA, RAHIM};

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
