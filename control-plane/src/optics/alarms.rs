//! At ingest, each ONU reading is judged against the thresholds from the ONU's level before;
//! a change of level is recorded as an alarm (a crossing), the first judged reading of a
//! normal ONU only as its level.

use proto::SubscriberKey;

use super::levels::Signal;
use crate::domain::time::unix_ms_text;
use crate::domain::OpticsLevel;
use crate::http::AppState;
use crate::store::optics::OnuReading;
use crate::store::optics_alarms::NewOpticsAlarm;
use crate::store::StoreResult;

/// Judges one stored reading of `key`'s ONU taken at `at_ms` (Unix milliseconds).
pub async fn judge(
    state: &AppState,
    key: &SubscriberKey,
    reading: &OnuReading,
    at_ms: u64,
) -> StoreResult<()> {
    let store = &state.store;
    let thresholds = &state.optics.settings.thresholds;
    let signal = Signal::of(
        &reading.status,
        reading.rx_power_cdbm.map(|c| c as f64 / 100.0),
    );
    let stored = store.onu_optics_level(&reading.customer_id).await?;
    let before = stored
        .as_deref()
        .and_then(|level| OpticsLevel::parse(level).ok());
    let from = before.unwrap_or(OpticsLevel::Normal);
    let to = thresholds.next(from, signal);
    let at = unix_ms_text(i64::try_from(at_ms).unwrap_or(i64::MAX));
    if to == from {
        if before.is_none() && signal != Signal::NoEvidence {
            store
                .start_onu_optics_level(&reading.customer_id, to.as_str(), &at)
                .await?;
        }
        return Ok(());
    }
    let (olt, pon_port, onu_id) = match key {
        SubscriberKey::Onu { olt, pon, onu_id } => {
            (olt.clone(), Some(pon.to_string()), Some(i64::from(*onu_id)))
        }
        SubscriberKey::Port { device, .. } => (device.clone(), None, None),
        SubscriberKey::PppoeUsername(_) => (String::new(), None, None),
    };
    let alarm = NewOpticsAlarm {
        customer_id: reading.customer_id.clone(),
        olt,
        pon_port,
        onu_id,
        rx_power_cdbm: reading.rx_power_cdbm,
        from_level: from.as_str().to_owned(),
        to_level: to.as_str().to_owned(),
        at,
    };
    if store.record_optics_crossing(&alarm).await? {
        tracing::info!(customer = %reading.customer_id, onu = %key, from = %from, to = %to, "ONU optics level changed");
    }
    Ok(())
}
