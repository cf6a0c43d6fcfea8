//! Uplink against a healthy control plane: handshake, acknowledgements, commands, liveness.

mod uplink_support;

use std::time::Duration;

use proto::{
    Command, CommandId, CommandKind, CommandTarget, Frame, Inventory, Ping, PROTOCOL_VERSION,
};
use uplink_support::{test_config, Agent, ControlPlane, AGENT_ID, TOKEN, WAIT};

#[tokio::test]
async fn hello_then_batches_are_stored_in_order_and_acknowledged() {
    let mut control_plane = ControlPlane::start().await;
    let spool_dir = tempfile::tempdir().expect("tempdir");
    let mut agent = Agent::start(test_config(control_plane.url(), spool_dir.path()));

    let view = control_plane
        .wait_for("the agent's Hello", |v| !v.hellos.is_empty())
        .await;
    let hello = &view.hellos[0];
    assert_eq!(hello.agent_id, AGENT_ID);
    assert_eq!(hello.agent_version, "9.9.9-test");
    assert_eq!(hello.protocol_version, PROTOCOL_VERSION);
    assert_eq!(hello.token.expose_secret(), TOKEN);
    agent.wait_status("connected", |s| s.connected).await;

    for n in 0..5 {
        agent.send_samples(n).await;
    }
    let view = control_plane
        .wait_for("five batches", |v| v.batches.len() >= 5)
        .await;
    assert_eq!(view.stored(), vec![0, 1, 2, 3, 4]);
    assert!(view.in_order_per_connection());
    let last_seq = view.batches[4].batch_seq;

    let status = agent
        .wait_status("all acknowledged", |s| {
            s.acked_through_batch_seq == last_seq
        })
        .await;
    assert_eq!(status.spool.pending_batches, 0);
    assert_eq!(status.batches_acked_total, 5);
    assert!(status.frames_sent_total >= 5);
    assert_eq!(status.reconnects_total, 0);

    agent.stop().await.expect("clean stop");
    control_plane
        .wait_for("the agent's close", |v| v.closes_from_agent == 1)
        .await;
}

#[tokio::test]
async fn commands_from_the_control_plane_reach_the_executor() {
    let control_plane = ControlPlane::start().await;
    let spool_dir = tempfile::tempdir().expect("tempdir");
    let mut agent = Agent::start(test_config(control_plane.url(), spool_dir.path()));
    agent.wait_status("connected", |s| s.connected).await;

    let command = Command {
        command_id: CommandId::from_bytes([7; 16]),
        target: CommandTarget {
            device_id: "olt-1".into(),
            subscriber_key: None,
        },
        kind: CommandKind::RebootOnu,
    };
    control_plane.send_frame_to_agent(&Frame::Command(command.clone()));
    let received = tokio::time::timeout(WAIT, agent.commands.recv())
        .await
        .expect("command in time")
        .expect("command channel open");
    assert_eq!(received, command);
    agent
        .wait_status("command counted", |s| s.commands_forwarded_total == 1)
        .await;
    agent.stop().await.expect("clean stop");
}

#[tokio::test]
async fn pings_are_answered_and_an_idle_connection_is_pinged() {
    let mut control_plane = ControlPlane::start().await;
    let spool_dir = tempfile::tempdir().expect("tempdir");
    let mut config = test_config(control_plane.url(), spool_dir.path());
    config.ping_interval = Duration::from_millis(200);
    let mut agent = Agent::start(config);
    agent.wait_status("connected", |s| s.connected).await;

    control_plane.send_frame_to_agent(&Frame::Ping(Ping { nonce: 42 }));
    control_plane
        .wait_for("the agent's Pong", |v| v.pongs_from_agent.contains(&42))
        .await;
    control_plane
        .wait_for("a Ping from the idle agent", |v| v.pings_from_agent >= 2)
        .await;
    let status = agent.status();
    assert!(status.connected);
    assert_eq!(status.reconnects_total, 0);
    agent.stop().await.expect("clean stop");
}

#[tokio::test]
async fn inventory_goes_out_on_every_connection() {
    let mut control_plane = ControlPlane::start().await;
    let spool_dir = tempfile::tempdir().expect("tempdir");
    let mut agent = Agent::start(test_config(control_plane.url(), spool_dir.path()));
    agent.wait_status("connected", |s| s.connected).await;

    agent
        .send_frame(Frame::Inventory(Inventory::default()))
        .await;
    control_plane
        .wait_for("the inventory", |v| v.other_frames == ["Inventory"])
        .await;
    control_plane.drop_connection();
    control_plane
        .wait_for("the inventory again after reconnecting", |v| {
            v.connections == 2 && v.other_frames == ["Inventory", "Inventory"]
        })
        .await;
    agent.stop().await.expect("clean stop");
}

#[tokio::test]
async fn batches_numbered_below_earlier_ones_are_renumbered_not_lost() {
    let mut control_plane = ControlPlane::start().await;
    let spool_dir = tempfile::tempdir().expect("tempdir");
    let agent = Agent::start(test_config(control_plane.url(), spool_dir.path()));
    agent.send_samples(0).await;
    let stale = proto::Samples {
        batch_seq: 1,
        timestamp_ms: 1,
        entries: Vec::new(),
    };
    agent.send_frame(Frame::Samples(stale)).await;
    let view = control_plane
        .wait_for("two batches", |v| v.batches.len() >= 2)
        .await;
    assert_eq!(view.stored(), vec![0, 1]);
    assert!(view.batches[1].batch_seq > view.batches[0].batch_seq);
    agent.stop().await.expect("clean stop");
}
