//! Test helper: a real net-snmp `snmpd` started with `lab/snmpd.sh`, stopped on drop;
//! `shaped_link` adds namespaces with shaped traffic for it to count.
//!
//! When `NETOPS_LAB_REQUIRED=1` a missing tool fails the test; otherwise the test prints why
//! it is skipped and returns. Shared by the tests of several crates through `#[path]`.

#![allow(dead_code)]

pub mod shaped_link;

use std::path::{Path, PathBuf};
use std::process::Command;

pub const COMMUNITY: &str = "netops-lab";
pub const V3_USER: &str = "netops-v3";
pub const V3_AUTH: &str = "netops-auth-pass";
pub const V3_PRIV: &str = "netops-priv-pass";
pub const SYS_DESCR: &str = "netops lab snmpd (net-snmp) on Linux";

pub fn lab_required() -> bool {
    std::env::var("NETOPS_LAB_REQUIRED").is_ok_and(|value| value == "1")
}

/// `Err(reason)` when the lab cannot run here: the caller skips, or fails when required.
pub fn skip_or_fail(test: &str, reason: &str) {
    if lab_required() {
        panic!("{test}: NETOPS_LAB_REQUIRED=1 but {reason}");
    }
    eprintln!("SKIP {test}: {reason} (set NETOPS_LAB_REQUIRED=1 to make this a failure)");
}

pub fn workspace_root() -> PathBuf {
    let mut dir = Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf();
    while !dir.join("lab").join("snmpd.sh").exists() {
        if !dir.pop() {
            panic!(
                "lab/snmpd.sh not found above {}",
                env!("CARGO_MANIFEST_DIR")
            );
        }
    }
    dir
}

fn tool_exists(name: &str) -> bool {
    [
        "/usr/sbin",
        "/usr/bin",
        "/sbin",
        "/bin",
        "/usr/local/bin",
        "/usr/local/sbin",
    ]
    .iter()
    .any(|dir| Path::new(dir).join(name).exists())
}

/// Why snmpd cannot be started here, if it cannot.
pub fn snmpd_missing() -> Option<String> {
    for tool in ["snmpd", "snmpget", "snmpset"] {
        if !tool_exists(tool) {
            return Some(format!(
                "{tool} is not installed (apt-get install -y snmpd snmp)"
            ));
        }
    }
    None
}

/// Why network namespaces cannot be used here, if they cannot.
pub fn netns_missing() -> Option<String> {
    if !tool_exists("ip") {
        return Some("ip (iproute2) is not installed".to_owned());
    }
    let name = format!("netops-probe-{}", std::process::id());
    let added = Command::new("ip")
        .args(["netns", "add", &name])
        .output()
        .is_ok_and(|output| output.status.success());
    if !added {
        return Some("`ip netns add` failed (needs root)".to_owned());
    }
    let _ = Command::new("ip").args(["netns", "del", &name]).output();
    None
}

/// A running snmpd; stopped when dropped.
pub struct LabSnmpd {
    dir: tempfile::TempDir,
    /// `ip:port` to poll.
    pub endpoint: String,
}

impl LabSnmpd {
    /// Starts snmpd on 127.0.0.1 and a free high port; `None` when the test must skip.
    pub fn start(test: &str) -> Option<Self> {
        Self::start_with(test, &[])
    }

    /// Starts snmpd inside an existing network namespace, on `address`.
    pub fn start_in_netns(test: &str, netns: &str, address: &str) -> Option<Self> {
        Self::start_with(test, &["--netns", netns, "--address", address])
    }

    fn start_with(test: &str, extra: &[&str]) -> Option<Self> {
        if let Some(reason) = snmpd_missing() {
            skip_or_fail(test, &reason);
            return None;
        }
        let dir = tempfile::tempdir().expect("temporary directory");
        let script = workspace_root().join("lab").join("snmpd.sh");
        let output = Command::new("bash")
            .arg(&script)
            .arg("start")
            .arg(dir.path())
            .args(extra)
            .output()
            .expect("run lab/snmpd.sh");
        if !output.status.success() {
            let reason = format!(
                "lab/snmpd.sh start failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            skip_or_fail(test, &reason);
            return None;
        }
        let endpoint = std::fs::read_to_string(dir.path().join("endpoint"))
            .expect("lab/snmpd.sh writes the endpoint")
            .trim()
            .to_owned();
        Some(Self { dir, endpoint })
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for LabSnmpd {
    fn drop(&mut self) {
        let script = workspace_root().join("lab").join("snmpd.sh");
        let _ = Command::new("bash")
            .arg(&script)
            .arg("stop")
            .arg(self.dir.path())
            .output();
    }
}

/// A UDP port on 127.0.0.1 that nothing listens on (bound, then released).
pub fn unused_udp_port() -> u16 {
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind a probe socket");
    socket.local_addr().expect("local address").port()
}
