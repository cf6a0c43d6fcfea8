//! The agent's device side against a real snmpd: one Samples frame per second with monotonic
//! batch_seq, Inventory, and an unreachable device that fails without stopping the other.

#[path = "../../drivers/snmp/tests/lab/mod.rs"]
mod lab;

use std::path::Path;
use std::time::Duration;

use edge_agent::config::parse_config;
use edge_agent::metrics::AgentMetrics;
use edge_agent::run::run_device_side;
use proto::{Frame, SubscriberKey};
use tokio::sync::{mpsc, watch};

fn config_text(good: &str, dead: &str) -> String {
    let profiles = lab::workspace_root().join("config").join("profiles");
    format!(
        r#"
profiles_dir = "{profiles}"
[agent]
id = "lab"
[control_plane]
url = "ws://127.0.0.1:1/agent"
token = "lab-token"
[spool]
dir = "spool"
[[devices]]
name = "lab-snmpd"
address = "{good}"
timeout_ms = 500
snmp = {{ version = "3", user = "{user}", auth_password = "{auth}", priv_password = "{privacy}" }}
[[devices]]
name = "dead"
address = "{dead}"
timeout_ms = 200
retries = 0
snmp = {{ version = "2c", community = "netops-lab" }}
"#,
        profiles = profiles.display(),
        user = lab::V3_USER,
        auth = lab::V3_AUTH,
        privacy = lab::V3_PRIV,
    )
}

#[tokio::test]
async fn one_samples_frame_per_second_while_a_dead_device_fails() {
    let test = "one_samples_frame_per_second_while_a_dead_device_fails";
    let Some(snmpd) = lab::LabSnmpd::start(test) else {
        return;
    };
    let dead = format!("127.0.0.1:{}", lab::unused_udp_port());
    let config = parse_config(&config_text(&snmpd.endpoint, &dead), Path::new("/tmp"))
        .expect("valid configuration");
    let metrics = AgentMetrics::new().expect("metrics");
    let (frames_tx, mut frames_rx) = mpsc::channel(64);
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let side = run_device_side(&config, frames_tx, metrics.clone(), shutdown_rx)
        .await
        .expect("device side starts");
    let mut samples = Vec::new();
    let mut inventory = None;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(6);
    while samples.len() < 3 && tokio::time::Instant::now() < deadline {
        match tokio::time::timeout_at(deadline, frames_rx.recv()).await {
            Ok(Some(Frame::Samples(batch))) => samples.push(batch),
            Ok(Some(Frame::Inventory(found))) => inventory = Some(found),
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => break,
        }
    }
    let _ = shutdown_tx.send(true);
    tokio::time::timeout(Duration::from_secs(5), side.join())
        .await
        .expect("device side stops after shutdown");

    assert!(samples.len() >= 3, "only {} batches", samples.len());
    for pair in samples.windows(2) {
        assert_eq!(pair[1].batch_seq, pair[0].batch_seq + 1);
        assert!(pair[1].timestamp_ms > pair[0].timestamp_ms, "{pair:?}");
    }
    let lo = SubscriberKey::Port {
        device: "lab-snmpd".into(),
        if_name: "lo".into(),
    };
    assert!(samples
        .iter()
        .all(|batch| batch.entries.iter().any(|entry| entry.subscriber_key == lo)));
    let inventory = inventory.expect("an Inventory frame");
    assert_eq!(inventory.devices.len(), 1, "{inventory:?}");
    assert_eq!(inventory.devices[0].profile, "generic-if-mib");
    assert!(inventory.subscriber_keys.contains(&lo));
    let rendered = metrics.render();
    assert!(
        rendered.contains("netops_agent_poll_errors_total{device=\"dead\",kind=\"timeout\"}"),
        "{rendered}"
    );
    assert!(rendered.contains("netops_agent_poll_latency_seconds_count{device=\"lab-snmpd\"}"));
}
