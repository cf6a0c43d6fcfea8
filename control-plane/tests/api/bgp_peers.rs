//! Staff BGP peering changes on a router: roles, every validation problem as a 422, the
//! command the site's agent receives, its verdict in the staff command views, and the audit
//! trail.

use std::net::IpAddr;

use proto::{BgpPeerChange, CommandKind, CommandState};
use serde_json::{json, Value};

use crate::agent_client::{register_agent, TestAgent};
use crate::both_backends;
use crate::helpers::{eventually, TestApp};

const WAIT: std::time::Duration = std::time::Duration::from_secs(10);

fn path(device_id: &str) -> String {
    format!("/api/v1/admin/devices/{device_id}/bgp-peers")
}

/// A device of the demo site, created through the staff API; returns its id.
pub async fn create_device(app: &TestApp, name: &str, kind: &str) -> String {
    let admin = app.staff_token("admin").await;
    let sites = app.get("/api/v1/admin/sites", Some(&admin)).await;
    let site_id = sites.data()["sites"][0]["id"].clone();
    let created = app
        .post(
            "/api/v1/admin/devices",
            Some(&admin),
            json!({ "site_id": site_id, "name": name, "kind": kind, "mgmt_address": "10.0.0.9" }),
        )
        .await;
    created.data()["id"].as_str().expect("device id").to_owned()
}

async fn device_id_by_name(app: &TestApp, name: &str) -> String {
    let admin = app.staff_token("admin").await;
    let devices = app
        .get("/api/v1/admin/devices?limit=100", Some(&admin))
        .await;
    devices.data()["devices"]
        .as_array()
        .expect("devices")
        .iter()
        .find(|d| d["name"] == name)
        .and_then(|d| d["id"].as_str())
        .expect("demo device")
        .to_owned()
}

async fn bgp_commands(app: &TestApp, token: &str) -> Value {
    app.get("/api/v1/admin/commands?kind=bgp_peer_change", Some(token))
        .await
        .data()
        .clone()
}

async fn staff_bgp_changes_check_roles_and_input(app: &TestApp) {
    let router = create_device(app, "edge-gulshan-1", "router").await;
    let body = json!({ "peer_ip": "192.0.2.1", "change": { "action": "shutdown" } });
    for role in ["billing", "support"] {
        let token = app.staff_token(role).await;
        app.post(&path(&router), Some(&token), body.clone())
            .await
            .error(403);
    }
    let customer = app
        .customer_token(crate::helpers::RAHIM.0, crate::helpers::RAHIM.1)
        .await;
    let refused = app
        .post(&path(&router), Some(&customer), body.clone())
        .await;
    assert!(
        matches!(refused.status.as_u16(), 401 | 403),
        "{:?}",
        refused.body
    );
    app.post(&path(&router), None, body.clone())
        .await
        .error(401);

    let noc = app.staff_token("noc").await;
    app.post(&path("no-such-device"), Some(&noc), body.clone())
        .await
        .error(404);
    let not_json = app
        .request(
            reqwest::Method::POST,
            &path(&router),
            Some(&noc),
            Some("{peer_ip"),
        )
        .await;
    not_json.error(400);

    let cases = [
        (json!({}), vec!["peer_ip is required", "change is required"]),
        (
            json!({ "peer_ip": "192.0.2.300", "change": { "action": "add" } }),
            vec![
                "is not an IPv4 or IPv6 address",
                "change.remote_as is required",
            ],
        ),
        (
            json!({ "peer_ip": "224.0.0.5", "change": { "action": "reboot" } }),
            vec!["cannot be a BGP neighbor", "not one of add, enable"],
        ),
        (
            json!({ "peer_ip": "192.0.2.1", "change": { "action": "add", "remote_as": 65002, "max_prefix": 10 } }),
            vec!["change.max_prefix is not used with action add"],
        ),
        (
            json!({ "peer_ip": "192.0.2.1", "change": { "action": "set_policy", "import_policy": "IN; clear bgp *", "export_policy": null } }),
            vec!["change.import_policy \"IN; clear bgp *\" is not a policy name"],
        ),
        (
            json!({ "peer_ip": "192.0.2.1", "change": { "action": "set_prefix_limit", "max_prefixes": -5 } }),
            vec!["change.max_prefixes must be a whole number"],
        ),
        (
            json!({ "peer_ip": "192.0.2.1", "change": { "action": "enable" }, "dry_run": "no", "force": true }),
            vec!["unknown field force", "dry_run must be true or false"],
        ),
    ];
    for (bad, parts) in cases {
        let message = app
            .post(&path(&router), Some(&noc), bad.clone())
            .await
            .error(422);
        for part in parts {
            assert!(message.contains(part), "{bad}: {message:?} lacks {part:?}");
        }
    }
    // An OLT does not speak BGP.
    let olt = device_id_by_name(app, "olt-gulshan-1").await;
    let message = app
        .post(&path(&olt), Some(&noc), body.clone())
        .await
        .error(422);
    assert!(
        message.contains("olt-gulshan-1 (kind olt) does not speak BGP"),
        "{message}"
    );

    assert_eq!(
        bgp_commands(app, &noc).await["pagination"]["total"],
        0,
        "refused requests queue nothing"
    );
}
both_backends!(staff_bgp_changes_check_roles_and_input);

async fn a_bgp_change_reaches_the_agent_and_its_verdict_is_shown(app: &TestApp) {
    let router = create_device(app, "edge-gulshan-1", "router").await;
    let (_, agent_token) = register_agent(app, "gulshan-pop").await;
    let mut agent = TestAgent::admitted(app, &agent_token).await;
    let noc = app.staff_token("noc").await;

    let queued = app
        .post(
            &path(&router),
            Some(&noc),
            json!({ "peer_ip": "192.0.2.1", "change": { "action": "add", "remote_as": 65002, "max_prefixes": 1000, "import_policy": "TRANSIT-IN" } }),
        )
        .await;
    assert_eq!(
        queued.body["message"],
        "BGP peering change queued for the site's agent"
    );
    let data = queued.data().clone();
    assert_eq!(data["kind"], "bgp_peer_change");
    assert_eq!(data["requester_kind"], "staff");
    assert_eq!(data["device_id"], router.as_str());
    assert_eq!(data["customer_id"], Value::Null);
    assert_eq!(data["target"], "bgp:edge-gulshan-1 neighbor 192.0.2.1");
    assert_eq!(data["params"]["change"]["remote_as"], 65002);
    assert_eq!(data["state"], "queued");
    let id = data["id"].as_str().unwrap().to_owned();

    let command = agent.next_command().await;
    assert_eq!(command.command_id.to_string(), id);
    assert_eq!(command.target.device_id, "edge-gulshan-1");
    assert_eq!(command.target.subscriber_key, None);
    assert_eq!(
        command.kind,
        CommandKind::BgpPeer {
            peer_ip: "192.0.2.1".parse::<IpAddr>().unwrap(),
            change: BgpPeerChange::Add {
                remote_asn: 65002,
                max_prefixes: Some(1000),
                import_policy: Some("TRANSIT-IN".into()),
                export_policy: None,
            },
            dry_run: false,
        }
    );

    // The agent's verdict: rolled back, with the driver's reason.
    let reason = "add neighbor 192.0.2.1 on edge-gulshan-1 (FRR): rolled back: neighbor 192.0.2.1 did not become Established within 60s (state Idle, last error: OPEN Message Error/Bad Peer AS)";
    agent
        .report(&id, CommandState::Running, "add neighbor 192.0.2.1")
        .await;
    agent.report(&id, CommandState::RolledBack, reason).await;
    let shown = eventually("the rolled-back state in the staff view", WAIT, || async {
        let reply = app
            .get(&format!("/api/v1/admin/commands/{id}"), Some(&noc))
            .await;
        let command = reply.data().clone();
        (command["state"] == "rolled_back").then_some(command)
    })
    .await;
    assert_eq!(shown["detail"], reason);
    // A late result never moves a finished command.
    agent.report(&id, CommandState::Succeeded, "late").await;
    agent.round_trip(7).await;
    let again = app
        .get(&format!("/api/v1/admin/commands/{id}"), Some(&noc))
        .await;
    assert_eq!(again.data()["state"], "rolled_back");

    // A dry run of another change on an IPv6 neighbor, by an admin.
    let admin = app.staff_token("admin").await;
    let dry = app
        .post(
            &path(&router),
            Some(&admin),
            json!({ "peer_ip": "2001:db8::2", "change": { "action": "set_policy", "import_policy": null, "export_policy": "OUT" }, "dry_run": true }),
        )
        .await;
    assert!(
        dry.body["message"]
            .as_str()
            .unwrap()
            .starts_with("Dry run queued"),
        "{}",
        dry.body
    );
    let dry_id = dry.data()["id"].as_str().unwrap().to_owned();
    let command = agent.next_command().await;
    assert_eq!(command.command_id.to_string(), dry_id);
    assert_eq!(
        command.kind,
        CommandKind::BgpPeer {
            peer_ip: "2001:db8::2".parse::<IpAddr>().unwrap(),
            change: BgpPeerChange::SetPolicy {
                import_policy: None,
                export_policy: Some("OUT".into()),
            },
            dry_run: true,
        }
    );
    let listed = bgp_commands(app, &noc).await;
    assert_eq!(listed["pagination"]["total"], 2);

    // Both requests are in the audit log, by who asked, with what was asked.
    let audit = app
        .get(
            "/api/v1/admin/audit-log?limit=50&actor_kind=staff",
            Some(&admin),
        )
        .await;
    let entries: Vec<Value> = audit.data()["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["action"] == "device.bgp_peer_change")
        .cloned()
        .collect();
    assert_eq!(entries.len(), 2, "{entries:?}");
    let first = entries
        .iter()
        .find(|e| e["target_id"] == id.as_str())
        .expect("audit entry of the add");
    assert_eq!(first["target_kind"], "device_command");
    assert_eq!(first["detail"]["device"], "edge-gulshan-1");
    assert_eq!(first["detail"]["params"]["peer_ip"], "192.0.2.1");
    assert_eq!(first["detail"]["params"]["change"]["action"], "add");
    let noc_id = app.get("/api/v1/admin/auth/me", Some(&noc)).await.data()["id"].clone();
    assert_eq!(first["actor_id"], noc_id);
}
both_backends!(a_bgp_change_reaches_the_agent_and_its_verdict_is_shown);
