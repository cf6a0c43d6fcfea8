//! Router and CPE reboots over SSH end to end: the executor against a real OpenSSH server on
//! 127.0.0.1 (`lab/sshd.sh`), whose forced command records what it was asked and drops the
//! session on a reboot as a rebooting device does.

mod actions_support;

use std::time::Duration;

use actions_support::sshd::{self, free_port, whoami, LabSshd};
use actions_support::{command, config_text, unpolled_cpe, RunningExecutor};
use proto::{CommandKind, CommandState};

const WITHIN: Duration = Duration::from_secs(20);

/// A `[[devices]]` table for a CPE reached at the lab server, not polled.
fn cpe_device(name: &str, lab: &LabSshd, key_file: &str, host_key: &str, profile: &str) -> String {
    let head = unpolled_cpe(name);
    format!(
        r#"{head}[devices.ssh]
address = "127.0.0.1:{port}"
user = "{user}"
key_file = "{key}"
host_key = "{host_key}"
reboot_profile = "{profile}"
login_timeout_s = 5
command_timeout_s = 5
"#,
        port = lab.port,
        user = whoami(),
        key = lab.path(key_file).display(),
    )
}

async fn executor(spool: &std::path::Path, devices: &str) -> RunningExecutor {
    RunningExecutor::start(&config_text(spool, "", devices)).await
}

#[tokio::test]
async fn a_reboot_is_sent_once_and_succeeds_when_the_device_drops_the_session() {
    let Some(lab) = sshd::start() else { return };
    let spool = tempfile::tempdir().unwrap();
    let devices = [
        cpe_device(
            "cpe-17",
            &lab,
            "client_ed25519",
            &lab.host_key(),
            "mikrotik-cpe",
        ),
        cpe_device(
            "linux-1",
            &lab,
            "client_ed25519",
            &lab.host_key(),
            "generic-linux",
        ),
    ]
    .concat();
    let mut executor = executor(spool.path(), &devices).await;

    let reboot = command(1, "cpe-17", None, CommandKind::RebootRouter);
    executor.send(&reboot).await;
    let results = executor
        .results_until_final(reboot.command_id, WITHIN)
        .await;
    assert_eq!(results[0].state, CommandState::Running, "{results:?}");
    assert!(
        results[0].detail.contains("rebooting cpe-17"),
        "{results:?}"
    );
    let done = results.last().unwrap();
    assert_eq!(done.state, CommandState::Succeeded, "{done:?}");
    assert!(
        done.detail
            .contains("dropped the SSH session while running `/system reboot`"),
        "{done:?}"
    );
    assert_eq!(lab.commands_received(), "/system reboot\n");

    // Delivered again (after a reconnect): the stored outcome, and the device is not asked again.
    executor.send(&reboot).await;
    let again = executor.final_result(reboot.command_id, WITHIN).await;
    assert_eq!(again, *done);
    assert_eq!(lab.commands_received(), "/system reboot\n");

    // Another profile sends its own command.
    let linux = command(2, "linux-1", None, CommandKind::RebootRouter);
    executor.send(&linux).await;
    let done = executor.final_result(linux.command_id, WITHIN).await;
    assert_eq!(done.state, CommandState::Succeeded, "{done:?}");
    assert_eq!(lab.commands_received(), "/system reboot\nreboot\n");
    executor.stop().await;
}

#[tokio::test]
async fn login_failures_are_reported_and_nothing_is_run() {
    let Some(lab) = sshd::start() else { return };
    let spool = tempfile::tempdir().unwrap();
    let wrong_key = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU";
    let closed = format!(
        r#"
[[devices]]
name = "cpe-gone"
address = "127.0.0.1"
poll = false
[devices.ssh]
address = "127.0.0.1:{}"
user = "netops"
password = "not-used"
host_key = "{wrong_key}"
reboot_profile = "mikrotik-cpe"
login_timeout_s = 3
"#,
        free_port()
    );
    let devices = [
        cpe_device(
            "cpe-moved",
            &lab,
            "client_ed25519",
            wrong_key,
            "mikrotik-cpe",
        ),
        cpe_device(
            "cpe-stranger",
            &lab,
            "stranger_ed25519",
            &lab.host_key(),
            "mikrotik-cpe",
        ),
        closed,
    ]
    .concat();
    let mut executor = executor(spool.path(), &devices).await;

    let cases = [
        (1, "cpe-moved", "host key of 127.0.0.1"),
        (2, "cpe-stranger", "rejected the credentials"),
        (3, "cpe-gone", "unreachable over SSH"),
    ];
    for (n, device, words) in cases {
        let reboot = command(n, device, None, CommandKind::RebootRouter);
        executor.send(&reboot).await;
        let done = executor.final_result(reboot.command_id, WITHIN).await;
        assert_eq!(done.state, CommandState::Failed, "{device}: {done:?}");
        assert!(
            done.detail.starts_with("not rebooted"),
            "{device}: {done:?}"
        );
        assert!(done.detail.contains(words), "{device}: {done:?}");
        if device == "cpe-moved" {
            // The pinned fingerprint and the one the server presented, so the NOC can compare.
            assert!(done.detail.contains(wrong_key), "{done:?}");
            assert!(done.detail.contains(&lab.host_key()), "{done:?}");
        }
    }
    assert_eq!(lab.commands_received(), "", "no command reached the server");
    executor.stop().await;
}

#[tokio::test]
async fn a_device_without_an_ssh_login_or_reboot_profile_is_refused() {
    let spool = tempfile::tempdir().unwrap();
    let devices = r#"
[[devices]]
name = "edge-1"
address = "10.213.0.1"
poll = false
[devices.bgp]
daemon = "frr"
local_as = 65001
[[devices]]
name = "edge-2"
address = "10.213.0.1"
poll = false
[devices.ssh]
user = "netops"
password = "not-used"
host_key = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"
"#;
    let mut executor = executor(spool.path(), devices).await;
    for (n, device, words) in [
        (1, "edge-1", "has no SSH login"),
        (2, "edge-2", "has no ssh.reboot_profile"),
        (3, "cpe-404", "unknown device"),
    ] {
        let reboot = command(n, device, None, CommandKind::RebootRouter);
        executor.send(&reboot).await;
        let done = executor.final_result(reboot.command_id, WITHIN).await;
        assert_eq!(done.state, CommandState::Rejected, "{done:?}");
        assert!(done.detail.contains(words), "{done:?}");
    }
    executor.stop().await;
}
