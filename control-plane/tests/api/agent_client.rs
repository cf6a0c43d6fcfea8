//! A synthetic edge agent speaking the netops wire protocol over a real WebSocket, and the
//! staff API calls that register one.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use proto::{
    decode_frame, encode_frame, Ack, AgentToken, Command, CommandResult, CommandState, Frame,
    Hello, HelloAck, IndexedSampleEntry, IndexedSamples, Ping, SampleEntry, Samples, SubscriberKey,
    SubscriberKeys, PROTOCOL_VERSION,
};
use serde_json::json;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::helpers::TestApp;

const WAIT: Duration = Duration::from_secs(10);

/// Registers an agent for the demo site through the staff API; returns (agent id, token).
pub async fn register_agent(app: &TestApp, name: &str) -> (String, String) {
    let noc = app.staff_token("noc").await;
    let sites = app.get("/api/v1/admin/sites", Some(&noc)).await;
    let site_id = sites.data()["sites"][0]["id"]
        .as_str()
        .expect("demo site")
        .to_owned();
    let created = app
        .post(
            "/api/v1/admin/agents",
            Some(&noc),
            json!({ "name": name, "site_id": site_id }),
        )
        .await;
    let data = created.data();
    (
        data["agent"]["id"].as_str().expect("id").to_owned(),
        data["token"].as_str().expect("token").to_owned(),
    )
}

/// Wall clock in Unix milliseconds.
pub fn now_ms() -> u64 {
    u64::try_from(time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000)
        .expect("after 1970")
}

pub fn pppoe(username: &str, rx_bps: u64, tx_bps: u64, rx_octets_total: u64) -> SampleEntry {
    SampleEntry {
        subscriber_key: SubscriberKey::PppoeUsername(username.to_owned()),
        rx_bps,
        tx_bps,
        rx_octets_total,
        tx_octets_total: rx_octets_total / 4,
    }
}

/// An entry of an `IndexedSamples` batch for the subscriber numbered `subscriber_index`.
pub fn numbered(
    subscriber_index: u32,
    rx_bps: u64,
    tx_bps: u64,
    rx_octets_total: u64,
) -> IndexedSampleEntry {
    IndexedSampleEntry {
        subscriber_index,
        rx_bps,
        tx_bps,
        rx_octets_total,
        tx_octets_total: rx_octets_total / 4,
    }
}

/// How the control plane ended a connection.
#[derive(Debug)]
pub struct Closed {
    pub code: u16,
    pub reason: String,
}

pub struct TestAgent {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl TestAgent {
    pub async fn connect(app: &TestApp) -> TestAgent {
        let url = format!("{}/api/v1/agent/ws", app.base.replacen("http", "ws", 1));
        let (ws, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("agent WebSocket");
        TestAgent { ws }
    }

    /// Connects and completes the handshake.
    pub async fn admitted(app: &TestApp, token: &str) -> TestAgent {
        let mut agent = Self::connect(app).await;
        let ack = agent.hello(token, PROTOCOL_VERSION).await;
        assert_eq!(ack.accepted_version, PROTOCOL_VERSION);
        agent
    }

    pub async fn send(&mut self, frame: &Frame) {
        let bytes = encode_frame(frame).expect("encode");
        self.send_raw(Message::Binary(bytes.into())).await;
    }

    /// Sends a message; a connection the server already closed is not an error here.
    pub async fn send_raw(&mut self, message: Message) {
        let _ = self.ws.send(message).await;
    }

    pub fn hello_frame(token: &str, protocol_version: u16) -> Frame {
        Frame::Hello(Hello {
            protocol_version,
            agent_id: "test-agent".into(),
            agent_version: "9.9.9-test".into(),
            token: AgentToken::new(token),
        })
    }

    pub async fn hello(&mut self, token: &str, protocol_version: u16) -> HelloAck {
        self.send(&Self::hello_frame(token, protocol_version)).await;
        match self.next_frame().await {
            Frame::HelloAck(ack) => ack,
            other => panic!("expected HelloAck, got {other:?}"),
        }
    }

    /// Sends one batch and returns the acknowledged sequence.
    pub async fn samples(
        &mut self,
        batch_seq: u64,
        timestamp_ms: u64,
        entries: Vec<SampleEntry>,
    ) -> u64 {
        self.send(&Frame::Samples(Samples {
            batch_seq,
            timestamp_ms,
            entries,
        }))
        .await;
        match self.next_frame().await {
            Frame::Ack(Ack { up_to_batch_seq }) => up_to_batch_seq,
            other => panic!("expected Ack, got {other:?}"),
        }
    }

    /// Numbers subscribers on this connection, from `first_index` on (protocol version 2).
    pub async fn number(&mut self, first_index: u32, keys: Vec<SubscriberKey>) {
        self.send(&Frame::SubscriberKeys(SubscriberKeys { first_index, keys }))
            .await;
    }

    /// Sends one batch by subscriber number and returns the acknowledged sequence.
    pub async fn indexed_samples(
        &mut self,
        batch_seq: u64,
        timestamp_ms: u64,
        entries: Vec<IndexedSampleEntry>,
    ) -> u64 {
        self.send(&Frame::IndexedSamples(IndexedSamples {
            batch_seq,
            timestamp_ms,
            entries,
        }))
        .await;
        match self.next_frame().await {
            Frame::Ack(Ack { up_to_batch_seq }) => up_to_batch_seq,
            other => panic!("expected Ack, got {other:?}"),
        }
    }

    /// The next `Command` frame the control plane sends.
    pub async fn next_command(&mut self) -> Command {
        match self.next_frame().await {
            Frame::Command(command) => command,
            other => panic!("expected a Command, got {other:?}"),
        }
    }

    /// Reports a command's progress or outcome, as the agent's executor does.
    pub async fn report(&mut self, command: &str, state: CommandState, detail: &str) {
        self.send(&Frame::CommandResult(CommandResult {
            command_id: command.parse().expect("command id"),
            state,
            detail: detail.to_owned(),
        }))
        .await;
    }

    /// Pings and waits for the Pong: every frame sent before has been handled, and no
    /// `Command` came in between (the test fails if one does).
    pub async fn round_trip(&mut self, nonce: u64) {
        self.send(&Frame::Ping(Ping { nonce })).await;
        match self.next_frame().await {
            Frame::Pong(pong) => assert_eq!(pong.nonce, nonce),
            other => panic!("expected Pong {nonce}, got {other:?}"),
        }
    }

    pub async fn next_frame(&mut self) -> Frame {
        self.next_frame_within(WAIT).await
    }

    /// The next frame, waiting at most `wait` for each message.
    pub async fn next_frame_within(&mut self, wait: Duration) -> Frame {
        loop {
            let message = tokio::time::timeout(wait, self.ws.next())
                .await
                .expect("a frame in time")
                .expect("connection open")
                .expect("frame");
            match message {
                Message::Binary(bytes) => return decode_frame(&bytes).expect("valid frame"),
                Message::Ping(_) | Message::Pong(_) => continue,
                other => panic!("expected a binary frame, got {other:?}"),
            }
        }
    }

    /// Waits for the server to close the connection and says how.
    pub async fn closed(&mut self) -> Closed {
        loop {
            let message = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("the server closes in time");
            match message {
                Some(Ok(Message::Close(Some(frame)))) => {
                    return Closed {
                        code: frame.code.into(),
                        reason: frame.reason.to_string(),
                    }
                }
                Some(Ok(Message::Close(None))) | None | Some(Err(_)) => {
                    return Closed {
                        code: 1006,
                        reason: String::new(),
                    }
                }
                // Answers to frames sent before the refused one (HelloAck) come first.
                Some(Ok(_)) => continue,
            }
        }
    }
}
