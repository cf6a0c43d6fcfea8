//! `Oid`: an SNMP object identifier as a list of sub-identifiers.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

/// An object identifier such as `1.3.6.1.2.1.1.3.0`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Oid(Vec<u32>);

/// The text is not a dotted numeric OID.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{text:?} is not an OID; write dotted numbers such as 1.3.6.1.2.1.1.3.0")]
pub struct OidParseError {
    pub text: String,
}

impl Oid {
    pub fn from_arcs(arcs: impl Into<Vec<u32>>) -> Self {
        Self(arcs.into())
    }

    pub fn arcs(&self) -> &[u32] {
        &self.0
    }

    pub fn starts_with(&self, prefix: &Oid) -> bool {
        self.0.starts_with(&prefix.0)
    }

    /// The sub-identifiers after `prefix`, e.g. a table row's index after its column OID.
    pub fn suffix_after(&self, prefix: &Oid) -> Option<&[u32]> {
        self.0.strip_prefix(prefix.0.as_slice())
    }

    /// This OID with `suffix` appended, e.g. a column OID plus a row index.
    pub fn with_suffix(&self, suffix: &[u32]) -> Oid {
        let mut arcs = self.0.clone();
        arcs.extend_from_slice(suffix);
        Oid(arcs)
    }
}

/// Scalars every SNMP agent answers (SNMPv2-MIB).
pub mod well_known {
    use super::Oid;

    /// sysDescr.0: free text naming the model and firmware.
    pub fn sys_descr() -> Oid {
        Oid::from_arcs([1, 3, 6, 1, 2, 1, 1, 1, 0])
    }

    /// sysObjectID.0: the vendor's identifier for the model.
    pub fn sys_object_id() -> Oid {
        Oid::from_arcs([1, 3, 6, 1, 2, 1, 1, 2, 0])
    }

    /// sysUpTime.0 in hundredths of a second; polled with every counter request.
    pub fn sys_uptime() -> Oid {
        Oid::from_arcs([1, 3, 6, 1, 2, 1, 1, 3, 0])
    }
}

impl FromStr for Oid {
    type Err = OidParseError;

    /// Accepts an optional leading dot, as net-snmp prints OIDs.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = || OidParseError {
            text: text.to_owned(),
        };
        let digits = text.trim().strip_prefix('.').unwrap_or(text.trim());
        let arcs = digits
            .split('.')
            .map(|arc| {
                if arc.is_empty() || !arc.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(error());
                }
                arc.parse::<u32>().map_err(|_| error())
            })
            .collect::<Result<Vec<u32>, _>>()?;
        if arcs.len() < 2 || arcs[0] > 2 {
            return Err(error());
        }
        Ok(Oid(arcs))
    }
}

impl fmt::Display for Oid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, arc) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            write!(f, "{arc}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: Option<&str>) {
        let parsed = text.parse::<Oid>().map(|oid| oid.to_string());
        match expected {
            Some(display) => assert_eq!(parsed.as_deref(), Ok(display), "{text}"),
            None => assert!(parsed.is_err(), "{text} parsed as {parsed:?}"),
        }
    }

    #[test]
    fn parsing() {
        check("1.3.6.1.2.1.1.3.0", Some("1.3.6.1.2.1.1.3.0"));
        check(".1.3.6.1.4.1.14988", Some("1.3.6.1.4.1.14988"));
        check("1.3.6.1.4.1.4294967295", Some("1.3.6.1.4.1.4294967295"));
        check("1.3.6.1.4.1.4294967296", None);
        check("1.3..6", None);
        check("1.3.6.", None);
        check("1.3.x", None);
        check("1", None);
        check("3.1", None);
        check("", None);
        check("+1.3", None);
    }

    #[test]
    fn suffixes() {
        let column: Oid = "1.3.6.1.2.1.31.1.1.1.1".parse().unwrap();
        let cell = column.with_suffix(&[4_194_304_000, 7]);
        assert_eq!(cell.suffix_after(&column), Some(&[4_194_304_000, 7][..]));
        assert!(cell.starts_with(&column));
        assert_eq!(column.suffix_after(&cell), None);
    }
}
