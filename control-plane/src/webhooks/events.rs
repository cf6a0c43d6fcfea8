//! The events a webhook may subscribe to.

/// A payment was completed (staff recorded it, or a gateway confirmed it).
pub const PAYMENT_RECEIVED: &str = "payment.received";
/// The billing job issued a bill.
pub const BILL_ISSUED: &str = "bill.issued";
/// A subscriber was suspended for money due at expiry.
pub const CUSTOMER_SUSPENDED: &str = "customer.suspended";
/// A suspended subscriber paid everything due and is active again.
pub const CUSTOMER_REACTIVATED: &str = "customer.reactivated";
/// A subscriber moved to another package (approved now, or at the start of the next cycle).
pub const PACKAGE_CHANGED: &str = "package.changed";
/// A subscriber's paid-until date is near (`[billing] expiry_warning_days`).
pub const EXPIRY_WARNING: &str = "expiry.warning";

pub const ALL: &[&str] = &[
    PAYMENT_RECEIVED,
    BILL_ISSUED,
    CUSTOMER_SUSPENDED,
    CUSTOMER_REACTIVATED,
    PACKAGE_CHANGED,
    EXPIRY_WARNING,
];

/// Checks a list of event names: known, at least one; returns them sorted without repeats.
pub fn parse_events(names: &[String]) -> Result<Vec<String>, String> {
    if names.is_empty() {
        return Err(format!(
            "events must name at least one of {}",
            ALL.join(", ")
        ));
    }
    let unknown: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|n| !ALL.contains(n))
        .collect();
    if !unknown.is_empty() {
        return Err(format!(
            "unknown events {}; known: {}",
            unknown.join(", "),
            ALL.join(", ")
        ));
    }
    let mut events: Vec<String> = names.to_vec();
    events.sort();
    events.dedup();
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(names: &[&str], expected: Result<&[&str], &str>) {
        let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        let expected = expected
            .map(|e| e.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>())
            .map_err(str::to_owned);
        assert_eq!(parse_events(&names), expected);
    }

    #[test]
    fn events_are_checked() {
        check(
            &["payment.received", "bill.issued", "payment.received"],
            Ok(&["bill.issued", "payment.received"]),
        );
        check(
            &[],
            Err(
                "events must name at least one of payment.received, bill.issued, \
                 customer.suspended, customer.reactivated, package.changed, expiry.warning",
            ),
        );
        check(
            &["payment.recieved"],
            Err(
                "unknown events payment.recieved; known: payment.received, bill.issued, \
                 customer.suspended, customer.reactivated, package.changed, expiry.warning",
            ),
        );
    }
}
