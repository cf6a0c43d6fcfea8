//! The agent's corrected clock: local UTC time plus the offset the NTP check measured, and the
//! check itself (rsntp).

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use thiserror::Error;
use tokio::sync::watch;

use crate::metrics::AgentMetrics;

/// Above this offset the agent warns (node-exporter's clock-skew threshold).
pub const CLOCK_OFFSET_WARN: Duration = Duration::from_millis(50);

/// UTC time corrected by the last measured NTP offset. Clones share the offset.
#[derive(Debug, Clone, Default)]
pub struct CorrectedClock {
    offset_ns: Arc<AtomicI64>,
}

impl CorrectedClock {
    /// Milliseconds since the Unix epoch, corrected.
    pub fn now_ms(&self) -> u64 {
        let local_ns = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|since| i128::try_from(since.as_nanos()).unwrap_or(i128::MAX))
            .unwrap_or(0);
        let corrected_ns = local_ns + i128::from(self.offset_ns.load(Ordering::Relaxed));
        u64::try_from(corrected_ns / 1_000_000).unwrap_or(0)
    }

    /// Positive: the local clock is behind the NTP server.
    pub fn set_offset_seconds(&self, offset_s: f64) {
        let offset_ns = (offset_s * 1e9).clamp(i64::MIN as f64, i64::MAX as f64) as i64;
        self.offset_ns.store(offset_ns, Ordering::Relaxed);
    }

    pub fn offset_seconds(&self) -> f64 {
        self.offset_ns.load(Ordering::Relaxed) as f64 / 1e9
    }
}

/// One NTP measurement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClockOffset {
    /// Positive: the local clock is behind the server.
    pub offset_s: f64,
    pub round_trip_s: f64,
    pub stratum: u8,
}

impl ClockOffset {
    pub fn exceeds_warning(&self) -> bool {
        self.offset_s.abs() > CLOCK_OFFSET_WARN.as_secs_f64()
    }
}

#[derive(Debug, Error)]
#[error(
    "NTP check against {server} failed: {detail}; check the server name and that UDP 123 is open"
)]
pub struct ClockCheckError {
    pub server: String,
    pub detail: String,
}

/// Asks `server` (host or host:port) once; rsntp's timeout is 3 s.
pub async fn measure_offset(server: &str) -> Result<ClockOffset, ClockCheckError> {
    let client = rsntp::AsyncSntpClient::new();
    let result = client
        .synchronize(server)
        .await
        .map_err(|error| ClockCheckError {
            server: server.to_owned(),
            detail: error.to_string(),
        })?;
    Ok(ClockOffset {
        offset_s: result.clock_offset().as_secs_f64(),
        round_trip_s: result.round_trip_delay().as_secs_f64(),
        stratum: result.stratum(),
    })
}

/// Measures the offset every `interval` until shutdown, correcting `clock` and the metric.
pub async fn run_clock_check(
    server: String,
    interval: Duration,
    clock: CorrectedClock,
    metrics: AgentMetrics,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = shutdown.changed() => return,
        }
        match measure_offset(&server).await {
            Ok(offset) => {
                clock.set_offset_seconds(offset.offset_s);
                metrics.clock_offset_seconds.set(offset.offset_s);
                if offset.exceeds_warning() {
                    tracing::warn!(server = %server, offset_s = offset.offset_s, "clock offset above 50 ms; sample timestamps are corrected, fix the host's time sync");
                } else {
                    tracing::debug!(server = %server, offset_s = offset.offset_s, "clock offset measured");
                }
            }
            Err(error) => {
                metrics.clock_check_errors_total.inc();
                tracing::warn!(%error, "clock check failed");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn correction_moves_the_clock() {
        let clock = CorrectedClock::default();
        let before = clock.now_ms();
        clock.set_offset_seconds(10.0);
        let after = clock.now_ms();
        assert!(after >= before + 9_900, "{before} {after}");
        assert!((clock.offset_seconds() - 10.0).abs() < 1e-6);
        let small = ClockOffset {
            offset_s: -0.049,
            round_trip_s: 0.0,
            stratum: 2,
        };
        assert!(!small.exceeds_warning());
        assert!(ClockOffset {
            offset_s: 0.051,
            ..small
        }
        .exceeds_warning());
    }
}
