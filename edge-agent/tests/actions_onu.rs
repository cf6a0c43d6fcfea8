//! ONU reboots end to end: the executor against the simulated Huawei OLT, whose ONT goes
//! offline for a while after the reset SET (or, with a faulty firmware, ignores it).

mod actions_support;

use std::time::Duration;

use actions_support::{command, config_text, RunningExecutor, COMMUNITY, FAST_COMMANDS};
use netops_snmp::simulator::{SimulatedOlt, SimulatedOnu};
use proto::{CommandKind, CommandState, PonPort, SubscriberKey};

const WITHIN: Duration = Duration::from_secs(15);

async fn olt() -> SimulatedOlt {
    let onu = SimulatedOnu {
        slot: 1,
        port: 3,
        onu_id: 7,
        rx_power_dbm: -19.5,
    };
    SimulatedOlt::start(
        "127.0.0.1:0",
        COMMUNITY,
        vec![onu],
        Duration::from_millis(800),
    )
    .await
    .expect("OLT starts")
}

async fn executor_for(olt: &SimulatedOlt, spool: &std::path::Path) -> RunningExecutor {
    let devices = format!(
        r#"
[[devices]]
name = "olt-1"
address = "{}"
kind = "olt"
profile = "huawei-ma56xx-gpon"
timeout_ms = 300
retries = 1
snmp = {{ version = "2c", community = "{COMMUNITY}", write_community = "{COMMUNITY}" }}
"#,
        olt.local_addr()
    );
    RunningExecutor::start(&config_text(spool, FAST_COMMANDS, &devices)).await
}

fn reboot(n: u8, onu_id: u32) -> proto::Command {
    let key = SubscriberKey::Onu {
        olt: "olt-1".into(),
        pon: PonPort {
            frame: 0,
            slot: 1,
            port: 3,
        },
        onu_id,
    };
    command(n, "olt-1", Some(key), CommandKind::RebootOnu)
}

#[tokio::test]
async fn a_reboot_is_confirmed_by_the_onu_going_down_and_up() {
    let olt = olt().await;
    let spool = tempfile::tempdir().unwrap();
    let mut executor = executor_for(&olt, spool.path()).await;
    let command = reboot(1, 7);
    executor.send(&command).await;
    let results = executor
        .results_until_final(command.command_id, WITHIN)
        .await;
    assert_eq!(results[0].state, CommandState::Running, "{results:?}");
    let last = results.last().unwrap();
    assert_eq!(last.state, CommandState::Succeeded, "{last:?}");
    assert!(
        last.detail.starts_with("ONU rebooted: it went offline"),
        "{}",
        last.detail
    );
    assert_eq!(olt.resets_received(), 1);
    executor.stop().await;
}

#[tokio::test]
async fn a_reboot_the_onu_ignores_is_a_failure() {
    let olt = olt().await;
    olt.set_ignore_resets(true);
    let spool = tempfile::tempdir().unwrap();
    let mut executor = executor_for(&olt, spool.path()).await;
    let command = reboot(2, 7);
    executor.send(&command).await;
    let result = executor.final_result(command.command_id, WITHIN).await;
    assert_eq!(result.state, CommandState::Failed, "{result:?}");
    assert!(
        result
            .detail
            .contains("reboot sent but the ONU was not seen going offline"),
        "{}",
        result.detail
    );
    assert_eq!(olt.resets_received(), 1);
    executor.stop().await;
}

#[tokio::test]
async fn an_onu_the_olt_does_not_have_is_not_rebooted() {
    let olt = olt().await;
    let spool = tempfile::tempdir().unwrap();
    let mut executor = executor_for(&olt, spool.path()).await;
    let command = reboot(3, 99);
    executor.send(&command).await;
    let result = executor.final_result(command.command_id, WITHIN).await;
    assert_eq!(result.state, CommandState::Failed, "{result:?}");
    assert!(
        result.detail.contains("before the reboot"),
        "{}",
        result.detail
    );
    assert_eq!(olt.resets_received(), 0);
    executor.stop().await;
}
