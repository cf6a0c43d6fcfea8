//! Support for whole-system tests and benchmarks: a control plane served on a listener and
//! stopped as a stop signal would, logins, a subscriber's live stream and hour chart as an app
//! reads them. Shared through `mod system;` and `#[path]`.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use control_plane::config::{Config, Secret};
use control_plane::store::Store;
use futures_util::StreamExt;
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// The demo ISP's first subscriber: customer code, phone, PPPoE username.
pub const RAHIM: (&str, &str, &str) = ("CUST001", "01712345678", "rahim.gulshan");

/// A control plane over SQLite in `dir`, as `serve` runs it.
pub fn config(dir: &Path) -> Config {
    Config {
        data_dir: dir.to_path_buf(),
        jwt_secret: Some(Secret::new("system-test-secret-system-test-secret!")),
        ..Config::default()
    }
}

/// A served control plane; [`ControlPlane::stop`] closes streams and flushes ingest.
pub struct ControlPlane {
    pub api: SocketAddr,
    stop: oneshot::Sender<()>,
    server: tokio::task::JoinHandle<()>,
}

impl ControlPlane {
    /// Builds the state over `store` and serves it on `listener`.
    pub async fn serve(config: &Config, store: &Store, listener: TcpListener) -> Self {
        let state = control_plane::app::build_state(config, store.clone()).expect("state");
        let api = listener.local_addr().expect("listener address");
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            control_plane::app::serve(state, listener, async {
                let _ = stopped.await;
            })
            .await
            .expect("control plane serves");
        });
        Self { api, stop, server }
    }

    /// Serves on 127.0.0.1 and a free port.
    pub async fn start(config: &Config, store: &Store) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        Self::serve(config, store, listener).await
    }

    /// Stops as a stop signal would and waits until ingest is written.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        self.server.await.expect("control plane stopped cleanly");
    }
}

/// A client with a bounded wait per request.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

/// The `data` of a successful envelope.
pub async fn data(response: reqwest::Response) -> Value {
    let status = response.status();
    let body: Value = response.json().await.expect("JSON body");
    assert!(status.is_success(), "{status}: {body}");
    assert_eq!(body["success"], true, "{body}");
    body["data"].clone()
}

/// Logs a subscriber in by customer code and phone; returns the token.
pub async fn customer_token(
    client: &reqwest::Client,
    api: SocketAddr,
    code: &str,
    phone: &str,
) -> String {
    let reply = client
        .post(format!("http://{api}/api/v1/customer/auth/login"))
        .json(&json!({ "customer_code": code, "phone": phone }))
        .send()
        .await
        .expect("login");
    data(reply).await["token"]
        .as_str()
        .expect("token")
        .to_owned()
}

/// Logs a demo staff member in; returns the token.
pub async fn staff_token(client: &reqwest::Client, api: SocketAddr, username: &str) -> String {
    let password = control_plane::demo::DEMO_STAFF
        .iter()
        .find(|(u, _, _)| *u == username)
        .map(|(_, _, p)| *p)
        .expect("demo staff");
    let reply = client
        .post(format!("http://{api}/api/v1/admin/auth/login"))
        .json(&json!({ "username": username, "password": password }))
        .send()
        .await
        .expect("staff login");
    data(reply).await["token"]
        .as_str()
        .expect("token")
        .to_owned()
}

/// One point of a chart or a live stream, in bits per second.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RatePoint {
    pub unix: i64,
    pub rx_bps: f64,
    pub tx_bps: f64,
}

fn rate_point(point: &Value) -> RatePoint {
    let text = point["timestamp"].as_str().expect("timestamp");
    let at = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|e| panic!("timestamp {text:?}: {e}"));
    RatePoint {
        unix: at.unix_timestamp(),
        rx_bps: point["rx_mbps"].as_f64().expect("rx_mbps") * 1e6,
        tx_bps: point["tx_mbps"].as_f64().expect("tx_mbps") * 1e6,
    }
}

/// `GET /network/bandwidth?period=1h`, oldest first.
pub async fn hour_chart(client: &reqwest::Client, api: SocketAddr, token: &str) -> Vec<RatePoint> {
    let reply = client
        .get(format!(
            "http://{api}/api/v1/customer/network/bandwidth?period=1h"
        ))
        .bearer_auth(token)
        .send()
        .await
        .expect("bandwidth");
    data(reply)
        .await
        .as_array()
        .expect("points")
        .iter()
        .map(rate_point)
        .collect()
}

/// `GET /network/status`'s `data`.
pub async fn network_status(client: &reqwest::Client, api: SocketAddr, token: &str) -> Value {
    let reply = client
        .get(format!("http://{api}/api/v1/customer/network/status"))
        .bearer_auth(token)
        .send()
        .await
        .expect("status");
    data(reply).await
}

/// A subscriber's `/network/live` WebSocket.
pub struct LiveStream {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl LiveStream {
    pub async fn open(api: SocketAddr, token: &str) -> Self {
        let (socket, _) = tokio_tungstenite::connect_async(format!(
            "ws://{api}/api/v1/customer/network/live?token={token}"
        ))
        .await
        .expect("live WebSocket");
        Self { socket }
    }

    /// The next point and when it arrived; fails the test after `limit`.
    pub async fn next(&mut self, limit: Duration) -> (RatePoint, Instant) {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let message = tokio::time::timeout_at(deadline, self.socket.next())
                .await
                .unwrap_or_else(|_| panic!("no live point within {limit:?}"))
                .expect("live stream open")
                .expect("live message");
            if let Message::Text(text) = message {
                let arrived = Instant::now();
                let point: Value = serde_json::from_str(&text).expect("live JSON");
                return (rate_point(&point), arrived);
            }
        }
    }
}

/// Whether `got_bps` is within `tolerance` (a fraction) of `want_bps`.
pub fn within(got_bps: f64, want_bps: f64, tolerance: f64) -> bool {
    (got_bps - want_bps).abs() <= want_bps * tolerance
}
