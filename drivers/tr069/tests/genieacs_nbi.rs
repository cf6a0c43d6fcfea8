//! The NBI client and the reboot flow against `FakeNbi`, the GenieACS 1.2 NBI stand-in: a CPE
//! that reboots, one that is offline (its queued task must be deleted), one that faults, one
//! that never comes back, an unknown device, credentials, and an NBI that is not there.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use netops_tr069::fake::{CpeBehaviour, FakeNbi};
use netops_tr069::{
    reboot_cpe, CpeId, NbiAuth, NbiClient, NbiEndpoint, RebootLimits, RebootOutcome, Tr069Error,
};

/// A GenieACS id whose serial holds an escape, as real ones do: the path must carry `%252D`.
const CPE: &str = "00236a-96318REF-SR360NA0A4%2D0003196";
const ENCODED_CPE: &str = "00236a-96318REF-SR360NA0A4%252D0003196";

fn limits() -> RebootLimits {
    RebootLimits {
        connection_request_timeout: Duration::from_millis(300),
        confirm_within: Duration::from_secs(5),
        poll_interval: Duration::from_millis(50),
    }
}

fn client(nbi: &FakeNbi, auth: NbiAuth) -> NbiClient {
    NbiClient::new(NbiEndpoint::parse(&nbi.url(), auth).unwrap()).unwrap()
}

async fn reboot(
    nbi: &FakeNbi,
    limits: &RebootLimits,
) -> (Result<RebootOutcome, Tr069Error>, Vec<String>) {
    let steps = Mutex::new(Vec::new());
    let step = |text: String| steps.lock().unwrap().push(text);
    let outcome = reboot_cpe(
        &client(nbi, NbiAuth::None),
        &CpeId::parse(CPE).unwrap(),
        limits,
        &step,
    )
    .await;
    (outcome, steps.into_inner().unwrap())
}

#[tokio::test]
async fn a_cpe_that_reboots_is_confirmed_by_its_new_boot_time() {
    let nbi = FakeNbi::start().await.unwrap();
    nbi.add_cpe(
        CPE,
        CpeBehaviour::Reboots {
            back_after: Duration::from_millis(400),
        },
    );
    let booted_before = nbi.last_boot(CPE).unwrap();
    let (outcome, steps) = reboot(&nbi, &limits()).await;
    let RebootOutcome::Confirmed {
        booted_at,
        informed_at,
        after,
    } = outcome.unwrap()
    else {
        panic!("not confirmed");
    };
    assert_eq!(
        netops_tr069::nbi_timestamp(booted_at),
        nbi.last_boot(CPE).unwrap()
    );
    assert!(nbi.last_boot(CPE).unwrap() > booted_before);
    assert!(informed_at >= Some(booted_at));
    assert!(after >= Duration::from_millis(400), "{after:?}");
    assert!(nbi.queued_tasks(CPE).is_empty());
    let requests = nbi.requests();
    assert!(
        requests.contains(&format!(
            "POST /devices/{ENCODED_CPE}/tasks?timeout=300&connection_request"
        )),
        "{requests:#?}"
    );
    assert!(
        requests[0].starts_with("GET /devices/?query=%7B%22_id%22%3A%2200236a-96318REF-SR360NA0A4%252D0003196%22%7D&projection=_lastBoot%2C_lastInform"),
        "{requests:#?}"
    );
    assert!(!requests.iter().any(|r| r.starts_with("DELETE")));
    assert!(
        steps.iter().any(|s| s.contains("waiting up to 5 s")),
        "{steps:?}"
    );
}

#[tokio::test]
async fn an_offline_cpes_queued_task_is_withdrawn() {
    let nbi = FakeNbi::start().await.unwrap();
    nbi.add_cpe(CPE, CpeBehaviour::Offline);
    let started = Instant::now();
    let (outcome, _) = reboot(&nbi, &limits()).await;
    let RebootOutcome::Withdrawn { task } = outcome.unwrap() else {
        panic!("not withdrawn");
    };
    // GenieACS waited the connection request timeout for a session.
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert!(
        nbi.queued_tasks(CPE).is_empty(),
        "the reboot would run later"
    );
    assert!(nbi
        .requests()
        .contains(&format!("DELETE /tasks/{}", task.as_str())));
}

#[tokio::test]
async fn a_cpe_fault_is_decoded_and_the_task_withdrawn() {
    let nbi = FakeNbi::start().await.unwrap();
    nbi.add_cpe(
        CPE,
        CpeBehaviour::Faults {
            fault_code: 9001,
            fault_string: "Reboot not permitted while upgrading".into(),
        },
    );
    let (outcome, _) = reboot(&nbi, &limits()).await;
    let RebootOutcome::Faulted {
        fault,
        task,
        withdrawn,
    } = outcome.unwrap()
    else {
        panic!("no fault");
    };
    assert_eq!(
        fault.reason(),
        "CWMP fault 9001 (request denied): Reboot not permitted while upgrading"
    );
    assert!(withdrawn);
    assert!(nbi.queued_tasks(CPE).is_empty());
    let faults_left = client(&nbi, NbiAuth::None)
        .task_fault(&CpeId::parse(CPE).unwrap(), &task)
        .await
        .unwrap();
    assert_eq!(
        faults_left, None,
        "DELETE /tasks removes the task's fault too"
    );
}

#[tokio::test]
async fn a_cpe_that_never_comes_back_is_not_confirmed() {
    let nbi = FakeNbi::start().await.unwrap();
    nbi.add_cpe(CPE, CpeBehaviour::NeverReturns);
    let limits = RebootLimits {
        confirm_within: Duration::from_millis(600),
        ..limits()
    };
    let (outcome, _) = reboot(&nbi, &limits).await;
    let RebootOutcome::NotConfirmed { waited } = outcome.unwrap() else {
        panic!("confirmed without a boot");
    };
    assert!(waited >= Duration::from_millis(600), "{waited:?}");
    assert!(waited < Duration::from_secs(3), "{waited:?}");
}

#[tokio::test]
async fn an_unknown_device_is_named() {
    let nbi = FakeNbi::start().await.unwrap();
    let (outcome, _) = reboot(&nbi, &limits()).await;
    assert_eq!(
        outcome.unwrap_err().to_string(),
        format!("GenieACS has no device {CPE:?} (No such device)")
    );
    // The task post itself answers 404 "No such device" too.
    let posted = client(&nbi, NbiAuth::None)
        .post_task(
            &CpeId::parse("nobody").unwrap(),
            &serde_json::json!({ "name": "reboot" }),
            Duration::from_millis(100),
        )
        .await;
    assert!(
        matches!(posted, Err(Tr069Error::NoSuchDevice { .. })),
        "{posted:?}"
    );
}

#[tokio::test]
async fn credentials_are_sent_and_refusals_reported() {
    let nbi = FakeNbi::start_with(Some("Basic bmV0b3BzOnMzY3JldA==".into()))
        .await
        .unwrap();
    nbi.add_cpe(CPE, CpeBehaviour::NeverReturns);
    let cpe = CpeId::parse(CPE).unwrap();
    let wrong = client(
        &nbi,
        NbiAuth::Basic {
            user: "netops".into(),
            password: "wrong".into(),
        },
    );
    let refused = wrong.boot_record(&cpe).await.unwrap_err();
    assert_eq!(
        refused.to_string(),
        format!(
            "the NBI at {} refused the credentials (HTTP 401)",
            nbi.url()
        )
    );
    let right = client(
        &nbi,
        NbiAuth::Basic {
            user: "netops".into(),
            password: "s3cret".into(),
        },
    );
    assert!(right.boot_record(&cpe).await.unwrap().last_boot.is_some());
}

#[tokio::test]
async fn a_bearer_token_is_sent() {
    let nbi = FakeNbi::start_with(Some("Bearer nbi-t0k3n".into()))
        .await
        .unwrap();
    nbi.add_cpe(CPE, CpeBehaviour::NeverReturns);
    let cpe = CpeId::parse(CPE).unwrap();
    let none = client(&nbi, NbiAuth::None).boot_record(&cpe).await;
    assert!(
        matches!(none, Err(Tr069Error::Unauthorized { status: 401, .. })),
        "{none:?}"
    );
    let bearer = client(&nbi, NbiAuth::Bearer("nbi-t0k3n".into()));
    assert!(bearer.boot_record(&cpe).await.unwrap().last_boot.is_some());
}

#[tokio::test]
async fn an_nbi_that_is_not_there_is_unreachable() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let endpoint = NbiEndpoint::parse(&format!("http://127.0.0.1:{port}"), NbiAuth::None).unwrap();
    let error = NbiClient::new(endpoint)
        .unwrap()
        .boot_record(&CpeId::parse(CPE).unwrap())
        .await
        .unwrap_err();
    assert!(matches!(error, Tr069Error::Unreachable { .. }), "{error}");
    assert!(
        error.to_string().contains("Connection refused")
            || error.to_string().contains("connection refused"),
        "{error}"
    );
}

/// The fake answers as GenieACS 1.2 does where netops does not go in normal use.
#[tokio::test]
async fn the_fake_nbi_answers_as_genieacs() {
    let nbi = FakeNbi::start().await.unwrap();
    nbi.add_cpe(CPE, CpeBehaviour::Offline);
    let http = reqwest::Client::new();
    let base = nbi.url();
    // Without connection_request the task is queued at once.
    let queued = http
        .post(format!("{base}/devices/{ENCODED_CPE}/tasks"))
        .body(r#"{"name":"reboot"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(queued.status(), 202);
    let task: serde_json::Value = queued.json().await.unwrap();
    assert_eq!(task["device"], CPE);
    assert_eq!(task["name"], "reboot");
    assert_eq!(nbi.queued_tasks(CPE).len(), 1);
    let listed = http
        .get(format!(
            "{base}/tasks/?query=%7B%22device%22%3A%22{ENCODED_CPE}%22%7D"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(listed.headers()["total"], "1");
    let text = listed.text().await.unwrap();
    assert!(text.starts_with("[\n{") && text.ends_with("}\n]"), "{text}");
    let id = task["_id"].as_str().unwrap();
    let deleted = http
        .delete(format!("{base}/tasks/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 200);
    let again = http
        .delete(format!("{base}/tasks/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 404);
    assert_eq!(again.text().await.unwrap(), "Task not found");
    let unknown = http
        .post(format!("{base}/devices/nobody/tasks?connection_request"))
        .body(r#"{"name":"reboot"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    assert_eq!(unknown.text().await.unwrap(), "No such device");
    let not_json = http
        .post(format!("{base}/devices/{ENCODED_CPE}/tasks"))
        .body("reboot")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 400);
    let bad_query = http
        .get(format!("{base}/devices/?query=%7B"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad_query.status(), 400);
    let empty = http
        .get(format!(
            "{base}/devices/?query=%7B%22_id%22%3A%22nobody%22%7D"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(empty.text().await.unwrap(), "[\n\n]");
    // Ids with characters outside the NBI's route pattern must be encoded.
    let raw = http
        .post(format!("{base}/devices/a.b/tasks"))
        .body(r#"{"name":"reboot"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 404);
}
