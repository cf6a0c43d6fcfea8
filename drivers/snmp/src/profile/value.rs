//! Raw SNMP values as the poller hands them over, and the errors of reading them.

use thiserror::Error;

/// A value from an SNMP response, reduced to what profile decoding needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawValue {
    /// Integer32, Gauge32, Counter32/64, TimeTicks and friends.
    Integer(i64),
    /// OCTET STRING.
    Octets(Vec<u8>),
}

impl RawValue {
    pub fn text(text: &str) -> Self {
        Self::Octets(text.as_bytes().to_vec())
    }

    /// The octets as text, without the NUL padding some OLTs append.
    pub(crate) fn as_text(&self) -> Option<String> {
        match self {
            Self::Integer(_) => None,
            Self::Octets(octets) => Some(
                String::from_utf8_lossy(octets)
                    .trim_end_matches('\0')
                    .trim()
                    .to_owned(),
            ),
        }
    }
}

/// A value the profile cannot make sense of; the poller logs it and skips the reading.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("cannot read {raw:?} as {expected}")]
pub struct ValueError {
    pub raw: RawValue,
    pub expected: &'static str,
}
