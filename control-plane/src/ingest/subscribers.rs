//! One connection's subscribers: those the agent numbered (`SubscriberKeys`, protocol 2) and
//! those named by key in protocol 1 `Samples`, each resolved to a customer's live series
//! through the directory. A resolved subscriber costs one table index per sample; it is looked
//! up again when the directory changes, and an unknown key after `MIN_RELOAD_INTERVAL`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use proto::{
    IndexedSamples, Samples, SubscriberKey, SubscriberKeys, SubscriberTable, SubscriberTableError,
};

use super::directory::MIN_RELOAD_INTERVAL;
use crate::http::AppState;
use crate::live::SubscriberLive;

/// What a subscriber key names, as far as this connection knows.
#[derive(Clone, Default)]
pub enum Target {
    /// Not looked up since it was numbered or since the directory changed.
    #[default]
    Unresolved,
    Known(Arc<SubscriberLive>),
    /// Not a customer at the last look; looked up again after the instant.
    Unknown(Instant),
}

impl Target {
    fn needs_lookup(&self, now: Instant) -> bool {
        match self {
            Self::Unresolved => true,
            Self::Known(_) => false,
            Self::Unknown(retry_at) => now >= *retry_at,
        }
    }

    /// The live series, when the key names a customer.
    pub fn live(&self) -> Option<&Arc<SubscriberLive>> {
        match self {
            Self::Known(live) => Some(live),
            Self::Unresolved | Self::Unknown(_) => None,
        }
    }
}

#[derive(Default)]
pub struct ConnectionSubscribers {
    /// The directory generation the targets were resolved against.
    generation: u64,
    table: SubscriberTable,
    /// By number, next to `table`.
    numbered: Vec<Target>,
    by_key: HashMap<SubscriberKey, Target>,
}

impl ConnectionSubscribers {
    /// Takes the numbers of a `SubscriberKeys` frame; a frame that does not continue the
    /// numbering or overflows it is refused and changes nothing.
    pub fn add_keys(&mut self, frame: SubscriberKeys) -> Result<(), SubscriberTableError> {
        let numbers = self.table.add(frame)?;
        self.numbered
            .resize(numbers.end as usize, Target::Unresolved);
        Ok(())
    }

    /// The target numbered `index`; `check_numbers` has vouched for it.
    pub fn numbered(&self, index: u32) -> &Target {
        static NONE: Target = Target::Unresolved;
        self.numbered.get(index as usize).unwrap_or(&NONE)
    }

    /// The target of a key from a protocol 1 batch; `resolve_keyed` has looked it up.
    pub fn keyed(&self, key: &SubscriberKey) -> Option<&Target> {
        self.by_key.get(key)
    }

    /// Checks that every entry names a numbered subscriber.
    pub fn check_numbers(&self, batch: &IndexedSamples) -> Result<(), SubscriberTableError> {
        self.table.check(batch)
    }

    /// Forgets every lookup when the directory changed since they were made.
    fn follow_directory(&mut self, state: &AppState) {
        let generation = state.ingest.directory.generation();
        if self.generation != generation {
            self.numbered.fill(Target::Unresolved);
            self.by_key.clear();
            self.generation = generation;
        }
    }

    /// Looks up the numbered subscribers of a checked batch that need it.
    pub async fn resolve_numbered(&mut self, state: &AppState, batch: &IndexedSamples) {
        self.follow_directory(state);
        let now = Instant::now();
        let numbers = || batch.entries.iter().map(|e| e.subscriber_index as usize);
        if !numbers().any(|i| self.numbered.get(i).is_some_and(|t| t.needs_lookup(now))) {
            return;
        }
        reload_directory(state).await;
        self.follow_directory(state);
        for index in numbers() {
            let (Some(slot), Some(key)) =
                (self.numbered.get_mut(index), self.table.key(index as u32))
            else {
                continue;
            };
            if slot.needs_lookup(now) {
                *slot = look_up(state, key, now);
            }
        }
    }

    /// Looks up the keys of a protocol 1 batch that need it.
    pub async fn resolve_keyed(&mut self, state: &AppState, batch: &Samples) {
        self.follow_directory(state);
        let now = Instant::now();
        let needs_lookup = |by_key: &HashMap<SubscriberKey, Target>, key: &SubscriberKey| {
            by_key.get(key).is_none_or(|t| t.needs_lookup(now))
        };
        let keys = || batch.entries.iter().map(|e| &e.subscriber_key);
        if !keys().any(|key| needs_lookup(&self.by_key, key)) {
            return;
        }
        reload_directory(state).await;
        self.follow_directory(state);
        for key in keys() {
            if needs_lookup(&self.by_key, key) {
                self.by_key.insert(key.clone(), look_up(state, key, now));
            }
        }
    }
}

async fn reload_directory(state: &AppState) {
    if let Err(err) = state.ingest.directory.reload_if_stale(&state.store).await {
        tracing::warn!(error = %err, "unable to reload subscriber keys");
    }
}

fn look_up(state: &AppState, key: &SubscriberKey, now: Instant) -> Target {
    match state.ingest.directory.lookup(key) {
        Some(customer_id) => Target::Known(state.live.subscriber(&customer_id)),
        None => Target::Unknown(now + MIN_RELOAD_INTERVAL),
    }
}
