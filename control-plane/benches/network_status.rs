//! Benchmark: authenticated `GET /api/v1/customer/network/status` against an axum hello-world
//! route, both served on loopback in the same process and loaded by the same client, so the
//! ratio holds on a noisy machine.
//!
//! Run: `cargo bench -p control-plane --bench network_status` (NETOPS_BENCH_SECS, default 5,
//! sets each measurement's duration; NETOPS_BENCH_CONCURRENCY, default 32, the clients).

use std::time::{Duration, Instant};

use axum::routing::get;
use axum::Router;
use control_plane::config::{Config, Limits, Secret};
use tokio::net::TcpListener;

struct Measurement {
    requests: u64,
    elapsed: Duration,
    p50: Duration,
    p99: Duration,
}

impl Measurement {
    fn rps(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }
}

async fn load(
    url: String,
    token: Option<String>,
    concurrency: usize,
    duration: Duration,
) -> Measurement {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()
        .expect("client");
    let deadline = Instant::now() + duration;
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let client = client.clone();
        let url = url.clone();
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(100_000);
            // Bounded by time and by count.
            while Instant::now() < deadline && latencies.len() < 2_000_000 {
                let t = Instant::now();
                let mut req = client.get(&url);
                if let Some(token) = &token {
                    req = req.bearer_auth(token);
                }
                let resp = req.send().await.expect("request");
                assert!(resp.status().is_success(), "status {}", resp.status());
                let _ = resp.bytes().await.expect("body");
                latencies.push(t.elapsed());
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.expect("task"));
    }
    let elapsed = start.elapsed();
    all.sort_unstable();
    let pick = |q: f64| all[((all.len() as f64 * q) as usize).min(all.len() - 1)];
    Measurement {
        requests: all.len() as u64,
        elapsed,
        p50: pick(0.50),
        p99: pick(0.99),
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let secs = env_number("NETOPS_BENCH_SECS", 5).clamp(1, 60);
        let concurrency = env_number("NETOPS_BENCH_CONCURRENCY", 32).clamp(1, 512) as usize;
        let dir = tempfile::tempdir().expect("tempdir");
        let config = Config {
            data_dir: dir.path().to_path_buf(),
            jwt_secret: Some(Secret::new("bench-secret-bench-secret-bench-secret!!")),
            limits: Limits {
                customer_requests_per_minute: u32::MAX,
                ..Limits::default()
            },
            ..Config::default()
        };
        let store = control_plane::app::open_store(&config)
            .await
            .expect("store");
        control_plane::demo::seed(&store).await.expect("seed");
        let state = control_plane::app::build_state(&config, store).expect("state");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let api = listener.local_addr().expect("addr");
        tokio::spawn(control_plane::app::serve(
            state,
            listener,
            std::future::pending(),
        ));

        let hello = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let hello_addr = hello.local_addr().expect("addr");
        let router = Router::new().route("/", get(|| async { "Hello, World!" }));
        tokio::spawn(async move { axum::serve(hello, router).await });

        let login: serde_json::Value = reqwest::Client::new()
            .post(format!("http://{api}/api/v1/customer/auth/login"))
            .json(&serde_json::json!({ "customer_code": "CUST001", "phone": "01712345678" }))
            .send()
            .await
            .expect("login")
            .json()
            .await
            .expect("json");
        let token = login["data"]["token"].as_str().expect("token").to_owned();
        let duration = Duration::from_secs(secs);
        let status_url = format!("http://{api}/api/v1/customer/network/status");
        let hello_url = format!("http://{hello_addr}/");
        // Warm both up, then measure alternately.
        load(
            hello_url.clone(),
            None,
            concurrency,
            Duration::from_millis(500),
        )
        .await;
        load(
            status_url.clone(),
            Some(token.clone()),
            concurrency,
            Duration::from_millis(500),
        )
        .await;
        let hello = load(hello_url, None, concurrency, duration).await;
        let status = load(status_url, Some(token), concurrency, duration).await;
        let print = |name: &str, m: &Measurement| {
            println!(
                "{name:<28} {:>10.0} req/s   p50 {:>7.3} ms   p99 {:>7.3} ms   ({} requests)",
                m.rps(),
                m.p50.as_secs_f64() * 1e3,
                m.p99.as_secs_f64() * 1e3,
                m.requests
            );
        };
        println!("concurrency {concurrency}, {secs} s each, SQLite, loopback");
        print("axum hello-world", &hello);
        print("GET /network/status (auth)", &status);
        println!(
            "ratio network/status ÷ hello-world: throughput {:.2}×, p99 latency {:.2}×",
            status.rps() / hello.rps(),
            status.p99.as_secs_f64() / hello.p99.as_secs_f64()
        );
    });
}
