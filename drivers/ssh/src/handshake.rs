//! The russh client handler: checks the server's host key against the target's policy during
//! key exchange, so a wrong key is refused before any credential is sent.

use russh::client;
use russh::keys::{PublicKey, PublicKeyOrCertificate};

use crate::host_key::{HostKeyPolicy, HostKeyRefusal};

pub(crate) struct HostKeyCheck {
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) policy: HostKeyPolicy,
}

#[derive(Debug)]
pub(crate) enum HandshakeError {
    Ssh(russh::Error),
    HostKey(HostKeyRefusal),
}

impl From<russh::Error> for HandshakeError {
    fn from(error: russh::Error) -> Self {
        Self::Ssh(error)
    }
}

impl client::Handler for HostKeyCheck {
    type Error = HandshakeError;

    async fn check_server_key(
        &mut self,
        server_key: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        // A certificate is judged by the key it certifies: the pin names that key.
        let key = match server_key {
            PublicKeyOrCertificate::PublicKey { key, .. } => key.clone(),
            PublicKeyOrCertificate::Certificate(certificate) => {
                PublicKey::from(certificate.public_key().clone())
            }
        };
        self.policy
            .check(&self.host, self.port, &key)
            .map(|()| true)
            .map_err(HandshakeError::HostKey)
    }
}
