//! `GET /api/v1/agent/ws`: the edge agents' WebSocket. Binary `proto` frames only; `Hello`
//! first (within `HELLO_TIMEOUT`), then `Samples` (or, from protocol version 2, `SubscriberKeys`
//! and `IndexedSamples`) answered by `Ack`, `Ping` by `Pong`, `CommandResult`s applied to
//! their commands and `Inventory` stored as the agent's devices (from protocol version 3 also
//! as a set of `InventoryChunk`s, stored once complete); the site's queued device commands go
//! out as `Command` frames. Any rule broken closes the connection with a reason and stores nothing
//! from the bad frame.

use std::time::Duration;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use proto::{decode_frame, encode_frame, Ack, Frame, HelloAck, Pong, MAX_FRAME_BYTES};

use super::response::{ApiError, ErrorBody};
use super::state::AppState;
use crate::commands::dispatch::{self, SiteOutbox};
use crate::ingest::agents::{AgentConnection, Eviction};
use crate::ingest::apply::{apply_indexed_samples, apply_samples};
use crate::ingest::session::{admit, admitted_frame, expect_hello, AgentFrame, Rejection};
use crate::ingest::subscribers::ConnectionSubscribers;
use crate::inventory::apply::apply_inventory;
use crate::inventory::diff::StoredInventory;
use crate::inventory::ChunkAssembly;
use crate::live::now_unix_ms;
use crate::shutdown::stopped;
use crate::store::agents::AgentRow;

/// How long a new connection may take to send `Hello`.
pub const HELLO_TIMEOUT: Duration = Duration::from_secs(10);

/// Close code for a normal end (RFC 6455): eviction after revocation or replacement.
const CLOSE_NORMAL: u16 = 1000;
/// Close code "going away": the control plane is stopping.
const CLOSE_GOING_AWAY: u16 = 1001;
const CLOSE_INTERNAL: u16 = 1011;

#[utoipa::path(get, path = "/ws", tag = "agent",
    description = "WebSocket for edge agents. Binary frames of the netops wire protocol \
        (crate `proto`): the agent sends `Hello` with its token within 10 s and gets `HelloAck`, \
        then `Samples` batches, each answered by `Ack` (from protocol version 2 the agent \
        numbers its subscribers with `SubscriberKeys` and sends `IndexedSamples`), and \
        `Inventory` frames (at most `[inventory] max_devices` devices and `max_interfaces` \
        interfaces; from protocol version 3 an inventory too large for one frame comes as \
        `InventoryChunk` frames, at most `max_chunks` of them and `max_assembly_bytes` bytes, \
        stored only once every chunk arrived). A malformed, text or out-of-order frame, a subscriber number not given, \
        an oversized or inconsistent Inventory, a bad or revoked token or an unsupported \
        protocol version closes the connection with a reason.",
    responses(
        (status = 101, description = "Switching to the agent protocol"),
        (status = 400, description = "Not a WebSocket upgrade", body = ErrorBody),
    ))]
pub async fn agent_ws(
    State(state): State<AppState>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    match upgrade {
        Ok(upgrade) => upgrade
            .max_message_size(MAX_FRAME_BYTES)
            .max_frame_size(MAX_FRAME_BYTES)
            .on_upgrade(move |socket| serve_agent(socket, state))
            .into_response(),
        Err(rejection) => ApiError::bad_request(format!(
            "the agent endpoint speaks WebSocket only: {}",
            rejection.body_text()
        ))
        .into_response(),
    }
}

async fn close(socket: &mut WebSocket, code: u16, reason: &str) {
    // A close reason is at most 123 bytes.
    let mut end = reason.len().min(123);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    let frame = CloseFrame {
        code,
        reason: reason[..end].into(),
    };
    let _ = socket.send(Message::Close(Some(frame))).await;
}

async fn reject(state: &AppState, socket: &mut WebSocket, rejection: Rejection) {
    state
        .metrics
        .ingest
        .frames_rejected
        .with_label_values(&[rejection.metric_reason()])
        .inc();
    tracing::info!(reason = %rejection, "agent connection refused");
    close(socket, rejection.close_code(), &rejection.to_string()).await;
}

async fn send_frame(socket: &mut WebSocket, frame: &Frame) -> bool {
    match encode_frame(frame) {
        Ok(bytes) => socket.send(Message::Binary(bytes.into())).await.is_ok(),
        Err(err) => {
            tracing::error!(error = %err, "unable to encode a frame for an agent");
            false
        }
    }
}

/// The first data message, skipping WebSocket pings; `None` when the peer went away.
async fn first_message(socket: &mut WebSocket) -> Option<Message> {
    loop {
        match socket.recv().await? {
            Ok(Message::Ping(_) | Message::Pong(_)) => continue,
            Ok(message) => return Some(message),
            Err(_) => return None,
        }
    }
}

fn count_frame(state: &AppState, frame: &Frame) {
    state
        .metrics
        .ingest
        .frames_received
        .with_label_values(&[frame.tag().name()])
        .inc();
}

async fn serve_agent(mut socket: WebSocket, state: AppState) {
    let _open = state.shutdown.track();
    let mut stopping = state.shutdown.signal();
    if state.shutdown.is_stopping() {
        close(&mut socket, CLOSE_GOING_AWAY, "control plane is stopping").await;
        return;
    }
    let first = tokio::select! {
        first = tokio::time::timeout(HELLO_TIMEOUT, first_message(&mut socket)) => first,
        _ = stopped(&mut stopping) => {
            close(&mut socket, CLOSE_GOING_AWAY, "control plane is stopping").await;
            return;
        }
    };
    let hello =
        match first {
            Err(_) => Err(Rejection::HelloTimeout(HELLO_TIMEOUT.as_secs())),
            Ok(None | Some(Message::Close(_))) => return,
            Ok(Some(Message::Binary(bytes))) => decode_frame(&bytes)
                .map_err(Rejection::from)
                .and_then(|frame| {
                    count_frame(&state, &frame);
                    expect_hello(frame)
                }),
            Ok(Some(_)) => Err(Rejection::TextFrame),
        };
    let admitted = match hello {
        Ok(hello) => admit(&state, &hello).await,
        Err(rejection) => Err(rejection),
    };
    let admitted = match admitted {
        Ok(admitted) => admitted,
        Err(rejection) => return reject(&state, &mut socket, rejection).await,
    };
    let stored_seq = admitted
        .agent
        .last_batch_seq
        .and_then(|s| u64::try_from(s).ok());
    let connection =
        state
            .ingest
            .agents
            .connect(&admitted.agent.id, stored_seq, crate::store::now_text());
    let ack = Frame::HelloAck(HelloAck {
        accepted_version: admitted.accepted_version,
        server_time_ms: u64::try_from(now_unix_ms()).unwrap_or(0),
    });
    if !send_frame(&mut socket, &ack).await {
        return;
    }
    let metrics = &state.metrics.ingest;
    metrics.agents_connected.inc();
    tracing::info!(agent = %admitted.agent.name, version = admitted.accepted_version, "agent connected");
    let outbox = SiteOutbox::open(
        &state.commands,
        &admitted.agent.site_id,
        connection.connection_id,
    );
    let end = stream(
        &state,
        &mut socket,
        &admitted.agent,
        connection,
        admitted.accepted_version,
        outbox,
        &mut stopping,
    )
    .await;
    metrics.agents_connected.dec();
    tracing::info!(agent = %admitted.agent.name, reason = %end, "agent disconnected");
    if !state.shutdown.is_stopping() {
        crate::alerts::outage::watch(
            &state,
            &admitted.agent.id,
            &admitted.agent.site_id,
            &crate::store::now_text(),
        );
    }
}

/// Serves an admitted agent until it leaves or is closed; returns why the stream ended.
async fn stream(
    state: &AppState,
    socket: &mut WebSocket,
    agent: &AgentRow,
    mut connection: AgentConnection,
    accepted_version: u16,
    mut outbox: SiteOutbox,
    stopping: &mut tokio::sync::watch::Receiver<bool>,
) -> String {
    let mut frames = ConnectionFrames::default();
    // Everything unfinished goes out on connect: the agent de-duplicates by command id.
    if !send_commands(state, socket, &outbox, accepted_version, true).await {
        return "unable to send commands".to_owned();
    }
    loop {
        let message = tokio::select! {
            message = socket.recv() => message,
            _ = outbox.woken() => {
                if !send_commands(state, socket, &outbox, accepted_version, false).await {
                    return "unable to send commands".to_owned();
                }
                continue;
            }
            _ = stopped(stopping) => {
                close(socket, CLOSE_GOING_AWAY, "control plane is stopping").await;
                return "control plane stopping".to_owned();
            }
            changed = connection.evicted.changed() => {
                let why = if changed.is_ok() {
                    (*connection.evicted.borrow()).unwrap_or(Eviction::Replaced)
                } else {
                    Eviction::Replaced
                };
                close(socket, CLOSE_NORMAL, why.reason()).await;
                return why.reason().to_owned();
            }
        };
        let bytes = match message {
            None => return "connection closed".to_owned(),
            Some(Err(err)) => return format!("transport error: {err}"),
            Some(Ok(Message::Binary(bytes))) => bytes,
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            Some(Ok(Message::Close(_))) => return "closed by the agent".to_owned(),
            Some(Ok(Message::Text(_))) => {
                let rejection = Rejection::TextFrame;
                let why = rejection.to_string();
                reject(state, socket, rejection).await;
                return why;
            }
        };
        let frame = match decode_frame(&bytes).map_err(Rejection::from) {
            Ok(frame) => {
                count_frame(state, &frame);
                admitted_frame(frame, accepted_version)
            }
            Err(rejection) => Err(rejection),
        };
        let reply = match frame {
            Ok(frame) => {
                frames
                    .handle(state, agent, &connection, &outbox, frame, bytes.len())
                    .await
            }
            Err(rejection) => Err(rejection),
        };
        let reply = match reply {
            Ok(reply) => reply,
            Err(rejection) => {
                let why = rejection.to_string();
                reject(state, socket, rejection).await;
                return why;
            }
        };
        if let Some(reply) = reply {
            if !send_frame(socket, &reply).await {
                close(socket, CLOSE_INTERNAL, "unable to answer").await;
                return "unable to answer".to_owned();
            }
        }
    }
}

/// What one connection remembers between frames: its subscriber numbering, the inventory it
/// stored last and an incomplete set of inventory chunks.
#[derive(Default)]
struct ConnectionFrames {
    subscribers: ConnectionSubscribers,
    stored_inventory: Option<StoredInventory>,
    chunks: ChunkAssembly,
}

impl ConnectionFrames {
    /// Applies one admitted frame; the reply to send, or why the connection must close.
    async fn handle(
        &mut self,
        state: &AppState,
        agent: &AgentRow,
        connection: &AgentConnection,
        outbox: &SiteOutbox,
        frame: AgentFrame,
        frame_bytes: usize,
    ) -> Result<Option<Frame>, Rejection> {
        match frame {
            AgentFrame::Samples(batch) => {
                let (_, acked) =
                    apply_samples(state, connection, &mut self.subscribers, batch).await;
                return Ok(Some(Frame::Ack(Ack {
                    up_to_batch_seq: acked,
                })));
            }
            AgentFrame::IndexedSamples(batch) => {
                let (_, acked) =
                    apply_indexed_samples(state, connection, &mut self.subscribers, batch).await?;
                return Ok(Some(Frame::Ack(Ack {
                    up_to_batch_seq: acked,
                })));
            }
            AgentFrame::Ping(nonce) => return Ok(Some(Frame::Pong(Pong { nonce }))),
            AgentFrame::SubscriberKeys(keys) => self.subscribers.add_keys(keys)?,
            AgentFrame::CommandResult(result) => {
                crate::commands::results::apply(state, &outbox.site_id, result).await;
            }
            AgentFrame::Optics(optics) => crate::ingest::optics::apply_optics(state, optics).await,
            AgentFrame::InventoryChunk(chunk) => {
                let whole = self
                    .chunks
                    .add(chunk, frame_bytes, &state.inventory_limits)
                    .inspect_err(|err| {
                        state
                            .metrics
                            .ingest
                            .inventory_rejected
                            .with_label_values(&[err.metric_reason()])
                            .inc();
                    })?;
                if let Some(inventory) = whole {
                    apply_inventory(state, agent, &mut self.stored_inventory, inventory).await?;
                }
            }
            AgentFrame::Inventory(inventory) => {
                if self.chunks.is_pending() {
                    tracing::info!(
                        agent = %agent.name,
                        "a whole Inventory supersedes an incomplete InventoryChunk set"
                    );
                    self.chunks.discard();
                }
                apply_inventory(state, agent, &mut self.stored_inventory, inventory).await?;
            }
            AgentFrame::Noted => {}
        }
        connection
            .progress
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .seen(now_unix_ms());
        Ok(None)
    }
}

/// Writes the site's due commands to the agent, each as the connection's protocol version can
/// decode it; `false` when the socket failed.
async fn send_commands(
    state: &AppState,
    socket: &mut WebSocket,
    outbox: &SiteOutbox,
    accepted_version: u16,
    with_delivered: bool,
) -> bool {
    for command in dispatch::due(state, outbox, with_delivered).await {
        let command = command.for_version(accepted_version);
        if !send_frame(socket, &Frame::Command(command.clone())).await {
            return false;
        }
        dispatch::written(state, &command).await;
    }
    true
}
