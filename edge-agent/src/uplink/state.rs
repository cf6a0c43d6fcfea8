//! What the uplink keeps between connections: the spool, the outbox, the channels to the rest
//! of the agent, and the published status.

use std::future::Future;
use std::pin::Pin;

use proto::{encode_frame, Command, Frame, Inventory};
use tokio::sync::{mpsc, watch};
use tracing::{debug, error, info, warn};

use super::error::ErrorChain;
use super::inventory_frames::inventory_frames;
use super::outbox::Outbox;
use super::UplinkStatus;
use crate::spool::Spool;

/// Why the uplink stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    Shutdown,
    /// The frame channel closed: nothing more will be produced.
    ProducerGone,
}

/// How waiting for something while spooling ended.
pub(crate) enum Waited<T> {
    Done(T),
    Stopped(Stop),
}

pub(crate) struct UplinkState {
    pub(crate) spool: Spool,
    pub(crate) frames: mpsc::Receiver<Frame>,
    pub(crate) commands: mpsc::Sender<Command>,
    pub(crate) outbox: Outbox,
    /// The latest `Inventory`; sent first on every connection.
    pub(crate) inventory: Option<Inventory>,
    /// Numbers the agent's inventories, so a control plane assembling chunks knows a new one.
    inventory_generation: u64,
    status: watch::Sender<UplinkStatus>,
    /// Whether a `Samples` batch was renumbered already: the aggregator and a fresh spool both
    /// start from the clock, so one renumbering is usual and keeps recurring by one.
    renumbered_before: bool,
}

impl UplinkState {
    pub(crate) fn new(
        spool: Spool,
        frames: mpsc::Receiver<Frame>,
        commands: mpsc::Sender<Command>,
        status: watch::Sender<UplinkStatus>,
        outbox_capacity: usize,
    ) -> Self {
        let state = Self {
            spool,
            frames,
            commands,
            outbox: Outbox::new(outbox_capacity),
            inventory: None,
            inventory_generation: 0,
            status,
            renumbered_before: false,
        };
        state.report(|_| {});
        state
    }

    /// Updates the published status; the spool depth is refreshed every time.
    pub(crate) fn report(&self, update: impl FnOnce(&mut UplinkStatus)) {
        self.status.send_modify(|status| {
            update(status);
            status.spool = self.spool.depth();
            status.acked_through_batch_seq = self.spool.acked_through();
        });
    }

    /// Takes one frame from the agent: `Samples` are numbered and spooled, others queued.
    /// `connected` is the protocol version of the live connection, if there is one.
    pub(crate) fn accept(&mut self, frame: Frame, connected: Option<u16>) {
        let kind = frame.tag().name();
        match frame {
            Frame::Samples(mut samples) => {
                let next_batch_seq = self.spool.next_batch_seq();
                if samples.batch_seq < next_batch_seq {
                    if self.renumbered_before {
                        debug!(
                            batch_seq = samples.batch_seq,
                            renumbered_to = next_batch_seq,
                            "Samples batch renumbered after the spool's last batch"
                        );
                    } else {
                        info!(
                            batch_seq = samples.batch_seq,
                            renumbered_to = next_batch_seq,
                            "Samples batches continue after the spool's last batch; renumbered so the control plane does not discard them as replays (further renumbering is logged at debug)"
                        );
                        self.renumbered_before = true;
                    }
                    samples.batch_seq = next_batch_seq;
                }
                let batch_seq = samples.batch_seq;
                let Some(bytes) = self.encode(&Frame::Samples(samples)) else {
                    return;
                };
                match self.spool.append(batch_seq, &bytes) {
                    Ok(_) => self.report(|_| {}),
                    Err(spool_error) => {
                        error!(
                            batch_seq,
                            error = %ErrorChain(&spool_error),
                            "cannot spool a Samples batch; it is lost"
                        );
                        self.report(|s| s.frames_lost_total += 1);
                    }
                }
            }
            Frame::Inventory(inventory) => {
                self.inventory_generation += 1;
                self.inventory = Some(inventory);
                if let Some(version) = connected {
                    for bytes in self.inventory_frames(version) {
                        self.queue(kind, bytes);
                    }
                }
            }
            Frame::Optics(_) | Frame::SessionEvent(_) | Frame::CommandResult(_) => {
                if let Some(bytes) = self.encode(&frame) {
                    self.queue(kind, bytes);
                }
            }
            Frame::Hello(_)
            | Frame::HelloAck(_)
            | Frame::Ack(_)
            | Frame::Ping(_)
            | Frame::Pong(_)
            | Frame::Command(_)
            | Frame::SubscriberKeys(_)
            | Frame::IndexedSamples(_)
            | Frame::InventoryChunk(_) => {
                warn!(
                    frame = kind,
                    "the uplink does not forward this frame kind from the agent; dropped"
                );
                self.report(|s| s.frames_lost_total += 1);
            }
        }
    }

    /// Spools incoming frames while `work` runs, until it completes or the uplink must stop.
    pub(crate) async fn spool_while<F, S>(
        &mut self,
        work: F,
        mut shutdown: Pin<&mut S>,
    ) -> Waited<F::Output>
    where
        F: Future,
        S: Future<Output = ()>,
    {
        tokio::pin!(work);
        loop {
            tokio::select! {
                biased;
                () = &mut shutdown => return Waited::Stopped(Stop::Shutdown),
                frame = self.frames.recv() => match frame {
                    Some(frame) => self.accept(frame, None),
                    None => return Waited::Stopped(Stop::ProducerGone),
                },
                output = &mut work => return Waited::Done(output),
            }
        }
    }

    /// The latest inventory, encoded for a connection of protocol `version` (one frame, or
    /// chunks when it does not fit); empty, logged and counted as lost when it cannot go.
    pub(crate) fn inventory_frames(&self, version: u16) -> Vec<Vec<u8>> {
        let Some(inventory) = &self.inventory else {
            return Vec::new();
        };
        match inventory_frames(inventory, self.inventory_generation, version) {
            Ok(frames) => frames,
            Err(refused) => {
                error!(error = %ErrorChain(&refused), "cannot send the inventory; it is lost");
                self.report(|s| s.frames_lost_total += 1);
                Vec::new()
            }
        }
    }

    fn encode(&self, frame: &Frame) -> Option<Vec<u8>> {
        match encode_frame(frame) {
            Ok(bytes) => Some(bytes),
            Err(encode_error) => {
                error!(error = %ErrorChain(&encode_error), "cannot encode a frame from the agent; it is lost");
                self.report(|s| s.frames_lost_total += 1);
                None
            }
        }
    }

    fn queue(&mut self, kind: &'static str, bytes: Vec<u8>) {
        let dropped = self.outbox.push(bytes);
        if dropped > 0 {
            warn!(
                frame = kind,
                "outbox full while the control plane is unreachable; dropped the oldest frame"
            );
            self.report(|s| s.frames_lost_total += dropped);
        }
    }
}
