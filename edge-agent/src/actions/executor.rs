//! `Executor`: takes `proto::Command`s from the uplink, runs each once through its driver, and
//! answers with `CommandResult` frames (Running, then a final state).
//!
//! - De-duplication: every command id is written to the `CommandLedger` before it runs. A
//!   command delivered again gets its stored outcome again; one still running gets a Running
//!   answer; one the agent was running when it stopped is not run again but reported Failed,
//!   because whether it took effect is unknown. An id re-used for a different command is
//!   Rejected.
//! - Concurrency: commands run concurrently, but one at a time per target (device and
//!   subscriber), in the order they arrived.
//! - Deadlines: per kind from `CommandSettings`; a command past its deadline is TimedOut with
//!   the step it was on.
//! - Fast optics polls go to the OLT's optics loop through its `OpticsWatch`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use netops_radius::DacClient;
use netops_snmp::client::{SharedTransport, SnmpError};
use netops_snmp::profile::ProfileSet;
use proto::{Command, CommandId, CommandResult, CommandState, CommandTarget, Frame};
use thiserror::Error;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::bgp_peering::change_peering;
use super::bras::{change_speed, disconnect};
use super::context::{ActionContext, Progress};
use super::fast_optics::fast_poll_optics;
use super::ledger::{CommandLedger, LedgerEntry, LedgerError};
use super::onu_reboot::{reboot_onu, OnuTarget};
use super::outcome::Outcome;
use super::plan::{plan, Plan};
use super::router_reboot::reboot_router;
use crate::config::AgentConfig;
use crate::device::OpticsWatch;

/// Past its deadline, an action gets this long to report its own verdict before it is cut off.
const DEADLINE_GRACE: Duration = Duration::from_secs(2);

#[derive(Debug, Error)]
pub enum ExecutorError {
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error("cannot open the RADIUS dynamic authorization socket on {local}: {source}")]
    RadiusSocket {
        local: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Snmp(#[from] SnmpError),
}

/// A command's target as a map key: device id and subscriber key.
type TargetKey = (String, Option<proto::SubscriberKey>);

fn target_key(target: &CommandTarget) -> TargetKey {
    (target.device_id.clone(), target.subscriber_key.clone())
}

/// The devices commands may target, replaced when the configuration is reloaded. A command
/// already planned keeps the device settings it was planned with.
#[derive(Clone, Default)]
pub struct DeviceDirectory {
    devices: Arc<RwLock<HashMap<String, crate::config::DeviceConfig>>>,
    /// Each polled device's optics loop, for fast optics polls.
    optics: Arc<RwLock<BTreeMap<String, OpticsWatch>>>,
}

impl DeviceDirectory {
    pub fn replace(&self, devices: &[crate::config::DeviceConfig]) {
        let devices = devices
            .iter()
            .map(|device| (device.name.clone(), device.clone()))
            .collect();
        *self.devices.write().unwrap_or_else(|p| p.into_inner()) = devices;
    }

    /// The optics loops after the device tasks changed (a restarted OLT has a new one).
    pub fn replace_optics(&self, optics: BTreeMap<String, OpticsWatch>) {
        *self.optics.write().unwrap_or_else(|p| p.into_inner()) = optics;
    }

    fn optics_of(&self, device: &str) -> Option<OpticsWatch> {
        self.optics
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(device)
            .cloned()
    }
}

/// The command executor of one agent.
pub struct Executor {
    shared: Arc<Shared>,
}

struct Shared {
    agent_id: String,
    devices: DeviceDirectory,
    context: ActionContext,
    ledger: Mutex<CommandLedger>,
    /// Commands accepted by this run and not finished yet.
    running: Mutex<HashSet<CommandId>>,
    /// One lock per target, so commands on one target run one at a time, in arrival order.
    targets: Mutex<HashMap<TargetKey, Arc<tokio::sync::Mutex<()>>>>,
    results: mpsc::Sender<Frame>,
}

impl Executor {
    /// Opens the executed-commands file in the spool folder, the RADIUS socket and the SNMP
    /// socket. `results` is the uplink's frame channel; `optics` the devices' optics loops
    /// (`DeviceSide::optics_watches`).
    pub async fn start(
        config: &AgentConfig,
        profiles: ProfileSet,
        optics: BTreeMap<String, OpticsWatch>,
        results: mpsc::Sender<Frame>,
    ) -> Result<Self, ExecutorError> {
        let ledger = CommandLedger::open(&config.spool_dir, config.commands.remembered_commands)?;
        let ipv6 = crate::reload::needs_ipv6(&config.devices);
        let local: SocketAddr = if ipv6 {
            (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
        } else {
            (std::net::Ipv4Addr::UNSPECIFIED, 0).into()
        };
        let dac = DacClient::bind(local, config.commands.radius_retry)
            .await
            .map_err(|source| ExecutorError::RadiusSocket { local, source })?;
        let transport = SharedTransport::bind(ipv6).await?;
        let devices = DeviceDirectory::default();
        devices.replace(&config.devices);
        devices.replace_optics(optics);
        Ok(Self {
            shared: Arc::new(Shared {
                agent_id: config.agent_id.clone(),
                devices,
                context: ActionContext {
                    dac,
                    transport,
                    profiles,
                    settings: config.commands.clone(),
                },
                ledger: Mutex::new(ledger),
                running: Mutex::new(HashSet::new()),
                targets: Mutex::new(HashMap::new()),
                results,
            }),
        })
    }

    /// The device list, to replace on a configuration reload.
    pub fn devices(&self) -> DeviceDirectory {
        self.shared.devices.clone()
    }

    /// Runs commands until `commands` closes (then lets running ones finish) or `shutdown`
    /// completes (then stops running ones; a re-sent one is reported as interrupted).
    pub async fn run(
        self,
        mut commands: mpsc::Receiver<Command>,
        shutdown: impl Future<Output = ()> + Send,
    ) {
        let mut tasks = JoinSet::new();
        let mut open = true;
        tokio::pin!(shutdown);
        while open || !tasks.is_empty() {
            tokio::select! {
                () = &mut shutdown => {
                    tasks.abort_all();
                    break;
                }
                command = commands.recv(), if open => match command {
                    Some(command) => self.accept(command, &mut tasks).await,
                    None => open = false,
                },
                Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            }
        }
        while tasks.join_next().await.is_some() {}
    }

    /// Answers a delivery from the ledger, refuses it, or starts it.
    async fn accept(&self, command: Command, tasks: &mut JoinSet<()>) {
        let shared = &self.shared;
        let id = command.command_id;
        let fingerprint = fingerprint(&command);
        let known = shared.lock_ledger().get(id).cloned();
        match known {
            Some(entry) if entry.fingerprint() != fingerprint => {
                tracing::warn!(command = %id, "command id re-used for a different command");
                let outcome = Outcome::rejected(format!(
                    "command id {id} was already used for a different command; give every command its own id"
                ));
                shared.send(outcome.result_for(id)).await;
                return;
            }
            Some(LedgerEntry::Finished { outcome, .. }) => {
                tracing::info!(command = %id, "command delivered again; reporting its stored outcome");
                shared.send(outcome.result_for(id)).await;
                return;
            }
            Some(LedgerEntry::Started { .. }) if shared.is_running(id) => {
                shared
                    .send(CommandResult {
                        command_id: id,
                        state: CommandState::Running,
                        detail: "already running; this delivery is not run again".to_owned(),
                    })
                    .await;
                return;
            }
            Some(LedgerEntry::Started { .. }) => {
                let outcome = Outcome::failed(
                    "the agent stopped while this command was running, so whether it took effect is unknown; it was not run again — check the device and send a new command",
                );
                shared.finish(id, fingerprint, outcome).await;
                return;
            }
            None => {}
        }
        let planned = {
            let devices = shared
                .devices
                .devices
                .read()
                .unwrap_or_else(|p| p.into_inner());
            plan(&command, &devices, &shared.agent_id)
        };
        let plan = match planned {
            Ok(plan) => plan,
            Err(reason) => {
                tracing::warn!(command = %id, %reason, "command rejected");
                shared
                    .finish(id, fingerprint, Outcome::rejected(reason))
                    .await;
                return;
            }
        };
        let recorded = shared
            .lock_ledger()
            .record(id, LedgerEntry::Started { fingerprint });
        if let Err(error) = recorded {
            tracing::error!(command = %id, %error, "cannot record the command; not running it");
            let outcome = Outcome::failed(format!(
                "not run: the agent cannot record executed commands ({error}), so it could not guarantee running it once"
            ));
            shared.send(outcome.result_for(id)).await;
            return;
        }
        shared.set_running(id, true);
        let target_lock = shared.target_lock(&command.target);
        let shared = self.shared.clone();
        tasks.spawn(async move {
            let guard = target_lock.lock().await;
            let outcome = shared.execute(id, &plan).await;
            drop(guard);
            shared.finish(id, fingerprint, outcome).await;
            shared.set_running(id, false);
            shared.release_target(&command.target);
        });
    }
}

impl Shared {
    fn lock_ledger(&self) -> std::sync::MutexGuard<'_, CommandLedger> {
        self.ledger.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn is_running(&self, id: CommandId) -> bool {
        self.running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(&id)
    }

    fn set_running(&self, id: CommandId, running: bool) {
        let mut set = self.running.lock().unwrap_or_else(|p| p.into_inner());
        if running {
            set.insert(id);
        } else {
            set.remove(&id);
        }
    }

    fn target_lock(&self, target: &CommandTarget) -> Arc<tokio::sync::Mutex<()>> {
        self.targets
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(target_key(target))
            .or_default()
            .clone()
    }

    /// Forgets a target's lock once no command holds or waits for it.
    fn release_target(&self, target: &CommandTarget) {
        let mut targets = self.targets.lock().unwrap_or_else(|p| p.into_inner());
        let key = target_key(target);
        if targets
            .get(&key)
            .is_some_and(|lock| Arc::strong_count(lock) == 1)
        {
            targets.remove(&key);
        }
    }

    /// Runs the plan under its deadline, reporting Running first.
    async fn execute(&self, id: CommandId, plan: &Plan) -> Outcome {
        let limit = plan.deadline(&self.context.settings);
        let deadline = Instant::now() + limit;
        let progress = Progress::default();
        self.send(CommandResult {
            command_id: id,
            state: CommandState::Running,
            detail: running_detail(plan),
        })
        .await;
        tracing::info!(command = %id, detail = %running_detail(plan), "command running");
        let context = &self.context;
        let action = async {
            match plan {
                Plan::Disconnect(action) => disconnect(context, action, &progress).await,
                Plan::ChangeSpeed {
                    action,
                    rate,
                    download_bps,
                    upload_bps,
                } => {
                    change_speed(context, action, rate, *download_bps, *upload_bps, &progress).await
                }
                Plan::RebootOnu { olt, pon, onu_id } => {
                    let target = OnuTarget {
                        pon: *pon,
                        onu_id: *onu_id,
                    };
                    reboot_onu(context, olt, target, deadline, &progress).await
                }
                Plan::RebootRouter(reboot) => {
                    reboot_router(reboot, context.settings.verify_interval, &progress).await
                }
                Plan::BgpPeer(peering) => change_peering(peering, &progress).await,
                Plan::FastPollOptics(poll) => {
                    let optics = self.devices.optics_of(&poll.olt);
                    fast_poll_optics(optics.as_ref(), poll, deadline, &progress).await
                }
            }
        };
        let cutoff = match plan {
            // The reboot watch and the wait for a first reading end themselves at the deadline
            // with their own verdict.
            Plan::RebootOnu { .. } | Plan::FastPollOptics(_) => deadline + DEADLINE_GRACE,
            _ => deadline,
        };
        match tokio::time::timeout_at(cutoff, action).await {
            Ok(outcome) => outcome,
            Err(_) => Outcome::timed_out(format!(
                "no verdict within the {} s deadline; last step: {}{}",
                limit.as_secs(),
                progress.get(),
                cut_short_note(plan)
            )),
        }
    }

    /// Records the final outcome, then reports it.
    async fn finish(&self, id: CommandId, fingerprint: u64, outcome: Outcome) {
        let entry = LedgerEntry::Finished {
            fingerprint,
            outcome: outcome.clone(),
        };
        let recorded = self.lock_ledger().record(id, entry);
        if let Err(error) = recorded {
            tracing::error!(command = %id, %error, "cannot record the command's outcome; a re-sent copy will be reported as interrupted");
        }
        tracing::info!(command = %id, state = ?outcome.state, detail = %outcome.detail, "command finished");
        self.send(outcome.result_for(id)).await;
    }

    async fn send(&self, result: CommandResult) {
        if self
            .results
            .send(Frame::CommandResult(result))
            .await
            .is_err()
        {
            tracing::warn!("the uplink is gone; a command result was not sent");
        }
    }
}

fn running_detail(plan: &Plan) -> String {
    match plan {
        Plan::Disconnect(action) => format!(
            "disconnecting {} on {} (Disconnect-Request to {})",
            action.session.user_name, action.bras.name, action.radius.nas.addr
        ),
        Plan::ChangeSpeed { action, .. } => format!(
            "changing the speed of {} on {} (CoA-Request to {})",
            action.session.user_name, action.bras.name, action.radius.nas.addr
        ),
        Plan::RebootOnu { olt, pon, onu_id } => {
            format!("rebooting ONU {onu_id} on PON {pon} of {}", olt.name)
        }
        Plan::RebootRouter(reboot) => reboot.running_detail(),
        Plan::BgpPeer(peering) => peering.describe(),
        Plan::FastPollOptics(poll) => format!(
            "asking OLT {} to poll ONU {} on PON {} every {} s for {} s",
            poll.olt,
            poll.onu_id,
            poll.pon,
            super::plan::seconds_text(poll.every),
            super::plan::seconds_text(poll.for_duration)
        ),
    }
}

/// What a command cut short at its deadline may have left behind.
fn cut_short_note(plan: &Plan) -> &'static str {
    match plan {
        Plan::BgpPeer(peering) if !peering.dry_run => {
            "; the change may be partly applied: check the neighbor on the router (BIRD reverts an unconfirmed change by itself, FRR keeps it)"
        }
        _ => "",
    }
}

/// FNV-1a over the command's wire encoding: the same command always gives the same value.
fn fingerprint(command: &Command) -> u64 {
    let bytes = proto::encode_frame(&Frame::Command(command.clone()))
        .unwrap_or_else(|_| format!("{command:?}").into_bytes());
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}
