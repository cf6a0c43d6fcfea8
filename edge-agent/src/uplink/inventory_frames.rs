//! The frames that carry the agent's inventory on one connection: one `Inventory` when it fits,
//! otherwise `InventoryChunk`s when the control plane speaks protocol version 3. Pure.

use proto::{
    encode_frame, split_inventory, EncodeError, Frame, FrameTag, Inventory, SplitError,
    MAX_FRAME_BYTES,
};
use thiserror::Error;

/// Why the inventory cannot go out on this connection.
#[derive(Debug, Error)]
pub(crate) enum InventoryFramesError {
    #[error(
        "the inventory ({devices} devices, {interfaces} interfaces) does not fit in one \
         {max_frame_bytes} byte frame and the control plane speaks protocol version {version}, \
         which cannot take it in chunks (version {chunked_since} can); the control plane keeps \
         its older inventory of this agent until it is upgraded"
    )]
    TooLargeForVersion {
        devices: usize,
        interfaces: usize,
        max_frame_bytes: usize,
        version: u16,
        chunked_since: u16,
    },
    #[error("cannot encode the inventory")]
    Encode(#[source] EncodeError),
    #[error("cannot split the inventory into chunks")]
    Split(#[source] SplitError),
}

/// Encodes `inventory` for a connection that negotiated `accepted_version`; `generation`
/// numbers this inventory among the agent's inventories (larger is newer).
pub(crate) fn inventory_frames(
    inventory: &Inventory,
    generation: u64,
    accepted_version: u16,
) -> Result<Vec<Vec<u8>>, InventoryFramesError> {
    match encode_frame(&Frame::Inventory(inventory.clone())) {
        Ok(bytes) => return Ok(vec![bytes]),
        Err(EncodeError::TooLarge { .. }) => {}
        Err(other) => return Err(InventoryFramesError::Encode(other)),
    }
    let chunked_since = FrameTag::InventoryChunk.since_version();
    if accepted_version < chunked_since {
        return Err(InventoryFramesError::TooLargeForVersion {
            devices: inventory.devices.len(),
            interfaces: inventory.interfaces.len(),
            max_frame_bytes: MAX_FRAME_BYTES,
            version: accepted_version,
            chunked_since,
        });
    }
    split_inventory(inventory, generation, MAX_FRAME_BYTES)
        .map_err(InventoryFramesError::Split)?
        .into_iter()
        .map(|chunk| encode_frame(&Frame::InventoryChunk(chunk)))
        .collect::<Result<_, _>>()
        .map_err(InventoryFramesError::Encode)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proto::{decode_frame, Device, DeviceKind, Interface};

    /// A BRAS with `sessions` PPPoE interfaces and a small switch.
    fn large_bras(sessions: u32) -> Inventory {
        let device = |id: &str, kind| Device {
            device_id: id.into(),
            kind,
            profile: "mikrotik-pppoe-bras".into(),
            management_address: "127.0.0.1".into(),
        };
        let interface = |device: &str, if_index: u32, if_name: String| Interface {
            device_id: device.into(),
            if_index,
            if_name,
            speed_bps: Some(1_000_000_000),
        };
        Inventory {
            devices: vec![
                device("bras-core-1", DeviceKind::Bras),
                device("sw-1", DeviceKind::Switch),
            ],
            interfaces: (1..=sessions)
                .map(|i| interface("bras-core-1", i, format!("<pppoe-subscriber-{i:06}>")))
                .chain((1..=24).map(|i| interface("sw-1", i, format!("ether{i}"))))
                .collect(),
            subscriber_keys: Vec::new(),
        }
    }

    #[test]
    fn an_inventory_over_the_frame_limit_is_split_into_frames_that_fit() {
        let inventory = large_bras(90_000);
        let frames = inventory_frames(&inventory, 3, 3).expect("splits");
        assert!(frames.len() >= 2, "{} frames", frames.len());
        let mut joined = Inventory::default();
        let total: usize = frames.iter().map(Vec::len).sum();
        assert!(total > MAX_FRAME_BYTES, "the inventory is {total} bytes");
        for (index, bytes) in frames.iter().enumerate() {
            assert!(
                bytes.len() <= MAX_FRAME_BYTES,
                "frame {index}: {}",
                bytes.len()
            );
            let Ok(Frame::InventoryChunk(chunk)) = decode_frame(bytes) else {
                panic!("frame {index} is not an InventoryChunk");
            };
            assert_eq!((chunk.generation, chunk.chunk_index as usize), (3, index));
            assert_eq!(chunk.chunk_count as usize, frames.len());
            joined.devices.extend(chunk.devices);
            joined.interfaces.extend(chunk.interfaces);
        }
        assert_eq!(joined, inventory);
    }

    #[test]
    fn an_inventory_that_fits_is_one_frame_whatever_the_version() {
        let inventory = large_bras(100);
        for version in [1, 2, 3] {
            let frames = inventory_frames(&inventory, 1, version).expect("fits");
            assert_eq!(frames.len(), 1);
            assert_eq!(
                decode_frame(&frames[0]),
                Ok(Frame::Inventory(inventory.clone()))
            );
        }
    }

    #[test]
    fn a_version_2_control_plane_gets_a_clear_refusal() {
        let err = inventory_frames(&large_bras(90_000), 1, 2).unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("90024 interfaces") && message.contains("protocol version 2"),
            "{message}"
        );
    }
}
