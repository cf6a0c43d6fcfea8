//! UTC timestamps and calendar dates in the text forms the store and the API use.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, UtcOffset};

/// Now, in UTC.
pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// `2026-01-03T10:00:00.000Z`: fixed width, so text order is time order in both backends.
pub fn timestamp_text(at: OffsetDateTime) -> String {
    let at = at.to_offset(UtcOffset::UTC);
    let format =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    at.format(&format).unwrap_or_else(|_| at.to_string())
}

/// The stored form of a Unix time in milliseconds (the epoch for values out of range).
pub fn unix_ms_text(unix_ms: i64) -> String {
    let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(unix_ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    timestamp_text(at)
}

/// The API form of a stored timestamp: `2026-01-03T10:00:00Z` (seconds precision, as the seed).
pub fn api_timestamp(stored: &str) -> String {
    match OffsetDateTime::parse(stored, &Rfc3339) {
        Ok(at) => {
            let format = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
            at.to_offset(UtcOffset::UTC)
                .format(&format)
                .unwrap_or_else(|_| stored.to_owned())
        }
        Err(_) => stored.to_owned(),
    }
}

/// The API form of a Unix time in seconds (the epoch for values out of range).
pub fn api_unix_timestamp(unix: i64) -> String {
    let at = OffsetDateTime::from_unix_timestamp(unix).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    api_timestamp(&timestamp_text(at))
}

pub fn parse_timestamp(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339).ok()
}

/// `YYYY-MM-DD`.
pub fn date_text(date: Date) -> String {
    let format = format_description!("[year]-[month]-[day]");
    date.format(&format).unwrap_or_else(|_| date.to_string())
}

/// Parses `YYYY-MM-DD`, refusing impossible dates such as `2026-02-30`.
pub fn parse_date(text: &str) -> Option<Date> {
    let format = format_description!("[year]-[month]-[day]");
    Date::parse(text.trim(), &format).ok()
}

/// "5d 12h 30m" as the seed shows uptime.
pub fn uptime_text(seconds: i64) -> String {
    let seconds = seconds.max(0);
    let days = seconds / 86_400;
    let hours = (seconds % 86_400) / 3_600;
    let minutes = (seconds % 3_600) / 60;
    if days > 0 {
        format!("{days}d {hours}h {minutes}m")
    } else if hours > 0 {
        format!("{hours}h {minutes}m")
    } else {
        format!("{minutes}m")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uptime_reads_like_the_seed() {
        assert_eq!(
            uptime_text(5 * 86_400 + 12 * 3_600 + 30 * 60 + 7),
            "5d 12h 30m"
        );
        assert_eq!(uptime_text(3_660), "1h 1m");
        assert_eq!(uptime_text(59), "0m");
        assert_eq!(uptime_text(-5), "0m");
    }

    #[test]
    fn dates_are_checked() {
        assert!(parse_date("2026-02-15").is_some());
        assert!(parse_date("2026-02-30").is_none());
        assert!(parse_date("15/02/2026").is_none());
    }

    #[test]
    fn stored_timestamps_sort_as_text() {
        let a = timestamp_text(OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap());
        let b = timestamp_text(OffsetDateTime::from_unix_timestamp(1_700_000_001).unwrap());
        assert!(a < b);
        assert_eq!(api_timestamp(&a), "2023-11-14T22:13:20Z");
        assert_eq!(api_unix_timestamp(1_700_000_000), "2023-11-14T22:13:20Z");
    }
}
