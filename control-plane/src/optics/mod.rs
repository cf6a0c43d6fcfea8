//! ONU optics beyond storing readings: thresholds and hysteresis (`levels.rs`, pure), the
//! crossings recorded as alarms at ingest (`alarms.rs`), fast polls asked of the site's agent
//! (`refresh.rs`), the Prometheus gauges (`metrics.rs`) and the `[optics]` settings.

pub mod alarms;
pub mod levels;
pub mod metrics;
pub mod refresh;
pub mod settings;

pub use levels::{Signal, Thresholds};
pub use settings::OpticsSettings;

/// What the HTTP handlers and ingest share about optics.
pub struct OpticsRuntime {
    pub settings: OpticsSettings,
    /// Lets a subscriber's status views check their ONU's reading age at most once per
    /// `refresh_min_interval`.
    pub status_gate: refresh::StatusRefreshGate,
}

impl OpticsRuntime {
    pub fn new(settings: OpticsSettings) -> Self {
        Self {
            settings,
            status_gate: refresh::StatusRefreshGate::default(),
        }
    }
}

impl Default for OpticsRuntime {
    fn default() -> Self {
        Self::new(OpticsSettings::default())
    }
}
