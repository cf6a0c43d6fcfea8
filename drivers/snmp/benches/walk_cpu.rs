//! Benchmark: client CPU per varbind walking a BRAS-sized ifXTable (2,000 `<pppoe-USER>`
//! interfaces, 5 columns) from the same snmpsim responder, netops's `TableWalk` against
//! net-snmp's `snmpbulkwalk`, both with max-repetitions 25, in the same run.
//!
//! Run: `cargo bench -p netops-snmp --bench walk_cpu` (needs `snmpsim` and `snmp` from Debian;
//! NETOPS_BENCH_WALKS, default 5, sets the walks per client). Only 127.0.0.1 is contacted.

use std::io::Write as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use netops_snmp::client::{
    Secret, SharedTransport, SnmpCredentials, SnmpSession, SnmpTarget, TableWalk,
};
use netops_snmp::Oid;

const INTERFACES: u32 = 2_000;
const COLUMNS: [u32; 5] = [1, 6, 10, 15, 19];
const IF_X_ENTRY: &str = "1.3.6.1.2.1.31.1.1.1";

/// User and system CPU seconds of this process and of its waited-for children.
fn cpu_seconds() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    let fields: Vec<f64> = after_name
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0.0))
        .collect();
    // After the name: state is index 0, so utime/stime are 11/12, cutime/cstime 13/14.
    let tick = 100.0;
    let get = |i: usize| fields.get(i).copied().unwrap_or(0.0) / tick;
    (get(11) + get(12), get(13) + get(14))
}

fn write_recording(dir: &std::path::Path) {
    let mut rows = vec![
        "1.3.6.1.2.1.1.1.0|4|RouterOS CCR2004 (benchmark recording)".to_owned(),
        "1.3.6.1.2.1.1.3.0|67|123456".to_owned(),
    ];
    for column in COLUMNS {
        for i in 0..INTERFACES {
            let index = 1_000 + i;
            let value = match column {
                1 => format!("4|<pppoe-user{i:05}>"),
                6 | 10 => format!("70|{}", 1_000_000_000u64 * u64::from(i + 1)),
                15 => "66|1000".to_owned(),
                _ => "67|0".to_owned(),
            };
            rows.push(format!("{IF_X_ENTRY}.{column}.{index}|{value}"));
        }
    }
    let mut file = std::fs::File::create(dir.join("bras.snmprec")).expect("recording");
    file.write_all((rows.join("\n") + "\n").as_bytes())
        .expect("write recording");
}

fn main() {
    let walks: u32 = std::env::var("NETOPS_BENCH_WALKS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5)
        .clamp(1, 50);
    let work = tempfile::Builder::new()
        .prefix("netops-walk-bench")
        .tempdir_in("/tmp")
        .expect("tempdir");
    let data = work.path().join("data");
    let cache = work.path().join("cache");
    std::fs::create_dir_all(&data).expect("data dir");
    std::fs::create_dir_all(&cache).expect("cache dir");
    write_recording(&data);
    let _ = Command::new("chmod")
        .args(["-R", "a+rwX"])
        .arg(work.path())
        .status();
    let port = std::net::UdpSocket::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let address = format!("127.0.0.1:{port}");
    let mut sim = Command::new("snmpsimd");
    sim.arg(format!("--data-dir={}", data.display()))
        .arg(format!("--cache-dir={}", cache.display()))
        .arg(format!("--agent-udpv4-endpoint={address}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if std::env::var("USER").as_deref() == Ok("root")
        || std::fs::metadata("/root").map(|_| true).unwrap_or(false)
    {
        sim.args(["--process-user=nobody", "--process-group=nogroup"]);
    }
    let mut sim = match sim.spawn() {
        Ok(child) => child,
        Err(err) => {
            eprintln!("snmpsimd is not available ({err}); apt-get install snmpsim snmp");
            return;
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let root: Oid = IF_X_ENTRY.parse().expect("oid");
    let (ours_cpu, ours_varbinds, ours_wall) = runtime.block_on(async {
        let transport = SharedTransport::bind(false).await.expect("socket");
        let target = SnmpTarget {
            address: address.clone(),
            credentials: SnmpCredentials::V2c {
                community: Secret::new("bras"),
            },
            timeout: Duration::from_secs(5),
            retries: 2,
            max_repetitions: 25,
        };
        let session = SnmpSession::open(target, &transport)
            .await
            .expect("session");
        // Wait until snmpsim has indexed the recording and answers.
        let deadline = Instant::now() + Duration::from_secs(60);
        while TableWalk::run(&session, std::slice::from_ref(&root))
            .await
            .is_err()
        {
            assert!(Instant::now() < deadline, "snmpsim did not answer");
        }
        let (cpu0, _) = cpu_seconds();
        let start = Instant::now();
        let mut varbinds = 0usize;
        for _ in 0..walks {
            let walk = TableWalk::run(&session, std::slice::from_ref(&root))
                .await
                .expect("walk");
            varbinds += walk.columns.iter().map(Vec::len).sum::<usize>();
        }
        (cpu_seconds().0 - cpu0, varbinds, start.elapsed())
    });
    let (_, child0) = cpu_seconds();
    let start = Instant::now();
    let mut theirs_varbinds = 0usize;
    for _ in 0..walks {
        let out = Command::new("snmpbulkwalk")
            .args([
                "-v2c", "-c", "bras", "-Cr25", "-On", "-t", "5", &address, IF_X_ENTRY,
            ])
            .output()
            .expect("snmpbulkwalk");
        theirs_varbinds += String::from_utf8_lossy(&out.stdout).lines().count();
    }
    let theirs_wall = start.elapsed();
    let theirs_cpu = cpu_seconds().1 - child0;
    let _ = sim.kill();
    let _ = sim.wait();
    let per = |cpu: f64, n: usize| cpu * 1e6 / n.max(1) as f64;
    println!("{walks} walks of {INTERFACES} interfaces × {} columns, max-repetitions 25, snmpsim on loopback", COLUMNS.len());
    println!("netops TableWalk: {ours_varbinds} varbinds, {ours_cpu:.2} s CPU, {:.2} µs CPU/varbind, wall {:.1} s", per(ours_cpu, ours_varbinds), ours_wall.as_secs_f64());
    println!("snmpbulkwalk:     {theirs_varbinds} varbinds, {theirs_cpu:.2} s CPU, {:.2} µs CPU/varbind, wall {:.1} s", per(theirs_cpu, theirs_varbinds), theirs_wall.as_secs_f64());
    println!(
        "ratio netops ÷ snmpbulkwalk CPU per varbind: {:.2}× (CPU clock ticks are 10 ms; raise NETOPS_BENCH_WALKS for precision)",
        per(ours_cpu, ours_varbinds) / per(theirs_cpu, theirs_varbinds)
    );
}
