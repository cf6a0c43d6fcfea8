//! The SSH runner against a real OpenSSH server started by `lab/sshd.sh` on 127.0.0.1
//! (Debian package `openssh-server`), plus connection failures that need no server.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use netops_ssh::{
    reboot_device, run_command, CommandLimits, HostKeyFingerprint, HostKeyPolicy, RebootOutcome,
    RebootProfile, Secret, SshCredential, SshError, SshTarget,
};

/// A private sshd; killed when dropped, even if the test failed.
struct LabSshd {
    child: Child,
    dir: tempfile::TempDir,
    port: u16,
}

impl Drop for LabSshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl LabSshd {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn pinned(&self) -> HostKeyPolicy {
        let text = std::fs::read_to_string(self.path("host_key_sha256")).unwrap();
        HostKeyPolicy::Pinned(HostKeyFingerprint::parse(&text).unwrap())
    }

    fn target_with(&self, key_file: &str, host_key: HostKeyPolicy) -> SshTarget {
        SshTarget {
            port: self.port,
            login_timeout: Duration::from_secs(5),
            ..SshTarget::new(
                "127.0.0.1",
                whoami(),
                SshCredential::PrivateKeyFile {
                    path: self.path(key_file),
                    passphrase: None,
                },
                host_key,
            )
        }
    }

    fn target(&self) -> SshTarget {
        self.target_with("client_ed25519", self.pinned())
    }

    fn commands_received(&self) -> String {
        std::fs::read_to_string(self.path("commands.log")).unwrap()
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.path("sshd.log")).unwrap_or_default()
    }
}

fn whoami() -> String {
    let out = Command::new("id").arg("-un").output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../lab/sshd.sh")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts sshd, or returns `None` (with a note) when OpenSSH is missing and the lab is not
/// required.
fn start() -> Option<LabSshd> {
    if !Path::new("/usr/sbin/sshd").exists() {
        assert!(
            std::env::var("NETOPS_LAB_REQUIRED").as_deref() != Ok("1"),
            "/usr/sbin/sshd is missing but NETOPS_LAB_REQUIRED=1 (apt-get install -y openssh-server)"
        );
        eprintln!("openssh-server is not installed: OpenSSH lab tests skipped");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let child = Command::new(script())
        .arg("start")
        .arg(port.to_string())
        .arg(dir.path())
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

fn limits(timeout: Duration) -> CommandLimits {
    CommandLimits {
        timeout,
        ..CommandLimits::default()
    }
}

#[tokio::test]
async fn a_command_arrives_exactly_once_and_its_output_comes_back() {
    let Some(lab) = start() else { return };
    let output = run_command(
        &lab.target(),
        "/interface print",
        &limits(Duration::from_secs(10)),
    )
    .await
    .unwrap();
    assert_eq!(output.stdout_text(), "ran: /interface print\n");
    assert_eq!(output.exit_status, Some(0));
    assert!(!output.output_truncated);
    assert_eq!(lab.commands_received(), "/interface print\n");
}

#[tokio::test]
async fn exit_status_stderr_and_the_output_bound_are_reported() {
    let Some(lab) = start() else { return };
    let target = lab.target();
    let failed = run_command(&target, "fail-with 3", &limits(Duration::from_secs(10)))
        .await
        .unwrap();
    assert_eq!(failed.exit_status, Some(3));
    assert_eq!(failed.stderr_text(), "failed as asked\n");
    assert!(!failed.succeeded());

    let bounded = CommandLimits {
        timeout: Duration::from_secs(10),
        max_output_bytes: 1000,
    };
    let big = run_command(&target, "print-bytes 200000", &bounded)
        .await
        .unwrap();
    assert_eq!(big.stdout.len(), 1000);
    assert!(big.output_truncated);
    assert_eq!(big.exit_status, Some(0));
}

#[tokio::test]
async fn a_key_the_device_does_not_know_is_an_auth_error() {
    let Some(lab) = start() else { return };
    let target = lab.target_with("stranger_ed25519", lab.pinned());
    let error = run_command(&target, "show", &limits(Duration::from_secs(5)))
        .await
        .unwrap_err();
    assert!(
        matches!(error, SshError::AuthFailed { .. }),
        "expected an auth error, got {error:?}"
    );
    assert_eq!(lab.commands_received(), "");
}

#[tokio::test]
async fn a_wrong_password_is_an_auth_error_and_never_printed() {
    let Some(lab) = start() else { return };
    let target = SshTarget {
        credential: SshCredential::Password(Secret::new("not-the-password")),
        ..lab.target()
    };
    assert!(!format!("{target:?}").contains("not-the-password"));
    let error = run_command(&target, "show", &limits(Duration::from_secs(5)))
        .await
        .unwrap_err();
    assert!(matches!(error, SshError::AuthFailed { .. }), "{error:?}");
    assert!(!error.to_string().contains("not-the-password"));
}

#[tokio::test]
async fn a_wrong_pinned_fingerprint_is_refused_before_authenticating() {
    let Some(lab) = start() else { return };
    let wrong =
        HostKeyFingerprint::parse("SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU").unwrap();
    let target = lab.target_with("client_ed25519", HostKeyPolicy::Pinned(wrong));
    let error = run_command(&target, "show", &limits(Duration::from_secs(5)))
        .await
        .unwrap_err();
    let SshError::HostKeyMismatch {
        expected,
        presented,
        ..
    } = &error
    else {
        panic!("expected a host key mismatch, got {error:?}");
    };
    assert_eq!(
        expected,
        "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"
    );
    let real = std::fs::read_to_string(lab.path("host_key_sha256")).unwrap();
    assert_eq!(presented, real.trim());
    assert!(error.to_string().contains("refusing to log in"));
    // No credential reached the server: it logged no public key or password attempt.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let log = lab.log();
    assert!(
        !log.contains("publickey") && !log.contains("password"),
        "sshd saw an authentication attempt: {log}"
    );
    assert_eq!(lab.commands_received(), "");
}

#[tokio::test]
async fn trust_on_first_use_records_the_key_then_holds_to_it() {
    let Some(lab) = start() else { return };
    let known_hosts = lab.path("netops_known_hosts");
    let tofu = HostKeyPolicy::TrustOnFirstUseRecordedIn(known_hosts.clone());
    let target = lab.target_with("client_ed25519", tofu.clone());
    let quick = limits(Duration::from_secs(5));
    run_command(&target, "first", &quick).await.unwrap();
    let recorded = std::fs::read_to_string(&known_hosts).unwrap();
    assert!(recorded
        .trim_start()
        .starts_with(&format!("[127.0.0.1]:{} ssh-ed25519 ", lab.port)));
    run_command(&target, "second", &quick).await.unwrap();

    // Another key recorded for this host (as after a man in the middle): refused.
    let stranger = std::fs::read_to_string(lab.path("stranger_ed25519.pub")).unwrap();
    std::fs::write(
        &known_hosts,
        format!("[127.0.0.1]:{} {}", lab.port, stranger),
    )
    .unwrap();
    let error = run_command(&target, "third", &quick).await.unwrap_err();
    assert!(
        matches!(error, SshError::HostKeyMismatch { .. }),
        "{error:?}"
    );
    assert_eq!(lab.commands_received(), "first\nsecond\n");
}

#[tokio::test]
async fn a_long_command_times_out() {
    let Some(lab) = start() else { return };
    let started = Instant::now();
    let error = run_command(&lab.target(), "sleep 4", &limits(Duration::from_secs(1)))
        .await
        .unwrap_err();
    assert!(
        matches!(error, SshError::CommandTimeout { .. }),
        "{error:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(lab.commands_received(), "sleep 4\n");
}

#[tokio::test]
async fn a_reboot_that_drops_the_session_counts_as_sent() {
    let Some(lab) = start() else { return };
    let target = lab.target();
    let quick = limits(Duration::from_secs(5));
    for profile in [
        RebootProfile::mikrotik_cpe(),
        RebootProfile::generic_linux(),
    ] {
        let outcome = reboot_device(&target, &profile, &quick).await.unwrap();
        assert_eq!(
            outcome,
            RebootOutcome::SessionDroppedByDevice,
            "{profile:?}"
        );
    }
    assert_eq!(lab.commands_received(), "/system reboot\nreboot\n");
}

#[tokio::test]
async fn a_closed_port_is_a_quick_connect_error() {
    let port = free_port();
    let target = SshTarget {
        port,
        login_timeout: Duration::from_secs(5),
        ..SshTarget::new(
            "127.0.0.1",
            "noc",
            SshCredential::Password(Secret::new("x")),
            HostKeyPolicy::Pinned(
                HostKeyFingerprint::parse("SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU")
                    .unwrap(),
            ),
        )
    };
    let started = Instant::now();
    let error = run_command(&target, "show", &CommandLimits::default())
        .await
        .unwrap_err();
    assert!(
        matches!(error, SshError::ConnectRefused { .. }),
        "{error:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn a_server_that_never_speaks_is_a_login_timeout() {
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = silent.local_addr().unwrap().port();
    let target = SshTarget {
        port,
        login_timeout: Duration::from_millis(500),
        ..SshTarget::new(
            "127.0.0.1",
            "noc",
            SshCredential::Password(Secret::new("x")),
            HostKeyPolicy::Pinned(
                HostKeyFingerprint::parse("SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU")
                    .unwrap(),
            ),
        )
    };
    let started = Instant::now();
    let error = run_command(&target, "show", &CommandLimits::default())
        .await
        .unwrap_err();
    assert!(matches!(error, SshError::LoginTimeout { .. }), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
    drop(silent);
}
