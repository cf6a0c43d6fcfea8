//! End-to-end rate accuracy: traffic shaped to a known rate across a veth pair between two
//! network namespaces this test creates; the agent, polling snmpd inside one of them, must
//! report that rate within ±5 %. Needs root, `ip netns`, `tc`, iperf3 and snmpd.

#[path = "../../drivers/snmp/tests/lab/mod.rs"]
mod lab;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

const SHAPED_BPS: f64 = 20_000_000.0;
const TOLERANCE: f64 = 0.05;

/// Namespaces, the veth pair inside them and the traffic processes; removed on drop.
struct RateLab {
    ns_snmpd: String,
    ns_sender: String,
    children: Vec<Child>,
}

impl Drop for RateLab {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
        for ns in [&self.ns_snmpd, &self.ns_sender] {
            let _ = Command::new("ip").args(["netns", "del", ns]).output();
        }
    }
}

fn run(args: &[&str]) {
    let output = Command::new(args[0])
        .args(&args[1..])
        .output()
        .unwrap_or_else(|error| panic!("{args:?}: {error}"));
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn in_ns(ns: &str, args: &[&str]) {
    let mut full = vec!["ip", "netns", "exec", ns];
    full.extend_from_slice(args);
    run(&full);
}

fn tool_missing() -> Option<String> {
    if let Some(reason) = lab::snmpd_missing().or_else(lab::netns_missing) {
        return Some(reason);
    }
    for tool in ["iperf3", "tc"] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|output| output.status.success());
        if !found {
            return Some(format!(
                "{tool} is not installed (apt-get install -y iperf3 iproute2)"
            ));
        }
    }
    None
}

#[test]
fn agent_rate_matches_shaped_traffic() {
    let test = "agent_rate_matches_shaped_traffic";
    if let Some(reason) = tool_missing() {
        lab::skip_or_fail(test, &reason);
        return;
    }
    let id = std::process::id() % 100_000;
    let mut rate_lab = RateLab {
        ns_snmpd: format!("netops-rate-a-{id}"),
        ns_sender: format!("netops-rate-b-{id}"),
        children: Vec::new(),
    };
    let (ns_a, ns_b) = (rate_lab.ns_snmpd.clone(), rate_lab.ns_sender.clone());
    let (veth_a, veth_b) = (format!("nra{id}"), format!("nrb{id}"));
    run(&["ip", "netns", "add", &ns_a]);
    run(&["ip", "netns", "add", &ns_b]);
    run(&[
        "ip", "link", "add", &veth_a, "netns", &ns_a, "type", "veth", "peer", "name", &veth_b,
        "netns", &ns_b,
    ]);
    in_ns(
        &ns_a,
        &["ip", "addr", "add", "10.213.0.1/30", "dev", &veth_a],
    );
    in_ns(
        &ns_b,
        &["ip", "addr", "add", "10.213.0.2/30", "dev", &veth_b],
    );
    for (ns, veth) in [(&ns_a, &veth_a), (&ns_b, &veth_b)] {
        in_ns(ns, &["ip", "link", "set", "lo", "up"]);
        in_ns(ns, &["ip", "link", "set", veth, "up"]);
    }
    // Everything leaving the sender's veth is shaped to exactly SHAPED_BPS.
    in_ns(
        &ns_b,
        &[
            "tc", "qdisc", "add", "dev", &veth_b, "root", "tbf", "rate", "20mbit", "burst", "32kb",
            "latency", "100ms",
        ],
    );
    let Some(snmpd) = lab::LabSnmpd::start_in_netns(test, &ns_a, "127.0.0.1") else {
        return;
    };
    let server = Command::new("ip")
        .args([
            "netns",
            "exec",
            &ns_a,
            "iperf3",
            "-s",
            "-1",
            "-B",
            "10.213.0.1",
            "-p",
            "5201",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("iperf3 server");
    rate_lab.children.push(server);
    std::thread::sleep(Duration::from_millis(500));
    // Offer twice the shaped rate for a bounded 12 s; the shaper drops the excess.
    let client = Command::new("ip")
        .args([
            "netns",
            "exec",
            &ns_b,
            "iperf3",
            "-c",
            "10.213.0.1",
            "-p",
            "5201",
            "-u",
            "-b",
            "40M",
            "-l",
            "1400",
            "-t",
            "12",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("iperf3 client");
    rate_lab.children.push(client);
    std::thread::sleep(Duration::from_secs(2));

    let dir = tempfile::tempdir().expect("tempdir");
    let profiles = lab::workspace_root().join("config").join("profiles");
    let config = dir.path().join("edge-agent.toml");
    std::fs::write(
        &config,
        format!(
            "profiles_dir = \"{}\"\n[agent]\nid = \"rate\"\n[control_plane]\nurl = \"ws://127.0.0.1:1/agent\"\ntoken = \"t\"\n[spool]\ndir = \"spool\"\n[[devices]]\nname = \"rate-lab\"\naddress = \"{}\"\nsnmp = {{ version = \"2c\", community = \"{}\" }}\n",
            profiles.display(),
            snmpd.endpoint,
            lab::COMMUNITY
        ),
    )
    .expect("config");
    let mut measured = Vec::new();
    for _ in 0..3 {
        let output = Command::new("ip")
            .args(["netns", "exec", &ns_a])
            .arg(env!("CARGO_BIN_EXE_edge-agent"))
            .args(["poll", "--device", "rate-lab", "--once", "--config"])
            .arg(&config)
            .env("RUST_LOG", "off")
            .output()
            .expect("edge-agent poll");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let line = stdout
            .lines()
            .find(|line| line.split_whitespace().nth(1) == Some(veth_a.as_str()))
            .unwrap_or_else(|| panic!("{veth_a} not in:\n{stdout}"));
        let in_bps: f64 = line
            .split_whitespace()
            .nth(2)
            .and_then(|cell| cell.parse().ok())
            .unwrap_or_else(|| panic!("no IN_BPS in {line}"));
        measured.push(in_bps);
    }
    eprintln!("agent rates for {veth_a}: {measured:?} b/s, shaped {SHAPED_BPS} b/s");
    measured.sort_by(f64::total_cmp);
    let median = measured[1];
    let error = (median - SHAPED_BPS).abs() / SHAPED_BPS;
    assert!(
        error <= TOLERANCE,
        "agent measured {median} b/s (all: {measured:?}), shaped rate {SHAPED_BPS} b/s: {:.1} % off",
        error * 100.0
    );
    drop(snmpd);
}
