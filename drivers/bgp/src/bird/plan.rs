//! BIRD change plans: write (or remove) the neighbor's stanza, `configure check`, then
//! `configure timeout N` so BIRD reverts by itself unless `configure confirm` follows. Undo is
//! `configure undo` and the previous file.

use crate::bird::stanza::{stanza_path, PeerStanza};
use crate::error::PlanError;
use crate::peering::{PeerStatus, PeeringChange};
use crate::plan::{ChangePlan, PlanStep, RollbackKind, RouterAction};
use crate::router::BirdRouter;
use crate::shell::RouterCommand;

/// The plan for `change`, given BIRD's state of the neighbor and the netops stanza file as it
/// is now (`None`: no file).
pub fn plan(
    router: &BirdRouter,
    change: &PeeringChange,
    before: Option<&PeerStatus>,
    current_file: Option<&str>,
) -> Result<ChangePlan, PlanError> {
    let n = change.neighbor();
    let path = stanza_path(router, n);
    let file = path.display().to_string();
    let managed = || {
        current_file
            .ok_or_else(|| PlanError::NotManagedByNetops {
                neighbor: n,
                file: file.clone(),
            })
            .and_then(|text| PeerStanza::parse(text, &file))
    };
    let wanted: Option<PeerStanza> = match change {
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
            Some(PeerStanza {
                neighbor: n,
                remote_as: *remote_as,
                max_prefixes: *max_prefixes,
                import_policy: import_policy.clone(),
                export_policy: export_policy.clone(),
                shut_down: false,
            })
        }
        PeeringChange::ShutDown { .. } => Some(PeerStanza {
            shut_down: true,
            ..managed()?
        }),
        PeeringChange::Enable { .. } => Some(PeerStanza {
            shut_down: false,
            ..managed()?
        }),
        PeeringChange::Remove { .. } => {
            managed()?;
            None
        }
        PeeringChange::SetPrefixLimit { max_prefixes, .. } => Some(PeerStanza {
            max_prefixes: *max_prefixes,
            ..managed()?
        }),
        PeeringChange::SetPolicies {
            import_policy,
            export_policy,
            ..
        } => Some(PeerStanza {
            import_policy: import_policy.clone(),
            export_policy: export_policy.clone(),
            ..managed()?
        }),
    };
    let write = match &wanted {
        Some(stanza) => RouterAction::WriteFile {
            path: path.clone(),
            contents: stanza.render(router),
        },
        None => RouterAction::RemoveFile { path: path.clone() },
    };
    let restore = match current_file {
        Some(text) => RouterAction::WriteFile {
            path,
            contents: text.to_owned(),
        },
        None => RouterAction::RemoveFile { path },
    };
    let birdc = |words: &[&str]| {
        RouterAction::Run(RouterCommand::new(
            &router.birdc,
            words.iter().map(|w| (*w).to_owned()),
        ))
    };
    let revert_after_s = router.revert_after.as_secs().max(1).to_string();
    Ok(ChangePlan {
        steps: vec![
            PlanStep {
                action: write,
                undo: vec![restore],
                undo_if_failed: true,
            },
            PlanStep {
                action: birdc(&["configure", "check"]),
                undo: Vec::new(),
                undo_if_failed: false,
            },
            PlanStep {
                action: birdc(&["configure", "timeout", &revert_after_s]),
                undo: vec![birdc(&["configure", "undo"])],
                // A refused `configure timeout` changed nothing; `configure undo` would
                // revert the previous, unrelated change.
                undo_if_failed: false,
            },
        ],
        confirm: vec![birdc(&["configure", "confirm"])],
        expected: change.expected_session(before),
        rollback: RollbackKind::DaemonTimer {
            revert_after: router.revert_after,
        },
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::plan;
    use crate::bird::stanza::PeerStanza;
    use crate::peering::{AsNumber, ExpectedSession, PeerStatus, PeeringChange, SessionState};
    use crate::router::BirdRouter;

    fn router() -> BirdRouter {
        BirdRouter {
            birdc: vec![
                "birdc".to_owned(),
                "-s".to_owned(),
                "/run/bird.ctl".to_owned(),
            ],
            peers_dir: "/etc/bird/netops".into(),
            local_as: AsNumber(65001),
            timers: None,
            revert_after: Duration::from_secs(90),
        }
    }

    fn existing() -> String {
        PeerStanza {
            neighbor: "10.213.0.2".parse().unwrap(),
            remote_as: AsNumber(65002),
            max_prefixes: None,
            import_policy: None,
            export_policy: None,
            shut_down: false,
        }
        .render(&router())
    }

    fn up() -> PeerStatus {
        PeerStatus {
            state: SessionState::Established,
            remote_as: Some(AsNumber(65002)),
            admin_down: false,
            last_error: None,
            max_prefixes: None,
            import_policy: None,
            export_policy: None,
        }
    }

    #[test]
    fn a_shutdown_rewrites_the_stanza_under_a_revert_timer() {
        let n = "10.213.0.2".parse().unwrap();
        let text = existing();
        let plan = plan(
            &router(),
            &PeeringChange::ShutDown { neighbor: n },
            Some(&up()),
            Some(&text),
        )
        .unwrap();
        let actions = plan.actions();
        assert!(actions[0].starts_with("write /etc/bird/netops/netops_10_213_0_2.conf:\n"));
        assert!(actions[0].contains("shut-down=yes"));
        assert!(actions[0].contains("    disabled yes;\n"));
        assert_eq!(
            &actions[1..],
            [
                "birdc -s /run/bird.ctl configure check",
                "birdc -s /run/bird.ctl configure timeout 90",
                "birdc -s /run/bird.ctl configure confirm",
            ]
        );
        assert_eq!(plan.expected, ExpectedSession::Down);
        let undo: Vec<String> = plan
            .undo_for(3, None)
            .iter()
            .map(|a| a.to_string())
            .collect();
        assert_eq!(undo[0], "birdc -s /run/bird.ctl configure undo");
        assert_eq!(
            undo[1],
            format!(
                "write /etc/bird/netops/netops_10_213_0_2.conf:\n{}",
                text.trim_end()
            )
        );
        // A refused `configure check` only puts the file back.
        let undo: Vec<String> = plan
            .undo_for(1, Some(1))
            .iter()
            .map(|a| a.to_string())
            .collect();
        assert_eq!(undo.len(), 1);
        assert!(undo[0].starts_with("write "));
    }

    #[test]
    fn a_removal_deletes_the_file_and_undo_writes_it_back() {
        let n = "10.213.0.2".parse().unwrap();
        let text = existing();
        let plan = plan(
            &router(),
            &PeeringChange::Remove { neighbor: n },
            Some(&up()),
            Some(&text),
        )
        .unwrap();
        assert_eq!(
            plan.actions()[0],
            "remove /etc/bird/netops/netops_10_213_0_2.conf"
        );
        assert_eq!(plan.expected, ExpectedSession::NotConfigured);
    }

    #[test]
    fn neighbors_netops_did_not_write_are_left_alone() {
        let n = "10.213.0.2".parse().unwrap();
        assert!(plan(
            &router(),
            &PeeringChange::Enable { neighbor: n },
            Some(&up()),
            None
        )
        .is_err());
    }
}
