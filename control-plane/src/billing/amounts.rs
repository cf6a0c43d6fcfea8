//! A bill's amounts: the charge, a discount, tax at a rate in basis points, and the total;
//! and its due date.

use time::{Date, Duration};

/// The money lines of one bill, in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BillAmounts {
    pub amount_minor: i64,
    pub discount_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
}

impl BillAmounts {
    /// `amount` less `discount` (at most the amount, never negative), plus tax on what remains
    /// at `tax_basis_points` (1 % = 100), rounded half up to the minor unit.
    pub fn compute(amount_minor: i64, discount_minor: i64, tax_basis_points: u32) -> Self {
        let amount_minor = amount_minor.max(0);
        let discount_minor = discount_minor.clamp(0, amount_minor);
        let taxable = i128::from(amount_minor - discount_minor);
        let tax = (taxable * i128::from(tax_basis_points) + 5_000) / 10_000;
        let tax_minor = i64::try_from(tax).unwrap_or(i64::MAX);
        Self {
            amount_minor,
            discount_minor,
            tax_minor,
            total_minor: (amount_minor - discount_minor).saturating_add(tax_minor),
        }
    }
}

/// The day a bill issued on `bill_date` must be paid by.
pub fn due_date(bill_date: Date, due_days: u32) -> Date {
    bill_date + Duration::days(i64::from(due_days))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn check(amount: i64, discount: i64, bps: u32, expected: (i64, i64, i64)) {
        let a = BillAmounts::compute(amount, discount, bps);
        assert_eq!(
            (a.discount_minor, a.tax_minor, a.total_minor),
            expected,
            "{amount} - {discount} at {bps} bp"
        );
    }

    #[test]
    fn totals() {
        check(100_000, 0, 0, (0, 0, 100_000));
        check(100_000, 10_000, 0, (10_000, 0, 90_000));
        check(100_000, 0, 500, (0, 5_000, 105_000));
        // 15 % of 333.33 is 49.9995, rounded half up to 50.00.
        check(33_333, 0, 1_500, (0, 5_000, 38_333));
        // 15 % of 333.32 is 49.998, rounded to 50.00; 7.5 % of 0.07 is 0.00525, rounded to 0.01.
        check(33_332, 0, 1_500, (0, 5_000, 38_332));
        check(7, 0, 750, (0, 1, 8));
        check(1_000, 5_000, 1_000, (1_000, 0, 0));
        check(1_000, -5, 0, (0, 0, 1_000));
    }

    #[test]
    fn due_dates() {
        assert_eq!(due_date(date!(2026 - 01 - 01), 9), date!(2026 - 01 - 10));
        assert_eq!(due_date(date!(2026 - 01 - 25), 10), date!(2026 - 02 - 04));
    }

    proptest! {
        #[test]
        fn total_is_amount_less_discount_plus_tax(
            amount in 0i64..10_000_000_000,
            discount in 0i64..10_000_000_000,
            bps in 0u32..5_000,
        ) {
            let a = BillAmounts::compute(amount, discount, bps);
            prop_assert_eq!(a.total_minor, a.amount_minor - a.discount_minor + a.tax_minor);
            prop_assert!(a.total_minor >= 0);
            prop_assert!(a.discount_minor <= a.amount_minor);
            // The tax is within half a minor unit of the exact rate.
            let exact_times_2 = 2 * i128::from(a.amount_minor - a.discount_minor) * i128::from(bps);
            let rounded_times_2 = 2 * 10_000 * i128::from(a.tax_minor);
            prop_assert!((exact_times_2 - rounded_times_2).abs() <= 10_000);
        }
    }
}
