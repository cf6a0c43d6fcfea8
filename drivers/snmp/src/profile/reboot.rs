//! The SNMP SET that reboots one ONU.

use super::index::{IndexError, IndexLayout, IndexPart, OnuIndex};
use crate::Oid;

/// Where a SET varbind's integer comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RebootValue {
    Integer(i64),
    /// The ONU's own index part, e.g. VSOL's PON and ONU numbers.
    FromIndex(IndexPart),
}

/// One varbind of the reboot request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RebootVarbind {
    pub oid: Oid,
    /// Appended to `oid` for table cells; `None` for scalar OIDs.
    pub index: Option<IndexLayout>,
    pub value: RebootValue,
}

/// Every varbind goes in a single SET request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnuReboot {
    pub varbinds: Vec<RebootVarbind>,
}

impl OnuReboot {
    /// The `(OID, INTEGER)` pairs to SET, together, to reboot `onu`.
    pub fn set_request(&self, onu: &OnuIndex) -> Result<Vec<(Oid, i64)>, IndexError> {
        self.varbinds
            .iter()
            .map(|varbind| {
                let oid = match &varbind.index {
                    Some(layout) => varbind.oid.with_suffix(&layout.encode(onu)?),
                    None => varbind.oid.clone(),
                };
                let value = match varbind.value {
                    RebootValue::Integer(value) => value,
                    RebootValue::FromIndex(part) => onu
                        .part(part)
                        .map(i64::from)
                        .ok_or(IndexError::MissingPart { onu: *onu, part })?,
                };
                Ok((oid, value))
            })
            .collect()
    }
}
