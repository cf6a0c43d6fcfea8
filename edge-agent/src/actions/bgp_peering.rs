//! BGP peering changes through `netops_bgp`: the command's change checked and turned into the
//! driver's `PeeringChange`, run on the router's daemon through a local process or the
//! device's SSH login, with the driver's safe pattern (pre-check, apply with rollback armed,
//! post-check, confirm or roll back). A dry run changes nothing and reports the commands.

use std::net::IpAddr;

use netops_bgp::{
    apply_change, dry_run, AsNumber, BgpChangeError, BgpRouter, ChangeOutcome, ChangePlan,
    LocalShell, PeerStatus, PeeringChange, PolicyName, RollbackKind, RouterShell, SshShell,
};
use netops_ssh::{CommandLimits, SshSession};
use proto::BgpPeerChange;

use super::context::Progress;
use super::outcome::Outcome;
use crate::config::{BgpAccess, BgpShell, DeviceConfig, SshAccess};

/// Router output kept per command over SSH.
const MAX_OUTPUT_BYTES: usize = 1024 * 1024;

/// A peering change on one router, checked against the configuration.
#[derive(Debug, Clone)]
pub struct BgpPeering {
    pub device: String,
    pub bgp: BgpAccess,
    /// The login used when the daemon is reached over SSH.
    pub ssh: Option<SshAccess>,
    pub change: PeeringChange,
    pub dry_run: bool,
}

fn policy(direction: &str, name: Option<&String>) -> Result<Option<PolicyName>, String> {
    name.map(|name| PolicyName::parse(name).map_err(|error| format!("{direction} policy: {error}")))
        .transpose()
}

/// The driver's change for the command's, or why it cannot be made.
pub fn peering_change(neighbor: IpAddr, change: &BgpPeerChange) -> Result<PeeringChange, String> {
    if neighbor.is_unspecified() || neighbor.is_multicast() || neighbor.is_loopback() {
        return Err(format!(
            "{neighbor} cannot be a BGP neighbor (unspecified, loopback or multicast)"
        ));
    }
    Ok(match change {
        BgpPeerChange::Add {
            remote_asn,
            max_prefixes,
            import_policy,
            export_policy,
        } => {
            if *remote_asn == 0 || *remote_asn == u32::MAX {
                return Err(format!(
                    "AS {remote_asn} is reserved and cannot be a peer's AS"
                ));
            }
            if *max_prefixes == Some(0) {
                return Err(
                    "a prefix limit of 0 would refuse every route; give at least 1 or no limit"
                        .to_owned(),
                );
            }
            PeeringChange::AddNeighbor {
                neighbor,
                remote_as: AsNumber(*remote_asn),
                max_prefixes: *max_prefixes,
                import_policy: policy("import", import_policy.as_ref())?,
                export_policy: policy("export", export_policy.as_ref())?,
            }
        }
        BgpPeerChange::Shutdown => PeeringChange::ShutDown { neighbor },
        BgpPeerChange::Enable => PeeringChange::Enable { neighbor },
        BgpPeerChange::Remove => PeeringChange::Remove { neighbor },
        BgpPeerChange::SetPrefixLimit { max_prefixes } => {
            if *max_prefixes == Some(0) {
                return Err("a prefix limit of 0 would refuse every route; give at least 1 or none to remove the limit".to_owned());
            }
            PeeringChange::SetPrefixLimit {
                neighbor,
                max_prefixes: *max_prefixes,
            }
        }
        BgpPeerChange::SetPolicy {
            import_policy,
            export_policy,
        } => PeeringChange::SetPolicies {
            neighbor,
            import_policy: policy("import", import_policy.as_ref())?,
            export_policy: policy("export", export_policy.as_ref())?,
        },
    })
}

/// The peering plan for `device`, or why the agent refuses it.
pub fn plan(
    device: &DeviceConfig,
    neighbor: IpAddr,
    change: &BgpPeerChange,
    dry_run: bool,
) -> Result<BgpPeering, String> {
    let bgp = device.bgp.clone().ok_or_else(|| {
        format!(
            "device {:?} has no BGP daemon in the agent's configuration; add [devices.bgp] (daemon, local_as, and how to reach vtysh or birdc) to change its peerings",
            device.name
        )
    })?;
    let change = peering_change(neighbor, change)?;
    Ok(BgpPeering {
        device: device.name.clone(),
        bgp,
        ssh: device.ssh.clone(),
        change,
        dry_run,
    })
}

/// The change in words, e.g. `add neighbor 10.0.0.2 (AS 65002, at most 100 prefixes)`.
pub fn describe(change: &PeeringChange) -> String {
    let n = change.neighbor();
    let name = |policy: &Option<PolicyName>| {
        policy
            .as_ref()
            .map_or_else(|| "none".to_owned(), ToString::to_string)
    };
    match change {
        PeeringChange::AddNeighbor {
            remote_as,
            max_prefixes,
            import_policy,
            export_policy,
            ..
        } => {
            let mut words = vec![format!("AS {remote_as}")];
            if let Some(limit) = max_prefixes {
                words.push(format!("at most {limit} prefixes"));
            }
            if let Some(policy) = import_policy {
                words.push(format!("import policy {policy}"));
            }
            if let Some(policy) = export_policy {
                words.push(format!("export policy {policy}"));
            }
            format!("add neighbor {n} ({})", words.join(", "))
        }
        PeeringChange::ShutDown { .. } => format!("shut down neighbor {n}"),
        PeeringChange::Enable { .. } => format!("enable neighbor {n}"),
        PeeringChange::Remove { .. } => format!("remove neighbor {n}"),
        PeeringChange::SetPrefixLimit {
            max_prefixes: Some(limit),
            ..
        } => format!("set the prefix limit of neighbor {n} to {limit}"),
        PeeringChange::SetPrefixLimit {
            max_prefixes: None, ..
        } => format!("remove the prefix limit of neighbor {n}"),
        PeeringChange::SetPolicies {
            import_policy,
            export_policy,
            ..
        } => format!(
            "set the policies of neighbor {n} (import {}, export {})",
            name(import_policy),
            name(export_policy)
        ),
    }
}

impl BgpPeering {
    /// E.g. `dry run: shut down neighbor 10.0.0.2 on edge-1 (FRR)`.
    pub fn describe(&self) -> String {
        let daemon = match self.bgp.router {
            BgpRouter::Frr(_) => "FRR",
            BgpRouter::Bird(_) => "BIRD",
        };
        let dry = if self.dry_run { "dry run: " } else { "" };
        format!(
            "{dry}{} on {} ({daemon})",
            describe(&self.change),
            self.device
        )
    }
}

/// Runs the change (or the dry run) on the router's daemon.
pub async fn change_peering(peering: &BgpPeering, progress: &Progress) -> Outcome {
    match &peering.bgp.shell {
        BgpShell::Local { netns } => {
            let shell = LocalShell {
                netns: netns.clone(),
                command_timeout: peering.bgp.command_timeout,
            };
            run_on(&shell, peering, progress).await
        }
        BgpShell::Ssh => {
            let Some(ssh) = &peering.ssh else {
                return Outcome::rejected(format!(
                    "device {:?} reaches its BGP daemon over SSH but has no [devices.ssh] login",
                    peering.device
                ));
            };
            progress.set(format!(
                "logging in to {} at {} over SSH",
                peering.device,
                ssh.target.address()
            ));
            let session = match SshSession::open(&ssh.target).await {
                Ok(session) => session,
                Err(error) => {
                    return Outcome::failed(format!(
                        "not changed: cannot log in to {} over SSH: {error}",
                        peering.device
                    ))
                }
            };
            let shell = SshShell {
                session,
                limits: CommandLimits {
                    timeout: peering.bgp.command_timeout,
                    max_output_bytes: MAX_OUTPUT_BYTES,
                },
            };
            let outcome = run_on(&shell, peering, progress).await;
            shell.session.close().await;
            outcome
        }
    }
}

async fn run_on<S: RouterShell>(shell: &S, peering: &BgpPeering, progress: &Progress) -> Outcome {
    let words = peering.describe();
    let router = &peering.bgp.router;
    if peering.dry_run {
        progress.set(format!("{words}: reading the neighbor's state"));
        return match dry_run(shell, router, &peering.change).await {
            Ok(plan) => Outcome::succeeded(format!(
                "{words}: nothing was changed; would run: {}; then wait for the session to be {}; {}",
                actions(&plan),
                plan.expected,
                rollback_words(&plan)
            )),
            Err(error) => Outcome::failed(format!("{words}: the change cannot be made: {error}")),
        };
    }
    progress.set(format!(
        "{words}: pre-check, apply, then wait up to {} s for the session before confirming or rolling back",
        peering.bgp.options.post_check_deadline.as_secs()
    ));
    match apply_change(shell, router, &peering.change, &peering.bgp.options).await {
        Ok(report) => match &report.outcome {
            ChangeOutcome::Confirmed => Outcome::succeeded(format!(
                "{words}: confirmed, neighbor now {}; applied: {}",
                status_words(report.after.as_ref()),
                actions(&report.plan)
            )),
            ChangeOutcome::RolledBack { reason } => Outcome::rolled_back(format!(
                "{words}: rolled back: {reason}; neighbor now {}; applied and undone: {}",
                status_words(report.after.as_ref()),
                actions(&report.plan)
            )),
        },
        Err(
            error @ (BgpChangeError::Plan(_)
            | BgpChangeError::Status { .. }
            | BgpChangeError::Shell(_)),
        ) => Outcome::failed(format!(
            "{words}: not applied, nothing was changed: {error}"
        )),
        Err(error) => Outcome::failed(format!("{words}: {error}")),
    }
}

fn actions(plan: &ChangePlan) -> String {
    plan.actions().join("; ")
}

fn rollback_words(plan: &ChangePlan) -> String {
    match plan.rollback {
        RollbackKind::DaemonTimer { revert_after } => format!(
            "if it does not, BIRD reverts it (configure timeout {} s)",
            revert_after.as_secs()
        ),
        RollbackKind::InverseCommands => {
            "if it does not, the inverse commands are applied".to_owned()
        }
    }
}

fn status_words(status: Option<&PeerStatus>) -> String {
    match status {
        None => "not configured".to_owned(),
        Some(status) if status.admin_down => format!("{:?}, administratively down", status.state),
        Some(status) => format!("{:?}", status.state),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(change: BgpPeerChange, expected: Result<&str, &str>) {
        let neighbor: IpAddr = "192.0.2.1".parse().unwrap();
        let got = peering_change(neighbor, &change).map(|c| describe(&c));
        match expected {
            Ok(words) => assert_eq!(got.as_deref(), Ok(words)),
            Err(part) => {
                let error = got.expect_err("refused");
                assert!(error.contains(part), "{error}");
            }
        }
    }

    fn add(remote_asn: u32, import: Option<&str>) -> BgpPeerChange {
        BgpPeerChange::Add {
            remote_asn,
            max_prefixes: Some(100),
            import_policy: import.map(str::to_owned),
            export_policy: None,
        }
    }

    #[test]
    fn changes_in_words_and_refusals() {
        check(
            add(65002, Some("TRANSIT-IN")),
            Ok("add neighbor 192.0.2.1 (AS 65002, at most 100 prefixes, import policy TRANSIT-IN)"),
        );
        check(BgpPeerChange::Shutdown, Ok("shut down neighbor 192.0.2.1"));
        check(
            BgpPeerChange::SetPrefixLimit { max_prefixes: None },
            Ok("remove the prefix limit of neighbor 192.0.2.1"),
        );
        check(
            BgpPeerChange::SetPolicy {
                import_policy: None,
                export_policy: Some("OUT".into()),
            },
            Ok("set the policies of neighbor 192.0.2.1 (import none, export OUT)"),
        );
        check(add(0, None), Err("AS 0 is reserved"));
        check(add(65002, Some("x; reboot")), Err("import policy"));
        check(
            BgpPeerChange::SetPrefixLimit {
                max_prefixes: Some(0),
            },
            Err("prefix limit of 0"),
        );
        let loopback = peering_change("127.0.0.1".parse().unwrap(), &BgpPeerChange::Enable);
        assert!(loopback.is_err());
    }
}
