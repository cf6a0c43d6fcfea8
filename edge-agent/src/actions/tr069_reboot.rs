//! CPE reboot through TR-069: a `reboot` task posted to the GenieACS NBI with a connection
//! request (`netops-tr069`). Succeeded only when the CPE booted and informed the ACS again; a
//! task the CPE did not run is withdrawn, so it cannot reboot the CPE hours later.

use std::time::Duration;

use netops_tr069::{reboot_cpe, NbiClient, RebootLimits, RebootOutcome, Tr069Error};
use time::OffsetDateTime;

use super::context::Progress;
use super::outcome::Outcome;
use crate::config::{DeviceConfig, Tr069Access};

/// A reboot of one CPE through GenieACS, checked against the configuration.
#[derive(Debug, Clone)]
pub struct Tr069Reboot {
    pub device: String,
    pub access: Tr069Access,
}

pub fn plan(device: &DeviceConfig) -> Result<Tr069Reboot, String> {
    let access = device.tr069.clone().ok_or_else(|| {
        format!(
            "device {:?} has no [devices.tr069] in the agent's configuration; add nbi_url and device_id to reboot it through GenieACS",
            device.name
        )
    })?;
    Ok(Tr069Reboot {
        device: device.name.clone(),
        access,
    })
}

impl Tr069Reboot {
    /// E.g. `cpe-17 (GenieACS device 202BC1-BM632w-0000000 at http://acs:7557)`.
    pub fn describe(&self) -> String {
        format!(
            "{} (GenieACS device {} at {})",
            self.device,
            self.access.cpe.as_str(),
            self.access.endpoint.url()
        )
    }
}

pub async fn reboot_over_tr069(
    reboot: &Tr069Reboot,
    poll_interval: Duration,
    progress: &Progress,
) -> Outcome {
    let device = reboot.describe();
    let nbi = match NbiClient::new(reboot.access.endpoint.clone()) {
        Ok(nbi) => nbi,
        Err(error) => return Outcome::failed(format!("not rebooted: {error}")),
    };
    let limits = RebootLimits {
        connection_request_timeout: reboot.access.connection_request_timeout,
        confirm_within: reboot.access.confirm_within,
        poll_interval,
    };
    let step = |text: String| progress.set(text);
    match reboot_cpe(&nbi, &reboot.access.cpe, &limits, &step).await {
        Ok(outcome) => verdict(&device, &limits, outcome),
        Err(error) => failure(&device, error),
    }
}

fn verdict(device: &str, limits: &RebootLimits, outcome: RebootOutcome) -> Outcome {
    match outcome {
        RebootOutcome::Confirmed {
            booted_at,
            informed_at,
            after,
        } => {
            let informed = informed_at
                .map(|at| format!(" at {}", utc(at)))
                .unwrap_or_default();
            Outcome::succeeded(format!(
                "confirmed: the CPE booted at {} and informed{informed}, {:.1} s after the reboot task; {device}",
                utc(booted_at),
                after.as_secs_f64()
            ))
        }
        RebootOutcome::NotConfirmed { waited } => Outcome::failed(format!(
            "reboot sent, not confirmed within {} s: {device} ran the reboot task but GenieACS has seen no new boot",
            waited.as_secs()
        )),
        RebootOutcome::Withdrawn { task } => Outcome::failed(format!(
            "CPE did not answer the connection request; task withdrawn: {device} opened no session within {} ms, so reboot task {} was deleted rather than left to run at its next inform",
            limits.connection_request_timeout.as_millis(),
            task.as_str()
        )),
        RebootOutcome::Faulted {
            fault, withdrawn, ..
        } => {
            let task = if withdrawn {
                "task withdrawn"
            } else {
                "the task had already left the queue"
            };
            Outcome::failed(format!(
                "the CPE refused the reboot: {}; {task}; {device}",
                fault.reason()
            ))
        }
        RebootOutcome::NotWithdrawn { task, fault, error } => {
            let why = fault
                .map(|fault| format!("the CPE refused the reboot ({})", fault.reason()))
                .unwrap_or_else(|| "the CPE did not answer the connection request".to_owned());
            Outcome::failed(format!(
                "{why} and reboot task {} could not be withdrawn ({error}); delete it in GenieACS, or {device} reboots at its next inform",
                task.as_str()
            ))
        }
        RebootOutcome::PostUnanswered { error, withdrawn } => Outcome::timed_out(format!(
            "whether {device} reboots is unknown: {error}; {withdrawn} queued reboot task(s) withdrawn"
        )),
    }
}

fn failure(device: &str, error: Tr069Error) -> Outcome {
    match error {
        Tr069Error::NoSuchDevice { .. } => Outcome::failed(format!(
            "not rebooted: {error}; check tr069.device_id of {device} against GenieACS's device list"
        )),
        Tr069Error::Unauthorized { .. } => Outcome::failed(format!(
            "not rebooted: {error}; check tr069.username and password_file (or token_file)"
        )),
        other => Outcome::failed(format!("not rebooted: {other}; {device}")),
    }
}

/// E.g. `2026-12-08 01:02:03 UTC`.
fn utc(at: OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC)
        .format(time::macros::format_description!(
            "[year]-[month]-[day] [hour]:[minute]:[second] UTC"
        ))
        .unwrap_or_else(|_| at.to_string())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use netops_tr069::{parse_nbi_timestamp, CpeFault, RebootLimits, RebootOutcome, TaskId};
    use proto::CommandState;

    use super::verdict;

    const DEVICE: &str = "cpe-1 (GenieACS device X at http://127.0.0.1:7557)";

    fn check(outcome: RebootOutcome, state: CommandState, detail: &str) {
        let limits = RebootLimits {
            connection_request_timeout: Duration::from_millis(10_000),
            confirm_within: Duration::from_secs(120),
            poll_interval: Duration::from_millis(500),
        };
        let got = verdict(DEVICE, &limits, outcome);
        assert_eq!((got.state, got.detail.as_str()), (state, detail));
    }

    fn task() -> TaskId {
        TaskId::parse("657100000000000000000001").unwrap()
    }

    fn fault() -> CpeFault {
        serde_json::from_str(r#"{"code":"cwmp.9001","message":"Request denied"}"#).unwrap()
    }

    #[test]
    fn verdicts_in_words() {
        check(
            RebootOutcome::Confirmed {
                booted_at: parse_nbi_timestamp("2026-12-08T01:02:03.456Z").unwrap(),
                informed_at: parse_nbi_timestamp("2026-12-08T01:02:04.000Z"),
                after: Duration::from_millis(62_400),
            },
            CommandState::Succeeded,
            "confirmed: the CPE booted at 2026-12-08 01:02:03 UTC and informed at 2026-12-08 01:02:04 UTC, 62.4 s after the reboot task; cpe-1 (GenieACS device X at http://127.0.0.1:7557)",
        );
        check(
            RebootOutcome::NotConfirmed {
                waited: Duration::from_secs(120),
            },
            CommandState::Failed,
            "reboot sent, not confirmed within 120 s: cpe-1 (GenieACS device X at http://127.0.0.1:7557) ran the reboot task but GenieACS has seen no new boot",
        );
        check(
            RebootOutcome::Withdrawn { task: task() },
            CommandState::Failed,
            "CPE did not answer the connection request; task withdrawn: cpe-1 (GenieACS device X at http://127.0.0.1:7557) opened no session within 10000 ms, so reboot task 657100000000000000000001 was deleted rather than left to run at its next inform",
        );
        check(
            RebootOutcome::Faulted {
                fault: fault(),
                task: task(),
                withdrawn: true,
            },
            CommandState::Failed,
            "the CPE refused the reboot: CWMP fault 9001 (request denied): Request denied; task withdrawn; cpe-1 (GenieACS device X at http://127.0.0.1:7557)",
        );
        check(
            RebootOutcome::NotWithdrawn {
                task: task(),
                fault: None,
                error: "the NBI at http://127.0.0.1:7557 did not answer within 10 s".into(),
            },
            CommandState::Failed,
            "the CPE did not answer the connection request and reboot task 657100000000000000000001 could not be withdrawn (the NBI at http://127.0.0.1:7557 did not answer within 10 s); delete it in GenieACS, or cpe-1 (GenieACS device X at http://127.0.0.1:7557) reboots at its next inform",
        );
        check(
            RebootOutcome::PostUnanswered {
                error: "the NBI at http://127.0.0.1:7557 did not answer within 30 s".into(),
                withdrawn: 1,
            },
            CommandState::TimedOut,
            "whether cpe-1 (GenieACS device X at http://127.0.0.1:7557) reboots is unknown: the NBI at http://127.0.0.1:7557 did not answer within 30 s; 1 queued reboot task(s) withdrawn",
        );
    }
}
