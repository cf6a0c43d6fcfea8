//! Benchmark: agent ingest throughput and the memory of the per-second rings.
//!
//! The control plane runs in this process on loopback over a fresh SQLite database with
//! `NETOPS_BENCH_SUBSCRIBERS` customers (default 100,000); a synthetic agent runs as a child
//! process (this same binary), so the CPU time read from `/proc/self/stat` is the control
//! plane's alone: WebSocket, frame decoding, key mapping, rings, minute rollups and their
//! SQLite writes. The agent sends `NETOPS_BENCH_SECONDS` seconds (default 3,600) of Samples
//! for every subscriber in frames of `NETOPS_BENCH_BATCH` entries (default 10,000), ten
//! seconds ahead of the acknowledgements at most, as a spool replay would.
//!
//! Rings are allocated whole at a subscriber's first sample, so resident memory after the run
//! is what a full hour costs. The summary is one line: samples per second of wall-clock time
//! and per second of control-plane CPU time (also without the SQLite worker threads, which
//! write the rollups), and resident memory before and after.
//!
//! Run: `cargo bench -p control-plane --bench ingest`
//! (quick: `NETOPS_BENCH_SUBSCRIBERS=20000 NETOPS_BENCH_SECONDS=60 cargo bench -p control-plane --bench ingest`).
//! CPU time assumes the usual Linux clock tick of 100 per second.

use std::time::{Duration, Instant};

use control_plane::config::{Config, Secret};
use control_plane::store::Store;
use futures_util::{SinkExt, StreamExt};
use proto::{
    decode_frame, encode_frame, AgentToken, Frame, Hello, SampleEntry, Samples, SubscriberKey,
    PROTOCOL_VERSION,
};
use tokio_tungstenite::tungstenite::Message;

const CLOCK_TICKS_PER_SEC: f64 = 100.0;
const TOKEN: &str = "bench-agent-token-bench-agent-token-bench-agent-token-0123456789";
const AHEAD_SECONDS: u64 = 10;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn username(i: u64) -> String {
    format!("bench.{i:07}")
}

/// User plus system CPU time in a `/proc/.../stat` line.
fn stat_cpu(stat: &str) -> Duration {
    // Fields after the command name (which may contain spaces) start after the last ')'.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of the whole line: 11 and 12 after the name.
    Duration::from_secs_f64((ticks(11) + ticks(12)) as f64 / CLOCK_TICKS_PER_SEC)
}

/// CPU time of this process, and of its SQLite worker threads (sqlx runs every SQLite
/// statement on a thread named `sqlx-sqlite-worker-N`): the rollup writing.
fn cpu_time() -> (Duration, Duration) {
    let process = stat_cpu(&std::fs::read_to_string("/proc/self/stat").unwrap_or_default());
    let mut sqlite = Duration::ZERO;
    for task in std::fs::read_dir("/proc/self/task")
        .into_iter()
        .flatten()
        .flatten()
    {
        let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        if comm.starts_with("sqlx-sqlite") {
            let stat = std::fs::read_to_string(task.path().join("stat")).unwrap_or_default();
            sqlite += stat_cpu(&stat);
        }
    }
    (process, sqlite)
}

fn resident_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0)
}

async fn seed_customers(store: &Store, subscribers: u64) {
    let now = "2026-01-01T00:00:00.000Z";
    let mut tx = store.pool().begin().await.expect("transaction");
    for chunk_start in (0..subscribers).step_by(1_000) {
        let chunk_end = (chunk_start + 1_000).min(subscribers);
        let mut sql = String::from(
            "INSERT INTO customers (id, customer_code, name, status, pppoe_username, created_at, updated_at) VALUES ",
        );
        for i in chunk_start..chunk_end {
            if i > chunk_start {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "('bench-{i}', 'B{i:07}', 'Bench {i}', 'active', '{}', '{now}', '{now}')",
                username(i)
            ));
        }
        sqlx::query(&sql).execute(&mut *tx).await.expect("seed");
    }
    tx.commit().await.expect("commit");
    let site = store.insert_site("bench", None).await.expect("site");
    let hash = control_plane::ingest::session::token_hash(TOKEN);
    store
        .insert_agent("bench-agent", &site.id, &hash)
        .await
        .expect("agent");
}

/// The child process: a synthetic agent sending every subscriber's seconds.
async fn run_agent(url: String, subscribers: u64, seconds: u64, batch: u64) {
    let (ws, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("connect");
    let (mut sink, mut stream) = ws.split();
    let hello = Frame::Hello(Hello {
        protocol_version: PROTOCOL_VERSION,
        agent_id: "bench-agent".into(),
        agent_version: "bench".into(),
        token: AgentToken::new(TOKEN),
    });
    sink.send(Message::Binary(
        encode_frame(&hello).expect("encode").into(),
    ))
    .await
    .expect("hello");
    let frames_per_second = subscribers.div_ceil(batch);
    let total_frames = frames_per_second * seconds;
    let (progress_tx, mut progress) = tokio::sync::watch::channel(0u64);
    let acks = tokio::spawn(async move {
        let mut acked = 0u64;
        while let Some(Ok(message)) = stream.next().await {
            if let Message::Binary(bytes) = message {
                if let Ok(Frame::Ack(ack)) = decode_frame(&bytes) {
                    acked = ack.up_to_batch_seq;
                    progress_tx.send_replace(acked);
                    if acked >= total_frames {
                        break;
                    }
                }
            } else if let Message::Close(frame) = message {
                panic!("closed by the control plane: {frame:?}");
            }
        }
        acked
    });
    let names: Vec<String> = (0..subscribers).map(username).collect();
    let now_ms =
        u64::try_from(time::OffsetDateTime::now_utc().unix_timestamp()).expect("time") * 1_000;
    let start_ms = now_ms - seconds * 1_000;
    let mut seq = 0u64;
    for second in 0..seconds {
        for chunk in names.chunks(batch as usize) {
            seq += 1;
            let entries = chunk
                .iter()
                .enumerate()
                .map(|(i, name)| SampleEntry {
                    subscriber_key: SubscriberKey::PppoeUsername(name.clone()),
                    rx_bps: 10_000_000 + (i as u64 * 7_919 + second * 104_729) % 90_000_000,
                    tx_bps: 2_000_000 + (i as u64 * 3_571) % 8_000_000,
                    rx_octets_total: second * 1_250_000,
                    tx_octets_total: second * 250_000,
                })
                .collect();
            let frame = Frame::Samples(Samples {
                batch_seq: seq,
                timestamp_ms: start_ms + second * 1_000,
                entries,
            });
            let bytes = encode_frame(&frame).expect("encode");
            sink.send(Message::Binary(bytes.into()))
                .await
                .expect("send");
        }
        // Stay at most AHEAD_SECONDS of frames ahead of the acknowledgements.
        if second >= AHEAD_SECONDS {
            let wanted = (second - AHEAD_SECONDS) * frames_per_second;
            let _ = progress.wait_for(|acked| *acked >= wanted).await;
        }
    }
    let acked = acks.await.expect("acks");
    assert_eq!(acked, total_frames, "every frame acknowledged");
    let _ = sink.close().await;
}

fn main() {
    let subscribers = env_u64("NETOPS_BENCH_SUBSCRIBERS", 100_000).max(1);
    let seconds = env_u64("NETOPS_BENCH_SECONDS", 3_600).max(1);
    let batch = env_u64("NETOPS_BENCH_BATCH", 10_000).max(1);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    if let Ok(url) = std::env::var("NETOPS_BENCH_AGENT_URL") {
        runtime.block_on(run_agent(url, subscribers, seconds, batch));
        return;
    }
    runtime.block_on(async move {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = Config {
            data_dir: dir.path().to_path_buf(),
            database_url: Some(format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("bench.db").display()
            )),
            jwt_secret: Some(Secret::new("bench-secret-bench-secret-bench-secret-01")),
            ..Config::default()
        };
        let store = control_plane::app::open_store(&config).await.expect("store");
        seed_customers(&store, subscribers).await;
        let state = control_plane::app::build_state(&config, store.clone()).expect("state");
        let metrics = state.metrics.clone();
        let live = state.live.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(control_plane::app::serve(state, listener, async {
            let _ = stopped.await;
        }));

        let rss_before = resident_mib();
        let cpu_before = cpu_time();
        let started = Instant::now();
        let agent = std::process::Command::new(std::env::current_exe().expect("exe"))
            .env("NETOPS_BENCH_AGENT_URL", format!("ws://{addr}/api/v1/agent/ws"))
            .env("NETOPS_BENCH_SUBSCRIBERS", subscribers.to_string())
            .env("NETOPS_BENCH_SECONDS", seconds.to_string())
            .env("NETOPS_BENCH_BATCH", batch.to_string())
            .spawn()
            .expect("agent process");
        let status = tokio::task::spawn_blocking(move || {
            let mut agent = agent;
            agent.wait()
        })
        .await
        .expect("join")
        .expect("agent process");
        let wall = started.elapsed();
        let (cpu_after, sqlite_after) = cpu_time();
        let cpu = cpu_after.saturating_sub(cpu_before.0);
        let sqlite_cpu = sqlite_after.saturating_sub(cpu_before.1);
        assert!(status.success(), "agent failed: {status}");
        let samples = metrics.ingest.samples_ingested.get();
        let rss_after = resident_mib();
        let live_subscribers = live.subscriber_count() as f64;
        let rows = metrics
            .ingest
            .rollup_rows
            .with_label_values(&["bandwidth_minutes"])
            .get();
        println!(
            "ingest: {samples} samples ({subscribers} subscribers x {seconds} s, {batch}/frame) in {:.1} s: \
             {:.0} samples/s wall, {:.0} samples/s per CPU-second ({:.1} CPU-s, of which \
             {:.1} s SQLite writing rollups; {:.0} samples/s per CPU-second without it); \
             RSS {:.0} MiB before, {:.0} MiB after ({:.1} KiB per subscriber); \
             {rows} minute rows written so far",
            wall.as_secs_f64(),
            samples as f64 / wall.as_secs_f64(),
            samples as f64 / cpu.as_secs_f64().max(0.01),
            cpu.as_secs_f64(),
            sqlite_cpu.as_secs_f64(),
            samples as f64 / cpu.saturating_sub(sqlite_cpu).as_secs_f64().max(0.01),
            rss_before,
            rss_after,
            (rss_after - rss_before) * 1024.0 / live_subscribers.max(1.0),
        );
        let _ = stop.send(());
        let _ = server.await;
        store.close().await;
    });
}
