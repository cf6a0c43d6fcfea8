//! `SshError`: every way a device action over SSH can fail, in words a NOC engineer can act on.

use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum SshError {
    #[error("{address} refused the connection (nothing listens on that port?)")]
    ConnectRefused { address: String },
    #[error("no SSH login to {address} within {timeout:?}")]
    LoginTimeout { address: String, timeout: Duration },
    #[error("cannot connect to {address}: {source}")]
    Connect {
        address: String,
        #[source]
        source: std::io::Error,
    },
    #[error("host key of {address} does not match: expected {expected}, the server presented {presented}; refusing to log in (if the device was replaced, update its pinned fingerprint)")]
    HostKeyMismatch {
        address: String,
        expected: String,
        presented: String,
    },
    #[error("known-hosts file {path}: {reason}")]
    KnownHostsFile { path: PathBuf, reason: String },
    #[error("{address} rejected the credentials of user {user}")]
    AuthFailed { address: String, user: String },
    #[error("cannot load the private key {path}: {reason}")]
    PrivateKey { path: PathBuf, reason: String },
    #[error("command on {address} did not finish within {timeout:?}")]
    CommandTimeout { address: String, timeout: Duration },
    #[error("{address} closed the channel before the command reported its end")]
    ChannelClosed { address: String },
    #[error("SSH protocol error with {address}: {source}")]
    Protocol {
        address: String,
        #[source]
        source: russh::Error,
    },
}
