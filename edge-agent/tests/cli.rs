//! The `edge-agent` command line: check-config, check and poll --once against a real snmpd.

#[path = "../../drivers/snmp/tests/lab/mod.rs"]
mod lab;

use std::process::Command;

fn edge_agent() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_edge-agent"));
    command.env("RUST_LOG", "off");
    command
}

fn write_config(dir: &std::path::Path, devices: &str) -> std::path::PathBuf {
    let profiles = lab::workspace_root().join("config").join("profiles");
    let text = format!(
        "profiles_dir = \"{}\"\n[agent]\nid = \"lab\"\n[control_plane]\nurl = \"ws://127.0.0.1:1/agent\"\ntoken = \"t\"\n[spool]\ndir = \"spool\"\n{devices}",
        profiles.display()
    );
    let path = dir.join("edge-agent.toml");
    std::fs::write(&path, text).expect("write config");
    path
}

#[test]
fn check_config_reports_every_problem() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bad.toml");
    std::fs::write(
        &path,
        "[[devices]]\naddress = \"10.0.0.1\"\nsnmp = { version = \"3\", user = \"u\" }\n",
    )
    .expect("write");
    let output = edge_agent()
        .args(["check-config", "--config"])
        .arg(&path)
        .output()
        .expect("run");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    for key in [
        "agent.id",
        "control_plane.url",
        "spool.dir",
        "devices[0].name",
        "devices[0].snmp.auth_password",
    ] {
        assert!(stderr.contains(key), "{key} missing from: {stderr}");
    }
}

#[test]
fn the_shipped_example_is_valid_apart_from_its_token_file() {
    let example = lab::workspace_root().join("config").join("edge-agent.toml");
    let text = std::fs::read_to_string(example).expect("example config");
    let dir = tempfile::tempdir().expect("tempdir");
    let token = dir.path().join("agent.token");
    std::fs::write(&token, "token").expect("token");
    let text = text
        .replace("/etc/netops/agent.token", &token.display().to_string())
        .replace(
            "profiles_dir = \"profiles\"",
            &format!(
                "profiles_dir = \"{}\"",
                lab::workspace_root()
                    .join("config")
                    .join("profiles")
                    .display()
            ),
        );
    let path = dir.path().join("edge-agent.toml");
    std::fs::write(&path, text).expect("write");
    let output = edge_agent()
        .args(["check-config", "--config"])
        .arg(&path)
        .output()
        .expect("run");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn check_lists_devices_and_fails_on_an_unreachable_one() {
    let Some(snmpd) = lab::LabSnmpd::start("check_lists_devices_and_fails_on_an_unreachable_one")
    else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let dead = format!("127.0.0.1:{}", lab::unused_udp_port());
    let devices = format!(
        "[[devices]]\nname = \"lab-snmpd\"\naddress = \"{}\"\nsnmp = {{ version = \"2c\", community = \"{}\" }}\n[[devices]]\nname = \"dead\"\naddress = \"{dead}\"\ntimeout_ms = 200\nretries = 0\nsnmp = {{ version = \"2c\", community = \"x\" }}\n",
        snmpd.endpoint,
        lab::COMMUNITY
    );
    let path = write_config(dir.path(), &devices);
    let output = edge_agent()
        .args(["check", "--config"])
        .arg(&path)
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success(), "{stdout}");
    let good = stdout
        .lines()
        .find(|line| line.starts_with("lab-snmpd"))
        .expect(&stdout);
    assert!(
        good.contains(" ok ") && good.contains("generic-if-mib") && good.contains(lab::SYS_DESCR),
        "{good}"
    );
    let dead = stdout
        .lines()
        .find(|line| line.starts_with("dead"))
        .expect(&stdout);
    assert!(dead.contains("FAIL"), "{dead}");
    assert!(
        !stdout.contains(lab::COMMUNITY),
        "the community must never print: {stdout}"
    );
}

#[test]
fn poll_once_prints_interfaces_with_rates() {
    let Some(snmpd) = lab::LabSnmpd::start("poll_once_prints_interfaces_with_rates") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let devices = format!(
        "[[devices]]\nname = \"lab-snmpd\"\naddress = \"{}\"\nsnmp = {{ version = \"2c\", community = \"{}\" }}\n",
        snmpd.endpoint,
        lab::COMMUNITY
    );
    let path = write_config(dir.path(), &devices);
    let output = edge_agent()
        .args(["poll", "--device", "lab-snmpd", "--once", "--config"])
        .arg(&path)
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("IN_BPS"), "{stdout}");
    let lo = stdout
        .lines()
        .find(|line| line.contains(" lo "))
        .expect(&stdout);
    assert!(lo.contains("port:lab-snmpd:lo"), "{lo}");
}
