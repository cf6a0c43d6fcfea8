//! The `InventoryChunk` frame (protocol version 3): an `Inventory` too large for one frame, sent
//! as a numbered set of chunks, and `split_inventory`, which cuts one into chunks that each fit.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::{Device, Interface, Inventory, SubscriberKey, HEADER_BYTES};

/// One part of an inventory sent in several frames.
///
/// The chunks of one `generation` together are one `Inventory`: their device, interface and
/// subscriber key lists concatenated in `chunk_index` order. A device is listed once, in the
/// chunk where its interfaces start; a device too large for one chunk continues in the next. The
/// receiver applies a set only once all `chunk_count` chunks arrived; a chunk of a newer
/// generation (or a whole `Inventory`) discards an incomplete set.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct InventoryChunk {
    /// Numbers the agent's inventories; a new inventory takes a larger number.
    pub generation: u64,
    /// Position of this chunk in its set, from 0.
    pub chunk_index: u32,
    /// How many chunks the set has; at least 1.
    pub chunk_count: u32,
    pub devices: Vec<Device>,
    pub interfaces: Vec<Interface>,
    pub subscriber_keys: Vec<SubscriberKey>,
}

/// Bytes of a chunk body besides its entries: generation (varint u64, 10), index and count
/// (varint u32, 5 each) and three list lengths (varint usize, 10 each).
const CHUNK_FIXED_BYTES: usize = 10 + 5 + 5 + 3 * 10;

/// An inventory entry that does not fit in a chunk of the requested size even alone.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("an inventory {entry} of {len} bytes does not fit in a {max_frame_bytes} byte frame")]
pub struct SplitError {
    pub entry: &'static str,
    pub len: usize,
    pub max_frame_bytes: usize,
}

enum Entry<'a> {
    Device(&'a Device),
    Interface(&'a Interface),
    Key(&'a SubscriberKey),
}

fn entry_len<T: Serialize>(entry: &T) -> usize {
    // Serializing to a size counter cannot fail for these plain types; a failure would only
    // make the entry look too large, which refuses the split rather than overflowing a frame.
    postcard::experimental::serialized_size(entry).unwrap_or(usize::MAX)
}

/// Cuts `inventory` into chunks whose encoded frames are each at most `max_frame_bytes`.
///
/// Devices go in order, each followed by its interfaces; a device that does not fit in what is
/// left of a chunk starts the next one, and only a device too large for a chunk of its own is
/// split. Interfaces of unlisted devices and the subscriber keys come last. Pure.
pub fn split_inventory(
    inventory: &Inventory,
    generation: u64,
    max_frame_bytes: usize,
) -> Result<Vec<InventoryChunk>, SplitError> {
    let budget = max_frame_bytes.saturating_sub(HEADER_BYTES + CHUNK_FIXED_BYTES);
    let mut groups: Vec<Vec<(Entry<'_>, usize)>> = Vec::new();
    let mut by_device = std::collections::HashMap::new();
    for device in &inventory.devices {
        by_device
            .entry(device.device_id.as_str())
            .or_insert(groups.len());
        groups.push(vec![(Entry::Device(device), entry_len(device))]);
    }
    let mut trailing = Vec::new();
    for interface in &inventory.interfaces {
        let entry = (Entry::Interface(interface), entry_len(interface));
        match by_device.get(interface.device_id.as_str()) {
            Some(&group) => groups[group].push(entry),
            None => trailing.push(entry),
        }
    }
    for key in &inventory.subscriber_keys {
        trailing.push((Entry::Key(key), entry_len(key)));
    }
    groups.push(trailing);

    let mut chunks = vec![InventoryChunk::default()];
    let mut used = 0usize;
    for group in groups {
        let group_len: usize = group.iter().map(|(_, len)| *len).sum();
        if used > 0 && used.saturating_add(group_len) > budget && group_len <= budget {
            chunks.push(InventoryChunk::default());
            used = 0;
        }
        for (entry, len) in group {
            if len > budget {
                let entry = match entry {
                    Entry::Device(_) => "device",
                    Entry::Interface(_) => "interface",
                    Entry::Key(_) => "subscriber key",
                };
                return Err(SplitError {
                    entry,
                    len,
                    max_frame_bytes,
                });
            }
            if used + len > budget {
                chunks.push(InventoryChunk::default());
                used = 0;
            }
            used += len;
            let chunk = chunks.last_mut().expect("chunks is never empty");
            match entry {
                Entry::Device(device) => chunk.devices.push(device.clone()),
                Entry::Interface(interface) => chunk.interfaces.push(interface.clone()),
                Entry::Key(key) => chunk.subscriber_keys.push(key.clone()),
            }
        }
    }
    let chunk_count = u32::try_from(chunks.len()).unwrap_or(u32::MAX);
    for (index, chunk) in chunks.iter_mut().enumerate() {
        chunk.generation = generation;
        chunk.chunk_index = u32::try_from(index).unwrap_or(u32::MAX);
        chunk.chunk_count = chunk_count;
    }
    Ok(chunks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{decode_frame, encode_frame, DeviceKind, Frame, MAX_FRAME_BYTES};

    fn device(id: &str) -> Device {
        Device {
            device_id: id.into(),
            kind: DeviceKind::Bras,
            profile: "mikrotik-pppoe-bras".into(),
            management_address: "10.0.0.1".into(),
        }
    }

    fn interfaces(device: &str, count: u32) -> impl Iterator<Item = Interface> + '_ {
        (1..=count).map(move |if_index| Interface {
            device_id: device.into(),
            if_index,
            if_name: format!("<pppoe-subscriber-{if_index:06}>"),
            speed_bps: None,
        })
    }

    fn joined(chunks: &[InventoryChunk]) -> Inventory {
        let mut inventory = Inventory::default();
        for chunk in chunks {
            inventory.devices.extend(chunk.devices.iter().cloned());
            inventory
                .interfaces
                .extend(chunk.interfaces.iter().cloned());
            inventory
                .subscriber_keys
                .extend(chunk.subscriber_keys.iter().cloned());
        }
        inventory
    }

    #[test]
    fn a_large_device_is_split_and_every_chunk_fits() {
        let inventory = Inventory {
            devices: vec![device("bras-1"), device("olt-1")],
            interfaces: interfaces("bras-1", 3_000)
                .chain(interfaces("olt-1", 10))
                .collect(),
            subscriber_keys: vec![SubscriberKey::PppoeUsername("alice".into())],
        };
        let max = 16 * 1024;
        let single = encode_frame(&Frame::Inventory(inventory.clone())).unwrap();
        assert!(
            single.len() > max,
            "the test needs an inventory over the limit"
        );
        let chunks = split_inventory(&inventory, 7, max).unwrap();
        assert!(chunks.len() > 2, "{} chunks", chunks.len());
        for (index, chunk) in chunks.iter().enumerate() {
            assert_eq!(chunk.generation, 7);
            assert_eq!(chunk.chunk_index as usize, index);
            assert_eq!(chunk.chunk_count as usize, chunks.len());
            let bytes = encode_frame(&Frame::InventoryChunk(chunk.clone())).unwrap();
            assert!(bytes.len() <= max, "chunk {index} is {} bytes", bytes.len());
            assert_eq!(
                decode_frame(&bytes),
                Ok(Frame::InventoryChunk(chunk.clone()))
            );
        }
        assert_eq!(joined(&chunks), inventory);
        // The small device starts a chunk of its own rather than being cut.
        let olt = chunks
            .iter()
            .find(|c| c.devices.iter().any(|d| d.device_id == "olt-1"))
            .unwrap();
        assert_eq!(
            olt.interfaces
                .iter()
                .filter(|i| i.device_id == "olt-1")
                .count(),
            10
        );
    }

    #[test]
    fn small_inventory_is_one_chunk_and_empty_is_one_empty_chunk() {
        let inventory = Inventory {
            devices: vec![device("a"), device("b")],
            interfaces: interfaces("a", 3).collect(),
            subscriber_keys: Vec::new(),
        };
        let chunks = split_inventory(&inventory, 1, MAX_FRAME_BYTES).unwrap();
        assert_eq!(chunks.len(), 1);
        assert_eq!(joined(&chunks), inventory);
        let empty = split_inventory(&Inventory::default(), 2, MAX_FRAME_BYTES).unwrap();
        assert_eq!(empty.len(), 1);
        assert_eq!(empty[0].chunk_count, 1);
    }

    #[test]
    fn an_entry_larger_than_a_frame_is_an_error() {
        let mut big = device("a");
        big.profile = "p".repeat(2_000);
        let inventory = Inventory {
            devices: vec![big],
            ..Inventory::default()
        };
        let err = split_inventory(&inventory, 1, 1_000).unwrap_err();
        assert_eq!(err.entry, "device");
        assert_eq!(err.max_frame_bytes, 1_000);
    }
}
