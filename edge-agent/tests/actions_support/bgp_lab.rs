//! Two BGP routers in network namespaces built by `lab/bgp-lab.sh` (Debian packages bird2 and
//! frr): router A (BIRD 2 or FRR, AS 65001, 10.213.0.1) starts with no neighbor; router B
//! (BIRD, AS 65002, 10.213.0.2) has a session to A configured. The tests change A through the
//! agent and read B's own view of the session.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

pub const ROUTER_B: &str = "10.213.0.2";

/// A running lab; `lab/bgp-lab.sh down` runs when dropped, even if the test failed.
pub struct BgpLab {
    pub dir: tempfile::TempDir,
    pub daemon: &'static str,
}

impl Drop for BgpLab {
    fn drop(&mut self) {
        let _ = Command::new(script())
            .arg("down")
            .arg(self.dir.path())
            .status();
    }
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../lab/bgp-lab.sh")
}

fn tools_missing(daemon: &str) -> Option<String> {
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0\n"))
        .unwrap_or(false);
    if !is_root {
        return Some("not root (network namespaces need it)".to_owned());
    }
    let mut needed = vec!["/usr/sbin/ip", "/usr/sbin/bird", "/usr/sbin/birdc"];
    if daemon == "frr" {
        needed.extend(["/usr/lib/frr/bgpd", "/usr/bin/vtysh"]);
    }
    needed
        .into_iter()
        .find(|path| !Path::new(path).exists())
        .map(|path| format!("{path} is missing (apt-get install -y iproute2 bird2 frr)"))
}

/// Builds the lab, or returns `None` (with a note) when its tools are missing and the lab is
/// not required.
pub fn start(daemon: &'static str) -> Option<BgpLab> {
    if let Some(missing) = tools_missing(daemon) {
        assert!(
            std::env::var("NETOPS_LAB_REQUIRED").as_deref() != Ok("1"),
            "BGP lab cannot run but NETOPS_LAB_REQUIRED=1: {missing}"
        );
        eprintln!("BGP lab tests skipped: {missing}");
        return None;
    }
    static NEXT: AtomicU32 = AtomicU32::new(0);
    // "ea" keeps these namespaces apart from the driver tests' when both run at once.
    let name = format!(
        "ea{:x}{}",
        std::process::id() % 0xfff,
        NEXT.fetch_add(1, Ordering::SeqCst)
    );
    let lab = BgpLab {
        dir: tempfile::tempdir().unwrap(),
        daemon,
    };
    let status = Command::new(script())
        .arg("up")
        .arg(lab.dir.path())
        .arg(&name)
        .arg(daemon)
        .status()
        .unwrap();
    assert!(status.success(), "lab/bgp-lab.sh up failed");
    Some(lab)
}

impl BgpLab {
    /// The `[devices.bgp]` table for router A, reached by local processes.
    pub fn router_a_table(&self, post_check_deadline_s: u64) -> String {
        let dir = self.dir.path().display();
        let daemon = match self.daemon {
            "bird" => format!(
                "daemon = \"bird\"\nbirdc = [\"birdc\", \"-s\", \"{dir}/a/bird.ctl\"]\npeers_dir = \"{dir}/a/peers\"\nrevert_after_s = 120"
            ),
            _ => format!(
                "daemon = \"frr\"\nvtysh = [\"vtysh\", \"--vty_socket\", \"{dir}/a\", \"-d\", \"bgpd\"]\nsave_after_confirm = false"
            ),
        };
        format!(
            r#"
[[devices]]
name = "lab-router-a"
address = "10.213.0.1"
kind = "router"
poll = false
[devices.bgp]
{daemon}
local_as = 65001
timers = {{ keepalive_s = 3, hold_s = 9, connect_retry_s = 1 }}
post_check_deadline_s = {post_check_deadline_s}
poll_interval_ms = 250
"#
        )
    }

    /// The network namespace router A lives in.
    pub fn router_a_netns(&self) -> String {
        let env = std::fs::read_to_string(self.dir.path().join("lab.env")).unwrap();
        env.lines()
            .find_map(|line| line.strip_prefix("ns_a="))
            .expect("ns_a in lab.env")
            .to_owned()
    }

    /// The `[[devices]]` table for router A with FRR reached over SSH at `ssh_port` on
    /// 127.0.0.1, logging in with `key_file` and pinning `host_key`.
    pub fn router_a_over_ssh(
        &self,
        ssh_port: u16,
        user: &str,
        key_file: &Path,
        host_key: &str,
        post_check_deadline_s: u64,
    ) -> String {
        let dir = self.dir.path().display();
        format!(
            r#"
[[devices]]
name = "lab-router-a"
address = "10.213.0.1"
kind = "router"
poll = false
[devices.ssh]
address = "127.0.0.1:{ssh_port}"
user = "{user}"
key_file = "{key}"
host_key = "{host_key}"
login_timeout_s = 5
command_timeout_s = 10
[devices.bgp]
shell = "ssh"
daemon = "frr"
vtysh = ["vtysh", "--vty_socket", "{dir}/a", "-d", "bgpd"]
save_after_confirm = false
local_as = 65001
timers = {{ keepalive_s = 3, hold_s = 9, connect_retry_s = 1 }}
post_check_deadline_s = {post_check_deadline_s}
poll_interval_ms = 250
"#,
            key = key_file.display(),
        )
    }

    /// Router B's own words for its session to A (`birdc show protocols all router_a`).
    pub fn router_b_view(&self) -> String {
        let socket = self.dir.path().join("b/bird.ctl");
        let out = Command::new("birdc")
            .arg("-s")
            .arg(socket)
            .args(["show", "protocols", "all", "router_a"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Router B's BGP state for its session to A, e.g. `Established` or `Active`.
    pub fn router_b_state(&self) -> Option<String> {
        self.router_b_view().lines().find_map(|line| {
            line.trim()
                .strip_prefix("BGP state:")
                .map(|state| state.trim().to_owned())
        })
    }
}
