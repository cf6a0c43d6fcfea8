//! SSH command runner for netops device actions, on `russh` (async, no C library).
//!
//! A device is reached as an [`SshTarget`]: address, user, a [`SshCredential`] whose secrets
//! never print, and a [`HostKeyPolicy`] that pins the server's SHA256 host-key fingerprint (or,
//! when chosen explicitly, trusts on first use and records the key). [`SshSession`] logs in once
//! and runs commands with a timeout and an output bound; [`reboot_device`] sends a profile's
//! reboot command and counts a session dropped by the rebooting device as sent.

#![forbid(unsafe_code)]

mod error;
mod handshake;
pub mod host_key;
mod output;
pub mod reboot;
mod secret;
mod session;
mod target;

pub use error::SshError;
pub use host_key::{FingerprintParseError, HostKeyFingerprint, HostKeyPolicy};
pub use output::{CommandLimits, CommandOutput};
pub use reboot::{reboot_device, RebootOutcome, RebootProfile};
pub use secret::Secret;
pub use session::{run_command, SshSession};
pub use target::{SshCredential, SshTarget};
