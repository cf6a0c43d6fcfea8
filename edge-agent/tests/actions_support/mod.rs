//! Shared by the `actions_*` tests: an executor started from configuration text against the
//! simulated BRAS and OLT on 127.0.0.1, and waits with deadlines for its results.

#![allow(dead_code)]

pub mod bgp_lab;
pub mod sshd;

use std::path::{Path, PathBuf};
use std::time::Duration;

use edge_agent::actions::Executor;
use edge_agent::config::parse_config;
use netops_snmp::load_profiles_dir;
use proto::SubscriberKey;
use proto::{Command, CommandId, CommandKind, CommandResult, CommandState, CommandTarget, Frame};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

pub const COMMUNITY: &str = "actions-lab";
pub const SECRET: &str = "bras-dac-secret";

/// Fast verification settings so tests finish in seconds.
pub const FAST_COMMANDS: &str = r#"
[commands]
session_gone_within_s = 2
verify_interval_ms = 100
radius_timeout_ms = 300
radius_attempts = 2
reboot_onu_deadline_s = 6
"#;

pub fn profiles_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../config/profiles")
}

/// Configuration text with the agent basics, `commands` and `devices` appended.
pub fn config_text(spool: &Path, commands: &str, devices: &str) -> String {
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
{commands}
{devices}
"#,
        profiles = profiles_dir().display(),
        spool = spool.display(),
    )
}

/// The head of a `[[devices]]` table for a customer's CPE at 127.0.0.1, acted on, not polled.
pub fn unpolled_cpe(name: &str) -> String {
    format!(
        "\n[[devices]]\nname = \"{name}\"\naddress = \"127.0.0.1\"\nkind = \"cpe\"\npoll = false\n"
    )
}

/// A `[[devices]]` table for the simulated BRAS.
pub fn bras_device(snmp: &str, nas: &str, secret: &str) -> String {
    format!(
        r#"
[[devices]]
name = "bras-1"
address = "{snmp}"
kind = "bras"
profile = "mikrotik-pppoe-bras"
timeout_ms = 300
retries = 0
snmp = {{ version = "2c", community = "{COMMUNITY}" }}
radius = {{ nas = "{nas}", secret = "{secret}" }}
"#
    )
}

/// A running executor and its channels.
pub struct RunningExecutor {
    pub commands: mpsc::Sender<Command>,
    pub results: mpsc::Receiver<Frame>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl RunningExecutor {
    pub async fn start(config_text: &str) -> Self {
        let config = parse_config(config_text, Path::new("/")).expect("valid configuration");
        let profiles = load_profiles_dir(&profiles_dir()).expect("profiles load");
        let (results_tx, results) = mpsc::channel(256);
        let (commands, commands_rx) = mpsc::channel(64);
        let (stop, mut stop_rx) = watch::channel(false);
        let executor = Executor::start(&config, profiles, Default::default(), results_tx)
            .await
            .expect("executor starts");
        let task = tokio::spawn(executor.run(commands_rx, async move {
            let _ = stop_rx.wait_for(|stop| *stop).await;
        }));
        Self {
            commands,
            results,
            stop,
            task,
        }
    }

    pub async fn send(&self, command: &Command) {
        self.commands
            .send(command.clone())
            .await
            .expect("executor takes commands");
    }

    /// The results for `id` up to and including its first final state.
    pub async fn results_until_final(
        &mut self,
        id: CommandId,
        within: Duration,
    ) -> Vec<CommandResult> {
        let deadline = tokio::time::Instant::now() + within;
        let mut seen = Vec::new();
        loop {
            match tokio::time::timeout_at(deadline, self.results.recv()).await {
                Ok(Some(Frame::CommandResult(result))) if result.command_id == id => {
                    let done = result.state != CommandState::Running;
                    seen.push(result);
                    if done {
                        return seen;
                    }
                }
                Ok(Some(_)) => {}
                Ok(None) => panic!("result channel closed; seen {seen:?}"),
                Err(_) => panic!("no final result for {id} within {within:?}; seen {seen:?}"),
            }
        }
    }

    /// The final result for `id`.
    pub async fn final_result(&mut self, id: CommandId, within: Duration) -> CommandResult {
        self.results_until_final(id, within)
            .await
            .pop()
            .expect("at least one result")
    }

    /// Stops the executor as an agent shutdown does, cutting running commands short.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        tokio::time::timeout(Duration::from_secs(5), self.task)
            .await
            .expect("executor stops within 5 s")
            .expect("executor task");
    }
}

pub fn command(n: u8, device: &str, key: Option<SubscriberKey>, kind: CommandKind) -> Command {
    Command {
        command_id: CommandId::from_bytes([n; 16]),
        target: CommandTarget {
            device_id: device.to_owned(),
            subscriber_key: key,
        },
        kind,
    }
}

pub fn pppoe(user: &str) -> Option<SubscriberKey> {
    Some(SubscriberKey::PppoeUsername(user.to_owned()))
}

/// Waits until `condition` holds, polling every 20 ms, at most `within`.
pub async fn wait_for(within: Duration, what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + within;
    while !condition() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
