//! Disconnects and speed changes end to end: the executor against the simulated MikroTik BRAS
//! (RFC 5176 on one UDP port, SNMP on another, both on 127.0.0.1).

mod actions_support;

use std::net::Ipv4Addr;
use std::time::Duration;

use actions_support::{
    bras_device, command, config_text, pppoe, wait_for, RunningExecutor, COMMUNITY, FAST_COMMANDS,
    SECRET,
};
use netops_snmp::simulator::{DacRequestKind, SimulatedBras, SimulatedSession};
use proto::{CommandKind, CommandState, SessionHints};

const WITHIN: Duration = Duration::from_secs(15);

fn session(user: &str) -> SimulatedSession {
    SimulatedSession {
        username: user.into(),
        download_bps: 20e6,
        upload_bps: 5e6,
        swing: 0.5,
    }
}

/// A simulated BRAS with sessions for alice and bob, and its DAC address.
async fn bras() -> (SimulatedBras, String) {
    let mut bras = SimulatedBras::start(
        "127.0.0.1:0",
        COMMUNITY,
        vec![session("alice"), session("bob")],
    )
    .await
    .expect("BRAS starts");
    let nas = bras
        .listen_dynamic_authorization("127.0.0.1:0", SECRET)
        .await
        .expect("DAC listener binds");
    (bras, nas.to_string())
}

async fn executor_for(
    bras: &SimulatedBras,
    nas: &str,
    secret: &str,
    spool: &std::path::Path,
) -> RunningExecutor {
    let devices = bras_device(&bras.local_addr().to_string(), nas, secret);
    RunningExecutor::start(&config_text(spool, FAST_COMMANDS, &devices)).await
}

#[tokio::test]
async fn disconnect_is_confirmed_on_the_bras() {
    let (bras, nas) = bras().await;
    let spool = tempfile::tempdir().unwrap();
    let mut executor = executor_for(&bras, &nas, SECRET, spool.path()).await;
    let disconnect = command(1, "bras-1", pppoe("alice"), CommandKind::DisconnectSession);
    executor.send(&disconnect).await;
    let results = executor
        .results_until_final(disconnect.command_id, WITHIN)
        .await;
    assert_eq!(results[0].state, CommandState::Running, "{results:?}");
    let last = results.last().unwrap();
    assert_eq!(last.state, CommandState::Succeeded, "{last:?}");
    assert!(
        last.detail
            .contains("<pppoe-alice> left its interface table"),
        "{}",
        last.detail
    );
    assert!(!bras.has_session("alice"));
    assert!(bras.has_session("bob"));
    executor.stop().await;
}

#[tokio::test]
async fn an_ack_with_the_session_still_up_is_a_failure() {
    let (bras, nas) = bras().await;
    bras.set_keep_session_on_disconnect(true);
    let spool = tempfile::tempdir().unwrap();
    let mut executor = executor_for(&bras, &nas, SECRET, spool.path()).await;
    let disconnect = command(2, "bras-1", pppoe("alice"), CommandKind::DisconnectSession);
    executor.send(&disconnect).await;
    let result = executor.final_result(disconnect.command_id, WITHIN).await;
    assert_eq!(result.state, CommandState::Failed, "{result:?}");
    assert!(
        result
            .detail
            .contains("the BRAS acknowledged the disconnect but the session is still up"),
        "{}",
        result.detail
    );
    executor.stop().await;
}

#[tokio::test]
async fn an_unknown_session_fails_with_the_cause_in_words() {
    let (bras, nas) = bras().await;
    let spool = tempfile::tempdir().unwrap();
    let mut executor = executor_for(&bras, &nas, SECRET, spool.path()).await;
    let disconnect = command(3, "bras-1", pppoe("nobody"), CommandKind::DisconnectSession);
    executor.send(&disconnect).await;
    let result = executor.final_result(disconnect.command_id, WITHIN).await;
    assert_eq!(result.state, CommandState::Failed, "{result:?}");
    assert!(
        result.detail.contains("503 Session-Context-Not-Found"),
        "{}",
        result.detail
    );
    assert!(
        result.detail.contains("no such session"),
        "{}",
        result.detail
    );
    executor.stop().await;
}

#[tokio::test]
async fn a_wrong_secret_times_out_with_the_likely_reason() {
    let (bras, nas) = bras().await;
    let spool = tempfile::tempdir().unwrap();
    let mut executor = executor_for(&bras, &nas, "not-the-secret", spool.path()).await;
    let disconnect = command(4, "bras-1", pppoe("alice"), CommandKind::DisconnectSession);
    executor.send(&disconnect).await;
    let result = executor.final_result(disconnect.command_id, WITHIN).await;
    assert_eq!(result.state, CommandState::TimedOut, "{result:?}");
    assert!(
        result.detail.contains("wrong shared secret"),
        "{}",
        result.detail
    );
    assert!(bras.dropped_dac_requests() >= 1);
    assert!(bras.dac_requests().is_empty());
    assert!(bras.has_session("alice"));
    executor.stop().await;
}

#[tokio::test]
async fn speed_changes_in_place_by_coa() {
    let (bras, nas) = bras().await;
    let spool = tempfile::tempdir().unwrap();
    let mut executor = executor_for(&bras, &nas, SECRET, spool.path()).await;
    let change = command(
        5,
        "bras-1",
        pppoe("bob"),
        CommandKind::ChangeSpeed {
            download_bps: 50_000_000,
            upload_bps: 10_000_000,
        },
    );
    executor.send(&change).await;
    let result = executor.final_result(change.command_id, WITHIN).await;
    assert_eq!(result.state, CommandState::Succeeded, "{result:?}");
    assert!(
        result.detail.starts_with("changed in place by CoA"),
        "{}",
        result.detail
    );
    assert_eq!(bras.rate_limit("bob").as_deref(), Some("10M/50M"));
    assert!(bras.has_session("bob"));
    executor.stop().await;
}

/// With the session's hints from accounting (protocol 3), the CoA names the session by them.
#[tokio::test]
async fn a_coa_carries_the_session_hints() {
    let (bras, nas) = bras().await;
    let spool = tempfile::tempdir().unwrap();
    let mut executor = executor_for(&bras, &nas, SECRET, spool.path()).await;
    let change = command(
        5,
        "bras-1",
        pppoe("bob"),
        CommandKind::ChangeSpeedWithHints {
            download_bps: 50_000_000,
            upload_bps: 10_000_000,
            session: SessionHints {
                acct_session_id: Some("81a0beef".into()),
                framed_ip: Some(Ipv4Addr::new(100, 64, 0, 9)),
                nas_ip: Some(Ipv4Addr::new(127, 0, 0, 1)),
            },
        },
    );
    executor.send(&change).await;
    let result = executor.final_result(change.command_id, WITHIN).await;
    assert_eq!(result.state, CommandState::Succeeded, "{result:?}");
    let request = bras.dac_requests().pop().expect("a CoA-Request");
    assert_eq!(request.user_name.as_deref(), Some("bob"));
    assert_eq!(request.acct_session_id.as_deref(), Some("81a0beef"));
    assert_eq!(request.framed_ip, Some(Ipv4Addr::new(100, 64, 0, 9)));
    assert_eq!(bras.rate_limit("bob").as_deref(), Some("10M/50M"));
    executor.stop().await;
}

#[tokio::test]
async fn a_refused_coa_falls_back_to_one_disconnect() {
    let (bras, nas) = bras().await;
    bras.set_coa_supported(false);
    let spool = tempfile::tempdir().unwrap();
    let mut executor = executor_for(&bras, &nas, SECRET, spool.path()).await;
    let change = command(
        6,
        "bras-1",
        pppoe("bob"),
        CommandKind::ChangeSpeed {
            download_bps: 50_000_000,
            upload_bps: 10_000_000,
        },
    );
    executor.send(&change).await;
    let result = executor.final_result(change.command_id, WITHIN).await;
    assert_eq!(result.state, CommandState::Succeeded, "{result:?}");
    assert!(
        result
            .detail
            .starts_with("CoA refused (405 Unsupported-Service"),
        "{}",
        result.detail
    );
    assert!(
        result.detail.contains("disconnected so the new rate"),
        "{}",
        result.detail
    );
    let kinds: Vec<_> = bras.dac_requests().iter().map(|r| r.kind).collect();
    assert_eq!(kinds, [DacRequestKind::Coa, DacRequestKind::Disconnect]);
    assert!(!bras.has_session("bob"));
    executor.stop().await;
}

#[tokio::test]
async fn a_duplicate_delivery_runs_once() {
    let (bras, nas) = bras().await;
    let spool = tempfile::tempdir().unwrap();
    let mut executor = executor_for(&bras, &nas, SECRET, spool.path()).await;
    let disconnect = command(7, "bras-1", pppoe("alice"), CommandKind::DisconnectSession);
    executor.send(&disconnect).await;
    executor.send(&disconnect).await;
    let first = executor.final_result(disconnect.command_id, WITHIN).await;
    assert_eq!(first.state, CommandState::Succeeded, "{first:?}");
    executor.send(&disconnect).await;
    let again = executor.final_result(disconnect.command_id, WITHIN).await;
    assert_eq!(again, first, "a re-sent command gets its stored outcome");
    assert_eq!(bras.dac_requests().len(), 1, "{:?}", bras.dac_requests());

    let mut reused = disconnect.clone();
    reused.target.subscriber_key = pppoe("bob");
    executor.send(&reused).await;
    let refused = executor.final_result(reused.command_id, WITHIN).await;
    assert_eq!(refused.state, CommandState::Rejected, "{refused:?}");
    assert!(bras.has_session("bob"));
    executor.stop().await;
}

#[tokio::test]
async fn a_restart_never_runs_a_command_twice() {
    let (bras, nas) = bras().await;
    let spool = tempfile::tempdir().unwrap();
    // A finished command, and one cut short by the stop while it checks the session.
    let mut executor = executor_for(&bras, &nas, SECRET, spool.path()).await;
    let finished = command(8, "bras-1", pppoe("bob"), CommandKind::DisconnectSession);
    executor.send(&finished).await;
    let outcome = executor.final_result(finished.command_id, WITHIN).await;
    assert_eq!(outcome.state, CommandState::Succeeded, "{outcome:?}");
    bras.set_keep_session_on_disconnect(true);
    let interrupted = command(9, "bras-1", pppoe("alice"), CommandKind::DisconnectSession);
    executor.send(&interrupted).await;
    wait_for(WITHIN, "the Disconnect-Request for alice", || {
        bras.dac_requests().len() == 2
    })
    .await;
    executor.stop().await;

    let mut executor = executor_for(&bras, &nas, SECRET, spool.path()).await;
    executor.send(&finished).await;
    assert_eq!(
        executor.final_result(finished.command_id, WITHIN).await,
        outcome
    );
    executor.send(&interrupted).await;
    let result = executor.final_result(interrupted.command_id, WITHIN).await;
    assert_eq!(result.state, CommandState::Failed, "{result:?}");
    assert!(result.detail.contains("not run again"), "{}", result.detail);
    assert_eq!(bras.dac_requests().len(), 2, "nothing was sent twice");
    executor.stop().await;
}

#[tokio::test]
async fn commands_for_unknown_devices_are_rejected() {
    let (bras, nas) = bras().await;
    let spool = tempfile::tempdir().unwrap();
    let mut executor = executor_for(&bras, &nas, SECRET, spool.path()).await;
    let stray = command(10, "bras-9", pppoe("alice"), CommandKind::DisconnectSession);
    executor.send(&stray).await;
    let result = executor.final_result(stray.command_id, WITHIN).await;
    assert_eq!(result.state, CommandState::Rejected, "{result:?}");
    assert!(
        result.detail.contains("unknown device \"bras-9\""),
        "{}",
        result.detail
    );
    let no_key = command(11, "bras-1", None, CommandKind::DisconnectSession);
    executor.send(&no_key).await;
    let result = executor.final_result(no_key.command_id, WITHIN).await;
    assert_eq!(result.state, CommandState::Rejected, "{result:?}");
    assert!(
        result.detail.contains("PPPoE username"),
        "{}",
        result.detail
    );
    assert!(bras.dac_requests().is_empty());
    executor.stop().await;
}
