//! Uplink against a misbehaving control plane: garbage, silence, refusals, slow handshakes.

mod uplink_support;

use std::sync::atomic::Ordering;
use std::time::Duration;

use edge_agent::uplink::{self, ControlPlaneUrl, UplinkError, UplinkStatus};
use proto::{AgentToken, Frame, HelloAck};
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Message;
use uplink_support::{test_config, Agent, Behaviour, ControlPlane, WAIT};

#[tokio::test]
async fn garbage_from_the_control_plane_makes_the_agent_reconnect() {
    let mut control_plane = ControlPlane::start().await;
    let spool_dir = tempfile::tempdir().expect("tempdir");
    let mut agent = Agent::start(test_config(control_plane.url(), spool_dir.path()));
    agent.wait_status("connected", |s| s.connected).await;
    agent.send_samples(0).await;
    control_plane
        .wait_for("one batch", |v| v.batches.len() == 1)
        .await;

    control_plane.send_to_agent(Message::binary(vec![0xFF, 0xFF, 0x01, 0x02]));
    control_plane
        .wait_for("a new connection", |v| v.connections == 2)
        .await;
    let status = agent
        .wait_status("garbage counted", |s| s.undecodable_frames_total == 1)
        .await;
    assert!(agent.is_running());
    assert_eq!(status.undecodable_frames_total, 1);

    agent.send_samples(1).await;
    let view = control_plane
        .wait_for("the next batch", |v| v.stored().len() == 2)
        .await;
    assert_eq!(view.stored(), vec![0, 1]);
    agent.stop().await.expect("clean stop");
}

#[tokio::test]
async fn unexpected_frames_and_text_are_counted_and_ignored() {
    let mut control_plane = ControlPlane::start().await;
    let spool_dir = tempfile::tempdir().expect("tempdir");
    let mut agent = Agent::start(test_config(control_plane.url(), spool_dir.path()));
    agent.wait_status("connected", |s| s.connected).await;

    control_plane.send_frame_to_agent(&Frame::HelloAck(HelloAck {
        accepted_version: 1,
        server_time_ms: 0,
    }));
    control_plane.send_to_agent(Message::text("hello?"));
    // A frame tag from a newer protocol: ignored, the connection stays.
    control_plane.send_to_agent(Message::binary(vec![1, 0, 200, 0]));
    agent
        .wait_status("three oddities counted", |s: &UplinkStatus| {
            s.unexpected_frames_total == 2 && s.undecodable_frames_total == 1
        })
        .await;
    agent.send_samples(0).await;
    let view = control_plane
        .wait_for("a batch", |v| v.batches.len() == 1)
        .await;
    assert_eq!(view.connections, 1);
    agent.stop().await.expect("clean stop");
}

#[tokio::test]
async fn control_plane_closing_the_connection_is_survived() {
    let mut control_plane = ControlPlane::start().await;
    let spool_dir = tempfile::tempdir().expect("tempdir");
    let mut agent = Agent::start(test_config(control_plane.url(), spool_dir.path()));
    agent.wait_status("connected", |s| s.connected).await;

    for round in 0..3u64 {
        control_plane.send_to_agent(Message::Close(None));
        control_plane
            .wait_for("the agent back", |v| v.connections == round + 2)
            .await;
        agent
            .wait_status("connected again", |s| {
                s.connected && s.reconnects_total == round + 1
            })
            .await;
    }
    agent.send_samples(0).await;
    control_plane
        .wait_for("a batch", |v| v.batches.len() == 1)
        .await;
    agent.stop().await.expect("clean stop");
}

#[tokio::test]
async fn silent_control_plane_is_declared_dead() {
    let mut control_plane = ControlPlane::start().await;
    let spool_dir = tempfile::tempdir().expect("tempdir");
    let mut config = test_config(control_plane.url(), spool_dir.path());
    config.ping_interval = Duration::from_millis(150);
    let mut agent = Agent::start(config);
    agent.wait_status("connected", |s| s.connected).await;

    control_plane
        .behaviour()
        .silent
        .store(true, Ordering::SeqCst);
    control_plane
        .wait_for("a reconnect after unanswered pings", |v| v.connections >= 2)
        .await;
    control_plane
        .behaviour()
        .silent
        .store(false, Ordering::SeqCst);
    agent.send_samples(0).await;
    let view = control_plane
        .wait_for("a batch", |v| !v.stored().is_empty())
        .await;
    assert_eq!(view.stored(), vec![0]);
    agent.stop().await.expect("clean stop");
}

#[tokio::test]
async fn unanswered_hello_times_out_and_is_retried() {
    let behaviour = Behaviour::default();
    behaviour.hello_from_connection.store(3, Ordering::SeqCst);
    let mut control_plane = ControlPlane::start_with(behaviour).await;
    let spool_dir = tempfile::tempdir().expect("tempdir");
    let mut config = test_config(control_plane.url(), spool_dir.path());
    config.hello_timeout = Duration::from_millis(200);
    let mut agent = Agent::start(config);
    agent.send_samples(0).await;

    let status = agent
        .wait_status("connected on the third try", |s| s.connected)
        .await;
    assert_eq!(status.connect_failures_total, 2);
    let view = control_plane
        .wait_for("the batch", |v| v.stored() == [0])
        .await;
    assert_eq!(view.hellos.len(), 3);
    agent.stop().await.expect("clean stop");
}

#[tokio::test]
async fn wrong_token_is_refused_and_retried_without_giving_up() {
    let mut control_plane = ControlPlane::start().await;
    let spool_dir = tempfile::tempdir().expect("tempdir");
    let mut config = test_config(control_plane.url(), spool_dir.path());
    config.token = AgentToken::new("wrong");
    let mut agent = Agent::start(config);
    agent
        .wait_status("refusals counted", |s| s.connect_failures_total >= 3)
        .await;
    assert!(control_plane.view().hellos.len() >= 3);
    control_plane
        .wait_for("no batches", |v| v.batches.is_empty())
        .await;
    assert!(agent.is_running());
    agent.stop().await.expect("clean stop");
}

#[tokio::test]
async fn wss_url_to_a_plain_control_plane_fails_and_retries() {
    // The control plane speaks plain WebSocket, so the TLS handshake is what fails.
    let control_plane = ControlPlane::start().await;
    let plain = control_plane.url().to_string();
    let url = ControlPlaneUrl::parse(&plain.replacen("ws://", "wss://", 1)).expect("url");
    let spool_dir = tempfile::tempdir().expect("tempdir");
    let mut agent = Agent::start(test_config(url, spool_dir.path()));
    let status = agent
        .wait_status("TLS failures counted", |s| s.connect_failures_total >= 2)
        .await;
    assert!(!status.connected);
    assert!(agent.is_running());
    assert!(control_plane.view().hellos.is_empty());
    agent.stop().await.expect("clean stop");
}

#[tokio::test]
async fn wss_url_with_an_unusable_ca_file_stops_with_a_clear_error() {
    let url = ControlPlaneUrl::parse("wss://127.0.0.1:9").expect("url");
    let spool_dir = tempfile::tempdir().expect("tempdir");
    let mut config = test_config(url, spool_dir.path());
    config.ca_file = Some(spool_dir.path().join("missing-ca.pem"));
    let (_frames_tx, frames) = mpsc::channel(1);
    let (commands, _commands_rx) = mpsc::channel(1);
    let (status, _status_rx) = watch::channel(UplinkStatus::default());
    let run = uplink::run(config, frames, commands, status, std::future::pending());
    let result = tokio::time::timeout(WAIT, run)
        .await
        .expect("stops in time");
    match result {
        Err(error @ UplinkError::Tls { .. }) => {
            let text = format!(
                "{error}: {}",
                std::error::Error::source(&error).expect("cause")
            );
            assert!(text.contains("wss://127.0.0.1:9"), "{text}");
            assert!(text.contains("ca_file"), "{text}");
        }
        other => panic!("expected a TLS setup error, got {other:?}"),
    }
}

#[tokio::test]
async fn invalid_configuration_lists_every_problem() {
    let spool_dir = tempfile::tempdir().expect("tempdir");
    let mut config = test_config(uplink_support::url_for_port(9), spool_dir.path());
    config.agent_id = String::new();
    config.ping_interval = Duration::ZERO;
    let (_frames_tx, frames) = mpsc::channel(1);
    let (commands, _commands_rx) = mpsc::channel(1);
    let (status, _status_rx) = watch::channel(UplinkStatus::default());
    let result = uplink::run(config, frames, commands, status, std::future::pending()).await;
    match result {
        Err(UplinkError::InvalidConfig { problems }) => {
            assert_eq!(problems.len(), 2, "{problems:?}")
        }
        other => panic!("expected InvalidConfig, got {other:?}"),
    }
}
