//! One accepted connection: replaying and sending spooled batches, reading acknowledgements and
//! commands, and keeping the connection alive, until it is lost or the uplink stops.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use proto::{
    decode_frame, encode_frame, DecodeError, Frame, FrameTag, Ping, Pong, SubscriberNumbering,
};
use tokio::sync::mpsc::error::TrySendError;
use tokio::time::{interval_at, timeout, MissedTickBehavior};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;
use tracing::{debug, info, warn};

use super::error::ErrorChain;
use super::handshake::{Connection, Socket};
use super::liveness::{Liveness, LivenessAction};
use super::numbering::numbered_frames;
use super::state::{Stop, UplinkState};
use super::UplinkConfig;

/// How a connection ended.
#[derive(Debug)]
pub(crate) enum ConnectionEnd {
    Stopped(Stop),
    Lost { reason: String },
}

/// How long a clean close may take before the socket is simply dropped.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(2);

struct LiveConnection<'a> {
    socket: Socket,
    state: &'a mut UplinkState,
    /// Limit for writing one frame; a socket that cannot take a frame for this long is dead.
    send_timeout: Duration,
    /// The newest spooled batch sent on this connection.
    sent_through: u64,
    /// While replaying what was spooled before this connection: the last batch of that backlog.
    replaying_until: Option<u64>,
    liveness: Liveness,
    /// The connection's subscriber numbers, when the control plane reads `IndexedSamples`.
    numbering: Option<SubscriberNumbering>,
}

pub(crate) async fn serve<S>(
    connection: Connection,
    state: &mut UplinkState,
    config: &UplinkConfig,
    mut shutdown: Pin<&mut S>,
) -> ConnectionEnd
where
    S: Future<Output = ()>,
{
    let acked_through = state.spool.acked_through();
    let replaying_until = state
        .spool
        .last_batch_seq()
        .filter(|last| *last > acked_through);
    if let Some(last_batch_seq) = replaying_until {
        info!(
            pending_batches = state.spool.depth().pending_batches,
            first_batch_seq = state.spool.first_pending_batch_seq(),
            last_batch_seq,
            "replaying spooled batches"
        );
    }
    let liveness = Liveness::new(Instant::now(), config.ping_interval);
    let tick_period = liveness.tick_period();
    let connection_version = connection.hello_ack.accepted_version;
    let numbers_subscribers = connection_version >= FrameTag::IndexedSamples.since_version();
    let mut live = LiveConnection {
        socket: connection.socket,
        state,
        send_timeout: config.ping_interval.saturating_mul(2),
        sent_through: acked_through,
        replaying_until,
        liveness,
        numbering: numbers_subscribers.then(SubscriberNumbering::new),
    };
    for inventory_bytes in live.state.inventory_frames(connection_version) {
        if let Err(reason) = live.send(inventory_bytes).await {
            return ConnectionEnd::Lost { reason };
        }
    }
    let mut ticker = interval_at(tokio::time::Instant::now() + tick_period, tick_period);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);

    loop {
        let has_outbox = !live.state.outbox.is_empty();
        let has_spooled = live.next_spooled_pending();
        tokio::select! {
            biased;
            () = &mut shutdown => {
                live.close().await;
                return ConnectionEnd::Stopped(Stop::Shutdown);
            }
            frame = live.state.frames.recv() => match frame {
                Some(frame) => live.state.accept(frame, Some(connection_version)),
                None => {
                    live.close().await;
                    return ConnectionEnd::Stopped(Stop::ProducerGone);
                }
            },
            _ = ticker.tick() => {
                if let Err(reason) = live.on_tick().await {
                    return ConnectionEnd::Lost { reason };
                }
            }
            message = live.socket.next() => {
                let outcome = match message {
                    None => Err("the connection closed".to_owned()),
                    Some(Err(error)) => Err(format!("the connection failed: {}", ErrorChain(&error))),
                    Some(Ok(message)) => live.on_message(message).await,
                };
                if let Err(reason) = outcome {
                    return ConnectionEnd::Lost { reason };
                }
            }
            () = std::future::ready(()), if has_outbox || has_spooled => {
                if let Err(reason) = live.send_next().await {
                    return ConnectionEnd::Lost { reason };
                }
            }
        }
    }
}

impl LiveConnection<'_> {
    fn next_spooled_pending(&self) -> bool {
        let bound = self.sent_through.max(self.state.spool.acked_through());
        self.state
            .spool
            .last_batch_seq()
            .is_some_and(|last| last > bound)
    }

    /// Sends one queued frame: the outbox first (it holds time-sensitive command results and
    /// never grows large), then the oldest spooled batch not yet sent on this connection.
    async fn send_next(&mut self) -> Result<(), String> {
        if let Some(bytes) = self.state.outbox.pop() {
            if let Err(reason) = self.send(bytes.clone()).await {
                self.state.outbox.requeue(bytes);
                return Err(reason);
            }
            return Ok(());
        }
        let batch = match self.state.spool.read_after(self.sent_through) {
            Ok(Some(batch)) => batch,
            Ok(None) => {
                // The spool dropped a damaged record; its depth changed.
                self.state.report(|_| {});
                return Ok(());
            }
            Err(spool_error) => {
                return Err(format!(
                    "cannot read the spool: {}",
                    ErrorChain(&spool_error)
                ))
            }
        };
        match self.numbering.as_mut() {
            Some(numbering) => {
                for frame_bytes in numbered_frames(numbering, batch.frame_bytes) {
                    self.send(frame_bytes).await?;
                }
            }
            None => self.send(batch.frame_bytes).await?,
        }
        self.sent_through = batch.batch_seq;
        if self
            .replaying_until
            .is_some_and(|last| batch.batch_seq >= last)
        {
            self.replaying_until = None;
            info!(
                through_batch_seq = batch.batch_seq,
                "replay of spooled batches sent; now streaming live"
            );
        }
        Ok(())
    }

    async fn send(&mut self, frame_bytes: Vec<u8>) -> Result<(), String> {
        match timeout(
            self.send_timeout,
            self.socket.send(Message::binary(frame_bytes)),
        )
        .await
        {
            Ok(Ok(())) => {
                self.state.report(|s| s.frames_sent_total += 1);
                Ok(())
            }
            Ok(Err(error)) => Err(format!("sending failed: {}", ErrorChain(&error))),
            Err(_) => Err(format!(
                "sending stalled for {} ms",
                self.send_timeout.as_millis()
            )),
        }
    }

    async fn send_frame(&mut self, frame: &Frame) -> Result<(), String> {
        let bytes = encode_frame(frame).map_err(|error| {
            format!(
                "cannot encode {}: {}",
                frame.tag().name(),
                ErrorChain(&error)
            )
        })?;
        self.send(bytes).await
    }

    async fn on_tick(&mut self) -> Result<(), String> {
        match self.liveness.tick(Instant::now()) {
            LivenessAction::Nothing => Ok(()),
            LivenessAction::SendPing => {
                let nonce = rand::random();
                debug!(nonce, "connection idle; sending Ping");
                self.send_frame(&Frame::Ping(Ping { nonce })).await
            }
            LivenessAction::Dead { silent_for } => Err(format!(
                "no answer to Ping; control plane silent for {} ms",
                silent_for.as_millis()
            )),
        }
    }

    async fn on_message(&mut self, message: Message) -> Result<(), String> {
        self.liveness.heard(Instant::now());
        match message {
            Message::Binary(bytes) => match decode_frame(&bytes) {
                Ok(frame) => self.on_frame(frame).await,
                Err(DecodeError::UnknownTag { tag }) => {
                    warn!(
                        tag,
                        "control plane sent a frame kind this build does not know; ignored"
                    );
                    self.state.report(|s| s.undecodable_frames_total += 1);
                    Ok(())
                }
                Err(error) => {
                    self.state.report(|s| s.undecodable_frames_total += 1);
                    Err(format!(
                        "control plane sent an undecodable frame ({} bytes): {}",
                        bytes.len(),
                        ErrorChain(&error)
                    ))
                }
            },
            Message::Text(text) => {
                warn!(
                    len_bytes = text.len(),
                    "control plane sent a text message; ignored"
                );
                self.state.report(|s| s.unexpected_frames_total += 1);
                Ok(())
            }
            Message::Close(close) => Err(match close {
                Some(close) => format!(
                    "control plane closed the connection (close code {}, reason {:?})",
                    u16::from(close.code),
                    close.reason.as_str()
                ),
                None => "control plane closed the connection".to_owned(),
            }),
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => Ok(()),
        }
    }

    async fn on_frame(&mut self, frame: Frame) -> Result<(), String> {
        match frame {
            Frame::Ack(ack) => {
                self.on_ack(ack.up_to_batch_seq);
                Ok(())
            }
            Frame::Ping(ping) => {
                self.send_frame(&Frame::Pong(Pong { nonce: ping.nonce }))
                    .await
            }
            Frame::Pong(_) => Ok(()),
            Frame::Command(command) => {
                let command_id = command.command_id;
                match self.state.commands.try_send(command) {
                    Ok(()) => {
                        debug!(%command_id, "command forwarded to the executor");
                        self.state.report(|s| s.commands_forwarded_total += 1);
                    }
                    Err(TrySendError::Full(_) | TrySendError::Closed(_)) => {
                        warn!(
                            %command_id,
                            "command executor is not taking commands; dropped (the control plane re-sends it)"
                        );
                        self.state.report(|s| s.commands_dropped_total += 1);
                    }
                }
                Ok(())
            }
            other => {
                warn!(
                    frame = other.tag().name(),
                    "control plane sent a frame the agent does not expect; ignored"
                );
                self.state.report(|s| s.unexpected_frames_total += 1);
                Ok(())
            }
        }
    }

    fn on_ack(&mut self, up_to_batch_seq: u64) {
        match self.state.spool.ack(up_to_batch_seq) {
            Ok(released) => {
                self.state.report(|s| s.batches_acked_total += released);
            }
            Err(spool_error) => {
                // The batches are released in memory; only the persisted mark is behind, which
                // costs a few duplicate batches after a restart.
                warn!(
                    up_to_batch_seq,
                    error = %ErrorChain(&spool_error),
                    "cannot record the acknowledgement on disk"
                );
                self.state.report(|_| {});
            }
        }
    }

    /// Closes the WebSocket cleanly, waiting briefly for the control plane's close reply.
    async fn close(&mut self) {
        let close = CloseFrame {
            code: CloseCode::Normal,
            reason: "agent shutting down".into(),
        };
        let closing = async {
            self.socket.close(Some(close)).await?;
            // Read until the peer's close reply ends the stream; bounded by the timeout.
            while let Some(message) = self.socket.next().await {
                message?;
            }
            Ok::<(), tokio_tungstenite::tungstenite::Error>(())
        };
        match timeout(CLOSE_TIMEOUT, closing).await {
            Ok(Ok(())) => debug!("connection closed cleanly"),
            Ok(Err(error)) => {
                debug!(error = %ErrorChain(&error), "connection closed with an error")
            }
            Err(_) => debug!("control plane did not answer the close in time"),
        }
    }
}
