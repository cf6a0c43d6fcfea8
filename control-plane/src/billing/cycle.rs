//! Billing cycles: monthly on a billing day, or prepaid by the package's validity days, and the
//! period of a cycle that contains a given day.

use time::{Date, Duration, Month};

/// Latest billing day of a monthly cycle: every month has it.
pub const MAX_BILLING_DAY: u8 = 28;

/// How a customer is billed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BillingCycle {
    /// One bill per calendar month, issued on `billing_day` (1 to 28).
    Monthly { billing_day: u8 },
    /// One bill per `validity_days`, counted from the customer's start date.
    Prepaid { validity_days: u32 },
}

/// Why a cycle cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CycleError {
    #[error("billing_day must be from 1 to {MAX_BILLING_DAY}")]
    BillingDay,
    #[error("validity_days must be at least 1")]
    ValidityDays,
}

/// One billing period: the first and the last day it covers, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BillingPeriod {
    pub start: Date,
    pub end: Date,
}

impl BillingPeriod {
    /// `YYYY-MM` of the first day, the seed's `billing_month`.
    pub fn billing_month(&self) -> String {
        format!("{}-{:02}", self.start.year(), self.start.month() as u8)
    }

    /// Number of days covered.
    pub fn days(&self) -> i64 {
        (self.end - self.start).whole_days() + 1
    }

    pub fn contains(&self, day: Date) -> bool {
        self.start <= day && day <= self.end
    }
}

impl BillingCycle {
    pub fn monthly(billing_day: i64) -> Result<Self, CycleError> {
        u8::try_from(billing_day)
            .ok()
            .filter(|d| (1..=MAX_BILLING_DAY).contains(d))
            .map(|billing_day| Self::Monthly { billing_day })
            .ok_or(CycleError::BillingDay)
    }

    pub fn prepaid(validity_days: i64) -> Result<Self, CycleError> {
        u32::try_from(validity_days)
            .ok()
            .filter(|d| *d >= 1)
            .map(|validity_days| Self::Prepaid { validity_days })
            .ok_or(CycleError::ValidityDays)
    }

    /// The period containing `today`. A prepaid cycle counts from `anchor` (the customer's
    /// start date) and has no period before it.
    pub fn period_containing(&self, today: Date, anchor: Date) -> Option<BillingPeriod> {
        match *self {
            Self::Monthly { billing_day } => {
                let this_month = with_day(today.year(), today.month(), billing_day);
                let start = if today.day() >= billing_day {
                    this_month
                } else {
                    add_months(this_month, -1)
                };
                let end = add_months(start, 1) - Duration::DAY;
                Some(BillingPeriod { start, end })
            }
            Self::Prepaid { validity_days } => {
                if today < anchor {
                    return None;
                }
                let length = i64::from(validity_days);
                let index = (today - anchor).whole_days() / length;
                let start = anchor + Duration::days(index * length);
                let end = start + Duration::days(length - 1);
                Some(BillingPeriod { start, end })
            }
        }
    }
}

fn with_day(year: i32, month: Month, day: u8) -> Date {
    let last = month.length(year);
    Date::from_calendar_date(year, month, day.min(last)).unwrap_or(Date::MIN)
}

/// `date` moved by whole calendar months; the day is clamped to the target month's length
/// (31 January plus one month is 28 or 29 February).
pub fn add_months(date: Date, months: i32) -> Date {
    let index = date.year() * 12 + i32::from(date.month() as u8) - 1 + months;
    let year = index.div_euclid(12);
    let month = Month::try_from(u8::try_from(index.rem_euclid(12) + 1).unwrap_or(1))
        .unwrap_or(Month::January);
    with_day(year, month, date.day())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn check(cycle: BillingCycle, today: Date, expected: Option<(Date, Date)>) {
        let anchor = date!(2025 - 11 - 20);
        let period = cycle
            .period_containing(today, anchor)
            .map(|p| (p.start, p.end));
        assert_eq!(period, expected, "{cycle:?} on {today}");
    }

    #[test]
    fn monthly_periods_start_on_the_billing_day() {
        let first = BillingCycle::monthly(1).unwrap();
        check(
            first,
            date!(2026 - 02 - 15),
            Some((date!(2026 - 02 - 01), date!(2026 - 02 - 28))),
        );
        check(
            first,
            date!(2026 - 01 - 01),
            Some((date!(2026 - 01 - 01), date!(2026 - 01 - 31))),
        );
        let tenth = BillingCycle::monthly(10).unwrap();
        check(
            tenth,
            date!(2026 - 01 - 09),
            Some((date!(2025 - 12 - 10), date!(2026 - 01 - 09))),
        );
        check(
            tenth,
            date!(2026 - 01 - 10),
            Some((date!(2026 - 01 - 10), date!(2026 - 02 - 09))),
        );
    }

    #[test]
    fn prepaid_periods_count_from_the_anchor() {
        let thirty = BillingCycle::prepaid(30).unwrap();
        check(thirty, date!(2025 - 11 - 19), None);
        check(
            thirty,
            date!(2025 - 11 - 20),
            Some((date!(2025 - 11 - 20), date!(2025 - 12 - 19))),
        );
        check(
            thirty,
            date!(2025 - 12 - 20),
            Some((date!(2025 - 12 - 20), date!(2026 - 01 - 18))),
        );
    }

    #[test]
    fn bad_cycles_are_refused() {
        assert_eq!(BillingCycle::monthly(0), Err(CycleError::BillingDay));
        assert_eq!(BillingCycle::monthly(29), Err(CycleError::BillingDay));
        assert_eq!(BillingCycle::prepaid(0), Err(CycleError::ValidityDays));
    }

    #[test]
    fn months_clamp_to_the_month_length() {
        assert_eq!(add_months(date!(2026 - 01 - 31), 1), date!(2026 - 02 - 28));
        assert_eq!(add_months(date!(2028 - 01 - 31), 1), date!(2028 - 02 - 29));
        assert_eq!(add_months(date!(2026 - 01 - 15), -1), date!(2025 - 12 - 15));
        assert_eq!(add_months(date!(2026 - 11 - 30), 3), date!(2027 - 02 - 28));
    }

    proptest! {
        #[test]
        fn periods_contain_the_day_and_follow_each_other(
            day_offset in 0i64..3_000,
            billing_day in 1i64..=28,
            validity in 1i64..=400,
        ) {
            let anchor = date!(2024 - 01 - 01);
            let today = anchor + Duration::days(day_offset);
            for cycle in [BillingCycle::monthly(billing_day).unwrap(), BillingCycle::prepaid(validity).unwrap()] {
                let period = cycle.period_containing(today, anchor).unwrap();
                prop_assert!(period.contains(today));
                let next = cycle.period_containing(period.end + Duration::DAY, anchor).unwrap();
                prop_assert_eq!(next.start, period.end + Duration::DAY);
            }
        }
    }
}
