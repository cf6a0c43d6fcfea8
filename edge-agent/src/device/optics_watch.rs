//! `OpticsWatch`: how other parts of the agent (the command executor) ask an OLT's optics loop
//! to poll one ONU fast for a while, and the answer they get once the first reading is sent.

use std::time::Duration;

use netops_snmp::profile::OnuStatus;
use proto::PonPort;
use tokio::sync::{mpsc, oneshot};

/// Poll one ONU, named as in its subscriber key, every `every` until `for_duration` has passed
/// (a customer or NOC engineer is looking). The loop never polls one ONU faster than the OLT
/// profile's fast cadence.
#[derive(Debug)]
pub struct WatchRequest {
    pub pon: PonPort,
    pub onu_id: u32,
    pub every: Duration,
    pub for_duration: Duration,
    /// Answered once the first reading has been sent towards the control plane, or with the
    /// reason there is none (unknown ONU, no answer from the OLT, too many watched ONUs).
    pub answer: oneshot::Sender<Result<FirstReading, String>>,
}

/// The first fast reading of a watched ONU and the cadence the loop settled on.
#[derive(Debug, Clone, PartialEq)]
pub struct FirstReading {
    pub status: OnuStatus,
    pub rx_power_dbm: Option<f64>,
    /// The interval the ONU is polled at.
    pub every: Duration,
    /// The fastest the OLT's profile allows for one ONU (`fast_optics_interval_s`).
    pub profile_fastest: Duration,
    pub profile: String,
}

/// Why a request did not reach the optics loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WatchError {
    #[error(
        "the device has no optics loop (its profile describes no ONUs, or the agent is stopping)"
    )]
    NoOpticsLoop,
    #[error("the optics loop has too many requests waiting")]
    Busy,
}

/// The handle to one device's optics loop.
#[derive(Debug, Clone)]
pub struct OpticsWatch {
    requests: mpsc::Sender<WatchRequest>,
}

impl OpticsWatch {
    pub fn channel() -> (Self, mpsc::Receiver<WatchRequest>) {
        let (requests, receiver) = mpsc::channel(64);
        (Self { requests }, receiver)
    }

    /// Hands the request to the loop without waiting; the answer comes on `request.answer`.
    pub fn watch(&self, request: WatchRequest) -> Result<(), WatchError> {
        self.requests
            .try_send(request)
            .map_err(|error| match error {
                mpsc::error::TrySendError::Full(_) => WatchError::Busy,
                mpsc::error::TrySendError::Closed(_) => WatchError::NoOpticsLoop,
            })
    }
}
