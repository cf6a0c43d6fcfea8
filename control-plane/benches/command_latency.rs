//! Benchmark: latency of a device command from the staff API call to the packet at the device.
//! The demo site runs in this process: a real control plane, the real edge agent connected over
//! its WebSocket, and the simulated BRAS answering RFC 5176 on loopback. Each step is a staff
//! `POST /api/v1/admin/customers/{id}/commands` `change_speed` for one subscriber, measured from
//! just before the request is sent until the BRAS reads the CoA-Request from its socket (the
//! simulator stamps each datagram it reads; one clock). The next step starts once the command
//! has succeeded, since commands on one session run one at a time. The reference, measured in
//! the same run the same way, is the device's share alone: `netops-radius` sending the same
//! CoA-Request from this process straight to the BRAS, as the agent does at the end of the path;
//! the API's own reply (the command queued) is shown next to it.
//!
//! Run: `cargo bench -p control-plane --bench command_latency` (NETOPS_BENCH_STEPS, default 200,
//! at most 5000).

#[path = "../tests/system/mod.rs"]
mod system;

use std::time::{Duration, Instant};

use netops_radius::{DacClient, DacReply, Nas, RateLimit, RetryPolicy, SessionIdent};
use serde_json::json;
use system::{ControlPlane, RAHIM};

/// A step whose command has not succeeded by then fails the benchmark.
const STEP_LIMIT: Duration = Duration::from_secs(10);

fn steps() -> usize {
    std::env::var("NETOPS_BENCH_STEPS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(200)
        .clamp(1, 5_000)
}

/// p50 and p99 of a set of latencies.
fn percentiles(mut latencies: Vec<Duration>) -> (Duration, Duration) {
    latencies.sort_unstable();
    let pick = |q: f64| {
        let rank = ((latencies.len() as f64 * q).ceil() as usize).clamp(1, latencies.len());
        latencies[rank - 1]
    };
    (pick(0.50), pick(0.99))
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1_000.0
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

/// The stamp of the newest CoA the BRAS read for the subscriber after `since`.
fn coa_received_after(
    bras: &netops_snmp::simulator::SimulatedBras,
    rate_limit: &str,
    since: Instant,
) -> Option<Instant> {
    bras.dac_requests()
        .iter()
        .rev()
        .find(|r| {
            r.user_name.as_deref() == Some(RAHIM.2)
                && r.rate_limit.as_deref() == Some(rate_limit)
                && r.received_at >= since
        })
        .map(|r| r.received_at)
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
    let site = control_plane::demo::site::start(&store, dir.path(), api)
        .await
        .expect("demo site");
    let bras = site.bras().clone();
    let client = system::http_client();
    let token = system::staff_token(&client, api, "noc").await;
    let customer = store
        .list_customers(
            &control_plane::store::customers::CustomerFilter {
                search: Some(RAHIM.0.to_owned()),
                ..Default::default()
            },
            control_plane::store::Page {
                limit: 1,
                offset: 0,
            },
        )
        .await
        .expect("customers")
        .rows
        .remove(0);
    let commands = format!(
        "http://{api}/api/v1/admin/customers/{}/commands",
        customer.id
    );

    // The API path: one warm-up step (the agent connects), then the measured ones.
    let mut api_latencies = Vec::with_capacity(steps);
    let mut reply_latencies = Vec::with_capacity(steps);
    for step in 0..=steps {
        let download_mbps = 30 + (step % 2) as u64 * 10;
        let rate_limit = RateLimit::mikrotik_text(8_000, download_mbps * 1_000);
        let sent_at = Instant::now();
        let reply = client
            .post(&commands)
            .bearer_auth(&token)
            .json(&json!({ "kind": "change_speed", "download_mbps": download_mbps, "upload_mbps": 8 }))
            .send()
            .await
            .expect("command request");
        let id = system::data(reply).await["id"]
            .as_str()
            .expect("command id")
            .to_owned();
        let replied_at = Instant::now();
        let deadline = sent_at + STEP_LIMIT;
        loop {
            let reply = client
                .get(format!("http://{api}/api/v1/admin/commands/{id}"))
                .bearer_auth(&token)
                .send()
                .await
                .expect("command state");
            let command = system::data(reply).await;
            match command["state"].as_str() {
                Some("succeeded") => break,
                Some("failed" | "expired" | "rolled_back") => {
                    panic!("step {step}: the command ended {command}")
                }
                _ => {}
            }
            assert!(Instant::now() < deadline, "step {step}: no success in time");
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        let received_at = coa_received_after(&bras, &rate_limit, sent_at)
            .unwrap_or_else(|| panic!("step {step}: the BRAS read no CoA with {rate_limit}"));
        if step > 0 {
            api_latencies.push(received_at - sent_at);
            reply_latencies.push(replied_at - sent_at);
        }
    }

    // The reference: the same CoA sent straight to the BRAS.
    let dac = DacClient::bind(
        "127.0.0.1:0".parse().expect("address"),
        RetryPolicy {
            first_timeout: Duration::from_secs(1),
            attempts: 3,
        },
    )
    .await
    .expect("bind");
    let nas = Nas::new(site.bras_dac, site.bras_dac_secret());
    let session = SessionIdent::user(RAHIM.2);
    let mut direct_latencies = Vec::with_capacity(steps);
    for step in 0..=steps {
        let download_kbps = 30_000 + (step % 2) as u64 * 10_000;
        let rate = RateLimit::Mikrotik {
            upload_kbps: 8_000,
            download_kbps,
        };
        let rate_limit = RateLimit::mikrotik_text(8_000, download_kbps);
        let sent_at = Instant::now();
        let reply = dac.change_rate(&nas, &session, &rate).await;
        assert_eq!(reply.expect("an answer"), DacReply::Ack);
        let received_at = coa_received_after(&bras, &rate_limit, sent_at)
            .unwrap_or_else(|| panic!("direct step {step}: the BRAS read no CoA"));
        if step > 0 {
            direct_latencies.push(received_at - sent_at);
        }
    }

    let (api_p50, api_p99) = percentiles(api_latencies);
    let (reply_p50, reply_p99) = percentiles(reply_latencies);
    let (direct_p50, direct_p99) = percentiles(direct_latencies);
    println!("change_speed: staff API call to the CoA-Request read by the BRAS, {steps} steps");
    println!(
        "  API → agent → BRAS:        p50 {:>7.2} ms, p99 {:>7.2} ms",
        ms(api_p50),
        ms(api_p99)
    );
    println!(
        "  the API's own reply:       p50 {:>7.2} ms, p99 {:>7.2} ms",
        ms(reply_p50),
        ms(reply_p99)
    );
    println!(
        "  netops-radius → BRAS:      p50 {:>7.2} ms, p99 {:>7.2} ms",
        ms(direct_p50),
        ms(direct_p99)
    );
    println!(
        "  ratio: p50 {:.1}×, p99 {:.1}× the API's own reply; p50 {:.0}×, p99 {:.0}× the direct send",
        api_p50.as_secs_f64() / reply_p50.as_secs_f64(),
        api_p99.as_secs_f64() / reply_p99.as_secs_f64(),
        api_p50.as_secs_f64() / direct_p50.as_secs_f64(),
        api_p99.as_secs_f64() / direct_p99.as_secs_f64()
    );
    site.stop().await;
    control_plane.stop().await;
}
