//! The PPPoE logins authorize answers from, held in memory: every username with its customer,
//! package and sealed password, loaded at start and reloaded when what authorize reads changes.
//!
//! Two signals say it changed. A write through this process's store (`Store::
//! note_subscriber_change`, after the commit) makes the next Access-Request reload before it
//! is answered. A write by anyone else (another control plane on the same PostgreSQL, an
//! operator's SQL) moves `aaa_subscriber_version` (database triggers, migration 0009), which
//! `run` checks every `VERSION_POLL`: such a write is seen within that bound. The table holds
//! the expiry date, not a precomputed answer, so Session-Timeout and the expiry cut are still
//! computed at the instant of each request.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use crate::http::AppState;
use crate::store::pppoe_accounts::PppoeLoginRow;
use crate::store::{Store, StoreResult};

/// How often the shared version is checked for writes by other processes.
pub const VERSION_POLL: Duration = Duration::from_secs(1);

/// One load of the table.
#[derive(Debug)]
struct Loaded {
    /// `Store::subscriber_generation` read before the load.
    generation: u64,
    /// `aaa_subscriber_version` read before the rows.
    version: i64,
    by_username: HashMap<String, Arc<PppoeLoginRow>>,
}

/// The in-memory login table (see the module documentation).
#[derive(Debug, Default)]
pub struct PppoeLogins {
    current: RwLock<Option<Arc<Loaded>>>,
    /// One load at a time; requests arriving meanwhile wait for it and use its result.
    loading: tokio::sync::Mutex<()>,
}

impl PppoeLogins {
    fn current(&self) -> Option<Arc<Loaded>> {
        self.current.read().ok().and_then(|current| current.clone())
    }

    /// What authorize needs about `username`, with every write of this process included;
    /// `None` when nobody has the username.
    pub async fn login(
        &self,
        store: &Store,
        username: &str,
    ) -> StoreResult<Option<Arc<PppoeLoginRow>>> {
        let loaded = match self.current() {
            Some(loaded) if loaded.generation == store.subscriber_generation() => loaded,
            _ => self.reload_if_behind(store).await?,
        };
        Ok(loaded.by_username.get(username).cloned())
    }

    async fn reload_if_behind(&self, store: &Store) -> StoreResult<Arc<Loaded>> {
        let _loading = self.loading.lock().await;
        let generation = store.subscriber_generation();
        match self.current() {
            Some(loaded) if loaded.generation == generation => Ok(loaded),
            _ => self.load(store, generation).await,
        }
    }

    /// Loads the table; the caller holds `loading` and read `generation` before.
    async fn load(&self, store: &Store, generation: u64) -> StoreResult<Arc<Loaded>> {
        let (version, entries) = store.pppoe_logins().await?;
        let by_username = entries
            .into_iter()
            .map(|entry| (entry.pppoe_username, Arc::new(entry.login)))
            .collect();
        let loaded = Arc::new(Loaded {
            generation,
            version,
            by_username,
        });
        if let Ok(mut current) = self.current.write() {
            *current = Some(Arc::clone(&loaded));
        }
        Ok(loaded)
    }

    /// Reloads when the shared version moved since the last load (or nothing is loaded);
    /// `true` when it reloaded.
    pub async fn follow_version(&self, store: &Store) -> StoreResult<bool> {
        let version = store.subscriber_version().await?;
        if self
            .current()
            .is_some_and(|loaded| loaded.version == version)
        {
            return Ok(false);
        }
        let _loading = self.loading.lock().await;
        if self
            .current()
            .is_some_and(|loaded| loaded.version >= version)
        {
            return Ok(false);
        }
        let generation = store.subscriber_generation();
        self.load(store, generation).await?;
        Ok(true)
    }

    /// The shared version of the current load, if any.
    pub fn loaded_version(&self) -> Option<i64> {
        self.current().map(|loaded| loaded.version)
    }

    /// How many usernames the current load holds.
    pub fn len(&self) -> usize {
        self.current().map_or(0, |loaded| loaded.by_username.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Loads the table at start and follows the shared version until the server stops. Does
/// nothing when the RADIUS endpoints are disabled.
pub async fn run(state: AppState) {
    if !state.aaa.enabled() {
        return;
    }
    let mut stop = state.shutdown.signal();
    let mut poll = tokio::time::interval(VERSION_POLL);
    poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut failing = false;
    loop {
        tokio::select! {
            _ = poll.tick() => {}
            _ = stop.wait_for(|stopping| *stopping) => return,
        }
        match state.aaa_logins.follow_version(&state.store).await {
            Ok(reloaded) => {
                if failing {
                    tracing::info!("PPPoE login table follows the database again");
                    failing = false;
                }
                if reloaded {
                    tracing::debug!(
                        usernames = state.aaa_logins.len(),
                        "PPPoE login table reloaded"
                    );
                }
            }
            Err(err) if !failing => {
                failing = true;
                tracing::warn!(error = %err, "unable to check the PPPoE login table's version; answering from the last load");
            }
            Err(_) => {}
        }
    }
}
