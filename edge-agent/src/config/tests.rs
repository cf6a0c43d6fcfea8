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
fn check(text: &str, expected_keys: &[&str]) {
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
    assert_eq!(config.devices[0].snmp.max_repetitions, 25);
    assert_eq!(config.devices[1].snmp.max_repetitions, 10);
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
