//! The ten-minute outage: a simulated BRAS carrying a known, steady rate, the real edge agent
//! with its on-disk spool, and the real control plane. The control plane streams for a while,
//! is stopped for `NETOPS_OUTAGE_SECONDS` (default 600: the real ten minutes) while the agent
//! keeps polling into its spool, then starts again on the same database and port. Once the
//! agent has replayed its spool, the subscriber's hour chart and the stored minute rollups have
//! no hole across the outage, and the stored traffic totals are what the BRAS carried: nothing
//! lost, nothing counted twice.

mod system;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use control_plane::store::Store;
use netops_snmp::simulator::SimulatedSession;
use system::{within, ControlPlane, RatePoint, RAHIM};
use tokio::net::TcpListener;

const DOWNLOAD_BPS: f64 = 30e6;
const UPLOAD_BPS: f64 = 6e6;
const TOLERANCE: f64 = 0.05;
const DEFAULT_OUTAGE_SECONDS: u64 = 600;
/// The whole run must fit in the hour the chart shows.
const MAX_OUTAGE_SECONDS: u64 = 2_700;

fn outage() -> Duration {
    let seconds = match std::env::var("NETOPS_OUTAGE_SECONDS") {
        Err(_) => DEFAULT_OUTAGE_SECONDS,
        Ok(text) => match text.trim().parse::<u64>() {
            Ok(seconds) if (1..=MAX_OUTAGE_SECONDS).contains(&seconds) => seconds,
            _ => panic!(
                "NETOPS_OUTAGE_SECONDS={text:?}: give whole seconds from 1 to {MAX_OUTAGE_SECONDS}"
            ),
        },
    };
    Duration::from_secs(seconds)
}

fn now_unix() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// (minute, rx_bps, tx_bps, sample_count) of the customer's stored minutes, oldest first.
async fn stored_minutes(store: &Store, customer_id: &str) -> Vec<(i64, i64, i64, i64)> {
    sqlx::query_as(
        "SELECT minute_unix, rx_bps, tx_bps, sample_count FROM bandwidth_minutes \
         WHERE customer_id = $1 ORDER BY minute_unix",
    )
    .bind(customer_id)
    .fetch_all(store.pool())
    .await
    .expect("minute rollups")
}

/// (download, upload) octets `network_state` holds for the customer.
async fn stored_totals(store: &Store, customer_id: &str) -> (i64, i64) {
    sqlx::query_as(
        "SELECT total_download_octets, total_upload_octets FROM network_state \
         WHERE customer_id = $1",
    )
    .bind(customer_id)
    .fetch_one(store.pool())
    .await
    .expect("network state")
}

/// Why the chart does not show `since..=until` without a hole yet, if it does not. Minutes
/// from the rollups are 60 s apart; once the per-second ring's 10 s points begin, every point
/// follows the one before by 10 s.
fn chart_hole(chart: &[RatePoint], since: i64, until: i64) -> Option<String> {
    let (Some(first), Some(last)) = (chart.first(), chart.last()) else {
        return Some("the chart is empty".to_owned());
    };
    if first.unix > since {
        return Some(format!("the chart starts at {}, after {since}", first.unix));
    }
    if last.unix < until {
        return Some(format!("the chart ends at {}, before {until}", last.unix));
    }
    let mut in_ring = false;
    for pair in chart.windows(2) {
        let step = pair[1].unix - pair[0].unix;
        match (in_ring, step) {
            (false, 60) | (true, 10) => {}
            (false, 10) => in_ring = true,
            _ => {
                return Some(format!(
                    "a hole of {step} s between {} and {}",
                    pair[0].unix, pair[1].unix
                ))
            }
        }
    }
    None
}

/// Binds the control plane's old address again, waiting at most 30 s for it to be free.
async fn bind_again(api: SocketAddr) -> TcpListener {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match TcpListener::bind(api).await {
            Ok(listener) => return listener,
            Err(error) if Instant::now() < deadline => {
                eprintln!("{api} not free yet ({error}); retrying");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(error) => panic!("cannot bind {api} again within 30 s: {error}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_minute_outage_leaves_no_hole_and_counts_nothing_twice() {
    let outage = outage();
    let dir = tempfile::tempdir().expect("tempdir");
    let config = system::config(dir.path());
    let store = control_plane::app::open_store(&config)
        .await
        .expect("store");
    control_plane::demo::seed(&store).await.expect("seed");
    let customer_id: String =
        sqlx::query_scalar("SELECT id FROM customers WHERE customer_code = $1")
            .bind(RAHIM.0)
            .fetch_one(store.pool())
            .await
            .expect("demo customer");
    let seeded_totals = stored_totals(&store, &customer_id).await;
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let control_plane = ControlPlane::serve(&config, &store, listener).await;
    let api = control_plane.api;
    let steady = vec![SimulatedSession {
        username: RAHIM.2.into(),
        download_bps: DOWNLOAD_BPS,
        upload_bps: UPLOAD_BPS,
        swing: 0.0,
    }];
    let site = control_plane::demo::site::start_with(&store, dir.path(), api, steady)
        .await
        .expect("demo site");
    let bras = site.bras().clone();

    // Streams until a whole minute is stored, so the chart has history before the outage.
    let deadline = Instant::now() + Duration::from_secs(150);
    loop {
        let minutes = stored_minutes(&store, &customer_id).await;
        if minutes.iter().any(|m| m.3 >= 55) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no whole minute stored within 150 s: {minutes:?}"
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    }

    // The outage starts in the middle of a minute, so minutes are split on both sides of it.
    let second_of_minute = now_unix().rem_euclid(60);
    tokio::time::sleep(Duration::from_secs(
        (90 - second_of_minute).rem_euclid(60) as u64
    ))
    .await;
    let stopped_at = now_unix();
    control_plane.stop().await;
    store.close().await;
    eprintln!(
        "control plane stopped at {stopped_at} for {} s",
        outage.as_secs()
    );
    // The outage itself: the agent keeps polling the BRAS into its spool.
    tokio::time::sleep(outage).await;

    let listener = bind_again(api).await;
    let store = control_plane::app::open_store(&config)
        .await
        .expect("store reopened");
    let restarted_at = now_unix();
    let control_plane = ControlPlane::serve(&config, &store, listener).await;
    eprintln!("control plane started again at {restarted_at}");

    // The agent reconnects (its backoff is at most 30 s) and replays what it spooled.
    let client = system::http_client();
    let token = system::customer_token(&client, api, RAHIM.0, RAHIM.1).await;
    let deadline = Instant::now() + Duration::from_secs(120);
    let chart = loop {
        let chart = system::hour_chart(&client, api, &token).await;
        let Some(hole) = chart_hole(&chart, stopped_at - 60, restarted_at) else {
            break chart;
        };
        assert!(
            Instant::now() < deadline,
            "the chart still has a hole 120 s after the restart: {hole}\n{chart:?}"
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    };
    eprintln!(
        "hour chart after the restart: {} points from {} to {}",
        chart.len(),
        chart[0].unix,
        chart[chart.len() - 1].unix
    );
    for point in &chart {
        assert!(
            within(point.rx_bps, DOWNLOAD_BPS, TOLERANCE)
                && within(point.tx_bps, UPLOAD_BPS, TOLERANCE),
            "point {point:?} is not the BRAS's rate\n{chart:?}"
        );
    }

    // What the BRAS carried, read once the agent has stopped polling it.
    site.stop().await;
    let (carried_down, carried_up) = bras.carried_octets(RAHIM.2).expect("session up");
    control_plane.stop().await;

    let minutes = stored_minutes(&store, &customer_id).await;
    eprintln!("stored minutes (minute, rx, tx, samples): {minutes:?}");
    assert!(minutes[0].0 <= stopped_at - 60, "{minutes:?}");
    assert!(
        minutes[minutes.len() - 1].0 >= restarted_at - 60,
        "{minutes:?}"
    );
    for pair in minutes.windows(2) {
        assert_eq!(
            pair[1].0 - pair[0].0,
            60,
            "a minute is missing: {minutes:?}"
        );
    }
    for (position, &(minute, rx_bps, tx_bps, samples)) in minutes.iter().enumerate() {
        // One sample a second: more than 60 (61 when a second is stamped twice) is a replay
        // counted again; whole minutes with far fewer lost seconds.
        assert!(
            samples <= 61,
            "minute {minute} has {samples} samples: {minutes:?}"
        );
        let whole = position > 0 && position + 1 < minutes.len();
        assert!(
            !whole || samples >= 50,
            "minute {minute} has only {samples} samples: {minutes:?}"
        );
        assert!(
            within(rx_bps as f64, DOWNLOAD_BPS, TOLERANCE)
                && within(tx_bps as f64, UPLOAD_BPS, TOLERANCE),
            "minute {minute}: {rx_bps} / {tx_bps} b/s"
        );
    }

    // Totals: everything the BRAS carried once, give or take the agent's first and last polls.
    let totals = stored_totals(&store, &customer_id).await;
    let stored_down = (totals.0 - seeded_totals.0) as f64;
    let stored_up = (totals.1 - seeded_totals.1) as f64;
    eprintln!(
        "stored {stored_down} / {stored_up} octets; the BRAS carried {carried_down} / {carried_up}"
    );
    for (stored, carried, rate_bps) in [
        (stored_down, carried_down as f64, DOWNLOAD_BPS),
        (stored_up, carried_up as f64, UPLOAD_BPS),
    ] {
        let second = rate_bps / 8.0;
        assert!(
            stored <= carried + second,
            "stored {stored} octets, more than the {carried} the BRAS carried: counted twice"
        );
        assert!(
            stored >= carried - 5.0 * second,
            "stored {stored} octets of the {carried} the BRAS carried: traffic lost"
        );
    }
    store.close().await;
}
