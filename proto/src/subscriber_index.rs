//! Subscribers numbered per connection (protocol version 2): the `SubscriberKeys` frame, the
//! agent's `SubscriberNumbering` that turns a `Samples` batch into `IndexedSamples`, and the
//! control plane's `SubscriberTable` that checks the numbers it is given and is used.
//!
//! Numbers belong to one connection: a new connection starts again at 0, so spooled batches
//! (kept with their keys) are numbered again when they are replayed.

use std::collections::HashMap;
use std::ops::Range;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::{IndexedSampleEntry, IndexedSamples, SampleEntry, Samples, SubscriberKey};

/// The most subscribers one connection may number; far above what one site polls.
pub const MAX_SUBSCRIBERS_PER_CONNECTION: u32 = 1 << 20;

/// Gives `keys` the numbers `first_index`, `first_index + 1`, … on this connection.
///
/// Numbers are given in order, each once, and hold until the connection ends; an
/// `IndexedSamples` frame may only use numbers given before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriberKeys {
    pub first_index: u32,
    pub keys: Vec<SubscriberKey>,
}

/// What the sender writes for one batch: the keys new on this connection (sent first), and the
/// batch by number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberedBatch {
    pub new_keys: Option<SubscriberKeys>,
    pub samples: IndexedSamples,
}

/// The sending side's numbers for one connection.
#[derive(Debug, Default)]
pub struct SubscriberNumbering {
    numbers: HashMap<SubscriberKey, u32>,
}

impl SubscriberNumbering {
    pub fn new() -> Self {
        Self::default()
    }

    /// Subscribers numbered so far.
    pub fn len(&self) -> usize {
        self.numbers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.numbers.is_empty()
    }

    /// Numbers a batch's subscribers, giving new keys the next numbers. `None` when the
    /// connection's numbers would run out; the batch is then sent as `Samples`, unchanged.
    pub fn number(&mut self, batch: &Samples) -> Option<NumberedBatch> {
        let first_index = u32::try_from(self.numbers.len()).ok()?;
        let mut new_keys = Vec::new();
        let mut entries = Vec::with_capacity(batch.entries.len());
        for entry in &batch.entries {
            let subscriber_index = match self.numbers.get(&entry.subscriber_key) {
                Some(index) => *index,
                None => {
                    let added = u32::try_from(new_keys.len()).unwrap_or(u32::MAX);
                    let index = first_index.saturating_add(added);
                    if index >= MAX_SUBSCRIBERS_PER_CONNECTION {
                        self.forget(&new_keys);
                        return None;
                    }
                    self.numbers.insert(entry.subscriber_key.clone(), index);
                    new_keys.push(entry.subscriber_key.clone());
                    index
                }
            };
            entries.push(IndexedSampleEntry {
                subscriber_index,
                rx_bps: entry.rx_bps,
                tx_bps: entry.tx_bps,
                rx_octets_total: entry.rx_octets_total,
                tx_octets_total: entry.tx_octets_total,
            });
        }
        Some(NumberedBatch {
            new_keys: (!new_keys.is_empty()).then_some(SubscriberKeys {
                first_index,
                keys: new_keys,
            }),
            samples: IndexedSamples {
                batch_seq: batch.batch_seq,
                timestamp_ms: batch.timestamp_ms,
                entries,
            },
        })
    }

    /// Takes back the numbers the latest `number` call gave, when its frames could not be
    /// sent: the next batch gives them again.
    pub fn take_back(&mut self, new_keys: &SubscriberKeys) {
        for key in &new_keys.keys {
            if self
                .numbers
                .get(key)
                .is_some_and(|i| *i >= new_keys.first_index)
            {
                self.numbers.remove(key);
            }
        }
    }

    /// Takes back the numbers given while numbering a batch that did not fit.
    fn forget(&mut self, new_keys: &[SubscriberKey]) {
        for key in new_keys {
            self.numbers.remove(key);
        }
    }
}

/// Why a peer's numbering is refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SubscriberTableError {
    #[error(
        "SubscriberKeys must continue the numbering at {expected}, not start at {first_index}"
    )]
    OutOfOrder { expected: u32, first_index: u32 },
    #[error("a connection numbers at most {max} subscribers")]
    Full { max: u32 },
    #[error(
        "IndexedSamples names subscriber {index}, but only {numbered} are numbered on this connection"
    )]
    UnknownIndex { index: u32, numbered: u32 },
}

/// The receiving side's numbers for one connection.
#[derive(Debug, Default)]
pub struct SubscriberTable {
    keys: Vec<SubscriberKey>,
}

impl SubscriberTable {
    pub fn new() -> Self {
        Self::default()
    }

    /// Subscribers numbered so far.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Takes a `SubscriberKeys` frame; returns the numbers it gave.
    pub fn add(&mut self, frame: SubscriberKeys) -> Result<Range<u32>, SubscriberTableError> {
        let expected = self.numbered();
        if frame.first_index != expected {
            return Err(SubscriberTableError::OutOfOrder {
                expected,
                first_index: frame.first_index,
            });
        }
        let end = u32::try_from(frame.keys.len())
            .ok()
            .and_then(|added| expected.checked_add(added))
            .filter(|end| *end <= MAX_SUBSCRIBERS_PER_CONNECTION)
            .ok_or(SubscriberTableError::Full {
                max: MAX_SUBSCRIBERS_PER_CONNECTION,
            })?;
        self.keys.extend(frame.keys);
        Ok(expected..end)
    }

    /// The key numbered `index`.
    pub fn key(&self, index: u32) -> Option<&SubscriberKey> {
        self.keys.get(usize::try_from(index).ok()?)
    }

    /// Checks that every entry of a batch names a numbered subscriber.
    pub fn check(&self, batch: &IndexedSamples) -> Result<(), SubscriberTableError> {
        let numbered = self.numbered();
        match batch.entries.iter().map(|e| e.subscriber_index).max() {
            Some(index) if index >= numbered => {
                Err(SubscriberTableError::UnknownIndex { index, numbered })
            }
            _ => Ok(()),
        }
    }

    /// The batch with keys in place of numbers.
    pub fn expand(&self, batch: &IndexedSamples) -> Result<Samples, SubscriberTableError> {
        self.check(batch)?;
        let entries = batch
            .entries
            .iter()
            .filter_map(|entry| {
                Some(SampleEntry {
                    subscriber_key: self.key(entry.subscriber_index)?.clone(),
                    rx_bps: entry.rx_bps,
                    tx_bps: entry.tx_bps,
                    rx_octets_total: entry.rx_octets_total,
                    tx_octets_total: entry.tx_octets_total,
                })
            })
            .collect();
        Ok(Samples {
            batch_seq: batch.batch_seq,
            timestamp_ms: batch.timestamp_ms,
            entries,
        })
    }

    fn numbered(&self) -> u32 {
        // The table never holds more than MAX_SUBSCRIBERS_PER_CONNECTION keys.
        u32::try_from(self.keys.len()).unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pppoe(name: &str) -> SubscriberKey {
        SubscriberKey::PppoeUsername(name.into())
    }

    fn batch(batch_seq: u64, names: &[&str]) -> Samples {
        Samples {
            batch_seq,
            timestamp_ms: batch_seq * 1_000,
            entries: names
                .iter()
                .enumerate()
                .map(|(i, name)| SampleEntry {
                    subscriber_key: pppoe(name),
                    rx_bps: i as u64,
                    tx_bps: 0,
                    rx_octets_total: 0,
                    tx_octets_total: 0,
                })
                .collect(),
        }
    }

    fn indices(numbered: &NumberedBatch) -> Vec<u32> {
        numbered
            .samples
            .entries
            .iter()
            .map(|e| e.subscriber_index)
            .collect()
    }

    #[test]
    fn new_keys_get_the_next_numbers_once() {
        let mut numbering = SubscriberNumbering::new();
        let first = numbering.number(&batch(1, &["a", "b"])).unwrap();
        assert_eq!(
            first.new_keys,
            Some(SubscriberKeys {
                first_index: 0,
                keys: vec![pppoe("a"), pppoe("b")],
            })
        );
        assert_eq!(indices(&first), [0, 1]);
        let second = numbering.number(&batch(2, &["b", "c", "a", "c"])).unwrap();
        assert_eq!(
            second.new_keys,
            Some(SubscriberKeys {
                first_index: 2,
                keys: vec![pppoe("c")],
            })
        );
        assert_eq!(indices(&second), [1, 2, 0, 2]);
        let third = numbering.number(&batch(3, &["a"])).unwrap();
        assert_eq!(third.new_keys, None);
        assert_eq!(numbering.len(), 3);

        // Numbers whose frame was never sent are given again.
        let unsent = numbering.number(&batch(4, &["d", "a", "e"])).unwrap();
        numbering.take_back(unsent.new_keys.as_ref().unwrap());
        let again = numbering.number(&batch(5, &["e", "a"])).unwrap();
        assert_eq!(
            again.new_keys,
            Some(SubscriberKeys {
                first_index: 3,
                keys: vec![pppoe("e")],
            })
        );
        assert_eq!(indices(&again), [3, 0]);
    }

    #[test]
    fn the_table_refuses_gaps_overflow_and_unknown_numbers() {
        let mut table = SubscriberTable::new();
        let keys = |first_index, names: &[&str]| SubscriberKeys {
            first_index,
            keys: names.iter().map(|n| pppoe(n)).collect(),
        };
        assert_eq!(table.add(keys(0, &["a", "b"])), Ok(0..2));
        assert_eq!(
            table.add(keys(3, &["c"])),
            Err(SubscriberTableError::OutOfOrder {
                expected: 2,
                first_index: 3
            })
        );
        assert_eq!(table.add(keys(2, &[])), Ok(2..2));
        let mut numbering = SubscriberNumbering::new();
        let numbered = numbering.number(&batch(1, &["a", "b", "c"])).unwrap();
        assert_eq!(
            table.check(&numbered.samples),
            Err(SubscriberTableError::UnknownIndex {
                index: 2,
                numbered: 2
            })
        );
        assert_eq!(table.key(1), Some(&pppoe("b")));
        assert_eq!(table.key(2), None);

        let mut full = SubscriberTable::new();
        let many = SubscriberKeys {
            first_index: 0,
            keys: vec![pppoe("x"); MAX_SUBSCRIBERS_PER_CONNECTION as usize + 1],
        };
        assert_eq!(
            full.add(many),
            Err(SubscriberTableError::Full {
                max: MAX_SUBSCRIBERS_PER_CONNECTION
            })
        );
        assert!(full.is_empty());
    }
}
