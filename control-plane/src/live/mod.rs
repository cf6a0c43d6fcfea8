//! Live network data in memory: per-subscriber series fed by agent ingest (the last hour at
//! one second, the running minute, the newest rates for status and live streams) laid over the
//! stored state, which is cached for `max_age` so polling apps cost at most one read per
//! customer per second.

mod cache;
pub mod hour_chart;
pub mod minute;
pub mod rate_code;
pub mod ring;
pub mod subscriber;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use tokio::sync::watch;

use crate::store::network::NetworkStateRow;
use crate::store::{Store, StoreResult};
use cache::NetworkStateCache;
pub use ring::RateBucket;
pub use subscriber::{LivePoint, PendingWrites, SubscriberLive, SubscriberSample};

/// How stale a cached stored state may be.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(1);

/// How long after its last sample a subscriber still counts as online.
pub const DEFAULT_OFFLINE_AFTER: Duration = Duration::from_secs(10);

/// How long after a minute ends late samples may still join it before it is written.
pub const MINUTE_GRACE: Duration = Duration::from_secs(3);

pub struct LiveState {
    cache: NetworkStateCache,
    offline_after: Duration,
    subscribers: RwLock<HashMap<String, Arc<SubscriberLive>>>,
    pending: Mutex<PendingWrites>,
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// Our wall clock in Unix milliseconds.
pub fn now_unix_ms() -> i64 {
    i64::try_from(crate::domain::time::now().unix_timestamp_nanos() / 1_000_000).unwrap_or(0)
}

impl LiveState {
    pub fn new(max_age: Duration, offline_after: Duration) -> Self {
        Self {
            cache: NetworkStateCache::new(max_age),
            offline_after,
            subscribers: RwLock::new(HashMap::new()),
            pending: Mutex::new(PendingWrites::default()),
        }
    }

    /// The customer's state: stored (cached) with live samples laid over it.
    pub async fn network_state(
        &self,
        store: &Store,
        customer_id: &str,
    ) -> StoreResult<Option<Arc<NetworkStateRow>>> {
        let stored = self.cache.network_state(store, customer_id).await?;
        match self.existing(customer_id) {
            Some(live) => Ok(Some(Arc::new(live.overlay(
                stored.as_deref(),
                now_unix_ms(),
                millis(self.offline_after),
            )))),
            None => Ok(stored),
        }
    }

    /// Records a state written by this process, so readers see it at once; its totals are
    /// the newest the store holds (accounting moves them too).
    pub fn update(&self, state: NetworkStateRow) {
        if let Some(live) = self.existing(&state.customer_id) {
            live.totals_stored([state.total_download_octets, state.total_upload_octets]);
        }
        self.cache.update(state);
    }

    /// The customer's live series, created empty on first use.
    pub fn subscriber(&self, customer_id: &str) -> Arc<SubscriberLive> {
        if let Some(live) = self.existing(customer_id) {
            return live;
        }
        let mut subscribers = self.subscribers.write().unwrap_or_else(|p| p.into_inner());
        subscribers
            .entry(customer_id.to_owned())
            .or_insert_with(|| Arc::new(SubscriberLive::new(customer_id.to_owned())))
            .clone()
    }

    pub fn existing(&self, customer_id: &str) -> Option<Arc<SubscriberLive>> {
        let subscribers = self.subscribers.read().unwrap_or_else(|p| p.into_inner());
        subscribers.get(customer_id).cloned()
    }

    /// The customer's newest rates, if a sample reached this process within the offline
    /// window (older rates describe a subscriber now offline).
    pub fn current_rates(&self, customer_id: &str) -> Option<LivePoint> {
        let (point, received_unix_ms) = self.existing(customer_id)?.latest()?;
        (now_unix_ms() - received_unix_ms <= millis(self.offline_after)).then_some(point)
    }

    /// `existing` for many customers under one lock, in their order.
    pub fn existing_each<'a>(
        &self,
        customer_ids: impl Iterator<Item = &'a str>,
    ) -> Vec<Option<Arc<SubscriberLive>>> {
        let subscribers = self.subscribers.read().unwrap_or_else(|p| p.into_inner());
        customer_ids
            .map(|id| subscribers.get(id).cloned())
            .collect()
    }

    /// Subscribers with a series in this process.
    pub fn subscriber_count(&self) -> usize {
        self.subscribers
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }

    /// A receiver of the customer's newest seconds, for live streams.
    pub fn watch(&self, customer_id: &str) -> watch::Receiver<LivePoint> {
        self.subscriber(customer_id).watch()
    }

    /// The last hour in `step_secs` buckets, and the first second it covers; `None` when no
    /// sample reached this process for the customer.
    pub fn hour_buckets(
        &self,
        customer_id: &str,
        now_unix: i64,
        step_secs: i64,
    ) -> Option<(i64, Vec<RateBucket>)> {
        self.existing(customer_id)?
            .hour_buckets(now_unix, step_secs)
    }

    /// Queues store writes produced by ingest.
    pub fn queue(&self, writes: &mut PendingWrites) {
        if writes.is_empty() {
            return;
        }
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        pending.append(writes);
    }

    /// Closes ended minutes, marks silent subscribers offline, and takes every queued write.
    pub fn sweep(&self, now_unix_ms: i64) -> PendingWrites {
        let mut out = PendingWrites::default();
        for live in self.all() {
            live.sweep(
                now_unix_ms,
                millis(MINUTE_GRACE),
                millis(self.offline_after),
                &mut out,
            );
        }
        self.take_pending(out)
    }

    /// Takes every queued write and every running minute as it is (at shutdown).
    pub fn drain(&self) -> PendingWrites {
        let mut out = PendingWrites::default();
        for live in self.all() {
            live.drain(&mut out);
        }
        self.take_pending(out)
    }

    fn take_pending(&self, mut swept: PendingWrites) -> PendingWrites {
        let mut pending = {
            let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
            std::mem::take(&mut *pending)
        };
        pending.append(&mut swept);
        pending
    }

    fn all(&self) -> Vec<Arc<SubscriberLive>> {
        let subscribers = self.subscribers.read().unwrap_or_else(|p| p.into_inner());
        subscribers.values().cloned().collect()
    }
}
