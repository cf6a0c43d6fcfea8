//! End to end through every real component: a BRAS answering SNMP at a known, steady rate, the
//! edge agent polling it every second and streaming over its WebSocket, and the control plane
//! serving that rate on `/network/status`, `/network/live` and `/network/bandwidth`. Each must
//! be within ±5 % of the rate the BRAS carried. The agent's `Inventory` reaches the staff API:
//! the BRAS's `<pppoe-USER>` interface, bound to its subscriber, at the same rate.
//! be within ±5 % of the rate the BRAS carried. The demo site's OLT: its ONU optics reach the
//! subscriber and a subscriber's "reboot ONU" is confirmed by the ONU going down and up.

use std::time::{Duration, Instant};

use control_plane::config::{Config, Secret};
use futures_util::StreamExt;
use netops_snmp::simulator::SimulatedSession;
use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;

const DOWNLOAD_BPS: f64 = 30e6;
const UPLOAD_BPS: f64 = 6e6;

fn within_5_percent(got_mbps: f64, want_bps: f64) -> bool {
    (got_mbps * 1e6 - want_bps).abs() <= want_bps * 0.05
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn known_rate_reaches_the_subscriber_within_5_percent() {
    let steady = vec![SimulatedSession {
        username: "rahim.gulshan".into(),
        download_bps: DOWNLOAD_BPS,
        upload_bps: UPLOAD_BPS,
        swing: 0.0,
    }];
    let DemoStack {
        api,
        site,
        stop_tx,
        server,
        _dir,
    } = demo_stack(Some(steady)).await;

    let client = reqwest::Client::new();
    let token = customer_login(&client, api, "CUST001", "01712345678").await;

    // Status shows the rate once the agent has streamed two polls' worth.
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        let reply: Value = client
            .get(format!("http://{api}/api/v1/customer/network/status"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let rx = reply["data"]["rx_bandwidth"].as_f64().unwrap_or(0.0);
        if rx > 0.0 {
            break reply;
        }
        assert!(
            Instant::now() < deadline,
            "no rate reached /network/status: {reply}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let data = &status["data"];
    assert!(
        within_5_percent(data["rx_bandwidth"].as_f64().unwrap(), DOWNLOAD_BPS),
        "{data}"
    );
    assert!(
        within_5_percent(data["tx_bandwidth"].as_f64().unwrap(), UPLOAD_BPS),
        "{data}"
    );
    assert_eq!(data["is_online"], true);

    // Three live points in a row, each within 5 %.
    let (mut live, _) = tokio_tungstenite::connect_async(format!(
        "ws://{api}/api/v1/customer/network/live?token={token}"
    ))
    .await
    .unwrap();
    let mut points = Vec::new();
    while points.len() < 3 {
        let message = tokio::time::timeout(Duration::from_secs(10), live.next())
            .await
            .expect("a live point within 10 s")
            .expect("stream open")
            .unwrap();
        if let Message::Text(text) = message {
            let point: Value = serde_json::from_str(&text).unwrap();
            // Points before the first sample of this stream may be zero; skip those.
            if point["rx_mbps"].as_f64().unwrap_or(0.0) > 0.0 {
                points.push(point);
            }
        }
    }
    for point in &points {
        assert!(
            within_5_percent(point["rx_mbps"].as_f64().unwrap(), DOWNLOAD_BPS),
            "{point}"
        );
        assert!(
            within_5_percent(point["tx_mbps"].as_f64().unwrap(), UPLOAD_BPS),
            "{point}"
        );
    }

    // The hour chart holds the same rate (10 s points; the first may be partly empty).
    let history: Value = client
        .get(format!(
            "http://{api}/api/v1/customer/network/bandwidth?period=1h"
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let nonzero: Vec<f64> = history["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["rx_mbps"].as_f64())
        .filter(|rx| *rx > 0.0)
        .collect();
    assert!(!nonzero.is_empty(), "{history}");
    let best = nonzero.iter().cloned().fold(0.0, f64::max);
    assert!(within_5_percent(best, DOWNLOAD_BPS), "{history}");

    // The NOC sees the BRAS's interfaces as the agent reported them, Rahim's session bound to
    // him at the rate it carries.
    let noc_password = control_plane::demo::DEMO_STAFF
        .iter()
        .find(|(username, _, _)| *username == "noc")
        .map(|(_, _, password)| *password)
        .unwrap();
    let login: Value = client
        .post(format!("http://{api}/api/v1/admin/auth/login"))
        .json(&serde_json::json!({ "username": "noc", "password": noc_password }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let noc = login["data"]["token"].as_str().unwrap().to_owned();
    let devices: Value = client
        .get(format!("http://{api}/api/v1/admin/devices?kind=bras"))
        .bearer_auth(&noc)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bras_id = devices["data"]["devices"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let deadline = Instant::now() + Duration::from_secs(30);
    let session = loop {
        let page: Value = client
            .get(format!(
                "http://{api}/api/v1/admin/devices/{bras_id}/interfaces?search=pppoe-rahim"
            ))
            .bearer_auth(&noc)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if let Some(row) = page["data"]["interfaces"].get(0) {
            if row["subscriber"]["rx_bps"].as_f64().is_some() {
                assert_eq!(page["data"]["reported_by"]["matched_by"], "name", "{page}");
                break row.clone();
            }
        }
        assert!(
            Instant::now() < deadline,
            "the BRAS's PPPoE interface never reached the staff API: {page}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(session["if_name"], "<pppoe-rahim.gulshan>");
    assert_eq!(session["subscriber"]["customer_code"], "CUST001");
    let rx_mbps = session["subscriber"]["rx_bps"].as_f64().unwrap() / 1e6;
    assert!(within_5_percent(rx_mbps, DOWNLOAD_BPS), "{session}");
    // The agent and the control plane settled on protocol 2: subscribers by number.
    let metrics = client
        .get(format!("http://{api}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let frames = |frame: &str| {
        metrics
            .lines()
            .find_map(|line| {
                line.strip_prefix(&format!(
                    "netops_agent_frames_received_total{{frame=\"{frame}\"}} "
                ))
            })
            .and_then(|count| count.parse::<u64>().ok())
            .unwrap_or(0)
    };
    assert!(frames("IndexedSamples") >= 3, "{metrics}");
    assert!(frames("SubscriberKeys") >= 1, "{metrics}");
    assert_eq!(frames("Samples"), 0, "{metrics}");

    site.stop().await;
    let _ = stop_tx.send(());
    let _ = server.await;
}

struct DemoStack {
    api: std::net::SocketAddr,
    site: control_plane::demo::site::DemoSite,
    stop_tx: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<Result<(), control_plane::app::StartError>>,
    _dir: tempfile::TempDir,
}

/// The demo ISP served on loopback with its site; `sessions` replaces the BRAS's demo sessions.
async fn demo_stack(sessions: Option<Vec<SimulatedSession>>) -> DemoStack {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        jwt_secret: Some(Secret::new("e2e-secret-e2e-secret-e2e-secret-e2e!")),
        ..Config::default()
    };
    let store = control_plane::app::open_store(&config).await.unwrap();
    control_plane::demo::seed(&store).await.unwrap();
    let state = control_plane::app::build_state(&config, store.clone()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let api = listener.local_addr().unwrap();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(control_plane::app::serve(state, listener, async {
        let _ = stop_rx.await;
    }));
    let site = match sessions {
        Some(sessions) => {
            control_plane::demo::site::start_with(&store, dir.path(), api, sessions).await
        }
        None => control_plane::demo::site::start(&store, dir.path(), api).await,
    }
    .unwrap();
    DemoStack {
        api,
        site,
        stop_tx,
        server,
        _dir: dir,
    }
}

/// A subscriber's bearer token from the seed's customer login.
async fn customer_login(
    client: &reqwest::Client,
    api: std::net::SocketAddr,
    customer_code: &str,
    phone: &str,
) -> String {
    let login: Value = client
        .post(format!("http://{api}/api/v1/customer/auth/login"))
        .json(&serde_json::json!({ "customer_code": customer_code, "phone": phone }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    login["data"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("login of {customer_code} failed: {login}"))
        .to_owned()
}

async fn get_json(client: &reqwest::Client, url: String, token: &str) -> Value {
    client
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_olt_shows_onu_optics_and_confirms_an_onu_reboot() {
    let stack = demo_stack(None).await;
    let api = stack.api;
    let client = reqwest::Client::new();
    let token = customer_login(&client, api, "CUST002", "01812345679").await;

    // The seed stores -21.5 dBm for Karima's ONU; the simulated OLT reports -25.8 dBm.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let status = get_json(
            &client,
            format!("http://{api}/api/v1/customer/network/status"),
            &token,
        )
        .await;
        if status["data"]["onu_rx_power"].as_f64() == Some(-25.8) {
            assert_eq!(status["data"]["onu_status"], "online", "{status}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the OLT's reading did not reach /network/status: {status}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    let accepted: Value = client
        .post(format!("http://{api}/api/v1/customer/device/reboot-onu"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let command_id = accepted["data"]["command_id"].as_str().unwrap().to_owned();
    let deadline = Instant::now() + Duration::from_secs(60);
    let last = loop {
        let command = get_json(
            &client,
            format!("http://{api}/api/v1/customer/device/commands/{command_id}"),
            &token,
        )
        .await;
        let state = command["data"]["state"].as_str().unwrap_or("").to_owned();
        if !matches!(state.as_str(), "queued" | "sent" | "running") {
            break command;
        }
        assert!(
            Instant::now() < deadline,
            "the reboot did not finish: {command}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert_eq!(last["data"]["state"], "succeeded", "{last}");
    assert_eq!(stack.site.onu_resets_received(), 1);

    stack.site.stop().await;
    let _ = stack.stop_tx.send(());
    let _ = stack.server.await;
}
