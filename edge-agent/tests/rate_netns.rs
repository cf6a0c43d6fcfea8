//! End-to-end rate accuracy: traffic shaped to a known rate across a veth pair between two
//! network namespaces this test creates; the agent, polling snmpd inside one of them, must
//! report that rate within ±5 %. Needs root, `ip netns`, `tc`, iperf3 and snmpd.

#[path = "../../drivers/snmp/tests/lab/mod.rs"]
mod lab;

use std::process::Command;
use std::time::Duration;

use lab::shaped_link::{ShapedLink, Side};

const SHAPED_BPS: f64 = 20_000_000.0;
const TOLERANCE: f64 = 0.05;

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
    // Offer twice the shaped rate for a bounded 12 s; the shaper drops the excess.
    link.send_udp(Side::Far, "40M", 12);
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
