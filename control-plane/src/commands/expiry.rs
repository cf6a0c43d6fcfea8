//! The expiry job: every `expiry_check` it ends commands past their kind's deadline, saying
//! whether the site's agent never got them (offline) or never answered, and ends queued
//! commands that name no device at once. Runs until the server stops.

use std::time::Duration;

use crate::domain::time::{now, timestamp_text};
use crate::domain::CommandKind;
use crate::http::AppState;

/// The detail of a command no agent received before its deadline.
pub fn offline_reason(deadline: Duration) -> String {
    format!(
        "the site's agent was offline; the command was not delivered within {} s",
        deadline.as_secs()
    )
}

/// The detail of a command delivered but without a final result before its deadline.
pub fn no_result_reason(deadline: Duration) -> String {
    format!("no result from the agent within {} s", deadline.as_secs())
}

const NO_DEVICE: &str = "no device is on file for this target (for a router reboot: the customer's CPE device, cpe_device_id), so no agent can run the command";

pub async fn run(state: AppState) {
    let mut stop = state.shutdown.signal();
    let mut tick = tokio::time::interval(state.commands.settings.expiry_check);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.wait_for(|stopping| *stopping) => break,
        }
        sweep(&state).await;
    }
}

/// One pass over every kind.
pub async fn sweep(state: &AppState) {
    let store = &state.store;
    let expired = &state.metrics.commands.expired;
    let count = |reason: &str, result: Result<u64, crate::store::StoreError>| match result {
        Ok(0) => {}
        Ok(n) => {
            expired.with_label_values(&[reason]).inc_by(n);
            tracing::info!(commands = n, reason, "device commands expired");
        }
        Err(err) => tracing::warn!(error = %err, "device command expiry failed"),
    };
    count(
        "no_device",
        store.expire_deviceless_commands(NO_DEVICE).await,
    );
    for kind in CommandKind::ALL {
        let deadline = state.commands.settings.deadline(*kind);
        let Ok(age) = time::Duration::try_from(deadline) else {
            continue;
        };
        let cutoff = timestamp_text(now() - age);
        let offline = store
            .expire_commands(kind.as_str(), false, &cutoff, &offline_reason(deadline))
            .await;
        count("agent_offline", offline);
        let silent = store
            .expire_commands(kind.as_str(), true, &cutoff, &no_result_reason(deadline))
            .await;
        count("no_result", silent);
    }
}
