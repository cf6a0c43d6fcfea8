//! A CPE reboot through the NBI: read the CPE's last boot, post a `reboot` task with a
//! connection request, withdraw it if the CPE did not run it (so it cannot reboot the CPE
//! hours later at its next periodic inform), and confirm by a later `_lastBoot`.

use std::time::Duration;

use time::OffsetDateTime;
use tokio::time::Instant;

use crate::client::{NbiClient, TaskPosted, Withdrawal};
use crate::error::Tr069Error;
use crate::fault::CpeFault;
use crate::parse::{BootRecord, CpeId, QueuedTask, TaskId};

/// Bounds of one reboot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RebootLimits {
    /// How long GenieACS waits for the CPE to open a session after the connection request
    /// (the NBI's `timeout` parameter).
    pub connection_request_timeout: Duration,
    /// How long after the CPE ran the task a new boot must show.
    pub confirm_within: Duration,
    /// How often the device's `_lastBoot` is read while confirming.
    pub poll_interval: Duration,
}

/// How a reboot ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RebootOutcome {
    /// The CPE ran the task and informed with a new boot.
    Confirmed {
        booted_at: OffsetDateTime,
        informed_at: Option<OffsetDateTime>,
        /// From the task post to the boot showing in the ACS.
        after: Duration,
    },
    /// The CPE ran the task but no new boot showed within `RebootLimits::confirm_within`.
    NotConfirmed { waited: Duration },
    /// The CPE did not answer the connection request; the queued task was deleted.
    Withdrawn { task: TaskId },
    /// The CPE answered with a fault; the task was deleted (`withdrawn`) or had gone already.
    Faulted {
        fault: CpeFault,
        task: TaskId,
        withdrawn: bool,
    },
    /// The task stayed queued (unanswered or faulted) and deleting it failed twice: it may
    /// still reboot the CPE at its next inform.
    NotWithdrawn {
        task: TaskId,
        fault: Option<CpeFault>,
        error: String,
    },
    /// The NBI did not answer the task post in time, so whether the CPE ran it is unknown;
    /// `withdrawn` queued reboot tasks of the CPE were deleted.
    PostUnanswered { error: String, withdrawn: usize },
}

/// The task GenieACS sends as a CWMP Reboot RPC.
fn reboot_task() -> serde_json::Value {
    serde_json::json!({ "name": "reboot" })
}

/// Reboots `cpe`; `step` is told each step in words. An error means no verdict: the NBI was
/// unreachable, refused the credentials, or does not know the CPE.
pub async fn reboot_cpe(
    nbi: &NbiClient,
    cpe: &CpeId,
    limits: &RebootLimits,
    step: &(dyn Fn(String) + Send + Sync),
) -> Result<RebootOutcome, Tr069Error> {
    step(format!("reading when {} last booted", cpe.as_str()));
    let before = nbi.boot_record(cpe).await?;
    step(format!(
        "posting a reboot task for {} with a connection request ({} ms)",
        cpe.as_str(),
        limits.connection_request_timeout.as_millis()
    ));
    let posted_at = Instant::now();
    let posted = match nbi
        .post_task(cpe, &reboot_task(), limits.connection_request_timeout)
        .await
    {
        Ok(posted) => posted,
        Err(error) if error.is_timeout() => {
            // The task may be queued with no id known here: withdraw every queued reboot.
            step("the task post timed out; withdrawing queued reboot tasks".to_owned());
            let withdrawn = withdraw_queued_reboots(nbi, cpe).await;
            return Ok(RebootOutcome::PostUnanswered {
                error: error.to_string(),
                withdrawn,
            });
        }
        Err(error) => return Err(error),
    };
    match posted {
        TaskPosted::Done(_) => confirm(nbi, cpe, &before, limits, posted_at, step).await,
        TaskPosted::Queued(task) => {
            let fault = match task.fault.clone() {
                Some(fault) => Some(fault),
                None => nbi.task_fault(cpe, &task.id).await.unwrap_or_else(|error| {
                    tracing::warn!(%error, "cannot read the task's fault");
                    None
                }),
            };
            step(format!("withdrawing queued task {}", task.id.as_str()));
            let withdrawal = match withdraw(nbi, &task).await {
                Ok(withdrawal) => withdrawal,
                Err(error) => {
                    return Ok(RebootOutcome::NotWithdrawn {
                        task: task.id,
                        fault,
                        error: error.to_string(),
                    })
                }
            };
            match withdrawal {
                Withdrawal::Deleted => Ok(match fault {
                    Some(fault) => RebootOutcome::Faulted {
                        fault,
                        task: task.id,
                        withdrawn: true,
                    },
                    None => RebootOutcome::Withdrawn { task: task.id },
                }),
                Withdrawal::AlreadyGone => match fault {
                    Some(fault) => Ok(RebootOutcome::Faulted {
                        fault,
                        task: task.id,
                        withdrawn: false,
                    }),
                    // The CPE came in and took the task before it could be withdrawn.
                    None => confirm(nbi, cpe, &before, limits, posted_at, step).await,
                },
            }
        }
    }
}

async fn withdraw(nbi: &NbiClient, task: &QueuedTask) -> Result<Withdrawal, Tr069Error> {
    // One retry: a queued reboot left behind would reboot the CPE at an unplanned time.
    match nbi.delete_task(&task.id).await {
        Ok(withdrawal) => Ok(withdrawal),
        Err(first) => {
            tracing::warn!(error = %first, task = task.id.as_str(), "withdrawing the task failed; trying once more");
            nbi.delete_task(&task.id).await
        }
    }
}

/// Deletes the CPE's queued reboot tasks; how many were deleted.
async fn withdraw_queued_reboots(nbi: &NbiClient, cpe: &CpeId) -> usize {
    let tasks = match nbi.queued_tasks(cpe, "reboot").await {
        Ok(tasks) => tasks,
        Err(error) => {
            tracing::error!(%error, "cannot list queued reboot tasks to withdraw them");
            return 0;
        }
    };
    let mut withdrawn = 0;
    for task in tasks {
        match withdraw(nbi, &task).await {
            Ok(Withdrawal::Deleted) => withdrawn += 1,
            Ok(Withdrawal::AlreadyGone) => {}
            Err(error) => {
                tracing::error!(%error, task = task.id.as_str(), "a queued reboot task could not be withdrawn")
            }
        }
    }
    withdrawn
}

async fn confirm(
    nbi: &NbiClient,
    cpe: &CpeId,
    before: &BootRecord,
    limits: &RebootLimits,
    posted_at: Instant,
    step: &(dyn Fn(String) + Send + Sync),
) -> Result<RebootOutcome, Tr069Error> {
    step(format!(
        "the CPE ran the reboot task; waiting up to {} s for it to boot and inform",
        limits.confirm_within.as_secs()
    ));
    let started = Instant::now();
    let deadline = started + limits.confirm_within;
    loop {
        match nbi.boot_record(cpe).await {
            Ok(now) if now.booted_since(before) => {
                if let Some(booted_at) = now.last_boot {
                    return Ok(RebootOutcome::Confirmed {
                        booted_at,
                        informed_at: now.last_inform,
                        after: posted_at.elapsed(),
                    });
                }
            }
            Ok(_) => {}
            // A busy ACS may miss a read; the deadline bounds the wait.
            Err(error) => tracing::debug!(%error, "reading the CPE's last boot failed"),
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(RebootOutcome::NotConfirmed {
                waited: started.elapsed(),
            });
        }
        tokio::time::sleep(limits.poll_interval.min(left)).await;
    }
}
