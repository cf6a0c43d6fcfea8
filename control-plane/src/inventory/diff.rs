//! What a new `Inventory` changes in what is stored for its agent: the devices gone since the
//! previous one, and per reported device the interfaces to write and to delete, so a frame that
//! repeats most of the last one costs a few writes, not one per interface. Pure.

use std::collections::{BTreeMap, BTreeSet};

use super::report::{Interfaces, ReportedInterface, ReportedInventory};

/// What the store holds for one agent before a frame is applied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredInventory {
    /// Devices the agent still reports (not marked gone).
    pub present: BTreeSet<String>,
    /// Stored interfaces per device, gone devices included.
    pub interfaces: BTreeMap<String, Interfaces>,
}

/// One interface to insert or overwrite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InterfaceWrite<'a> {
    pub device_id: &'a str,
    pub if_index: u32,
    pub interface: &'a ReportedInterface,
}

/// The writes that turn the stored inventory into the reported one.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct InventoryPlan<'a> {
    /// Devices stored as present that the frame no longer lists.
    pub gone: Vec<&'a str>,
    /// Interfaces new, renamed or with another speed.
    pub writes: Vec<InterfaceWrite<'a>>,
    /// Interfaces of reported devices that the frame no longer lists, by device.
    pub deletes: BTreeMap<&'a str, Vec<u32>>,
}

/// Compares a checked frame with what is stored. Interfaces of devices the frame does not list
/// are left as they are: they stay the device's last reported interfaces.
pub fn plan<'a>(stored: &'a StoredInventory, reported: &'a ReportedInventory) -> InventoryPlan<'a> {
    let empty = Interfaces::new();
    let mut plan = InventoryPlan {
        gone: stored
            .present
            .iter()
            .filter(|id| !reported.devices.contains_key(*id))
            .map(String::as_str)
            .collect(),
        ..InventoryPlan::default()
    };
    for (device_id, device) in &reported.devices {
        let before = stored.interfaces.get(device_id).unwrap_or(&empty);
        for (if_index, interface) in &device.interfaces {
            if before.get(if_index) != Some(interface) {
                plan.writes.push(InterfaceWrite {
                    device_id,
                    if_index: *if_index,
                    interface,
                });
            }
        }
        let removed: Vec<u32> = before
            .keys()
            .filter(|if_index| !device.interfaces.contains_key(if_index))
            .copied()
            .collect();
        if !removed.is_empty() {
            plan.deletes.insert(device_id, removed);
        }
    }
    plan
}

/// What the store holds once a frame's plan is applied: the frame's devices present with its
/// interfaces, devices it left out gone with theirs kept.
pub fn applied(mut stored: StoredInventory, reported: &ReportedInventory) -> StoredInventory {
    stored.present = reported.devices.keys().cloned().collect();
    for (device_id, device) in &reported.devices {
        stored
            .interfaces
            .insert(device_id.clone(), device.interfaces.clone());
    }
    stored
        .interfaces
        .retain(|_, interfaces| !interfaces.is_empty());
    stored
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::report::ReportedDevice;
    use proptest::prelude::*;

    fn interfaces(entries: &[(u32, &str)]) -> Interfaces {
        entries
            .iter()
            .map(|(i, name)| {
                (
                    *i,
                    ReportedInterface {
                        if_name: (*name).to_owned(),
                        speed_bps: None,
                    },
                )
            })
            .collect()
    }

    fn reported(devices: Vec<(&str, Interfaces)>) -> ReportedInventory {
        ReportedInventory {
            devices: devices
                .into_iter()
                .map(|(id, interfaces)| {
                    (
                        id.to_owned(),
                        ReportedDevice {
                            kind: "bras",
                            profile: "p".into(),
                            management_address: "10.0.0.1".into(),
                            interfaces,
                        },
                    )
                })
                .collect(),
            subscriber_key_count: 0,
        }
    }

    #[test]
    fn only_differences_are_written() {
        let stored = StoredInventory {
            present: ["bras-1", "olt-1"].map(String::from).into(),
            interfaces: [
                (
                    "bras-1".to_owned(),
                    interfaces(&[(1, "ether1"), (7, "<pppoe-a>"), (8, "<pppoe-b>")]),
                ),
                ("olt-1".to_owned(), interfaces(&[(1, "pon0/1/1")])),
            ]
            .into(),
        };
        let frame = reported(vec![(
            "bras-1",
            interfaces(&[(1, "ether1"), (7, "<pppoe-c>"), (9, "<pppoe-d>")]),
        )]);
        let plan = plan(&stored, &frame);
        assert_eq!(plan.gone, ["olt-1"]);
        let written: Vec<(u32, &str)> = plan
            .writes
            .iter()
            .map(|w| (w.if_index, w.interface.if_name.as_str()))
            .collect();
        assert_eq!(written, [(7, "<pppoe-c>"), (9, "<pppoe-d>")]);
        assert_eq!(plan.deletes, [("bras-1", vec![8])].into());
    }

    fn arb_interfaces() -> impl Strategy<Value = Interfaces> {
        prop::collection::btree_map(
            0u32..12,
            (
                prop::sample::select(vec!["ether1", "<pppoe-a>", "<pppoe-b>"]),
                prop::option::of(0i64..3),
            ),
            0..8,
        )
        .prop_map(|m| {
            m.into_iter()
                .map(|(i, (name, speed_bps))| {
                    (
                        i,
                        ReportedInterface {
                            if_name: name.to_owned(),
                            speed_bps,
                        },
                    )
                })
                .collect()
        })
    }

    fn arb_devices() -> impl Strategy<Value = BTreeMap<String, Interfaces>> {
        prop::collection::btree_map(
            prop::sample::select(vec!["a", "b", "c", "d"]).prop_map(String::from),
            arb_interfaces(),
            0..4,
        )
    }

    proptest! {
        /// Applying the plan to the stored interfaces gives exactly the frame's interfaces for
        /// every device it lists and leaves the others alone; nothing unchanged is written.
        #[test]
        fn the_plan_turns_stored_into_reported(
            stored_devices in arb_devices(),
            gone in prop::collection::btree_set(prop::sample::select(vec!["a", "b", "c", "d"]), 0..4),
            frame_devices in arb_devices(),
        ) {
            let stored = StoredInventory {
                present: stored_devices
                    .keys()
                    .filter(|id| !gone.contains(id.as_str()))
                    .cloned()
                    .collect(),
                interfaces: stored_devices.clone(),
            };
            let frame = ReportedInventory {
                devices: frame_devices
                    .iter()
                    .map(|(id, interfaces)| {
                        (id.clone(), ReportedDevice {
                            kind: "router",
                            profile: "p".into(),
                            management_address: "a".into(),
                            interfaces: interfaces.clone(),
                        })
                    })
                    .collect(),
                subscriber_key_count: 0,
            };
            let plan = plan(&stored, &frame);
            let mut after = stored.interfaces.clone();
            for (device_id, if_indexes) in &plan.deletes {
                let device = after.get_mut(*device_id).expect("deletes only stored interfaces");
                for if_index in if_indexes {
                    prop_assert!(device.remove(if_index).is_some());
                }
            }
            for write in &plan.writes {
                prop_assert_ne!(
                    stored.interfaces.get(write.device_id).and_then(|d| d.get(&write.if_index)),
                    Some(write.interface)
                );
                after
                    .entry(write.device_id.to_owned())
                    .or_default()
                    .insert(write.if_index, write.interface.clone());
            }
            for (device_id, interfaces) in &frame_devices {
                let now = after.get(device_id).cloned().unwrap_or_default();
                prop_assert_eq!(&now, interfaces);
            }
            // `applied` predicts the stored state the plan leads to.
            after.retain(|_, interfaces| !interfaces.is_empty());
            let predicted = applied(stored.clone(), &frame);
            prop_assert_eq!(&predicted.interfaces, &after);
            prop_assert!(predicted.present.iter().eq(frame_devices.keys()));
            for (device_id, interfaces) in &stored_devices {
                if !frame_devices.contains_key(device_id) {
                    let now = after.get(device_id).cloned().unwrap_or_default();
                    prop_assert_eq!(&now, interfaces);
                }
            }
            let expected_gone: Vec<&str> = stored
                .present
                .iter()
                .filter(|id| !frame_devices.contains_key(*id))
                .map(String::as_str)
                .collect();
            prop_assert_eq!(plan.gone, expected_gone);
        }
    }
}
