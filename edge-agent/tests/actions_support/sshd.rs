//! A private OpenSSH server on 127.0.0.1 started by `lab/sshd.sh` (Debian package
//! `openssh-server`): its forced command records every command it is asked to run, and acts
//! out a reboot by dropping the session.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running sshd; killed when dropped, even if the test failed.
pub struct LabSshd {
    child: Child,
    dir: tempfile::TempDir,
    pub port: u16,
}

impl Drop for LabSshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl LabSshd {
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The server's host key fingerprint, as `ssh-keygen -lf` printed it.
    pub fn host_key(&self) -> String {
        std::fs::read_to_string(self.path("host_key_sha256"))
            .unwrap()
            .trim()
            .to_owned()
    }

    /// Every command the server was asked to run, one per line.
    pub fn commands_received(&self) -> String {
        std::fs::read_to_string(self.path("commands.log")).unwrap()
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.path("sshd.log")).unwrap_or_default()
    }
}

/// The login name the lab server allows: whoever runs the tests.
pub fn whoami() -> String {
    let out = Command::new("id").arg("-un").output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// A TCP port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts sshd, or returns `None` (with a note) when OpenSSH is missing and the lab is not
/// required.
pub fn start() -> Option<LabSshd> {
    start_in(None)
}

/// Like [`start`]; with `netns`, every command the server is asked to run runs with `sh` in
/// that network namespace (a login on the router living there).
pub fn start_in(netns: Option<&str>) -> Option<LabSshd> {
    if !Path::new("/usr/sbin/sshd").exists() {
        assert!(
            std::env::var("NETOPS_LAB_REQUIRED").as_deref() != Ok("1"),
            "/usr/sbin/sshd is missing but NETOPS_LAB_REQUIRED=1 (apt-get install -y openssh-server)"
        );
        eprintln!("openssh-server is not installed: SSH action tests skipped");
        return None;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../lab/sshd.sh");
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let child = Command::new(script)
        .arg("start")
        .arg(port.to_string())
        .arg(dir.path())
        .args(netns)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut lab = LabSshd { child, dir, port };
    // Bounded wait for the listener: at most 100 tries over 10 s.
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(lab);
        }
        if let Ok(Some(status)) = lab.child.try_wait() {
            panic!("lab/sshd.sh exited with {status}: {}", lab.log());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!(
        "sshd did not listen on 127.0.0.1:{port} within 10 s: {}",
        lab.log()
    );
}
