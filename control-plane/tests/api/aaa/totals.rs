//! One source for a subscriber's traffic totals: RADIUS accounting while a session is open,
//! the agent's counters otherwise, never both added up.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use super::radius_api::{acct, post};
use super::{network_status, with_aaa, API_KEY};
use crate::agent_client::{now_ms, pppoe, register_agent, TestAgent};
use crate::helpers::{eventually, Backend, TestApp, RAHIM};

const WAIT: Duration = Duration::from_secs(10);

async fn accounted(app: &TestApp, body: serde_json::Value) {
    let (status, reply) = post(app, "/accounting", Some(API_KEY), body).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{reply}");
}

fn octets(download: u64, upload: u64) -> [(&'static str, serde_json::Value); 2] {
    // The NAS's output is the subscriber's download.
    [
        ("Acct-Output-Octets", json!(download)),
        ("Acct-Input-Octets", json!(upload)),
    ]
}

/// Three one-second samples of Rahim at 8 Mbps down, 2 Mbps up (1,000,000 and 250,000
/// octets a second by rate and by counter), batches `first_seq..first_seq + 3`.
async fn three_seconds(agent: &mut TestAgent, first_seq: u64) {
    let now = now_ms() / 1_000 * 1_000;
    for (i, seq) in (first_seq..first_seq + 3).enumerate() {
        let i = i as u64;
        let entries = vec![pppoe(RAHIM.2, 8_000_000, 2_000_000, seq * 1_000_000)];
        assert_eq!(
            agent.samples(seq, now - (3 - i) * 1_000, entries).await,
            seq
        );
    }
}

async fn accounting_is_the_one_source_while_a_session_is_open(app: &mut TestApp) {
    let (_, token) = register_agent(app, "gulshan-pop").await;
    let before = network_status(app, RAHIM.0, RAHIM.1).await;
    assert_eq!(before["total_download"], 0, "{before}");

    accounted(app, acct("Start", "T1", &[])).await;
    let mut agent = TestAgent::admitted(app, &token).await;
    three_seconds(&mut agent, 1).await;
    eventually("the agent's rate in the status", WAIT, || async {
        (network_status(app, RAHIM.0, RAHIM.1).await["rx_bandwidth"] == 8).then_some(())
    })
    .await;
    let [down, up] = octets(5_000_000, 1_000_000);
    accounted(app, acct("Interim-Update", "T1", &[down, up])).await;
    let status = network_status(app, RAHIM.0, RAHIM.1).await;
    assert_eq!(status["total_download"], 5_000_000, "{status}");
    assert_eq!(status["total_upload"], 1_000_000, "{status}");

    // A stop writes what ingest holds: the agent's octets of the open session are not added.
    drop(agent);
    app.restart().await;
    let status = network_status(app, RAHIM.0, RAHIM.1).await;
    assert_eq!(status["total_download"], 5_000_000, "{status}");
    assert_eq!(status["total_upload"], 1_000_000, "{status}");

    // The session ends with its final octets; from then on the agent's counters count.
    let [down, up] = octets(6_000_000, 1_500_000);
    accounted(app, acct("Stop", "T1", &[down, up])).await;
    let status = network_status(app, RAHIM.0, RAHIM.1).await;
    assert_eq!(status["total_download"], 6_000_000, "{status}");
    let mut agent = TestAgent::admitted(app, &token).await;
    three_seconds(&mut agent, 4).await;
    eventually("the agent's octets after the session", WAIT, || async {
        let status = network_status(app, RAHIM.0, RAHIM.1).await;
        (status["total_download"] == 9_000_000 && status["total_upload"] == 2_250_000).then_some(())
    })
    .await;
    drop(agent);
    app.restart().await;
    let status = network_status(app, RAHIM.0, RAHIM.1).await;
    assert_eq!(status["total_download"], 9_000_000, "{status}");
    assert_eq!(status["total_upload"], 2_250_000, "{status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn accounting_is_the_one_source_while_a_session_is_open_sqlite() {
    if let Some(mut app) = TestApp::spawn_with(Backend::Sqlite, with_aaa).await {
        accounting_is_the_one_source_while_a_session_is_open(&mut app).await;
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn accounting_is_the_one_source_while_a_session_is_open_postgres() {
    if let Some(mut app) = TestApp::spawn_with(Backend::Postgres, with_aaa).await {
        accounting_is_the_one_source_while_a_session_is_open(&mut app).await;
        app.stop().await;
    }
}
