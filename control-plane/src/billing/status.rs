//! A bill's status from its total, what has been paid and its due date: paid, unpaid,
//! partial or overdue, as the seed shows them.

use time::Date;

use crate::domain::BillStatus;

/// Paid in full is `paid`; otherwise past the due date is `overdue`; otherwise something
/// paid is `partial` and nothing paid is `unpaid`.
pub fn bill_status(total_minor: i64, paid_minor: i64, due_date: Date, today: Date) -> BillStatus {
    if paid_minor >= total_minor {
        BillStatus::Paid
    } else if today > due_date {
        BillStatus::Overdue
    } else if paid_minor > 0 {
        BillStatus::Partial
    } else {
        BillStatus::Unpaid
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn check(total: i64, paid: i64, today: Date, expected: BillStatus) {
        let due = date!(2026 - 01 - 10);
        assert_eq!(
            bill_status(total, paid, due, today),
            expected,
            "{paid} of {total} on {today}"
        );
    }

    #[test]
    fn statuses() {
        check(100_000, 100_000, date!(2026 - 01 - 05), BillStatus::Paid);
        check(100_000, 100_000, date!(2026 - 02 - 05), BillStatus::Paid);
        check(100_000, 0, date!(2026 - 01 - 10), BillStatus::Unpaid);
        check(100_000, 1, date!(2026 - 01 - 10), BillStatus::Partial);
        check(100_000, 0, date!(2026 - 01 - 11), BillStatus::Overdue);
        check(100_000, 99_999, date!(2026 - 01 - 11), BillStatus::Overdue);
        check(0, 0, date!(2026 - 01 - 11), BillStatus::Paid);
    }
}
