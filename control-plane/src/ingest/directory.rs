//! Which customer a subscriber key names: PPPoE username, OLT (device id or name) + PON
//! port + ONU id, or device (id or name) + port ifName. Loaded whole from the store and reloaded on a miss at most every
//! `MIN_RELOAD_INTERVAL`, so unknown keys cost one query per interval, not one per sample.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use proto::{PonPort, SubscriberKey};

use crate::store::ingest::SubscriberKeyRow;
use crate::store::{Store, StoreResult};

/// The shortest time between two reloads.
pub const MIN_RELOAD_INTERVAL: Duration = Duration::from_secs(5);

type Index = HashMap<SubscriberKey, String>;

#[derive(Default)]
pub struct SubscriberDirectory {
    index: RwLock<Arc<Index>>,
    /// Bumped whenever a reload changes the index, so per-connection caches start over.
    generation: AtomicU64,
    last_reload: Mutex<Option<Instant>>,
    reloading: tokio::sync::Mutex<()>,
}

/// Parses `frame/slot/port` as the customer record holds it.
pub fn parse_pon_port(text: &str) -> Option<PonPort> {
    let mut parts = text.trim().split('/').map(|p| p.trim().parse::<u16>());
    let port = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(Ok(frame)), Some(Ok(slot)), Some(Ok(port)), None) => PonPort { frame, slot, port },
        _ => return None,
    };
    Some(port)
}

fn index_of(rows: Vec<SubscriberKeyRow>) -> Index {
    let mut index = HashMap::with_capacity(rows.len() * 2);
    for row in rows {
        if let Some(username) = &row.pppoe_username {
            index.insert(
                SubscriberKey::PppoeUsername(username.clone()),
                row.customer_id.clone(),
            );
        }
        let pon = row.pon_port.as_deref().and_then(parse_pon_port);
        let onu_id = row.onu_id.and_then(|id| u32::try_from(id).ok());
        if let (Some(pon), Some(onu_id)) = (pon, onu_id) {
            for olt in [&row.olt_device_id, &row.olt_device_name]
                .into_iter()
                .flatten()
            {
                index.insert(
                    SubscriberKey::Onu {
                        olt: olt.clone(),
                        pon,
                        onu_id,
                    },
                    row.customer_id.clone(),
                );
            }
        }
        if let Some(if_name) = &row.port_if_name {
            for device in [&row.port_device_id, &row.port_device_name]
                .into_iter()
                .flatten()
            {
                index.insert(
                    SubscriberKey::Port {
                        device: device.clone(),
                        if_name: if_name.clone(),
                    },
                    row.customer_id.clone(),
                );
            }
        }
    }
    index
}

impl SubscriberDirectory {
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// The customer a key names, from the loaded index.
    pub fn lookup(&self, key: &SubscriberKey) -> Option<String> {
        self.index
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(key)
            .cloned()
    }

    /// Reloads the index unless it was reloaded less than `MIN_RELOAD_INTERVAL` ago.
    pub async fn reload_if_stale(&self, store: &Store) -> StoreResult<()> {
        let _one_at_a_time = self.reloading.lock().await;
        let now = Instant::now();
        {
            let last = self.last_reload.lock().unwrap_or_else(|p| p.into_inner());
            if last.is_some_and(|at| now.duration_since(at) < MIN_RELOAD_INTERVAL) {
                return Ok(());
            }
        }
        let index = index_of(store.subscriber_keys().await?);
        *self.last_reload.lock().unwrap_or_else(|p| p.into_inner()) = Some(now);
        let mut current = self.index.write().unwrap_or_else(|p| p.into_inner());
        if **current != index {
            *current = Arc::new(index);
            self.generation.fetch_add(1, Ordering::AcqRel);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, pppoe: Option<&str>, pon: Option<&str>, onu: Option<i64>) -> SubscriberKeyRow {
        SubscriberKeyRow {
            customer_id: id.into(),
            pppoe_username: pppoe.map(Into::into),
            olt_device_id: Some("dev-9".into()),
            olt_device_name: Some("olt-gulshan".into()),
            pon_port: pon.map(Into::into),
            onu_id: onu,
            port_device_id: None,
            port_device_name: None,
            port_if_name: None,
        }
    }

    fn port(device: &str, if_name: &str) -> SubscriberKey {
        SubscriberKey::Port {
            device: device.into(),
            if_name: if_name.into(),
        }
    }

    fn onu(olt: &str, port: u16, onu_id: u32) -> SubscriberKey {
        SubscriberKey::Onu {
            olt: olt.into(),
            pon: PonPort {
                frame: 0,
                slot: 1,
                port,
            },
            onu_id,
        }
    }

    #[test]
    fn keys_name_customers_by_device_port() {
        let index = index_of(vec![SubscriberKeyRow {
            port_device_id: Some("dev-3".into()),
            port_device_name: Some("sw-uttara".into()),
            port_if_name: Some("ge-0/0/7".into()),
            ..row("c4", None, None, None)
        }]);
        let check = |key: SubscriberKey, expected: Option<&str>| {
            assert_eq!(index.get(&key).map(String::as_str), expected, "{key}");
        };
        check(port("sw-uttara", "ge-0/0/7"), Some("c4"));
        check(port("dev-3", "ge-0/0/7"), Some("c4"));
        check(port("sw-uttara", "ge-0/0/8"), None);
        check(port("sw-uttara", "GE-0/0/7"), None);
        check(port("other", "ge-0/0/7"), None);
    }

    #[test]
    fn keys_name_customers_by_username_or_onu() {
        let index = index_of(vec![
            row("c1", Some("rahim"), Some("0/1/1"), Some(1)),
            row("c2", None, Some(" 0 / 1 / 2 "), Some(4)),
            row("c3", Some("no-onu"), Some("bad"), Some(1)),
        ]);
        let check = |key: SubscriberKey, expected: Option<&str>| {
            assert_eq!(index.get(&key).map(String::as_str), expected, "{key}");
        };
        check(SubscriberKey::PppoeUsername("rahim".into()), Some("c1"));
        check(onu("olt-gulshan", 1, 1), Some("c1"));
        check(onu("dev-9", 1, 1), Some("c1"));
        check(onu("olt-gulshan", 2, 4), Some("c2"));
        check(onu("olt-gulshan", 2, 5), None);
        check(SubscriberKey::PppoeUsername("RAHIM".into()), None);
        assert_eq!(parse_pon_port("0/1"), None);
    }
}
