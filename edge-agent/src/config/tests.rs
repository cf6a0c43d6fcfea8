//! Configuration parsing cases: valid files and every problem reported at once.

use std::path::Path;

use super::*;

const VALID: &str = r#"
[agent]
id = "site-a"
[control_plane]
url = "wss://cp.example.net/agent"
token = "agent-secret-token"
[spool]
dir = "spool"
[[devices]]
name = "bras-1"
address = "127.0.0.1:1161"
snmp = { version = "2c", community = "community-secret" }
[[devices]]
name = "olt-1"
address = "10.0.0.2"
kind = "olt"
profile = "huawei-ma56xx-gpon"
max_repetitions = 10
snmp = { version = "3", user = "netops", auth_password = "auth-pass-1", priv_password = "priv-pass-1", auth_protocol = "sha-256" }
"#;

/// Parses `text`; `expected_keys` lists the keys of every expected problem, in order.
pub(super) fn check(text: &str, expected_keys: &[&str]) {
    match parse_config(text, Path::new("/etc/netops")) {
        Ok(config) => assert!(expected_keys.is_empty(), "parsed {config:?}"),
        Err(problems) => {
            let keys: Vec<&str> = problems.iter().map(|p| p.key.as_str()).collect();
            assert_eq!(keys, expected_keys, "{problems:#?}");
            for problem in &problems {
                assert!(!problem.hint.is_empty(), "{problem}");
            }
        }
    }
}

#[test]
fn a_valid_file() {
    check(VALID, &[]);
    let config = parse_config(VALID, Path::new("/etc/netops")).unwrap();
    assert_eq!(config.spool_dir, Path::new("/etc/netops/spool"));
    assert_eq!(config.devices[0].snmp.as_ref().unwrap().max_repetitions, 25);
    assert_eq!(config.devices[1].snmp.as_ref().unwrap().max_repetitions, 10);
    assert_eq!(
        config.devices[1].profile,
        ProfileChoice::Named("huawei-ma56xx-gpon".into())
    );
}

#[test]
fn secrets_never_print() {
    let config = parse_config(VALID, Path::new("/")).unwrap();
    let printed = format!("{config:?}");
    for secret in [
        "agent-secret-token",
        "community-secret",
        "auth-pass-1",
        "priv-pass-1",
    ] {
        assert!(!printed.contains(secret), "{secret} leaked: {printed}");
    }
}

#[test]
fn every_problem_at_once() {
    check(
        r#"
[control_plane]
url = "https://cp"
[metrics]
listen = "nowhere"
[[devices]]
address = "10.0.0.1"
driver = "ssh"
max_repetitions = 0
snmp = { version = "3", user = "u", auth_password = "short", priv_password = "long-enough", community = "x" }
[[devices]]
name = "b"
address = "10.0.0.2"
snmp = { version = "1" }
"#,
        &[
            "agent.id",
            "control_plane.url",
            "control_plane.token",
            "spool.dir",
            "metrics.listen",
            "devices[0].name",
            "devices[0].driver",
            "devices[0].max_repetitions",
            "devices[0].snmp.community",
            "devices[0].snmp.auth_password",
            "devices[1].snmp.version",
        ],
    );
}

#[test]
fn unknown_keys_and_duplicates() {
    check("[agent]\nid = \"a\"\ncolour = \"red\"\n", &["line 3"]);
    let twice = VALID.replace("name = \"olt-1\"", "name = \"bras-1\"");
    check(&twice, &["devices[1].name"]);
    let token_file = VALID.replace(
        "token = \"agent-secret-token\"",
        "token_file = \"/nonexistent/token\"",
    );
    check(&token_file, &["control_plane.token_file"]);
}

/// A self-signed CA certificate (`openssl req -x509 -newkey ec`), only ever parsed.
const TEST_CA_PEM: &str = include_str!("test-ca.pem");

#[test]
fn control_plane_ca_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let with_ca = |path: &Path| {
        VALID.replace(
            "token = \"agent-secret-token\"",
            &format!(
                "token = \"agent-secret-token\"\nca_file = \"{}\"",
                path.display()
            ),
        )
    };
    let good = dir.path().join("ca.pem");
    std::fs::write(&good, TEST_CA_PEM).expect("write");
    let config = parse_config(&with_ca(&good), Path::new("/etc/netops")).expect("valid");
    assert_eq!(
        config.control_plane_ca_file.as_deref(),
        Some(good.as_path())
    );

    check(
        &with_ca(&dir.path().join("missing.pem")),
        &["control_plane.ca_file"],
    );
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "no certificate here\n").expect("write");
    check(&with_ca(&empty), &["control_plane.ca_file"]);
    let problems = parse_config(&with_ca(&empty), Path::new("/etc/netops")).unwrap_err();
    assert!(
        problems[0].message.contains("no PEM certificate"),
        "{problems:?}"
    );
}

const BRAS_WITH_RADIUS: &str = r#"
[agent]
id = "site-a"
[control_plane]
url = "wss://cp.example.net/agent"
token = "agent-secret-token"
[spool]
dir = "spool"
[commands]
disconnect_deadline_s = 15
verify_interval_ms = 250
[[devices]]
name = "bras-1"
address = "10.0.0.1"
kind = "bras"
snmp = { version = "2c", community = "community-secret" }
radius = { secret = "radius-secret" }
[[devices]]
name = "olt-1"
address = "10.0.0.2:161"
kind = "olt"
snmp = { version = "2c", community = "read-secret", write_community = "write-secret" }
"#;

#[test]
fn radius_and_command_settings() {
    let config = parse_config(BRAS_WITH_RADIUS, Path::new("/")).unwrap();
    let radius = config.devices[0].radius.as_ref().expect("radius settings");
    assert_eq!(radius.nas.addr, "10.0.0.1:3799".parse().unwrap());
    assert_eq!(radius.rate_attribute, RateAttribute::Mikrotik);
    assert_eq!(
        config.commands.disconnect_deadline,
        std::time::Duration::from_secs(15)
    );
    assert_eq!(
        config.commands.reboot_onu_deadline,
        std::time::Duration::from_secs(300)
    );
    assert!(config.devices[1].snmp_write.is_some());
    let printed = format!("{config:?}");
    for secret in ["radius-secret", "write-secret"] {
        assert!(!printed.contains(secret), "{secret} leaked: {printed}");
    }
}

#[test]
fn radius_problems_at_once() {
    let text = BRAS_WITH_RADIUS
        .replace(
            "radius = { secret = \"radius-secret\" }",
            "radius = { nas = \"bras.example\", rate_attribute = \"filter_id\" }",
        )
        .replace("verify_interval_ms = 250", "verify_interval_ms = 1");
    check(
        &text,
        &[
            "commands.verify_interval_ms",
            "devices[0].radius.nas",
            "devices[0].radius.secret",
            "devices[0].radius.filter_id",
        ],
    );
}

const ACTED_ON: &str = r#"
[agent]
id = "site-a"
[control_plane]
url = "wss://cp.example.net/agent"
token = "agent-secret-token"
[spool]
dir = "spool"
[[devices]]
name = "cpe-17"
address = "10.20.0.15"
kind = "cpe"
poll = false
[devices.ssh]
user = "netops"
password = "cpe-password-secret"
host_key = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"
reboot_profile = "mikrotik-cpe"
[[devices]]
name = "edge-1"
address = "10.0.0.9:161"
kind = "router"
snmp = { version = "2c", community = "community-secret" }
[devices.ssh]
address = "[2001:db8::9]:2222"
user = "netops"
password_file = "/nonexistent/edge-1.password"
known_hosts_file = "known_hosts"
[devices.bgp]
daemon = "frr"
local_as = 65001
shell = "ssh"
[[devices]]
name = "lab-a"
address = "10.213.0.1"
poll = false
[devices.bgp]
daemon = "bird"
local_as = 65001
netns = "nbgp-lab-a"
birdc = ["birdc", "-s", "/run/lab/bird.ctl"]
peers_dir = "/run/lab/peers"
timers = { keepalive_s = 3, hold_s = 9, connect_retry_s = 1 }
post_check_deadline_s = 20
revert_after_s = 60
"#;

#[test]
fn devices_acted_on_over_ssh_and_bgp() {
    let dir = tempfile::tempdir().unwrap();
    let password = dir.path().join("edge-1.password");
    std::fs::write(&password, "edge-password-secret\n").unwrap();
    let text = ACTED_ON.replace(
        "/nonexistent/edge-1.password",
        &password.display().to_string(),
    );
    let config = parse_config(&text, Path::new("/etc/netops")).unwrap();

    let cpe = config.device("cpe-17").unwrap();
    assert!(!cpe.poll && cpe.snmp.is_none());
    let ssh = cpe.ssh.as_ref().unwrap();
    assert_eq!(ssh.target.address(), "10.20.0.15:22");
    assert_eq!(
        ssh.reboot_profile.as_ref().unwrap().command,
        "/system reboot"
    );
    assert!(cpe.bgp.is_none());

    let edge = config.device("edge-1").unwrap();
    assert!(edge.poll);
    assert_eq!(
        edge.ssh.as_ref().unwrap().target.address(),
        "[2001:db8::9]:2222"
    );
    let bgp = edge.bgp.as_ref().unwrap();
    assert_eq!(bgp.shell, BgpShell::Ssh);
    assert!(
        matches!(&bgp.router, netops_bgp::BgpRouter::Frr(frr) if frr.vtysh == ["vtysh"] && frr.save_after_confirm)
    );

    let lab = config.device("lab-a").unwrap();
    let bgp = lab.bgp.as_ref().unwrap();
    assert_eq!(
        bgp.shell,
        BgpShell::Local {
            netns: Some("nbgp-lab-a".into())
        }
    );
    assert_eq!(bgp.options.post_check_deadline.as_secs(), 20);
    let netops_bgp::BgpRouter::Bird(bird) = &bgp.router else {
        panic!("expected BIRD: {bgp:?}");
    };
    assert_eq!(bird.peers_dir, Path::new("/run/lab/peers"));
    assert_eq!(bird.revert_after.as_secs(), 60);
    assert_eq!(bird.timers.map(|t| t.hold_s), Some(9));
    // Only polled devices are polled.
    let polled: Vec<&str> = config.polled_devices().map(|d| d.name.as_str()).collect();
    assert_eq!(polled, ["edge-1"]);

    let printed = format!("{config:?}");
    for secret in [
        "cpe-password-secret",
        "edge-password-secret",
        "community-secret",
    ] {
        assert!(!printed.contains(secret), "{secret} leaked: {printed}");
    }
}

#[test]
fn ssh_and_bgp_problems_at_once() {
    check(
        r#"
[agent]
id = "site-a"
[control_plane]
url = "wss://cp.example.net/agent"
token = "t"
[spool]
dir = "spool"
[commands]
bgp_peer_deadline_s = 60
[[devices]]
name = "cpe-1"
address = "10.20.0.15"
poll = false
[devices.ssh]
address = "10.20.0.15:ssh"
password = "p"
key_file = "/nonexistent/key"
host_key = "MD5:aa:bb"
reboot_profile = "cisco-ios"
[[devices]]
name = "cpe-2"
address = "10.20.0.16"
poll = false
[[devices]]
name = "edge-1"
address = "10.0.0.9"
poll = false
radius = { secret = "s" }
[devices.bgp]
daemon = "bird"
local_as = 0
shell = "ssh"
post_check_deadline_s = 50
revert_after_s = 40
timers = { keepalive_s = 3 }
[[devices]]
name = "edge-2"
address = "10.0.0.10"
poll = false
[devices.bgp]
daemon = "quagga"
local_as = 65001
shell = "local"
netns = "bad name"
post_check_deadline_s = 10
command_timeout_s = 5
"#,
        &[
            "devices[0].ssh.address",
            "devices[0].ssh.user",
            "devices[0].ssh.key_file",
            "devices[0].ssh.host_key",
            "devices[0].ssh.reboot_profile",
            "devices[1].poll",
            "devices[2].radius",
            "devices[2].bgp.local_as",
            "devices[2].bgp.timers",
            "devices[2].bgp.post_check_deadline_s",
            "devices[2].bgp.peers_dir",
            "devices[2].bgp.revert_after_s",
            "devices[3].bgp.netns",
            "devices[3].bgp.daemon",
        ],
    );
}

#[test]
fn a_bgp_shell_over_ssh_needs_a_login_and_reboots_fit_their_deadline() {
    let base = r#"
[agent]
id = "site-a"
[control_plane]
url = "wss://cp.example.net/agent"
token = "t"
[spool]
dir = "spool"
[commands]
reboot_router_deadline_s = 20
[[devices]]
name = "edge-1"
address = "10.0.0.9"
poll = false
[devices.bgp]
daemon = "frr"
local_as = 65001
shell = "ssh"
[[devices]]
name = "cpe-1"
address = "10.20.0.15"
poll = false
[devices.ssh]
user = "netops"
password = "p"
host_key = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"
reboot_profile = "generic-linux"
command_timeout_s = 15
"#;
    check(
        base,
        &["devices[0].bgp.shell", "devices[1].ssh.command_timeout_s"],
    );
}
