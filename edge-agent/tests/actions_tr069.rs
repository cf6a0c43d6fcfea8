//! CPE reboots through TR-069 end to end in the agent: the executor against `FakeNbi`, the
//! GenieACS 1.2 NBI stand-in of `netops-tr069` (GenieACS needs MongoDB, which Debian does not
//! package). A CPE that reboots is confirmed once; a faulting CPE's reason is reported and its
//! task withdrawn; one that never comes back is reported as not confirmed; an unknown GenieACS
//! device is named.

mod actions_support;

use std::time::Duration;

use actions_support::{command, config_text, unpolled_cpe, RunningExecutor};
use netops_tr069::fake::{CpeBehaviour, FakeNbi};
use proto::{CommandKind, CommandState};

const WITHIN: Duration = Duration::from_secs(20);

/// A `[[devices]]` table for a CPE managed through `nbi` as GenieACS device `device_id`.
fn cpe_device(name: &str, nbi: &FakeNbi, device_id: &str) -> String {
    let head = unpolled_cpe(name);
    format!(
        r#"{head}[devices.tr069]
nbi_url = "{url}"
device_id = "{device_id}"
connection_request_timeout_ms = 1000
confirm_within_s = 5
"#,
        url = nbi.url()
    )
}

#[tokio::test]
async fn a_reboot_runs_once_and_each_cpe_gets_its_own_verdict() {
    let nbi = FakeNbi::start().await.unwrap();
    nbi.add_cpe(
        "CPE-REBOOTS",
        CpeBehaviour::Reboots {
            back_after: Duration::from_millis(200),
        },
    );
    nbi.add_cpe(
        "CPE-FAULTS",
        CpeBehaviour::Faults {
            fault_code: 9002,
            fault_string: "Internal error".into(),
        },
    );
    nbi.add_cpe("CPE-GONE", CpeBehaviour::NeverReturns);
    let devices = [
        cpe_device("cpe-1", &nbi, "CPE-REBOOTS"),
        cpe_device("cpe-2", &nbi, "CPE-FAULTS"),
        cpe_device("cpe-3", &nbi, "CPE-GONE"),
        cpe_device("cpe-4", &nbi, "CPE-UNKNOWN"),
    ]
    .concat();
    let spool = tempfile::tempdir().unwrap();
    let mut executor = RunningExecutor::start(&config_text(spool.path(), "", &devices)).await;

    let reboot = command(1, "cpe-1", None, CommandKind::RebootRouter);
    executor.send(&reboot).await;
    let results = executor
        .results_until_final(reboot.command_id, WITHIN)
        .await;
    assert_eq!(results[0].state, CommandState::Running, "{results:?}");
    assert!(
        results[0]
            .detail
            .contains("rebooting cpe-1 (GenieACS device CPE-REBOOTS at http://127.0.0.1:"),
        "{results:?}"
    );
    let done = results.last().unwrap();
    assert_eq!(done.state, CommandState::Succeeded, "{done:?}");
    assert!(
        done.detail.starts_with("confirmed: the CPE booted at "),
        "{done:?}"
    );
    // The same command again is answered from the ledger: no second task is posted.
    executor.send(&reboot).await;
    let again = executor.final_result(reboot.command_id, WITHIN).await;
    assert_eq!(again.detail, done.detail);
    let posts = |device: &str| {
        nbi.requests()
            .iter()
            .filter(|r| r.starts_with(&format!("POST /devices/{device}/tasks")))
            .count()
    };
    assert_eq!(posts("CPE-REBOOTS"), 1);

    let cases = [
        (
            2,
            "cpe-2",
            "the CPE refused the reboot: CWMP fault 9002 (internal error): Internal error; task withdrawn",
        ),
        (3, "cpe-3", "reboot sent, not confirmed within 5 s"),
        (
            4,
            "cpe-4",
            "not rebooted: GenieACS has no device \"CPE-UNKNOWN\" (No such device); check tr069.device_id",
        ),
    ];
    for (n, device, words) in cases {
        let reboot = command(n, device, None, CommandKind::RebootRouter);
        executor.send(&reboot).await;
        let done = executor.final_result(reboot.command_id, WITHIN).await;
        assert_eq!(done.state, CommandState::Failed, "{device}: {done:?}");
        assert!(done.detail.starts_with(words), "{device}: {done:?}");
    }
    assert!(nbi.queued_tasks("CPE-FAULTS").is_empty());
    assert_eq!(posts("CPE-UNKNOWN"), 0, "an unknown device gets no task");
    executor.stop().await;
}
