//! How netops reaches one BGP router's daemon: FRR through vtysh, BIRD 2 through birdc and an
//! included directory of netops-managed protocol stanzas.

use std::path::PathBuf;
use std::time::Duration;

use crate::peering::{AsNumber, BgpTimers};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BgpRouter {
    Frr(FrrRouter),
    Bird(BirdRouter),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrrRouter {
    /// vtysh and its fixed options, e.g. `["vtysh"]` or
    /// `["vtysh", "--vty_socket", "/run/lab/a", "-d", "bgpd"]`.
    pub vtysh: Vec<String>,
    pub local_as: AsNumber,
    pub timers: Option<BgpTimers>,
    /// After a confirmed change, `write memory` so it survives a restart.
    pub save_after_confirm: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BirdRouter {
    /// birdc and its fixed options, e.g. `["birdc", "-s", "/run/bird/bird.ctl"]`.
    pub birdc: Vec<String>,
    /// A directory the main bird.conf includes (`include "DIR/*.conf";`); netops writes one
    /// `netops_<neighbor>.conf` per neighbor it manages there.
    pub peers_dir: PathBuf,
    pub local_as: AsNumber,
    pub timers: Option<BgpTimers>,
    /// `birdc configure timeout N`: BIRD reverts by itself after this long unless confirmed.
    /// Must be longer than the post-check deadline.
    pub revert_after: Duration,
}
