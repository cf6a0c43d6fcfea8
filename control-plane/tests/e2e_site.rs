//! End to end through every real component: a BRAS answering SNMP at a known, steady rate, the
//! edge agent polling it every second and streaming over its WebSocket, and the control plane
//! serving that rate on `/network/status`, `/network/live` and `/network/bandwidth`. Each must
//! be within ±5 % of the rate the BRAS carried.

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
    let steady = vec![SimulatedSession {
        username: "rahim.gulshan".into(),
        download_bps: DOWNLOAD_BPS,
        upload_bps: UPLOAD_BPS,
        swing: 0.0,
    }];
    let site = control_plane::demo::site::start_with(&store, dir.path(), api, steady)
        .await
        .unwrap();

    let client = reqwest::Client::new();
    let login: Value = client
        .post(format!("http://{api}/api/v1/customer/auth/login"))
        .json(&serde_json::json!({ "customer_code": "CUST001", "phone": "01712345678" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["data"]["token"].as_str().unwrap().to_owned();

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
