//! Safe BGP peering changes for netops on FRR (vtysh) and BIRD 2 (birdc).
//!
//! Every change follows the safe pattern: pre-check the neighbor's current state, apply with a
//! rollback armed, post-check that the session reaches the asked state within a deadline, then
//! confirm — or roll back and say why. BIRD arms its own rollback (`configure timeout`); FRR
//! has no commit-confirm, so the driver applies the inverse commands itself.
//!
//! Planning (`frr::plan`, `bird::plan`) and parsing (`frr::status`, `bird::status`) are pure;
//! the only I/O goes through a [`RouterShell`]: [`LocalShell`] (a process, optionally inside a
//! network namespace) or [`SshShell`] (over `netops-ssh`).

#![forbid(unsafe_code)]

pub mod bird;
mod change;
mod error;
pub mod frr;
mod peering;
mod plan;
mod router;
mod shell;
mod ssh_shell;

pub use change::{apply_change, dry_run, ChangeOptions, ChangeOutcome, ChangeReport};
pub use error::{BgpChangeError, PlanError, StatusParseError};
pub use peering::{
    AsNumber, BgpTimers, ExpectedSession, PeerStatus, PeeringChange, PolicyName, SessionState,
};
pub use plan::{ChangePlan, PlanStep, RollbackKind, RouterAction};
pub use router::{BgpRouter, BirdRouter, FrrRouter};
pub use shell::{LocalShell, RouterCommand, RouterReply, RouterShell, RouterShellError};
pub use ssh_shell::SshShell;
