//! The stale-session sweep: every `stale_check_secs` it closes sessions that had no accounting
//! for `stale_after_intervals` × `interim_interval_secs` (a NAS that lost power never sends
//! Stop) and publishes the subscribers' new state. Runs until the server stops.

use std::time::Duration;

use crate::http::AppState;
use crate::live::now_unix_ms;

pub async fn run(state: AppState) {
    let every = Duration::from_secs(state.aaa.settings.stale_check_secs.max(1));
    let stale_after_ms = state.aaa.settings.stale_after_secs().saturating_mul(1000);
    let mut stop = state.shutdown.signal();
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.wait_for(|stopping| *stopping) => break,
        }
        match state
            .store
            .close_stale_sessions(now_unix_ms().saturating_sub(stale_after_ms))
            .await
        {
            Ok(states) => {
                if !states.is_empty() {
                    tracing::info!(subscribers = states.len(), "closed stale PPPoE sessions");
                }
                for network_state in states {
                    state.live.update(network_state);
                }
            }
            Err(err) => tracing::warn!(error = %err, "stale-session sweep failed"),
        }
    }
}
