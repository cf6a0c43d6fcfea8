//! Device side of the agent: one tokio task per device that connects, identifies the device,
//! picks its vendor profile, then runs the per-second counter loop and, for OLTs, the optics
//! loop.

mod connect;
mod counters;
mod optics;
mod optics_watch;
mod rates;
pub mod subscriber;

pub use connect::{connect_device, ConnectError, ConnectedDevice};
pub use counters::run_counter_loop;
pub use optics::run_optics_loop;
pub use optics_watch::{FirstReading, OpticsWatch, WatchError, WatchRequest};
pub use rates::{drop_reason, DeviceRates, InterfaceRate, RateUpdate};

use std::time::Duration;

use netops_snmp::client::SharedTransport;
use netops_snmp::profile::ProfileSet;
use proto::Frame;
use tokio::sync::{mpsc, watch};

use crate::aggregate::DeviceReport;
use crate::clock::CorrectedClock;
use crate::config::DeviceConfig;
use crate::metrics::AgentMetrics;

/// How long a device that cannot be reached or identified waits before trying again.
const RECONNECT_DELAY: Duration = Duration::from_secs(10);

/// Channels and shared state every device task needs.
#[derive(Clone)]
pub struct DeviceContext {
    pub transport: SharedTransport,
    pub profiles: ProfileSet,
    pub reports: mpsc::Sender<DeviceReport>,
    pub frames: mpsc::Sender<Frame>,
    pub clock: CorrectedClock,
    pub metrics: AgentMetrics,
    pub shutdown: watch::Receiver<bool>,
}

/// Runs one device until shutdown: (re)connects, then polls counters every second and optics
/// on the profile's cadence. `watch_rx` receives on-demand fast optics requests.
pub async fn run_device(
    config: DeviceConfig,
    context: DeviceContext,
    watch_rx: mpsc::Receiver<WatchRequest>,
) {
    let mut shutdown = context.shutdown.clone();
    let mut watch_rx = Some(watch_rx);
    loop {
        if *shutdown.borrow() {
            return;
        }
        match connect_device(&config, &context.transport, &context.profiles).await {
            Ok(device) => {
                tracing::info!(device = %config.name, profile = %device.profile.name, sys_descr = %device.identity.sys_descr, "device identified");
                let optics = match (&device.profile.onu, watch_rx.take()) {
                    (Some(_), Some(watch_rx)) => Some(tokio::spawn(run_optics_loop(
                        device.clone(),
                        context.clone(),
                        watch_rx,
                    ))),
                    _ => None,
                };
                run_counter_loop(&device, &context).await;
                if let Some(optics) = optics {
                    optics.abort();
                }
                return;
            }
            Err(error) => {
                context
                    .metrics
                    .poll_errors_total
                    .with_label_values(&[&config.name, error.kind_label()])
                    .inc();
                tracing::warn!(device = %config.name, %error, "device not ready; retrying in 10 s");
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(RECONNECT_DELAY) => {}
            _ = shutdown.wait_for(|stop| *stop) => return,
        }
    }
}
