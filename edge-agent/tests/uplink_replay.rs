//! Store-and-forward: the control plane is down, goes away mid-stream, or the agent restarts.

mod uplink_support;

use std::sync::atomic::Ordering;

use edge_agent::spool::SpoolConfig;
use uplink_support::{reserve_port, test_config, url_for_port, Agent, Behaviour, ControlPlane};

#[tokio::test]
async fn control_plane_down_at_start_gets_everything_once_it_is_up() {
    let port = reserve_port();
    let spool_dir = tempfile::tempdir().expect("tempdir");
    let mut agent = Agent::start(test_config(url_for_port(port), spool_dir.path()));

    for n in 0..10 {
        agent.send_samples(n).await;
    }
    let status = agent
        .wait_status("ten spooled batches and a failed attempt", |s| {
            s.spool.pending_batches == 10 && s.connect_failures_total >= 1
        })
        .await;
    assert!(!status.connected);

    let mut control_plane = ControlPlane::start_on(port).await;
    let view = control_plane
        .wait_for("the backlog", |v| v.stored().len() >= 10)
        .await;
    assert_eq!(view.stored(), (0..10).collect::<Vec<_>>());
    agent
        .wait_status("backlog acknowledged", |s| s.spool.pending_batches == 0)
        .await;

    for n in 10..15 {
        agent.send_samples(n).await;
    }
    let view = control_plane
        .wait_for("live batches", |v| v.stored().len() >= 15)
        .await;
    assert_eq!(view.stored(), (0..15).collect::<Vec<_>>());
    assert!(view.in_order_per_connection());
    assert_eq!(
        view.batches.len(),
        15,
        "nothing sent twice: {:?}",
        view.batches
    );
    agent.stop().await.expect("clean stop");
}

#[tokio::test]
async fn dropped_connection_replays_unacknowledged_batches_first() {
    let behaviour = Behaviour::default();
    // The first connection stores batches but never acknowledges them, then dies after five.
    behaviour.ack_from_connection.store(2, Ordering::SeqCst);
    behaviour.drop_after_batches.store(5, Ordering::SeqCst);
    let mut control_plane = ControlPlane::start_with(behaviour).await;
    let spool_dir = tempfile::tempdir().expect("tempdir");
    let mut agent = Agent::start(test_config(control_plane.url(), spool_dir.path()));
    agent.wait_status("connected", |s| s.connected).await;

    for n in 0..8 {
        agent.send_samples(n).await;
    }
    let view = control_plane
        .wait_for("all batches after a reconnect", |v| {
            v.connections >= 2 && v.stored().len() >= 8
        })
        .await;
    assert_eq!(view.stored(), (0..8).collect::<Vec<_>>());
    assert!(view.in_order_per_connection());
    let second: Vec<u64> = view
        .batches
        .iter()
        .filter(|b| b.connection == 2)
        .map(|b| b.timestamp_ms)
        .collect();
    assert_eq!(
        second.first(),
        Some(&0),
        "replay starts at the oldest unacknowledged batch"
    );

    agent.send_samples(8).await;
    let view = control_plane
        .wait_for("a live batch", |v| v.stored().len() >= 9)
        .await;
    assert_eq!(view.stored(), (0..9).collect::<Vec<_>>());
    let status = agent
        .wait_status("everything acknowledged", |s| s.spool.pending_batches == 0)
        .await;
    assert_eq!(status.reconnects_total, 1);
    agent.stop().await.expect("clean stop");
}

#[tokio::test]
async fn restarted_agent_replays_its_spool() {
    let port = reserve_port();
    let spool_dir = tempfile::tempdir().expect("tempdir");

    let mut first_run = Agent::start(test_config(url_for_port(port), spool_dir.path()));
    for n in 0..6 {
        first_run.send_samples(n).await;
    }
    first_run
        .wait_status("six spooled batches", |s| s.spool.pending_batches == 6)
        .await;
    first_run.stop().await.expect("clean stop");

    let mut control_plane = ControlPlane::start_on(port).await;
    let mut second_run = Agent::start(test_config(url_for_port(port), spool_dir.path()));
    second_run.send_samples(6).await;
    second_run.send_samples(7).await;
    let view = control_plane
        .wait_for("both runs' batches", |v| v.stored().len() >= 8)
        .await;
    assert_eq!(view.stored(), (0..8).collect::<Vec<_>>());
    assert!(view.in_order_per_connection());
    second_run
        .wait_status("everything acknowledged", |s| s.spool.pending_batches == 0)
        .await;
    second_run.stop().await.expect("clean stop");
}

#[tokio::test]
async fn full_spool_drops_the_oldest_batches_and_counts_them() {
    let port = reserve_port();
    let spool_dir = tempfile::tempdir().expect("tempdir");
    let mut config = test_config(url_for_port(port), spool_dir.path());
    config.spool = SpoolConfig {
        max_bytes: 4096,
        segment_bytes: 1024,
    };
    let mut agent = Agent::start(config);
    let total = 60;
    for n in 0..total {
        agent.send_samples_padded(n, 100).await;
    }
    let status = agent
        .wait_status("every batch spooled or dropped", |s| {
            s.spool.pending_batches + s.spool.dropped_batches_total == total
        })
        .await;
    let dropped = status.spool.dropped_batches_total;
    assert!(dropped > 0, "{status:?}");
    assert!(status.spool.disk_bytes <= 4096);

    let mut control_plane = ControlPlane::start_on(port).await;
    let view = control_plane
        .wait_for("the batches that fit", |v| {
            v.stored().len() as u64 >= total - dropped
        })
        .await;
    assert_eq!(
        view.stored(),
        (dropped..total).collect::<Vec<_>>(),
        "the newest survive"
    );
    agent.stop().await.expect("clean stop");
}
