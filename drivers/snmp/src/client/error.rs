//! `SnmpError`: why an SNMP request to a device failed.

use thiserror::Error;

use crate::Oid;

/// A failed SNMP exchange, classified so the agent can count timeouts apart from other errors.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SnmpError {
    #[error("no answer from {target} within {timeout_ms} ms ({retries} retries); check the address, firewall and SNMP credentials (a wrong v2c community is silently ignored)")]
    Timeout {
        target: String,
        timeout_ms: u64,
        retries: u32,
    },
    #[error("{target} rejected the SNMPv3 credentials ({detail}); check user, protocols and passphrases")]
    AuthFailed { target: String, detail: String },
    #[error("{target} has no object {oid}; the device or its profile does not support it")]
    NoSuchObject { target: String, oid: Oid },
    #[error("malformed response from {target}: {detail}")]
    MalformedResponse { target: String, detail: String },
    #[error("{target} answered with SNMP error {status}")]
    ErrorStatus { target: String, status: String },
    #[error("network error talking to {target}: {detail}")]
    Network { target: String, detail: String },
    #[error("cannot set up SNMP for {target}: {detail}")]
    Setup { target: String, detail: String },
}

impl SnmpError {
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Timeout { .. })
    }

    /// A short label for metrics and tables: `timeout`, `auth`, `no_such_object`, …
    pub fn kind_label(&self) -> &'static str {
        match self {
            Self::Timeout { .. } => "timeout",
            Self::AuthFailed { .. } => "auth",
            Self::NoSuchObject { .. } => "no_such_object",
            Self::MalformedResponse { .. } => "malformed",
            Self::ErrorStatus { .. } => "error_status",
            Self::Network { .. } => "network",
            Self::Setup { .. } => "setup",
        }
    }
}
