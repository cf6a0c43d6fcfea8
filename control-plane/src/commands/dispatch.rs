//! Sending commands to the agent of a site: which connection sends (the site's newest), which
//! commands are due (queued ones when woken; every unfinished one when the agent connects, as
//! the agent de-duplicates by id), and never one past its deadline.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::translate::translate;
use super::CommandPipeline;
use crate::domain::time::{now, parse_timestamp};
use crate::domain::{CommandKind, CommandState};
use crate::http::AppState;
use crate::store::command_dispatch::DispatchRow;

/// One agent connection's claim to send its site's commands; dropping it gives the claim up.
pub struct SiteOutbox {
    pipeline: Arc<CommandPipeline>,
    pub site_id: String,
    connection_id: u64,
    queued: watch::Receiver<u64>,
}

impl SiteOutbox {
    /// Claims the site for this connection, taking it from an older connection of the site.
    pub fn open(pipeline: &Arc<CommandPipeline>, site_id: &str, connection_id: u64) -> Self {
        pipeline.senders().insert(site_id.to_owned(), connection_id);
        let mut queued = pipeline.queued.subscribe();
        queued.mark_unchanged();
        Self {
            pipeline: Arc::clone(pipeline),
            site_id: site_id.to_owned(),
            connection_id,
            queued,
        }
    }

    /// Whether this connection sends the site's commands now.
    pub fn sends_for_site(&self) -> bool {
        self.pipeline.senders().get(&self.site_id) == Some(&self.connection_id)
    }

    /// Completes when a command was queued since the last call.
    pub async fn woken(&mut self) {
        if self.queued.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

impl Drop for SiteOutbox {
    fn drop(&mut self) {
        let mut senders = self.pipeline.senders();
        if senders.get(&self.site_id) == Some(&self.connection_id) {
            senders.remove(&self.site_id);
        }
    }
}

/// Whether a command queued at `created_at` is still within `deadline`.
fn within_deadline(created_at: &str, deadline: Duration) -> bool {
    let Some(created) = parse_timestamp(created_at) else {
        return false;
    };
    let elapsed = now() - created;
    elapsed < time::Duration::try_from(deadline).unwrap_or(time::Duration::MAX)
}

/// The commands this connection should send now. Rows that cannot become a wire command are
/// failed with the reason instead.
pub async fn due(
    state: &AppState,
    outbox: &SiteOutbox,
    with_delivered: bool,
) -> Vec<proto::Command> {
    if !outbox.sends_for_site() {
        return Vec::new();
    }
    let rows = match state
        .store
        .commands_to_send(&outbox.site_id, with_delivered)
        .await
    {
        Ok(rows) => rows,
        Err(err) => {
            tracing::warn!(error = %err, site = %outbox.site_id, "unable to read queued commands");
            return Vec::new();
        }
    };
    let mut commands = Vec::new();
    for row in rows {
        let Ok(kind) = CommandKind::parse(&row.kind) else {
            continue;
        };
        if !within_deadline(&row.created_at, state.commands.settings.deadline(kind)) {
            continue;
        }
        match translate(&row) {
            Ok(command) => commands.push(command),
            Err(err) => unsendable(state, &row, &err.to_string()).await,
        }
    }
    commands
}

async fn unsendable(state: &AppState, row: &DispatchRow, why: &str) {
    tracing::warn!(command = %row.id, kind = %row.kind, reason = %why, "command cannot be sent");
    let detail = format!("not sent: {why}");
    match state
        .store
        .advance_command(&row.id, CommandState::Failed, Some(&detail))
        .await
    {
        Ok(true) => state
            .metrics
            .commands
            .unsendable
            .with_label_values(&[&row.kind])
            .inc(),
        Ok(false) => {}
        Err(err) => tracing::warn!(error = %err, command = %row.id, "unable to fail a command"),
    }
}

/// Records that a command was written to the agent's socket: queued becomes sent.
pub async fn written(state: &AppState, command: &proto::Command) {
    let id = command.command_id.to_string();
    let kind = match command.kind {
        proto::CommandKind::RebootOnu => "reboot_onu",
        proto::CommandKind::RebootRouter => "reboot_router",
        proto::CommandKind::DisconnectSession
        | proto::CommandKind::DisconnectSessionWithHints { .. } => "disconnect",
        proto::CommandKind::ChangeSpeed { .. }
        | proto::CommandKind::ChangeSpeedWithHints { .. } => "change_speed",
        proto::CommandKind::BgpPeer { .. } => "bgp_peer_change",
        proto::CommandKind::FastPollOptics { .. } => "fast_poll_optics",
    };
    state
        .metrics
        .commands
        .dispatched
        .with_label_values(&[kind])
        .inc();
    if let Err(err) = state
        .store
        .advance_command(&id, CommandState::Sent, None)
        .await
    {
        tracing::warn!(error = %err, command = %id, "unable to mark a command sent");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_count_from_queueing() {
        let text = |ago_secs: i64| {
            crate::domain::time::timestamp_text(now() - time::Duration::seconds(ago_secs))
        };
        assert!(within_deadline(&text(10), Duration::from_secs(60)));
        assert!(!within_deadline(&text(61), Duration::from_secs(60)));
        assert!(!within_deadline("garbage", Duration::from_secs(60)));
    }

    #[test]
    fn the_newest_connection_of_a_site_sends() {
        let pipeline = Arc::new(CommandPipeline::default());
        let first = SiteOutbox::open(&pipeline, "s1", 1);
        assert!(first.sends_for_site());
        let second = SiteOutbox::open(&pipeline, "s1", 2);
        assert!(!first.sends_for_site());
        drop(first);
        assert!(second.sends_for_site());
        drop(second);
        assert!(pipeline.senders().is_empty());
    }
}
