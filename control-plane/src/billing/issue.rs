//! Which bill a customer gets today, if any: the period of their cycle that contains today,
//! unless it is billed already; a first period joined in the middle is prorated.

use time::Date;

use super::amounts::{due_date, BillAmounts};
use super::cycle::BillingCycle;
use super::proration::split_price;
use crate::domain::time::{date_text, parse_date, parse_timestamp};
use crate::store::billing::{BillToIssue, BillableCustomer};

/// Why a customer cannot be billed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("prepaid customer without a package, so no validity days")]
    NoValidity,
    #[error(transparent)]
    Cycle(#[from] super::cycle::CycleError),
    #[error("billing cycle '{0}' is unknown")]
    UnknownCycle(String),
}

/// The tax and due-date policy bills are issued with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BillPolicy {
    pub due_days: u32,
    pub tax_basis_points: u32,
}

/// The customer's cycle and the day it counts from.
pub fn cycle_of(c: &BillableCustomer) -> Result<(BillingCycle, Date), PlanError> {
    let cycle = match c.billing_cycle.as_str() {
        "monthly" => BillingCycle::monthly(c.billing_day)?,
        "prepaid" => BillingCycle::prepaid(c.validity_days.ok_or(PlanError::NoValidity)?)?,
        other => return Err(PlanError::UnknownCycle(other.to_owned())),
    };
    let anchor = c
        .connection_date
        .as_deref()
        .and_then(parse_date)
        .or_else(|| parse_timestamp(&c.created_at).map(|t| t.date()))
        .unwrap_or(Date::MIN);
    Ok((cycle, anchor))
}

/// The bill to issue on `today`, or `None` when the current period is billed already (or the
/// customer's cycle has not started).
pub fn bill_for(
    c: &BillableCustomer,
    today: Date,
    policy: BillPolicy,
) -> Result<Option<BillToIssue>, PlanError> {
    let (cycle, anchor) = cycle_of(c)?;
    let Some(period) = cycle.period_containing(today, anchor) else {
        return Ok(None);
    };
    let period_start = date_text(period.start);
    if c.last_period_start
        .as_deref()
        .is_some_and(|last| last >= period_start.as_str())
    {
        return Ok(None);
    }
    let (amount_minor, notes) = if anchor > period.start && period.contains(anchor) {
        let used_days = (anchor - period.start).whole_days();
        let split = split_price(c.monthly_bill_minor, used_days, period.days());
        (
            split.remaining_minor,
            Some(format!(
                "prorated from {} ({} of {} days)",
                date_text(anchor),
                period.days() - used_days,
                period.days()
            )),
        )
    } else {
        (c.monthly_bill_minor, None)
    };
    let amounts = BillAmounts::compute(amount_minor, 0, policy.tax_basis_points);
    Ok(Some(BillToIssue {
        customer_id: c.id.clone(),
        year: today.year(),
        billing_month: period.billing_month(),
        period_start,
        period_end: date_text(period.end),
        amount_minor: amounts.amount_minor,
        discount_minor: amounts.discount_minor,
        tax_minor: amounts.tax_minor,
        total_minor: amounts.total_minor,
        bill_date: date_text(today),
        due_date: date_text(due_date(today, policy.due_days)),
        notes,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const POLICY: BillPolicy = BillPolicy {
        due_days: 9,
        tax_basis_points: 0,
    };

    fn customer(cycle: &str, connected: &str, last: Option<&str>) -> BillableCustomer {
        BillableCustomer {
            id: "c1".to_owned(),
            billing_cycle: cycle.to_owned(),
            billing_day: 1,
            monthly_bill_minor: 100_000,
            connection_date: Some(connected.to_owned()),
            created_at: "2025-01-01T00:00:00.000Z".to_owned(),
            validity_days: Some(30),
            last_period_start: last.map(str::to_owned),
        }
    }

    #[test]
    fn monthly_bill_on_the_billing_day() {
        let c = customer("monthly", "2025-06-10", Some("2026-01-01"));
        let bill = bill_for(&c, date!(2026 - 02 - 01), POLICY)
            .unwrap()
            .unwrap();
        assert_eq!(bill.billing_month, "2026-02");
        assert_eq!(bill.period_start, "2026-02-01");
        assert_eq!(bill.period_end, "2026-02-28");
        assert_eq!(bill.bill_date, "2026-02-01");
        assert_eq!(bill.due_date, "2026-02-10");
        assert_eq!(bill.total_minor, 100_000);
        assert_eq!(bill.notes, None);
        // Later in the same period there is nothing more to bill.
        let billed = customer("monthly", "2025-06-10", Some("2026-02-01"));
        assert_eq!(bill_for(&billed, date!(2026 - 02 - 20), POLICY), Ok(None));
    }

    #[test]
    fn first_month_joined_mid_period_is_prorated() {
        let c = customer("monthly", "2026-01-11", None);
        let bill = bill_for(&c, date!(2026 - 01 - 11), POLICY)
            .unwrap()
            .unwrap();
        // 21 of 31 days: 1000.00 × 21 / 31 = 677.42 (the used 10 days round down to 322.58).
        assert_eq!(bill.amount_minor, 67_742);
        assert_eq!(
            bill.notes.as_deref(),
            Some("prorated from 2026-01-11 (21 of 31 days)")
        );
    }

    #[test]
    fn prepaid_bills_every_validity_period() {
        let c = customer("prepaid", "2026-01-05", Some("2026-01-05"));
        assert_eq!(bill_for(&c, date!(2026 - 02 - 03), POLICY), Ok(None));
        let bill = bill_for(&c, date!(2026 - 02 - 04), POLICY)
            .unwrap()
            .unwrap();
        assert_eq!(bill.period_start, "2026-02-04");
        assert_eq!(bill.period_end, "2026-03-05");
        assert_eq!(bill.total_minor, 100_000);
        let no_package = BillableCustomer {
            validity_days: None,
            ..c
        };
        assert_eq!(
            bill_for(&no_package, date!(2026 - 02 - 04), POLICY),
            Err(PlanError::NoValidity)
        );
    }

    #[test]
    fn tax_is_added() {
        let c = customer("monthly", "2025-01-01", None);
        let policy = BillPolicy {
            due_days: 10,
            tax_basis_points: 500,
        };
        let bill = bill_for(&c, date!(2026 - 03 - 01), policy)
            .unwrap()
            .unwrap();
        assert_eq!((bill.tax_minor, bill.total_minor), (5_000, 105_000));
        assert_eq!(bill.due_date, "2026-03-11");
    }
}
