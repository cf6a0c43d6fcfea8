//! Disconnect and CoA against a real FreeRADIUS Dynamic Authorization listener started by
//! `lab/radius-dac.sh` on 127.0.0.1 (Debian package `freeradius`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use netops_radius::{
    DacClient, DacError, DacReply, ErrorCause, Nas, RateLimit, RetryPolicy, SessionIdent,
};

const SECRET: &str = "lab-dac-secret";

struct Listener {
    run: tempfile::TempDir,
    addr: SocketAddr,
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = Command::new(script())
            .arg("stop")
            .arg(self.run.path())
            .status();
    }
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../lab/radius-dac.sh")
}

/// Starts the listener, or returns `None` (with a note) when FreeRADIUS is not installed and
/// the lab is not required.
fn start(sessions: &[&str]) -> Option<Listener> {
    let installed = Command::new("sh")
        .args(["-c", "command -v freeradius"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !installed {
        assert!(
            std::env::var("NETOPS_LAB_REQUIRED").as_deref() != Ok("1"),
            "freeradius is not installed but NETOPS_LAB_REQUIRED=1 (apt-get install freeradius)"
        );
        eprintln!(
            "freeradius is not installed: FreeRADIUS tests skipped (lab/run-tests installs it)"
        );
        return None;
    }
    let port = std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let run = tempfile::tempdir().unwrap();
    let status = Command::new(script())
        .arg("start")
        .arg(port.to_string())
        .arg(run.path())
        .arg(SECRET)
        .args(sessions)
        .status()
        .unwrap();
    assert!(status.success(), "lab/radius-dac.sh start failed");
    Some(Listener {
        run,
        addr: SocketAddr::from(([127, 0, 0, 1], port)),
    })
}

fn session(user: &str, id: &str) -> SessionIdent {
    SessionIdent {
        acct_session_id: Some(id.to_owned()),
        ..SessionIdent::user(user)
    }
}

async fn client() -> DacClient {
    DacClient::bind(
        "127.0.0.1:0".parse().unwrap(),
        RetryPolicy {
            first_timeout: Duration::from_millis(300),
            attempts: 3,
        },
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn disconnect_acks_a_known_session_and_naks_an_unknown_one() {
    let Some(listener) = start(&["rahim.gulshan:81a00001"]) else {
        return;
    };
    let dac = client().await;
    let nas = Nas::new(listener.addr, SECRET);
    assert_eq!(
        dac.disconnect(&nas, &session("rahim.gulshan", "81a00001"))
            .await
            .unwrap(),
        DacReply::Ack
    );
    assert_eq!(
        dac.disconnect(&nas, &session("rahim.gulshan", "stale-id"))
            .await
            .unwrap(),
        DacReply::Nak(vec![ErrorCause(503)])
    );
}

#[tokio::test]
async fn coa_changes_rate_or_says_why_not() {
    let Some(listener) = start(&["rahim.gulshan:81a00001", "karima.nocoa:77"]) else {
        return;
    };
    let dac = client().await;
    let nas = Nas::new(listener.addr, SECRET);
    let rate = RateLimit::Mikrotik {
        upload_kbps: 25_000,
        download_kbps: 100_000,
    };
    assert_eq!(
        dac.change_rate(&nas, &session("rahim.gulshan", "81a00001"), &rate)
            .await
            .unwrap(),
        DacReply::Ack
    );
    assert_eq!(
        dac.change_rate(&nas, &session("karima.nocoa", "77"), &rate)
            .await
            .unwrap(),
        DacReply::Nak(vec![ErrorCause(405)])
    );
}

#[tokio::test]
async fn wrong_secret_is_silently_dropped_and_times_out() {
    let Some(listener) = start(&["rahim.gulshan:81a00001"]) else {
        return;
    };
    let dac = client().await;
    let nas = Nas::new(listener.addr, "not-the-secret");
    match dac
        .disconnect(&nas, &session("rahim.gulshan", "81a00001"))
        .await
    {
        Err(DacError::Timeout { attempts: 3, .. }) => {}
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert_eq!(
        dac.stats()
            .retransmissions
            .load(std::sync::atomic::Ordering::Relaxed),
        2
    );
}

#[tokio::test]
async fn concurrent_requests_get_their_own_answers() {
    let users: Vec<String> = (0..60).map(|i| format!("user{i}:s{i}")).collect();
    let args: Vec<&str> = users.iter().map(String::as_str).collect();
    let Some(listener) = start(&args) else { return };
    let dac = std::sync::Arc::new(client().await);
    let nas = Nas::new(listener.addr, SECRET);
    let mut tasks = Vec::new();
    for i in 0..60 {
        let dac = dac.clone();
        let nas = nas.clone();
        // Every other request names a session that does not exist: answers must not be swapped.
        let id = if i % 2 == 0 {
            format!("s{i}")
        } else {
            format!("gone{i}")
        };
        tasks.push(tokio::spawn(async move {
            (
                i,
                dac.disconnect(&nas, &session(&format!("user{i}"), &id))
                    .await,
            )
        }));
    }
    for task in tasks {
        let (i, reply) = task.await.unwrap();
        let expected = if i % 2 == 0 {
            DacReply::Ack
        } else {
            DacReply::Nak(vec![ErrorCause(503)])
        };
        assert_eq!(reply.unwrap(), expected, "request {i}");
    }
}
