//! Proration of a package change in the middle of a billing period: the unused part of the old
//! price is credited and the rest of the period is charged at the new price ("now"), or the new
//! price starts with the next period ("next cycle"). Parts always add up to the whole price.

use time::Date;

use super::cycle::BillingPeriod;

/// When a package change takes effect (seed 002: "immediately, or on the next billing cycle").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeTiming {
    Now,
    NextCycle,
}

/// A price split at a day of its period: what the days before cost and what the rest cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriceSplit {
    pub used_minor: i64,
    pub remaining_minor: i64,
}

/// Splits `price_minor` after `used_days` of `period_days`. The used part is rounded down and
/// the remaining part is the difference, so the two always make the whole price.
pub fn split_price(price_minor: i64, used_days: i64, period_days: i64) -> PriceSplit {
    let period_days = period_days.max(1);
    let used_days = used_days.clamp(0, period_days);
    let used = i128::from(price_minor) * i128::from(used_days) / i128::from(period_days);
    let used_minor = i64::try_from(used).unwrap_or(price_minor);
    PriceSplit {
        used_minor,
        remaining_minor: price_minor - used_minor,
    }
}

/// What a package change on `change_day` means for the current period's bill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProratedChange {
    /// The old price for the days before the change.
    pub old_used_minor: i64,
    /// Credit for the old package's unused days.
    pub old_unused_credit_minor: i64,
    /// The new package's price for the rest of the period.
    pub new_remaining_charge_minor: i64,
    /// Charge minus credit: what the customer owes more (negative: is owed).
    pub net_minor: i64,
}

/// The adjustment of a change from `old_price_minor` to `new_price_minor` on `change_day`
/// (the new package applies from that day on). A change for the next cycle adjusts nothing.
pub fn prorate_change(
    old_price_minor: i64,
    new_price_minor: i64,
    period: BillingPeriod,
    change_day: Date,
    timing: ChangeTiming,
) -> ProratedChange {
    let used_days = match timing {
        ChangeTiming::Now => (change_day - period.start).whole_days(),
        ChangeTiming::NextCycle => period.days(),
    };
    let old = split_price(old_price_minor, used_days, period.days());
    let new = split_price(new_price_minor, used_days, period.days());
    ProratedChange {
        old_used_minor: old.used_minor,
        old_unused_credit_minor: old.remaining_minor,
        new_remaining_charge_minor: new.remaining_minor,
        net_minor: new.remaining_minor - old.remaining_minor,
    }
}

/// Splits `total_minor` into `parts` shares that differ by at most one minor unit and add up
/// to the total (the first shares take the leftover units).
pub fn split_evenly(total_minor: i64, parts: usize) -> Vec<i64> {
    let Ok(count) = i64::try_from(parts) else {
        return Vec::new();
    };
    if count == 0 {
        return Vec::new();
    }
    let base = total_minor.div_euclid(count);
    let extra = total_minor.rem_euclid(count);
    (0..count).map(|i| base + i64::from(i < extra)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn january() -> BillingPeriod {
        BillingPeriod {
            start: date!(2026 - 01 - 01),
            end: date!(2026 - 01 - 31),
        }
    }

    #[test]
    fn upgrade_on_the_sixteenth_charges_the_difference_for_sixteen_days() {
        // 15 of 31 days used: old 1000.00 → used 483.87, unused 516.13; new 1500.00 → rest
        // 774.20; net 258.07.
        let change = prorate_change(
            100_000,
            150_000,
            january(),
            date!(2026 - 01 - 16),
            ChangeTiming::Now,
        );
        assert_eq!(
            change,
            ProratedChange {
                old_used_minor: 48_387,
                old_unused_credit_minor: 51_613,
                new_remaining_charge_minor: 77_420,
                net_minor: 25_807,
            }
        );
    }

    #[test]
    fn next_cycle_changes_adjust_nothing() {
        let change = prorate_change(
            100_000,
            50_000,
            january(),
            date!(2026 - 01 - 16),
            ChangeTiming::NextCycle,
        );
        assert_eq!(change.net_minor, 0);
        assert_eq!(change.old_used_minor, 100_000);
    }

    #[test]
    fn a_change_on_the_first_day_swaps_the_whole_price() {
        let change = prorate_change(
            100_000,
            70_000,
            january(),
            date!(2026 - 01 - 01),
            ChangeTiming::Now,
        );
        assert_eq!(change.old_unused_credit_minor, 100_000);
        assert_eq!(change.net_minor, -30_000);
    }

    #[test]
    fn even_splits() {
        assert_eq!(split_evenly(100, 3), [34, 33, 33]);
        assert_eq!(split_evenly(0, 2), [0, 0]);
        assert!(split_evenly(5, 0).is_empty());
    }

    proptest! {
        #[test]
        fn splits_add_up_to_the_price(
            price in 0i64..10_000_000_000,
            used in -5i64..40,
            days in 1i64..=31,
        ) {
            let split = split_price(price, used, days);
            prop_assert_eq!(split.used_minor + split.remaining_minor, price);
            prop_assert!(split.used_minor >= 0 && split.remaining_minor >= 0);
        }

        #[test]
        fn daily_splits_have_no_rounding_drift(
            price in 0i64..10_000_000_000,
            days in 1i64..=31,
        ) {
            // Charging day by day the difference of the cumulative splits gives the whole price.
            let mut charged = 0;
            for day in 1..=days {
                let before = split_price(price, day - 1, days).used_minor;
                let after = split_price(price, day, days).used_minor;
                prop_assert!(after >= before);
                charged += after - before;
            }
            prop_assert_eq!(charged, price);
        }

        #[test]
        fn prorated_parts_make_both_prices(
            old in 0i64..1_000_000_000,
            new in 0i64..1_000_000_000,
            offset in 0i64..31,
        ) {
            let period = january();
            let day = period.start + time::Duration::days(offset);
            let change = prorate_change(old, new, period, day, ChangeTiming::Now);
            prop_assert_eq!(change.old_used_minor + change.old_unused_credit_minor, old);
            prop_assert_eq!(
                change.net_minor,
                change.new_remaining_charge_minor - change.old_unused_credit_minor
            );
            let new_used = split_price(new, offset, period.days()).used_minor;
            prop_assert_eq!(new_used + change.new_remaining_charge_minor, new);
        }

        #[test]
        fn the_period_costs_the_old_days_plus_the_new_days(
            old in 0i64..1_000_000_000,
            new in 0i64..1_000_000_000,
            offset in 0i64..31,
        ) {
            // The period's bill plus the adjustment is exactly the old package's used days and
            // the new package's remaining days, in minor units, with nothing lost or gained.
            let period = january();
            let day = period.start + time::Duration::days(offset);
            let change = prorate_change(old, new, period, day, ChangeTiming::Now);
            prop_assert_eq!(
                old + change.net_minor,
                change.old_used_minor + change.new_remaining_charge_minor
            );
            prop_assert!(change.old_unused_credit_minor >= 0);
            prop_assert!(change.old_unused_credit_minor <= old);
            prop_assert!(change.new_remaining_charge_minor <= new);
            // Changing back on the same day nets to nothing.
            let back = prorate_change(new, old, period, day, ChangeTiming::Now);
            prop_assert_eq!(change.net_minor + back.net_minor, 0);
        }

        #[test]
        fn even_splits_add_up(total in -1_000_000i64..1_000_000_000, parts in 1usize..50) {
            let shares = split_evenly(total, parts);
            prop_assert_eq!(shares.len(), parts);
            prop_assert_eq!(shares.iter().sum::<i64>(), total);
            let max = shares.iter().max().unwrap();
            let min = shares.iter().min().unwrap();
            prop_assert!(max - min <= 1);
        }
    }
}
