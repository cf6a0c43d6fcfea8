//! Agents connected to this process: one connection per agent (a newer one replaces an older,
//! which is most likely a dead TCP session), a way to drop one when its token is revoked, and
//! the progress of each agent's stream (last acknowledged batch, last seen, clock offset),
//! kept across connections and written back by the flusher.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::watch;

use crate::store::agents::AgentProgressRow;

/// Why this process ended an agent's connection from its side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Eviction {
    Replaced,
    Revoked,
}

impl Eviction {
    pub fn reason(self) -> &'static str {
        match self {
            Self::Replaced => "replaced by a newer connection of the same agent",
            Self::Revoked => "agent token revoked",
        }
    }
}

/// How far an agent's `Samples` stream has been applied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgentProgress {
    /// Highest batch applied and acknowledged; `None` until the first.
    pub last_batch_seq: Option<u64>,
    pub last_seen_unix_ms: i64,
    /// Agent clock minus ours, from the freshest batch of the current window.
    pub clock_offset_ms: Option<i64>,
    offset_window_max_ms: Option<i64>,
    offset_window_batches: u32,
    dirty: bool,
}

/// Batches over which the clock offset estimate is taken (their maximum: network delay and
/// replays only make a batch look older).
const OFFSET_WINDOW_BATCHES: u32 = 60;

impl AgentProgress {
    /// Whether a batch was applied before (a replay after reconnect or restart).
    pub fn is_duplicate(&self, batch_seq: u64) -> bool {
        self.last_batch_seq.is_some_and(|last| batch_seq <= last)
    }

    /// Records an applied batch: its sequence, our receive time and the agent's timestamp.
    pub fn applied(&mut self, batch_seq: u64, received_unix_ms: i64, sample_unix_ms: i64) {
        self.last_batch_seq = Some(self.last_batch_seq.map_or(batch_seq, |l| l.max(batch_seq)));
        self.seen(received_unix_ms);
        let estimate = sample_unix_ms.saturating_sub(received_unix_ms);
        let window_max = self
            .offset_window_max_ms
            .map_or(estimate, |m| m.max(estimate));
        self.offset_window_max_ms = Some(window_max);
        self.clock_offset_ms = Some(window_max);
        self.offset_window_batches += 1;
        if self.offset_window_batches >= OFFSET_WINDOW_BATCHES {
            self.offset_window_max_ms = None;
            self.offset_window_batches = 0;
        }
    }

    pub fn seen(&mut self, received_unix_ms: i64) {
        self.last_seen_unix_ms = received_unix_ms;
        self.dirty = true;
    }
}

struct Connection {
    id: u64,
    connected_at: String,
    evict: watch::Sender<Option<Eviction>>,
}

#[derive(Default)]
struct AgentEntry {
    progress: Arc<Mutex<AgentProgress>>,
    connection: Option<Connection>,
}

/// What `ConnectedAgents::list` tells about one agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionInfo {
    pub connected_at: String,
}

#[derive(Default)]
pub struct ConnectedAgents {
    agents: Mutex<HashMap<String, AgentEntry>>,
    next_connection: AtomicU64,
}

/// One accepted agent connection; dropping it marks the agent disconnected.
pub struct AgentConnection {
    registry: Arc<ConnectedAgents>,
    pub agent_id: String,
    pub connection_id: u64,
    pub progress: Arc<Mutex<AgentProgress>>,
    pub evicted: watch::Receiver<Option<Eviction>>,
}

impl Drop for AgentConnection {
    fn drop(&mut self) {
        let mut agents = self.registry.lock();
        if let Some(entry) = agents.get_mut(&self.agent_id) {
            if entry.connection.as_ref().map(|c| c.id) == Some(self.connection_id) {
                entry.connection = None;
            }
        }
    }
}

impl ConnectedAgents {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, AgentEntry>> {
        self.agents.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers a connection, evicting the agent's previous one. `stored_batch_seq` is what
    /// the store says was acknowledged, which may be ahead of this process after a restart.
    pub fn connect(
        self: &Arc<Self>,
        agent_id: &str,
        stored_batch_seq: Option<u64>,
        connected_at: String,
    ) -> AgentConnection {
        let id = self.next_connection.fetch_add(1, Ordering::Relaxed);
        let (evict, evicted) = watch::channel(None);
        let mut agents = self.lock();
        let entry = agents.entry(agent_id.to_owned()).or_default();
        if let Some(old) = entry.connection.take() {
            old.evict.send_replace(Some(Eviction::Replaced));
        }
        entry.connection = Some(Connection {
            id,
            connected_at,
            evict,
        });
        {
            let mut progress = entry.progress.lock().unwrap_or_else(|p| p.into_inner());
            progress.last_batch_seq = progress.last_batch_seq.max(stored_batch_seq);
        }
        AgentConnection {
            registry: Arc::clone(self),
            agent_id: agent_id.to_owned(),
            connection_id: id,
            progress: Arc::clone(&entry.progress),
            evicted,
        }
    }

    /// Drops the agent's live connection, if any.
    pub fn evict(&self, agent_id: &str, why: Eviction) -> bool {
        let mut agents = self.lock();
        match agents.get_mut(agent_id).and_then(|e| e.connection.take()) {
            Some(connection) => {
                connection.evict.send_replace(Some(why));
                true
            }
            None => false,
        }
    }

    /// Agents connected now, by agent id.
    pub fn connected(&self) -> HashMap<String, ConnectionInfo> {
        self.lock()
            .iter()
            .filter_map(|(id, entry)| {
                entry.connection.as_ref().map(|c| {
                    (
                        id.clone(),
                        ConnectionInfo {
                            connected_at: c.connected_at.clone(),
                        },
                    )
                })
            })
            .collect()
    }

    /// Progress changed since the last call, for the store; clears the changed marks.
    pub fn take_changed_progress(&self) -> Vec<AgentProgressRow> {
        let agents = self.lock();
        let mut rows = Vec::new();
        for (agent_id, entry) in agents.iter() {
            let mut progress = entry.progress.lock().unwrap_or_else(|p| p.into_inner());
            if !progress.dirty {
                continue;
            }
            progress.dirty = false;
            rows.push(AgentProgressRow {
                agent_id: agent_id.clone(),
                last_batch_seq: progress
                    .last_batch_seq
                    .map(|s| i64::try_from(s).unwrap_or(i64::MAX)),
                last_seen_at: crate::domain::time::unix_ms_text(progress.last_seen_unix_ms),
                clock_offset_ms: progress.clock_offset_ms,
            });
        }
        rows
    }

    /// Marks progress rows as still unsaved after a failed write.
    pub fn progress_unsaved(&self, rows: &[AgentProgressRow]) {
        let agents = self.lock();
        for row in rows {
            if let Some(entry) = agents.get(&row.agent_id) {
                entry
                    .progress
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .dirty = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_newer_connection_evicts_the_older() {
        let registry = Arc::new(ConnectedAgents::default());
        let first = registry.connect("a1", Some(7), "t0".into());
        assert!(first.progress.lock().unwrap().is_duplicate(7));
        let second = registry.connect("a1", None, "t1".into());
        assert_eq!(*first.evicted.borrow(), Some(Eviction::Replaced));
        drop(first);
        assert_eq!(registry.connected()["a1"].connected_at, "t1");
        assert!(registry.evict("a1", Eviction::Revoked));
        assert_eq!(*second.evicted.borrow(), Some(Eviction::Revoked));
        assert!(registry.connected().is_empty());
    }

    #[test]
    fn progress_deduplicates_and_estimates_the_clock_offset() {
        let mut progress = AgentProgress::default();
        assert!(!progress.is_duplicate(0));
        progress.applied(0, 10_000, 9_950);
        progress.applied(1, 11_000, 10_990);
        assert!(progress.is_duplicate(1));
        assert!(!progress.is_duplicate(2));
        assert_eq!(progress.clock_offset_ms, Some(-10));
    }
}
