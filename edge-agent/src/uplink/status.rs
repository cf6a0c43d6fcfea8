//! What the uplink reports for metrics and the CLI, published through a `watch` channel.

use crate::spool::SpoolDepth;

/// A snapshot of the uplink's state and counters since the agent started.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UplinkStatus {
    /// A connection is up and the control plane answered `Hello`.
    pub connected: bool,
    pub spool: SpoolDepth,
    /// Connections established after the first one.
    pub reconnects_total: u64,
    /// Connection attempts that failed before `HelloAck`.
    pub connect_failures_total: u64,
    /// Frames written to the socket, replays and `Pong`s included.
    pub frames_sent_total: u64,
    /// `Samples` batches released from the spool by the control plane's `Ack`s.
    pub batches_acked_total: u64,
    /// The highest batch the control plane acknowledged.
    pub acked_through_batch_seq: u64,
    pub commands_forwarded_total: u64,
    /// `Command` frames dropped because the command executor's queue was full or closed.
    pub commands_dropped_total: u64,
    /// Frames from the control plane that decoded but make no sense at this point.
    pub unexpected_frames_total: u64,
    /// Messages from the control plane that are not frames this build decodes.
    pub undecodable_frames_total: u64,
    /// Frames from the agent that could not be kept: outbox overflow while disconnected, a frame
    /// that does not encode, a failed spool write, or a frame kind the agent must not send.
    pub frames_lost_total: u64,
}
