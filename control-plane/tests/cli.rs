//! The `control-plane` binary as an operator uses it: demo, migrate, admin create, check-config
//! and serve, run as real processes.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

mod process_support;

use process_support::{free_port, wait_ready, Running, BIN};

#[tokio::test]
async fn demo_prints_its_url_and_logins_that_work() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = Command::new(BIN)
        .args([
            "demo",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(dir.path())
        .env("NETOPS_LOG", "warn")
        .env("NETOPS_AAA_API_KEY", DEMO_AAA_KEY)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let _guard = Running(child);
    // The printed banner names the URL and the logins. A thread keeps draining stdout so the
    // daemon never writes into a closed pipe.
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(30)) {
        let done = line.starts_with("  staff (support)");
        lines.push(line);
        if done {
            break;
        }
    }
    let text = lines.join("\n");
    assert!(
        text.contains(&format!("http://127.0.0.1:{port}/")),
        "{text}"
    );
    assert!(
        text.contains("CUST001") && text.contains("01712345678"),
        "{text}"
    );
    wait_ready(&format!("http://127.0.0.1:{port}/readyz")).await;
    let login: serde_json::Value = reqwest::Client::new()
        .post(format!(
            "http://127.0.0.1:{port}/functions/v1/customer-api/auth/login"
        ))
        .json(&serde_json::json!({ "customer_code": "CUST001", "phone": "01712345678" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(login["success"], true, "{login}");
    assert!(dir.path().join("netops.db").exists());

    // The PPPoE password the banner prints is the one FreeRADIUS gets for that subscriber.
    let printed = text
        .lines()
        .find(|line| line.contains("rahim.gulshan"))
        .and_then(|line| line.split("PPPoE password ").nth(1))
        .unwrap_or_else(|| panic!("no PPPoE password printed for rahim.gulshan:\n{text}"))
        .trim()
        .to_owned();
    let items: serde_json::Value = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/api/v1/radius/authorize"))
        .bearer_auth(DEMO_AAA_KEY)
        .json(&serde_json::json!({
            "User-Name": {"type": "string", "value": ["rahim.gulshan"]}
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        items["control:Cleartext-Password"]["value"], printed,
        "{items}"
    );
}

const DEMO_AAA_KEY: &str = "cli-test-aaa-key-cli-test-aaa-key-0001";

#[tokio::test]
async fn admin_create_then_serve_then_login() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let migrate = Command::new(BIN)
        .args(["migrate", "--data-dir", data])
        .output()
        .unwrap();
    assert!(
        migrate.status.success(),
        "{}",
        String::from_utf8_lossy(&migrate.stderr)
    );

    let mut create = Command::new(BIN)
        .args([
            "admin",
            "create",
            "--username",
            "alice",
            "--role",
            "admin",
            "--password-stdin",
            "--data-dir",
            data,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    create
        .stdin
        .take()
        .unwrap()
        .write_all(b"alice-long-password\n")
        .unwrap();
    let out = create.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("alice"));

    // A weak password and an unknown role are refused.
    let mut weak = Command::new(BIN)
        .args([
            "admin",
            "create",
            "--username",
            "bob",
            "--password-stdin",
            "--data-dir",
            data,
        ])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    weak.stdin.take().unwrap().write_all(b"short\n").unwrap();
    assert!(!weak.wait_with_output().unwrap().status.success());
    let bad_role = Command::new(BIN)
        .args([
            "admin",
            "create",
            "--username",
            "bob",
            "--role",
            "root",
            "--password-stdin",
            "--data-dir",
            data,
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!bad_role.status.success());

    let port = free_port();
    let child = Command::new(BIN)
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
            data,
        ])
        .env("NETOPS_LOG_FORMAT", "json")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _guard = Running(child);
    wait_ready(&format!("http://127.0.0.1:{port}/readyz")).await;
    let login: serde_json::Value = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/api/v1/admin/auth/login"))
        .json(&serde_json::json!({ "username": "alice", "password": "alice-long-password" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(login["data"]["staff"]["role"], "admin", "{login}");
}

#[test]
fn check_config_lists_every_problem() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, "listen = \"nowhere\"\n[log]\nformat = \"xml\"\n").unwrap();
    let out = Command::new(BIN)
        .arg("--config")
        .arg(&path)
        .arg("check-config")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("listen") && err.contains("log.format"),
        "{err}"
    );

    let typo = dir.path().join("typo.toml");
    std::fs::write(&typo, "[limits]\ncustomer_requests_per_minte = 5\n").unwrap();
    let out = Command::new(BIN)
        .arg("--config")
        .arg(&typo)
        .arg("check-config")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown field"));

    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../config/control-plane.toml");
    let out = Command::new(BIN)
        .args(["--config", example, "check-config"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
