//! Staff device actions on a customer: roles, validation, the package's rate for a change of
//! speed, the command the agent receives, and the audit trail.

use proto::{CommandKind, SubscriberKey};
use serde_json::json;

use crate::agent_client::{register_agent, TestAgent};
use crate::both_backends;
use crate::helpers::{eventually, TestApp, RAHIM};

const WAIT: std::time::Duration = std::time::Duration::from_secs(10);

fn path(customer_id: &str) -> String {
    format!("/api/v1/admin/customers/{customer_id}/commands")
}

/// The customer's package rate in bps, from the store.
async fn package_bps(app: &TestApp, customer_id: &str) -> (u64, u64) {
    let customer = app.store.customer(customer_id).await.expect("customer");
    let package = app
        .store
        .package(customer.package_id.as_deref().expect("package"))
        .await
        .expect("package");
    assert_eq!(package.speed_unit, "mbps");
    let bps = |mbps: i64| u64::try_from(mbps).expect("positive") * 1_000_000;
    (bps(package.download_speed), bps(package.upload_speed))
}

async fn staff_change_speed_carries_the_package_rate(app: &TestApp) {
    let (_, agent_token) = register_agent(app, "gulshan-pop").await;
    let mut agent = TestAgent::admitted(app, &agent_token).await;
    let noc = app.staff_token("noc").await;
    let rahim = app.customer_id(RAHIM.0).await;

    let queued = app
        .post(&path(&rahim), Some(&noc), json!({ "kind": "change_speed" }))
        .await;
    let data = queued.data();
    assert_eq!(data["kind"], "change_speed");
    assert_eq!(data["requester_kind"], "staff");
    assert_eq!(data["target"], format!("pppoe:{}", RAHIM.2));
    let (download_bps, upload_bps) = package_bps(app, &rahim).await;
    assert_eq!(data["params"]["download_bps"], download_bps);
    let command = agent.next_command().await;
    assert_eq!(command.command_id.to_string(), data["id"].as_str().unwrap());
    assert_eq!(
        command.kind,
        CommandKind::ChangeSpeed {
            download_bps,
            upload_bps
        }
    );
    assert_eq!(command.target.device_id, "bras-gulshan-1");
    assert_eq!(
        command.target.subscriber_key,
        Some(SubscriberKey::PppoeUsername(RAHIM.2.into()))
    );

    // An explicit rate, in megabits.
    let admin = app.staff_token("admin").await;
    app.post(
        &path(&rahim),
        Some(&admin),
        json!({ "kind": "change_speed", "download_mbps": 12.5, "upload_mbps": 5 }),
    )
    .await
    .data();
    assert_eq!(
        agent.next_command().await.kind,
        CommandKind::ChangeSpeed {
            download_bps: 12_500_000,
            upload_bps: 5_000_000
        }
    );

    // The other kinds go to their devices.
    app.post(&path(&rahim), Some(&noc), json!({ "kind": "reboot_onu" }))
        .await
        .data();
    assert_eq!(agent.next_command().await.kind, CommandKind::RebootOnu);
    app.post(&path(&rahim), Some(&noc), json!({ "kind": "disconnect" }))
        .await
        .data();
    assert_eq!(
        agent.next_command().await.kind,
        CommandKind::DisconnectSession
    );

    let audit = app
        .get("/api/v1/admin/audit-log?limit=50", Some(&admin))
        .await;
    let mut actions: Vec<String> = audit.data()["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["actor_kind"] == "staff" && e["target_kind"] == "device_command")
        .map(|e| e["action"].as_str().unwrap_or_default().to_owned())
        .collect();
    actions.sort();
    assert_eq!(
        actions,
        [
            "device.change_speed",
            "device.change_speed",
            "device.disconnect",
            "device.reboot_onu"
        ]
    );
}
both_backends!(staff_change_speed_carries_the_package_rate);

async fn staff_commands_check_roles_and_input(app: &TestApp) {
    let rahim = app.customer_id(RAHIM.0).await;
    let body = json!({ "kind": "disconnect" });
    for role in ["billing", "support"] {
        let token = app.staff_token(role).await;
        app.post(&path(&rahim), Some(&token), body.clone())
            .await
            .error(403);
    }
    let customer = app.customer_token(RAHIM.0, RAHIM.1).await;
    let refused = app.post(&path(&rahim), Some(&customer), body.clone()).await;
    assert!(
        matches!(refused.status.as_u16(), 401 | 403),
        "{:?}",
        refused.body
    );
    app.post(&path(&rahim), None, body.clone()).await.error(401);

    let noc = app.staff_token("noc").await;
    app.post(&path("no-such-customer"), Some(&noc), body.clone())
        .await
        .error(404);
    for bad in [
        json!({}),
        json!({ "kind": "bgp_peer_change" }),
        json!({ "kind": "format_disk" }),
        json!({ "kind": "reboot_onu", "download_mbps": 10 }),
        json!({ "kind": "change_speed", "download_mbps": 10 }),
        json!({ "kind": "change_speed", "download_mbps": -1, "upload_mbps": 1 }),
        json!({ "kind": "change_speed", "download_mbps": "fast", "upload_mbps": 1 }),
    ] {
        app.post(&path(&rahim), Some(&noc), bad).await.error(400);
    }
    // The demo's subscribers have a router MAC but no router device: nothing can run it, so
    // the command ends at once with that reason.
    let router = app
        .post(
            &path(&rahim),
            Some(&noc),
            json!({ "kind": "reboot_router" }),
        )
        .await;
    let id = router.data()["id"].as_str().unwrap().to_owned();
    let expired = eventually("the deviceless command to expire", WAIT, || async {
        let reply = app
            .get(&format!("/api/v1/admin/commands/{id}"), Some(&noc))
            .await;
        let command = reply.data().clone();
        (command["state"] == "expired").then_some(command)
    })
    .await;
    assert!(
        expired["detail"].as_str().unwrap().contains("no device"),
        "{expired}"
    );
    let listed = app
        .get(
            &format!("/api/v1/admin/commands?customer_id={rahim}"),
            Some(&noc),
        )
        .await;
    assert_eq!(
        listed.data()["pagination"]["total"],
        1,
        "refused requests queue nothing: {}",
        listed.body
    );
}
both_backends!(staff_commands_check_roles_and_input);
