//! The stored network state per customer, cached: read on every status request. Entries are refreshed from the store at most once per `max_age`, so a replica
//! sees another's writes within that time and the database sees one read per customer per
//! second at most, however often apps poll.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::store::network::NetworkStateRow;
use crate::store::{Store, StoreResult};

const MAX_ENTRIES: usize = 500_000;

pub struct NetworkStateCache {
    max_age: Duration,
    entries: RwLock<HashMap<String, Entry>>,
}

#[derive(Clone)]
struct Entry {
    fetched: Instant,
    state: Option<Arc<NetworkStateRow>>,
}

impl NetworkStateCache {
    pub fn new(max_age: Duration) -> Self {
        Self {
            max_age,
            entries: RwLock::new(HashMap::new()),
        }
    }

    /// The customer's state, from memory when fresh enough, otherwise from the store.
    pub async fn network_state(
        &self,
        store: &Store,
        customer_id: &str,
    ) -> StoreResult<Option<Arc<NetworkStateRow>>> {
        let now = Instant::now();
        {
            let entries = self.entries.read().unwrap_or_else(|p| p.into_inner());
            if let Some(entry) = entries.get(customer_id) {
                if now.duration_since(entry.fetched) < self.max_age {
                    return Ok(entry.state.clone());
                }
            }
        }
        let state = store.network_state(customer_id).await?.map(Arc::new);
        self.remember(customer_id, state.clone(), now);
        Ok(state)
    }

    /// Records a state written by this process, so readers see it at once.
    pub fn update(&self, state: NetworkStateRow) {
        let id = state.customer_id.clone();
        self.remember(&id, Some(Arc::new(state)), Instant::now());
    }

    fn remember(&self, customer_id: &str, state: Option<Arc<NetworkStateRow>>, fetched: Instant) {
        let mut entries = self.entries.write().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(customer_id) {
            let max_age = self.max_age;
            entries.retain(|_, e| fetched.duration_since(e.fetched) < max_age);
        }
        entries.insert(customer_id.to_owned(), Entry { fetched, state });
    }
}
