//! `GET /usage-stats` (seed 002): this month's traffic from the one source of totals (here
//! RADIUS accounting), BGP peerings that succeeded for the customer against the plan's limit,
//! and the requests the customer's API keys were served; another customer's use never shows.

use std::time::Duration;

use proto::CommandState;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::aaa::radius_api::{acct, post};
use crate::aaa::API_KEY;
use crate::aaa_backends;
use crate::agent_client::{now_ms, pppoe, register_agent, TestAgent};
use crate::bgp_peers::create_device;
use crate::helpers::{eventually, TestApp, KARIMA, RAHIM};

const API: &str = "/api/v1/customer";
const WAIT: Duration = Duration::from_secs(10);

async fn usage(app: &TestApp, token: &str) -> Value {
    app.get(&format!("{API}/usage-stats"), Some(token))
        .await
        .data()
        .clone()
}

async fn accounted(app: &TestApp, status: &str, download: u64, upload: u64) {
    let body = acct(
        status,
        "U1",
        &[
            ("Acct-Output-Octets", json!(download)),
            ("Acct-Input-Octets", json!(upload)),
        ],
    );
    let (status, reply) = post(app, "/accounting", Some(API_KEY), body).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{reply}");
}

/// Queues a peering change on `router` for `customer_id` (or none) and has the agent report
/// it succeeded.
async fn peering(
    app: &TestApp,
    agent: &mut TestAgent,
    router: &str,
    customer_id: Option<&str>,
    peer_ip: &str,
    change: Value,
) {
    let noc = app.staff_token("noc").await;
    let mut body = json!({ "peer_ip": peer_ip, "change": change });
    if let Some(customer_id) = customer_id {
        body["customer_id"] = json!(customer_id);
    }
    let queued = app
        .post(
            &format!("/api/v1/admin/devices/{router}/bgp-peers"),
            Some(&noc),
            body,
        )
        .await;
    let id = queued.data()["id"].as_str().unwrap().to_owned();
    assert_eq!(queued.data()["customer_id"], json!(customer_id));
    let command = agent.next_command().await;
    assert_eq!(command.command_id.to_string(), id);
    agent.report(&id, CommandState::Succeeded, "done").await;
    eventually("the change to succeed", WAIT, || async {
        let reply = app
            .get(&format!("/api/v1/admin/commands/{id}"), Some(&noc))
            .await;
        (reply.data()["state"] == "succeeded").then_some(())
    })
    .await;
}

/// Billing staff give Rahim's package two BGP peerings, after the checks on the way.
async fn set_peering_limit(app: &TestApp, rahim: &str) {
    let profile = app.get(&format!("{API}/profile"), Some(rahim)).await;
    let package = profile.data()["package"]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/admin/packages/{package}/limits");
    let support = app.staff_token("support").await;
    assert_eq!(
        app.get(&path, Some(&support)).await.data()["bgp_peerings"],
        Value::Null
    );
    app.put(&path, Some(&support), json!({ "bgp_peerings": 2 }))
        .await
        .error(403);
    let billing = app.staff_token("billing").await;
    for bad in [
        json!({ "bgp_peerings": -1 }),
        json!({ "bgp_peerings": "2" }),
        json!({}),
        json!({ "bgp_peerings": 1, "x": 1 }),
    ] {
        app.put(&path, Some(&billing), bad).await.error(400);
    }
    app.put(
        "/api/v1/admin/packages/00000000-0000-0000-0000-000000000000/limits",
        Some(&billing),
        json!({ "bgp_peerings": 2 }),
    )
    .await
    .error(404);
    let set = app
        .put(&path, Some(&billing), json!({ "bgp_peerings": 2 }))
        .await;
    assert_eq!(set.data()["bgp_peerings"], 2);
    let admin = app.staff_token("admin").await;
    let audit = app
        .get(
            "/api/v1/admin/audit-log?action=package.limits",
            Some(&admin),
        )
        .await;
    assert_eq!(audit.data()["entries"].as_array().unwrap().len(), 1);
}

async fn usage_counts_this_months_traffic_peerings_and_api_requests(app: &TestApp) {
    let rahim = app.customer_token(RAHIM.0, RAHIM.1).await;
    let rahim_id = app.customer_id(RAHIM.0).await;
    set_peering_limit(app, &rahim).await;

    let before = usage(app, &rahim).await;
    let month = control_plane::store::now_text()[..7].to_owned();
    assert_eq!(before["month"], month);
    assert!(before["plan_name"].is_string(), "{before}");
    assert_eq!(
        before["bandwidth"],
        json!({ "download_bytes": 0, "upload_bytes": 0, "total_bytes": 0 })
    );
    assert_eq!(before["bgp_peerings"], json!({ "used": 0, "limit": 2 }));
    assert_eq!(
        before["api_requests"],
        json!({ "this_month": 0, "active_keys": 0 })
    );

    // Traffic: the accounting octets that move the totals.
    accounted(app, "Start", 0, 0).await;
    accounted(app, "Interim-Update", 5_000_000, 1_000_000).await;
    let now = usage(app, &rahim).await;
    assert_eq!(
        now["bandwidth"],
        json!({ "download_bytes": 5_000_000, "upload_bytes": 1_000_000, "total_bytes": 6_000_000 })
    );
    accounted(app, "Stop", 6_000_000, 1_500_000).await;
    let now = usage(app, &rahim).await;
    assert_eq!(now["bandwidth"]["download_bytes"], 6_000_000);
    assert_eq!(now["bandwidth"]["upload_bytes"], 1_500_000);

    // With the session stopped the agent's counters move the totals, and the month with them:
    // the month's figures stay equal to the totals' growth (all of it this month).
    let (_, agent_token) = register_agent(app, "gulshan-pop").await;
    let mut agent = TestAgent::admitted(app, &agent_token).await;
    let start = now_ms() / 1_000 * 1_000;
    for seq in 1..=3u64 {
        let entries = vec![pppoe(RAHIM.2, 8_000_000, 2_000_000, seq * 1_000_000)];
        let at = start - (4 - seq) * 1_000;
        assert_eq!(agent.samples(seq, at, entries).await, seq);
    }
    // Once ingest has written them (the status shows them live a little earlier); polled in
    // the store, as the API would spend the rate limit.
    let month = control_plane::store::now_text()[..7].to_owned();
    let stored = eventually("the agent's octets in the stored totals", WAIT, || async {
        let totals: (i64, i64) = sqlx::query_as(
            "SELECT total_download_octets, total_upload_octets FROM network_state \
             WHERE customer_id = $1",
        )
        .bind(&rahim_id)
        .fetch_one(app.store.pool())
        .await
        .unwrap();
        (totals.0 > 6_000_000).then_some(totals)
    })
    .await;
    let in_month = app.store.traffic_in_month(&rahim_id, &month).await.unwrap();
    assert_eq!((in_month.download_octets, in_month.upload_octets), stored);
    let now = usage(app, &rahim).await;
    assert_eq!(now["bandwidth"]["download_bytes"], stored.0);
    assert_eq!(now["bandwidth"]["upload_bytes"], stored.1);

    // Peerings: added for Rahim count until removed; the ISP's own and dry runs do not.
    let router = create_device(app, "edge-gulshan-1", "router").await;
    let add = json!({ "action": "add", "remote_as": 65010 });
    let remove = json!({ "action": "remove" });
    for (customer, peer, change) in [
        (Some(rahim_id.as_str()), "192.0.2.10", &add),
        (Some(rahim_id.as_str()), "192.0.2.11", &add),
        (None, "192.0.2.99", &add),
    ] {
        peering(app, &mut agent, &router, customer, peer, change.clone()).await;
    }
    assert_eq!(usage(app, &rahim).await["bgp_peerings"]["used"], 2);
    peering(
        app,
        &mut agent,
        &router,
        Some(&rahim_id),
        "192.0.2.10",
        remove,
    )
    .await;
    assert_eq!(
        usage(app, &rahim).await["bgp_peerings"],
        json!({ "used": 1, "limit": 2 })
    );
    // A peering for a customer that does not exist is refused.
    let noc = app.staff_token("noc").await;
    let message = app
        .post(
            &format!("/api/v1/admin/devices/{router}/bgp-peers"),
            Some(&noc),
            json!({ "peer_ip": "192.0.2.12", "change": add, "customer_id": "nobody" }),
        )
        .await
        .error(422);
    assert!(message.contains("customer_id"), "{message}");

    // API requests: each served key request, including this endpoint read with the key.
    let created = app
        .post(
            &format!("{API}/api-keys"),
            Some(&rahim),
            json!({ "name": "stats" }),
        )
        .await;
    let key = created.data()["key"].as_str().unwrap().to_owned();
    for _ in 0..2 {
        app.get(&format!("{API}/bills"), Some(&key)).await.data();
    }
    let by_key = usage(app, &key).await;
    assert_eq!(
        by_key["api_requests"],
        json!({ "this_month": 3, "active_keys": 1 })
    );
    assert_eq!(usage(app, &rahim).await["api_requests"]["this_month"], 3);

    // Karima's figures are her own.
    let karima = app.customer_token(KARIMA.0, KARIMA.1).await;
    let hers = usage(app, &karima).await;
    assert_eq!(hers["bandwidth"]["total_bytes"], 0);
    assert_eq!(hers["bgp_peerings"]["used"], 0);
    assert_eq!(hers["api_requests"]["this_month"], 0);
    app.get(&format!("{API}/usage-stats"), None)
        .await
        .error(401);
}
aaa_backends!(
    usage_counts_this_months_traffic_peerings_and_api_requests,
    crate::aaa::with_aaa
);
