//! Scaling rules that turn raw optics values into physical units, and "no value" sentinels.

use serde::Deserialize;

use super::value::{RawValue, ValueError};

/// How a raw reading becomes a value in the column's unit (dBm, °C, V, mA).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ScaleRule {
    /// `raw × factor + offset`. Huawei OLT-side Rx `(raw − 10000)/100` is factor 0.01, offset −100.
    Linear {
        factor: f64,
        #[serde(default)]
        offset: f64,
    },
    /// Like `linear`, but a raw value above `wrap_above` first has `wrap_by` subtracted: ZTE's
    /// `raw ≤ 30000 ? raw×0.002 − 30 : (raw − 65535)×0.002 − 30`.
    LinearWrapped {
        factor: f64,
        #[serde(default)]
        offset: f64,
        wrap_above: i64,
        wrap_by: i64,
    },
    /// A text such as `0.00 mW (-23.19 dBm)` (VSOL): the number in the parentheses.
    DbmInParentheses,
}

/// Readings are rounded to a thousandth of the unit, well below any OLT's resolution.
const RESOLUTION: f64 = 1000.0;

impl ScaleRule {
    pub fn apply(&self, raw: &RawValue) -> Result<f64, ValueError> {
        let value = match self {
            Self::Linear { factor, offset } => integer(raw)? as f64 * factor + offset,
            Self::LinearWrapped {
                factor,
                offset,
                wrap_above,
                wrap_by,
            } => {
                let raw = integer(raw)?;
                let unwrapped = if raw > *wrap_above {
                    raw - wrap_by
                } else {
                    raw
                };
                unwrapped as f64 * factor + offset
            }
            Self::DbmInParentheses => dbm_in_parentheses(raw)?,
        };
        Ok((value * RESOLUTION).round() / RESOLUTION)
    }
}

/// An integer, or a text holding one (some OLTs send numbers as strings).
fn integer(raw: &RawValue) -> Result<i64, ValueError> {
    let error = || ValueError {
        raw: raw.clone(),
        expected: "an integer",
    };
    match raw {
        RawValue::Integer(value) => Ok(*value),
        RawValue::Octets(_) => raw
            .as_text()
            .and_then(|text| text.parse().ok())
            .ok_or_else(error),
    }
}

fn dbm_in_parentheses(raw: &RawValue) -> Result<f64, ValueError> {
    let error = || ValueError {
        raw: raw.clone(),
        expected: "a level such as \"0.00 mW (-23.19 dBm)\"",
    };
    let text = raw.as_text().ok_or_else(error)?;
    let inner = text
        .split_once('(')
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(inner, _)| inner.trim())
        .ok_or_else(error)?;
    let number = inner
        .strip_suffix("dBm")
        .or_else(|| inner.strip_suffix("dbm"))
        .ok_or_else(error)?;
    number
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|value| value.is_finite())
        .ok_or_else(error)
}

/// A raw value an OLT reports instead of a reading, typically for an offline ONU.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum NoValueSentinel {
    Integer(i64),
    Text(String),
}

impl NoValueSentinel {
    pub fn matches(&self, raw: &RawValue) -> bool {
        match (self, raw) {
            (Self::Integer(sentinel), RawValue::Integer(value)) => sentinel == value,
            (Self::Text(sentinel), RawValue::Octets(_)) => {
                raw.as_text().as_deref() == Some(sentinel)
            }
            (Self::Integer(sentinel), RawValue::Octets(_)) => {
                raw.as_text().and_then(|text| text.parse::<i64>().ok()) == Some(*sentinel)
            }
            (Self::Text(_), RawValue::Integer(_)) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(rule: &ScaleRule, raw: RawValue, expected: Option<f64>) {
        assert_eq!(rule.apply(&raw).ok(), expected, "{rule:?} {raw:?}");
    }

    #[test]
    fn rules() {
        let centi = ScaleRule::Linear {
            factor: 0.01,
            offset: 0.0,
        };
        check(&centi, RawValue::Integer(-2319), Some(-23.19));
        check(&centi, RawValue::text(" -2319 "), Some(-23.19));
        check(&centi, RawValue::text("-23.19"), None);
        let zte = ScaleRule::LinearWrapped {
            factor: 0.002,
            offset: -30.0,
            wrap_above: 30000,
            wrap_by: 65535,
        };
        check(&zte, RawValue::Integer(0), Some(-30.0));
        check(&zte, RawValue::Integer(30001), Some(-101.068));
        let vsol = ScaleRule::DbmInParentheses;
        check(&vsol, RawValue::text("0.00 mW (-23.19 dBm)"), Some(-23.19));
        check(&vsol, RawValue::text("0.01 mW(-20 dBm)"), Some(-20.0));
        check(&vsol, RawValue::text("(inf dBm)"), None);
        check(&vsol, RawValue::text("-23.19 dBm"), None);
        check(&vsol, RawValue::text("(-23.19 mW)"), None);
        check(&vsol, RawValue::Integer(-23), None);
    }

    #[test]
    fn sentinels() {
        let integer = NoValueSentinel::Integer(65535);
        assert!(integer.matches(&RawValue::Integer(65535)));
        assert!(integer.matches(&RawValue::text("65535")));
        assert!(!integer.matches(&RawValue::Integer(65534)));
        let text = NoValueSentinel::Text("N/A".into());
        assert!(text.matches(&RawValue::text("N/A\0")));
        assert!(!text.matches(&RawValue::Integer(0)));
    }
}
