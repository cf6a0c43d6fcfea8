//! Test peers for the uplink: a small control plane speaking netops's agent protocol over
//! WebSocket on 127.0.0.1, and a handle on a running uplink.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use edge_agent::spool::SpoolConfig;
use edge_agent::uplink::{self, ControlPlaneUrl, UplinkConfig, UplinkError, UplinkStatus};
use futures_util::{SinkExt, StreamExt};
use proto::{
    decode_frame, encode_frame, negotiate_version, Ack, AgentToken, Command, Frame, Hello,
    HelloAck, Pong, SampleEntry, Samples, SubscriberKey, SubscriberTable, PROTOCOL_VERSION,
};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::StatusCode;
use tokio_tungstenite::tungstenite::Message;

pub const AGENT_ID: &str = "site-test";
pub const TOKEN: &str = "test-token";
/// Upper bound for any single wait in these tests.
pub const WAIT: Duration = Duration::from_secs(15);

/// One batch (`Samples`, or `IndexedSamples` read back through the connection's numbering) as
/// the control plane received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedBatch {
    pub connection: u64,
    /// Which frame carried it.
    pub frame: &'static str,
    pub batch_seq: u64,
    /// The tests put the producer's frame number here.
    pub timestamp_ms: u64,
    pub entries: Vec<SampleEntry>,
}

/// Everything the test control plane has seen.
#[derive(Debug, Clone, Default)]
pub struct ServerView {
    pub connections: u64,
    pub hellos: Vec<Hello>,
    /// Every `Samples` received, duplicates included, in arrival order.
    pub batches: Vec<ReceivedBatch>,
    /// Subscribers numbered by `SubscriberKeys` on the latest connection that numbered any.
    pub subscribers_numbered: usize,
    pub pings_from_agent: u64,
    pub pongs_from_agent: Vec<u64>,
    pub other_frames: Vec<&'static str>,
    pub closes_from_agent: u64,
}

impl ServerView {
    /// Frame numbers of the batches stored, de-duplicated by `batch_seq` as the control plane
    /// does, in the order first received.
    pub fn stored(&self) -> Vec<u64> {
        let mut seen = BTreeSet::new();
        self.batches
            .iter()
            .filter(|b| seen.insert(b.batch_seq))
            .map(|b| b.timestamp_ms)
            .collect()
    }

    /// True when every connection received its batches in increasing `batch_seq` order.
    pub fn in_order_per_connection(&self) -> bool {
        (1..=self.connections).all(|connection| {
            let seqs: Vec<u64> = self
                .batches
                .iter()
                .filter(|b| b.connection == connection)
                .map(|b| b.batch_seq)
                .collect();
            seqs.windows(2).all(|w| w[0] < w[1])
        })
    }
}

/// Knobs the tests turn on the control plane.
#[derive(Debug)]
pub struct Behaviour {
    /// Acknowledge batches only on connections numbered at least this.
    pub ack_from_connection: AtomicU64,
    /// Answer `Hello` only on connections numbered at least this.
    pub hello_from_connection: AtomicU64,
    /// When set, the control plane answers nothing (no `Ack`, no `Pong`).
    pub silent: AtomicBool,
    /// Drop the connection without a close once it has received this many batches (0: never).
    /// Applies once.
    pub drop_after_batches: AtomicU64,
    /// The newest protocol version this control plane speaks.
    pub max_protocol_version: AtomicU64,
}

impl Default for Behaviour {
    fn default() -> Self {
        Self {
            ack_from_connection: AtomicU64::new(0),
            hello_from_connection: AtomicU64::new(0),
            silent: AtomicBool::new(false),
            drop_after_batches: AtomicU64::new(0),
            max_protocol_version: AtomicU64::new(PROTOCOL_VERSION.into()),
        }
    }
}

enum ServerAction {
    Send(Message),
    Drop,
}

struct Shared {
    view: watch::Sender<ServerView>,
    behaviour: Behaviour,
    current: Mutex<Option<mpsc::UnboundedSender<ServerAction>>>,
}

/// A control plane listening on 127.0.0.1.
pub struct ControlPlane {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    view: watch::Receiver<ServerView>,
    accept_task: JoinHandle<()>,
}

/// A free port on 127.0.0.1 with nothing listening on it yet.
pub fn reserve_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

pub fn url_for_port(port: u16) -> ControlPlaneUrl {
    ControlPlaneUrl::parse(&format!("ws://127.0.0.1:{port}")).expect("url")
}

impl ControlPlane {
    pub async fn start() -> Self {
        Self::start_on(0).await
    }

    pub async fn start_with(behaviour: Behaviour) -> Self {
        Self::start_on_with(0, behaviour).await
    }

    pub async fn start_on(port: u16) -> Self {
        Self::start_on_with(port, Behaviour::default()).await
    }

    pub async fn start_on_with(port: u16, behaviour: Behaviour) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (view_tx, view) = watch::channel(ServerView::default());
        let shared = Arc::new(Shared {
            view: view_tx,
            behaviour,
            current: Mutex::new(None),
        });
        let accept_task = tokio::spawn(accept_loop(listener, shared.clone()));
        Self {
            addr,
            shared,
            view,
            accept_task,
        }
    }

    pub fn url(&self) -> ControlPlaneUrl {
        url_for_port(self.addr.port())
    }

    pub fn behaviour(&self) -> &Behaviour {
        &self.shared.behaviour
    }

    pub fn view(&self) -> ServerView {
        self.view.borrow().clone()
    }

    /// Waits until `condition` holds for what the control plane has seen.
    pub async fn wait_for(
        &mut self,
        what: &str,
        condition: impl FnMut(&ServerView) -> bool,
    ) -> ServerView {
        let outcome = timeout(WAIT, self.view.wait_for(condition))
            .await
            .map(|waited| waited.map(|view| view.clone()));
        match outcome {
            Ok(Ok(view)) => view,
            Ok(Err(_)) => panic!("control plane stopped while waiting for {what}"),
            Err(_) => panic!(
                "timed out waiting for {what}; control plane saw {:#?}",
                self.view()
            ),
        }
    }

    /// Sends a WebSocket message to the connected agent.
    pub fn send_to_agent(&self, message: Message) {
        self.act(ServerAction::Send(message));
    }

    pub fn send_frame_to_agent(&self, frame: &Frame) {
        self.send_to_agent(Message::binary(encode_frame(frame).expect("encode")));
    }

    /// Drops the current connection without a close handshake, as a crash or a NAT timeout would.
    pub fn drop_connection(&self) {
        self.act(ServerAction::Drop);
    }

    fn act(&self, action: ServerAction) {
        let current = self.shared.current.lock().expect("lock");
        let sender = current.as_ref().expect("an agent is connected");
        if sender.send(action).is_err() {
            panic!("the connection task has ended");
        }
    }

    /// Stops listening and drops every connection.
    pub async fn stop(self) {
        self.accept_task.abort();
        let _ = self.accept_task.await;
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    // Ends when the test aborts the task; each pass accepts one connection.
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        connections.spawn(serve_connection(stream, shared.clone()));
    }
}

// The signature tungstenite's accept callback requires.
#[allow(clippy::result_large_err)]
fn check_path(request: &Request, response: Response) -> Result<Response, ErrorResponse> {
    if request.uri().path() == uplink::AGENT_WS_PATH {
        Ok(response)
    } else {
        let mut refusal = ErrorResponse::new(Some("no such endpoint".into()));
        *refusal.status_mut() = StatusCode::NOT_FOUND;
        Err(refusal)
    }
}

async fn serve_connection(stream: TcpStream, shared: Arc<Shared>) {
    let Ok(mut ws) = tokio_tungstenite::accept_hdr_async(stream, check_path).await else {
        return;
    };
    let mut connection = 0;
    shared.view.send_modify(|v| {
        v.connections += 1;
        connection = v.connections;
    });
    let (actions_tx, mut actions) = mpsc::unbounded_channel();
    *shared.current.lock().expect("lock") = Some(actions_tx);
    let behaviour = &shared.behaviour;

    let Some(Ok(Message::Binary(first))) = ws.next().await else {
        return;
    };
    let Ok(Frame::Hello(hello)) = decode_frame(&first) else {
        let _ = ws.close(None).await;
        return;
    };
    shared.view.send_modify(|v| v.hellos.push(hello.clone()));
    if hello.token.expose_secret() != TOKEN {
        let _ = ws
            .close(Some(tokio_tungstenite::tungstenite::protocol::CloseFrame {
                code: 4401.into(),
                reason: "unknown agent or token".into(),
            }))
            .await;
        return;
    }
    let answers_hello = connection >= behaviour.hello_from_connection.load(Ordering::SeqCst);
    if answers_hello {
        let max_version = behaviour.max_protocol_version.load(Ordering::SeqCst);
        let offered = hello
            .protocol_version
            .min(u16::try_from(max_version).expect("version"));
        let accepted_version = negotiate_version(offered).expect("version");
        let ack = Frame::HelloAck(HelloAck {
            accepted_version,
            server_time_ms: unix_ms(),
        });
        if send(&mut ws, &ack).await.is_err() {
            return;
        }
    }

    let mut received_here = 0u64;
    let mut numbering = SubscriberTable::new();
    // Ends when the agent goes away or the test drops the connection.
    loop {
        tokio::select! {
            action = actions.recv() => match action {
                Some(ServerAction::Send(message)) => {
                    if ws.send(message).await.is_err() {
                        return;
                    }
                }
                Some(ServerAction::Drop) | None => return,
            },
            message = ws.next() => {
                let message = match message {
                    Some(Ok(message)) => message,
                    Some(Err(_)) | None => return,
                };
                if !answers_hello {
                    continue;
                }
                let silent = behaviour.silent.load(Ordering::SeqCst);
                match message {
                    Message::Binary(bytes) => match read_batches(decode_frame(&bytes), &mut numbering) {
                        Ok((frame, Frame::Samples(samples))) => {
                            shared.view.send_modify(|v| v.batches.push(ReceivedBatch {
                                connection,
                                frame,
                                batch_seq: samples.batch_seq,
                                timestamp_ms: samples.timestamp_ms,
                                entries: samples.entries.clone(),
                            }));
                            received_here += 1;
                            let drop_after = behaviour.drop_after_batches.load(Ordering::SeqCst);
                            if drop_after > 0 && received_here >= drop_after {
                                behaviour.drop_after_batches.store(0, Ordering::SeqCst);
                                return;
                            }
                            let acks = connection >= behaviour.ack_from_connection.load(Ordering::SeqCst);
                            if acks && !silent {
                                let ack = Frame::Ack(Ack { up_to_batch_seq: samples.batch_seq });
                                if send(&mut ws, &ack).await.is_err() {
                                    return;
                                }
                            }
                        }
                        Ok((_, Frame::SubscriberKeys(_))) => {
                            shared.view.send_modify(|v| v.subscribers_numbered = numbering.len());
                        }
                        Ok((_, Frame::Ping(ping))) => {
                            shared.view.send_modify(|v| v.pings_from_agent += 1);
                            if !silent && send(&mut ws, &Frame::Pong(Pong { nonce: ping.nonce })).await.is_err() {
                                return;
                            }
                        }
                        Ok((_, Frame::Pong(pong))) => shared.view.send_modify(|v| v.pongs_from_agent.push(pong.nonce)),
                        Ok((_, other)) => shared.view.send_modify(|v| v.other_frames.push(other.tag().name())),
                        Err(_) => shared.view.send_modify(|v| v.other_frames.push("undecodable")),
                    },
                    Message::Close(_) => shared.view.send_modify(|v| v.closes_from_agent += 1),
                    _ => {}
                }
            }
        }
    }
}

/// Reads numbered frames as the control plane does: `SubscriberKeys` extend the connection's
/// table and `IndexedSamples` come back as the `Samples` batch they carry, with the name of the
/// frame received. A numbering error reads as undecodable.
fn read_batches(
    frame: Result<Frame, proto::DecodeError>,
    numbering: &mut SubscriberTable,
) -> Result<(&'static str, Frame), ()> {
    let frame = frame.map_err(|_| ())?;
    let name = frame.tag().name();
    match frame {
        Frame::SubscriberKeys(keys) => {
            let first_index = keys.first_index;
            numbering.add(keys).map_err(|_| ())?;
            let added = proto::SubscriberKeys {
                first_index,
                keys: Vec::new(),
            };
            Ok((name, Frame::SubscriberKeys(added)))
        }
        Frame::IndexedSamples(indexed) => {
            let samples = numbering.expand(&indexed).map_err(|_| ())?;
            Ok((name, Frame::Samples(samples)))
        }
        other => Ok((name, other)),
    }
}

async fn send(
    ws: &mut tokio_tungstenite::WebSocketStream<TcpStream>,
    frame: &Frame,
) -> Result<(), tokio_tungstenite::tungstenite::Error> {
    ws.send(Message::binary(encode_frame(frame).expect("encode")))
        .await
}

pub fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_millis() as u64
}

/// Sends the uplink's logs to the test output, filtered by `RUST_LOG` (errors only by default);
/// the test harness shows them for failing tests.
pub fn init_logs() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
}

/// A configuration with short timings for tests.
pub fn test_config(url: ControlPlaneUrl, spool_dir: &Path) -> UplinkConfig {
    let mut config = UplinkConfig::new(url, AGENT_ID, AgentToken::new(TOKEN), spool_dir);
    config.agent_version = "9.9.9-test".into();
    config.spool = SpoolConfig::with_max_bytes(1024 * 1024);
    config.hello_timeout = Duration::from_millis(1000);
    config.ping_interval = Duration::from_millis(400);
    config.reconnect_initial = Duration::from_millis(20);
    config.reconnect_max = Duration::from_millis(200);
    config.healthy_after = Duration::from_secs(5);
    config
}

/// A running uplink and the channels around it.
pub struct Agent {
    frames: mpsc::Sender<Frame>,
    pub commands: mpsc::Receiver<Command>,
    status: watch::Receiver<UplinkStatus>,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), UplinkError>>,
    seq_base: u64,
}

impl Agent {
    pub fn start(config: UplinkConfig) -> Self {
        init_logs();
        let (frames, frames_rx) = mpsc::channel(256);
        let (commands_tx, commands) = mpsc::channel(16);
        let (status_tx, status) = watch::channel(UplinkStatus::default());
        let (shutdown, shutdown_rx) = oneshot::channel::<()>();
        let task = tokio::spawn(uplink::run(
            config,
            frames_rx,
            commands_tx,
            status_tx,
            async move {
                let _ = shutdown_rx.await;
            },
        ));
        Self {
            frames,
            commands,
            status,
            shutdown: Some(shutdown),
            task,
            seq_base: unix_ms(),
        }
    }

    /// Produces frame number `n`: a `Samples` batch whose `timestamp_ms` is `n`.
    pub async fn send_samples(&self, n: u64) {
        self.send_samples_padded(n, 0).await;
    }

    /// Like `send_samples`, with a subscriber name of `padding_bytes` to make the frame larger.
    pub async fn send_samples_padded(&self, n: u64, padding_bytes: usize) {
        let samples = Samples {
            batch_seq: self.seq_base + n,
            timestamp_ms: n,
            entries: vec![SampleEntry {
                subscriber_key: SubscriberKey::PppoeUsername(format!(
                    "sub{n}{}",
                    "x".repeat(padding_bytes)
                )),
                rx_bps: 1_000 * n,
                tx_bps: 100 * n,
                rx_octets_total: 125 * n,
                tx_octets_total: 12 * n,
            }],
        };
        self.send_frame(Frame::Samples(samples)).await;
    }

    pub async fn send_frame(&self, frame: Frame) {
        timeout(WAIT, self.frames.send(frame))
            .await
            .expect("uplink takes frames in time")
            .expect("uplink is running");
    }

    pub fn status(&self) -> UplinkStatus {
        self.status.borrow().clone()
    }

    /// Waits until `condition` holds for the uplink's status.
    pub async fn wait_status(
        &mut self,
        what: &str,
        condition: impl FnMut(&UplinkStatus) -> bool,
    ) -> UplinkStatus {
        let outcome = timeout(WAIT, self.status.wait_for(condition))
            .await
            .map(|waited| waited.map(|status| status.clone()));
        match outcome {
            Ok(Ok(status)) => status,
            Ok(Err(_)) => panic!(
                "uplink stopped while waiting for {what}: {:?}",
                self.status()
            ),
            Err(_) => panic!(
                "timed out waiting for {what}; uplink status {:#?}",
                self.status()
            ),
        }
    }

    pub fn is_running(&self) -> bool {
        !self.task.is_finished()
    }

    /// Shuts the uplink down and returns what `run` returned.
    pub async fn stop(mut self) -> Result<(), UplinkError> {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        timeout(WAIT, self.task)
            .await
            .expect("uplink stops in time")
            .expect("uplink task did not panic")
    }
}
