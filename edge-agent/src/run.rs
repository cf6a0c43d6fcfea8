//! Starting the agent's device side: profiles, the shared SNMP socket, the clock check, one
//! task per device and the aggregator, all feeding one channel of `proto::Frame`.

use std::collections::BTreeMap;

use netops_snmp::client::{SharedTransport, SnmpError};
use netops_snmp::load_profiles_dir;
use netops_snmp::profile::ProfileDirError;
use proto::Frame;
use thiserror::Error;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;

use crate::aggregate::{initial_batch_seq, run_aggregator};
use crate::clock::{run_clock_check, CorrectedClock};
use crate::config::AgentConfig;
use crate::device::{run_device, DeviceContext, OpticsWatch};
use crate::metrics::AgentMetrics;

#[derive(Debug, Error)]
pub enum RunError {
    #[error(transparent)]
    Profiles(#[from] ProfileDirError),
    #[error(transparent)]
    Socket(#[from] SnmpError),
}

/// Handles to the running device side.
pub struct DeviceSide {
    /// Fast optics requests, per device name (OLTs only use them).
    pub optics_watches: BTreeMap<String, OpticsWatch>,
    pub clock: CorrectedClock,
    tasks: JoinSet<()>,
}

impl DeviceSide {
    /// Waits until every task has ended (after shutdown).
    pub async fn join(mut self) {
        while self.tasks.join_next().await.is_some() {}
    }
}

/// Starts polling every configured device; frames (`Samples` each second, `Inventory`,
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
    let mut optics_watches = BTreeMap::new();
    for device in config.polled_devices() {
        let (watch, watch_rx) = OpticsWatch::channel();
        optics_watches.insert(device.name.clone(), watch);
        tasks.spawn(run_device(device.clone(), context.clone(), watch_rx));
    }
    drop(context);
    tasks.spawn(run_aggregator(
        reports_rx,
        frames_tx,
        clock.clone(),
        metrics,
        initial_batch_seq(&clock),
        shutdown,
    ));
    Ok(DeviceSide {
        optics_watches,
        clock,
        tasks,
    })
}
