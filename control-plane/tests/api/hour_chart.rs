//! The hour chart across a control-plane restart: the minute the restart splits is shown from
//! its stored rollup, the per-second ring's points follow, and nothing is missing between.

use std::time::Duration;

use crate::agent_client::{now_ms, pppoe, register_agent, TestAgent};
use crate::helpers::{eventually, TestApp, RAHIM};

const WAIT: Duration = Duration::from_secs(10);

async fn restart_mid_minute_leaves_no_hole(app: &mut TestApp) {
    let (_, token) = register_agent(app, "gulshan-pop").await;
    let rahim = app.customer_token(RAHIM.0, RAHIM.1).await;
    let now = (now_ms() / 1_000) as i64;
    // A minute that has ended: its first half arrives before the restart, the rest (as an
    // agent's spool replays it) after, together with the next half minute.
    let minute = now - now.rem_euclid(60) - 180;
    let second = |offset: i64| u64::try_from(minute + offset).unwrap() * 1_000;
    let mut agent = TestAgent::admitted(app, &token).await;
    for offset in 0..30 {
        let seq = offset as u64 + 1;
        let sample = vec![pppoe(RAHIM.2, 10_000_000, 2_000_000, seq * 1_250_000)];
        assert_eq!(agent.samples(seq, second(offset), sample).await, seq);
    }

    app.restart().await;
    let mut agent = TestAgent::admitted(app, &token).await;
    for offset in 30..90 {
        let seq = offset as u64 + 1;
        let sample = vec![pppoe(RAHIM.2, 10_000_000, 2_000_000, seq * 1_250_000)];
        assert_eq!(agent.samples(seq, second(offset), sample).await, seq);
    }

    let view: &TestApp = app;
    let chart = eventually("the split minute stored whole", WAIT, || async {
        let chart = view
            .get("/api/v1/customer/network/bandwidth?period=1h", Some(&rahim))
            .await
            .data()
            .as_array()
            .unwrap()
            .clone();
        let stored: Option<i64> =
            sqlx::query_scalar("SELECT sample_count FROM bandwidth_minutes WHERE minute_unix = $1")
                .bind(minute)
                .fetch_optional(view.store.pool())
                .await
                .unwrap();
        (stored == Some(60)).then_some(chart)
    })
    .await;
    let starts: Vec<i64> = chart
        .iter()
        .map(|point| {
            let text = point["timestamp"].as_str().unwrap();
            time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
                .unwrap()
                .unix_timestamp()
                - minute
        })
        .collect();
    // The split minute from its rollup, then the ring's 10 s points from the next minute on.
    assert_eq!(starts, [0, 60, 70, 80], "{chart:?}");
    for point in &chart {
        assert_eq!(point["rx_mbps"], 10, "{chart:?}");
        assert_eq!(point["tx_mbps"], 2, "{chart:?}");
    }
}

mod restart_mid_minute_leaves_no_hole {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        if let Some(mut app) = crate::helpers::TestApp::spawn(crate::helpers::Backend::Sqlite).await
        {
            super::restart_mid_minute_leaves_no_hole(&mut app).await;
            app.stop().await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        if let Some(mut app) =
            crate::helpers::TestApp::spawn(crate::helpers::Backend::Postgres).await
        {
            super::restart_mid_minute_leaves_no_hole(&mut app).await;
            app.stop().await;
        }
    }
}
