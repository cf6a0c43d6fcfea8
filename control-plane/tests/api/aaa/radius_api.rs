//! The rlm_rest endpoints spoken to directly: credential, JSON forms, status codes, and
//! accounting edge cases (duplicates, reordering, NAS restart, stale sessions).

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{network_status, set_password, with_aaa, API_KEY};
use crate::aaa_backends;
use crate::helpers::{TestApp, RAHIM};

/// Posts rlm_rest JSON with an optional key; returns status and body (`Null` when empty).
pub(crate) async fn post(
    app: &TestApp,
    path: &str,
    key: Option<&str>,
    body: Value,
) -> (StatusCode, Value) {
    let mut request = app
        .client
        .post(format!("{}/api/v1/radius{path}", app.base))
        .json(&body);
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    let text = response.text().await.expect("body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, body)
}

/// rlm_rest's form of attributes.
fn attrs(pairs: &[(&str, Value)]) -> Value {
    let mut object = serde_json::Map::new();
    for (name, value) in pairs {
        object.insert(
            (*name).to_owned(),
            json!({"type": "string", "value": [value.clone()]}),
        );
    }
    Value::Object(object)
}

pub(crate) fn acct(status: &str, session: &str, extra: &[(&str, Value)]) -> Value {
    let mut pairs = vec![
        ("Acct-Status-Type", json!(status)),
        ("User-Name", json!(RAHIM.2)),
        ("Acct-Session-Id", json!(session)),
        ("NAS-IP-Address", json!("10.0.0.1")),
    ];
    pairs.extend_from_slice(extra);
    attrs(&pairs)
}

async fn the_key_is_required(app: &TestApp) {
    let body = attrs(&[("User-Name", json!(RAHIM.2))]);
    let (status, reply) = post(app, "/authorize", None, body.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply,
        Value::Null,
        "rlm_rest decodes a 401 body: keep it empty"
    );
    let (status, _) = post(app, "/authorize", Some("wrong-key"), body.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = post(app, "/accounting", Some("x"), body).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
aaa_backends!(the_key_is_required, super::with_aaa);

async fn disabled_without_a_key(app: &TestApp) {
    let (status, _) = post(app, "/authorize", Some(API_KEY), json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
aaa_backends!(disabled_without_a_key, |_| {});

async fn authorize_answers_in_rlm_rest_form(app: &TestApp) {
    set_password(app, RAHIM.0, "p%{User-Name}w").await;
    let admin = app.staff_token("admin").await;
    let id = app.customer_id(RAHIM.0).await;
    app.put(
        &format!("/api/v1/admin/customers/{id}/pppoe/static-ip"),
        Some(&admin),
        json!({"static_ip": "100.64.1.5"}),
    )
    .await
    .data();
    let (status, reply) = post(
        app,
        "/authorize",
        Some(API_KEY),
        attrs(&[("User-Name", json!(RAHIM.2))]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    let item = |name: &str| reply[name]["value"].clone();
    assert_eq!(item("control:Cleartext-Password"), "p%{User-Name}w");
    assert_eq!(reply["control:Cleartext-Password"]["do_xlat"], false);
    assert_eq!(reply["control:Cleartext-Password"]["op"], ":=");
    assert_eq!(item("reply:Mikrotik-Rate-Limit"), "25000k/50000k");
    assert_eq!(item("reply:Framed-IP-Address"), "100.64.1.5");
    assert_eq!(item("reply:Acct-Interim-Interval"), 300);
    assert!(item("reply:Session-Timeout").as_u64().unwrap() > 20 * 86_400);

    let (status, _) = post(
        app,
        "/authorize",
        Some(API_KEY),
        attrs(&[("User-Name", json!("nobody.here"))]),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = post(app, "/authorize", Some(API_KEY), json!({"Foo": 1})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = post(app, "/authorize", Some(API_KEY), json!([1])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // A write around this control plane's store (another replica, an operator's SQL) is
    // seen through the database's version counter within its poll interval.
    sqlx::query("UPDATE customers SET status = 'suspended' WHERE customer_code = $1")
        .bind(RAHIM.0)
        .execute(app.store.pool())
        .await
        .unwrap();
    let reply = crate::helpers::eventually(
        "the suspension reaches authorize",
        Duration::from_secs(10),
        || async {
            let (status, reply) = post(
                app,
                "/authorize",
                Some(API_KEY),
                attrs(&[("User-Name", json!(RAHIM.2))]),
            )
            .await;
            (status == StatusCode::UNAUTHORIZED).then_some(reply)
        },
    )
    .await;
    assert_eq!(reply["reply:Reply-Message"]["value"], "account suspended");
}
aaa_backends!(authorize_answers_in_rlm_rest_form, super::with_aaa);

async fn accounting_survives_duplicates_and_reordering(app: &TestApp) {
    let key = Some(API_KEY);
    let start = acct(
        "Start",
        "S1",
        &[
            ("Framed-IP-Address", json!("100.64.0.77")),
            ("Calling-Station-Id", json!("aa-bb-cc-00-00-07")),
        ],
    );
    let interim = |secs: u64, gigawords: u64, octets: u64| {
        acct(
            "Interim-Update",
            "S1",
            &[
                ("Acct-Session-Time", json!(secs)),
                ("Acct-Input-Octets", json!(octets)),
                ("Acct-Input-Gigawords", json!(0)),
                ("Acct-Output-Octets", json!(octets)),
                ("Acct-Output-Gigawords", json!(gigawords)),
            ],
        )
    };
    for body in [start.clone(), start.clone()] {
        assert_eq!(
            post(app, "/accounting", key, body).await.0,
            StatusCode::NO_CONTENT
        );
    }
    let status = network_status(app, RAHIM.0, RAHIM.1).await;
    assert_eq!(status["is_online"], true, "{status}");
    assert_eq!(status["ip_address"], "100.64.0.77");
    assert_eq!(status["mac_address"], "AA:BB:CC:00:00:07");
    assert_eq!(status["total_download"], 0);

    // The newer interim first, then the older one: totals do not go back.
    for body in [
        interim(600, 2, 100),
        interim(300, 1, 50),
        interim(600, 2, 100),
    ] {
        assert_eq!(
            post(app, "/accounting", key, body).await.0,
            StatusCode::NO_CONTENT
        );
    }
    let status = network_status(app, RAHIM.0, RAHIM.1).await;
    assert_eq!(status["total_download"], 2 * 4_294_967_296u64 + 100);
    assert_eq!(status["total_upload"], 100);

    let stop = acct(
        "Stop",
        "S1",
        &[
            ("Acct-Session-Time", json!(700)),
            ("Acct-Output-Octets", json!(200)),
            ("Acct-Output-Gigawords", json!(2)),
            ("Acct-Input-Octets", json!(150)),
            ("Acct-Terminate-Cause", json!("User-Request")),
        ],
    );
    for body in [stop.clone(), stop, interim(650, 2, 180), start] {
        assert_eq!(
            post(app, "/accounting", key, body).await.0,
            StatusCode::NO_CONTENT
        );
    }
    let status = network_status(app, RAHIM.0, RAHIM.1).await;
    assert_eq!(
        status["is_online"], false,
        "a late interim or Start does not reopen"
    );
    assert_eq!(status["total_download"], 2 * 4_294_967_296u64 + 200);
    assert_eq!(status["total_upload"], 150);
    assert_eq!(status["ip_address"], Value::Null);
    assert!(status["last_offline"].is_string());

    let admin = app.staff_token("support").await;
    let id = app.customer_id(RAHIM.0).await;
    let history = app
        .get(
            &format!("/api/v1/admin/customers/{id}/sessions"),
            Some(&admin),
        )
        .await;
    let sessions = history.data()["sessions"].as_array().unwrap().clone();
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    assert_eq!(sessions[0]["close_reason"], "stop");
    assert_eq!(sessions[0]["terminate_cause"], "User-Request");
    assert_eq!(sessions[0]["download_octets"], 2 * 4_294_967_296u64 + 200);

    // Malformed packets are the NAS's mistake: 400, never 500.
    let (code, _) = post(
        app,
        "/accounting",
        key,
        attrs(&[("Acct-Status-Type", json!("Start"))]),
    )
    .await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    let bad = acct(
        "Interim-Update",
        "S2",
        &[("Acct-Input-Octets", json!("lots"))],
    );
    assert_eq!(
        post(app, "/accounting", key, bad).await.0,
        StatusCode::BAD_REQUEST
    );
}
aaa_backends!(
    accounting_survives_duplicates_and_reordering,
    super::with_aaa
);

async fn nas_restart_closes_its_sessions(app: &TestApp) {
    let key = Some(API_KEY);
    assert_eq!(
        post(app, "/accounting", key, acct("Start", "R1", &[]))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    let staff = app.staff_token("noc").await;
    let online = app
        .get("/api/v1/admin/sessions/online?nas=10.0.0.1", Some(&staff))
        .await;
    assert_eq!(online.data()["pagination"]["total"], 1);
    let none = app
        .get("/api/v1/admin/sessions/online?nas=10.9.9.9", Some(&staff))
        .await;
    assert_eq!(none.data()["pagination"]["total"], 0);
    let on = attrs(&[
        ("Acct-Status-Type", json!("Accounting-On")),
        ("NAS-IP-Address", json!("10.0.0.1")),
    ]);
    assert_eq!(
        post(app, "/accounting", key, on).await.0,
        StatusCode::NO_CONTENT
    );
    let online = app.get("/api/v1/admin/sessions/online", Some(&staff)).await;
    assert_eq!(online.data()["pagination"]["total"], 0);
    let status = network_status(app, RAHIM.0, RAHIM.1).await;
    assert_eq!(status["is_online"], false);
    // The NAS counts session ids from the start again: a new session, not the old one.
    assert_eq!(
        post(app, "/accounting", key, acct("Start", "R1", &[]))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    let id = app.customer_id(RAHIM.0).await;
    let history = app
        .get(
            &format!("/api/v1/admin/customers/{id}/sessions"),
            Some(&staff),
        )
        .await;
    let sessions = history.data()["sessions"].as_array().unwrap().clone();
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions[0]["online"], true);
    assert_eq!(sessions[1]["close_reason"], "nas-restart");
    assert_eq!(sessions[1]["terminate_cause"], "NAS-Reboot");
}
aaa_backends!(nas_restart_closes_its_sessions, super::with_aaa);

fn fast_interim(config: &mut control_plane::config::Config) {
    with_aaa(config);
    config.aaa.interim_interval_secs = 1;
    config.aaa.stale_after_intervals = 2;
}

async fn stale_sessions_are_closed_and_reopened_by_an_interim(app: &TestApp) {
    let key = Some(API_KEY);
    assert_eq!(
        post(app, "/accounting", key, acct("Start", "T1", &[]))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        network_status(app, RAHIM.0, RAHIM.1).await["is_online"],
        true
    );
    // No interim for 2 × 1 s: the sweep (every second) closes it.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if network_status(app, RAHIM.0, RAHIM.1).await["is_online"] == false {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "stale session not closed within 20 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let id = app.customer_id(RAHIM.0).await;
    let staff = app.staff_token("support").await;
    let history = app
        .get(
            &format!("/api/v1/admin/customers/{id}/sessions"),
            Some(&staff),
        )
        .await;
    assert_eq!(history.data()["sessions"][0]["close_reason"], "stale");
    // The NAS was only slow: its interim proves the session alive.
    let interim = acct("Interim-Update", "T1", &[("Acct-Session-Time", json!(5))]);
    assert_eq!(
        post(app, "/accounting", key, interim).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        network_status(app, RAHIM.0, RAHIM.1).await["is_online"],
        true
    );
}
aaa_backends!(
    stale_sessions_are_closed_and_reopened_by_an_interim,
    super::fast_interim
);

/// Many post-auth calls at once: each subscriber's newest outcome is stored, an unknown
/// username is ignored, and nothing is lost to batching.
async fn post_auth_outcomes_are_all_recorded(app: &TestApp) {
    let admin = app.staff_token("admin").await;
    let karima = crate::helpers::KARIMA;
    let outcome = |user: &str, nas: &str, result: &str| {
        let body = attrs(&[("User-Name", json!(user)), ("NAS-IP-Address", json!(nas))]);
        let path = format!("/post-auth?result={result}");
        async move { post(app, &path, Some(API_KEY), body).await.0 }
    };
    // Interleaved, concurrent: Rahim's last outcome is a reject from 10.0.0.9.
    let mut calls = Vec::new();
    for i in 0..40 {
        calls.push(outcome(RAHIM.2, &format!("10.0.0.{}", i % 9), "accept"));
        calls.push(outcome(karima.2, "10.0.1.1", "reject"));
        calls.push(outcome("nobody.here", "10.0.2.1", "accept"));
    }
    for status in futures_util::future::join_all(calls).await {
        assert_eq!(status, StatusCode::NO_CONTENT);
    }
    assert_eq!(
        outcome(RAHIM.2, "10.0.0.9", "reject").await,
        StatusCode::NO_CONTENT
    );
    for (code, result, nas) in [
        (RAHIM.0, "reject", "10.0.0.9"),
        (karima.0, "reject", "10.0.1.1"),
    ] {
        let path = format!(
            "/api/v1/admin/customers/{}/pppoe",
            app.customer_id(code).await
        );
        crate::helpers::eventually("post-auth outcome stored", Duration::from_secs(10), || {
            let path = path.clone();
            let admin = admin.clone();
            async move {
                let last = app.get(&path, Some(&admin)).await.data()["last_auth"].clone();
                (last["result"] == result && last["nas"] == nas).then_some(())
            }
        })
        .await;
    }
}
aaa_backends!(post_auth_outcomes_are_all_recorded, super::with_aaa);
