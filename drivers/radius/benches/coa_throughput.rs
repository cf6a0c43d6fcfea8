//! Benchmark: CoA-Requests per second from `netops-radius` to a FreeRADIUS Dynamic
//! Authorization listener (`lab/radius-dac.sh`), against FreeRADIUS's own `radclient` sending
//! the same CoA-Requests (User-Name, Acct-Session-Id, Mikrotik-Rate-Limit, Event-Timestamp,
//! Message-Authenticator) to the same listener in the same run, with the same number in flight.
//! Rounds alternate between the two so load on the machine hits both alike; the medians are
//! reported, with each client's CPU time per request (its own process for netops, the waited-for
//! child for radclient). Every answer must be an ACK, or the benchmark fails.
//!
//! Run: `cargo bench -p netops-radius --bench coa_throughput` (NETOPS_BENCH_COA_REQUESTS, default
//! 5000 per round; NETOPS_BENCH_COA_IN_FLIGHT, default 32; NETOPS_BENCH_ROUNDS, default 5).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use netops_radius::{DacClient, DacReply, Nas, RateLimit, RetryPolicy, SessionIdent};

const SECRET: &str = "bench-dac-secret";
const USER: &str = "rahim.gulshan";
const SESSION: &str = "81a00001";

fn env_number(name: &str, default: usize, max: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(default)
        .clamp(1, max)
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../lab/radius-dac.sh")
}

/// The listener, stopped on drop.
struct Listener {
    run: tempfile::TempDir,
    addr: SocketAddr,
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = Command::new(script())
            .arg("stop")
            .arg(self.run.path())
            .status();
    }
}

fn start_listener() -> Listener {
    let port = std::net::UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .expect("free port")
        .port();
    let run = tempfile::tempdir().expect("tempdir");
    let status = Command::new(script())
        .arg("start")
        .arg(port.to_string())
        .arg(run.path())
        .arg(SECRET)
        .arg(format!("{USER}:{SESSION}"))
        .status()
        .expect("lab/radius-dac.sh runs (is freeradius installed?)");
    assert!(status.success(), "lab/radius-dac.sh start failed");
    Listener {
        run,
        addr: SocketAddr::from(([127, 0, 0, 1], port)),
    }
}

/// CPU seconds of this process (`self`) and of its waited-for children, from /proc.
fn cpu_s() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')').expect("stat format") + 2..];
    let fields: Vec<f64> = rest.split(' ').map(|f| f.parse().unwrap_or(0.0)).collect();
    // utime, stime, cutime, cstime are fields 14-17 of the line, 12-15 after the name.
    let ticks = 100.0;
    (
        (fields[11] + fields[12]) / ticks,
        (fields[13] + fields[14]) / ticks,
    )
}

struct Round {
    requests_per_s: f64,
    cpu_us_per_request: f64,
}

async fn netops_round(
    client: &Arc<DacClient>,
    nas: &Nas,
    requests: usize,
    in_flight: usize,
) -> Round {
    let session = SessionIdent {
        acct_session_id: Some(SESSION.to_owned()),
        ..SessionIdent::user(USER)
    };
    let rate = RateLimit::Mikrotik {
        upload_kbps: 25_000,
        download_kbps: 100_000,
    };
    let left = Arc::new(AtomicUsize::new(requests));
    let (cpu_before, _) = cpu_s();
    let started = Instant::now();
    let mut workers = Vec::with_capacity(in_flight);
    for _ in 0..in_flight {
        let (client, nas, session, rate, left) = (
            client.clone(),
            nas.clone(),
            session.clone(),
            rate.clone(),
            left.clone(),
        );
        workers.push(tokio::spawn(async move {
            while left
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                .is_ok()
            {
                let reply = client.change_rate(&nas, &session, &rate).await;
                assert_eq!(
                    reply.expect("an answer"),
                    DacReply::Ack,
                    "every CoA is ACKed"
                );
            }
        }));
    }
    for worker in workers {
        worker.await.expect("worker");
    }
    let elapsed = started.elapsed();
    let (cpu_after, _) = cpu_s();
    Round {
        requests_per_s: requests as f64 / elapsed.as_secs_f64(),
        cpu_us_per_request: (cpu_after - cpu_before) * 1e6 / requests as f64,
    }
}

fn radclient_round(listener: &Listener, requests: usize, in_flight: usize) -> Round {
    let event_timestamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let packet = format!(
        "User-Name = \"{USER}\"\nAcct-Session-Id = \"{SESSION}\"\n\
         Mikrotik-Rate-Limit = \"25000k/100000k\"\nEvent-Timestamp = {event_timestamp}\n\
         Message-Authenticator = 0x00\n\n"
    );
    let file = listener.run.path().join("coa-requests.txt");
    std::fs::write(&file, packet.repeat(requests)).expect("request file");
    let (_, cpu_before) = cpu_s();
    let started = Instant::now();
    let output = Command::new("radclient")
        .args(["-s", "-q", "-r", "3", "-t", "1", "-p"])
        .arg(in_flight.to_string())
        .arg("-f")
        .arg(&file)
        .arg(listener.addr.to_string())
        .args(["coa", SECRET])
        .output()
        .expect("radclient runs (Debian package freeradius-utils)");
    let elapsed = started.elapsed();
    let (_, cpu_after) = cpu_s();
    let summary = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "radclient failed: {summary}");
    assert!(
        summary.contains(&format!("Accepted      : {requests}")),
        "radclient saw every CoA ACKed: {summary}"
    );
    Round {
        requests_per_s: requests as f64 / elapsed.as_secs_f64(),
        cpu_us_per_request: (cpu_after - cpu_before) * 1e6 / requests as f64,
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let requests = env_number("NETOPS_BENCH_COA_REQUESTS", 5_000, 200_000);
    let in_flight = env_number("NETOPS_BENCH_COA_IN_FLIGHT", 32, 200);
    let rounds = env_number("NETOPS_BENCH_ROUNDS", 5, 50);
    let listener = start_listener();
    // One thread, as radclient has.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let client = runtime.block_on(async {
        DacClient::bind(
            "127.0.0.1:0".parse().expect("address"),
            RetryPolicy {
                first_timeout: Duration::from_secs(1),
                attempts: 4,
            },
        )
        .await
        .expect("bind")
    });
    let client = Arc::new(client);
    let nas = Nas::new(listener.addr, SECRET);
    // A warm-up of each, not counted.
    runtime.block_on(netops_round(&client, &nas, requests.min(500), in_flight));
    radclient_round(&listener, requests.min(500), in_flight);

    let (mut netops, mut radclient) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        netops.push(runtime.block_on(netops_round(&client, &nas, requests, in_flight)));
        radclient.push(radclient_round(&listener, requests, in_flight));
    }
    let retransmissions = client.stats().retransmissions.load(Ordering::Relaxed);
    let rate = |r: &[Round]| median(r.iter().map(|r| r.requests_per_s).collect());
    let cpu = |r: &[Round]| median(r.iter().map(|r| r.cpu_us_per_request).collect());
    let (netops_rate, radclient_rate) = (rate(&netops), rate(&radclient));
    let (netops_cpu, radclient_cpu) = (cpu(&netops), cpu(&radclient));
    println!(
        "CoA-Requests to FreeRADIUS, {requests} per round, {in_flight} in flight, {rounds} rounds (medians)"
    );
    println!("  netops-radius: {netops_rate:>9.0} requests/s, {netops_cpu:>6.1} µs client CPU per request ({retransmissions} retransmissions)");
    println!("  radclient:     {radclient_rate:>9.0} requests/s, {radclient_cpu:>6.1} µs client CPU per request");
    println!(
        "  ratio: {:.2}× radclient's throughput, {:.2}× its CPU per request",
        netops_rate / radclient_rate,
        netops_cpu / radclient_cpu
    );
}
