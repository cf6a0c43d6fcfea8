//! Peering changes on a real BGP session: router A (BIRD 2 or FRR) and router B (BIRD 2) in
//! two network namespaces built by `lab/bgp-lab.sh` (Debian packages bird2 and frr).

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use netops_bgp::{
    apply_change, dry_run, AsNumber, BgpRouter, BgpTimers, BirdRouter, ChangeOptions,
    ChangeOutcome, FrrRouter, LocalShell, PeeringChange, SessionState,
};

const ROUTER_B: &str = "10.213.0.2";

/// A running lab; `lab/bgp-lab.sh down` runs when dropped, even if the test failed.
struct BgpLab {
    dir: tempfile::TempDir,
    router_a: BgpRouter,
}

impl Drop for BgpLab {
    fn drop(&mut self) {
        let _ = Command::new(script())
            .arg("down")
            .arg(self.dir.path())
            .status();
    }
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../lab/bgp-lab.sh")
}

fn lab_tools_missing(daemon: &str) -> Option<String> {
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0\n"))
        .unwrap_or(false);
    if !is_root {
        return Some("not root (network namespaces need it)".to_owned());
    }
    let mut needed = vec!["/usr/sbin/ip", "/usr/sbin/bird", "/usr/sbin/birdc"];
    if daemon == "frr" {
        needed.extend(["/usr/lib/frr/bgpd", "/usr/bin/vtysh"]);
    }
    needed
        .into_iter()
        .find(|path| !Path::new(path).exists())
        .map(|path| format!("{path} is missing (apt-get install -y iproute2 bird2 frr)"))
}

/// Builds the lab, or returns `None` (with a note) when its tools are missing and the lab is
/// not required.
fn start(daemon: &str) -> Option<BgpLab> {
    if let Some(missing) = lab_tools_missing(daemon) {
        assert!(
            std::env::var("NETOPS_LAB_REQUIRED").as_deref() != Ok("1"),
            "BGP lab cannot run but NETOPS_LAB_REQUIRED=1: {missing}"
        );
        eprintln!("BGP lab tests skipped: {missing}");
        return None;
    }
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "{:x}{}",
        std::process::id() % 0xffff,
        NEXT.fetch_add(1, Ordering::SeqCst)
    );
    let dir = tempfile::tempdir().unwrap();
    let timers = Some(BgpTimers {
        keepalive_s: 3,
        hold_s: 9,
        connect_retry_s: 1,
    });
    let router_a = match daemon {
        "bird" => BgpRouter::Bird(BirdRouter {
            birdc: vec![
                "birdc".to_owned(),
                "-s".to_owned(),
                dir.path().join("a/bird.ctl").display().to_string(),
            ],
            peers_dir: dir.path().join("a/peers"),
            local_as: AsNumber(65001),
            timers,
            revert_after: Duration::from_secs(60),
        }),
        _ => BgpRouter::Frr(FrrRouter {
            vtysh: vec![
                "vtysh".to_owned(),
                "--vty_socket".to_owned(),
                dir.path().join("a").display().to_string(),
                "-d".to_owned(),
                "bgpd".to_owned(),
            ],
            local_as: AsNumber(65001),
            timers,
            save_after_confirm: false,
        }),
    };
    let lab = BgpLab { dir, router_a };
    let status = Command::new(script())
        .arg("up")
        .arg(lab.dir.path())
        .arg(&name)
        .arg(daemon)
        .status()
        .unwrap();
    assert!(status.success(), "lab/bgp-lab.sh up failed");
    Some(lab)
}

fn router_b() -> IpAddr {
    ROUTER_B.parse().unwrap()
}

fn add(remote_as: u32) -> PeeringChange {
    PeeringChange::AddNeighbor {
        neighbor: router_b(),
        remote_as: AsNumber(remote_as),
        max_prefixes: Some(100),
        import_policy: None,
        export_policy: None,
    }
}

fn within(deadline_s: u64) -> ChangeOptions {
    ChangeOptions {
        post_check_deadline: Duration::from_secs(deadline_s),
        poll_interval: Duration::from_millis(250),
    }
}

async fn add_shut_enable_remove(daemon: &str) {
    let Some(lab) = start(daemon) else { return };
    let shell = LocalShell::new();
    let router = &lab.router_a;
    let n = router_b();

    let added = apply_change(&shell, router, &add(65002), &within(20))
        .await
        .unwrap();
    assert_eq!(added.outcome, ChangeOutcome::Confirmed, "{added:?}");
    assert_eq!(added.before, None);
    assert_eq!(
        added.after.as_ref().map(|s| s.state),
        Some(SessionState::Established)
    );

    let shut = apply_change(
        &shell,
        router,
        &PeeringChange::ShutDown { neighbor: n },
        &within(10),
    )
    .await
    .unwrap();
    assert_eq!(shut.outcome, ChangeOutcome::Confirmed, "{shut:?}");
    let after = shut.after.unwrap();
    assert_ne!(after.state, SessionState::Established);
    assert!(after.admin_down);

    let enabled = apply_change(
        &shell,
        router,
        &PeeringChange::Enable { neighbor: n },
        &within(20),
    )
    .await
    .unwrap();
    assert_eq!(enabled.outcome, ChangeOutcome::Confirmed, "{enabled:?}");
    assert_eq!(
        enabled.after.map(|s| s.state),
        Some(SessionState::Established)
    );

    let limited = apply_change(
        &shell,
        router,
        &PeeringChange::SetPrefixLimit {
            neighbor: n,
            max_prefixes: Some(50),
        },
        &within(20),
    )
    .await
    .unwrap();
    assert_eq!(limited.outcome, ChangeOutcome::Confirmed, "{limited:?}");
    assert_eq!(limited.after.and_then(|s| s.max_prefixes), Some(50));

    let removed = apply_change(
        &shell,
        router,
        &PeeringChange::Remove { neighbor: n },
        &within(10),
    )
    .await
    .unwrap();
    assert_eq!(removed.outcome, ChangeOutcome::Confirmed, "{removed:?}");
    assert_eq!(removed.after, None);
}

async fn a_wrong_remote_as_is_rolled_back(daemon: &str) {
    let Some(lab) = start(daemon) else { return };
    let shell = LocalShell::new();
    let report = apply_change(&shell, &lab.router_a, &add(65099), &within(6))
        .await
        .unwrap();
    let ChangeOutcome::RolledBack { reason } = &report.outcome else {
        panic!("expected a rollback, got {report:?}");
    };
    assert!(reason.contains("did not become Established"), "{reason}");
    assert!(reason.to_lowercase().contains("bad peer as"), "{reason}");
    // Rolled back: router A no longer has the neighbor, and no stanza is left behind.
    assert_eq!(report.after, None, "{report:?}");
    let plan = dry_run(&shell, &lab.router_a, &add(65002)).await.unwrap();
    assert!(!plan.actions().is_empty());
    assert!(!lab
        .dir
        .path()
        .join("a/peers/netops_10_213_0_2.conf")
        .exists());
}

async fn a_dry_run_shows_the_commands_and_changes_nothing(daemon: &str) {
    let Some(lab) = start(daemon) else { return };
    let shell = LocalShell::new();
    let plan = dry_run(&shell, &lab.router_a, &add(65002)).await.unwrap();
    let actions = plan.actions().join("\n");
    match daemon {
        "bird" => {
            assert!(
                actions.contains("neighbor 10.213.0.2 as 65002;"),
                "{actions}"
            );
            assert!(actions.contains("configure timeout 60"), "{actions}");
            assert!(actions.contains("configure confirm"), "{actions}");
        }
        _ => assert!(
            actions.contains("-c 'neighbor 10.213.0.2 remote-as 65002'"),
            "{actions}"
        ),
    }
    // Nothing happened: a few seconds later router A still has no such neighbor.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let again = dry_run(&shell, &lab.router_a, &add(65002)).await.unwrap();
    assert_eq!(again, plan);
    assert!(!lab
        .dir
        .path()
        .join("a/peers/netops_10_213_0_2.conf")
        .exists());
}

#[tokio::test]
async fn bird_add_shut_down_enable_limit_and_remove_a_neighbor() {
    add_shut_enable_remove("bird").await;
}

#[tokio::test]
async fn bird_rolls_back_a_neighbor_with_the_wrong_remote_as() {
    a_wrong_remote_as_is_rolled_back("bird").await;
}

#[tokio::test]
async fn bird_dry_run_changes_nothing() {
    a_dry_run_shows_the_commands_and_changes_nothing("bird").await;
}

#[tokio::test]
async fn frr_add_shut_down_enable_limit_and_remove_a_neighbor() {
    add_shut_enable_remove("frr").await;
}

#[tokio::test]
async fn frr_rolls_back_a_neighbor_with_the_wrong_remote_as() {
    a_wrong_remote_as_is_rolled_back("frr").await;
}

#[tokio::test]
async fn frr_dry_run_changes_nothing() {
    a_dry_run_shows_the_commands_and_changes_nothing("frr").await;
}
