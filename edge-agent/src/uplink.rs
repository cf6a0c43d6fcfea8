//! Outbound WebSocket to the control plane, with store-and-forward of `Samples` through the spool.
//!
//! The agent dials out (so it works behind NAT), sends `Hello` and waits for `HelloAck`. Every
//! `Samples` frame from the agent is numbered and written to the spool before it is sent, and
//! released when an `Ack` covers it. While disconnected, frames keep going to the spool; after a
//! reconnect the spooled backlog goes out in order before newer batches. Reconnects wait a
//! jittered, exponentially growing delay, reset once a connection proved healthy.
//!
//! When the control plane speaks protocol version 2, a connection numbers the subscribers of
//! the batches it sends (`numbering.rs`): each key goes once per connection, in
//! `SubscriberKeys`, and batches go as `IndexedSamples`. An inventory too large for one frame
//! goes as `InventoryChunk`s when it speaks version 3 (`inventory_frames.rs`); an older control
//! plane cannot take it, which is logged.
//!
//! `state.rs` holds what lives across connections, `handshake.rs` opens one, `connection.rs`
//! runs it; `backoff.rs`, `liveness.rs`, `numbering.rs` and `outbox.rs` are the small policies
//! they use.

mod backoff;
mod config;
mod connection;
mod error;
mod handshake;
mod inventory_frames;
mod liveness;
mod numbering;
mod outbox;
mod state;
mod status;
pub mod tls;

use std::future::Future;
use std::time::Instant;

use proto::{Command, Frame};
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::Connector;
use tracing::{error, info, warn};

pub use config::{ControlPlaneUrl, ControlPlaneUrlError, UplinkConfig, AGENT_WS_PATH};
pub use error::UplinkError;
pub use status::UplinkStatus;

use crate::spool::Spool;
use backoff::Backoff;
use connection::ConnectionEnd;
use error::ErrorChain;
use state::{Stop, UplinkState, Waited};

/// Runs the uplink until `shutdown` completes or the `frames` channel closes.
///
/// - `frames`: what the agent sends. `Samples` are spooled and sent in order. Their `batch_seq`
///   is kept when it is above every batch spooled before (also by earlier runs); otherwise it is
///   renumbered to the spool's next number (logged), so the control plane never discards a new
///   batch as a replay. `Inventory` is re-sent first on every connection; `Optics`,
///   `SessionEvent` and `CommandResult` wait in a bounded outbox while disconnected.
/// - `commands`: where `Command` frames from the control plane go. A full queue drops the command
///   (counted); the control plane re-sends unfinished commands and the executor de-duplicates.
/// - `status`: updated on every change, for metrics and the CLI.
///
/// On shutdown the socket is closed cleanly and the spool is synced to disk. Connection problems
/// (certificate errors included: they are logged with a hint and retried) never end the uplink;
/// only a bad configuration, a spool directory that cannot be opened, or a `ca_file` that cannot
/// be used for a `wss://` URL do.
pub async fn run(
    config: UplinkConfig,
    frames: mpsc::Receiver<Frame>,
    commands: mpsc::Sender<Command>,
    status: watch::Sender<UplinkStatus>,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), UplinkError> {
    let problems = config.problems();
    if !problems.is_empty() {
        return Err(UplinkError::InvalidConfig { problems });
    }
    let connector = if config.url.is_tls() {
        let tls =
            tls::client_config(config.ca_file.as_deref()).map_err(|source| UplinkError::Tls {
                url: config.url.to_string(),
                source,
            })?;
        Some(Connector::Rustls(tls))
    } else {
        None
    };
    let spool = Spool::open(&config.spool_dir, config.spool)?;
    let mut state = UplinkState::new(spool, frames, commands, status, config.outbox_capacity);
    let mut backoff = Backoff::new(config.reconnect_initial, config.reconnect_max);
    let mut connected_before = false;
    tokio::pin!(shutdown);

    let stop = loop {
        let attempt = state
            .spool_while(
                handshake::establish(&config, connector.clone()),
                shutdown.as_mut(),
            )
            .await;
        let connection = match attempt {
            Waited::Stopped(stop) => break stop,
            Waited::Done(Ok(connection)) => connection,
            Waited::Done(Err(connect_error)) => {
                state.report(|s| s.connect_failures_total += 1);
                let retry_in = backoff.next_delay(&mut rand::thread_rng());
                if let Some(problem) = connect_error.certificate_problem() {
                    warn!(
                        url = %config.url,
                        certificate_problem = ?problem,
                        error = %ErrorChain(&connect_error),
                        retry_in_ms = retry_in.as_millis() as u64,
                        pending_batches = state.spool.depth().pending_batches,
                        "the control plane's TLS certificate is not accepted; spooling. \
                         Check the certificate's name and dates, or set control_plane.ca_file \
                         to the CA that signed it"
                    );
                } else {
                    warn!(
                        url = %config.url,
                        error = %ErrorChain(&connect_error),
                        retry_in_ms = retry_in.as_millis() as u64,
                        pending_batches = state.spool.depth().pending_batches,
                        "cannot reach the control plane; spooling"
                    );
                }
                match state
                    .spool_while(tokio::time::sleep(retry_in), shutdown.as_mut())
                    .await
                {
                    Waited::Stopped(stop) => break stop,
                    Waited::Done(()) => continue,
                }
            }
        };

        let reconnect = connected_before;
        connected_before = true;
        state.report(|s| {
            s.connected = true;
            s.reconnects_total += u64::from(reconnect);
        });
        info!(
            url = %config.url,
            accepted_version = connection.hello_ack.accepted_version,
            server_time_ms = connection.hello_ack.server_time_ms,
            pending_batches = state.spool.depth().pending_batches,
            reconnect,
            "connected to the control plane"
        );
        let connected_at = Instant::now();
        let end = connection::serve(connection, &mut state, &config, shutdown.as_mut()).await;
        state.report(|s| s.connected = false);
        let reason = match end {
            ConnectionEnd::Stopped(stop) => break stop,
            ConnectionEnd::Lost { reason } => reason,
        };
        let connected_for = connected_at.elapsed();
        if connected_for >= config.healthy_after {
            backoff.reset();
        }
        let retry_in = backoff.next_delay(&mut rand::thread_rng());
        warn!(
            url = %config.url,
            %reason,
            connected_for_ms = connected_for.as_millis() as u64,
            retry_in_ms = retry_in.as_millis() as u64,
            pending_batches = state.spool.depth().pending_batches,
            "lost the control plane connection; spooling until it is back"
        );
        match state
            .spool_while(tokio::time::sleep(retry_in), shutdown.as_mut())
            .await
        {
            Waited::Stopped(stop) => break stop,
            Waited::Done(()) => {}
        }
    };

    if let Err(spool_error) = state.spool.flush() {
        error!(error = %ErrorChain(&spool_error), "cannot sync the spool on shutdown");
    }
    info!(
        reason = match stop {
            Stop::Shutdown => "shutdown",
            Stop::ProducerGone => "the agent stopped producing frames",
        },
        pending_batches = state.spool.depth().pending_batches,
        "uplink stopped"
    );
    Ok(())
}
