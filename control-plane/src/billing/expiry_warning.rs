//! Which expiry warning a subscriber is due, and its words. A subscriber paid until a date gets
//! one warning per configured number of days before it; a warning missed while the job was not
//! running is replaced by the next one due, never sent late in a burst. No I/O.

use time::Date;

use crate::domain::time::date_text;

/// A warning to create (once: `dedupe_key` names it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpiryWarning {
    pub title: String,
    pub message: String,
    pub dedupe_key: String,
}

/// The warning due `today` for service paid until `expiry_date`, with the warning days
/// configured largest first; `None` when none is due (too early, or already expired).
pub fn warning_due(today: Date, expiry_date: Date, warning_days: &[u32]) -> Option<ExpiryWarning> {
    let days_left = (expiry_date - today).whole_days();
    if days_left < 0 {
        return None;
    }
    // The closest threshold at or above the days left: 3 days left with [3, 1] is the 3-day
    // warning, 2 days left still the 3-day one (already sent), 1 or 0 days the 1-day one.
    let threshold = warning_days
        .iter()
        .copied()
        .filter(|d| i64::from(*d) >= days_left)
        .min()?;
    let until = date_text(expiry_date);
    let when = match days_left {
        0 => "today".to_owned(),
        1 => "tomorrow".to_owned(),
        n => format!("in {n} days"),
    };
    Some(ExpiryWarning {
        title: "Your internet service expires soon".to_owned(),
        message: format!(
            "Your service is paid until {until} and ends {when}. Pay your bill or recharge to \
             stay connected."
        ),
        dedupe_key: format!("expiry:{until}:{threshold}"),
    })
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn check(today: Date, days: &[u32], expected: Option<(&str, &str)>) {
        let got = warning_due(today, date!(2027 - 01 - 31), days);
        let got = got
            .as_ref()
            .map(|w| (w.dedupe_key.as_str(), w.message.as_str()));
        let expected = expected.map(|(key, when)| {
            (
                key,
                format!(
                    "Your service is paid until 2027-01-31 and ends {when}. Pay your bill or \
                     recharge to stay connected."
                ),
            )
        });
        assert_eq!(got, expected.as_ref().map(|(k, m)| (*k, m.as_str())));
    }

    #[test]
    fn one_warning_per_threshold() {
        let days = [3, 1];
        check(date!(2027 - 01 - 27), &days, None);
        check(
            date!(2027 - 01 - 28),
            &days,
            Some(("expiry:2027-01-31:3", "in 3 days")),
        );
        check(
            date!(2027 - 01 - 29),
            &days,
            Some(("expiry:2027-01-31:3", "in 2 days")),
        );
        check(
            date!(2027 - 01 - 30),
            &days,
            Some(("expiry:2027-01-31:1", "tomorrow")),
        );
        check(
            date!(2027 - 01 - 31),
            &days,
            Some(("expiry:2027-01-31:1", "today")),
        );
        check(date!(2027 - 02 - 01), &days, None);
    }

    #[test]
    fn no_thresholds_no_warnings() {
        check(date!(2027 - 01 - 30), &[], None);
        check(date!(2027 - 01 - 20), &[7], None);
        check(
            date!(2027 - 01 - 24),
            &[7],
            Some(("expiry:2027-01-31:7", "in 7 days")),
        );
    }
}
