//! The rate lab through the whole system: traffic shaped with `tc` to a known rate and sent with
//! iperf3 across a veth pair between two network namespaces this test creates; net-snmp `snmpd`
//! in the device namespace answers IF-MIB for its end of the pair; the real edge agent polls it
//! every second and streams to a real control plane; the subscriber whose line is that port (a
//! leased-line customer bound by device and ifName, as staff bind one) sees the rate on
//! `/network/live` and `/network/bandwidth?period=1h` within ±5 %.
//!
//! The control plane, the agent and the HTTP client run on a thread that entered the device
//! namespace (`setns`), so they reach snmpd on that namespace's loopback and nothing leaves it.
//! Needs root, `ip netns`, `tc`, iperf3 and snmpd; skips with a note without them, fails when
//! `NETOPS_LAB_REQUIRED=1`.

#[path = "../../drivers/snmp/tests/lab/mod.rs"]
mod lab;
mod system;

use std::time::{Duration, Instant};

use lab::shaped_link::{ShapedLink, Side};
use serde_json::json;
use system::{within, ControlPlane, LiveStream};

const SHAPED_BPS: f64 = 20e6;
const TOLERANCE: f64 = 0.05;
/// The switch's name in the agent's configuration and in the control plane's device list.
const SWITCH: &str = "sw-rate-lab";
const CUSTOMER: (&str, &str) = ("LAB001", "01555000777");

#[test]
fn shaped_rate_reaches_the_port_subscriber_within_5_percent() {
    let test = "shaped_rate_reaches_the_port_subscriber_within_5_percent";
    if let Some(reason) = lab::shaped_link::link_missing() {
        lab::skip_or_fail(test, &reason);
        return;
    }
    let mut link = ShapedLink::create("rl");
    // What leaves the device's port towards the subscriber (their download) is shaped.
    link.shape(Side::Device, "20mbit");
    let Some(snmpd) = lab::LabSnmpd::start_in_netns(test, &link.device_ns, "127.0.0.1") else {
        return;
    };
    // Twice the shaped rate offered for a bounded 40 s; the shaper drops the excess.
    link.send_udp(Side::Device, "40M", 40);
    link.wait_for_traffic(
        Side::Device,
        (SHAPED_BPS / 8.0) as u64,
        Duration::from_secs(5),
    );
    let snmp_endpoint = snmpd.endpoint.clone();
    let port = link.device_veth.clone();
    inside_namespace(&link.device_ns, move || {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(whole_system(snmp_endpoint, port));
    });
    drop(snmpd);
    drop(link);
}

/// Runs `body` on a thread inside network namespace `ns`; threads it starts are inside too.
fn inside_namespace(ns: &str, body: impl FnOnce() + Send + 'static) {
    let namespace = std::fs::File::open(format!("/run/netns/{ns}"))
        .unwrap_or_else(|e| panic!("open /run/netns/{ns}: {e}"));
    let thread = std::thread::spawn(move || {
        nix::sched::setns(&namespace, nix::sched::CloneFlags::CLONE_NEWNET)
            .expect("enter the device namespace");
        body();
    });
    if let Err(panic) = thread.join() {
        std::panic::resume_unwind(panic);
    }
}

async fn whole_system(snmp_endpoint: String, port: String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = system::config(dir.path());
    let store = control_plane::app::open_store(&config)
        .await
        .expect("store");
    control_plane::demo::seed(&store).await.expect("seed");
    let control_plane = ControlPlane::start(&config, &store).await;
    let api = control_plane.api;
    let client = system::http_client();

    // Staff register the switch, the customer on its port and the site's agent.
    let admin = system::staff_token(&client, api, "admin").await;
    let post = |path: &str, body: serde_json::Value| {
        client
            .post(format!("http://{api}/api/v1/admin{path}"))
            .bearer_auth(&admin)
            .json(&body)
            .send()
    };
    let sites = client
        .get(format!("http://{api}/api/v1/admin/sites"))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("sites");
    let site_id = system::data(sites).await["sites"][0]["id"]
        .as_str()
        .expect("demo site")
        .to_owned();
    let switch = system::data(
        post(
            "/devices",
            json!({ "site_id": site_id, "name": SWITCH, "kind": "switch", "mgmt_address": snmp_endpoint }),
        )
        .await
        .expect("device"),
    )
    .await;
    system::data(
        post(
            "/customers",
            json!({
                "name": "Rate Lab Leased Line", "customer_code": CUSTOMER.0, "phone": CUSTOMER.1,
                "attachment": { "port_device_id": switch["id"], "port_if_name": port }
            }),
        )
        .await
        .expect("customer"),
    )
    .await;
    let registered = system::data(
        post(
            "/agents",
            json!({ "name": "rate-lab-site", "site_id": site_id }),
        )
        .await
        .expect("agent"),
    )
    .await;
    let agent_token = registered["token"].as_str().expect("token");

    let profiles = lab::workspace_root().join("config").join("profiles");
    let agent_config = dir.path().join("edge-agent.toml");
    std::fs::write(
        &agent_config,
        format!(
            "profiles_dir = \"{}\"\n\
             [agent]\nid = \"rate-lab-site\"\n\
             [control_plane]\nurl = \"ws://{api}/api/v1/agent/ws\"\ntoken = \"{agent_token}\"\n\
             [spool]\ndir = \"spool\"\n\
             [metrics]\nlisten = \"127.0.0.1:0\"\n\
             [[devices]]\nname = \"{SWITCH}\"\naddress = \"{snmp_endpoint}\"\nkind = \"switch\"\n\
             profile = \"generic-if-mib\"\nsnmp = {{ version = \"2c\", community = \"{}\" }}\n",
            profiles.display(),
            lab::COMMUNITY
        ),
    )
    .expect("agent configuration");
    let agent_config = edge_agent::config::load_config(&agent_config).expect("agent config");
    let (stop_agent, agent_stopped) = tokio::sync::watch::channel(false);
    let agent = tokio::spawn(edge_agent::agent::run_agent(agent_config, agent_stopped));

    // The subscriber's app: the live stream first, then the hour chart.
    let token = system::customer_token(&client, api, CUSTOMER.0, CUSTOMER.1).await;
    let mut live = LiveStream::open(api, &token).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut points = Vec::new();
    while points.len() < 5 {
        assert!(
            Instant::now() < deadline,
            "five live points with traffic within 20 s; got {points:?}"
        );
        let (point, _) = live.next(Duration::from_secs(10)).await;
        // Zero points come while the agent has not reported the port yet.
        if point.rx_bps > 0.0 {
            points.push(point);
        }
    }
    eprintln!("live points (b/s): {points:?}; shaped {SHAPED_BPS} b/s");
    // One second alone carries its poll's scheduling jitter on a busy machine (an answer read
    // late lengthens one interval and shortens the next), so the middle of five seconds counts.
    let mut downloads: Vec<f64> = points.iter().map(|p| p.rx_bps).collect();
    downloads.sort_by(f64::total_cmp);
    assert!(
        within(downloads[2], SHAPED_BPS, TOLERANCE),
        "live download {} b/s (median) is not within 5 % of the shaped {SHAPED_BPS} b/s: \
         {points:?}",
        downloads[2]
    );
    for point in &points {
        // Nothing flows the other way but iperf3's control connection.
        assert!(point.tx_bps < SHAPED_BPS * TOLERANCE, "{points:?}");
    }

    let chart = system::hour_chart(&client, api, &token).await;
    eprintln!("hour chart (b/s): {chart:?}");
    assert!(!chart.is_empty(), "no points in the hour chart");
    for point in &chart {
        assert!(
            within(point.rx_bps, SHAPED_BPS, TOLERANCE),
            "chart download {} b/s is not within 5 % of the shaped {SHAPED_BPS} b/s: {chart:?}",
            point.rx_bps
        );
    }
    // Another subscriber sees none of it.
    let rahim = system::customer_token(&client, api, system::RAHIM.0, system::RAHIM.1).await;
    assert!(system::hour_chart(&client, api, &rahim).await.is_empty());

    let _ = stop_agent.send(true);
    agent
        .await
        .expect("agent task")
        .expect("agent stopped cleanly");
    control_plane.stop().await;
    store.close().await;
}
