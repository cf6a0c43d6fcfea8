//! The aggregator: collects every device's interface rates and emits ONE `Samples` frame per
//! polling round for all subscribers (`round.rs` decides when a round is complete), plus
//! `Inventory` whenever a device's interfaces change.

mod round;

use std::collections::BTreeMap;
use std::time::Instant;

use proto::{Device, Frame, Interface, Inventory, SampleEntry, Samples, SubscriberKey};
use tokio::sync::{mpsc, watch};

use crate::clock::CorrectedClock;
use crate::device::subscriber::subscriber_key;
use crate::device::InterfaceRate;
use crate::metrics::AgentMetrics;
pub use round::{PollRound, ACTIVE_WITHIN, ROUND_DEADLINE};

/// What device tasks tell the aggregator.
#[derive(Debug, Clone)]
pub enum DeviceReport {
    /// Rates from one counter poll.
    Rates {
        device: String,
        rates: Vec<InterfaceRate>,
    },
    /// The device's identity and interface list, sent when it first polls and when it changes.
    Interfaces {
        device: Device,
        interfaces: Vec<Interface>,
    },
    /// The device was removed from the configuration.
    Removed { device_id: String },
}

/// Rates received during the current second and per-subscriber totals. Pure.
#[derive(Debug)]
pub struct SampleBatcher {
    next_batch_seq: u64,
    /// The newest batch's `timestamp_ms`; every batch is stamped later than the one before.
    last_timestamp_ms: u64,
    /// Latest rate per (device, ifIndex) this second.
    pending: BTreeMap<(String, u32), InterfaceRate>,
    /// Download and upload octets since the agent started tracking each subscriber.
    totals: BTreeMap<SubscriberKey, (u64, u64)>,
}

impl SampleBatcher {
    /// `first_batch_seq` must exceed every `batch_seq` sent before, also by earlier runs: the
    /// default (see `initial_batch_seq`) is the corrected time in milliseconds.
    pub fn new(first_batch_seq: u64) -> Self {
        Self {
            next_batch_seq: first_batch_seq,
            last_timestamp_ms: 0,
            pending: BTreeMap::new(),
            totals: BTreeMap::new(),
        }
    }

    pub fn record(&mut self, device: &str, rates: Vec<InterfaceRate>) {
        for rate in rates {
            let slot = (device.to_owned(), rate.if_index);
            match self.pending.get_mut(&slot) {
                Some(existing) => {
                    let (in_octets, out_octets) = (existing.in_octets, existing.out_octets);
                    *existing = InterfaceRate {
                        in_octets: in_octets + rate.in_octets,
                        out_octets: out_octets + rate.out_octets,
                        ..rate
                    };
                }
                None => {
                    self.pending.insert(slot, rate);
                }
            }
        }
    }

    /// The batch of the polls that ended by `timestamp_ms`, or `None` when nothing was polled.
    /// A subscriber seen on several interfaces gets their sum. The batch is stamped at least
    /// one millisecond after the one before, so two rounds never share a timestamp.
    pub fn take_batch(&mut self, timestamp_ms: u64) -> Option<Samples> {
        if self.pending.is_empty() {
            return None;
        }
        let timestamp_ms = timestamp_ms.max(self.last_timestamp_ms + 1);
        self.last_timestamp_ms = timestamp_ms;
        let mut by_subscriber: BTreeMap<SubscriberKey, SampleEntry> = BTreeMap::new();
        for rate in std::mem::take(&mut self.pending).into_values() {
            let totals = self.totals.entry(rate.subscriber.clone()).or_default();
            totals.0 = totals.0.wrapping_add(rate.out_octets);
            totals.1 = totals.1.wrapping_add(rate.in_octets);
            let entry = by_subscriber
                .entry(rate.subscriber.clone())
                .or_insert_with(|| SampleEntry {
                    subscriber_key: rate.subscriber.clone(),
                    rx_bps: 0,
                    tx_bps: 0,
                    rx_octets_total: 0,
                    tx_octets_total: 0,
                });
            entry.rx_bps = entry.rx_bps.saturating_add(rate.out_bps);
            entry.tx_bps = entry.tx_bps.saturating_add(rate.in_bps);
            (entry.rx_octets_total, entry.tx_octets_total) = *totals;
        }
        let batch = Samples {
            batch_seq: self.next_batch_seq,
            timestamp_ms,
            entries: by_subscriber.into_values().collect(),
        };
        self.next_batch_seq += 1;
        Some(batch)
    }
}

/// Every device's identity and interfaces, merged into one `Inventory`. Pure.
#[derive(Debug, Default)]
pub struct InventoryState {
    devices: BTreeMap<String, (Device, Vec<Interface>)>,
}

impl InventoryState {
    /// Records a device's interfaces; returns whether the inventory changed.
    pub fn update(&mut self, device: Device, interfaces: Vec<Interface>) -> bool {
        let changed =
            self.devices
                .get(&device.device_id)
                .is_none_or(|(known, known_interfaces)| {
                    *known != device || *known_interfaces != interfaces
                });
        self.devices
            .insert(device.device_id.clone(), (device, interfaces));
        changed
    }

    /// Forgets a removed device; returns whether the inventory changed.
    pub fn remove(&mut self, device_id: &str) -> bool {
        self.devices.remove(device_id).is_some()
    }

    pub fn inventory(&self) -> Inventory {
        let mut inventory = Inventory::default();
        for (device, interfaces) in self.devices.values() {
            inventory.devices.push(device.clone());
            for interface in interfaces {
                inventory
                    .subscriber_keys
                    .push(subscriber_key(&interface.device_id, &interface.if_name));
                inventory.interfaces.push(interface.clone());
            }
        }
        inventory.subscriber_keys.sort();
        inventory.subscriber_keys.dedup();
        inventory
    }
}

/// A `batch_seq` start larger than any earlier run's: the corrected clock in milliseconds
/// (a run emits at most one batch per second).
pub fn initial_batch_seq(clock: &CorrectedClock) -> u64 {
    clock.now_ms()
}

/// Runs until shutdown, or until the device tasks and the side that starts them are gone, or
/// until the uplink stops taking frames. A round's `Samples` go out as soon as every device
/// that polled lately has reported, or `ROUND_DEADLINE` after the round's first report.
pub async fn run_aggregator(
    mut reports: mpsc::Receiver<DeviceReport>,
    frames: mpsc::Sender<Frame>,
    clock: CorrectedClock,
    metrics: AgentMetrics,
    first_batch_seq: u64,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut batcher = SampleBatcher::new(first_batch_seq);
    let mut inventory = InventoryState::default();
    let mut round = PollRound::default();
    let close_round = |batcher: &mut SampleBatcher, round: &mut PollRound| {
        round.close(Instant::now());
        batcher.take_batch(clock.now_ms()).map(|batch| {
            metrics.batches_produced_total.inc();
            metrics
                .samples_produced_total
                .inc_by(batch.entries.len() as u64);
            Frame::Samples(batch)
        })
    };
    loop {
        let deadline = round.deadline();
        let mut out = Vec::with_capacity(2);
        tokio::select! {
            _ = shutdown.wait_for(|stop| *stop) => return,
            _ = tokio::time::sleep_until(deadline.unwrap_or_else(Instant::now).into()), if deadline.is_some() => {
                out.extend(close_round(&mut batcher, &mut round));
            }
            report = reports.recv() => match report {
                None => return,
                Some(DeviceReport::Rates { device, rates }) => {
                    if round.belongs_to_next(&device) {
                        out.extend(close_round(&mut batcher, &mut round));
                    }
                    batcher.record(&device, rates);
                    let now = Instant::now();
                    round.record(&device, now);
                    if round.complete(now) {
                        out.extend(close_round(&mut batcher, &mut round));
                    }
                }
                Some(DeviceReport::Interfaces { device, interfaces }) => out.extend(
                    inventory
                        .update(device, interfaces)
                        .then(|| Frame::Inventory(inventory.inventory())),
                ),
                Some(DeviceReport::Removed { device_id }) => {
                    round.forget(&device_id);
                    if round.complete(Instant::now()) {
                        out.extend(close_round(&mut batcher, &mut round));
                    }
                    out.extend(
                        inventory
                            .remove(&device_id)
                            .then(|| Frame::Inventory(inventory.inventory())),
                    );
                }
            },
        }
        for frame in out {
            if frames.send(frame).await.is_err() {
                tracing::info!("frame receiver closed; aggregator stops");
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(if_index: u32, name: &str, in_bps: u64, out_bps: u64) -> InterfaceRate {
        InterfaceRate {
            if_index,
            if_name: name.into(),
            subscriber: subscriber_key("bras-1", name),
            in_bps,
            out_bps,
            in_octets: in_bps / 8,
            out_octets: out_bps / 8,
        }
    }

    #[test]
    fn one_batch_per_second_for_all_devices() {
        let mut batcher = SampleBatcher::new(41);
        assert_eq!(batcher.take_batch(1_000), None);
        batcher.record("bras-1", vec![rate(7, "<pppoe-alice>", 8_000, 80_000)]);
        batcher.record("bras-2", vec![rate(3, "<pppoe-alice>", 8_000, 8_000)]);
        batcher.record("bras-1", vec![rate(9, "ether1", 16, 32)]);
        let batch = batcher.take_batch(2_000).unwrap();
        assert_eq!(batch.batch_seq, 41);
        assert_eq!(batch.timestamp_ms, 2_000);
        assert_eq!(batch.entries.len(), 2);
        let alice = &batch.entries[0];
        assert_eq!(
            alice.subscriber_key,
            SubscriberKey::PppoeUsername("alice".into())
        );
        // Download is what leaves the BRAS towards the subscriber.
        assert_eq!((alice.rx_bps, alice.tx_bps), (88_000, 16_000));
        assert_eq!(
            (alice.rx_octets_total, alice.tx_octets_total),
            (11_000, 2_000)
        );
        batcher.record("bras-1", vec![rate(7, "<pppoe-alice>", 0, 8)]);
        let next = batcher.take_batch(3_000).unwrap();
        assert_eq!(next.batch_seq, 42);
        assert_eq!(next.entries[0].rx_octets_total, 11_001);
    }

    #[test]
    fn batches_are_stamped_later_than_the_one_before() {
        let mut batcher = SampleBatcher::new(1);
        let mut stamps = Vec::new();
        for clock_ms in [5_000, 5_000, 4_990, 6_020] {
            batcher.record("bras-1", vec![rate(7, "<pppoe-alice>", 8, 8)]);
            stamps.push(batcher.take_batch(clock_ms).unwrap().timestamp_ms);
        }
        assert_eq!(stamps, vec![5_000, 5_001, 5_002, 6_020]);
    }

    #[test]
    fn inventory_changes_only_when_interfaces_do() {
        let device = Device {
            device_id: "bras-1".into(),
            kind: proto::DeviceKind::Bras,
            profile: "mikrotik-pppoe-bras".into(),
            management_address: "10.0.0.1".into(),
        };
        let interface = Interface {
            device_id: "bras-1".into(),
            if_index: 7,
            if_name: "<pppoe-alice>".into(),
            speed_bps: None,
        };
        let mut state = InventoryState::default();
        assert!(state.update(device.clone(), vec![interface.clone()]));
        assert!(!state.update(device.clone(), vec![interface.clone()]));
        let inventory = state.inventory();
        assert_eq!(
            inventory.subscriber_keys,
            vec![SubscriberKey::PppoeUsername("alice".into())]
        );
        assert!(state.update(device, vec![]));
    }
}
