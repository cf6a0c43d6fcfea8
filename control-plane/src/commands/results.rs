//! Applying an agent's `CommandResult`: only for a known command on a device of the agent's
//! own site, and only forward (queued → sent → running → a final state), so a late or repeated
//! result never changes a finished command.

use proto::{CommandResult, CommandState as WireState};

use crate::domain::CommandState;
use crate::http::AppState;
use crate::webhooks::emit::{emit_alone, WebhookEvent};
use crate::webhooks::events;
use serde_json::json;

/// The state a command moves to on a result, and the `state` label of the result metric.
fn progress(state: WireState) -> (CommandState, &'static str) {
    match state {
        WireState::Accepted => (CommandState::Sent, "accepted"),
        WireState::Running => (CommandState::Running, "running"),
        WireState::Succeeded => (CommandState::Succeeded, "succeeded"),
        WireState::Failed => (CommandState::Failed, "failed"),
        WireState::Rejected => (CommandState::Failed, "rejected"),
        WireState::TimedOut => (CommandState::Expired, "timed_out"),
        WireState::RolledBack => (CommandState::RolledBack, "rolled_back"),
    }
}

/// The detail stored with the new state: the agent's words, or a default for a bare final state.
fn detail_of(result: &CommandResult) -> Option<String> {
    let detail = result.detail.trim();
    if !detail.is_empty() {
        return Some(detail.to_owned());
    }
    match result.state {
        WireState::Accepted | WireState::Running | WireState::Succeeded => None,
        WireState::Failed => Some("failed on the device".to_owned()),
        WireState::Rejected => Some("rejected by the agent".to_owned()),
        WireState::TimedOut => Some("the agent timed out waiting for the device".to_owned()),
        WireState::RolledBack => Some("applied, then rolled back on the device".to_owned()),
    }
}

fn ignored(state: &AppState, reason: &str) {
    state
        .metrics
        .commands
        .results_ignored
        .with_label_values(&[reason])
        .inc();
}

/// Whether a command in `state` has ended.
fn is_final(state: CommandState) -> bool {
    matches!(
        state,
        CommandState::Succeeded
            | CommandState::Failed
            | CommandState::RolledBack
            | CommandState::Expired
    )
}

/// Applies one result from an agent of `agent_site_id`.
pub async fn apply(state: &AppState, agent_site_id: &str, result: CommandResult) {
    let (to, label) = progress(result.state);
    let metrics = &state.metrics.commands;
    metrics.results.with_label_values(&[label]).inc();
    let id = result.command_id.to_string();
    let owner = match state.store.command_owner(&id).await {
        Ok(Some(owner)) => owner,
        Ok(None) => {
            tracing::info!(command = %id, "result for an unknown command ignored");
            return ignored(state, "unknown_command");
        }
        Err(err) => {
            tracing::warn!(error = %err, command = %id, "unable to read a command for its result");
            return ignored(state, "store_unavailable");
        }
    };
    if owner.site_id.as_deref() != Some(agent_site_id) {
        tracing::warn!(command = %id, "result from an agent of another site ignored");
        return ignored(state, "foreign_agent");
    }
    let detail = detail_of(&result);
    match state
        .store
        .advance_command(&id, to, detail.as_deref())
        .await
    {
        Ok(true) => {
            if to == CommandState::Expired {
                metrics
                    .expired
                    .with_label_values(&["agent_timed_out"])
                    .inc();
            }
            if is_final(to) {
                let event = WebhookEvent::new(
                    events::DEVICE_COMMAND_FINISHED,
                    json!({ "command_id": id, "kind": owner.kind, "state": to.as_str(),
                            "detail": detail }),
                );
                emit_alone(state, &[event]).await;
            }
        }
        // Accepted after Running, a repeated Running or any result after the final one.
        Ok(false) => ignored(state, "not_forward"),
        Err(err) => {
            tracing::warn!(error = %err, command = %id, "unable to store a command result");
            ignored(state, "store_unavailable");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proto::CommandId;

    fn check(state: WireState, detail: &str, expected: Option<&str>) {
        let result = CommandResult {
            command_id: CommandId::from_bytes([0; 16]),
            state,
            detail: detail.into(),
        };
        assert_eq!(detail_of(&result).as_deref(), expected);
    }

    #[test]
    fn details() {
        check(WireState::Running, "", None);
        check(
            WireState::Succeeded,
            " ONU back online ",
            Some("ONU back online"),
        );
        check(
            WireState::Failed,
            "NAK: session not found",
            Some("NAK: session not found"),
        );
        check(WireState::Rejected, "", Some("rejected by the agent"));
    }

    #[test]
    fn agent_states_map_to_command_states() {
        assert_eq!(progress(WireState::Rejected).0, CommandState::Failed);
        assert_eq!(progress(WireState::TimedOut).0, CommandState::Expired);
        assert_eq!(progress(WireState::Accepted).0, CommandState::Sent);
        assert_eq!(progress(WireState::RolledBack).0, CommandState::RolledBack);
    }
}
