//! ONU table indexes: decoding an OID suffix into an ONU, and a PON ifIndex into frame/slot/port.

use std::fmt;

use thiserror::Error;

/// One sub-identifier of a table row's index, as named in a profile's `index` list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexPart {
    /// The PON as the OLT indexes it: a PON ifIndex (Huawei, ZTE) or a PON number (VSOL).
    PonIndex,
    /// The ONU's number on its PON.
    OnuId,
    /// OLTs where each ONU is its own interface (BDCOM) index it by that ifIndex.
    OnuIfIndex,
    /// A constant sub-identifier the table carries, e.g. ZTE's trailing `.1`.
    Fixed(u32),
}

impl fmt::Display for IndexPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PonIndex => f.write_str("pon_index"),
            Self::OnuId => f.write_str("onu_id"),
            Self::OnuIfIndex => f.write_str("onu_if_index"),
            Self::Fixed(value) => write!(f, "{value}"),
        }
    }
}

/// Which ONU a table row describes, in the OLT's own numbering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OnuIndex {
    OnPon { pon_index: u32, onu_id: u32 },
    Interface { onu_if_index: u32 },
}

impl OnuIndex {
    /// The value a named index part takes for this ONU.
    pub fn part(&self, part: IndexPart) -> Option<u32> {
        match (part, *self) {
            (IndexPart::PonIndex, Self::OnPon { pon_index, .. }) => Some(pon_index),
            (IndexPart::OnuId, Self::OnPon { onu_id, .. }) => Some(onu_id),
            (IndexPart::OnuIfIndex, Self::Interface { onu_if_index }) => Some(onu_if_index),
            (IndexPart::Fixed(value), _) => Some(value),
            _ => None,
        }
    }
}

/// A PON port in the OLT's frame/slot/port numbering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PonPort {
    pub frame: u32,
    pub slot: u32,
    pub port: u32,
}

impl fmt::Display for PonPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.frame, self.slot, self.port)
    }
}

/// Why an index could not be decoded or encoded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IndexError {
    #[error("index {suffix:?} does not have the {expected} sub-identifiers the profile describes")]
    WrongLength { suffix: Vec<u32>, expected: usize },
    #[error("index {suffix:?} has {found} where the profile expects the constant {expected}")]
    FixedMismatch {
        suffix: Vec<u32>,
        expected: u32,
        found: u32,
    },
    #[error("ONU {onu:?} has no value for index part {part}")]
    MissingPart { onu: OnuIndex, part: IndexPart },
    #[error("{pon_index:#010x} is not a PON ifIndex of this OLT's layout")]
    NotAPonIndex { pon_index: u32 },
    #[error("{field} {value} does not fit the PON ifIndex layout")]
    FieldTooLarge { field: &'static str, value: u32 },
}

/// The sub-identifiers that follow a column OID, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexLayout {
    parts: Vec<IndexPart>,
}

impl IndexLayout {
    /// Callers validate the parts (see the profile validation); any list is accepted here.
    pub fn new(parts: Vec<IndexPart>) -> Self {
        Self { parts }
    }

    pub fn parts(&self) -> &[IndexPart] {
        &self.parts
    }

    pub fn decode(&self, suffix: &[u32]) -> Result<OnuIndex, IndexError> {
        if suffix.len() != self.parts.len() {
            return Err(IndexError::WrongLength {
                suffix: suffix.to_vec(),
                expected: self.parts.len(),
            });
        }
        let (mut pon_index, mut onu_id, mut onu_if_index) = (None, None, None);
        for (part, &value) in self.parts.iter().zip(suffix) {
            match *part {
                IndexPart::PonIndex => pon_index = Some(value),
                IndexPart::OnuId => onu_id = Some(value),
                IndexPart::OnuIfIndex => onu_if_index = Some(value),
                IndexPart::Fixed(expected) if expected != value => {
                    return Err(IndexError::FixedMismatch {
                        suffix: suffix.to_vec(),
                        expected,
                        found: value,
                    })
                }
                IndexPart::Fixed(_) => {}
            }
        }
        match (pon_index, onu_id, onu_if_index) {
            (Some(pon_index), Some(onu_id), _) => Ok(OnuIndex::OnPon { pon_index, onu_id }),
            (_, _, Some(onu_if_index)) => Ok(OnuIndex::Interface { onu_if_index }),
            _ => Err(IndexError::WrongLength {
                suffix: suffix.to_vec(),
                expected: self.parts.len(),
            }),
        }
    }

    pub fn encode(&self, onu: &OnuIndex) -> Result<Vec<u32>, IndexError> {
        self.parts
            .iter()
            .map(|&part| {
                onu.part(part)
                    .ok_or(IndexError::MissingPart { onu: *onu, part })
            })
            .collect()
    }
}

/// A run of bits inside a PON ifIndex.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BitField {
    pub shift: u32,
    pub bits: u32,
}

impl BitField {
    /// The field's bits in place; empty when the field does not fit in 32 bits.
    pub fn mask(self) -> u32 {
        let width_mask = match 1u32.checked_shl(self.bits) {
            Some(limit) => limit - 1,
            None => u32::MAX,
        };
        width_mask.checked_shl(self.shift).unwrap_or(0)
    }

    fn read(self, value: u32) -> u32 {
        (value & self.mask()) >> self.shift
    }

    fn write(self, field: &'static str, value: u32) -> Result<u32, IndexError> {
        let placed = value.checked_shl(self.shift).unwrap_or(0);
        if placed >> self.shift != value || placed & !self.mask() != 0 {
            return Err(IndexError::FieldTooLarge { field, value });
        }
        Ok(placed)
    }
}

/// How frame, slot and port are packed into a PON ifIndex: `base | frame | slot | port`, each a
/// bit field. Huawei's `0xFA000000 + slot×8192 + port×256` is `slot` at bit 13 and `port` at
/// bit 8; a missing field reads as 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PonLayout {
    pub base: u32,
    pub frame: Option<BitField>,
    pub slot: Option<BitField>,
    pub port: BitField,
}

impl PonLayout {
    fn fields(&self) -> impl Iterator<Item = BitField> + '_ {
        [self.frame, self.slot, Some(self.port)]
            .into_iter()
            .flatten()
    }

    /// Every bit that belongs to frame, slot or port.
    pub fn field_mask(&self) -> u32 {
        self.fields().fold(0, |mask, field| mask | field.mask())
    }

    pub fn decode(&self, pon_index: u32) -> Result<PonPort, IndexError> {
        if pon_index & !self.field_mask() != self.base {
            return Err(IndexError::NotAPonIndex { pon_index });
        }
        let read = |field: Option<BitField>| field.map_or(0, |field| field.read(pon_index));
        Ok(PonPort {
            frame: read(self.frame),
            slot: read(self.slot),
            port: self.port.read(pon_index),
        })
    }

    pub fn encode(&self, pon: PonPort) -> Result<u32, IndexError> {
        let mut index = self.base;
        for (name, field, value) in [
            ("frame", self.frame, pon.frame),
            ("slot", self.slot, pon.slot),
            ("port", Some(self.port), pon.port),
        ] {
            match field {
                Some(field) => index |= field.write(name, value)?,
                None if value != 0 => return Err(IndexError::FieldTooLarge { field: name, value }),
                None => {}
            }
        }
        Ok(index)
    }
}
