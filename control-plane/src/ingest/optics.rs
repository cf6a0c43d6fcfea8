//! `Optics` frames: each ONU reading is matched to its customer and stored as the latest state
//! (what `GET /network/status` shows) and as history, then judged against the optics
//! thresholds (`optics::alarms`). Readings for unknown ONUs are counted.

use proto::{OnuStatus, Optics};

use crate::http::AppState;
use crate::store::optics::OnuReading;

/// The status word stored and shown to subscribers.
pub fn status_text(status: OnuStatus) -> &'static str {
    match status {
        OnuStatus::Online => "online",
        OnuStatus::Offline => "offline",
        OnuStatus::Los => "los",
        OnuStatus::DyingGasp => "dying_gasp",
        OnuStatus::AuthFailed => "auth_failed",
        OnuStatus::Ranging => "ranging",
        OnuStatus::Unknown => "unknown",
    }
}

/// dBm to hundredths of a dBm; non-finite or absurd levels are treated as no value.
pub fn centi_dbm(dbm: Option<f64>) -> Option<i64> {
    dbm.filter(|v| v.is_finite() && (-100.0..=50.0).contains(v))
        .map(|v| (v * 100.0).round() as i64)
}

/// Stores every reading of one frame whose ONU belongs to a known customer.
pub async fn apply_optics(state: &AppState, optics: Optics) {
    let directory = &state.ingest.directory;
    if let Err(err) = directory.reload_if_stale(&state.store).await {
        tracing::warn!(error = %err, "unable to reload subscriber keys");
    }
    let at_unix = i64::try_from(optics.timestamp_ms / 1000).unwrap_or(i64::MAX);
    for reading in optics.readings {
        let Some(customer_id) = directory.lookup(&reading.subscriber_key) else {
            state.metrics.ingest.unknown_keys.inc();
            continue;
        };
        let row = OnuReading {
            customer_id,
            at_unix,
            status: status_text(reading.status).to_owned(),
            rx_power_cdbm: centi_dbm(reading.rx_power_dbm),
            tx_power_cdbm: centi_dbm(reading.tx_power_dbm),
            olt_rx_power_cdbm: centi_dbm(reading.olt_rx_power_dbm),
        };
        if let Err(err) = state.store.record_onu_reading(&row).await {
            tracing::warn!(error = %err, device = %optics.device_id, "unable to store an ONU reading");
            continue;
        }
        let judged =
            crate::optics::alarms::judge(state, &reading.subscriber_key, &row, optics.timestamp_ms)
                .await;
        if let Err(err) = judged {
            tracing::warn!(error = %err, device = %optics.device_id, "unable to judge an ONU reading against the optics thresholds");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_to_hundredths() {
        assert_eq!(centi_dbm(Some(-18.5)), Some(-1850));
        assert_eq!(centi_dbm(Some(-27.125)), Some(-2713));
        assert_eq!(centi_dbm(Some(f64::NAN)), None);
        assert_eq!(centi_dbm(Some(2_147_483.647)), None);
        assert_eq!(centi_dbm(None), None);
    }
}
