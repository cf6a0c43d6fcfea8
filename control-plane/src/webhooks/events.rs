//! The events a webhook may subscribe to.

/// A payment was completed (staff recorded it, or a gateway confirmed it).
pub const PAYMENT_COMPLETED: &str = "payment.completed";
/// The billing job issued a bill.
pub const BILL_GENERATED: &str = "bill.generated";
/// A subscriber was suspended for money due at expiry.
pub const SERVICE_SUSPENDED: &str = "service.suspended";
/// A suspended subscriber paid everything due and is active again.
pub const CUSTOMER_REACTIVATED: &str = "customer.reactivated";
/// A subscriber moved to another package (approved now, or at the start of the next cycle).
pub const PACKAGE_CHANGED: &str = "package.changed";
/// A subscriber's paid-until date is near (`[billing] expiry_warning_days`).
pub const EXPIRY_WARNING: &str = "expiry.warning";
/// Staff answered a subscriber's ticket (internal notes are never announced).
pub const TICKET_REPLIED: &str = "ticket.replied";
/// A device command (reboot, disconnect, change of speed, BGP change) reached its final state.
pub const DEVICE_COMMAND_FINISHED: &str = "device.command_finished";
/// A subscriber's ONU crossed into a weak, critical or offline optical level.
pub const DEVICE_OPTICS_ALARM: &str = "device.optics_alarm";
/// Sent only by the test-send endpoint, to the one webhook asked; nobody subscribes to it.
pub const WEBHOOK_TEST: &str = "webhook.test";

pub const ALL: &[&str] = &[
    PAYMENT_COMPLETED,
    BILL_GENERATED,
    SERVICE_SUSPENDED,
    CUSTOMER_REACTIVATED,
    PACKAGE_CHANGED,
    EXPIRY_WARNING,
    TICKET_REPLIED,
    DEVICE_COMMAND_FINISHED,
    DEVICE_OPTICS_ALARM,
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
            &["payment.completed", "bill.generated", "payment.completed"],
            Ok(&["bill.generated", "payment.completed"]),
        );
        check(
            &[],
            Err(
                "events must name at least one of payment.completed, bill.generated, \
                 service.suspended, customer.reactivated, package.changed, expiry.warning, \
                 ticket.replied, device.command_finished, device.optics_alarm",
            ),
        );
        check(
            &["device.optics_alarm", "ticket.replied"],
            Ok(&["device.optics_alarm", "ticket.replied"]),
        );
        check(
            &["webhook.test"],
            Err(
                "unknown events webhook.test; known: payment.completed, bill.generated, \
                 service.suspended, customer.reactivated, package.changed, expiry.warning, \
                 ticket.replied, device.command_finished, device.optics_alarm",
            ),
        );
        check(
            &["payment.recieved"],
            Err(
                "unknown events payment.recieved; known: payment.completed, bill.generated, \
                 service.suspended, customer.reactivated, package.changed, expiry.warning, \
                 ticket.replied, device.command_finished, device.optics_alarm",
            ),
        );
    }
}
