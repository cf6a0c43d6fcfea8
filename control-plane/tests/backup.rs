//! `control-plane backup` and `restore` as an operator runs them: a backup taken while the
//! control plane serves, a restore refused while it runs, then a restore that brings back
//! exactly what the backup held; a file that is not a backup changes nothing.

mod process_support;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use process_support::{free_port, wait_ready, Running, BIN};

fn run(args: &[&str], data: &Path) -> Output {
    Command::new(BIN)
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .env("NETOPS_LOG", "warn")
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn create_admin(data: &Path, username: &str) {
    let mut child = Command::new(BIN)
        .args([
            "admin",
            "create",
            "--username",
            username,
            "--password-stdin",
        ])
        .arg("--data-dir")
        .arg(data)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"a-long-enough-password\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
}

fn serve(data: &Path) -> (Running, u16) {
    let port = free_port();
    let child = Command::new(BIN)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--data-dir")
        .arg(data)
        .env("NETOPS_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    (Running(child), port)
}

async fn can_log_in(port: u16, username: &str) -> bool {
    let reply: serde_json::Value = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/api/v1/admin/auth/login"))
        .json(&serde_json::json!({ "username": username, "password": "a-long-enough-password" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    reply["success"] == true
}

#[tokio::test]
async fn backup_while_serving_then_restore_brings_back_that_state() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let backup = dir.path().join("netops-backup.db");
    create_admin(&data, "before");

    let (server, port) = serve(&data);
    wait_ready(&format!("http://127.0.0.1:{port}/readyz")).await;
    let out = run(&["backup", "--to", backup.to_str().unwrap()], &data);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("schema version"), "{}", text(&out));

    // A second server on the same data directory, and a restore under a running one, refuse.
    let (mut second, _) = serve(&data);
    let status = second.0.wait().unwrap();
    assert!(
        !status.success(),
        "a second control plane served one SQLite file"
    );
    let out = run(&["restore", "--from", backup.to_str().unwrap()], &data);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("stop it before restoring"),
        "{}",
        text(&out)
    );
    // An existing backup file is never overwritten.
    let out = run(&["backup", "--to", backup.to_str().unwrap()], &data);
    assert!(!out.status.success());
    assert!(text(&out).contains("already exists"), "{}", text(&out));
    drop(server);

    create_admin(&data, "after");
    let out = run(
        &["restore", "--from", backup.to_str().unwrap(), "--check"],
        &data,
    );
    assert!(out.status.success(), "{}", text(&out));
    let out = run(&["restore", "--from", backup.to_str().unwrap()], &data);
    assert!(out.status.success(), "{}", text(&out));

    let (_server, port) = serve(&data);
    wait_ready(&format!("http://127.0.0.1:{port}/readyz")).await;
    assert!(can_log_in(port, "before").await);
    assert!(
        !can_log_in(port, "after").await,
        "the account created after the backup survived the restore"
    );
}

#[tokio::test]
async fn a_file_that_is_not_a_backup_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    create_admin(&data, "kept");
    let garbage = dir.path().join("garbage.db");
    std::fs::write(&garbage, b"this is not an SQLite database, only some bytes").unwrap();

    for args in [
        vec!["restore", "--from", garbage.to_str().unwrap()],
        vec!["restore", "--from", garbage.to_str().unwrap(), "--check"],
        vec!["restore", "--from", "/nonexistent/backup.db"],
    ] {
        let out = run(&args, &data);
        assert!(!out.status.success(), "{args:?}");
        assert!(
            text(&out).contains("is not a usable netops backup"),
            "{args:?}: {}",
            text(&out)
        );
    }

    let (_server, port) = serve(&data);
    wait_ready(&format!("http://127.0.0.1:{port}/readyz")).await;
    assert!(can_log_in(port, "kept").await);
}
