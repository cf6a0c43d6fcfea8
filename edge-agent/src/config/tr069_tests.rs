//! `[devices.tr069]` and `reboot_via` cases: a CPE rebooted through GenieACS, the choice
//! between TR-069 and SSH, and every problem reported at once.

use std::path::Path;

use super::tests::check;
use super::*;

const HEAD: &str = r#"
[agent]
id = "site-a"
[control_plane]
url = "wss://cp.example.net/agent"
token = "t"
[spool]
dir = "spool"
"#;

const SSH: &str = r#"
[devices.ssh]
user = "netops"
password = "p"
host_key = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"
reboot_profile = "mikrotik-cpe"
"#;

fn cpe(tr069: &str, rest: &str) -> String {
    format!(
        "{HEAD}[[devices]]\nname = \"cpe-1\"\naddress = \"10.20.0.15\"\nkind = \"cpe\"\npoll = false\n{rest}\n[devices.tr069]\n{tr069}\n"
    )
}

#[test]
fn a_cpe_rebooted_through_genieacs() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("nbi.password"), "nbi-password-secret\n").unwrap();
    let text = cpe(
        r#"nbi_url = "https://acs.example.net:7557/"
device_id = "202BC1-BM632w-0000000"
username = "netops"
password_file = "nbi.password"
connection_request_timeout_ms = 5000
confirm_within_s = 90"#,
        "",
    );
    let config = parse_config(&text, dir.path()).unwrap();
    let device = config.device("cpe-1").unwrap();
    assert_eq!(device.reboot_via, Some(RebootVia::Tr069));
    let tr069 = device.tr069.as_ref().unwrap();
    assert_eq!(tr069.endpoint.url(), "https://acs.example.net:7557");
    assert_eq!(tr069.cpe.as_str(), "202BC1-BM632w-0000000");
    assert_eq!(tr069.connection_request_timeout.as_millis(), 5000);
    assert_eq!(tr069.confirm_within.as_secs(), 90);
    assert_eq!(tr069.reboot_takes_at_most().as_secs(), 155);
    let printed = format!("{config:?}");
    assert!(!printed.contains("nbi-password-secret"), "{printed}");

    // Defaults: no login, a 10 s connection request, 120 s to come back.
    let plain = cpe("nbi_url = \"http://127.0.0.1:7557\"\ndevice_id = \"x\"", "");
    let config = parse_config(&plain, Path::new("/etc/netops")).unwrap();
    let tr069 = config.devices[0].tr069.as_ref().unwrap();
    assert_eq!(tr069.connection_request_timeout.as_secs(), 10);
    assert_eq!(tr069.confirm_within.as_secs(), 120);
}

#[test]
fn both_routes_need_reboot_via() {
    let tr069 = "nbi_url = \"http://127.0.0.1:7557\"\ndevice_id = \"x\"";
    check(&cpe(tr069, SSH), &["devices[0].reboot_via"]);
    let chosen = cpe(tr069, &format!("reboot_via = \"ssh\"\n{SSH}"));
    let config = parse_config(&chosen, Path::new("/etc/netops")).unwrap();
    assert_eq!(config.devices[0].reboot_via, Some(RebootVia::Ssh));
    let chosen = cpe(tr069, &format!("reboot_via = \"tr069\"\n{SSH}"));
    let config = parse_config(&chosen, Path::new("/etc/netops")).unwrap();
    assert_eq!(config.devices[0].reboot_via, Some(RebootVia::Tr069));
    check(
        &cpe(tr069, "reboot_via = \"ssh\""),
        &["devices[0].reboot_via"],
    );
    check(
        &cpe(tr069, "reboot_via = \"snmp\""),
        &["devices[0].reboot_via"],
    );
    let ssh_only = format!(
        "{HEAD}[[devices]]\nname = \"cpe-1\"\naddress = \"10.20.0.15\"\npoll = false\nreboot_via = \"tr069\"\n{SSH}"
    );
    check(&ssh_only, &["devices[0].reboot_via"]);
}

#[test]
fn tr069_problems_at_once() {
    check(
        &cpe(
            r#"nbi_url = "ftp://acs"
device_id = " "
username = "netops"
connection_request_timeout_ms = 10
confirm_within_s = 3600"#,
            "",
        ),
        &[
            "devices[0].tr069.username",
            "devices[0].tr069.nbi_url",
            "devices[0].tr069.device_id",
            "devices[0].tr069.connection_request_timeout_ms",
            "devices[0].tr069.confirm_within_s",
        ],
    );
    check(
        &cpe(
            r#"nbi_url = "http://admin:pw@acs:7557"
device_id = "x"
token_file = "/nonexistent/nbi.token""#,
            "",
        ),
        &["devices[0].tr069.token_file", "devices[0].tr069.nbi_url"],
    );
    check(
        &cpe("device_id = \"x\"\nproxy = \"http://p\"", ""),
        &["line 17"],
    );
    check(&cpe("device_id = \"x\"", ""), &["devices[0].tr069.nbi_url"]);
    check(
        &cpe(
            "nbi_url = \"https://acs:7557\"\ndevice_id = \"x\"\nca_file = \"/nonexistent/ca.pem\"",
            "",
        ),
        &["devices[0].tr069.ca_file"],
    );
}

#[test]
fn an_https_nbi_with_a_private_ca() {
    let ca = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/config/test-ca.pem");
    let text = cpe(
        &format!(
            "nbi_url = \"https://acs:7557\"\ndevice_id = \"x\"\nca_file = \"{}\"",
            ca.display()
        ),
        "",
    );
    let config = parse_config(&text, Path::new("/etc/netops")).unwrap();
    let tr069 = config.devices[0].tr069.as_ref().unwrap();
    assert_eq!(
        tr069.endpoint,
        netops_tr069::NbiEndpoint::parse("https://acs:7557", netops_tr069::NbiAuth::None)
            .unwrap()
            .with_ca_file(&ca)
    );
}
