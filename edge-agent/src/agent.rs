//! The whole agent: local metrics, the command executor, the device side and the uplink, run
//! together until shutdown. The binary's `run` command and the control plane's demo site both
//! start the agent through `run_agent`.

use tokio::sync::{mpsc, watch};

use crate::actions::{Executor, ExecutorError};
use crate::config::{AgentConfig, DeviceConfig};
use crate::metrics::{serve_metrics, AgentMetrics, MetricsError};
use crate::run::{run_device_side, RunError};
use crate::uplink::{
    ControlPlaneUrl, ControlPlaneUrlError, UplinkConfig, UplinkError, UplinkStatus,
};

/// Why the agent stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    #[error("cannot register metrics: {0}")]
    Metrics(#[from] MetricsError),
    #[error("cannot listen for /metrics on {addr}: {source}")]
    MetricsListen {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot load vendor profiles: {0}")]
    Profiles(#[from] netops_snmp::profile::ProfileDirError),
    #[error("cannot start the command executor: {0}")]
    Executor(#[from] ExecutorError),
    #[error(transparent)]
    DeviceSide(#[from] RunError),
    #[error("control-plane URL: {0}")]
    Url(#[from] ControlPlaneUrlError),
    #[error("the uplink stopped: {0}")]
    Uplink(#[from] UplinkError),
    #[error("the uplink task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// Runs the agent until `shutdown` becomes true, then stops every part cleanly.
pub async fn run_agent(
    config: AgentConfig,
    shutdown: watch::Receiver<bool>,
) -> Result<(), AgentError> {
    let (_no_reloads, reloads) = mpsc::channel(1);
    run_agent_with_reloads(config, shutdown, reloads).await
}

/// Like [`run_agent`]; each device list received on `reloads` (a reloaded configuration)
/// replaces the running one: only added, removed and changed devices restart, and the command
/// executor sees the new list. The uplink, its spool and the other devices are not touched.
pub async fn run_agent_with_reloads(
    config: AgentConfig,
    mut shutdown: watch::Receiver<bool>,
    mut reloads: mpsc::Receiver<Vec<DeviceConfig>>,
) -> Result<(), AgentError> {
    let metrics = AgentMetrics::new()?;
    let listener = tokio::net::TcpListener::bind(config.metrics_listen)
        .await
        .map_err(|source| AgentError::MetricsListen {
            addr: config.metrics_listen,
            source,
        })?;
    let metrics_server = tokio::spawn(serve_metrics(listener, metrics.clone(), shutdown.clone()));
    let (frames_tx, frames_rx) = mpsc::channel(4096);
    let (commands_tx, commands_rx) = mpsc::channel(256);
    let profiles = netops_snmp::load_profiles_dir(&config.profiles_dir)?;
    let mut device_side = run_device_side(
        &config,
        frames_tx.clone(),
        metrics.clone(),
        shutdown.clone(),
    )
    .await?;
    let executor = Executor::start(
        &config,
        profiles,
        device_side.optics_watches.clone(),
        frames_tx,
    )
    .await?;
    let executor_devices = executor.devices();
    let executor = tokio::spawn(executor.run(commands_rx, stopped(shutdown.clone())));

    let url = ControlPlaneUrl::parse(&config.control_plane_url)?;
    let mut uplink_config = UplinkConfig::new(
        url,
        &config.agent_id,
        config.token.clone(),
        &config.spool_dir,
    );
    uplink_config.ca_file = config.control_plane_ca_file.clone();
    let (status_tx, mut status_rx) = watch::channel(UplinkStatus::default());
    let spool_gauge = metrics.clone();
    tokio::spawn(async move {
        while status_rx.changed().await.is_ok() {
            let pending = status_rx.borrow().spool.pending_batches;
            spool_gauge
                .spool_pending_batches
                .set(i64::try_from(pending).unwrap_or(i64::MAX));
        }
    });
    let mut uplink = tokio::spawn(crate::uplink::run(
        uplink_config,
        frames_rx,
        commands_tx,
        status_tx,
        stopped(shutdown.clone()),
    ));
    tracing::info!(agent = %config.agent_id, devices = config.devices.len(), "edge agent running");
    let early_end = loop {
        let devices = tokio::select! {
            _ = shutdown.wait_for(|stop| *stop) => break None,
            ended = &mut uplink => break Some(ended),
            Some(devices) = reloads.recv() => devices,
        };
        executor_devices.replace(&devices);
        let changes = device_side.apply(&devices).await;
        executor_devices.replace_optics(device_side.optics_watches.clone());
        tracing::info!(
            added = ?changes.added,
            removed = ?changes.removed,
            restarted = ?changes.changed,
            "devices reloaded"
        );
    };
    device_side.join().await;
    let _ = executor.await;
    let _ = metrics_server.await;
    match early_end {
        Some(ended) => ended??,
        None => uplink.await??,
    }
    Ok(())
}

async fn stopped(mut shutdown: watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}
