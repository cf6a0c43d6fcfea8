//! Bill numbers: `BILL-YYYY-NNNNNN`, a sequence per calendar year of the bill date.

/// The bill number for the `sequence`th bill of `year` (six digits, more when a year issues
/// a million bills or more).
pub fn bill_number(year: i32, sequence: i64) -> String {
    format!("BILL-{year}-{sequence:06}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_zero_padded_per_year() {
        assert_eq!(bill_number(2026, 1), "BILL-2026-000001");
        assert_eq!(bill_number(2026, 123_456), "BILL-2026-123456");
        assert_eq!(bill_number(2027, 1_000_000), "BILL-2027-1000000");
    }

    #[test]
    fn numbers_sort_by_sequence_within_a_year() {
        assert!(bill_number(2026, 9) < bill_number(2026, 10));
    }
}
