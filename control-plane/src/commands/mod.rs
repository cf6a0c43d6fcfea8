//! The device command pipeline: a queued command goes to the agent connected for its device's
//! site (`dispatch`), as the `proto::Command` built by `translate`; the agent's
//! `CommandResult`s move it forward (`results`); `expiry` ends commands past their per-kind
//! deadline (`settings`); `request` queues the commands staff ask for.

pub mod dispatch;
pub mod expiry;
pub mod metrics;
pub mod request;
pub mod results;
pub mod settings;
pub mod translate;

use std::collections::HashMap;
use std::sync::Mutex;

use tokio::sync::watch;

pub use settings::CommandSettings;

/// Shared by the HTTP handlers that queue commands and the agent connections that send them.
pub struct CommandPipeline {
    pub settings: CommandSettings,
    /// Bumped whenever a command is queued; every agent connection watches it.
    queued: watch::Sender<u64>,
    /// The agent connection that sends each site's commands: the newest one of the site.
    site_senders: Mutex<HashMap<String, u64>>,
}

impl CommandPipeline {
    pub fn new(settings: CommandSettings) -> Self {
        Self {
            settings,
            queued: watch::channel(0).0,
            site_senders: Mutex::new(HashMap::new()),
        }
    }

    /// Tells the agent connections that a command was queued.
    pub fn wake(&self) {
        self.queued.send_modify(|n| *n = n.wrapping_add(1));
    }

    fn senders(&self) -> std::sync::MutexGuard<'_, HashMap<String, u64>> {
        self.site_senders.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Default for CommandPipeline {
    fn default() -> Self {
        Self::new(CommandSettings::default())
    }
}
