//! Agents' `Inventory` frames in the staff API: the devices an agent reports, matched to the
//! configured ones; devices a later frame leaves out marked gone; a device's interfaces paged
//! with the subscriber behind each PPPoE interface; oversized or inconsistent frames refused
//! with nothing stored; roles checked.

use proto::{Device, DeviceKind, Frame, Interface, Inventory, SubscriberKey};
use serde_json::{json, Value};

use crate::agent_client::{now_ms, pppoe, register_agent, TestAgent};
use crate::helpers::{assert_metric, metrics_text, TestApp, RAHIM};
use crate::{both_backends, both_backends_with};

const ADMIN: &str = "/api/v1/admin";

fn device(device_id: &str, kind: DeviceKind, address: &str) -> Device {
    Device {
        device_id: device_id.into(),
        kind,
        profile: "mikrotik-pppoe-bras".into(),
        management_address: address.into(),
    }
}

fn interface(device_id: &str, if_index: u32, if_name: &str) -> Interface {
    Interface {
        device_id: device_id.into(),
        if_index,
        if_name: if_name.into(),
        speed_bps: Some(1_000_000_000),
    }
}

fn inventory(devices: Vec<Device>, interfaces: Vec<Interface>) -> Frame {
    let subscriber_keys = interfaces
        .iter()
        .map(|i| SubscriberKey::of_interface(&i.device_id, &i.if_name))
        .collect();
    Frame::Inventory(Inventory {
        devices,
        interfaces,
        subscriber_keys,
    })
}

/// The demo BRAS as the agent names it (the staff device's name) at its own address.
fn bras() -> Device {
    device("bras-gulshan-1", DeviceKind::Bras, "127.0.0.1:16100")
}

/// The demo OLT under another id, found by its management address.
fn olt() -> Device {
    device("olt-a", DeviceKind::Olt, "127.0.0.1:16101")
}

/// Sends a frame and waits until the control plane has handled it.
async fn deliver(agent: &mut TestAgent, frame: &Frame, nonce: u64) {
    agent.send(frame).await;
    agent.round_trip(nonce).await;
}

/// The id of a staff-configured demo device, by name.
async fn device_id(app: &TestApp, token: &str, name: &str) -> String {
    let devices = app
        .get(&format!("{ADMIN}/devices?limit=100"), Some(token))
        .await;
    devices.data()["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == name)
        .and_then(|d| d["id"].as_str())
        .unwrap_or_else(|| panic!("no configured device {name}"))
        .to_owned()
}

async fn agent_inventory(app: &TestApp, token: &str, agent_id: &str) -> Value {
    app.get(&format!("{ADMIN}/agents/{agent_id}/inventory"), Some(token))
        .await
        .data()
        .clone()
}

async fn interfaces(app: &TestApp, token: &str, device_id: &str, query: &str) -> Value {
    app.get(
        &format!("{ADMIN}/devices/{device_id}/interfaces?{query}"),
        Some(token),
    )
    .await
    .data()
    .clone()
}

fn reported<'a>(inventory: &'a Value, device_id: &str) -> &'a Value {
    inventory["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["device_id"] == device_id)
        .unwrap_or_else(|| panic!("{device_id} not in {inventory}"))
}

fn if_names(page: &Value) -> Vec<String> {
    page["interfaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["if_name"].as_str().unwrap().to_owned())
        .collect()
}

async fn staff_see_reported_devices_and_interfaces(app: &TestApp) {
    let (agent_id, token) = register_agent(app, "gulshan-pop").await;
    let noc = app.staff_token("noc").await;
    let before = agent_inventory(app, &noc, &agent_id).await;
    assert!(before["received_at"].is_null(), "{before}");
    assert_eq!(before["devices"], json!([]));
    assert_eq!(before["unreported_devices"].as_array().unwrap().len(), 2);

    // A switch staff configured at the site, which no agent polls.
    let site_id = before["site_id"].as_str().unwrap().to_owned();
    let switch = app
        .post(
            &format!("{ADMIN}/devices"),
            Some(&noc),
            json!({ "site_id": site_id, "name": "sw-unpolled", "kind": "switch",
                    "mgmt_address": "10.9.9.9" }),
        )
        .await;
    let switch_id = switch.data()["id"].as_str().unwrap().to_owned();

    let mut agent = TestAgent::admitted(app, &token).await;
    let long_name = format!("ether\u{0}\u{1b}[31m{}", "x".repeat(400));
    deliver(
        &mut agent,
        &inventory(
            vec![
                bras(),
                olt(),
                device("cpe-lab", DeviceKind::Other, "192.0.2.7"),
            ],
            vec![
                interface("bras-gulshan-1", 1, "ether1"),
                interface("bras-gulshan-1", 7, &format!("<pppoe-{}>", RAHIM.2)),
                interface("bras-gulshan-1", 8, "<pppoe-nobody.here>"),
                interface("bras-gulshan-1", 9, &long_name),
                interface("olt-a", 100, "gpon 0/1/1"),
            ],
        ),
        1,
    )
    .await;
    // Rahim's current rate comes from the live series.
    agent
        .samples(
            1,
            now_ms(),
            vec![pppoe(RAHIM.2, 20_000_000, 5_000_000, 1_000)],
        )
        .await;

    let seen = agent_inventory(app, &noc, &agent_id).await;
    assert!(seen["received_at"].is_string(), "{seen}");
    assert_eq!(seen["agent_name"], "gulshan-pop");
    assert_eq!(seen["connected"], true);
    assert_eq!(seen["devices"].as_array().unwrap().len(), 3);
    let bras_id = device_id(app, &noc, "bras-gulshan-1").await;
    let olt_id = device_id(app, &noc, "olt-gulshan-1").await;
    let b = reported(&seen, "bras-gulshan-1");
    assert_eq!(b["kind"], "bras");
    assert_eq!(b["interface_count"], 4);
    assert_eq!(b["management_address"], "127.0.0.1:16100");
    assert!(b["gone_at"].is_null());
    assert_eq!(b["first_seen"], b["last_seen"]);
    assert_eq!(
        b["configured"],
        json!({ "id": bras_id, "name": "bras-gulshan-1", "matched_by": "name" })
    );
    let o = reported(&seen, "olt-a");
    assert_eq!(o["configured"]["id"], olt_id.as_str());
    assert_eq!(o["configured"]["matched_by"], "management_address");
    assert!(reported(&seen, "cpe-lab")["configured"].is_null());
    // Only the switch is configured but not polled.
    assert_eq!(
        seen["unreported_devices"],
        json!([{ "id": switch_id, "name": "sw-unpolled", "kind": "switch",
                 "mgmt_address": "10.9.9.9" }])
    );

    let page = interfaces(app, &noc, &bras_id, "").await;
    assert_eq!(page["device_name"], "bras-gulshan-1");
    assert_eq!(page["reported_by"]["agent_id"], agent_id.as_str());
    assert_eq!(page["reported_by"]["device_id"], "bras-gulshan-1");
    assert_eq!(page["reported_by"]["matched_by"], "name");
    assert_eq!(page["pagination"]["total"], 4);
    assert!(page["pagination"]["next_cursor"].is_null());
    let rows = page["interfaces"].as_array().unwrap();
    let indexes: Vec<i64> = rows
        .iter()
        .map(|i| i["if_index"].as_i64().unwrap())
        .collect();
    assert_eq!(indexes, [1, 7, 8, 9]);
    assert_eq!(rows[0]["speed_bps"], 1_000_000_000);
    assert!(rows[0]["subscriber"].is_null());
    let rahim = &rows[1]["subscriber"];
    assert_eq!(rahim["customer_code"], RAHIM.0);
    assert_eq!(rahim["pppoe_username"], RAHIM.2);
    assert_eq!(
        rahim["customer_id"],
        app.customer_id(RAHIM.0).await.as_str()
    );
    assert_eq!(rahim["rx_bps"], 20_000_000);
    assert_eq!(rahim["tx_bps"], 5_000_000);
    assert!(
        rows[2]["subscriber"].is_null(),
        "unknown username: {}",
        rows[2]
    );
    // Untrusted names are kept as sent (NUL aside), cut to 255 characters.
    let stored_name = rows[3]["if_name"].as_str().unwrap();
    let expected: String = long_name
        .replace('\u{0}', "\u{FFFD}")
        .chars()
        .take(255)
        .collect();
    assert_eq!(stored_name, expected);

    let olt_page = interfaces(app, &noc, &olt_id, "").await;
    assert_eq!(if_names(&olt_page), ["gpon 0/1/1"]);
    assert_eq!(olt_page["reported_by"]["matched_by"], "management_address");
    // Configured, never reported: an empty answer that says nothing polls it.
    let unpolled = interfaces(app, &noc, &switch_id, "").await;
    assert!(unpolled["reported_by"].is_null(), "{unpolled}");
    assert_eq!(unpolled["interfaces"], json!([]));

    // Read-only roles may look; billing may not; subscribers cannot use the staff API.
    let support = app.staff_token("support").await;
    agent_inventory(app, &support, &agent_id).await;
    interfaces(app, &support, &bras_id, "").await;
    let billing = app.staff_token("billing").await;
    app.get(
        &format!("{ADMIN}/agents/{agent_id}/inventory"),
        Some(&billing),
    )
    .await
    .error(403);
    app.get(
        &format!("{ADMIN}/devices/{bras_id}/interfaces"),
        Some(&billing),
    )
    .await
    .error(403);
    let customer = app.customer_token(RAHIM.0, RAHIM.1).await;
    app.get(
        &format!("{ADMIN}/agents/{agent_id}/inventory"),
        Some(&customer),
    )
    .await
    .error(401);
    app.get(
        &format!("{ADMIN}/devices/{bras_id}/interfaces"),
        Some(&customer),
    )
    .await
    .error(401);
    app.get(&format!("{ADMIN}/devices/{bras_id}/interfaces"), None)
        .await
        .error(401);
    let missing = app
        .get(
            &format!("{ADMIN}/agents/no-such-agent/inventory"),
            Some(&noc),
        )
        .await
        .error(404);
    assert!(missing.contains("agent"), "{missing}");
    let missing = app
        .get(
            &format!("{ADMIN}/devices/no-such-device/interfaces"),
            Some(&noc),
        )
        .await
        .error(404);
    assert!(missing.contains("device"), "{missing}");

    let metrics = metrics_text(app).await;
    assert_metric(
        &metrics,
        "netops_inventory_devices{agent=\"gulshan-pop\"}",
        3,
    );
    assert_metric(
        &metrics,
        "netops_inventory_interfaces{agent=\"gulshan-pop\"}",
        5,
    );

    // A revoked agent polls nothing: its devices no longer count as reported, though its last
    // report stays readable.
    app.delete(&format!("{ADMIN}/agents/{agent_id}"), Some(&noc))
        .await
        .data();
    agent.closed().await;
    let revoked = agent_inventory(app, &noc, &agent_id).await;
    assert_eq!(revoked["connected"], false);
    assert!(revoked["revoked_at"].is_string(), "{revoked}");
    let mut unreported: Vec<&str> = revoked["unreported_devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    unreported.sort_unstable();
    assert_eq!(
        unreported,
        ["bras-gulshan-1", "olt-gulshan-1", "sw-unpolled"]
    );
    let page = interfaces(app, &noc, &bras_id, "").await;
    assert!(
        page["reported_by"]["agent_revoked_at"].is_string(),
        "{page}"
    );
    assert_eq!(page["pagination"]["total"], 4);
}
both_backends!(staff_see_reported_devices_and_interfaces);

async fn a_device_left_out_is_marked_gone(app: &TestApp) {
    let (agent_id, token) = register_agent(app, "gulshan-pop").await;
    let noc = app.staff_token("noc").await;
    let bras_id = device_id(app, &noc, "bras-gulshan-1").await;
    let olt_id = device_id(app, &noc, "olt-gulshan-1").await;
    let mut agent = TestAgent::admitted(app, &token).await;
    deliver(
        &mut agent,
        &inventory(
            vec![bras(), olt()],
            vec![
                interface("bras-gulshan-1", 1, "ether1"),
                interface("bras-gulshan-1", 7, &format!("<pppoe-{}>", RAHIM.2)),
                interface("bras-gulshan-1", 8, "<pppoe-karima.gulshan>"),
                interface("olt-a", 100, "gpon 0/1/1"),
            ],
        ),
        1,
    )
    .await;
    let first = agent_inventory(app, &noc, &agent_id).await;
    let olt_first = reported(&first, "olt-a").clone();
    let bras_page = interfaces(app, &noc, &bras_id, "").await;
    let rahim_first_seen = bras_page["interfaces"][1]["first_seen"].clone();

    // The OLT is left out; on the BRAS Karima's session ended and Jamal's began.
    deliver(
        &mut agent,
        &inventory(
            vec![bras()],
            vec![
                interface("bras-gulshan-1", 1, "ether1"),
                interface("bras-gulshan-1", 7, &format!("<pppoe-{}>", RAHIM.2)),
                interface("bras-gulshan-1", 9, "<pppoe-jamal.mirpur>"),
            ],
        ),
        2,
    )
    .await;
    let second = agent_inventory(app, &noc, &agent_id).await;
    assert_eq!(second["devices"].as_array().unwrap().len(), 2, "{second}");
    assert_eq!(
        second["devices"][0]["device_id"], "bras-gulshan-1",
        "present first"
    );
    let olt_now = reported(&second, "olt-a");
    let gone_at = olt_now["gone_at"].as_str().expect("the OLT is marked gone");
    assert!(gone_at >= olt_first["last_seen"].as_str().unwrap());
    assert_eq!(olt_now["last_seen"], olt_first["last_seen"]);
    assert_eq!(olt_now["first_seen"], olt_first["first_seen"]);
    assert_eq!(olt_now["interface_count"], 1);
    let bras_now = reported(&second, "bras-gulshan-1");
    assert!(bras_now["gone_at"].is_null());
    assert!(bras_now["last_seen"].as_str() >= olt_first["last_seen"].as_str());
    let unreported: Vec<&Value> = second["unreported_devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["id"])
        .collect();
    assert_eq!(unreported, [&json!(olt_id)]);

    // The gone OLT keeps the interfaces it was last reported with, and says so.
    let olt_page = interfaces(app, &noc, &olt_id, "").await;
    assert!(olt_page["reported_by"]["gone_at"].is_string(), "{olt_page}");
    assert_eq!(if_names(&olt_page), ["gpon 0/1/1"]);
    // The BRAS has exactly its new interfaces; Rahim's kept its first sighting.
    let bras_page = interfaces(app, &noc, &bras_id, "").await;
    assert_eq!(
        if_names(&bras_page),
        [
            "ether1".to_owned(),
            format!("<pppoe-{}>", RAHIM.2),
            "<pppoe-jamal.mirpur>".to_owned()
        ]
    );
    assert_eq!(bras_page["interfaces"][1]["first_seen"], rahim_first_seen);
    assert_eq!(
        bras_page["interfaces"][2]["subscriber"]["customer_code"],
        "CUST003"
    );
    let metrics = metrics_text(app).await;
    assert_metric(
        &metrics,
        "netops_inventory_devices{agent=\"gulshan-pop\"}",
        1,
    );
    assert_metric(
        &metrics,
        "netops_inventory_interfaces{agent=\"gulshan-pop\"}",
        3,
    );

    // Reported again (after a reconnect), the OLT is back with its first sighting kept;
    // ifIndex 7 now carries another subscriber's session.
    drop(agent);
    let mut agent = TestAgent::admitted(app, &token).await;
    deliver(
        &mut agent,
        &inventory(
            vec![bras(), olt()],
            vec![
                interface("bras-gulshan-1", 7, "<pppoe-nasrin.savar>"),
                interface("olt-a", 100, "gpon 0/1/1"),
                interface("olt-a", 101, "gpon 0/1/2"),
            ],
        ),
        3,
    )
    .await;
    let third = agent_inventory(app, &noc, &agent_id).await;
    let olt_back = reported(&third, "olt-a");
    assert!(olt_back["gone_at"].is_null(), "{third}");
    assert_eq!(olt_back["first_seen"], olt_first["first_seen"]);
    assert_eq!(olt_back["interface_count"], 2);
    assert_eq!(third["unreported_devices"], json!([]));
    let bras_page = interfaces(app, &noc, &bras_id, "").await;
    assert_eq!(if_names(&bras_page), ["<pppoe-nasrin.savar>"]);
    assert_eq!(
        bras_page["interfaces"][0]["subscriber"]["customer_code"],
        "CUST004"
    );
    assert!(bras_page["interfaces"][0]["first_seen"].as_str() >= rahim_first_seen.as_str());
}
both_backends!(a_device_left_out_is_marked_gone);

/// At most five interfaces per Inventory, so the interface bound shows in a small frame.
fn five_interfaces(config: &mut control_plane::config::Config) {
    config.inventory.max_interfaces = 5;
}

async fn oversized_or_inconsistent_inventories_are_refused(app: &TestApp) {
    let (agent_id, token) = register_agent(app, "gulshan-pop").await;
    let noc = app.staff_token("noc").await;
    let bras_id = device_id(app, &noc, "bras-gulshan-1").await;
    let mut agent = TestAgent::admitted(app, &token).await;
    let good = inventory(
        vec![bras()],
        vec![
            interface("bras-gulshan-1", 1, "ether1"),
            interface("bras-gulshan-1", 2, "ether2"),
        ],
    );
    deliver(&mut agent, &good, 1).await;
    let stored = agent_inventory(app, &noc, &agent_id).await;
    let stored_page = interfaces(app, &noc, &bras_id, "").await;

    // Six interfaces, over this configuration's five.
    let six = (1..=6)
        .map(|i| interface("bras-gulshan-1", i, "ether"))
        .collect();
    agent.send(&inventory(vec![bras()], six)).await;
    let closed = agent.closed().await;
    assert_eq!(closed.code, 1009, "{closed:?}");
    assert!(
        closed.reason.contains("6 interfaces; at most 5"),
        "{closed:?}"
    );

    // 10,001 devices, over the default 10,000.
    let mut agent = TestAgent::admitted(app, &token).await;
    let many = (0..=10_000)
        .map(|i| device(&format!("d{i}"), DeviceKind::Switch, "10.0.0.1"))
        .collect();
    agent.send(&inventory(many, Vec::new())).await;
    let closed = agent.closed().await;
    assert_eq!(closed.code, 1009, "{closed:?}");
    assert!(
        closed.reason.contains("10001 devices; at most 10000"),
        "{closed:?}"
    );

    // An interface of a device the frame does not list.
    let mut agent = TestAgent::admitted(app, &token).await;
    agent
        .send(&inventory(
            vec![bras()],
            vec![interface("olt-elsewhere", 1, "gpon 0/1/1")],
        ))
        .await;
    let closed = agent.closed().await;
    assert_eq!(closed.code, 1002, "{closed:?}");
    assert!(closed.reason.contains("does not list"), "{closed:?}");

    // Nothing of the refused frames was stored.
    let after = agent_inventory(app, &noc, &agent_id).await;
    for field in ["received_at", "devices", "unreported_devices"] {
        assert_eq!(after[field], stored[field], "{field}");
    }
    assert_eq!(interfaces(app, &noc, &bras_id, "").await, stored_page);
    let metrics = metrics_text(app).await;
    assert_metric(
        &metrics,
        "netops_inventory_frames_rejected_total{reason=\"inventory_too_large\"}",
        2,
    );
    assert_metric(
        &metrics,
        "netops_inventory_frames_rejected_total{reason=\"inventory_invalid\"}",
        1,
    );
    assert_metric(
        &metrics,
        "netops_agent_frames_rejected_total{reason=\"inventory_too_large\"}",
        2,
    );
    assert_metric(
        &metrics,
        "netops_inventory_devices{agent=\"gulshan-pop\"}",
        1,
    );
}
both_backends_with!(
    oversized_or_inconsistent_inventories_are_refused,
    five_interfaces
);

async fn interfaces_are_paged_and_searched(app: &TestApp) {
    let (_, token) = register_agent(app, "gulshan-pop").await;
    let noc = app.staff_token("noc").await;
    let bras_id = device_id(app, &noc, "bras-gulshan-1").await;
    let mut agent = TestAgent::admitted(app, &token).await;
    // 45 interfaces: every third a PPPoE session, plus one name with LIKE wildcards.
    let mut listed: Vec<Interface> = (1..=44)
        .map(|i| {
            let name = if i % 3 == 0 {
                format!("<pppoe-user{i}>")
            } else {
                format!("ether{i}")
            };
            interface("bras-gulshan-1", i * 10, &name)
        })
        .collect();
    listed.push(interface("bras-gulshan-1", 5, "50%_Uplink"));
    deliver(&mut agent, &inventory(vec![bras()], listed), 1).await;

    let walk = |query: &'static str| {
        let noc = noc.clone();
        let bras_id = bras_id.clone();
        async move {
            let mut seen = Vec::new();
            let mut sizes = Vec::new();
            let mut cursor = String::new();
            for _ in 0..10 {
                let page =
                    interfaces(app, &noc, &bras_id, &format!("{query}&cursor={cursor}")).await;
                let rows = page["interfaces"].as_array().unwrap();
                sizes.push(rows.len());
                seen.extend(rows.iter().map(|r| {
                    (
                        r["if_index"].as_i64().unwrap(),
                        r["if_name"].as_str().unwrap().to_owned(),
                    )
                }));
                match page["pagination"]["next_cursor"].as_str() {
                    Some(next) => cursor = next.to_owned(),
                    None => return (seen, sizes, page["pagination"]["total"].clone()),
                }
            }
            panic!("more pages than interfaces for {query}");
        }
    };
    let (all, sizes, total) = walk("limit=20").await;
    assert_eq!(sizes, [20, 20, 5]);
    assert_eq!(total, 45);
    let indexes: Vec<i64> = all.iter().map(|(i, _)| *i).collect();
    let mut expected: Vec<i64> = (1..=44).map(|i| i * 10).collect();
    expected.insert(0, 5);
    assert_eq!(indexes, expected, "every interface once, by ifIndex");

    let (pppoe, sizes, total) = walk("limit=4&search=PPPoE").await;
    assert_eq!(total, 14);
    assert_eq!(sizes, [4, 4, 4, 2]);
    assert!(pppoe
        .iter()
        .all(|(_, name)| name.starts_with("<pppoe-user")));
    // Wildcards in the search are plain characters.
    let (wild, _, total) = walk("search=%25_").await;
    assert_eq!(total, 1);
    assert_eq!(wild[0].1, "50%_Uplink");
    let (none, _, total) = walk("search=zz").await;
    assert_eq!((none.len(), total), (0, json!(0)));

    let long_search = format!("search={}", "a".repeat(101));
    for bad in [
        "limit=0",
        "limit=101",
        "limit=ten",
        "cursor=abc",
        "cursor=-1",
        long_search.as_str(),
    ] {
        let message = app
            .get(
                &format!("{ADMIN}/devices/{bras_id}/interfaces?{bad}"),
                Some(&noc),
            )
            .await
            .error(400);
        assert!(!message.is_empty(), "{bad}");
    }
}
both_backends!(interfaces_are_paged_and_searched);
