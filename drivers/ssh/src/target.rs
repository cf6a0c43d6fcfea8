//! `SshTarget`: where a device is, how netops logs in, and which host key it trusts.

use std::path::PathBuf;
use std::time::Duration;

use crate::host_key::HostKeyPolicy;
use crate::secret::Secret;

/// How netops proves who it is to the device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SshCredential {
    Password(Secret),
    /// An OpenSSH private key file (ed25519 or RSA), optionally encrypted with a passphrase.
    PrivateKeyFile {
        path: PathBuf,
        passphrase: Option<Secret>,
    },
}

/// One device reachable over SSH.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshTarget {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub credential: SshCredential,
    pub host_key: HostKeyPolicy,
    /// Bounds the TCP connect, the key exchange and the authentication together.
    pub login_timeout: Duration,
}

impl SshTarget {
    /// A target on port 22 with a 10 s login timeout.
    pub fn new(
        host: impl Into<String>,
        user: impl Into<String>,
        credential: SshCredential,
        host_key: HostKeyPolicy,
    ) -> Self {
        Self {
            host: host.into(),
            port: 22,
            user: user.into(),
            credential,
            host_key,
            login_timeout: Duration::from_secs(10),
        }
    }

    /// `host:port`, with brackets around an IPv6 literal, for messages.
    pub fn address(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}
