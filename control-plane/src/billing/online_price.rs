//! What the subscriber portal charges online, priced on the server and never taken from the
//! browser: the rest of one bill, or months of service at the subscriber's monthly charge taxed
//! as bills are.

use super::amounts::BillAmounts;

/// Most months one recharge buys (the subscriber API's limit too).
pub const MAX_RECHARGE_MONTHS: i64 = 24;

/// What a bill still owes: its total less what was paid, never negative.
pub fn bill_rest_minor(total_minor: i64, paid_minor: i64) -> i64 {
    total_minor.saturating_sub(paid_minor).max(0)
}

/// The price of `months` months at `monthly_minor` a month, with tax at `tax_basis_points`
/// on the whole; `None` when the months are out of 1 to 24, there is no monthly charge, or
/// the price does not fit.
pub fn recharge_price_minor(monthly_minor: i64, months: i64, tax_basis_points: u32) -> Option<i64> {
    if !(1..=MAX_RECHARGE_MONTHS).contains(&months) || monthly_minor <= 0 {
        return None;
    }
    let amount_minor = monthly_minor.checked_mul(months)?;
    let total = BillAmounts::compute(amount_minor, 0, tax_basis_points).total_minor;
    (total < i64::MAX).then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn check(monthly: i64, months: i64, bps: u32, expected: Option<i64>) {
        assert_eq!(
            recharge_price_minor(monthly, months, bps),
            expected,
            "{months} x {monthly} at {bps} bp"
        );
    }

    #[test]
    fn recharge_prices() {
        check(100_000, 1, 0, Some(100_000));
        check(100_000, 3, 0, Some(300_000));
        check(100_000, 3, 500, Some(315_000));
        // 7.5 % of 3 x 0.07 = 0.01575, rounded half up to 0.02.
        check(7, 3, 750, Some(23));
        check(100_000, 0, 0, None);
        check(100_000, 25, 0, None);
        check(100_000, -1, 0, None);
        check(0, 1, 0, None);
        check(-5, 1, 0, None);
        check(i64::MAX / 2, 3, 0, None);
    }

    #[test]
    fn bill_rests() {
        assert_eq!(bill_rest_minor(50_000, 0), 50_000);
        assert_eq!(bill_rest_minor(50_000, 20_000), 30_000);
        assert_eq!(bill_rest_minor(50_000, 50_000), 0);
        assert_eq!(bill_rest_minor(50_000, 60_000), 0);
        assert_eq!(bill_rest_minor(i64::MIN, 1), 0);
    }

    proptest! {
        #[test]
        fn untaxed_recharge_is_months_times_the_monthly_charge(
            monthly in 1i64..1_000_000_000,
            months in 1i64..=MAX_RECHARGE_MONTHS,
        ) {
            prop_assert_eq!(recharge_price_minor(monthly, months, 0), Some(monthly * months));
        }

        #[test]
        fn more_months_never_cost_less_and_tax_never_lowers_the_price(
            monthly in 1i64..1_000_000_000,
            months in 1i64..MAX_RECHARGE_MONTHS,
            bps in 0u32..5_000,
        ) {
            let price = recharge_price_minor(monthly, months, bps).unwrap();
            let longer = recharge_price_minor(monthly, months + 1, bps).unwrap();
            prop_assert!(longer > price);
            prop_assert!(price >= monthly * months);
        }

        #[test]
        fn a_bill_rest_plus_what_was_paid_is_the_total_while_it_owes(
            total in 0i64..1_000_000_000,
            paid in 0i64..1_000_000_000,
        ) {
            let rest = bill_rest_minor(total, paid);
            prop_assert!(rest >= 0);
            if paid <= total {
                prop_assert_eq!(rest + paid, total);
            } else {
                prop_assert_eq!(rest, 0);
            }
        }
    }
}
