//! Agent ingest end to end: a synthetic agent streams Samples, and the subscriber API shows
//! them; replays are acknowledged and ignored, across reconnects and control-plane restarts.

use std::time::Duration;

use proto::{PonPort, SampleEntry, SubscriberKey};
use serde_json::Value;

use crate::agent_client::{now_ms, numbered, pppoe, register_agent, TestAgent};
use crate::both_backends;
use crate::helpers::{assert_metric, eventually, TestApp, KARIMA, RAHIM};

const API: &str = "/api/v1/customer";
const WAIT: Duration = Duration::from_secs(10);

async fn status(app: &TestApp, token: &str) -> Value {
    app.get(&format!("{API}/network/status"), Some(token))
        .await
        .data()
        .clone()
}

async fn samples_show_in_status_and_last_hour(app: &TestApp) {
    let (_, token) = register_agent(app, "gulshan-pop").await;
    let rahim = app.customer_token(RAHIM.0, RAHIM.1).await;
    let karima = app.customer_token(KARIMA.0, KARIMA.1).await;
    let mut agent = TestAgent::admitted(app, &token).await;
    let now = now_ms() / 1_000 * 1_000;
    for (seq, back_secs) in [(1u64, 3u64), (2, 2), (3, 1)] {
        let entries = vec![
            pppoe(RAHIM.2, 20_000_000, 5_000_000, seq * 2_500_000),
            // Karima by her ONU (demo OLT, PON 0/1/1, ONU 2).
            SampleEntry {
                subscriber_key: SubscriberKey::Onu {
                    olt: "olt-gulshan-1".into(),
                    pon: PonPort {
                        frame: 0,
                        slot: 1,
                        port: 1,
                    },
                    onu_id: 2,
                },
                rx_bps: 3_000_000,
                tx_bps: 1_000_000,
                rx_octets_total: 0,
                tx_octets_total: 0,
            },
            pppoe("nobody.here", 1, 1, 1),
        ];
        assert_eq!(
            agent.samples(seq, now - back_secs * 1_000, entries).await,
            seq
        );
    }
    let s = eventually("Rahim's rate in /network/status", WAIT, || async {
        let s = status(app, &rahim).await;
        (s["rx_bandwidth"] == 20).then_some(s)
    })
    .await;
    assert_eq!(s["is_online"], true);
    assert_eq!(s["tx_bandwidth"], 5);
    let k = status(app, &karima).await;
    assert_eq!(k["rx_bandwidth"], 3, "ONU keys map too: {k}");

    let hour = app
        .get(&format!("{API}/network/bandwidth?period=1h"), Some(&rahim))
        .await;
    let points = hour.data().as_array().unwrap().clone();
    assert!(
        !points.is_empty() && points.len() <= 2,
        "10 s points: {points:?}"
    );
    for point in &points {
        assert_eq!(point["rx_mbps"], 20, "{points:?}");
        assert_eq!(point["tx_mbps"], 5);
        assert!(point["timestamp"].as_str().unwrap().ends_with('Z'));
    }
    let metrics = crate::helpers::metrics_text(app).await;
    assert_metric(&metrics, "netops_ingest_samples_total", 6);
    assert_metric(&metrics, "netops_ingest_unknown_subscriber_keys_total", 3);
    assert_metric(&metrics, "netops_agents_connected", 1);
    assert_metric(
        &metrics,
        "netops_agent_frames_received_total{frame=\"Samples\"}",
        3,
    );
    assert_metric(&metrics, "netops_ingest_lag_seconds_count", 3);
}
both_backends!(samples_show_in_status_and_last_hour);

fn karima_onu() -> SubscriberKey {
    // Karima's ONU on the demo OLT: PON 0/1/1, ONU 2.
    SubscriberKey::Onu {
        olt: "olt-gulshan-1".into(),
        pon: PonPort {
            frame: 0,
            slot: 1,
            port: 1,
        },
        onu_id: 2,
    }
}

/// Protocol version 2: subscribers numbered once per connection, batches by number. Each
/// customer sees their own rates; a replay numbered differently on a new connection is still
/// recognised and ignored, and new batches land on the right customers.
async fn numbered_subscribers_show_in_status(app: &TestApp) {
    let (_, token) = register_agent(app, "gulshan-pop").await;
    let rahim = app.customer_token(RAHIM.0, RAHIM.1).await;
    let karima = app.customer_token(KARIMA.0, KARIMA.1).await;
    let mut agent = TestAgent::admitted(app, &token).await;
    agent
        .number(
            0,
            vec![
                SubscriberKey::PppoeUsername(RAHIM.2.into()),
                SubscriberKey::PppoeUsername("nobody.here".into()),
            ],
        )
        .await;
    agent.number(2, vec![karima_onu()]).await;
    let now = now_ms() / 1_000 * 1_000;
    let batch = |rahim_rx: u64, karima_rx: u64, seq: u64| {
        vec![
            numbered(0, rahim_rx, 4_000_000, seq * 2_500_000),
            numbered(1, 1, 1, 1),
            numbered(2, karima_rx, 1_000_000, 0),
        ]
    };
    assert_eq!(
        agent
            .indexed_samples(1, now - 3_000, batch(30_000_000, 6_000_000, 1))
            .await,
        1
    );
    assert_eq!(
        agent
            .indexed_samples(2, now - 2_000, batch(30_000_000, 6_000_000, 2))
            .await,
        2
    );
    let s = eventually("Rahim's rate in /network/status", WAIT, || async {
        let s = status(app, &rahim).await;
        (s["rx_bandwidth"] == 30).then_some(s)
    })
    .await;
    assert_eq!(s["tx_bandwidth"], 4);
    assert_eq!(s["is_online"], true);
    let k = status(app, &karima).await;
    assert_eq!(
        (k["rx_bandwidth"].clone(), k["tx_bandwidth"].clone()),
        (6.into(), 1.into()),
        "{k}"
    );

    // A new connection numbers afresh, here in another order; the replay of batch 2 is a
    // duplicate and batch 3 lands on the right customers.
    drop(agent);
    let mut agent = TestAgent::admitted(app, &token).await;
    agent
        .number(
            0,
            vec![karima_onu(), SubscriberKey::PppoeUsername(RAHIM.2.into())],
        )
        .await;
    let swapped = |rahim_rx: u64, karima_rx: u64, seq: u64| {
        vec![
            numbered(1, rahim_rx, 4_000_000, seq * 2_500_000),
            numbered(0, karima_rx, 1_000_000, 0),
        ]
    };
    assert_eq!(
        agent
            .indexed_samples(2, now - 2_000, swapped(90_000_000, 90_000_000, 2))
            .await,
        2
    );
    assert_eq!(
        agent
            .indexed_samples(3, now - 1_000, swapped(50_000_000, 7_000_000, 3))
            .await,
        3
    );
    eventually("Rahim's newest rate", WAIT, || async {
        (status(app, &rahim).await["rx_bandwidth"] == 50).then_some(())
    })
    .await;
    assert_eq!(status(app, &karima).await["rx_bandwidth"], 7);

    let metrics = crate::helpers::metrics_text(app).await;
    assert_metric(&metrics, "netops_ingest_samples_total", 6);
    assert_metric(&metrics, "netops_ingest_unknown_subscriber_keys_total", 2);
    assert_metric(&metrics, "netops_ingest_duplicate_batches_total", 1);
    assert_metric(
        &metrics,
        "netops_agent_frames_received_total{frame=\"IndexedSamples\"}",
        4,
    );
    assert_metric(
        &metrics,
        "netops_agent_frames_received_total{frame=\"SubscriberKeys\"}",
        3,
    );
}
both_backends!(numbered_subscribers_show_in_status);

/// An agent of protocol version 1 still streams `Samples` by key.
async fn protocol_1_agents_still_stream_by_key(app: &TestApp) {
    let (_, token) = register_agent(app, "gulshan-pop").await;
    let rahim = app.customer_token(RAHIM.0, RAHIM.1).await;
    let mut agent = TestAgent::connect(app).await;
    assert_eq!(agent.hello(&token, 1).await.accepted_version, 1);
    let now = now_ms() / 1_000 * 1_000;
    let entries = vec![pppoe(RAHIM.2, 11_000_000, 2_000_000, 0)];
    assert_eq!(agent.samples(1, now - 1_000, entries).await, 1);
    eventually("Rahim's rate from a protocol 1 agent", WAIT, || async {
        (status(app, &rahim).await["rx_bandwidth"] == 11).then_some(())
    })
    .await;
}
both_backends!(protocol_1_agents_still_stream_by_key);

async fn replayed_batches_do_not_double_count(app: &TestApp) {
    let (_, token) = register_agent(app, "gulshan-pop").await;
    let rahim = app.customer_token(RAHIM.0, RAHIM.1).await;
    let before = status(app, &rahim).await["total_download"]
        .as_i64()
        .unwrap();
    let mut agent = TestAgent::admitted(app, &token).await;
    let now = now_ms() / 1_000 * 1_000;
    // 8 Mbps is 1,000,000 octets a second; the counter says the same.
    let batches: Vec<(u64, u64, Vec<SampleEntry>)> = (1..=3u64)
        .map(|seq| {
            (
                seq,
                now - (4 - seq) * 1_000,
                vec![pppoe(RAHIM.2, 8_000_000, 0, seq * 1_000_000)],
            )
        })
        .collect();
    for (seq, at, entries) in batches.clone() {
        agent.samples(seq, at, entries).await;
    }
    let expected = before + 3_000_000;
    eventually("three seconds of traffic in the totals", WAIT, || async {
        (status(app, &rahim).await["total_download"] == expected).then_some(())
    })
    .await;
    let history = app
        .get(&format!("{API}/network/bandwidth"), Some(&rahim))
        .await;

    // The spool replays after a reconnect: acknowledged up to 3, nothing counted twice.
    drop(agent);
    let mut agent = TestAgent::admitted(app, &token).await;
    for (_, at, entries) in batches.clone() {
        assert_eq!(agent.samples(2, at, entries).await, 3);
    }
    for (seq, at, entries) in batches {
        assert_eq!(agent.samples(seq, at, entries).await, 3);
    }
    assert_eq!(status(app, &rahim).await["total_download"], expected);
    assert_eq!(
        app.get(&format!("{API}/network/bandwidth"), Some(&rahim))
            .await
            .body,
        history.body
    );
    let metrics = crate::helpers::metrics_text(app).await;
    assert_metric(&metrics, "netops_ingest_duplicate_batches_total", 6);
    assert_metric(&metrics, "netops_ingest_samples_total", 3);
}
both_backends!(replayed_batches_do_not_double_count);

/// Rahim's stored minutes: (minute, rx_bps, sample_count).
async fn stored_minutes(app: &TestApp) -> Vec<(i64, i64, i64)> {
    let id = app.customer_id(RAHIM.0).await;
    sqlx::query_as(
        "SELECT minute_unix, rx_bps, sample_count FROM bandwidth_minutes \
         WHERE customer_id = $1 ORDER BY minute_unix",
    )
    .bind(id)
    .fetch_all(app.store.pool())
    .await
    .unwrap()
}

async fn restart_keeps_deduplication_and_rollups(app: &mut TestApp) {
    let (agent_id, token) = register_agent(app, "gulshan-pop").await;
    let now = now_ms() / 1_000;
    let minute = (now - now % 60) as i64;
    let at = |second: i64| u64::try_from(second).unwrap() * 1_000;
    let sample = |rx: u64| vec![pppoe(RAHIM.2, rx, 0, 0)];
    let (two_ago, one_ago) = (minute - 120, minute - 60);

    let mut agent = TestAgent::admitted(app, &token).await;
    agent.samples(1, at(two_ago + 10), sample(10_000_000)).await;
    agent.samples(2, at(two_ago + 11), sample(20_000_000)).await;
    // A later minute closes the first: one row for it, however many samples it had.
    agent.samples(3, at(one_ago + 5), sample(30_000_000)).await;
    let view: &TestApp = app;
    eventually("the closed minute in the store", WAIT, || async {
        let rows = stored_minutes(view).await;
        (rows.first() == Some(&(two_ago, 15_000_000, 2))).then_some(())
    })
    .await;

    app.restart().await;
    let closed = agent.closed().await;
    assert_eq!(closed.code, 1001, "{closed:?}");
    let seq: Option<i64> = sqlx::query_scalar("SELECT last_batch_seq FROM agents WHERE id = $1")
        .bind(&agent_id)
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(seq, Some(3));

    // The new process knows what was applied: the spool's replay is ignored, new batches apply.
    let mut agent = TestAgent::admitted(app, &token).await;
    agent.samples(1, at(two_ago + 10), sample(10_000_000)).await;
    agent.samples(2, at(two_ago + 11), sample(20_000_000)).await;
    assert_eq!(
        agent.samples(3, at(one_ago + 5), sample(30_000_000)).await,
        3
    );
    assert_eq!(
        agent.samples(4, at(one_ago + 6), sample(50_000_000)).await,
        4
    );
    assert_eq!(agent.samples(5, at(minute + 1), sample(1_000_000)).await, 5);
    // The minute written in two parts (at the stop, then after) is one row of both samples.
    let view: &TestApp = app;
    let rows = eventually("the minute split by the restart merged", WAIT, || async {
        let rows = stored_minutes(view).await;
        (rows.len() >= 2 && rows[1].2 == 2).then_some(rows)
    })
    .await;
    assert_eq!(
        rows[..2],
        [(two_ago, 15_000_000, 2), (one_ago, 40_000_000, 2)],
        "{rows:?}"
    );
}

mod restart_keeps_deduplication_and_rollups {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        if let Some(mut app) = crate::helpers::TestApp::spawn(crate::helpers::Backend::Sqlite).await
        {
            super::restart_keeps_deduplication_and_rollups(&mut app).await;
            app.stop().await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        if let Some(mut app) =
            crate::helpers::TestApp::spawn(crate::helpers::Backend::Postgres).await
        {
            super::restart_keeps_deduplication_and_rollups(&mut app).await;
            app.stop().await;
        }
    }
}
