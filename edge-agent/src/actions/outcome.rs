//! `Outcome`: the final state of a command and the detail the NOC console shows.

use proto::{CommandId, CommandResult, CommandState};

/// Where a command ended, with a sentence saying why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub state: CommandState,
    pub detail: String,
}

impl Outcome {
    pub fn succeeded(detail: impl Into<String>) -> Self {
        Self::new(CommandState::Succeeded, detail)
    }

    pub fn failed(detail: impl Into<String>) -> Self {
        Self::new(CommandState::Failed, detail)
    }

    pub fn rejected(detail: impl Into<String>) -> Self {
        Self::new(CommandState::Rejected, detail)
    }

    pub fn rolled_back(detail: impl Into<String>) -> Self {
        Self::new(CommandState::RolledBack, detail)
    }

    pub fn timed_out(detail: impl Into<String>) -> Self {
        Self::new(CommandState::TimedOut, detail)
    }

    fn new(state: CommandState, detail: impl Into<String>) -> Self {
        Self {
            state,
            detail: detail.into(),
        }
    }

    pub fn result_for(&self, command_id: CommandId) -> CommandResult {
        CommandResult {
            command_id,
            state: self.state,
            detail: self.detail.clone(),
        }
    }
}
