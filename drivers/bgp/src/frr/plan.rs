//! FRR change plans: each change is one vtysh batch, undone by the inverse batch built from
//! the pre-check state. FRR has no commit-confirm, so the driver itself applies the inverse
//! when the post-check fails.

use std::net::IpAddr;

use crate::error::PlanError;
use crate::peering::{PeerStatus, PeeringChange};
use crate::plan::{ChangePlan, PlanStep, RollbackKind, RouterAction};
use crate::router::FrrRouter;
use crate::shell::RouterCommand;

/// Configuration lines for one neighbor, split by where FRR expects them.
#[derive(Debug, Default)]
struct NeighborLines {
    router: Vec<String>,
    address_family: Vec<String>,
}

impl NeighborLines {
    fn is_empty(&self) -> bool {
        self.router.is_empty() && self.address_family.is_empty()
    }

    fn into_batch(self, router: &FrrRouter, neighbor: IpAddr) -> RouterAction {
        let family = if neighbor.is_ipv4() { "ipv4" } else { "ipv6" };
        let mut lines = vec![
            "conf t".to_owned(),
            format!("router bgp {}", router.local_as),
        ];
        lines.extend(self.router);
        if !self.address_family.is_empty() {
            lines.push(format!("address-family {family} unicast"));
            lines.extend(self.address_family);
            lines.push("exit-address-family".to_owned());
        }
        RouterAction::Run(RouterCommand::new(
            &router.vtysh,
            lines.into_iter().flat_map(|line| ["-c".to_owned(), line]),
        ))
    }
}

/// The plan for `change` given the neighbor's state before it (`None`: not configured).
pub fn plan(
    router: &FrrRouter,
    change: &PeeringChange,
    before: Option<&PeerStatus>,
) -> Result<ChangePlan, PlanError> {
    let n = change.neighbor();
    let configured = || before.ok_or(PlanError::NotConfigured(n));
    let mut apply = NeighborLines::default();
    let mut undo = NeighborLines::default();
    match change {
        PeeringChange::AddNeighbor {
            remote_as,
            max_prefixes,
            import_policy,
            export_policy,
            ..
        } => {
            if before.is_some() {
                return Err(PlanError::AlreadyConfigured(n));
            }
            apply
                .router
                .push(format!("neighbor {n} remote-as {remote_as}"));
            if let Some(timers) = router.timers {
                apply.router.push(format!(
                    "neighbor {n} timers {} {}",
                    timers.keepalive_s, timers.hold_s
                ));
                apply.router.push(format!(
                    "neighbor {n} timers connect {}",
                    timers.connect_retry_s
                ));
            }
            if let Some(limit) = max_prefixes {
                apply
                    .address_family
                    .push(format!("neighbor {n} maximum-prefix {limit}"));
            }
            if let Some(name) = import_policy {
                apply
                    .address_family
                    .push(format!("neighbor {n} route-map {name} in"));
            }
            if let Some(name) = export_policy {
                apply
                    .address_family
                    .push(format!("neighbor {n} route-map {name} out"));
            }
            undo.router.push(format!("no neighbor {n}"));
        }
        PeeringChange::ShutDown { .. } => {
            let was = configured()?;
            apply.router.push(format!("neighbor {n} shutdown"));
            if !was.admin_down {
                undo.router.push(format!("no neighbor {n} shutdown"));
            }
        }
        PeeringChange::Enable { .. } => {
            let was = configured()?;
            apply.router.push(format!("no neighbor {n} shutdown"));
            if was.admin_down {
                undo.router.push(format!("neighbor {n} shutdown"));
            }
        }
        PeeringChange::Remove { .. } => {
            let was = configured()?;
            apply.router.push(format!("no neighbor {n}"));
            // Restores what the pre-check could see: remote AS, shutdown, timers, limit and
            // route-maps. Other per-neighbor settings are not restored.
            if let Some(remote_as) = was.remote_as {
                undo.router
                    .push(format!("neighbor {n} remote-as {remote_as}"));
            }
            if was.admin_down {
                undo.router.push(format!("neighbor {n} shutdown"));
            }
            if let Some(timers) = router.timers {
                undo.router.push(format!(
                    "neighbor {n} timers {} {}",
                    timers.keepalive_s, timers.hold_s
                ));
            }
            if let Some(limit) = was.max_prefixes {
                undo.address_family
                    .push(format!("neighbor {n} maximum-prefix {limit}"));
            }
            if let Some(name) = &was.import_policy {
                undo.address_family
                    .push(format!("neighbor {n} route-map {name} in"));
            }
            if let Some(name) = &was.export_policy {
                undo.address_family
                    .push(format!("neighbor {n} route-map {name} out"));
            }
        }
        PeeringChange::SetPrefixLimit { max_prefixes, .. } => {
            let was = configured()?;
            let line = |limit: Option<u32>| match limit {
                Some(limit) => format!("neighbor {n} maximum-prefix {limit}"),
                None => format!("no neighbor {n} maximum-prefix"),
            };
            apply.address_family.push(line(*max_prefixes));
            undo.address_family.push(line(was.max_prefixes));
        }
        PeeringChange::SetPolicies {
            import_policy,
            export_policy,
            ..
        } => {
            let was = configured()?;
            let pairs = [
                (
                    "in",
                    import_policy.as_ref().map(|p| p.as_str()),
                    was.import_policy.as_deref(),
                ),
                (
                    "out",
                    export_policy.as_ref().map(|p| p.as_str()),
                    was.export_policy.as_deref(),
                ),
            ];
            for (direction, wanted, previous) in pairs {
                if let Some(line) = route_map_line(n, direction, wanted, previous) {
                    apply.address_family.push(line);
                }
                if let Some(line) = route_map_line(n, direction, previous, wanted) {
                    undo.address_family.push(line);
                }
            }
        }
    }
    let undo = if undo.is_empty() {
        Vec::new()
    } else {
        vec![undo.into_batch(router, n)]
    };
    let confirm = if router.save_after_confirm {
        vec![RouterAction::Run(RouterCommand::new(
            &router.vtysh,
            ["-c".to_owned(), "write memory".to_owned()],
        ))]
    } else {
        Vec::new()
    };
    Ok(ChangePlan {
        steps: vec![PlanStep {
            action: apply.into_batch(router, n),
            undo,
            undo_if_failed: true,
        }],
        confirm,
        expected: change.expected_session(before),
        rollback: RollbackKind::InverseCommands,
    })
}

/// The line that moves a direction's route-map from `from` to `to`, if they differ.
fn route_map_line(
    n: IpAddr,
    direction: &str,
    to: Option<&str>,
    from: Option<&str>,
) -> Option<String> {
    match (to, from) {
        (Some(to), from) if Some(to) != from => {
            Some(format!("neighbor {n} route-map {to} {direction}"))
        }
        (None, Some(from)) => Some(format!("no neighbor {n} route-map {from} {direction}")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::plan;
    use crate::peering::{
        AsNumber, BgpTimers, PeerStatus, PeeringChange, PolicyName, SessionState,
    };
    use crate::router::FrrRouter;

    fn router() -> FrrRouter {
        FrrRouter {
            vtysh: vec!["vtysh".to_owned()],
            local_as: AsNumber(65001),
            timers: None,
            save_after_confirm: false,
        }
    }

    fn established() -> PeerStatus {
        PeerStatus {
            state: SessionState::Established,
            remote_as: Some(AsNumber(65002)),
            admin_down: false,
            last_error: None,
            max_prefixes: Some(100),
            import_policy: Some("OLD-IN".to_owned()),
            export_policy: None,
        }
    }

    fn check(
        router: &FrrRouter,
        change: PeeringChange,
        before: Option<PeerStatus>,
        apply: &str,
        undo: &[&str],
    ) {
        let plan = plan(router, &change, before.as_ref()).unwrap();
        assert_eq!(plan.actions(), vec![apply.to_owned()], "{change:?}");
        let undo_lines: Vec<String> = plan
            .undo_for(1, None)
            .iter()
            .map(|a| a.to_string())
            .collect();
        assert_eq!(undo_lines, undo, "{change:?}");
    }

    const N: &str = "10.213.0.2";

    #[test]
    fn vtysh_batches_and_their_inverses() {
        let n = N.parse().unwrap();
        let timed = FrrRouter {
            timers: Some(BgpTimers {
                keepalive_s: 3,
                hold_s: 9,
                connect_retry_s: 1,
            }),
            ..router()
        };
        check(
            &timed,
            PeeringChange::AddNeighbor {
                neighbor: n,
                remote_as: AsNumber(65002),
                max_prefixes: Some(500),
                import_policy: Some(PolicyName::parse("TRANSIT-IN").unwrap()),
                export_policy: None,
            },
            None,
            "vtysh -c 'conf t' -c 'router bgp 65001' -c 'neighbor 10.213.0.2 remote-as 65002' \
             -c 'neighbor 10.213.0.2 timers 3 9' -c 'neighbor 10.213.0.2 timers connect 1' \
             -c 'address-family ipv4 unicast' -c 'neighbor 10.213.0.2 maximum-prefix 500' \
             -c 'neighbor 10.213.0.2 route-map TRANSIT-IN in' -c exit-address-family",
            &["vtysh -c 'conf t' -c 'router bgp 65001' -c 'no neighbor 10.213.0.2'"],
        );
        check(
            &router(),
            PeeringChange::ShutDown { neighbor: n },
            Some(established()),
            "vtysh -c 'conf t' -c 'router bgp 65001' -c 'neighbor 10.213.0.2 shutdown'",
            &["vtysh -c 'conf t' -c 'router bgp 65001' -c 'no neighbor 10.213.0.2 shutdown'"],
        );
        check(
            &router(),
            PeeringChange::Enable { neighbor: n },
            Some(PeerStatus {
                admin_down: true,
                ..established()
            }),
            "vtysh -c 'conf t' -c 'router bgp 65001' -c 'no neighbor 10.213.0.2 shutdown'",
            &["vtysh -c 'conf t' -c 'router bgp 65001' -c 'neighbor 10.213.0.2 shutdown'"],
        );
        check(
            &router(),
            PeeringChange::Remove { neighbor: n },
            Some(established()),
            "vtysh -c 'conf t' -c 'router bgp 65001' -c 'no neighbor 10.213.0.2'",
            &[
                "vtysh -c 'conf t' -c 'router bgp 65001' -c 'neighbor 10.213.0.2 remote-as 65002' \
               -c 'address-family ipv4 unicast' -c 'neighbor 10.213.0.2 maximum-prefix 100' \
               -c 'neighbor 10.213.0.2 route-map OLD-IN in' -c exit-address-family",
            ],
        );
        check(
            &router(),
            PeeringChange::SetPrefixLimit {
                neighbor: n,
                max_prefixes: None,
            },
            Some(established()),
            "vtysh -c 'conf t' -c 'router bgp 65001' -c 'address-family ipv4 unicast' \
             -c 'no neighbor 10.213.0.2 maximum-prefix' -c exit-address-family",
            &[
                "vtysh -c 'conf t' -c 'router bgp 65001' -c 'address-family ipv4 unicast' \
               -c 'neighbor 10.213.0.2 maximum-prefix 100' -c exit-address-family",
            ],
        );
        check(
            &router(),
            PeeringChange::SetPolicies {
                neighbor: n,
                import_policy: None,
                export_policy: Some(PolicyName::parse("CUSTOMER-OUT").unwrap()),
            },
            Some(established()),
            "vtysh -c 'conf t' -c 'router bgp 65001' -c 'address-family ipv4 unicast' \
             -c 'no neighbor 10.213.0.2 route-map OLD-IN in' \
             -c 'neighbor 10.213.0.2 route-map CUSTOMER-OUT out' -c exit-address-family",
            &[
                "vtysh -c 'conf t' -c 'router bgp 65001' -c 'address-family ipv4 unicast' \
               -c 'neighbor 10.213.0.2 route-map OLD-IN in' \
               -c 'no neighbor 10.213.0.2 route-map CUSTOMER-OUT out' -c exit-address-family",
            ],
        );
    }

    #[test]
    fn changes_that_do_not_fit_the_current_state_are_refused() {
        let n = N.parse().unwrap();
        let add = PeeringChange::AddNeighbor {
            neighbor: n,
            remote_as: AsNumber(65002),
            max_prefixes: None,
            import_policy: None,
            export_policy: None,
        };
        assert!(plan(&router(), &add, Some(&established())).is_err());
        assert!(plan(&router(), &PeeringChange::ShutDown { neighbor: n }, None).is_err());
    }
}
