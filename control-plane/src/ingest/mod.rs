//! Agent ingest: edge agents stream per-second `Samples` over the agent WebSocket
//! (`http::agent`); this module admits them (`session`), maps subscriber keys to customers
//! (`directory`) and keeps each connection's resolved subscribers (`subscribers`), applies batches exactly once across reconnects and restarts (`apply`,
//! `agents`) into the live series (`crate::live`), and writes rollups back (`flush`).

pub mod agents;
pub mod apply;
pub mod directory;
pub mod flush;
pub mod metrics;
pub mod optics;
pub mod session;
pub mod subscribers;

use std::sync::Arc;

use agents::ConnectedAgents;
use directory::SubscriberDirectory;

/// Ingest state shared by every agent connection.
#[derive(Default)]
pub struct Ingest {
    pub directory: SubscriberDirectory,
    pub agents: Arc<ConnectedAgents>,
}
