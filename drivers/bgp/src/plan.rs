//! A change plan: the exact router actions of a change, each with what undoes it, and what
//! confirms it. A dry run shows a plan; `apply_change` carries it out.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::peering::ExpectedSession;
use crate::shell::RouterCommand;

/// One thing done on the router.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouterAction {
    /// Runs a command; a non-zero exit fails the step.
    Run(RouterCommand),
    WriteFile {
        path: PathBuf,
        contents: String,
    },
    RemoveFile {
        path: PathBuf,
    },
}

impl fmt::Display for RouterAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Run(command) => write!(f, "{command}"),
            Self::WriteFile { path, contents } => {
                write!(f, "write {}:\n{}", path.display(), contents.trim_end())
            }
            Self::RemoveFile { path } => write!(f, "remove {}", path.display()),
        }
    }
}

/// An action and the actions that undo it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanStep {
    pub action: RouterAction,
    pub undo: Vec<RouterAction>,
    /// Undo even when this step itself failed (a vtysh batch may stop half way); false when
    /// a failed step changed nothing and undoing would revert someone else's change.
    pub undo_if_failed: bool,
}

/// How a failed change is taken back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RollbackKind {
    /// The daemon reverts by itself after this long unless confirmed (BIRD
    /// `configure timeout`); netops also reverts at once when the post-check fails.
    DaemonTimer { revert_after: Duration },
    /// The daemon has no commit-confirm (FRR): netops applies the inverse commands. If netops
    /// itself dies between apply and post-check, nothing reverts the change.
    InverseCommands,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangePlan {
    pub steps: Vec<PlanStep>,
    pub confirm: Vec<RouterAction>,
    pub expected: ExpectedSession,
    pub rollback: RollbackKind,
}

impl ChangePlan {
    /// Every action in the order it would run on success: the dry run's answer.
    pub fn actions(&self) -> Vec<String> {
        self.steps
            .iter()
            .map(|step| step.action.to_string())
            .chain(self.confirm.iter().map(ToString::to_string))
            .collect()
    }

    /// The undo actions for the first `applied` steps, last step first.
    pub fn undo_for(&self, applied: usize, failed_step: Option<usize>) -> Vec<RouterAction> {
        let failed = failed_step
            .and_then(|i| self.steps.get(i))
            .filter(|step| step.undo_if_failed)
            .map(|step| step.undo.clone())
            .unwrap_or_default();
        failed
            .into_iter()
            .chain(
                self.steps[..applied.min(self.steps.len())]
                    .iter()
                    .rev()
                    .flat_map(|step| step.undo.iter().cloned()),
            )
            .collect()
    }
}
