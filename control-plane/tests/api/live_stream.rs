//! `GET /network/live`: points pushed over WebSocket (token in the query or the header) and
//! server-sent events, for the logged-in customer only.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::Value;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use crate::agent_client::{now_ms, pppoe, register_agent, TestAgent};
use crate::both_backends;
use crate::helpers::{assert_metric, TestApp, KARIMA, RAHIM};

const WAIT: Duration = Duration::from_secs(10);

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

fn live_url(app: &TestApp, base: &str) -> String {
    format!("{}{base}/network/live", app.base.replacen("http", "ws", 1))
}

async fn next_point(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(WAIT, socket.next())
            .await
            .expect("a point in time")
            .expect("stream open")
            .expect("message");
        if let Message::Text(text) = message {
            return serde_json::from_str(&text).expect("JSON point");
        }
    }
}

async fn websocket_pushes_only_the_customers_own_points(app: &TestApp) {
    let (_, token) = register_agent(app, "gulshan-pop").await;
    let rahim = app.customer_token(RAHIM.0, RAHIM.1).await;
    let karima = app.customer_token(KARIMA.0, KARIMA.1).await;

    // A bad token is refused before any upgrade.
    let refused = tokio_tungstenite::connect_async(format!(
        "{}?token=forged",
        live_url(app, "/api/v1/customer")
    ))
    .await;
    assert!(refused.is_err());
    app.get("/api/v1/customer/network/live?token=forged", None)
        .await
        .error(401);

    // Rahim passes the token as a browser would (query); Karima in the header.
    let (mut rahim_live, _) = tokio_tungstenite::connect_async(format!(
        "{}?token={rahim}",
        live_url(app, "/api/v1/customer")
    ))
    .await
    .expect("Rahim's live stream");
    let mut request = live_url(app, "/functions/v1/customer-api")
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("authorization", format!("Bearer {karima}").parse().unwrap());
    let (mut karima_live, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("Karima's live stream");

    let mut agent = TestAgent::admitted(app, &token).await;
    let start = now_ms() / 1_000 * 1_000 - 10_000;
    let mut seq = 0u64;
    let mut rahim_points = Vec::new();
    while rahim_points.len() < 3 {
        seq += 1;
        agent
            .samples(
                seq,
                start + seq * 1_000,
                vec![pppoe(RAHIM.2, 12_000_000, 3_000_000, 0)],
            )
            .await;
        let point = next_point(&mut rahim_live).await;
        if point["rx_mbps"] == 12 {
            assert_eq!(point["tx_mbps"], 3);
            assert!(point["timestamp"].as_str().unwrap().ends_with('Z'));
            rahim_points.push(point);
        }
        assert!(seq < 20, "Rahim's points did not arrive: {rahim_points:?}");
    }
    // Karima's stream carries only her own (idle) rates, never Rahim's.
    let karima_point = next_point(&mut karima_live).await;
    assert_eq!(karima_point["rx_mbps"], 0, "{karima_point}");
    let metrics = crate::helpers::metrics_text(app).await;
    assert_metric(
        &metrics,
        "netops_live_streams_open{transport=\"websocket\"}",
        2,
    );
}
both_backends!(websocket_pushes_only_the_customers_own_points);

async fn server_sent_events_without_upgrade(app: &TestApp) {
    let (_, token) = register_agent(app, "gulshan-pop").await;
    let rahim = app.customer_token(RAHIM.0, RAHIM.1).await;
    let mut response = app
        .client
        .get(format!(
            "{}/functions/v1/customer-api/network/live",
            app.base
        ))
        .bearer_auth(&rahim)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("text/event-stream"),
        "{content_type}"
    );

    let mut agent = TestAgent::admitted(app, &token).await;
    agent
        .samples(1, now_ms(), vec![pppoe(RAHIM.2, 7_000_000, 1_000_000, 0)])
        .await;
    let mut text = String::new();
    let event = loop {
        let chunk = tokio::time::timeout(WAIT, response.chunk())
            .await
            .expect("an event in time")
            .unwrap()
            .expect("stream open");
        text.push_str(&String::from_utf8_lossy(&chunk));
        let found = text
            .lines()
            .filter_map(|line| line.strip_prefix("data:"))
            .map(|data| serde_json::from_str::<Value>(data.trim()).expect("JSON point"))
            .find(|point| point["rx_mbps"] == 7);
        if let Some(point) = found {
            break point;
        }
    };
    assert_eq!(event["tx_mbps"], 1);
    assert!(event["timestamp"].as_str().unwrap().ends_with('Z'));
}
both_backends!(server_sent_events_without_upgrade);
