//! Conversions between async-snmp's wire types and netops's pure types.

use async_snmp::{ErrorKind, Value};

use super::{SnmpError, SnmpTarget};
use crate::counter::CounterValue;
use crate::profile::RawValue;
use crate::Oid;

pub(super) fn to_wire_oid(oid: &Oid) -> async_snmp::Oid {
    async_snmp::Oid::from_slice(oid.arcs())
}

pub(super) fn from_wire_oid(oid: &async_snmp::Oid) -> Oid {
    Oid::from_arcs(oid.arcs().to_vec())
}

/// A value for profile decoding; `None` for exceptions, NULL and types profiles never read.
pub fn raw_value(value: &Value) -> Option<RawValue> {
    match value {
        Value::Integer(v) => Some(RawValue::Integer(i64::from(*v))),
        Value::Counter32(v) | Value::Gauge32(v) | Value::UInteger32(v) | Value::TimeTicks(v) => {
            Some(RawValue::Integer(i64::from(*v)))
        }
        Value::Counter64(v) => i64::try_from(*v).ok().map(RawValue::Integer),
        Value::OctetString(bytes) | Value::Opaque(bytes) => Some(RawValue::Octets(bytes.to_vec())),
        _ => None,
    }
}

/// An octet counter, tagged with its width from the wire type.
pub(super) fn counter_value(value: &Value) -> Option<CounterValue> {
    match value {
        Value::Counter64(v) => Some(CounterValue::Bits64(*v)),
        Value::Counter32(v) => Some(CounterValue::Bits32(*v)),
        _ => None,
    }
}

/// TimeTicks (hundredths of a second).
pub(super) fn time_ticks(value: &Value) -> Option<u32> {
    match value {
        Value::TimeTicks(v) => Some(*v),
        _ => None,
    }
}

pub(super) fn text(value: &Value) -> Option<String> {
    value.as_bytes().map(|bytes| {
        String::from_utf8_lossy(bytes)
            .trim_end_matches('\0')
            .to_owned()
    })
}

pub(super) fn is_exception(value: &Value) -> bool {
    matches!(
        value,
        Value::NoSuchObject | Value::NoSuchInstance | Value::EndOfMibView
    )
}

pub(super) fn map_error(error: &async_snmp::Error, target: &SnmpTarget) -> SnmpError {
    let name = target.address.clone();
    let detail = error.to_string();
    match error.kind() {
        ErrorKind::Timeout => SnmpError::Timeout {
            target: name,
            timeout_ms: u64::try_from(target.timeout.as_millis()).unwrap_or(u64::MAX),
            retries: target.retries,
        },
        ErrorKind::Auth | ErrorKind::Report => SnmpError::AuthFailed {
            target: name,
            detail,
        },
        ErrorKind::Decode
        | ErrorKind::MalformedResponse
        | ErrorKind::ResponseShape
        | ErrorKind::WalkAborted => SnmpError::MalformedResponse {
            target: name,
            detail,
        },
        ErrorKind::Snmp => SnmpError::ErrorStatus {
            target: name,
            status: detail,
        },
        ErrorKind::Network | ErrorKind::Closed => SnmpError::Network {
            target: name,
            detail,
        },
        _ => SnmpError::Setup {
            target: name,
            detail,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(value: Value, expected: Option<RawValue>) {
        assert_eq!(raw_value(&value), expected, "{value:?}");
    }

    #[test]
    fn raw_values() {
        check(Value::Integer(-2319), Some(RawValue::Integer(-2319)));
        check(Value::Gauge32(7), Some(RawValue::Integer(7)));
        check(Value::Counter64(u64::MAX), None);
        check(bytes_of("ab"), Some(RawValue::Octets(b"ab".to_vec())));
        check(Value::NoSuchInstance, None);
        check(Value::Null, None);
    }

    #[test]
    fn counters() {
        assert_eq!(
            counter_value(&Value::Counter64(5)),
            Some(CounterValue::Bits64(5))
        );
        assert_eq!(
            counter_value(&Value::Counter32(5)),
            Some(CounterValue::Bits32(5))
        );
        assert_eq!(counter_value(&Value::Gauge32(5)), None);
    }

    fn bytes_of(text: &str) -> Value {
        Value::OctetString(text.as_bytes().to_vec().into())
    }
}
