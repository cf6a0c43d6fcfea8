//! ONU table columns: where each reading lives and how to decode it.

use std::collections::BTreeMap;

use super::index::{IndexError, IndexLayout, OnuIndex};
use super::scale::{NoValueSentinel, ScaleRule};
use super::status::{OnuStatus, TextFormat};
use super::value::{RawValue, ValueError};
use crate::Oid;

/// A column's OID and how the rest of a returned OID names the ONU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnOid {
    pub oid: Oid,
    pub index: IndexLayout,
}

impl ColumnOid {
    /// The ONU a returned OID belongs to; `None` when the OID is outside this column.
    pub fn onu_of(&self, returned: &Oid) -> Option<Result<OnuIndex, IndexError>> {
        returned
            .suffix_after(&self.oid)
            .map(|suffix| self.index.decode(suffix))
    }

    /// The cell of this column for one ONU, for a GET.
    pub fn cell_for(&self, onu: &OnuIndex) -> Result<Oid, IndexError> {
        Ok(self.oid.with_suffix(&self.index.encode(onu)?))
    }
}

/// A numeric optics reading (power, temperature, voltage, bias).
#[derive(Debug, Clone, PartialEq)]
pub struct LevelColumn {
    pub column: ColumnOid,
    pub scale: ScaleRule,
    pub no_value: Vec<NoValueSentinel>,
}

impl LevelColumn {
    /// The reading in the column's unit, or `None` when the OLT reports "no value".
    pub fn read(&self, raw: &RawValue) -> Result<Option<f64>, ValueError> {
        if self.no_value.iter().any(|sentinel| sentinel.matches(raw)) {
            return Ok(None);
        }
        self.scale.apply(raw).map(Some)
    }
}

/// A status column with the vendor's value-to-status map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusColumn {
    pub column: ColumnOid,
    pub values: BTreeMap<i64, OnuStatus>,
}

impl StatusColumn {
    pub fn read(&self, raw: &RawValue) -> OnuStatus {
        match raw {
            RawValue::Integer(value) => self.values.get(value).copied(),
            RawValue::Octets(_) => raw
                .as_text()
                .and_then(|text| text.parse::<i64>().ok())
                .and_then(|value| self.values.get(&value).copied()),
        }
        .unwrap_or(OnuStatus::Unknown)
    }
}

/// A text column such as the serial number or description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextColumn {
    pub column: ColumnOid,
    pub format: TextFormat,
}

impl TextColumn {
    pub fn read(&self, raw: &RawValue) -> String {
        self.format.render(raw)
    }
}
