//! At ingest, each ONU reading is judged against the thresholds from the ONU's level before;
//! a change of level is recorded as an alarm (a crossing), the first judged reading of a
//! normal ONU only as its level.

use proto::SubscriberKey;

use super::levels::Signal;
use crate::domain::time::unix_ms_text;
use crate::domain::OpticsLevel;
use crate::http::AppState;
use crate::store::notifications::NewNotification;
use crate::store::optics::OnuReading;
use crate::store::optics_alarms::NewOpticsAlarm;
use crate::store::StoreResult;
use crate::webhooks::emit::{wake, WebhookEvent};
use crate::webhooks::events;
use serde_json::json;

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
        if to != OpticsLevel::Normal {
            tell_subscriber(state, &alarm, to).await;
        }
    }
    Ok(())
}

/// Notifies the subscriber that their ONU's light got worse (warning), with the
/// `device.optics_alarm` webhook event in the same transaction. Logged on failure: the alarm
/// itself is stored.
async fn tell_subscriber(state: &AppState, alarm: &NewOpticsAlarm, to: OpticsLevel) {
    let (title, advice) = match to {
        OpticsLevel::Offline => (
            "No signal at your ONU",
            "Your ONU receives no light from the network. Check that its fibre cable is \
             plugged in and not bent; we have been alerted too.",
        ),
        OpticsLevel::Critical => (
            "Very weak signal at your ONU",
            "Your connection may drop. A technician may need to clean or replace the fibre \
             connector; contact support if it keeps happening.",
        ),
        _ => (
            "Weak signal at your ONU",
            "Your ONU's signal is weaker than it should be. Check that the fibre cable is not \
             bent or pinched.",
        ),
    };
    let rx = alarm
        .rx_power_cdbm
        .map(|c| format!(" (received {:.1} dBm)", c as f64 / 100.0))
        .unwrap_or_default();
    let notification = NewNotification {
        customer_id: alarm.customer_id.clone(),
        kind: crate::alerts::severity::kind::OPTICS_THRESHOLD.to_owned(),
        title: title.to_owned(),
        message: format!("{advice}{rx}"),
        dedupe_key: format!("optics:{}:{}", to.as_str(), alarm.at),
    };
    let event = WebhookEvent::new(
        events::DEVICE_OPTICS_ALARM,
        json!({ "customer_id": alarm.customer_id, "olt": alarm.olt, "pon_port": alarm.pon_port,
                "onu_id": alarm.onu_id, "from_level": alarm.from_level,
                "to_level": alarm.to_level, "rx_power_cdbm": alarm.rx_power_cdbm,
                "at": alarm.at }),
    );
    match crate::alerts::notify(state, &notification, &[event]).await {
        Ok(_) => wake(state),
        Err(err) => tracing::error!(customer = %alarm.customer_id, error = %err,
            "optics alarm stored but its notification was not"),
    }
}
