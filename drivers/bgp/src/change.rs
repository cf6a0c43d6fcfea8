//! Carrying out a peering change safely: pre-check, apply with rollback armed, post-check
//! within a deadline, then confirm — or roll back and report why.

use std::net::IpAddr;
use std::time::Duration;

use tokio::time::Instant;

use crate::bird::{self, stanza::stanza_path};
use crate::error::BgpChangeError;
use crate::frr;
use crate::peering::{PeerStatus, PeeringChange};
use crate::plan::{ChangePlan, RouterAction};
use crate::router::BgpRouter;
use crate::shell::{RouterShell, RouterShellError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChangeOptions {
    /// How long the post-check waits for the asked state.
    pub post_check_deadline: Duration,
    pub poll_interval: Duration,
}

impl Default for ChangeOptions {
    fn default() -> Self {
        Self {
            post_check_deadline: Duration::from_secs(60),
            poll_interval: Duration::from_secs(1),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeOutcome {
    /// The post-check passed and the change is confirmed.
    Confirmed,
    /// The change did not work and was taken back; `reason` says why.
    RolledBack { reason: String },
}

#[derive(Debug, Clone)]
pub struct ChangeReport {
    pub change: PeeringChange,
    pub plan: ChangePlan,
    pub before: Option<PeerStatus>,
    /// The last state read: after confirming, or after rolling back.
    pub after: Option<PeerStatus>,
    pub outcome: ChangeOutcome,
}

/// The plan for `change` against the router's current state, without changing anything.
pub async fn dry_run<S: RouterShell>(
    shell: &S,
    router: &BgpRouter,
    change: &PeeringChange,
) -> Result<ChangePlan, BgpChangeError> {
    Ok(pre_check(shell, router, change).await?.1)
}

/// Applies `change` with the safe pattern. `Ok` carries both outcomes (confirmed or rolled
/// back); `Err` means the change could not be planned, or rolling it back failed.
pub async fn apply_change<S: RouterShell>(
    shell: &S,
    router: &BgpRouter,
    change: &PeeringChange,
    options: &ChangeOptions,
) -> Result<ChangeReport, BgpChangeError> {
    let neighbor = change.neighbor();
    let (before, plan) = pre_check(shell, router, change).await?;
    tracing::info!(%neighbor, ?change, expected = %plan.expected, "applying BGP peering change");
    let report = |after, outcome| ChangeReport {
        change: change.clone(),
        plan: plan.clone(),
        before: before.clone(),
        after,
        outcome,
    };

    for (index, step) in plan.steps.iter().enumerate() {
        if let Err(reason) = perform(shell, &step.action).await {
            let reason = format!("the change was refused: {reason}");
            roll_back(shell, &plan.undo_for(index, Some(index)), &reason).await?;
            let after = read_status(shell, router, neighbor).await.ok().flatten();
            tracing::warn!(%neighbor, %reason, "BGP peering change rolled back");
            return Ok(report(after, ChangeOutcome::RolledBack { reason }));
        }
    }

    let (met, last) = post_check(shell, router, neighbor, &plan, options).await;
    if met {
        for action in &plan.confirm {
            perform(shell, action)
                .await
                .map_err(BgpChangeError::ConfirmFailed)?;
        }
        tracing::info!(%neighbor, "BGP peering change confirmed");
        return Ok(report(last, ChangeOutcome::Confirmed));
    }

    let state = match &last {
        Some(status) => format!("{:?}", status.state),
        None => "not configured".to_owned(),
    };
    let error = last
        .as_ref()
        .and_then(|s| s.last_error.as_deref())
        .map(|e| format!(", last error: {e}"))
        .unwrap_or_default();
    let reason = format!(
        "neighbor {neighbor} did not become {} within {:?} (state {state}{error})",
        plan.expected, options.post_check_deadline
    );
    roll_back(shell, &plan.undo_for(plan.steps.len(), None), &reason).await?;
    let after = read_status(shell, router, neighbor).await.ok().flatten();
    tracing::warn!(%neighbor, %reason, "BGP peering change rolled back");
    Ok(report(after, ChangeOutcome::RolledBack { reason }))
}

async fn pre_check<S: RouterShell>(
    shell: &S,
    router: &BgpRouter,
    change: &PeeringChange,
) -> Result<(Option<PeerStatus>, ChangePlan), BgpChangeError> {
    let neighbor = change.neighbor();
    let before = read_status(shell, router, neighbor).await?;
    let plan = match router {
        BgpRouter::Frr(frr_router) => frr::plan(frr_router, change, before.as_ref())?,
        BgpRouter::Bird(bird_router) => {
            let file = shell.read_file(&stanza_path(bird_router, neighbor)).await?;
            bird::plan(bird_router, change, before.as_ref(), file.as_deref())?
        }
    };
    Ok((before, plan))
}

/// Reads the neighbor's state; `None` when the router has no such neighbor.
pub(crate) async fn read_status<S: RouterShell>(
    shell: &S,
    router: &BgpRouter,
    neighbor: IpAddr,
) -> Result<Option<PeerStatus>, BgpChangeError> {
    let status_error = |source| BgpChangeError::Status { neighbor, source };
    match router {
        BgpRouter::Frr(frr_router) => {
            let command = frr::status_command(frr_router, neighbor);
            let reply = shell.run(&command).await?;
            if !reply.succeeded() {
                return Err(RouterShellError::Failed {
                    command: command.shell_line(),
                    output: reply.text(),
                }
                .into());
            }
            frr::parse_neighbor_json(&reply.stdout, neighbor).map_err(status_error)
        }
        BgpRouter::Bird(bird_router) => {
            // birdc exits 1 for "No protocols match": the text decides.
            let reply = shell
                .run(&bird::status_command(bird_router, neighbor))
                .await?;
            bird::parse_show_protocols(&reply.stdout).map_err(status_error)
        }
    }
}

/// Polls until the expected state or the deadline; bounded in time and in count.
async fn post_check<S: RouterShell>(
    shell: &S,
    router: &BgpRouter,
    neighbor: IpAddr,
    plan: &ChangePlan,
    options: &ChangeOptions,
) -> (bool, Option<PeerStatus>) {
    let deadline = Instant::now() + options.post_check_deadline;
    let interval = options.poll_interval.max(Duration::from_millis(50));
    let max_polls = options.post_check_deadline.as_millis() / interval.as_millis() + 2;
    let mut last = None;
    for _ in 0..max_polls {
        match read_status(shell, router, neighbor).await {
            Ok(status) => {
                if plan.expected.is_met_by(status.as_ref()) {
                    return (true, status);
                }
                last = status;
            }
            Err(error) => tracing::debug!(%neighbor, %error, "post-check read failed"),
        }
        if Instant::now() + interval > deadline {
            break;
        }
        tokio::time::sleep(interval).await;
    }
    (false, last)
}

async fn roll_back<S: RouterShell>(
    shell: &S,
    undo: &[RouterAction],
    reason: &str,
) -> Result<(), BgpChangeError> {
    let mut failures = Vec::new();
    for action in undo {
        if let Err(failure) = perform(shell, action).await {
            failures.push(failure);
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(BgpChangeError::RollbackFailed {
            reason: reason.to_owned(),
            rollback: failures.join("; "),
        })
    }
}

/// Runs one action; the error is a sentence for the report.
async fn perform<S: RouterShell>(shell: &S, action: &RouterAction) -> Result<(), String> {
    match action {
        RouterAction::Run(command) => {
            let reply = shell.run(command).await.map_err(|e| e.to_string())?;
            if reply.succeeded() {
                Ok(())
            } else {
                Err(format!("`{command}` failed: {}", reply.text()))
            }
        }
        RouterAction::WriteFile { path, contents } => shell
            .write_file(path, contents)
            .await
            .map_err(|e| e.to_string()),
        RouterAction::RemoveFile { path } => {
            shell.remove_file(path).await.map_err(|e| e.to_string())
        }
    }
}
