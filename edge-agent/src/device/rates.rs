//! Per-device rate state: the previous poll of every interface, turned into rates with
//! `netops_snmp::counter` and mapped to subscribers. Pure; the counter loop feeds it.

use std::collections::BTreeMap;

use netops_snmp::client::{InterfaceCounters, InterfaceTable};
use netops_snmp::counter::{rate_between, RateCeiling, SampleDropped};
use proto::SubscriberKey;

use super::subscriber::subscriber_key;

/// One interface's rates over the last interval, in the device's directions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterfaceRate {
    pub if_index: u32,
    pub if_name: String,
    pub subscriber: SubscriberKey,
    /// Into the device (the subscriber's upload on an access interface).
    pub in_bps: u64,
    /// Out of the device (the subscriber's download).
    pub out_bps: u64,
    pub in_octets: u64,
    pub out_octets: u64,
}

/// What one poll produced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RateUpdate {
    pub rates: Vec<InterfaceRate>,
    pub dropped: Vec<(String, SampleDropped)>,
    /// The ifIndex → ifName set differs from the previous poll.
    pub interfaces_changed: bool,
}

#[derive(Debug, Default)]
pub struct DeviceRates {
    device: String,
    previous: BTreeMap<u32, InterfaceCounters>,
}

impl DeviceRates {
    pub fn new(device: impl Into<String>) -> Self {
        Self {
            device: device.into(),
            previous: BTreeMap::new(),
        }
    }

    /// Rates between the previous poll and `table`, which becomes the previous poll.
    pub fn update(&mut self, table: InterfaceTable) -> RateUpdate {
        let mut update = RateUpdate {
            interfaces_changed: !same_interfaces(&self.previous, &table.interfaces),
            ..RateUpdate::default()
        };
        for (if_index, current) in &table.interfaces {
            let Some(previous) = self.previous.get(if_index) else {
                continue;
            };
            let ceiling = current
                .high_speed_mbps
                .map(RateCeiling::from_if_high_speed_mbps)
                .unwrap_or_default();
            let rates = rate_between(&previous.in_octets, &current.in_octets, ceiling).and_then(
                |inbound| {
                    rate_between(&previous.out_octets, &current.out_octets, ceiling)
                        .map(|outbound| (inbound, outbound))
                },
            );
            match rates {
                Ok((inbound, outbound)) => update.rates.push(InterfaceRate {
                    if_index: *if_index,
                    if_name: current.if_name.clone(),
                    subscriber: subscriber_key(&self.device, &current.if_name),
                    in_bps: inbound.bps,
                    out_bps: outbound.bps,
                    in_octets: inbound.octets,
                    out_octets: outbound.octets,
                }),
                Err(dropped) => update.dropped.push((current.if_name.clone(), dropped)),
            }
        }
        self.previous = table.interfaces;
        update
    }

    pub fn interfaces(&self) -> impl Iterator<Item = &InterfaceCounters> {
        self.previous.values()
    }
}

fn same_interfaces(
    before: &BTreeMap<u32, InterfaceCounters>,
    after: &BTreeMap<u32, InterfaceCounters>,
) -> bool {
    before.len() == after.len()
        && before
            .iter()
            .zip(after)
            .all(|((a_index, a), (b_index, b))| a_index == b_index && a.if_name == b.if_name)
}

/// A short label for the dropped-samples metric.
pub fn drop_reason(dropped: &SampleDropped) -> &'static str {
    match dropped {
        SampleDropped::DeviceRebooted { .. } => "device_rebooted",
        SampleDropped::CounterDiscontinuity { .. } => "counter_discontinuity",
        SampleDropped::InterfaceRenamed { .. } => "interface_renamed",
        SampleDropped::CounterWidthChanged { .. } => "counter_width_changed",
        SampleDropped::NonPositiveInterval { .. } => "non_positive_interval",
        SampleDropped::ImplausibleRate { .. } => "implausible_rate",
    }
}

#[cfg(test)]
mod tests {
    use netops_snmp::counter::{CounterPoll, CounterValue};

    use super::*;

    fn interface(
        if_index: u32,
        name: &str,
        at_s: u64,
        in_octets: u64,
        out_octets: u64,
    ) -> InterfaceCounters {
        let poll = |octets| CounterPoll {
            received_ns: at_s * 1_000_000_000,
            sys_uptime_cs: u32::try_from(at_s * 100).unwrap(),
            discontinuity_cs: None,
            if_name: name.to_owned(),
            octets: CounterValue::Bits64(octets),
        };
        InterfaceCounters {
            if_index,
            if_name: name.to_owned(),
            in_octets: poll(in_octets),
            out_octets: poll(out_octets),
            high_speed_mbps: None,
        }
    }

    fn table(rows: Vec<InterfaceCounters>) -> InterfaceTable {
        InterfaceTable {
            interfaces: rows.into_iter().map(|row| (row.if_index, row)).collect(),
            requests: 1,
        }
    }

    #[test]
    fn rates_and_subscribers() {
        let mut rates = DeviceRates::new("bras-1");
        let first = rates.update(table(vec![interface(7, "<pppoe-alice>", 10, 0, 0)]));
        assert!(first.rates.is_empty());
        assert!(first.interfaces_changed);
        let second = rates.update(table(vec![interface(
            7,
            "<pppoe-alice>",
            11,
            125_000,
            1_250_000,
        )]));
        assert!(!second.interfaces_changed);
        assert_eq!(
            second.rates,
            vec![InterfaceRate {
                if_index: 7,
                if_name: "<pppoe-alice>".into(),
                subscriber: SubscriberKey::PppoeUsername("alice".into()),
                in_bps: 1_000_000,
                out_bps: 10_000_000,
                in_octets: 125_000,
                out_octets: 1_250_000,
            }]
        );
    }

    #[test]
    fn a_reindexed_session_is_dropped_not_a_spike() {
        let mut rates = DeviceRates::new("bras-1");
        rates.update(table(vec![interface(7, "<pppoe-alice>", 10, 0, 0)]));
        let update = rates.update(table(vec![interface(7, "<pppoe-bob>", 11, 9, 9)]));
        assert!(update.rates.is_empty());
        assert!(update.interfaces_changed);
        assert_eq!(drop_reason(&update.dropped[0].1), "interface_renamed");
    }
}
