//! `systemctl reload` on the `edge-agent` process: SIGHUP re-reads the configuration; an invalid
//! file is logged and ignored; a valid one restarts only the devices it adds, removes or changes,
//! without reconnecting the uplink or touching the spool; SIGTERM stops the agent cleanly.
//! Devices are simulated BRAS answering SNMP on 127.0.0.1; the control plane is the uplink test
//! peer, which here never acknowledges, so every batch stays in the spool.

mod uplink_support;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use netops_snmp::simulator::{SimulatedBras, SimulatedSession};
use uplink_support::{Behaviour, ControlPlane, AGENT_ID, TOKEN};

const WAIT: Duration = Duration::from_secs(30);
const COMMUNITY: &str = "public";

/// Stops the agent process if a test fails half-way.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Every line the agent logged so far.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<String>>>);

impl Logs {
    fn collect(&self, child: &mut Child) {
        let stderr = child.stderr.take().expect("piped stderr");
        let lines = Arc::clone(&self.0);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                lines.lock().unwrap().push(line);
            }
        });
    }

    fn count(&self) -> usize {
        self.0.lock().unwrap().len()
    }

    fn since(&self, from: usize) -> Vec<String> {
        self.0.lock().unwrap()[from..].to_vec()
    }

    async fn wait_for_line(&self, from: usize, parts: &[&str]) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(line) = self
                .since(from)
                .into_iter()
                .find(|line| parts.iter().all(|part| line.contains(part)))
            {
                return line;
            }
            assert!(
                Instant::now() < deadline,
                "no log line with {parts:?}; logged:\n{}",
                self.since(from).join("\n")
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

struct Device<'a> {
    name: &'a str,
    bras: &'a SimulatedBras,
    community: &'a str,
}

fn write_config(
    path: &Path,
    control_plane: &ControlPlane,
    metrics_port: u16,
    extra: &str,
    devices: &[Device],
) {
    let profiles = Path::new(env!("CARGO_MANIFEST_DIR")).join("../config/profiles");
    let mut text = format!(
        "profiles_dir = \"{}\"\n[agent]\nid = \"{AGENT_ID}\"\n[control_plane]\nurl = \"ws://127.0.0.1:{}\"\ntoken = \"{TOKEN}\"\n[spool]\ndir = \"spool\"\n[metrics]\nlisten = \"127.0.0.1:{metrics_port}\"\n{extra}\n",
        profiles.display(),
        control_plane.addr.port(),
    );
    for device in devices {
        text.push_str(&format!(
            "[[devices]]\nname = \"{}\"\naddress = \"{}\"\nkind = \"bras\"\nprofile = \"mikrotik-pppoe-bras\"\ntimeout_ms = 300\nretries = 0\nsnmp = {{ version = \"2c\", community = \"{}\" }}\n",
            device.name,
            device.bras.local_addr(),
            device.community
        ));
    }
    std::fs::write(path, text).expect("write the configuration");
}

fn hangup(child: &Child) {
    let status = Command::new("kill")
        .args(["-HUP", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A sample's value on the agent's `/metrics`, 0 when the series does not exist (yet).
async fn metric(port: u16, series: &str) -> f64 {
    let text = http_get(port, "/metrics").await.unwrap_or_default();
    text.lines()
        .find(|line| line.starts_with(series) && line[series.len()..].starts_with(' '))
        .and_then(|line| line.rsplit(' ').next())
        .map(|value| value.parse().expect("a number"))
        .unwrap_or(0.0)
}

/// The body of `GET path` on 127.0.0.1:port (HTTP/1.0, so the server closes when done).
async fn http_get(port: u16, path: &str) -> Option<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .ok()?;
    let request = format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
    stream.write_all(request.as_bytes()).await.ok()?;
    let mut response = String::new();
    tokio::time::timeout(WAIT, stream.read_to_string(&mut response))
        .await
        .ok()?
        .ok()?;
    response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
}

fn polls(device: &str) -> String {
    format!("netops_agent_poll_latency_seconds_count{{device=\"{device}\"}}")
}

async fn wait_metric_above(port: u16, series: &str, above: f64) -> f64 {
    let deadline = Instant::now() + WAIT;
    loop {
        let value = metric(port, series).await;
        if value > above {
            return value;
        }
        assert!(Instant::now() < deadline, "{series} stayed at {value}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn spool_files(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .expect("spool folder")
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

fn session(user: &str) -> SimulatedSession {
    SimulatedSession {
        username: user.into(),
        download_bps: 10e6,
        upload_bps: 2e6,
        swing: 0.0,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_restarts_only_changed_devices_and_keeps_the_uplink() {
    let bras_a = SimulatedBras::start("127.0.0.1:0", COMMUNITY, vec![session("alice")])
        .await
        .expect("BRAS a starts");
    let bras_b = SimulatedBras::start("127.0.0.1:0", COMMUNITY, vec![session("bob")])
        .await
        .expect("BRAS b starts");
    let behaviour = Behaviour::default();
    behaviour
        .ack_from_connection
        .store(u64::MAX, Ordering::SeqCst);
    let mut control_plane = ControlPlane::start_with(behaviour).await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("edge-agent.toml");
    let metrics_port = free_port();
    let a = |community| Device {
        name: "a",
        bras: &bras_a,
        community,
    };
    let b = |community| Device {
        name: "b",
        bras: &bras_b,
        community,
    };
    // b starts with a wrong community: it never answers, so it is never identified.
    write_config(
        &config,
        &control_plane,
        metrics_port,
        "[log]\nfilter = \"warn\"",
        &[a(COMMUNITY), b("wrong")],
    );

    let mut child = Command::new(env!("CARGO_BIN_EXE_edge-agent"))
        .args(["run", "--config"])
        .arg(&config)
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the agent");
    let logs = Logs::default();
    logs.collect(&mut child);
    let mut child = Running(child);

    control_plane
        .wait_for("samples from device a", |view| view.batches.len() >= 2)
        .await;
    wait_metric_above(metrics_port, &polls("a"), 0.0).await;
    wait_metric_above(
        metrics_port,
        "netops_agent_poll_errors_total{device=\"b\",kind=\"timeout\"}",
        0.0,
    )
    .await;
    assert_eq!(metric(metrics_port, &polls("b")).await, 0.0);
    let spool_dir = dir.path().join("spool");
    let spooled_before = spool_files(&spool_dir);
    let pending_before =
        wait_metric_above(metrics_port, "netops_agent_spool_pending_batches", 0.0).await;

    // An invalid file: each problem is logged, nothing changes.
    std::fs::write(&config, "[agent]\nid = \"\"\nunknown_key = 1\n").unwrap();
    let before = logs.count();
    hangup(&child.0);
    logs.wait_for_line(before, &["configuration problem", "unknown_key"])
        .await;
    logs.wait_for_line(before, &["configuration reload refused"])
        .await;
    let polled_a = metric(metrics_port, &polls("a")).await;
    wait_metric_above(metrics_port, &polls("a"), polled_a + 1.0).await;
    assert_eq!(metric(metrics_port, &polls("b")).await, 0.0);

    // A valid file: b's community fixed, c added, a unchanged; the log filter goes to info.
    let c = Device {
        name: "c",
        bras: &bras_a,
        community: COMMUNITY,
    };
    write_config(
        &config,
        &control_plane,
        metrics_port,
        "[log]\nfilter = \"info\"",
        &[a(COMMUNITY), b(COMMUNITY), c],
    );
    let before = logs.count();
    hangup(&child.0);
    logs.wait_for_line(before, &["configuration reloaded"])
        .await;
    logs.wait_for_line(
        before,
        &["devices reloaded", "added=[\"c\"]", "restarted=[\"b\"]"],
    )
    .await;
    wait_metric_above(metrics_port, &polls("b"), 0.0).await;
    wait_metric_above(metrics_port, &polls("c"), 0.0).await;
    logs.wait_for_line(before, &["device identified", "device=b"])
        .await;
    logs.wait_for_line(before, &["device identified", "device=c"])
        .await;
    assert!(
        !logs
            .since(before)
            .iter()
            .any(|line| line.contains("device identified") && line.contains("device=a ")),
        "device a was restarted:\n{}",
        logs.since(before).join("\n")
    );

    // Removing c stops its polls and nothing else.
    write_config(
        &config,
        &control_plane,
        metrics_port,
        "[log]\nfilter = \"info\"",
        &[a(COMMUNITY), b(COMMUNITY)],
    );
    let before = logs.count();
    hangup(&child.0);
    logs.wait_for_line(before, &["devices reloaded", "removed=[\"c\"]"])
        .await;
    let polled_c = metric(metrics_port, &polls("c")).await;
    let polled_a = metric(metrics_port, &polls("a")).await;
    wait_metric_above(metrics_port, &polls("a"), polled_a + 3.0).await;
    assert_eq!(
        metric(metrics_port, &polls("c")).await,
        polled_c,
        "c is still polled"
    );

    // One uplink connection all along, the spool kept every segment and every batch.
    let view = control_plane.view();
    assert_eq!(view.connections, 1, "the uplink reconnected");
    assert_eq!(view.hellos.len(), 1);
    let spooled_after = spool_files(&spool_dir);
    assert!(
        spooled_before.is_subset(&spooled_after),
        "spool files disappeared: before {spooled_before:?}, after {spooled_after:?}"
    );
    let pending_after = metric(metrics_port, "netops_agent_spool_pending_batches").await;
    assert!(
        pending_after >= pending_before,
        "{pending_after} < {pending_before}"
    );

    // SIGTERM (systemctl stop) ends the agent cleanly.
    let status = Command::new("kill")
        .args(["-TERM", &child.0.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
    let deadline = Instant::now() + WAIT;
    let exit = loop {
        if let Some(exit) = child.0.try_wait().unwrap() {
            break exit;
        }
        assert!(
            Instant::now() < deadline,
            "the agent did not stop on SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(exit.success(), "{exit:?}");
    control_plane.stop().await;
}
