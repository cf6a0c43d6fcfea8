//! Benchmark: agent ingest throughput and the memory of the per-second rings.
//!
//! The control plane runs in this process on loopback over a fresh SQLite database with
//! `NETOPS_BENCH_SUBSCRIBERS` customers (default 100,000); a synthetic agent runs as a child
//! process (this same binary), so the CPU time read from `/proc/self/stat` is the control
//! plane's alone: WebSocket, frame decoding, key mapping, rings, minute rollups and their
//! SQLite writes. The agent sends `NETOPS_BENCH_SECONDS` seconds (default 3,600) of samples
//! for every subscriber in frames of `NETOPS_BENCH_BATCH` entries (default 10,000), ten
//! seconds ahead of the acknowledgements at most, as a spool replay would. It speaks protocol
//! version 2 as the edge agent does (each subscriber numbered once in `SubscriberKeys`, then
//! `IndexedSamples`); `NETOPS_BENCH_PROTOCOL=1` sends protocol 1 `Samples` with string keys.
//!
//! The run ends when every minute rollup of the stream is in the database (the flusher may
//! trail the stream; the stream's last second is a second ago, so a run shorter than a minute
//! waits, idle, for that minute to end), so the CPU time counts all of the writing. Rings are allocated whole at a
//! subscriber's first sample, so resident memory after the run is what a full hour costs. The
//! summary is one line: samples per second of wall-clock time and per second of control-plane
//! CPU time (also without the SQLite worker threads, which write the rollups), and resident
//! memory before, at the peak and after.
//!
//! Run: `cargo bench -p control-plane --bench ingest`
//! (quick: `NETOPS_BENCH_SUBSCRIBERS=20000 NETOPS_BENCH_SECONDS=60 cargo bench -p control-plane --bench ingest`).
//! CPU time assumes the usual Linux clock tick of 100 per second.

use std::time::{Duration, Instant};

use control_plane::config::{Config, Secret};
use control_plane::store::Store;
use futures_util::{SinkExt, StreamExt};
use proto::{
    decode_frame, encode_frame, AgentToken, Frame, Hello, IndexedSampleEntry, IndexedSamples,
    SampleEntry, Samples, SubscriberKey, SubscriberKeys, PROTOCOL_VERSION,
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

/// A memory figure of this process from `/proc/self/status` (`VmRSS`, `VmHWM`), in MiB.
fn memory_mib(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0)
}

/// Minute rollups the stream produces: one per subscriber and minute it touches.
fn expected_minute_rows(subscribers: u64, start_ms: u64, seconds: u64) -> u64 {
    let first_minute = start_ms / 60_000;
    let last_minute = (start_ms + (seconds - 1) * 1_000) / 60_000;
    subscribers * (last_minute - first_minute + 1)
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

/// The rates of a batch's entry `i` in second `second`; both protocols carry the same numbers.
fn rates(i: u64, second: u64) -> (u64, u64, u64, u64) {
    (
        10_000_000 + (i * 7_919 + second * 104_729) % 90_000_000,
        2_000_000 + (i * 3_571) % 8_000_000,
        second * 1_250_000,
        second * 250_000,
    )
}

/// The frames of one batch: `chunk_start` is the first subscriber's number.
fn batch_frames(
    protocol: u16,
    names: &[String],
    chunk_start: usize,
    second: u64,
    seq: u64,
    timestamp_ms: u64,
) -> Vec<Frame> {
    if protocol < 2 {
        let entries = names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let (rx_bps, tx_bps, rx_octets_total, tx_octets_total) = rates(i as u64, second);
                SampleEntry {
                    subscriber_key: SubscriberKey::PppoeUsername(name.clone()),
                    rx_bps,
                    tx_bps,
                    rx_octets_total,
                    tx_octets_total,
                }
            })
            .collect();
        return vec![Frame::Samples(Samples {
            batch_seq: seq,
            timestamp_ms,
            entries,
        })];
    }
    let mut frames = Vec::with_capacity(2);
    if second == 0 {
        // The connection's first batches number their subscribers, as the edge agent does.
        frames.push(Frame::SubscriberKeys(SubscriberKeys {
            first_index: u32::try_from(chunk_start).expect("index"),
            keys: names
                .iter()
                .map(|name| SubscriberKey::PppoeUsername(name.clone()))
                .collect(),
        }));
    }
    let entries = (0..names.len())
        .map(|i| {
            let (rx_bps, tx_bps, rx_octets_total, tx_octets_total) = rates(i as u64, second);
            IndexedSampleEntry {
                subscriber_index: u32::try_from(chunk_start + i).expect("index"),
                rx_bps,
                tx_bps,
                rx_octets_total,
                tx_octets_total,
            }
        })
        .collect();
    frames.push(Frame::IndexedSamples(IndexedSamples {
        batch_seq: seq,
        timestamp_ms,
        entries,
    }));
    frames
}

/// The child process: a synthetic agent sending every subscriber's seconds.
async fn run_agent(
    url: String,
    subscribers: u64,
    seconds: u64,
    start_ms: u64,
    batch: u64,
    protocol: u16,
) {
    let (ws, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("connect");
    let (mut sink, mut stream) = ws.split();
    let hello = Frame::Hello(Hello {
        protocol_version: protocol,
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
    let mut seq = 0u64;
    for second in 0..seconds {
        for (chunk_number, chunk) in names.chunks(batch as usize).enumerate() {
            seq += 1;
            let chunk_start = chunk_number * batch as usize;
            let timestamp_ms = start_ms + second * 1_000;
            for frame in batch_frames(protocol, chunk, chunk_start, second, seq, timestamp_ms) {
                let bytes = encode_frame(&frame).expect("encode");
                sink.send(Message::Binary(bytes.into()))
                    .await
                    .expect("send");
            }
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
    let protocol = u16::try_from(env_u64("NETOPS_BENCH_PROTOCOL", PROTOCOL_VERSION.into()))
        .unwrap_or(PROTOCOL_VERSION)
        .clamp(1, PROTOCOL_VERSION);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let now_ms =
        u64::try_from(time::OffsetDateTime::now_utc().unix_timestamp()).expect("time") * 1_000;
    let start_ms = env_u64("NETOPS_BENCH_START_MS", now_ms - seconds * 1_000);
    if let Ok(url) = std::env::var("NETOPS_BENCH_AGENT_URL") {
        runtime.block_on(run_agent(
            url,
            subscribers,
            seconds,
            start_ms,
            batch,
            protocol,
        ));
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

        let rss_before = memory_mib("VmRSS");
        let cpu_before = cpu_time();
        let started = Instant::now();
        let agent = std::process::Command::new(std::env::current_exe().expect("exe"))
            .env("NETOPS_BENCH_AGENT_URL", format!("ws://{addr}/api/v1/agent/ws"))
            .env("NETOPS_BENCH_SUBSCRIBERS", subscribers.to_string())
            .env("NETOPS_BENCH_SECONDS", seconds.to_string())
            .env("NETOPS_BENCH_BATCH", batch.to_string())
            .env("NETOPS_BENCH_PROTOCOL", protocol.to_string())
            .env("NETOPS_BENCH_START_MS", start_ms.to_string())
            .spawn()
            .expect("agent process");
        let status = tokio::task::spawn_blocking(move || {
            let mut agent = agent;
            agent.wait()
        })
        .await
        .expect("join")
        .expect("agent process");
        assert!(status.success(), "agent failed: {status}");
        let streamed = started.elapsed();
        // The last minute closes once the stream has been quiet for the grace; then it and
        // anything the flusher still holds are written.
        let expected_rows = expected_minute_rows(subscribers, start_ms, seconds);
        let minute_rows = || {
            metrics
                .ingest
                .rollup_rows
                .with_label_values(&["bandwidth_minutes"])
                .get()
        };
        let deadline = Instant::now() + Duration::from_secs(1_800);
        while minute_rows() < expected_rows && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let wall = started.elapsed();
        let (cpu_after, sqlite_after) = cpu_time();
        let cpu = cpu_after.saturating_sub(cpu_before.0);
        let sqlite_cpu = sqlite_after.saturating_sub(cpu_before.1);
        let samples = metrics.ingest.samples_ingested.get();
        let rss_after = memory_mib("VmRSS");
        let rss_peak = memory_mib("VmHWM");
        let live_subscribers = live.subscriber_count() as f64;
        let rows = minute_rows();
        println!(
            "ingest (protocol {protocol}): {samples} samples ({subscribers} subscribers x {seconds} s, {batch}/frame) \
             streamed in {:.1} s, stored in {:.1} s: \
             {:.0} samples/s wall, {:.0} samples/s per CPU-second ({:.1} CPU-s, of which \
             {:.1} s SQLite writing rollups; {:.0} samples/s per CPU-second without it); \
             RSS {:.0} MiB before, {:.0} MiB peak, {:.0} MiB after ({:.1} KiB per subscriber); \
             {rows} of {expected_rows} minute rows written",
            streamed.as_secs_f64(),
            wall.as_secs_f64(),
            samples as f64 / wall.as_secs_f64(),
            samples as f64 / cpu.as_secs_f64().max(0.01),
            cpu.as_secs_f64(),
            sqlite_cpu.as_secs_f64(),
            samples as f64 / cpu.saturating_sub(sqlite_cpu).as_secs_f64().max(0.01),
            rss_before,
            rss_peak,
            rss_after,
            (rss_after - rss_before) * 1024.0 / live_subscribers.max(1.0),
        );
        let _ = stop.send(());
        let _ = server.await;
        store.close().await;
    });
}
