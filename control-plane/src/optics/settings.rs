//! The `[optics]` configuration: receive-level thresholds and hysteresis, and when the control
//! plane asks an agent for a fast reading of one ONU.

use std::time::Duration;

use serde::Deserialize;

use super::levels::Thresholds;

#[derive(Debug, Clone, PartialEq)]
pub struct OpticsSettings {
    pub thresholds: Thresholds,
    /// A subscriber opening their status whose ONU's newest reading is older than this gets a
    /// fast poll; `None` turns that off.
    pub refresh_after: Option<Duration>,
    /// Least time between two fast polls of one ONU, from any requester.
    pub refresh_min_interval: Duration,
    /// How often the agent reads the ONU during a fast poll (it never goes below 2 s or the
    /// OLT profile's fast cadence).
    pub fast_poll_interval: Duration,
    /// How long a fast poll lasts (the agent caps it at 10 minutes).
    pub fast_poll_duration: Duration,
}

impl Default for OpticsSettings {
    fn default() -> Self {
        Self {
            thresholds: Thresholds::default(),
            refresh_after: Some(Duration::from_secs(900)),
            refresh_min_interval: Duration::from_secs(60),
            fast_poll_interval: Duration::from_secs(10),
            fast_poll_duration: Duration::from_secs(120),
        }
    }
}

/// The `[optics]` table of the file. Unknown keys are errors.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileOptics {
    weak_dbm: Option<f64>,
    critical_dbm: Option<f64>,
    overload_dbm: Option<f64>,
    hysteresis_db: Option<f64>,
    refresh_after_secs: Option<u64>,
    refresh_min_interval_secs: Option<u64>,
    fast_poll_interval_secs: Option<u64>,
    fast_poll_duration_secs: Option<u64>,
}

/// Applies the file's `[optics]` values; `at` names a key for error messages.
pub fn apply_file(
    settings: &mut OpticsSettings,
    file: FileOptics,
    at: &dyn Fn(&str) -> String,
    problems: &mut Vec<String>,
) {
    let t = &mut settings.thresholds;
    for (target, value) in [
        (&mut t.weak_dbm, file.weak_dbm),
        (&mut t.critical_dbm, file.critical_dbm),
        (&mut t.overload_dbm, file.overload_dbm),
        (&mut t.hysteresis_db, file.hysteresis_db),
    ] {
        if let Some(value) = value {
            *target = value;
        }
    }
    for (key, problem) in settings.thresholds.problems() {
        problems.push(format!("{}: {problem}", at(&format!("optics.{key}"))));
    }
    match file.refresh_after_secs {
        Some(0) => settings.refresh_after = None,
        Some(secs) => settings.refresh_after = Some(Duration::from_secs(secs)),
        None => {}
    }
    let mut within =
        |target: &mut Duration, value: Option<u64>, key: &str, min: u64, max: u64| match value {
            Some(secs) if (min..=max).contains(&secs) => *target = Duration::from_secs(secs),
            Some(secs) => problems.push(format!(
                "{}: {secs} is outside {min}..={max} seconds",
                at(&format!("optics.{key}"))
            )),
            None => {}
        };
    within(
        &mut settings.refresh_min_interval,
        file.refresh_min_interval_secs,
        "refresh_min_interval_secs",
        1,
        86_400,
    );
    within(
        &mut settings.fast_poll_interval,
        file.fast_poll_interval_secs,
        "fast_poll_interval_secs",
        2,
        600,
    );
    within(
        &mut settings.fast_poll_duration,
        file.fast_poll_duration_secs,
        "fast_poll_duration_secs",
        1,
        600,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(text: &str) -> (OpticsSettings, Vec<String>) {
        let file: FileOptics = toml::from_str(text).expect("toml");
        let mut settings = OpticsSettings::default();
        let mut problems = Vec::new();
        apply_file(&mut settings, file, &|key| key.to_owned(), &mut problems);
        (settings, problems)
    }

    #[test]
    fn values_and_problems() {
        let (settings, problems) = apply("weak_dbm = -24.0\nrefresh_after_secs = 0\n");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(settings.thresholds.weak_dbm, -24.0);
        assert_eq!(settings.refresh_after, None);
        let (_, problems) =
            apply("critical_dbm = -20.0\nfast_poll_interval_secs = 1\nhysteresis_db = 9.0\n");
        assert_eq!(
            problems,
            [
                "optics.hysteresis_db: 9 is not from 0 to 3 dB",
                "optics.fast_poll_interval_secs: 1 is outside 2..=600 seconds",
            ]
        );
        let (_, problems) = apply("critical_dbm = -20.0\n");
        assert_eq!(
            problems,
            ["optics.critical_dbm: -20 must be below weak_dbm (-25)"]
        );
    }
}
