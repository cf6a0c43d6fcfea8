//! End-to-end rate accuracy: traffic shaped to a known rate across a veth pair between two
//! network namespaces this test creates; the agent, polling snmpd inside one of them, must
//! report the rate that crossed within ±5 %. What crossed is what the iperf3 server reports it
//! received over the same window, not the shaper's nominal rate: on a loaded machine the sender
//! falls behind, and the link really carries less. Needs root, `ip netns`, `tc`, iperf3 and
//! snmpd.

#[path = "../../drivers/snmp/tests/lab/mod.rs"]
mod lab;

use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use lab::shaped_link::{
    ReceivedTraffic, ShapedLink, Side, DATAGRAM_PAYLOAD_OCTETS, FRAME_OVERHEAD_OCTETS,
};

const SHAPED_BPS: f64 = 20_000_000.0;
const TOLERANCE: f64 = 0.05;
/// The traffic offered, in seconds: longer than the waits and polls before it ends.
const TRAFFIC_SECONDS: u32 = 12;

fn unix_s(at: SystemTime) -> f64 {
    at.duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs_f64()
}

/// One reporting interval of the iperf3 server, in Unix seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Received {
    start_s: f64,
    end_s: f64,
    octets: f64,
}

/// The server's intervals, placed on the wall clock, in octets as the interface counts them
/// (iperf3 counts UDP payload). The report's times count from the test start: after the client
/// was started, and within the second `timestamp.timesecs` names.
fn received_intervals(traffic: &ReceivedTraffic) -> Vec<Received> {
    let on_wire = f64::from(DATAGRAM_PAYLOAD_OCTETS + FRAME_OVERHEAD_OCTETS)
        / f64::from(DATAGRAM_PAYLOAD_OCTETS);
    let report: serde_json::Value = serde_json::from_str(&traffic.json)
        .unwrap_or_else(|e| panic!("iperf3 report: {e}: {}", traffic.json));
    let timesecs = report["start"]["timestamp"]["timesecs"]
        .as_f64()
        .expect("iperf3 start time");
    let test_start_s = unix_s(traffic.client_started).max(timesecs);
    report["intervals"]
        .as_array()
        .expect("iperf3 intervals")
        .iter()
        .map(|interval| {
            let sum = &interval["sum"];
            let at = |field: &str| sum[field].as_f64().expect("interval field");
            Received {
                start_s: test_start_s + at("start"),
                end_s: test_start_s + at("end"),
                octets: at("bytes") * on_wire,
            }
        })
        .collect()
}

/// The rate received between `from_s` and `to_s`: each interval counts with the part of it
/// inside the window (traffic is taken as even within a quarter second).
fn received_bps(intervals: &[Received], from_s: f64, to_s: f64) -> f64 {
    let mut octets = 0.0;
    let mut covered_s = 0.0;
    for interval in intervals {
        let overlap_s = interval.end_s.min(to_s) - interval.start_s.max(from_s);
        let length_s = interval.end_s - interval.start_s;
        if overlap_s > 0.0 && length_s > 0.0 {
            octets += interval.octets * overlap_s / length_s;
            covered_s += overlap_s;
        }
    }
    assert!(
        covered_s >= (to_s - from_s) * 0.9,
        "iperf3 intervals cover {covered_s:.2} s of the {:.2} s window: {intervals:?}",
        to_s - from_s
    );
    octets * 8.0 / covered_s
}

#[test]
fn received_rate_counts_the_part_of_each_interval_inside_the_window() {
    let intervals = [
        Received {
            start_s: 100.0,
            end_s: 100.25,
            octets: 1_000.0,
        },
        Received {
            start_s: 100.25,
            end_s: 100.5,
            octets: 3_000.0,
        },
    ];
    // Half of the first quarter second and all of the second: 3,500 octets in 0.375 s.
    let bps = received_bps(&intervals, 100.125, 100.5);
    assert!((bps - 3_500.0 * 8.0 / 0.375).abs() < 1e-6, "{bps}");
}

#[test]
fn agent_rate_matches_shaped_traffic() {
    let test = "agent_rate_matches_shaped_traffic";
    if let Some(reason) = lab::shaped_link::link_missing() {
        lab::skip_or_fail(test, &reason);
        return;
    }
    let mut link = ShapedLink::create("nr");
    // Everything the far end sends is shaped to exactly SHAPED_BPS.
    link.shape(Side::Far, "20mbit");
    let Some(snmpd) = lab::LabSnmpd::start_in_netns(test, &link.device_ns, "127.0.0.1") else {
        return;
    };
    // Offer twice the shaped rate for a bounded time; the shaper drops the excess.
    link.send_udp(Side::Far, "40M", TRAFFIC_SECONDS);
    // Polls start once a second of shaped traffic has gone through.
    link.wait_for_traffic(Side::Far, (SHAPED_BPS / 8.0) as u64, Duration::from_secs(5));
    let (ns_a, veth_a) = (link.device_ns.clone(), link.device_veth.clone());

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
    let mut windows = Vec::new();
    for _ in 0..3 {
        let before = SystemTime::now();
        let output = Command::new("ip")
            .args(["netns", "exec", &ns_a])
            .arg(env!("CARGO_BIN_EXE_edge-agent"))
            .args(["poll", "--device", "rate-lab", "--once", "--config"])
            .arg(&config)
            .env("RUST_LOG", "off")
            .output()
            .expect("edge-agent poll");
        // Both polls of `poll --once` fall inside the run.
        windows.push((unix_s(before), unix_s(SystemTime::now())));
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
    let received =
        received_intervals(&link.received(Duration::from_secs(u64::from(TRAFFIC_SECONDS) + 10)));
    let mut errors: Vec<(f64, f64, f64)> = measured
        .iter()
        .zip(&windows)
        .map(|(agent_bps, (from_s, to_s))| {
            let crossed_bps = received_bps(&received, *from_s, *to_s);
            (
                (agent_bps - crossed_bps) / crossed_bps,
                *agent_bps,
                crossed_bps,
            )
        })
        .collect();
    eprintln!(
        "agent rates for {veth_a} (agent b/s, received by iperf3 b/s): {:?}, shaped {SHAPED_BPS} b/s",
        errors.iter().map(|(_, a, r)| (*a, *r)).collect::<Vec<_>>()
    );
    errors.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (error, agent_bps, crossed_bps) = errors[1];
    assert!(
        error.abs() <= TOLERANCE,
        "agent measured {agent_bps} b/s where iperf3 received {crossed_bps} b/s over the same \
         window: {:.1} % off (all: {errors:?})",
        error * 100.0
    );
    // The link carried shaped traffic, not a trickle the comparison would pass trivially.
    assert!(
        crossed_bps > SHAPED_BPS * 0.5 && crossed_bps <= SHAPED_BPS * 1.05,
        "iperf3 received {crossed_bps} b/s through a {SHAPED_BPS} b/s shaper"
    );
    drop(snmpd);
}
