//! The per-second bandwidth frames — `Samples` (subscribers named by key) and `IndexedSamples`
//! (subscribers named by their number on the connection, protocol version 2) — and their
//! acknowledgement `Ack`.

use serde::{Deserialize, Serialize};

use crate::SubscriberKey;

/// One second of bandwidth for many subscribers.
///
/// `batch_seq` increases by one per batch and survives agent restarts (it is spooled), so the
/// control plane can treat a replayed batch it has already stored as a no-op.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Samples {
    pub batch_seq: u64,
    /// The end of the measured interval, in Unix milliseconds by the agent's corrected clock:
    /// the time its polling round completed (older agents stamped whole seconds).
    pub timestamp_ms: u64,
    pub entries: Vec<SampleEntry>,
}

/// One subscriber's rates over the batch's second, seen from the subscriber.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleEntry {
    pub subscriber_key: SubscriberKey,
    /// Download rate.
    pub rx_bps: u64,
    /// Upload rate.
    pub tx_bps: u64,
    /// Octets downloaded since the agent started tracking this subscriber.
    pub rx_octets_total: u64,
    /// Octets uploaded since the agent started tracking this subscriber.
    pub tx_octets_total: u64,
}

/// One second of bandwidth for many subscribers, each named by the number a `SubscriberKeys`
/// frame gave its key earlier on the same connection (protocol version 2).
///
/// Carries the same batch as a `Samples` frame, and is acknowledged the same way, but an entry
/// is a few varints instead of a string: the receiver finds the subscriber by indexing a table,
/// not by hashing a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexedSamples {
    pub batch_seq: u64,
    /// The end of the measured interval, in Unix milliseconds by the agent's corrected clock:
    /// the time its polling round completed (older agents stamped whole seconds).
    pub timestamp_ms: u64,
    pub entries: Vec<IndexedSampleEntry>,
}

/// One subscriber's rates over the batch's second, seen from the subscriber.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexedSampleEntry {
    /// The subscriber's number on this connection (see `SubscriberKeys`).
    pub subscriber_index: u32,
    /// Download rate.
    pub rx_bps: u64,
    /// Upload rate.
    pub tx_bps: u64,
    /// Octets downloaded since the agent started tracking this subscriber.
    pub rx_octets_total: u64,
    /// Octets uploaded since the agent started tracking this subscriber.
    pub tx_octets_total: u64,
}

/// The control plane has stored every `Samples` batch up to and including `up_to_batch_seq`;
/// the agent may drop them from its spool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ack {
    pub up_to_batch_seq: u64,
}
