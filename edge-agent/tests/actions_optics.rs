//! Fast optics polls end to end: the executor and the device side of an agent against the
//! simulated Huawei OLT. The first fast reading goes out before the command succeeds, then the
//! ONU keeps being polled on its own interval; unknown ONUs, silent OLTs and wrong targets fail
//! with the reason.

mod actions_support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use actions_support::{command, profiles_dir, COMMUNITY};
use edge_agent::actions::Executor;
use edge_agent::config::parse_config;
use edge_agent::metrics::AgentMetrics;
use edge_agent::run::{run_device_side, DeviceSide};
use netops_snmp::simulator::{SimulatedOlt, SimulatedOnu};
use proto::{
    CommandId, CommandKind, CommandResult, CommandState, Frame, OnuOptics, PonPort, SubscriberKey,
};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

const WITHIN: Duration = Duration::from_secs(15);
/// The fast cadence of the test's copy of the Huawei profile (the shipped one says 10 s).
const PROFILE_FAST_S: u64 = 2;

async fn olt() -> SimulatedOlt {
    let onu = |onu_id, rx_power_dbm| SimulatedOnu {
        slot: 1,
        port: 3,
        onu_id,
        rx_power_dbm,
    };
    SimulatedOlt::start(
        "127.0.0.1:0",
        COMMUNITY,
        vec![onu(7, -19.5), onu(8, -23.25)],
        Duration::from_millis(800),
    )
    .await
    .expect("OLT starts")
}

/// A profiles folder holding the shipped Huawei profile with a fast cadence of 2 s.
fn fast_profiles() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let shipped = std::fs::read_to_string(profiles_dir().join("huawei-ma56xx-gpon.toml"))
        .expect("shipped Huawei profile");
    let fast = shipped.replace(
        "fast_optics_interval_s = 10",
        &format!("fast_optics_interval_s = {PROFILE_FAST_S}"),
    );
    assert_ne!(fast, shipped, "the shipped profile's fast cadence moved");
    std::fs::write(dir.path().join("huawei-ma56xx-gpon.toml"), fast).expect("write profile");
    dir
}

fn config_text(profiles: &Path, spool: &Path, olt_addr: &str, kind: &str) -> String {
    format!(
        r#"
profiles_dir = "{profiles}"
[agent]
id = "lab-site"
[control_plane]
url = "ws://127.0.0.1:1/agent"
token = "lab-token"
[spool]
dir = "{spool}"
[commands]
fast_poll_optics_deadline_s = 2
[[devices]]
name = "olt-1"
address = "{olt_addr}"
kind = "{kind}"
profile = "huawei-ma56xx-gpon"
timeout_ms = 300
retries = 0
snmp = {{ version = "2c", community = "{COMMUNITY}" }}
"#,
        profiles = profiles.display(),
        spool = spool.display(),
    )
}

/// The executor and the device side sharing one frame channel, as in the agent.
struct RunningAgent {
    commands: mpsc::Sender<proto::Command>,
    frames: mpsc::Receiver<Frame>,
    stop: watch::Sender<bool>,
    executor: JoinHandle<()>,
    side: DeviceSide,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
}

impl RunningAgent {
    async fn start(olt_addr: &str, kind: &str) -> Self {
        let profiles = fast_profiles();
        let spool = tempfile::tempdir().expect("spool");
        let text = config_text(profiles.path(), spool.path(), olt_addr, kind);
        let config = parse_config(&text, Path::new("/")).expect("valid configuration");
        let (frames_tx, frames) = mpsc::channel(256);
        let (stop, stop_rx) = watch::channel(false);
        let side = run_device_side(
            &config,
            frames_tx.clone(),
            AgentMetrics::new().expect("metrics"),
            stop_rx.clone(),
        )
        .await
        .expect("device side starts");
        let executor_profiles =
            netops_snmp::load_profiles_dir(&PathBuf::from(profiles.path())).expect("profiles");
        let executor = Executor::start(
            &config,
            executor_profiles,
            side.optics_watches.clone(),
            frames_tx,
        )
        .await
        .expect("executor starts");
        let (commands, commands_rx) = mpsc::channel(16);
        let mut stopped = stop_rx;
        let executor = tokio::spawn(executor.run(commands_rx, async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        }));
        Self {
            commands,
            frames,
            stop,
            executor,
            side,
            _dirs: (profiles, spool),
        }
    }

    async fn send(&self, command: &proto::Command) {
        self.commands.send(command.clone()).await.expect("executor");
    }

    /// Every frame up to and including the final result of `id`, with when each arrived.
    async fn frames_until_final(&mut self, id: CommandId) -> Vec<(Instant, Frame)> {
        let deadline = Instant::now() + WITHIN;
        let mut seen = Vec::new();
        loop {
            match tokio::time::timeout_at(deadline, self.frames.recv()).await {
                Ok(Some(frame)) => {
                    let done = matches!(&frame, Frame::CommandResult(r)
                        if r.command_id == id && r.state != CommandState::Running);
                    seen.push((Instant::now(), frame));
                    if done {
                        return seen;
                    }
                }
                Ok(None) => panic!("frame channel closed"),
                Err(_) => panic!("no final result for {id} within {WITHIN:?}"),
            }
        }
    }

    /// The next Optics frame with `within` left, if any.
    async fn next_optics(&mut self, within: Duration) -> Option<(Instant, Vec<OnuOptics>)> {
        let deadline = Instant::now() + within;
        loop {
            match tokio::time::timeout_at(deadline, self.frames.recv()).await {
                Ok(Some(Frame::Optics(optics))) => {
                    return Some((Instant::now(), optics.readings));
                }
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => return None,
            }
        }
    }

    async fn stop(self) {
        let _ = self.stop.send(true);
        tokio::time::timeout(Duration::from_secs(5), async {
            self.executor.await.expect("executor task");
            self.side.join().await;
        })
        .await
        .expect("the agent stops within 5 s");
    }
}

fn onu_key(onu_id: u32) -> SubscriberKey {
    SubscriberKey::Onu {
        olt: "olt-1".into(),
        pon: PonPort {
            frame: 0,
            slot: 1,
            port: 3,
        },
        onu_id,
    }
}

fn fast_poll(
    n: u8,
    key: Option<SubscriberKey>,
    interval_ms: u32,
    duration_ms: u32,
) -> proto::Command {
    command(
        n,
        "olt-1",
        key,
        CommandKind::FastPollOptics {
            interval_ms,
            duration_ms,
        },
    )
}

fn results_of(frames: &[(Instant, Frame)], id: CommandId) -> Vec<CommandResult> {
    frames
        .iter()
        .filter_map(|(_, frame)| match frame {
            Frame::CommandResult(result) if result.command_id == id => Some(result.clone()),
            _ => None,
        })
        .collect()
}

/// Optics frames holding exactly one reading, of `key`: fast polls (a full walk reads both ONUs).
fn fast_readings(frames: &[(Instant, Frame)], key: &SubscriberKey) -> Vec<(Instant, OnuOptics)> {
    frames
        .iter()
        .filter_map(|(at, frame)| match frame {
            Frame::Optics(optics)
                if optics.readings.len() == 1 && optics.readings[0].subscriber_key == *key =>
            {
                Some((*at, optics.readings[0].clone()))
            }
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_fast_poll_sends_a_reading_at_once_then_keeps_polling() {
    let olt = olt().await;
    let mut agent = RunningAgent::start(&olt.local_addr().to_string(), "olt").await;
    let command = fast_poll(1, Some(onu_key(7)), 500, 3_600_000);
    agent.send(&command).await;
    let frames = agent.frames_until_final(command.command_id).await;

    let results = results_of(&frames, command.command_id);
    assert_eq!(results[0].state, CommandState::Running, "{results:?}");
    let last = results.last().unwrap();
    assert_eq!(last.state, CommandState::Succeeded, "{last:?}");
    for words in [
        "ONU 7 on PON 0/1/3 of olt-1 is online receiving -19.50 dBm",
        "every 2 s for 600 s",
        "asked every 0.5 s",
        "asked for 3600 s; a fast poll lasts at most 600 s",
    ] {
        assert!(last.detail.contains(words), "{words:?} in {}", last.detail);
    }
    let fast = fast_readings(&frames, &onu_key(7));
    assert_eq!(
        fast.len(),
        1,
        "one fast reading before the result: {frames:?}"
    );
    let (first_at, first) = &fast[0];
    assert_eq!(first.rx_power_dbm, Some(-19.5));
    assert_eq!(first.status, proto::OnuStatus::Online);

    // The ONU keeps being read on its own, every 2 s, without a full walk (600 s).
    let (second_at, second) = loop {
        let (at, readings) = agent
            .next_optics(Duration::from_secs(PROFILE_FAST_S + 4))
            .await
            .expect("a second fast reading");
        if readings.len() == 1 {
            break (at, readings[0].clone());
        }
    };
    assert_eq!(second.subscriber_key, onu_key(7));
    assert_eq!(second.rx_power_dbm, Some(-19.5));
    let gap = second_at.duration_since(*first_at);
    assert!(
        gap >= Duration::from_millis(PROFILE_FAST_S * 1000 - 300),
        "polled again after only {gap:?}"
    );
    agent.stop().await;
}

#[tokio::test]
async fn an_onu_the_olt_does_not_have_is_not_watched() {
    let olt = olt().await;
    let mut agent = RunningAgent::start(&olt.local_addr().to_string(), "olt").await;
    let command = fast_poll(2, Some(onu_key(99)), 2_000, 60_000);
    agent.send(&command).await;
    let frames = agent.frames_until_final(command.command_id).await;
    let last = results_of(&frames, command.command_id).pop().unwrap();
    assert_eq!(last.state, CommandState::Failed, "{last:?}");
    assert!(
        last.detail
            .contains("returned no status or level for ONU 99 on PON 0/1/3: it has no such ONU"),
        "{}",
        last.detail
    );
    assert!(fast_readings(&frames, &onu_key(99)).is_empty());
    // Nothing is polled fast afterwards either.
    if let Some((_, readings)) = agent
        .next_optics(Duration::from_secs(PROFILE_FAST_S + 1))
        .await
    {
        assert_ne!(readings.len(), 1, "a fast poll ran: {readings:?}");
    }
    agent.stop().await;
}

#[tokio::test]
async fn an_olt_that_does_not_answer_fails_at_the_deadline() {
    // A bound socket nobody answers on: the OLT is never identified.
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
    let mut agent = RunningAgent::start(&silent.local_addr().unwrap().to_string(), "olt").await;
    let command = fast_poll(3, Some(onu_key(7)), 2_000, 60_000);
    let sent = Instant::now();
    agent.send(&command).await;
    let frames = agent.frames_until_final(command.command_id).await;
    let last = results_of(&frames, command.command_id).pop().unwrap();
    assert_eq!(last.state, CommandState::Failed, "{last:?}");
    assert!(
        last.detail.contains(
            "no reading of ONU 7 on PON 0/1/3 from OLT olt-1 in time: the OLT does not answer SNMP"
        ),
        "{}",
        last.detail
    );
    let took = sent.elapsed();
    assert!(
        (Duration::from_millis(1_500)..Duration::from_secs(5)).contains(&took),
        "failed after {took:?}; the deadline is 2 s"
    );
    agent.stop().await;
}

#[tokio::test]
async fn fast_polls_need_an_onu_key_on_an_olt() {
    let olt = olt().await;
    let addr = olt.local_addr().to_string();
    let mut agent = RunningAgent::start(&addr, "olt").await;
    let pppoe = fast_poll(
        4,
        Some(SubscriberKey::PppoeUsername("rahim".into())),
        2_000,
        60_000,
    );
    agent.send(&pppoe).await;
    let frames = agent.frames_until_final(pppoe.command_id).await;
    let last = results_of(&frames, pppoe.command_id).pop().unwrap();
    assert_eq!(last.state, CommandState::Rejected, "{last:?}");
    assert!(
        last.detail.contains("needs an ONU subscriber key"),
        "{}",
        last.detail
    );
    agent.stop().await;

    let mut agent = RunningAgent::start(&addr, "bras").await;
    let on_bras = fast_poll(5, Some(onu_key(7)), 2_000, 60_000);
    agent.send(&on_bras).await;
    let frames = agent.frames_until_final(on_bras.command_id).await;
    let last = results_of(&frames, on_bras.command_id).pop().unwrap();
    assert_eq!(last.state, CommandState::Rejected, "{last:?}");
    assert!(
        last.detail.contains("is not configured as an OLT"),
        "{}",
        last.detail
    );
    agent.stop().await;
}
