//! Uplink against a healthy control plane: handshake, acknowledgements, commands, liveness.

mod uplink_support;

use std::time::Duration;

use proto::{
    Command, CommandId, CommandKind, CommandTarget, Frame, Inventory, Ping, PROTOCOL_VERSION,
};
use uplink_support::{test_config, Agent, Behaviour, ControlPlane, AGENT_ID, TOKEN, WAIT};

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

/// A control plane of protocol version 2 gets batches by subscriber number, each key once per
/// connection; one of version 1 gets them by key. Both read the same batches.
#[tokio::test]
async fn batches_go_by_number_to_version_2_and_by_key_to_version_1() {
    for (max_version, frame, numbered) in
        [(PROTOCOL_VERSION, "IndexedSamples", 3), (1, "Samples", 0)]
    {
        let behaviour = Behaviour::default();
        behaviour
            .max_protocol_version
            .store(max_version.into(), std::sync::atomic::Ordering::SeqCst);
        let mut control_plane = ControlPlane::start_with(behaviour).await;
        let spool_dir = tempfile::tempdir().expect("tempdir");
        let mut agent = Agent::start(test_config(control_plane.url(), spool_dir.path()));
        agent.wait_status("connected", |s| s.connected).await;
        for n in 0..3 {
            agent.send_samples(n).await;
        }
        // Batch 3 names a subscriber of batch 1 again.
        agent.send_samples(1).await;
        let view = control_plane
            .wait_for("four batches", |v| v.batches.len() >= 4)
            .await;
        assert!(view.batches.iter().all(|b| b.frame == frame), "{view:#?}");
        assert_eq!(
            view.subscribers_numbered, numbered,
            "each key numbered once"
        );
        let subscribers: Vec<(u64, String)> = view
            .batches
            .iter()
            .flat_map(|b| {
                b.entries
                    .iter()
                    .map(|e| (e.rx_bps, e.subscriber_key.to_string()))
            })
            .collect();
        assert_eq!(
            subscribers,
            [
                (0, "pppoe:sub0".to_owned()),
                (1_000, "pppoe:sub1".to_owned()),
                (2_000, "pppoe:sub2".to_owned()),
                (1_000, "pppoe:sub1".to_owned()),
            ],
            "protocol {max_version}"
        );
        agent.stop().await.expect("clean stop");
        control_plane.stop().await;
    }
}

/// A BRAS whose PPPoE interfaces do not fit one frame.
fn large_inventory() -> Inventory {
    Inventory {
        devices: vec![proto::Device {
            device_id: "bras-1".into(),
            kind: proto::DeviceKind::Bras,
            profile: "mikrotik-pppoe-bras".into(),
            management_address: "127.0.0.1".into(),
        }],
        interfaces: (1..=100_000)
            .map(|if_index| proto::Interface {
                device_id: "bras-1".into(),
                if_index,
                if_name: format!("<pppoe-subscriber-{if_index:07}.gulshan>"),
                speed_bps: None,
            })
            .collect(),
        subscriber_keys: Vec::new(),
    }
}

/// An inventory over the frame limit goes as `InventoryChunk`s to a control plane of protocol
/// version 3; one of version 2 cannot take it, so nothing of it goes and the loss is counted.
#[tokio::test]
async fn an_inventory_over_the_frame_limit_goes_in_chunks_from_version_3() {
    let large = large_inventory();
    assert!(proto::encode_frame(&Frame::Inventory(large.clone())).is_err());
    let chunks = proto::split_inventory(&large, 1, proto::MAX_FRAME_BYTES)
        .unwrap()
        .len();
    assert!(chunks >= 2, "{chunks} chunks");
    for max_version in [PROTOCOL_VERSION, 2] {
        let behaviour = Behaviour::default();
        behaviour
            .max_protocol_version
            .store(max_version.into(), std::sync::atomic::Ordering::SeqCst);
        let mut control_plane = ControlPlane::start_with(behaviour).await;
        let spool_dir = tempfile::tempdir().expect("tempdir");
        let mut agent = Agent::start(test_config(control_plane.url(), spool_dir.path()));
        agent.wait_status("connected", |s| s.connected).await;
        agent.send_frame(Frame::Inventory(large.clone())).await;
        if max_version >= 3 {
            let view = control_plane
                .wait_for("every chunk", |v| v.other_frames.len() >= chunks)
                .await;
            assert_eq!(view.other_frames, vec!["InventoryChunk"; chunks]);
        } else {
            agent
                .wait_status("the inventory counted as lost", |s| {
                    s.frames_lost_total >= 1
                })
                .await;
            // A small inventory after it goes as one frame, and is the only one sent.
            agent
                .send_frame(Frame::Inventory(Inventory::default()))
                .await;
            let view = control_plane
                .wait_for("the small inventory", |v| !v.other_frames.is_empty())
                .await;
            assert_eq!(view.other_frames, ["Inventory"]);
        }
        agent.stop().await.expect("clean stop");
        control_plane.stop().await;
    }
}
