//! Putting an agent's `InventoryChunk` frames back together, per connection and bounded: at most
//! `[inventory] max_chunks` chunks and `max_assembly_bytes` bytes of frames are held, and a set
//! becomes an `Inventory` only once every chunk arrived. Pure.

use proto::{Inventory, InventoryChunk};

use super::limits::InventoryLimits;

/// Why a chunk was refused; the connection is closed and nothing of the set is stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChunkError {
    #[error("InventoryChunk set of {count} chunks; at most {max} are accepted")]
    TooManyChunks { count: u32, max: usize },
    #[error("InventoryChunk set holds more than {max} bytes before it is complete")]
    TooManyBytes { max: usize },
    #[error("InventoryChunk set lists more than {max} {what}; at most {max} are accepted")]
    TooManyEntries { what: &'static str, max: usize },
    #[error("InventoryChunk of generation {generation} is older than generation {current}")]
    OlderGeneration { generation: u64, current: u64 },
    #[error("InventoryChunk set of generation {generation} was announced with {announced} chunks, this chunk says {count}")]
    CountChanged {
        generation: u64,
        announced: u32,
        count: u32,
    },
    #[error("InventoryChunk {index} of generation {generation} arrived twice")]
    Repeated { generation: u64, index: u32 },
}

impl ChunkError {
    /// The `reason` label of the rejection metrics.
    pub fn metric_reason(&self) -> &'static str {
        match self {
            Self::TooManyChunks { .. }
            | Self::TooManyBytes { .. }
            | Self::TooManyEntries { .. } => "inventory_too_large",
            _ => "inventory_invalid",
        }
    }

    /// Whether the refusal is about size (WebSocket close code 1009) rather than order.
    pub fn is_size(&self) -> bool {
        self.metric_reason() == "inventory_too_large"
    }
}

/// The set being received.
#[derive(Debug)]
struct Pending {
    generation: u64,
    received: Vec<bool>,
    missing: usize,
    bytes: usize,
    inventory: Inventory,
}

/// One connection's chunks in progress, and the newest generation it saw.
#[derive(Debug, Default)]
pub struct ChunkAssembly {
    pending: Option<Pending>,
    /// The newest generation started on this connection; older ones are refused.
    newest: Option<u64>,
}

impl ChunkAssembly {
    /// A whole `Inventory` arrived: it supersedes an incomplete set.
    pub fn discard(&mut self) {
        self.pending = None;
    }

    /// Whether a set is waiting for chunks.
    pub fn is_pending(&self) -> bool {
        self.pending.is_some()
    }

    /// Adds a chunk that arrived in a frame of `frame_bytes` bytes. Returns the whole inventory
    /// when this chunk completes its set. A chunk of a newer generation drops an incomplete set;
    /// on an error the set is dropped too.
    pub fn add(
        &mut self,
        chunk: InventoryChunk,
        frame_bytes: usize,
        limits: &InventoryLimits,
    ) -> Result<Option<Inventory>, ChunkError> {
        let result = self.add_checked(chunk, frame_bytes, limits);
        if result.is_err() {
            self.pending = None;
        }
        result
    }

    fn add_checked(
        &mut self,
        chunk: InventoryChunk,
        frame_bytes: usize,
        limits: &InventoryLimits,
    ) -> Result<Option<Inventory>, ChunkError> {
        let generation = chunk.generation;
        if let Some(current) = self.newest.filter(|current| generation < *current) {
            return Err(ChunkError::OlderGeneration {
                generation,
                current,
            });
        }
        let count = chunk.chunk_count;
        if usize::try_from(count).map_or(true, |count| count > limits.max_chunks) {
            return Err(ChunkError::TooManyChunks {
                count,
                max: limits.max_chunks,
            });
        }
        let continues = self
            .pending
            .as_ref()
            .is_some_and(|p| p.generation == generation);
        if !continues {
            if self.newest == Some(generation) {
                // The set of this generation was completed (or refused) already.
                return Err(ChunkError::Repeated {
                    generation,
                    index: chunk.chunk_index,
                });
            }
            let count_usize = usize::try_from(count).unwrap_or(usize::MAX);
            self.newest = Some(generation);
            self.pending = Some(Pending {
                generation,
                received: vec![false; count_usize],
                missing: count_usize,
                bytes: 0,
                inventory: Inventory::default(),
            });
        }
        let pending = self.pending.as_mut().expect("a set is pending here");
        let announced = u32::try_from(pending.received.len()).unwrap_or(u32::MAX);
        if announced != count {
            return Err(ChunkError::CountChanged {
                generation,
                announced,
                count,
            });
        }
        let index = chunk.chunk_index;
        let slot = usize::try_from(index)
            .ok()
            .and_then(|i| pending.received.get_mut(i));
        match slot {
            Some(seen) if !*seen => *seen = true,
            // The decoder guarantees index < count; anything else is a repeat.
            _ => return Err(ChunkError::Repeated { generation, index }),
        }
        pending.bytes = pending.bytes.saturating_add(frame_bytes);
        if pending.bytes > limits.max_assembly_bytes {
            return Err(ChunkError::TooManyBytes {
                max: limits.max_assembly_bytes,
            });
        }
        let inventory = &mut pending.inventory;
        if inventory.devices.len() + chunk.devices.len() > limits.max_devices {
            return Err(ChunkError::TooManyEntries {
                what: "devices",
                max: limits.max_devices,
            });
        }
        if inventory.interfaces.len() + chunk.interfaces.len() > limits.max_interfaces {
            return Err(ChunkError::TooManyEntries {
                what: "interfaces",
                max: limits.max_interfaces,
            });
        }
        inventory.devices.extend(chunk.devices);
        inventory.interfaces.extend(chunk.interfaces);
        inventory.subscriber_keys.extend(chunk.subscriber_keys);
        pending.missing -= 1;
        if pending.missing > 0 {
            return Ok(None);
        }
        Ok(self.pending.take().map(|p| p.inventory))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proto::{Device, DeviceKind, Interface};

    const LIMITS: InventoryLimits = InventoryLimits {
        max_devices: 3,
        max_interfaces: 10,
        max_chunks: 4,
        max_assembly_bytes: 1_000,
    };

    fn chunk(generation: u64, chunk_index: u32, chunk_count: u32, if_index: u32) -> InventoryChunk {
        InventoryChunk {
            generation,
            chunk_index,
            chunk_count,
            devices: if chunk_index == 0 {
                vec![Device {
                    device_id: "bras-1".into(),
                    kind: DeviceKind::Bras,
                    profile: "p".into(),
                    management_address: "127.0.0.1".into(),
                }]
            } else {
                Vec::new()
            },
            interfaces: vec![Interface {
                device_id: "bras-1".into(),
                if_index,
                if_name: format!("<pppoe-u{if_index}>"),
                speed_bps: None,
            }],
            subscriber_keys: Vec::new(),
        }
    }

    #[test]
    fn a_set_is_whole_only_when_every_chunk_arrived() {
        let mut assembly = ChunkAssembly::default();
        assert_eq!(assembly.add(chunk(1, 1, 3, 2), 100, &LIMITS), Ok(None));
        assert_eq!(assembly.add(chunk(1, 0, 3, 1), 100, &LIMITS), Ok(None));
        assert!(assembly.is_pending());
        let whole = assembly.add(chunk(1, 2, 3, 3), 100, &LIMITS).unwrap();
        let whole = whole.expect("complete");
        assert_eq!(whole.devices.len(), 1);
        let indexes: Vec<u32> = whole.interfaces.iter().map(|i| i.if_index).collect();
        assert_eq!(indexes, [2, 1, 3]);
        assert!(!assembly.is_pending());
        assert_eq!(
            assembly.add(chunk(1, 0, 3, 1), 100, &LIMITS),
            Err(ChunkError::Repeated {
                generation: 1,
                index: 0
            })
        );
    }

    #[test]
    fn a_newer_generation_supersedes_an_incomplete_set() {
        let mut assembly = ChunkAssembly::default();
        assert_eq!(assembly.add(chunk(4, 0, 2, 1), 100, &LIMITS), Ok(None));
        assert_eq!(assembly.add(chunk(5, 0, 2, 7), 100, &LIMITS), Ok(None));
        let whole = assembly
            .add(chunk(5, 1, 2, 8), 100, &LIMITS)
            .unwrap()
            .unwrap();
        let indexes: Vec<u32> = whole.interfaces.iter().map(|i| i.if_index).collect();
        assert_eq!(indexes, [7, 8]);
        assert_eq!(
            assembly.add(chunk(4, 1, 2, 2), 100, &LIMITS),
            Err(ChunkError::OlderGeneration {
                generation: 4,
                current: 5
            })
        );
    }

    #[test]
    fn limits_and_order_are_enforced() {
        let refused = |chunks: Vec<(InventoryChunk, usize)>, expected: ChunkError| {
            let mut assembly = ChunkAssembly::default();
            let mut last = Ok(None);
            for (chunk, bytes) in chunks {
                last = assembly.add(chunk, bytes, &LIMITS);
                if last.is_err() {
                    break;
                }
            }
            assert_eq!(last, Err(expected.clone()));
            assert!(!assembly.is_pending(), "nothing held after {expected}");
        };
        refused(
            vec![(chunk(1, 0, 5, 1), 10)],
            ChunkError::TooManyChunks { count: 5, max: 4 },
        );
        refused(
            vec![(chunk(1, 0, 3, 1), 600), (chunk(1, 1, 3, 2), 600)],
            ChunkError::TooManyBytes { max: 1_000 },
        );
        refused(
            vec![(chunk(1, 0, 3, 1), 10), (chunk(1, 0, 3, 1), 10)],
            ChunkError::Repeated {
                generation: 1,
                index: 0,
            },
        );
        refused(
            vec![(chunk(1, 0, 3, 1), 10), (chunk(1, 1, 2, 2), 10)],
            ChunkError::CountChanged {
                generation: 1,
                announced: 3,
                count: 2,
            },
        );
        let mut wide = chunk(1, 1, 2, 1);
        wide.interfaces = (1..=11)
            .map(|if_index| Interface {
                device_id: "bras-1".into(),
                if_index,
                if_name: "x".into(),
                speed_bps: None,
            })
            .collect();
        refused(
            vec![(wide, 10)],
            ChunkError::TooManyEntries {
                what: "interfaces",
                max: 10,
            },
        );
        assert!(ChunkError::TooManyBytes { max: 1 }.is_size());
        assert!(!ChunkError::Repeated {
            generation: 1,
            index: 0
        }
        .is_size());
    }
}
