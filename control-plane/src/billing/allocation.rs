//! Allocation of a payment over a customer's unpaid bills: oldest first (or a named bill
//! first), never more than a bill still owes, the rest kept as credit; and the due amount as
//! the sum of what the bills still owe.

/// A bill that still owes money.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenBill {
    pub bill_id: String,
    /// `YYYY-MM-DD`; with `bill_number` it orders bills oldest first.
    pub bill_date: String,
    pub bill_number: String,
    pub total_minor: i64,
    pub paid_minor: i64,
}

impl OpenBill {
    /// What the bill still owes (never negative).
    pub fn remaining_minor(&self) -> i64 {
        (self.total_minor - self.paid_minor).max(0)
    }
}

/// Part of a payment applied to one bill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillPart {
    pub bill_id: String,
    pub amount_minor: i64,
}

/// Where a payment went.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Allocation {
    pub parts: Vec<BillPart>,
    /// What is left after every open bill is paid: kept for the next bills.
    pub credit_minor: i64,
}

/// Applies `amount_minor` to `bills`: the bill `first` (when it is one of them), then the
/// others oldest first. A negative amount allocates nothing.
pub fn allocate(amount_minor: i64, bills: &[OpenBill], first: Option<&str>) -> Allocation {
    let mut order: Vec<&OpenBill> = bills.iter().collect();
    order.sort_by(|a, b| {
        let key = |bill: &OpenBill| (Some(bill.bill_id.as_str()) != first, bill.bill_date.clone());
        key(a)
            .cmp(&key(b))
            .then_with(|| a.bill_number.cmp(&b.bill_number))
    });
    let mut left = amount_minor.max(0);
    let mut parts = Vec::new();
    for bill in order {
        if left == 0 {
            break;
        }
        let take = bill.remaining_minor().min(left);
        if take > 0 {
            parts.push(BillPart {
                bill_id: bill.bill_id.clone(),
                amount_minor: take,
            });
            left -= take;
        }
    }
    Allocation {
        parts,
        credit_minor: left,
    }
}

/// What the customer owes: the sum of what every bill still owes.
pub fn due_amount(bills: &[OpenBill]) -> i64 {
    bills.iter().map(OpenBill::remaining_minor).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn bill(id: &str, date: &str, total: i64, paid: i64) -> OpenBill {
        OpenBill {
            bill_id: id.to_owned(),
            bill_date: date.to_owned(),
            bill_number: format!("BILL-{id}"),
            total_minor: total,
            paid_minor: paid,
        }
    }

    fn check(amount: i64, first: Option<&str>, expected: &[(&str, i64)], credit: i64) {
        let bills = [
            bill("mar", "2026-03-01", 100_000, 0),
            bill("jan", "2026-01-01", 100_000, 40_000),
            bill("feb", "2026-02-01", 100_000, 0),
        ];
        let allocation = allocate(amount, &bills, first);
        let parts: Vec<(&str, i64)> = allocation
            .parts
            .iter()
            .map(|p| (p.bill_id.as_str(), p.amount_minor))
            .collect();
        assert_eq!(parts, expected, "{amount} first {first:?}");
        assert_eq!(allocation.credit_minor, credit, "{amount} first {first:?}");
    }

    #[test]
    fn oldest_first() {
        check(50_000, None, &[("jan", 50_000)], 0);
        check(60_000, None, &[("jan", 60_000)], 0);
        check(100_000, None, &[("jan", 60_000), ("feb", 40_000)], 0);
        check(
            300_000,
            None,
            &[("jan", 60_000), ("feb", 100_000), ("mar", 100_000)],
            40_000,
        );
        check(0, None, &[], 0);
        check(-5, None, &[], 0);
    }

    #[test]
    fn a_named_bill_first() {
        check(100_000, Some("mar"), &[("mar", 100_000)], 0);
        check(
            150_000,
            Some("mar"),
            &[("mar", 100_000), ("jan", 50_000)],
            0,
        );
        check(10_000, Some("nope"), &[("jan", 10_000)], 0);
    }

    #[test]
    fn due_is_what_bills_still_owe() {
        let bills = [
            bill("a", "2026-01-01", 100_000, 40_000),
            bill("b", "2026-02-01", 100_000, 100_000),
            bill("c", "2026-02-01", 100_000, 120_000),
        ];
        assert_eq!(due_amount(&bills), 60_000);
        assert_eq!(due_amount(&[]), 0);
    }

    fn bills_strategy() -> impl Strategy<Value = Vec<OpenBill>> {
        proptest::collection::vec((0i64..500_000, 0i64..600_000, 1u8..28), 0..12).prop_map(|rows| {
            rows.into_iter()
                .enumerate()
                .map(|(i, (total, paid, day))| {
                    bill(
                        &format!("b{i}"),
                        &format!("2026-01-{day:02}"),
                        total,
                        paid.min(total),
                    )
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn allocated_plus_credit_is_the_payment(
            bills in bills_strategy(),
            amount in 0i64..5_000_000,
            first in proptest::option::of(0usize..12),
        ) {
            let first = first.map(|i| format!("b{i}"));
            let allocation = allocate(amount, &bills, first.as_deref());
            let allocated: i64 = allocation.parts.iter().map(|p| p.amount_minor).sum();
            prop_assert_eq!(allocated + allocation.credit_minor, amount);
            prop_assert!(allocation.credit_minor >= 0);
            // Credit only when every bill is paid in full.
            if allocation.credit_minor > 0 {
                prop_assert_eq!(allocated, due_amount(&bills));
            }
        }

        #[test]
        fn allocation_never_overfills_a_bill(
            bills in bills_strategy(),
            amount in 0i64..5_000_000,
        ) {
            let allocation = allocate(amount, &bills, None);
            for part in &allocation.parts {
                let bill = bills.iter().find(|b| b.bill_id == part.bill_id).unwrap();
                prop_assert!(part.amount_minor > 0);
                prop_assert!(part.amount_minor <= bill.remaining_minor());
            }
            let ids: std::collections::HashSet<_> =
                allocation.parts.iter().map(|p| &p.bill_id).collect();
            prop_assert_eq!(ids.len(), allocation.parts.len());
        }

        #[test]
        fn due_after_payment_is_due_before_less_allocated(
            bills in bills_strategy(),
            amount in 0i64..5_000_000,
        ) {
            let allocation = allocate(amount, &bills, None);
            let after: Vec<OpenBill> = bills
                .iter()
                .map(|b| {
                    let paid: i64 = allocation
                        .parts
                        .iter()
                        .filter(|p| p.bill_id == b.bill_id)
                        .map(|p| p.amount_minor)
                        .sum();
                    OpenBill { paid_minor: b.paid_minor + paid, ..b.clone() }
                })
                .collect();
            let allocated: i64 = allocation.parts.iter().map(|p| p.amount_minor).sum();
            prop_assert_eq!(due_amount(&after), due_amount(&bills) - allocated);
            // Paying oldest first leaves no older bill owing while a newer one got money.
            for part in &allocation.parts {
                let paid_bill = after.iter().find(|b| b.bill_id == part.bill_id).unwrap();
                for older in after.iter().filter(|b| (b.bill_date.as_str(), b.bill_number.as_str()) < (paid_bill.bill_date.as_str(), paid_bill.bill_number.as_str())) {
                    prop_assert_eq!(older.remaining_minor(), 0);
                }
            }
        }
    }
}
