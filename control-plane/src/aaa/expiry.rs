//! When a subscriber's paid service ends, and how long a session may last until then.

use time::{Date, OffsetDateTime, Time, UtcOffset};

/// The instant service paid "until `expiry_date`" ends: the next midnight after that date in
/// the ISP's time zone.
pub fn expiry_instant(expiry_date: Date, offset: UtcOffset) -> OffsetDateTime {
    match expiry_date.next_day() {
        Some(next) => next.with_time(Time::MIDNIGHT).assume_offset(offset),
        None => expiry_date
            .with_time(Time::MIDNIGHT)
            .assume_offset(offset)
            .saturating_add(time::Duration::DAY),
    }
}

/// Whole seconds from `now` until `expires_at`, rounded up so the session ends within the
/// expiry second and never before the paid time; `None` once expired. Saturates at `u32::MAX`
/// (RADIUS integers are 32-bit).
pub fn seconds_until(now: OffsetDateTime, expires_at: OffsetDateTime) -> Option<u32> {
    let remaining = expires_at - now;
    if remaining <= time::Duration::ZERO {
        return None;
    }
    let whole = remaining.whole_seconds();
    let secs = if remaining > time::Duration::seconds(whole) {
        whole + 1
    } else {
        whole
    };
    Some(u32::try_from(secs).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime, offset};

    #[test]
    fn expiry_is_midnight_after_the_date_in_the_isp_zone() {
        assert_eq!(
            expiry_instant(date!(2026 - 02 - 15), offset!(+6)),
            datetime!(2026-02-15 18:00 UTC)
        );
        assert_eq!(
            expiry_instant(date!(2026 - 12 - 31), UtcOffset::UTC),
            datetime!(2027-01-01 00:00 UTC)
        );
        assert_eq!(
            expiry_instant(date!(2026 - 02 - 15), offset!(-3:30)),
            datetime!(2026-02-16 03:30 UTC)
        );
    }

    #[test]
    fn session_timeout_ends_in_the_expiry_second() {
        let expires = datetime!(2026-02-15 18:00 UTC);
        let check = |now: OffsetDateTime, expected: Option<u32>| {
            assert_eq!(seconds_until(now, expires), expected, "{now}");
        };
        check(datetime!(2026-02-15 17:59:50 UTC), Some(10));
        check(datetime!(2026-02-15 17:59:50.300 UTC), Some(10));
        check(datetime!(2026-02-15 17:59:59.999 UTC), Some(1));
        check(datetime!(2026-02-15 18:00 UTC), None);
        check(datetime!(2026-02-16 00:00 UTC), None);
        check(datetime!(1800-01-01 00:00 UTC), Some(u32::MAX));
    }
}
