//! The whole path through a real FreeRADIUS (rlm_rest) and radclient: PAP and CHAP, reply
//! items, lapsed subscribers under both policies, expiry to the second, accounting into the
//! subscriber's status, unknown NAS, and what happens when netops is down.

use control_plane::aaa::settings::LapsedAction;
use control_plane::config::Config;
use serde_json::json;
use time::{OffsetDateTime, UtcOffset};

use super::lab::{available, radclient, FreeRadius, RadReply};
use super::{exec, network_status, set_password, with_aaa, API_KEY};
use crate::aaa_backends;
use crate::helpers::{eventually, Backend, TestApp, KARIMA, RAHIM};

async fn freeradius_for(app: &TestApp, client: &str) -> FreeRadius {
    let url = app.base.clone();
    let client = client.to_owned();
    tokio::task::spawn_blocking(move || FreeRadius::start(&url, API_KEY, &client))
        .await
        .expect("start FreeRADIUS")
}

fn pap(user: &str, password: &str) -> String {
    format!("User-Name = \"{user}\"\nUser-Password = \"{password}\"\nNAS-IP-Address = 10.0.0.1\nCalling-Station-Id = \"AA:BB:CC:00:00:01\"\n")
}

fn chap(user: &str, password: &str) -> String {
    // radclient turns a clear-text CHAP-Password into a CHAP response.
    format!("User-Name = \"{user}\"\nCHAP-Password = \"{password}\"\nNAS-IP-Address = 10.0.0.1\n")
}

fn accepted(reply: &RadReply) {
    assert_eq!(
        reply.code.as_deref(),
        Some("Access-Accept"),
        "{}",
        reply.output
    );
}

fn rejected(reply: &RadReply) {
    assert_eq!(
        reply.code.as_deref(),
        Some("Access-Reject"),
        "{}",
        reply.output
    );
}

async fn pap_and_chap_with_the_package_rate(app: &TestApp) {
    if !available("pap_and_chap_with_the_package_rate") {
        return;
    }
    let radius = freeradius_for(app, "127.0.0.1").await;
    set_password(app, RAHIM.0, "rahim-pass").await;
    let port = radius.auth_port;

    let reply = radclient(port, "auth", &pap(RAHIM.2, "rahim-pass"), 5).await;
    accepted(&reply);
    // Premium 50/25 Mbps: the router's rx is the subscriber's upload.
    assert_eq!(reply.attr("Mikrotik-Rate-Limit"), Some("25000k/50000k"));
    assert_eq!(reply.attr("Acct-Interim-Interval"), Some("300"));
    assert!(reply.attr("Session-Timeout").is_some(), "{}", reply.output);
    assert_eq!(reply.attr("Framed-IP-Address"), None);

    let reply = radclient(port, "auth", &pap(RAHIM.2, "wrong-pass"), 5).await;
    rejected(&reply);
    assert_eq!(
        reply.attr("Mikrotik-Rate-Limit"),
        None,
        "a reject carries no service items"
    );

    accepted(&radclient(port, "auth", &chap(RAHIM.2, "rahim-pass"), 5).await);
    rejected(&radclient(port, "auth", &chap(RAHIM.2, "wrong-pass"), 5).await);
    rejected(&radclient(port, "auth", &pap("nobody.here", "x"), 5).await);
    let reply = radclient(port, "auth", &pap(KARIMA.2, "anything"), 5).await;
    rejected(&reply);
    assert_eq!(
        reply.attr("Reply-Message"),
        Some("PPPoE account not set up")
    );

    let admin = app.staff_token("admin").await;
    let id = app.customer_id(RAHIM.0).await;
    app.put(
        &format!("/api/v1/admin/customers/{id}/pppoe/static-ip"),
        Some(&admin),
        json!({"static_ip": "100.64.1.5"}),
    )
    .await
    .data();
    let reply = radclient(port, "auth", &pap(RAHIM.2, "rahim-pass"), 5).await;
    accepted(&reply);
    assert_eq!(reply.attr("Framed-IP-Address"), Some("100.64.1.5"));

    // post-auth recorded the newest outcome for support staff (written in the background).
    let last_auth = |want: &'static str| {
        let path = format!("/api/v1/admin/customers/{id}/pppoe");
        let admin = admin.clone();
        async move {
            eventually(
                "post-auth recorded",
                std::time::Duration::from_secs(10),
                || {
                    let (path, admin) = (path.clone(), admin.clone());
                    async move {
                        let account = app.get(&path, Some(&admin)).await;
                        let last = account.data()["last_auth"].clone();
                        (last["result"] == want).then_some(last)
                    }
                },
            )
            .await
        }
    };
    rejected(&radclient(port, "auth", &pap(RAHIM.2, "wrong-pass"), 5).await);
    assert_eq!(last_auth("reject").await["nas"], "10.0.0.1");
    accepted(&radclient(port, "auth", &pap(RAHIM.2, "rahim-pass"), 5).await);
    last_auth("accept").await;
    // CHAP outcomes come through post-auth (netops never sees the CHAP password).
    rejected(&radclient(port, "auth", &chap(RAHIM.2, "wrong-pass"), 5).await);
    last_auth("reject").await;
    accepted(&radclient(port, "auth", &chap(RAHIM.2, "rahim-pass"), 5).await);
    last_auth("accept").await;
}
aaa_backends!(pap_and_chap_with_the_package_rate, super::with_aaa);

/// Suspends Karima and lets Rahim's service end yesterday.
async fn lapse_both(app: &TestApp) {
    set_password(app, RAHIM.0, "rahim-pass").await;
    set_password(app, KARIMA.0, "karima-pass").await;
    exec(
        app,
        "UPDATE customers SET status = $1 WHERE customer_code = $2",
        "suspended",
        KARIMA.0,
    )
    .await;
    let yesterday = OffsetDateTime::now_utc().date() - time::Duration::days(2);
    exec(
        app,
        "UPDATE customers SET expiry_date = $1 WHERE customer_code = $2",
        &control_plane::domain::time::date_text(yesterday),
        RAHIM.0,
    )
    .await;
}

async fn lapsed_subscribers_rejected(app: &TestApp) {
    if !available("lapsed_subscribers_rejected") {
        return;
    }
    let radius = freeradius_for(app, "127.0.0.1").await;
    lapse_both(app).await;
    let reply = radclient(radius.auth_port, "auth", &pap(KARIMA.2, "karima-pass"), 5).await;
    rejected(&reply);
    assert_eq!(reply.attr("Reply-Message"), Some("account suspended"));
    let reply = radclient(radius.auth_port, "auth", &chap(RAHIM.2, "rahim-pass"), 5).await;
    rejected(&reply);
    assert_eq!(
        reply.attr("Reply-Message"),
        Some("account expired; please renew")
    );
}
aaa_backends!(lapsed_subscribers_rejected, super::with_aaa);

fn walled_garden(config: &mut Config) {
    with_aaa(config);
    config.aaa.expired = LapsedAction::WalledGarden;
    config.aaa.suspended = LapsedAction::WalledGarden;
}

async fn lapsed_subscribers_in_the_walled_garden(app: &TestApp) {
    if !available("lapsed_subscribers_in_the_walled_garden") {
        return;
    }
    let radius = freeradius_for(app, "127.0.0.1").await;
    lapse_both(app).await;
    let admin = app.staff_token("admin").await;
    let id = app.customer_id(RAHIM.0).await;
    app.put(
        &format!("/api/v1/admin/customers/{id}/pppoe/static-ip"),
        Some(&admin),
        json!({"static_ip": "100.64.1.5"}),
    )
    .await
    .data();
    for (user, password) in [(KARIMA.2, "karima-pass"), (RAHIM.2, "rahim-pass")] {
        let reply = radclient(radius.auth_port, "auth", &pap(user, password), 5).await;
        accepted(&reply);
        assert_eq!(reply.attr("Framed-Pool"), Some("walled-garden"), "{user}");
        assert_eq!(
            reply.attr("Mikrotik-Rate-Limit"),
            Some("512k/512k"),
            "{user}"
        );
        assert_eq!(reply.attr("Session-Timeout"), Some("900"), "{user}");
        assert_eq!(
            reply.attr("Framed-IP-Address"),
            None,
            "{user}: no static address"
        );
        // The password still counts in the garden.
        rejected(&radclient(radius.auth_port, "auth", &pap(user, "wrong"), 5).await);
    }
}
aaa_backends!(
    lapsed_subscribers_in_the_walled_garden,
    super::walled_garden
);

/// An ISP time zone whose next midnight is 90 to 150 s away, and that midnight.
fn zone_with_midnight_soon() -> (UtcOffset, OffsetDateTime) {
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let midnight_unix = (now + 90 + 59) / 60 * 60;
    let mut offset_secs = (86_400 - midnight_unix.rem_euclid(86_400)) % 86_400;
    if offset_secs > 12 * 3_600 {
        offset_secs -= 86_400;
    }
    let offset = UtcOffset::from_whole_seconds(offset_secs as i32).expect("offset");
    let midnight = OffsetDateTime::from_unix_timestamp(midnight_unix).expect("instant");
    (offset, midnight)
}

async fn session_ends_at_the_expiry_second(backend: Backend) {
    if !available("session_ends_at_the_expiry_second") {
        return;
    }
    let (offset, midnight) = zone_with_midnight_soon();
    let Some(app) = TestApp::spawn_with(backend, move |config| {
        with_aaa(config);
        config.aaa.utc_offset = offset;
    })
    .await
    else {
        return;
    };
    let radius = freeradius_for(&app, "127.0.0.1").await;
    set_password(&app, RAHIM.0, "rahim-pass").await;
    // Paid until "today" in the ISP's zone: service ends at its midnight.
    let today = (midnight - time::Duration::SECOND).to_offset(offset).date();
    exec(
        &app,
        "UPDATE customers SET expiry_date = $1 WHERE customer_code = $2",
        &control_plane::domain::time::date_text(today),
        RAHIM.0,
    )
    .await;
    let before = OffsetDateTime::now_utc();
    let reply = radclient(radius.auth_port, "auth", &pap(RAHIM.2, "rahim-pass"), 5).await;
    let after = OffsetDateTime::now_utc();
    accepted(&reply);
    let timeout: i64 = reply
        .attr("Session-Timeout")
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("no Session-Timeout: {}", reply.output));
    let latest = (midnight - before).whole_seconds() + 1;
    let earliest = (midnight - after).whole_seconds();
    assert!(
        (earliest..=latest).contains(&timeout),
        "Session-Timeout {timeout} should end at {midnight}: between {earliest} and {latest}"
    );
    drop(radius);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn session_ends_at_the_expiry_second_sqlite() {
    session_ends_at_the_expiry_second(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn session_ends_at_the_expiry_second_postgres() {
    session_ends_at_the_expiry_second(Backend::Postgres).await;
}

fn accounting(status: &str, extra: &str) -> String {
    format!(
        "Acct-Status-Type = {status}\nUser-Name = \"{}\"\nAcct-Session-Id = \"81000001\"\nNAS-IP-Address = 10.0.0.1\nNAS-Identifier = \"bras-gulshan-1\"\n{extra}",
        RAHIM.2
    )
}

async fn acked(radius: &FreeRadius, packet: &str) {
    let reply = radclient(radius.acct_port, "acct", packet, 5).await;
    assert_eq!(
        reply.code.as_deref(),
        Some("Accounting-Response"),
        "{}\n{}",
        reply.output,
        radius.log()
    );
}

async fn accounting_feeds_the_subscriber_status(app: &TestApp) {
    if !available("accounting_feeds_the_subscriber_status") {
        return;
    }
    let radius = freeradius_for(app, "127.0.0.1").await;
    let start = accounting(
        "Start",
        "Framed-IP-Address = 100.64.0.50\nCalling-Station-Id = \"aa:bb:cc:00:00:09\"\n",
    );
    acked(&radius, &start).await;
    let status = network_status(app, RAHIM.0, RAHIM.1).await;
    assert_eq!(status["is_online"], true, "{status}");
    assert_eq!(status["ip_address"], "100.64.0.50");
    assert_eq!(status["mac_address"], "AA:BB:CC:00:00:09");
    assert_eq!(status["uptime"], "0m");

    // 5 GiB + 100 down (the NAS's output), 1 GiB + 7 up, over 4 GiB thanks to gigawords.
    let interim = accounting(
        "Interim-Update",
        "Acct-Session-Time = 300\nAcct-Output-Octets = 100\nAcct-Output-Gigawords = 5\nAcct-Input-Octets = 7\nAcct-Input-Gigawords = 1\n",
    );
    acked(&radius, &interim).await;
    acked(&radius, &interim).await;
    let status = network_status(app, RAHIM.0, RAHIM.1).await;
    assert_eq!(status["total_download"], 5 * 4_294_967_296u64 + 100);
    assert_eq!(status["total_upload"], 4_294_967_296u64 + 7);
    assert_eq!(status["is_online"], true);

    let stop = accounting(
        "Stop",
        "Acct-Session-Time = 400\nAcct-Output-Octets = 900\nAcct-Output-Gigawords = 5\nAcct-Input-Octets = 9\nAcct-Input-Gigawords = 1\nAcct-Terminate-Cause = User-Request\n",
    );
    acked(&radius, &stop).await;
    // Late and repeated packets are acknowledged and change nothing.
    acked(&radius, &stop).await;
    acked(&radius, &interim).await;
    acked(&radius, &start).await;
    let status = network_status(app, RAHIM.0, RAHIM.1).await;
    assert_eq!(status["is_online"], false, "{status}");
    assert_eq!(status["total_download"], 5 * 4_294_967_296u64 + 900);
    assert_eq!(status["total_upload"], 4_294_967_296u64 + 9);
    assert!(status["last_offline"].is_string());

    let staff = app.staff_token("noc").await;
    let online = app.get("/api/v1/admin/sessions/online", Some(&staff)).await;
    assert_eq!(online.data()["pagination"]["total"], 0);
    let id = app.customer_id(RAHIM.0).await;
    let history = app
        .get(
            &format!("/api/v1/admin/customers/{id}/sessions"),
            Some(&staff),
        )
        .await;
    let sessions = history.data()["sessions"].as_array().unwrap().clone();
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    assert_eq!(sessions[0]["nas_ip_address"], "10.0.0.1");
    assert_eq!(sessions[0]["nas_identifier"], "bras-gulshan-1");
    assert_eq!(sessions[0]["terminate_cause"], "User-Request");
    assert_eq!(sessions[0]["session_time_secs"], 400);
}
aaa_backends!(accounting_feeds_the_subscriber_status, super::with_aaa);

async fn unknown_nas_is_dropped(app: &TestApp) {
    if !available("unknown_nas_is_dropped") {
        return;
    }
    // clients.conf knows 127.0.0.2 only; radclient sends from 127.0.0.1.
    let radius = freeradius_for(app, "127.0.0.2").await;
    set_password(app, RAHIM.0, "rahim-pass").await;
    let reply = radclient(radius.auth_port, "auth", &pap(RAHIM.2, "rahim-pass"), 2).await;
    assert_eq!(reply.code, None, "{}", reply.output);
    let reply = radclient(radius.acct_port, "acct", &accounting("Start", ""), 2).await;
    assert_eq!(reply.code, None, "{}", reply.output);
    assert!(radius.log().contains("unknown client"), "{}", radius.log());
    let status = network_status(app, RAHIM.0, RAHIM.1).await;
    assert_eq!(
        status["ip_address"], "100.64.0.10",
        "the demo state is untouched"
    );
}
aaa_backends!(unknown_nas_is_dropped, super::with_aaa);

/// No database involved: FreeRADIUS points at a port where no control plane listens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_plane_down_means_reject_and_no_accounting_ack() {
    if !available("control_plane_down_means_reject_and_no_accounting_ack") {
        return;
    }
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", closed.local_addr().expect("addr"));
    drop(closed);
    let radius = tokio::task::spawn_blocking(move || FreeRadius::start(&url, API_KEY, "127.0.0.1"))
        .await
        .expect("start FreeRADIUS");
    let reply = radclient(radius.auth_port, "auth", &pap(RAHIM.2, "rahim-pass"), 5).await;
    rejected(&reply);
    let reply = radclient(radius.acct_port, "acct", &accounting("Start", ""), 2).await;
    assert_eq!(
        reply.code, None,
        "unacknowledged, so the NAS retransmits: {}",
        reply.output
    );
}
