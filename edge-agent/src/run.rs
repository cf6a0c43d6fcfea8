//! Starting the agent's device side: profiles, the shared SNMP socket, the clock check, one
//! task per device and the aggregator, all feeding one channel of `proto::Frame`; and changing
//! the device tasks on a configuration reload.

use std::collections::BTreeMap;
use std::time::Duration;

use netops_snmp::client::{SharedTransport, SnmpError};
use netops_snmp::load_profiles_dir;
use netops_snmp::profile::ProfileDirError;
use proto::Frame;
use thiserror::Error;
use tokio::sync::{mpsc, watch};
use tokio::task::{JoinHandle, JoinSet};

use crate::aggregate::{initial_batch_seq, run_aggregator, DeviceReport};
use crate::clock::{run_clock_check, CorrectedClock};
use crate::config::{AgentConfig, DeviceConfig};
use crate::device::{run_device, DeviceContext, OpticsWatch};
use crate::metrics::AgentMetrics;
use crate::reload::{device_changes, DeviceChanges};

#[derive(Debug, Error)]
pub enum RunError {
    #[error(transparent)]
    Profiles(#[from] ProfileDirError),
    #[error(transparent)]
    Socket(#[from] SnmpError),
}

/// How long a stopped device task may take to end (an SNMP poll in flight) before it is cut off.
const DEVICE_STOP_LIMIT: Duration = Duration::from_secs(30);

/// One running device task and what stops it.
struct DeviceTask {
    config: DeviceConfig,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

/// Handles to the running device side.
pub struct DeviceSide {
    /// Fast optics requests, per device name (OLTs only use them).
    pub optics_watches: BTreeMap<String, OpticsWatch>,
    pub clock: CorrectedClock,
    devices: BTreeMap<String, DeviceTask>,
    /// What a device task started later needs; its `shutdown` is replaced per device.
    context: DeviceContext,
    shutdown: watch::Receiver<bool>,
    tasks: JoinSet<()>,
}

impl DeviceSide {
    /// The devices being polled now.
    pub fn devices(&self) -> Vec<DeviceConfig> {
        self.devices.values().map(|d| d.config.clone()).collect()
    }

    /// Applies a new device list: removed and changed devices stop (each waits for its own
    /// task to end, so two tasks never poll one device), added and changed ones start. The
    /// other devices, the aggregator and the clock check are not touched.
    pub async fn apply(&mut self, devices: &[DeviceConfig]) -> DeviceChanges {
        let changes = device_changes(&self.devices(), devices);
        for name in changes.removed.iter().chain(&changes.changed) {
            if let Some(task) = self.devices.remove(name) {
                stop_device(name, task).await;
                self.optics_watches.remove(name);
            }
        }
        for name in &changes.removed {
            let _ = self
                .context
                .reports
                .send(DeviceReport::Removed {
                    device_id: name.clone(),
                })
                .await;
        }
        for device in devices.iter().filter(|device| device.poll) {
            if changes.added.contains(&device.name) || changes.changed.contains(&device.name) {
                self.start(device.clone());
            }
        }
        changes
    }

    fn start(&mut self, device: DeviceConfig) {
        let (watch, watch_rx) = OpticsWatch::channel();
        self.optics_watches.insert(device.name.clone(), watch);
        let (stop, stop_rx) = watch::channel(*self.shutdown.borrow());
        let mut context = self.context.clone();
        context.shutdown = stop_rx;
        let task = tokio::spawn(run_device(device.clone(), context, watch_rx));
        self.devices.insert(
            device.name.clone(),
            DeviceTask {
                config: device,
                stop,
                task,
            },
        );
    }

    /// Stops every device, then waits until every task has ended (after shutdown).
    pub async fn join(mut self) {
        for (name, task) in std::mem::take(&mut self.devices) {
            stop_device(&name, task).await;
        }
        while self.tasks.join_next().await.is_some() {}
    }
}

async fn stop_device(name: &str, device: DeviceTask) {
    device.stop.send_replace(true);
    let mut task = device.task;
    if tokio::time::timeout(DEVICE_STOP_LIMIT, &mut task)
        .await
        .is_err()
    {
        tracing::warn!(device = %name, "device task did not stop in time; cutting it off");
        task.abort();
    }
}

/// Starts polling every configured device; frames (`Samples` each polling round, `Inventory`,
/// `Optics`) go to `frames_tx`, which the uplink drains. Stops when `shutdown` turns true.
pub async fn run_device_side(
    config: &AgentConfig,
    frames_tx: mpsc::Sender<Frame>,
    metrics: AgentMetrics,
    shutdown: watch::Receiver<bool>,
) -> Result<DeviceSide, RunError> {
    let profiles = load_profiles_dir(&config.profiles_dir)?;
    let ipv6 = config
        .polled_devices()
        .any(|device| device.snmp_over_ipv6());
    let transport = SharedTransport::bind(ipv6).await?;
    let clock = CorrectedClock::default();
    let mut tasks = JoinSet::new();
    if let Some(server) = &config.ntp_server {
        tasks.spawn(run_clock_check(
            server.clone(),
            config.clock_check_interval,
            clock.clone(),
            metrics.clone(),
            shutdown.clone(),
        ));
    }
    let (reports_tx, reports_rx) = mpsc::channel(1024);
    let context = DeviceContext {
        transport,
        profiles,
        reports: reports_tx,
        frames: frames_tx.clone(),
        clock: clock.clone(),
        metrics: metrics.clone(),
        shutdown: shutdown.clone(),
    };
    tasks.spawn(run_aggregator(
        reports_rx,
        frames_tx,
        clock.clone(),
        metrics,
        initial_batch_seq(&clock),
        shutdown.clone(),
    ));
    let mut side = DeviceSide {
        optics_watches: BTreeMap::new(),
        clock,
        devices: BTreeMap::new(),
        context,
        shutdown,
        tasks,
    };
    for device in config.polled_devices() {
        side.start(device.clone());
    }
    Ok(side)
}
