//! How urgent a notification is (info, warning, critical), chosen by its kind, and the order
//! a customer's minimum severity compares against. No I/O.

/// A notification's severity; later variants are more urgent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

/// Notification kinds, as stored in `notifications.kind`.
pub mod kind {
    /// Paid-until date a few days away.
    pub const EXPIRY_WARNING: &str = "expiry_warning";
    /// Service suspended for money due at expiry.
    pub const SUSPENSION: &str = "service_suspended";
    /// A payment was received.
    pub const PAYMENT: &str = "payment_received";
    /// The subscriber's ONU optics crossed a threshold.
    pub const OPTICS_THRESHOLD: &str = "optics_threshold";
    /// An outage affects the subscriber.
    pub const OUTAGE: &str = "outage";
    /// Staff replied to the subscriber's ticket.
    pub const TICKET_REPLY: &str = "ticket_reply";
}

impl Severity {
    pub const ALL: [Severity; 3] = [Severity::Info, Severity::Warning, Severity::Critical];

    /// The severity of a notification kind; kinds not listed are `Info`.
    pub fn of_kind(k: &str) -> Severity {
        match k {
            kind::SUSPENSION | kind::OUTAGE => Severity::Critical,
            kind::EXPIRY_WARNING | kind::OPTICS_THRESHOLD => Severity::Warning,
            _ => Severity::Info,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }

    /// `info`, `warning` or `critical`, as written (lower case).
    pub fn parse(text: &str) -> Option<Severity> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(k: &str, expected: Severity) {
        assert_eq!(Severity::of_kind(k), expected, "{k}");
    }

    #[test]
    fn each_kind_has_its_severity() {
        check(kind::EXPIRY_WARNING, Severity::Warning);
        check(kind::SUSPENSION, Severity::Critical);
        check(kind::PAYMENT, Severity::Info);
        check(kind::OPTICS_THRESHOLD, Severity::Warning);
        check(kind::OUTAGE, Severity::Critical);
        check(kind::TICKET_REPLY, Severity::Info);
        check("something_new", Severity::Info);
    }

    #[test]
    fn severities_order_and_parse() {
        assert!(Severity::Info < Severity::Warning && Severity::Warning < Severity::Critical);
        for s in Severity::ALL {
            assert_eq!(Severity::parse(s.as_str()), Some(s));
        }
        assert_eq!(Severity::parse("Critical"), None);
        assert_eq!(Severity::parse(""), None);
    }
}
