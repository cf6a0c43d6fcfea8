//! A real FreeRADIUS for a test, started by `lab/freeradius.sh`, and `radclient` to talk to it.
//! When the Debian packages are missing the test prints a skip note, or fails when
//! `NETOPS_LAB_REQUIRED=1` (the test command sets it).

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub const SECRET: &str = "netops-lab-secret";

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn required() -> bool {
    std::env::var("NETOPS_LAB_REQUIRED").is_ok_and(|value| value == "1")
}

/// Whether FreeRADIUS, rlm_rest and radclient are installed; otherwise skip or fail.
pub fn available(test: &str) -> bool {
    let missing: Vec<&str> = [
        ("/usr/sbin/freeradius", "freeradius"),
        ("/usr/lib/freeradius/rlm_rest.so", "freeradius-rest"),
        ("/usr/bin/radclient", "freeradius-utils"),
    ]
    .iter()
    .filter(|(path, _)| !Path::new(path).exists())
    .map(|(_, package)| *package)
    .collect();
    if missing.is_empty() {
        return true;
    }
    let reason = format!(
        "missing Debian packages: {} (apt-get install -y freeradius freeradius-rest freeradius-utils)",
        missing.join(" ")
    );
    if required() {
        panic!("{test}: NETOPS_LAB_REQUIRED=1 but {reason}");
    }
    eprintln!("SKIP {test}: {reason} (set NETOPS_LAB_REQUIRED=1 to make this a failure)");
    false
}

/// A running FreeRADIUS; stopped when dropped.
pub struct FreeRadius {
    dir: tempfile::TempDir,
    pub auth_port: u16,
    pub acct_port: u16,
}

impl FreeRadius {
    /// Starts FreeRADIUS asking the control plane at `url`; `client` is the one address
    /// clients.conf accepts.
    pub fn start(url: &str, api_key: &str, client: &str) -> FreeRadius {
        let dir = tempfile::tempdir().expect("tempdir");
        let output = Command::new(repo_root().join("lab/freeradius.sh"))
            .arg("start")
            .arg(dir.path())
            .args(["--url", url, "--api-key", api_key, "--secret", SECRET])
            .args(["--client", client])
            .output()
            .expect("run lab/freeradius.sh");
        let stdout = String::from_utf8_lossy(&output.stdout).to_string();
        assert!(
            output.status.success(),
            "lab/freeradius.sh start failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let port = |name: &str| -> u16 {
            stdout
                .lines()
                .find_map(|line| line.strip_prefix(&format!("{name}=")))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or_else(|| panic!("no {name} in: {stdout}"))
        };
        FreeRadius {
            auth_port: port("auth_port"),
            acct_port: port("acct_port"),
            dir,
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("radius.log")).unwrap_or_default()
    }
}

impl Drop for FreeRadius {
    fn drop(&mut self) {
        let _ = Command::new(repo_root().join("lab/freeradius.sh"))
            .arg("stop")
            .arg(self.dir.path())
            .output();
    }
}

/// What radclient received.
#[derive(Debug, Clone, Default)]
pub struct RadReply {
    /// `Access-Accept`, `Access-Reject`, `Accounting-Response`; `None` when nothing came back.
    pub code: Option<String>,
    pub attributes: HashMap<String, String>,
    pub output: String,
}

impl RadReply {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).map(String::as_str)
    }
}

/// Parses radclient -x output: the `Received …` line and the attributes after it.
fn parse(output: &str) -> RadReply {
    let mut reply = RadReply {
        output: output.to_owned(),
        ..RadReply::default()
    };
    let mut received = false;
    for line in output.lines() {
        if let Some(rest) = line.strip_prefix("Received ") {
            reply.code = rest.split_whitespace().next().map(str::to_owned);
            received = true;
        } else if line.starts_with("Sent ") {
            received = false;
        } else if received {
            if let Some((name, value)) = line.trim().split_once(" = ") {
                reply
                    .attributes
                    .insert(name.to_owned(), value.trim_matches('"').to_owned());
            }
        }
    }
    reply
}

/// Sends one request (`auth` or `acct`) with `attributes` (radclient's text form), one try
/// with a timeout of `timeout_secs`.
pub async fn radclient(port: u16, kind: &str, attributes: &str, timeout_secs: u32) -> RadReply {
    let kind = kind.to_owned();
    let attributes = attributes.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut child = Command::new("radclient")
            .args(["-x", "-r", "1", "-t", &timeout_secs.to_string()])
            .arg(format!("127.0.0.1:{port}"))
            .arg(&kind)
            .arg(SECRET)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run radclient");
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(attributes.as_bytes())
                .expect("radclient stdin");
        }
        let output = child.wait_with_output().expect("radclient output");
        parse(&format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    })
    .await
    .expect("radclient task")
}

#[test]
fn radclient_output_is_parsed() {
    let reply = parse(
        "Sent Access-Request Id 96 from 0.0.0.0:1 to 127.0.0.1:2 length 53\n\
         \tUser-Name = \"rahim\"\n\
         Received Access-Accept Id 96 from 127.0.0.1:2 to 127.0.0.1:1 length 53\n\
         \tAcct-Interim-Interval = 300\n\
         \tMikrotik-Rate-Limit = \"25000k/50000k\"\n",
    );
    assert_eq!(reply.code.as_deref(), Some("Access-Accept"));
    assert_eq!(reply.attr("Mikrotik-Rate-Limit"), Some("25000k/50000k"));
    assert_eq!(reply.attr("User-Name"), None);
}
