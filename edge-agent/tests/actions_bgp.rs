//! BGP peering changes end to end: the executor against router A of `lab/bgp-lab.sh` (BIRD 2
//! or FRR in a network namespace), checked from router B's own view of the session.

mod actions_support;

use std::net::IpAddr;
use std::time::Duration;

use actions_support::bgp_lab::{self, BgpLab, ROUTER_B};
use actions_support::sshd::{self, whoami};
use actions_support::{command, config_text, wait_for, RunningExecutor};
use proto::{BgpPeerChange, Command, CommandKind, CommandState};

const WITHIN: Duration = Duration::from_secs(60);

const COMMANDS: &str = "[commands]\nbgp_peer_deadline_s = 90\n";

fn router_b() -> IpAddr {
    ROUTER_B.parse().unwrap()
}

fn peer(n: u8, change: BgpPeerChange, dry_run: bool) -> Command {
    command(
        n,
        "lab-router-a",
        None,
        CommandKind::BgpPeer {
            peer_ip: router_b(),
            change,
            dry_run,
        },
    )
}

fn add(remote_asn: u32) -> BgpPeerChange {
    BgpPeerChange::Add {
        remote_asn,
        max_prefixes: Some(100),
        import_policy: None,
        export_policy: None,
    }
}

async fn executor(lab: &BgpLab, spool: &std::path::Path, post_check_s: u64) -> RunningExecutor {
    RunningExecutor::start(&config_text(
        spool,
        COMMANDS,
        &lab.router_a_table(post_check_s),
    ))
    .await
}

async fn wait_for_router_b(lab: &BgpLab, what: &str, established: bool) {
    wait_for(Duration::from_secs(20), what, || {
        (lab.router_b_state().as_deref() == Some("Established")) == established
    })
    .await;
}

async fn dry_run_add_shut_down_and_remove(daemon: &'static str) {
    let Some(lab) = bgp_lab::start(daemon) else {
        return;
    };
    let spool = tempfile::tempdir().unwrap();
    let mut executor = executor(&lab, spool.path(), 20).await;

    // A dry run lists the commands and changes nothing.
    let dry = peer(1, add(65002), true);
    executor.send(&dry).await;
    let planned = executor.final_result(dry.command_id, WITHIN).await;
    assert_eq!(planned.state, CommandState::Succeeded, "{planned:?}");
    assert!(
        planned.detail.contains("nothing was changed"),
        "{planned:?}"
    );
    let expected_line = match daemon {
        "bird" => "neighbor 10.213.0.2 as 65002;",
        _ => "'neighbor 10.213.0.2 remote-as 65002'",
    };
    assert!(planned.detail.contains(expected_line), "{planned:?}");
    assert_ne!(lab.router_b_state().as_deref(), Some("Established"));

    let added = peer(2, add(65002), false);
    executor.send(&added).await;
    let results = executor.results_until_final(added.command_id, WITHIN).await;
    assert!(
        results[0]
            .detail
            .starts_with("add neighbor 10.213.0.2 (AS 65002"),
        "{results:?}"
    );
    let done = results.last().unwrap();
    assert_eq!(done.state, CommandState::Succeeded, "{done:?}");
    assert!(
        done.detail.contains("confirmed, neighbor now Established"),
        "{done:?}"
    );
    wait_for_router_b(&lab, "router B to see the session Established", true).await;

    // Delivered again: the stored outcome; adding twice would have failed on the router.
    executor.send(&added).await;
    assert_eq!(executor.final_result(added.command_id, WITHIN).await, *done);

    let shut = peer(3, BgpPeerChange::Shutdown, false);
    executor.send(&shut).await;
    let done = executor.final_result(shut.command_id, WITHIN).await;
    assert_eq!(done.state, CommandState::Succeeded, "{done:?}");
    assert!(done.detail.contains("administratively down"), "{done:?}");
    wait_for_router_b(&lab, "router B to lose the session", false).await;

    let removed = peer(4, BgpPeerChange::Remove, false);
    executor.send(&removed).await;
    let done = executor.final_result(removed.command_id, WITHIN).await;
    assert_eq!(done.state, CommandState::Succeeded, "{done:?}");
    assert!(
        done.detail.contains("neighbor now not configured"),
        "{done:?}"
    );

    // A change the router's state does not allow fails before anything is applied.
    let again = peer(5, BgpPeerChange::Enable, false);
    executor.send(&again).await;
    let done = executor.final_result(again.command_id, WITHIN).await;
    assert_eq!(done.state, CommandState::Failed, "{done:?}");
    assert!(
        done.detail
            .contains("not applied, nothing was changed: neighbor 10.213.0.2 is not"),
        "{done:?}"
    );
    executor.stop().await;
}

async fn a_wrong_remote_as_is_rolled_back(daemon: &'static str) {
    let Some(lab) = bgp_lab::start(daemon) else {
        return;
    };
    let spool = tempfile::tempdir().unwrap();
    let mut executor = executor(&lab, spool.path(), 6).await;
    let wrong = peer(1, add(65099), false);
    executor.send(&wrong).await;
    let done = executor.final_result(wrong.command_id, WITHIN).await;
    assert_eq!(done.state, CommandState::RolledBack, "{done:?}");
    assert!(
        done.detail.contains("did not become Established"),
        "{done:?}"
    );
    assert!(
        done.detail.to_lowercase().contains("bad peer as"),
        "{done:?}"
    );
    assert!(
        done.detail.contains("neighbor now not configured"),
        "{done:?}"
    );
    // Rolled back on the router: the right AS can be added afterwards.
    let right = peer(2, add(65002), false);
    executor.send(&right).await;
    let done = executor.final_result(right.command_id, WITHIN).await;
    assert_eq!(done.state, CommandState::Succeeded, "{done:?}");
    executor.stop().await;
}

#[tokio::test]
async fn bird_dry_run_add_shut_down_and_remove_a_neighbor() {
    dry_run_add_shut_down_and_remove("bird").await;
}

#[tokio::test]
async fn bird_rolls_back_a_neighbor_with_the_wrong_remote_as() {
    a_wrong_remote_as_is_rolled_back("bird").await;
}

#[tokio::test]
async fn frr_dry_run_add_shut_down_and_remove_a_neighbor() {
    dry_run_add_shut_down_and_remove("frr").await;
}

#[tokio::test]
async fn frr_rolls_back_a_neighbor_with_the_wrong_remote_as() {
    a_wrong_remote_as_is_rolled_back("frr").await;
}

/// FRR's vtysh over SSH: the lab's OpenSSH server runs every command it is asked for inside
/// router A's namespace, as a login on the router would.
#[tokio::test]
async fn frr_over_ssh_adds_and_shuts_down_a_neighbor() {
    let Some(lab) = bgp_lab::start("frr") else {
        return;
    };
    let Some(sshd) = sshd::start_in(Some(&lab.router_a_netns())) else {
        return;
    };
    let spool = tempfile::tempdir().unwrap();
    let devices = lab.router_a_over_ssh(
        sshd.port,
        &whoami(),
        &sshd.path("client_ed25519"),
        &sshd.host_key(),
        20,
    );
    let mut executor = RunningExecutor::start(&config_text(spool.path(), COMMANDS, &devices)).await;

    let added = peer(1, add(65002), false);
    executor.send(&added).await;
    let done = executor.final_result(added.command_id, WITHIN).await;
    assert_eq!(done.state, CommandState::Succeeded, "{done:?}");
    assert!(
        done.detail.contains("confirmed, neighbor now Established"),
        "{done:?}"
    );
    wait_for_router_b(&lab, "router B to see the session Established", true).await;

    let shut = peer(2, BgpPeerChange::Shutdown, false);
    executor.send(&shut).await;
    let done = executor.final_result(shut.command_id, WITHIN).await;
    assert_eq!(done.state, CommandState::Succeeded, "{done:?}");
    assert!(done.detail.contains("administratively down"), "{done:?}");
    wait_for_router_b(&lab, "router B to lose the session", false).await;

    // Every step went through the SSH server: the reads and the configuration batches.
    let received = sshd.commands_received();
    assert!(
        received.contains("show bgp neighbors 10.213.0.2 json"),
        "{received}"
    );
    assert!(
        received.contains("neighbor 10.213.0.2 remote-as 65002"),
        "{received}"
    );
    assert!(
        received.contains("neighbor 10.213.0.2 shutdown"),
        "{received}"
    );
    executor.stop().await;
}

#[tokio::test]
async fn a_router_without_bgp_settings_or_a_bad_policy_is_refused() {
    let spool = tempfile::tempdir().unwrap();
    let devices = r#"
[[devices]]
name = "lab-router-a"
address = "10.213.0.1"
poll = false
[devices.ssh]
user = "netops"
password = "not-used"
host_key = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"
reboot_profile = "generic-linux"
[[devices]]
name = "edge-1"
address = "10.213.0.1"
poll = false
[devices.bgp]
daemon = "frr"
local_as = 65001
"#;
    let mut executor = RunningExecutor::start(&config_text(spool.path(), "", devices)).await;
    let shut = peer(1, BgpPeerChange::Shutdown, false);
    executor.send(&shut).await;
    let done = executor.final_result(shut.command_id, WITHIN).await;
    assert_eq!(done.state, CommandState::Rejected, "{done:?}");
    assert!(done.detail.contains("has no BGP daemon"), "{done:?}");

    // A policy name that could carry a command never reaches the router.
    let sneaky = command(
        2,
        "edge-1",
        None,
        CommandKind::BgpPeer {
            peer_ip: router_b(),
            change: BgpPeerChange::SetPolicy {
                import_policy: Some("IN\nreboot".into()),
                export_policy: None,
            },
            dry_run: false,
        },
    );
    executor.send(&sneaky).await;
    let done = executor.final_result(sneaky.command_id, WITHIN).await;
    assert_eq!(done.state, CommandState::Rejected, "{done:?}");
    assert!(done.detail.contains("import policy"), "{done:?}");
    executor.stop().await;
}
