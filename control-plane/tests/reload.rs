//! `systemctl reload` on the `control-plane` process: SIGHUP re-reads the configuration file; an
//! invalid one is logged and ignored, a valid one applies its log filter at once and names the
//! keys that need a restart. The process keeps serving and an open `/network/live` stream and
//! the demo site's agent connection stay open throughout.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;

mod process_support;

use process_support::{free_port, wait_ready, Running, BIN};

const WAIT: Duration = Duration::from_secs(30);

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Every line the process printed so far, collected by a thread.
#[derive(Clone, Default)]
struct Output(Arc<Mutex<Vec<String>>>);

impl Output {
    fn collect(&self, child: &mut Child) {
        let stdout = child.stdout.take().expect("piped stdout");
        let lines = Arc::clone(&self.0);
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                lines.lock().unwrap().push(line);
            }
        });
    }

    fn count(&self) -> usize {
        self.0.lock().unwrap().len()
    }

    /// Waits for a line printed after the first `from` lines that contains every one of `parts`.
    async fn wait_for_line(&self, from: usize, parts: &[&str]) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let found = self.0.lock().unwrap()[from..]
                .iter()
                .find(|line| parts.iter().all(|part| line.contains(part)))
                .cloned();
            if let Some(line) = found {
                return line;
            }
            assert!(
                Instant::now() < deadline,
                "no line with {parts:?}; printed:\n{}",
                self.0.lock().unwrap()[from..].join("\n")
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

fn write_config(path: &Path, text: &str) {
    std::fs::write(path, text).expect("write the configuration");
}

fn hangup(child: &Child) {
    let status = Command::new("kill")
        .args(["-HUP", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
}

async fn next_point(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(WAIT, socket.next())
            .await
            .expect("a live point in time")
            .expect("the live stream is still open")
            .expect("a message");
        if let Message::Text(text) = message {
            return serde_json::from_str(&text).expect("JSON point");
        }
    }
}

async fn hello_frames(base: &str) -> u64 {
    let metrics = reqwest::get(format!("{base}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    metrics
        .lines()
        .find(|line| line.starts_with("netops_agent_frames_received_total{frame=\"Hello\"}"))
        .and_then(|line| line.rsplit(' ').next())
        .map(|value| value.parse().expect("a count"))
        .unwrap_or(0)
}

#[tokio::test]
async fn sighup_reloads_without_dropping_streams() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = dir.path().join("control-plane.toml");
    let data_dir = dir.path().join("data");
    let base_config = format!(
        "listen = \"127.0.0.1:{port}\"\ndata_dir = \"{}\"\n",
        data_dir.display()
    );
    // Only warnings at first: the info line "configuration reloaded" shows once the new filter
    // is in force.
    write_config(&config, &format!("{base_config}[log]\nfilter = \"warn\"\n"));
    let mut child = Command::new(BIN)
        .arg("--config")
        .arg(&config)
        .arg("demo")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let output = Output::default();
    output.collect(&mut child);
    let child = Running(child);
    let base = format!("http://127.0.0.1:{port}");
    wait_ready(&format!("{base}/readyz")).await;

    let login: Value = reqwest::Client::new()
        .post(format!("{base}/api/v1/customer/auth/login"))
        .json(&serde_json::json!({ "customer_code": "CUST001", "phone": "01712345678" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["data"]["token"].as_str().expect("a token").to_owned();
    let (mut live, _) = tokio_tungstenite::connect_async(format!(
        "ws://127.0.0.1:{port}/api/v1/customer/network/live?token={token}"
    ))
    .await
    .expect("the live stream opens");
    next_point(&mut live).await;
    assert_eq!(
        hello_frames(&base).await,
        1,
        "the demo agent connected once"
    );

    // An invalid file: every problem is logged, the running configuration stays.
    write_config(
        &config,
        &format!("{base_config}[log]\nfilter = \"info\"\nlisten_port = 1\n"),
    );
    let before = output.count();
    hangup(&child.0);
    output
        .wait_for_line(before, &["configuration problem", "listen_port"])
        .await;
    output
        .wait_for_line(before, &["configuration reload refused"])
        .await;
    next_point(&mut live).await;
    let ready = reqwest::get(format!("{base}/readyz")).await.unwrap();
    assert!(ready.status().is_success());
    assert!(
        !output.0.lock().unwrap()[before..]
            .iter()
            .any(|line| line.contains("configuration reloaded")),
        "an invalid file must not be applied"
    );

    // A valid file: the log filter applies at once, a new listen address waits for a restart.
    let other_port = free_port();
    write_config(
        &config,
        &format!(
            "listen = \"127.0.0.1:{other_port}\"\ndata_dir = \"{}\"\n[log]\nfilter = \"info\"\n",
            data_dir.display()
        ),
    );
    let before = output.count();
    hangup(&child.0);
    output
        .wait_for_line(before, &["applies only after a restart", "listen"])
        .await;
    output
        .wait_for_line(before, &["configuration reloaded"])
        .await;

    // Same process, same port, same live stream, same agent connection.
    next_point(&mut live).await;
    next_point(&mut live).await;
    assert_eq!(
        hello_frames(&base).await,
        1,
        "the agent was not reconnected"
    );
    let ready = reqwest::get(format!("{base}/readyz")).await.unwrap();
    assert!(ready.status().is_success());
    drop(child);
}
