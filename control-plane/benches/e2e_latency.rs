//! Benchmark: end-to-end latency from a counter change at the device to the subscriber's
//! `/network/live` WebSocket. The demo site's simulated BRAS carries one subscriber at a steady
//! rate; the real edge agent polls it every second and streams to the real control plane; the
//! subscriber's live stream is open in this process. Each step changes the session's rate on the
//! BRAS at a random moment (its counters change slope at once) and measures, on one clock, how
//! long until the stream first shows a point reflecting the change, and until it shows the new
//! rate in full (within 5 %).
//!
//! A rate is Δcounter / Δt between two polls, so the first poll after a step reports a blend of
//! both rates, weighted by how much of its interval came after the step; only the poll after
//! that shows the new rate whole (1–2 s after the step by construction, at 1-second polling).
//! The first point reflecting the change is the first that moved from the old rate towards the
//! new one by more than the stream's own noise, measured at the steady rate before the steps
//! (at least 0.2 %): a step within a few milliseconds before a poll moves that poll's rate by
//! less than that and is counted at the next poll, so the measure errs on the slow side.
//! Target: the first point reflecting the change within 1.5 s at 1-second polling, reported as
//! p99 / 1.5 s.
//!
//! Run: `cargo bench -p control-plane --bench e2e_latency` (NETOPS_BENCH_STEPS, default 40, at
//! most 500: the rate steps measured, about 2.5 s each).

#[path = "../tests/system/mod.rs"]
mod system;

use std::time::{Duration, Instant};

use netops_snmp::simulator::SimulatedSession;
use rand::Rng;
use system::{within, ControlPlane, LiveStream, RatePoint, RAHIM};
use tokio::sync::mpsc;

const LOW_BPS: f64 = 20e6;
const HIGH_BPS: f64 = 60e6;
const TOLERANCE: f64 = 0.05;
/// Points read at the steady rate to measure the stream's noise.
const NOISE_POINTS: usize = 8;
/// The smallest move counted as reflecting a step, relative to the old rate.
const MIN_CHANGE: f64 = 0.002;
const TARGET: Duration = Duration::from_millis(1_500);
/// A step whose new rate is not shown by then fails the benchmark.
const STEP_LIMIT: Duration = Duration::from_secs(10);

fn steps() -> usize {
    let steps = std::env::var("NETOPS_BENCH_STEPS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(40);
    steps.clamp(1, 500)
}

/// p50, p99 and max of a set of latencies.
fn summary(mut latencies: Vec<Duration>) -> (Duration, Duration, Duration) {
    latencies.sort_unstable();
    let pick = |q: f64| {
        let rank = ((latencies.len() as f64 * q).ceil() as usize).clamp(1, latencies.len());
        latencies[rank - 1]
    };
    (pick(0.50), pick(0.99), latencies[latencies.len() - 1])
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1_000.0
}

/// Whether a rate moved from `from` towards `to` by more than `min_change` of `from`, without
/// overshooting `to`: a blend of both rates, or the new one. Zero points (the stream's own
/// while no second arrives) are not the device's.
fn reflects(rx_bps: f64, from: f64, to: f64, min_change: f64) -> bool {
    let moved = (rx_bps - from) * (to - from).signum();
    rx_bps > 0.0 && moved > from * min_change && moved <= (to - from).abs() * (1.0 + TOLERANCE)
}

type Points = mpsc::UnboundedReceiver<(RatePoint, Instant)>;

/// Reads the live stream in its own task, so each point is stamped the moment it arrives.
fn spawn_reader(mut live: LiveStream) -> (Points, tokio::task::JoinHandle<()>) {
    let (points, received) = mpsc::unbounded_channel();
    let reader = tokio::spawn(async move {
        loop {
            let point = live.next(STEP_LIMIT).await;
            if points.send(point).is_err() {
                return;
            }
        }
    });
    (received, reader)
}

/// The next point, or a failure at `deadline`.
async fn next_point(points: &mut Points, deadline: Instant) -> (RatePoint, Instant) {
    tokio::time::timeout_at(deadline.into(), points.recv())
        .await
        .expect("a live point before the step's limit")
        .expect("live stream open")
}

fn main() {
    let steps = steps();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(run(steps));
}

async fn run(steps: usize) {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = system::config(dir.path());
    let store = control_plane::app::open_store(&config)
        .await
        .expect("store");
    control_plane::demo::seed(&store).await.expect("seed");
    let control_plane = ControlPlane::start(&config, &store).await;
    let api = control_plane.api;
    let steady = vec![SimulatedSession {
        username: RAHIM.2.into(),
        download_bps: LOW_BPS,
        upload_bps: LOW_BPS / 5.0,
        swing: 0.0,
    }];
    let site = control_plane::demo::site::start_with(&store, dir.path(), api, steady)
        .await
        .expect("demo site");
    let bras = site.bras().clone();
    let client = system::http_client();
    let token = system::customer_token(&client, api, RAHIM.0, RAHIM.1).await;
    let (mut points, reader) = spawn_reader(LiveStream::open(api, &token).await);

    // The stream shows the first rate before the first step; then its noise at that rate.
    let deadline = Instant::now() + Duration::from_secs(30);
    while !within(
        next_point(&mut points, deadline).await.0.rx_bps,
        LOW_BPS,
        TOLERANCE,
    ) {}
    let mut noise: f64 = 0.0;
    for _ in 0..NOISE_POINTS {
        let rx_bps = next_point(&mut points, deadline).await.0.rx_bps;
        assert!(within(rx_bps, LOW_BPS, TOLERANCE), "steady rate {rx_bps}");
        noise = noise.max((rx_bps - LOW_BPS).abs() / LOW_BPS);
    }
    let min_change = (noise * 4.0).max(MIN_CHANGE);

    let mut rng = rand::thread_rng();
    let (mut shown, mut reflected) = (Vec::with_capacity(steps), Vec::with_capacity(steps));
    for step in 0..steps {
        let (from, to) = if step % 2 == 0 {
            (LOW_BPS, HIGH_BPS)
        } else {
            (HIGH_BPS, LOW_BPS)
        };
        // A random moment within the polling second.
        tokio::time::sleep(Duration::from_millis(rng.gen_range(0..1_000))).await;
        while points.try_recv().is_ok() {}
        let stepped_at = Instant::now();
        assert!(bras.set_rates(RAHIM.2, to, to / 5.0), "session is up");
        let deadline = stepped_at + STEP_LIMIT;
        let mut first_reflecting = None;
        loop {
            let (point, arrived) = next_point(&mut points, deadline).await;
            if first_reflecting.is_none() && reflects(point.rx_bps, from, to, min_change) {
                first_reflecting = Some(arrived - stepped_at);
            }
            if within(point.rx_bps, to, TOLERANCE) {
                shown.push(arrived - stepped_at);
                break;
            }
        }
        reflected.push(first_reflecting.expect("the new rate reflects the change"));
    }

    let (reflected_p50, reflected_p99, reflected_max) = summary(reflected);
    let (shown_p50, shown_p99, shown_max) = summary(shown);
    println!(
        "e2e latency, counter step at the BRAS to /network/live, {steps} steps of \
         {:.0}<->{:.0} Mb/s at 1 s polling (steady noise {:.3} %, a move of {:.2} % counts):\n  \
         first point reflecting the step: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms; \
         p99 / 1.5 s target = {:.2}\n  new rate shown in full (second poll after the step): \
         p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        LOW_BPS / 1e6,
        HIGH_BPS / 1e6,
        noise * 100.0,
        min_change * 100.0,
        ms(reflected_p50),
        ms(reflected_p99),
        ms(reflected_max),
        reflected_p99.as_secs_f64() / TARGET.as_secs_f64(),
        ms(shown_p50),
        ms(shown_p99),
        ms(shown_max),
    );
    reader.abort();
    site.stop().await;
    control_plane.stop().await;
    store.close().await;
}
