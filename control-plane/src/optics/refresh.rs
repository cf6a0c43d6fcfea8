//! Fast optics polls asked of a site's agent: at most one in flight per ONU (a partial unique
//! index backs the check), and at most one per `refresh_min_interval` per ONU, whoever asks.
//! Staff ask explicitly; a subscriber's status view asks when their ONU's newest reading is
//! older than `refresh_after`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::commands::request::{self, RequestError, Requester};
use crate::domain::time::{now, parse_timestamp};
use crate::domain::CommandKind;
use crate::http::AppState;
use crate::store::commands::CommandRow;
use crate::store::customers::CustomerRow;
use crate::store::StoreError;

/// What a request for a fast poll did.
#[derive(Debug)]
pub enum Refresh {
    /// A new command was queued for the site's agent.
    Queued(CommandRow),
    /// One for this ONU is already queued, sent or running; this is it.
    InFlight(CommandRow),
}

#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error(
        "this ONU was asked for a fast reading {ago_secs} s ago; ask again in {retry_after_secs} s"
    )]
    TooSoon {
        ago_secs: u64,
        retry_after_secs: u64,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

const KIND: CommandKind = CommandKind::FastPollOptics;

/// Asks the customer's site agent to poll their ONU fast, unless one is in flight or the last
/// one is too recent.
pub async fn request_fast_poll(
    state: &AppState,
    customer: &CustomerRow,
    requester: &Requester,
) -> Result<Refresh, RefreshError> {
    let target = request::target_of(KIND, customer)?;
    let device_id = target
        .device_id
        .as_deref()
        .ok_or(RequestError::Missing("OLT"))?;
    let store = &state.store;
    if let Some(running) = store
        .in_flight_command(KIND.as_str(), device_id, &target.text)
        .await?
    {
        return Ok(Refresh::InFlight(running));
    }
    let last = store
        .last_target_command_at(KIND.as_str(), device_id, &target.text)
        .await?;
    let min_interval = state.optics.settings.refresh_min_interval;
    if let Some(ago) = last
        .as_deref()
        .and_then(parse_timestamp)
        .map(|at| now() - at)
    {
        let ago_secs = u64::try_from(ago.whole_seconds()).unwrap_or(0);
        if ago_secs < min_interval.as_secs() {
            return Err(RefreshError::TooSoon {
                ago_secs,
                retry_after_secs: min_interval.as_secs() - ago_secs,
            });
        }
    }
    let settings = &state.optics.settings;
    let millis = |d: Duration| u32::try_from(d.as_millis()).unwrap_or(u32::MAX);
    let params = json!({
        "interval_ms": millis(settings.fast_poll_interval),
        "duration_ms": millis(settings.fast_poll_duration),
    });
    match request::queue_with_params(state, customer, KIND, params, requester).await {
        Ok(command) => Ok(Refresh::Queued(command)),
        // Another request got there between the check and the insert.
        Err(RequestError::Store(StoreError::Conflict(_))) => store
            .in_flight_command(KIND.as_str(), device_id, &target.text)
            .await?
            .map(Refresh::InFlight)
            .ok_or(RefreshError::TooSoon {
                ago_secs: 0,
                retry_after_secs: min_interval.as_secs(),
            }),
        Err(err) => Err(err.into()),
    }
}

/// Remembers when each subscriber's status view last looked at their ONU's reading age, so
/// app polling costs no query most of the time.
#[derive(Default)]
pub struct StatusRefreshGate {
    checked: Mutex<HashMap<String, Instant>>,
}

/// Above this many remembered subscribers, entries older than the interval are dropped.
const GATE_PRUNE_AT: usize = 10_000;

impl StatusRefreshGate {
    /// True at most once per `every` for one customer.
    pub fn pass(&self, customer_id: &str, now: Instant, every: Duration) -> bool {
        let mut checked = self.checked.lock().unwrap_or_else(|p| p.into_inner());
        if checked
            .get(customer_id)
            .is_some_and(|at| now.saturating_duration_since(*at) < every)
        {
            return false;
        }
        if checked.len() >= GATE_PRUNE_AT {
            checked.retain(|_, at| now.saturating_duration_since(*at) < every);
        }
        checked.insert(customer_id.to_owned(), now);
        true
    }
}

/// For a subscriber's status view: the customer and how old their ONU's newest reading is (in
/// seconds) when a fast poll is due. `None` when refreshing is off, was checked moments ago,
/// the ONU was never read by an agent (no agent polls its OLT), or the reading is fresh.
pub async fn due_on_status_view(
    state: &AppState,
    customer_id: &str,
) -> Result<Option<(CustomerRow, u64)>, StoreError> {
    let settings = &state.optics.settings;
    let Some(refresh_after) = settings.refresh_after else {
        return Ok(None);
    };
    let gate = &state.optics.status_gate;
    if !gate.pass(customer_id, Instant::now(), settings.refresh_min_interval) {
        return Ok(None);
    }
    let Some(read_at) = state.store.latest_onu_reading_at(customer_id).await? else {
        return Ok(None);
    };
    let age_secs = u64::try_from(now().unix_timestamp() - read_at).unwrap_or(0);
    if age_secs < refresh_after.as_secs() {
        return Ok(None);
    }
    let customer = state.store.customer(customer_id).await?;
    Ok(Some((customer, age_secs)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gate_opens_once_per_interval_per_customer() {
        let gate = StatusRefreshGate::default();
        let start = Instant::now();
        let every = Duration::from_secs(60);
        assert!(gate.pass("a", start, every));
        assert!(!gate.pass("a", start + Duration::from_secs(59), every));
        assert!(gate.pass("b", start + Duration::from_secs(59), every));
        assert!(gate.pass("a", start + Duration::from_secs(60), every));
        assert!(!gate.pass("a", start + Duration::from_secs(61), every));
    }
}
