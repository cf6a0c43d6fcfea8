//! Checking an agent's `Inventory` before anything of it is stored: bounded in size, device ids
//! usable as keys, each interface listed once under a listed device. Text the devices supply
//! (interface names, profiles, addresses) is kept as sent, capped in length. Pure.

use std::collections::BTreeMap;

use proto::{DeviceKind, Inventory};

use super::limits::InventoryLimits;

/// Longest device id accepted: it is a key, so a longer one refuses the frame.
pub const MAX_DEVICE_ID_CHARS: usize = 128;
/// Interface names, profiles and management addresses are cut to this many characters.
pub const MAX_TEXT_CHARS: usize = 255;

/// Why an `Inventory` frame was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InventoryError {
    #[error("Inventory lists {count} devices; at most {max} are accepted")]
    TooManyDevices { count: usize, max: usize },
    #[error("Inventory lists {count} interfaces; at most {max} are accepted")]
    TooManyInterfaces { count: usize, max: usize },
    #[error(
        "Inventory has a device id that is empty, holds NUL or is longer than {MAX_DEVICE_ID_CHARS} characters"
    )]
    BadDeviceId,
    #[error("Inventory lists device {0} twice")]
    DuplicateDevice(String),
    #[error("Inventory lists an interface of device {0}, which it does not list")]
    UnlistedDevice(String),
    #[error("Inventory lists ifIndex {if_index} of device {device} twice")]
    DuplicateInterface { device: String, if_index: u32 },
}

impl InventoryError {
    /// The `reason` label of the rejection metrics.
    pub fn metric_reason(&self) -> &'static str {
        match self {
            Self::TooManyDevices { .. } | Self::TooManyInterfaces { .. } => "inventory_too_large",
            _ => "inventory_invalid",
        }
    }
}

/// One interface as reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportedInterface {
    pub if_name: String,
    /// Nominal speed; speeds beyond `i64` are stored as `i64::MAX`.
    pub speed_bps: Option<i64>,
}

/// Interfaces of one device by ifIndex.
pub type Interfaces = BTreeMap<u32, ReportedInterface>;

/// One device as reported, with its interfaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportedDevice {
    /// `olt`, `bras`, `router`, `switch` or `other`.
    pub kind: &'static str,
    pub profile: String,
    pub management_address: String,
    pub interfaces: Interfaces,
}

/// A checked `Inventory`: devices by the agent's device id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportedInventory {
    pub devices: BTreeMap<String, ReportedDevice>,
    pub subscriber_key_count: usize,
}

impl ReportedInventory {
    pub fn interface_count(&self) -> usize {
        self.devices.values().map(|d| d.interfaces.len()).sum()
    }
}

/// The word stored for a reported device kind.
pub fn kind_text(kind: DeviceKind) -> &'static str {
    match kind {
        DeviceKind::Olt => "olt",
        DeviceKind::Bras => "bras",
        DeviceKind::Router => "router",
        DeviceKind::Switch => "switch",
        DeviceKind::Other => "other",
    }
}

/// Text from a device, kept as sent but for NUL (which PostgreSQL text cannot hold; it becomes
/// U+FFFD) and cut to `max_chars` characters.
pub fn capped_text(text: &str, max_chars: usize) -> String {
    text.chars()
        .take(max_chars)
        .map(|c| if c == '\0' { '\u{FFFD}' } else { c })
        .collect()
}

/// A device id quoted for an error message: debug-escaped and short.
fn quoted(device_id: &str) -> String {
    let short: String = device_id.chars().take(40).collect();
    format!("{short:?}")
}

fn device_id_ok(device_id: &str) -> bool {
    !device_id.is_empty()
        && !device_id.contains('\0')
        && device_id.chars().nth(MAX_DEVICE_ID_CHARS).is_none()
}

/// Checks a frame against the limits and the rules above; sizes are checked first, before
/// anything is copied.
pub fn check(
    inventory: Inventory,
    limits: &InventoryLimits,
) -> Result<ReportedInventory, InventoryError> {
    if inventory.devices.len() > limits.max_devices {
        return Err(InventoryError::TooManyDevices {
            count: inventory.devices.len(),
            max: limits.max_devices,
        });
    }
    if inventory.interfaces.len() > limits.max_interfaces {
        return Err(InventoryError::TooManyInterfaces {
            count: inventory.interfaces.len(),
            max: limits.max_interfaces,
        });
    }
    let mut devices = BTreeMap::new();
    for device in inventory.devices {
        if !device_id_ok(&device.device_id) {
            return Err(InventoryError::BadDeviceId);
        }
        let reported = ReportedDevice {
            kind: kind_text(device.kind),
            profile: capped_text(&device.profile, MAX_TEXT_CHARS),
            management_address: capped_text(&device.management_address, MAX_TEXT_CHARS),
            interfaces: Interfaces::new(),
        };
        if devices.insert(device.device_id.clone(), reported).is_some() {
            return Err(InventoryError::DuplicateDevice(quoted(&device.device_id)));
        }
    }
    for interface in inventory.interfaces {
        let Some(device) = devices.get_mut(&interface.device_id) else {
            return Err(InventoryError::UnlistedDevice(quoted(&interface.device_id)));
        };
        let reported = ReportedInterface {
            if_name: capped_text(&interface.if_name, MAX_TEXT_CHARS),
            speed_bps: interface
                .speed_bps
                .map(|bps| i64::try_from(bps).unwrap_or(i64::MAX)),
        };
        if device
            .interfaces
            .insert(interface.if_index, reported)
            .is_some()
        {
            return Err(InventoryError::DuplicateInterface {
                device: quoted(&interface.device_id),
                if_index: interface.if_index,
            });
        }
    }
    Ok(ReportedInventory {
        devices,
        subscriber_key_count: inventory.subscriber_keys.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proto::{Device, Interface};

    fn device(id: &str) -> Device {
        Device {
            device_id: id.into(),
            kind: DeviceKind::Bras,
            profile: "mikrotik-pppoe-bras".into(),
            management_address: "10.0.0.1".into(),
        }
    }

    fn interface(device: &str, if_index: u32, if_name: &str) -> Interface {
        Interface {
            device_id: device.into(),
            if_index,
            if_name: if_name.into(),
            speed_bps: Some(1_000_000_000),
        }
    }

    fn inventory(devices: &[&str], interfaces: Vec<Interface>) -> Inventory {
        Inventory {
            devices: devices.iter().map(|d| device(d)).collect(),
            interfaces,
            subscriber_keys: Vec::new(),
        }
    }

    const LIMITS: InventoryLimits = InventoryLimits {
        max_devices: 2,
        max_interfaces: 3,
        max_chunks: 1,
        max_assembly_bytes: 1,
    };

    fn check_err(inventory: Inventory, expected: InventoryError) {
        assert_eq!(check(inventory, &LIMITS), Err(expected));
    }

    #[test]
    fn sizes_are_bounded() {
        check_err(
            inventory(&["a", "b", "c"], vec![]),
            InventoryError::TooManyDevices { count: 3, max: 2 },
        );
        check_err(
            inventory(
                &["a"],
                (1..=4).map(|i| interface("a", i, "ether")).collect(),
            ),
            InventoryError::TooManyInterfaces { count: 4, max: 3 },
        );
        let at_limit = inventory(
            &["a", "b"],
            (1..=3).map(|i| interface("a", i, "ether")).collect(),
        );
        let checked = check(at_limit, &LIMITS).expect("at the limit is accepted");
        assert_eq!(checked.interface_count(), 3);
        assert_eq!(checked.devices["b"].interfaces.len(), 0);
    }

    #[test]
    fn keys_must_be_usable() {
        check_err(inventory(&[""], vec![]), InventoryError::BadDeviceId);
        let long = "d".repeat(MAX_DEVICE_ID_CHARS + 1);
        check_err(inventory(&[&long], vec![]), InventoryError::BadDeviceId);
        assert!(check(
            inventory(&[&"d".repeat(MAX_DEVICE_ID_CHARS)], vec![]),
            &LIMITS
        )
        .is_ok());
        check_err(
            inventory(&["a", "a"], vec![]),
            InventoryError::DuplicateDevice("\"a\"".into()),
        );
        check_err(
            inventory(&["a"], vec![interface("b", 1, "ether1")]),
            InventoryError::UnlistedDevice("\"b\"".into()),
        );
        check_err(
            inventory(
                &["a"],
                vec![interface("a", 7, "ether1"), interface("a", 7, "ether2")],
            ),
            InventoryError::DuplicateInterface {
                device: "\"a\"".into(),
                if_index: 7,
            },
        );
    }

    #[test]
    fn device_text_is_kept_but_capped() {
        let check_text = |input: &str, expected: &str| {
            assert_eq!(capped_text(input, 5), expected);
        };
        check_text("<pppoe-x>", "<pppo");
        check_text("ab\u{0}c", "ab\u{FFFD}c");
        check_text("\u{1b}[31m", "\u{1b}[31m");
        check_text("ñandú-port", "ñandú");
        let mut inv = inventory(&["a"], vec![interface("a", 1, &"x".repeat(300))]);
        inv.interfaces[0].speed_bps = Some(u64::MAX);
        let checked = check(inv, &LIMITS).unwrap();
        let stored = &checked.devices["a"].interfaces[&1];
        assert_eq!(stored.if_name.chars().count(), MAX_TEXT_CHARS);
        assert_eq!(stored.speed_bps, Some(i64::MAX));
    }

    #[test]
    fn rejection_reasons() {
        assert_eq!(
            InventoryError::TooManyDevices { count: 1, max: 0 }.metric_reason(),
            "inventory_too_large"
        );
        assert_eq!(
            InventoryError::BadDeviceId.metric_reason(),
            "inventory_invalid"
        );
    }
}
