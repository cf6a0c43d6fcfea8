//! SNMP credentials, with secrets that never print.

use std::fmt;

/// A community string or passphrase. `Debug` and `Display` print `<redacted>`; only
/// `expose_secret` gives the text, for building requests.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// How the agent authenticates to a device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnmpCredentials {
    V2c {
        community: Secret,
    },
    /// SNMPv3 USM, authPriv.
    V3(V3Credentials),
}

/// An SNMPv3 authPriv user. Protocols use async-snmp's names, e.g. `SHA`, `SHA-256`, `AES`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V3Credentials {
    pub user: String,
    pub auth_protocol: async_snmp::AuthProtocol,
    pub auth_password: Secret,
    pub priv_protocol: async_snmp::PrivProtocol,
    pub priv_password: Secret,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let credentials = SnmpCredentials::V2c {
            community: Secret::new("s3cret-community"),
        };
        let printed = format!("{credentials:?} {}", Secret::new("s3cret-community"));
        assert!(!printed.contains("s3cret"), "{printed}");
    }
}
