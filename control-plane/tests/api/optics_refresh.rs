//! Fast optics polls: staff ask for one (roles, 404, audit), at most one is in flight per ONU
//! and a second within the minimum interval is refused; a subscriber whose ONU reading is stale
//! gets one by opening their status, and only for their own ONU.

use std::time::Duration;

use control_plane::config::Config;
use proto::{CommandKind, CommandState};
use serde_json::{json, Value};

use crate::agent_client::{register_agent, TestAgent};
use crate::helpers::{eventually, TestApp, KARIMA, RAHIM};
use crate::optics_frames::{ago_ms, online, onu_key, send_readings, KARIMA_ONU, OLT, RAHIM_ONU};
use crate::{both_backends, both_backends_with};

const WAIT: Duration = Duration::from_secs(10);

fn refresh_path(customer_id: &str) -> String {
    format!("/api/v1/admin/customers/{customer_id}/onu-optics/refresh")
}

/// The staff audit entries of fast optics polls.
async fn fast_poll_audits(app: &TestApp, actor_kind: &str) -> Vec<Value> {
    let admin = app.staff_token("admin").await;
    let audit = app
        .get(
            "/api/v1/admin/audit-log?action=device.fast_poll_optics&limit=100",
            Some(&admin),
        )
        .await;
    audit.data()["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["actor_kind"] == actor_kind)
        .cloned()
        .collect()
}

async fn staff_refresh_reaches_the_agent_once(app: &TestApp) {
    let (_, token) = register_agent(app, "gulshan-pop").await;
    let mut agent = TestAgent::admitted(app, &token).await;
    let rahim = app.customer_id(RAHIM.0).await;
    let noc = app.staff_token("noc").await;

    let queued = app.post(&refresh_path(&rahim), Some(&noc), json!({})).await;
    assert_eq!(
        queued.body["message"],
        "Fast optics poll queued for the site's agent"
    );
    let data = queued.data().clone();
    assert_eq!(data["kind"], "fast_poll_optics");
    assert_eq!(data["requester_kind"], "staff");
    assert_eq!(
        data["params"],
        json!({ "interval_ms": 10_000, "duration_ms": 120_000 })
    );
    let command = agent.next_command().await;
    assert_eq!(command.command_id.to_string(), data["id"].as_str().unwrap());
    assert_eq!(
        command.kind,
        CommandKind::FastPollOptics {
            interval_ms: 10_000,
            duration_ms: 120_000
        }
    );
    assert_eq!(command.target.device_id, OLT);
    assert_eq!(command.target.subscriber_key, Some(onu_key(RAHIM_ONU)));

    // While it runs, asking again answers with the same command and sends nothing new.
    let id = data["id"].as_str().unwrap().to_owned();
    agent.report(&id, CommandState::Running, "asking OLT").await;
    let support = app.staff_token("support").await;
    let again = app
        .post(&refresh_path(&rahim), Some(&support), json!({}))
        .await;
    assert_eq!(again.data()["id"], id.as_str());
    assert_eq!(
        again.body["message"],
        "A fast optics poll of this ONU is already in progress"
    );
    agent.round_trip(1).await;

    // The agent's reading arrives, then the result.
    send_readings(&mut agent, ago_ms(0), vec![online(RAHIM_ONU, -23.4)]).await;
    agent
        .report(&id, CommandState::Succeeded, "first fast reading sent")
        .await;
    eventually("the command to succeed", WAIT, || async {
        let reply = app
            .get(&format!("/api/v1/admin/commands/{id}"), Some(&noc))
            .await;
        (reply.data()["state"] == "succeeded").then_some(())
    })
    .await;
    let rahim_token = app.customer_token(RAHIM.0, RAHIM.1).await;
    let status = app
        .get("/api/v1/customer/network/status", Some(&rahim_token))
        .await;
    assert_eq!(status.data()["onu_rx_power"], -23.4);

    // Finished, but within the minimum interval (60 s): refused with the time left.
    let admin = app.staff_token("admin").await;
    let too_soon = app
        .post(&refresh_path(&rahim), Some(&admin), json!({}))
        .await;
    let message = too_soon.error(429);
    assert!(message.contains("ask again in"), "{message}");
    let retry: u64 = too_soon.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    agent.round_trip(2).await;

    // Only the queued one is audited, with who asked.
    let audits = fast_poll_audits(app, "staff").await;
    assert_eq!(audits.len(), 1, "{audits:?}");
    assert_eq!(audits[0]["actor_name"], "noc");
    assert_eq!(audits[0]["target_id"], id.as_str());
}
both_backends!(staff_refresh_reaches_the_agent_once);

async fn staff_refresh_checks_roles_and_the_customer(app: &TestApp) {
    let rahim = app.customer_id(RAHIM.0).await;
    let billing = app.staff_token("billing").await;
    app.post(&refresh_path(&rahim), Some(&billing), json!({}))
        .await
        .error(403);
    let customer = app.customer_token(RAHIM.0, RAHIM.1).await;
    app.post(&refresh_path(&rahim), Some(&customer), json!({}))
        .await
        .error(401);
    app.post(&refresh_path(&rahim), None, json!({}))
        .await
        .error(401);
    let noc = app.staff_token("noc").await;
    app.post(&refresh_path("no-such-customer"), Some(&noc), json!({}))
        .await
        .error(404);
    // A customer with no ONU on file.
    let admin = app.staff_token("admin").await;
    let bare = app
        .post(
            "/api/v1/admin/customers",
            Some(&admin),
            json!({ "name": "No Fibre", "customer_code": "CUST950" }),
        )
        .await;
    let bare_id = bare.data()["id"].as_str().unwrap().to_owned();
    let refused = app
        .post(&refresh_path(&bare_id), Some(&noc), json!({}))
        .await
        .error(400);
    assert!(refused.contains("ONU"), "{refused}");
    let listed = app
        .get("/api/v1/admin/commands?kind=fast_poll_optics", Some(&noc))
        .await;
    assert_eq!(listed.data()["pagination"]["total"], 0, "{}", listed.body);
    assert!(fast_poll_audits(app, "staff").await.is_empty());
}
both_backends!(staff_refresh_checks_roles_and_the_customer);

fn refresh_after_ten_minutes(config: &mut Config) {
    config.optics.refresh_after = Some(Duration::from_secs(600));
}

async fn a_stale_reading_is_refreshed_when_the_subscriber_looks(app: &TestApp) {
    let (_, token) = register_agent(app, "gulshan-pop").await;
    let mut agent = TestAgent::admitted(app, &token).await;
    // Rahim's ONU was last read 20 minutes ago, Karima's a minute ago.
    send_readings(&mut agent, ago_ms(1_200), vec![online(RAHIM_ONU, -21.0)]).await;
    send_readings(&mut agent, ago_ms(60), vec![online(KARIMA_ONU, -22.0)]).await;

    let karima = app.customer_token(KARIMA.0, KARIMA.1).await;
    app.get("/api/v1/customer/network/status", Some(&karima))
        .await
        .data();
    agent.round_trip(1).await;

    let rahim = app.customer_token(RAHIM.0, RAHIM.1).await;
    let status = app
        .get("/api/v1/customer/network/status", Some(&rahim))
        .await;
    assert_eq!(status.data()["onu_rx_power"], -21.0, "served at once");
    let command = agent.next_command().await;
    assert_eq!(
        command.target.subscriber_key,
        Some(onu_key(RAHIM_ONU)),
        "only the stale ONU, only Rahim's"
    );
    assert!(matches!(command.kind, CommandKind::FastPollOptics { .. }));
    // The app polls again: nothing more is asked.
    for _ in 0..3 {
        app.get("/api/v1/customer/network/status", Some(&rahim))
            .await
            .data();
    }
    agent.round_trip(2).await;

    // Rahim sees the command as his; Karima does not.
    let id = command.command_id.to_string();
    let mine = app
        .get(
            &format!("/api/v1/customer/device/commands/{id}"),
            Some(&rahim),
        )
        .await;
    assert_eq!(mine.data()["kind"], "fast_poll_optics");
    app.get(
        &format!("/api/v1/customer/device/commands/{id}"),
        Some(&karima),
    )
    .await
    .error(404);
    let audits = fast_poll_audits(app, "customer").await;
    assert_eq!(audits.len(), 1, "{audits:?}");
    let rahim_id = app.customer_id(RAHIM.0).await;
    assert_eq!(audits[0]["actor_id"], rahim_id.as_str());
    let detail = &audits[0]["detail"];
    assert_eq!(detail["reason"], "status view");
    assert!(detail["reading_age_secs"].as_u64().unwrap() >= 1_200);
}
both_backends_with!(
    a_stale_reading_is_refreshed_when_the_subscriber_looks,
    refresh_after_ten_minutes
);

fn never_refresh(config: &mut Config) {
    config.optics.refresh_after = None;
}

async fn status_views_leave_optics_alone_when_turned_off(app: &TestApp) {
    let (_, token) = register_agent(app, "gulshan-pop").await;
    let mut agent = TestAgent::admitted(app, &token).await;
    send_readings(&mut agent, ago_ms(7_200), vec![online(RAHIM_ONU, -21.0)]).await;
    let rahim = app.customer_token(RAHIM.0, RAHIM.1).await;
    app.get("/api/v1/customer/network/status", Some(&rahim))
        .await
        .data();
    agent.round_trip(1).await;
    let noc = app.staff_token("noc").await;
    let listed = app
        .get("/api/v1/admin/commands?kind=fast_poll_optics", Some(&noc))
        .await;
    assert_eq!(listed.data()["pagination"]["total"], 0);
}
both_backends_with!(
    status_views_leave_optics_alone_when_turned_off,
    never_refresh
);
