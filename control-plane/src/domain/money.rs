//! Money as integer minor units (paisa, cents); JSON shows whole currency units as in the seed.

use std::fmt;

/// An amount of money in minor units (1/100 of the currency unit). Never floating point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(i64);

/// Why a JSON amount was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("amount must be a number")]
    NotANumber,
    #[error("amount has more than two decimal places")]
    TooPrecise,
    #[error("amount is too large")]
    TooLarge,
    #[error("amount must not be negative")]
    Negative,
}

const MINOR_PER_UNIT: i64 = 100;
/// Largest accepted amount: one trillion currency units. Keeps every amount exact in JSON.
const MAX_MINOR: i64 = 100_000_000_000_000;

impl Money {
    pub const ZERO: Money = Money(0);

    pub fn from_minor(minor: i64) -> Self {
        Money(minor)
    }

    pub fn from_units(units: i64) -> Option<Self> {
        units.checked_mul(MINOR_PER_UNIT).map(Money)
    }

    pub fn minor(self) -> i64 {
        self.0
    }

    /// Parses a JSON number such as `1000` or `999.50` exactly, without going through a float
    /// sum. Refuses more than two decimals and negative amounts.
    pub fn from_json(value: &serde_json::Value) -> Result<Self, MoneyError> {
        match value {
            serde_json::Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
                (Some(units), _, _) => i64::try_from(units)
                    .ok()
                    .and_then(Money::from_units)
                    .filter(|m| m.0 <= MAX_MINOR)
                    .ok_or(MoneyError::TooLarge),
                (None, Some(_), _) => Err(MoneyError::Negative),
                // Rust prints floats without an exponent, so `1e3` reads as `1000`.
                (None, None, Some(float)) if float.is_finite() => {
                    Self::parse_decimal(&format!("{float}"))
                }
                _ => Err(MoneyError::NotANumber),
            },
            _ => Err(MoneyError::NotANumber),
        }
    }

    /// Parses a plain decimal string ("1000", "12.5", "0.07", "1e3" is refused).
    pub fn parse_decimal(text: &str) -> Result<Self, MoneyError> {
        let text = text.trim();
        if text.starts_with('-') {
            return Err(MoneyError::Negative);
        }
        let (whole, frac) = match text.split_once('.') {
            Some((w, f)) => (w, f),
            None => (text, ""),
        };
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MoneyError::NotANumber);
        }
        if !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MoneyError::NotANumber);
        }
        let frac = frac.trim_end_matches('0');
        if frac.len() > 2 {
            return Err(MoneyError::TooPrecise);
        }
        let units: i64 = whole.parse().map_err(|_| MoneyError::TooLarge)?;
        let mut cents: i64 = if frac.is_empty() {
            0
        } else {
            frac.parse().map_err(|_| MoneyError::NotANumber)?
        };
        if frac.len() == 1 {
            cents *= 10;
        }
        units
            .checked_mul(MINOR_PER_UNIT)
            .and_then(|m| m.checked_add(cents))
            .filter(|m| *m <= MAX_MINOR)
            .map(Money)
            .ok_or(MoneyError::TooLarge)
    }

    /// The JSON form: an integer when the amount is whole (`1000`), otherwise a decimal
    /// number with at most two places (`999.5`).
    pub fn to_json(self) -> serde_json::Value {
        if self.0 % MINOR_PER_UNIT == 0 {
            serde_json::Value::from(self.0 / MINOR_PER_UNIT)
        } else {
            // The shortest decimal that round-trips is printed, so 99950 shows as 999.5.
            let text = self.to_string();
            text.parse::<serde_json::Number>()
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null)
        }
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.0.checked_sub(other.0).map(Money)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let units = abs / MINOR_PER_UNIT as u64;
        let cents = abs % MINOR_PER_UNIT as u64;
        if cents == 0 {
            write!(f, "{sign}{units}")
        } else if cents.is_multiple_of(10) {
            write!(f, "{sign}{units}.{}", cents / 10)
        } else {
            write!(f, "{sign}{units}.{cents:02}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn check(input: &str, expected: Result<i64, MoneyError>) {
        let value: serde_json::Value = serde_json::from_str(input).unwrap();
        assert_eq!(
            Money::from_json(&value).map(Money::minor),
            expected,
            "input {input}"
        );
    }

    #[test]
    fn parses_seed_amounts() {
        check("1000", Ok(100_000));
        check("0", Ok(0));
        check("999.5", Ok(99_950));
        check("999.50", Ok(99_950));
        check("0.07", Ok(7));
        check("12.345", Err(MoneyError::TooPrecise));
        check("-5", Err(MoneyError::Negative));
        check("\"1000\"", Err(MoneyError::NotANumber));
        check("1e3", Ok(100_000));
        check("1.5e-1", Ok(15));
        check("null", Err(MoneyError::NotANumber));
        check("99999999999999999999", Err(MoneyError::TooLarge));
        check("1000000000001", Err(MoneyError::TooLarge));
    }

    #[test]
    fn prints_whole_units_as_integers() {
        assert_eq!(Money::from_minor(100_000).to_json().to_string(), "1000");
        assert_eq!(Money::from_minor(99_950).to_json().to_string(), "999.5");
        assert_eq!(Money::from_minor(7).to_json().to_string(), "0.07");
    }

    proptest! {
        #[test]
        fn json_round_trip_is_exact(minor in 0i64..=MAX_MINOR) {
            let money = Money::from_minor(minor);
            let text = money.to_json().to_string();
            let back: serde_json::Value = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(Money::from_json(&back), Ok(money));
        }

        #[test]
        fn display_round_trip_is_exact(minor in 0i64..=MAX_MINOR) {
            let money = Money::from_minor(minor);
            prop_assert_eq!(Money::parse_decimal(&money.to_string()), Ok(money));
        }
    }
}
