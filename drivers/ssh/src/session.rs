//! `SshSession`: one login to a device, then commands with a timeout and an output bound.

use std::sync::Arc;

use russh::keys::{load_secret_key, PrivateKeyWithHashAlg};
use russh::{client, ChannelMsg, Disconnect};

use crate::error::SshError;
use crate::handshake::{HandshakeError, HostKeyCheck};
use crate::host_key::HostKeyRefusal;
use crate::output::{CommandLimits, CommandOutput};
use crate::target::{SshCredential, SshTarget};

/// SSH extended-data type code of stderr (RFC 4254 section 5.2).
const EXTENDED_DATA_STDERR: u32 = 1;

/// A logged-in SSH connection to one device.
pub struct SshSession {
    handle: client::Handle<HostKeyCheck>,
    address: String,
}

impl SshSession {
    /// Connects, verifies the host key, and authenticates, all within `target.login_timeout`.
    pub async fn open(target: &SshTarget) -> Result<Self, SshError> {
        let address = target.address();
        // A key file that cannot be read fails here, before any traffic.
        let private_key = match &target.credential {
            SshCredential::PrivateKeyFile { path, passphrase } => Some(
                load_secret_key(path, passphrase.as_ref().map(|p| p.expose())).map_err(
                    |error| SshError::PrivateKey {
                        path: path.clone(),
                        reason: error.to_string(),
                    },
                )?,
            ),
            SshCredential::Password(_) => None,
        };
        let login = async {
            let mut handle = connect(target, &address).await?;
            let accepted = match (&target.credential, private_key) {
                (SshCredential::Password(password), _) => handle
                    .authenticate_password(target.user.as_str(), password.expose())
                    .await
                    .map_err(|source| protocol(&address, source))?,
                (SshCredential::PrivateKeyFile { .. }, Some(key)) => {
                    let rsa_hash = if key.algorithm().is_rsa() {
                        handle
                            .best_supported_rsa_hash()
                            .await
                            .ok()
                            .flatten()
                            .flatten()
                    } else {
                        None
                    };
                    let key = PrivateKeyWithHashAlg::new(Arc::new(key), rsa_hash);
                    handle
                        .authenticate_publickey(target.user.as_str(), key)
                        .await
                        .map_err(|source| protocol(&address, source))?
                }
                (SshCredential::PrivateKeyFile { path, .. }, None) => {
                    return Err(SshError::PrivateKey {
                        path: path.clone(),
                        reason: "not loaded".to_owned(),
                    })
                }
            };
            if !accepted.success() {
                return Err(SshError::AuthFailed {
                    address: address.clone(),
                    user: target.user.clone(),
                });
            }
            Ok(handle)
        };
        let handle = tokio::time::timeout(target.login_timeout, login)
            .await
            .map_err(|_| SshError::LoginTimeout {
                address: address.clone(),
                timeout: target.login_timeout,
            })??;
        tracing::debug!(%address, user = %target.user, "ssh login");
        Ok(Self { handle, address })
    }

    /// Runs `command` and collects its output until the device closes the channel.
    pub async fn run(
        &self,
        command: &str,
        limits: &CommandLimits,
    ) -> Result<CommandOutput, SshError> {
        self.run_with_input(command, None, limits).await
    }

    /// Runs `command`, writing `input` to its stdin first (for example the `y` a confirmation
    /// prompt waits for), then closing stdin.
    pub async fn run_with_input(
        &self,
        command: &str,
        input: Option<&[u8]>,
        limits: &CommandLimits,
    ) -> Result<CommandOutput, SshError> {
        let work = async {
            let mut channel = self
                .handle
                .channel_open_session()
                .await
                .map_err(|source| self.channel_error(source))?;
            channel
                .exec(true, command)
                .await
                .map_err(|source| self.channel_error(source))?;
            if let Some(input) = input {
                channel
                    .data(input)
                    .await
                    .map_err(|source| self.channel_error(source))?;
            }
            // A device that already closed stdin is not an error here.
            let _ = channel.eof().await;
            let mut output = CommandOutput::default();
            // Ends when the device closes the channel; bounded in time by `limits.timeout`.
            while let Some(message) = channel.wait().await {
                match message {
                    ChannelMsg::Data { data } => output.keep(false, &data, limits.max_output_bytes),
                    ChannelMsg::ExtendedData { data, ext } => {
                        output.keep(ext == EXTENDED_DATA_STDERR, &data, limits.max_output_bytes)
                    }
                    ChannelMsg::ExitStatus { exit_status } => {
                        output.exit_status = Some(exit_status)
                    }
                    ChannelMsg::ExitSignal { signal_name, .. } => {
                        output.exit_signal = Some(format!("{signal_name:?}"))
                    }
                    ChannelMsg::Close => break,
                    _ => {}
                }
            }
            if output.exit_status.is_none() && output.exit_signal.is_none() {
                return Err(SshError::ChannelClosed {
                    address: self.address.clone(),
                });
            }
            Ok(output)
        };
        tokio::time::timeout(limits.timeout, work)
            .await
            .map_err(|_| SshError::CommandTimeout {
                address: self.address.clone(),
                timeout: limits.timeout,
            })?
    }

    /// Says goodbye to the device; errors are ignored because the session ends either way.
    pub async fn close(self) {
        let _ = self
            .handle
            .disconnect(Disconnect::ByApplication, "", "en")
            .await;
    }

    pub fn address(&self) -> &str {
        &self.address
    }

    /// A session the device dropped shows up as a failed channel operation.
    fn channel_error(&self, source: russh::Error) -> SshError {
        match source {
            russh::Error::Disconnect
            | russh::Error::HUP
            | russh::Error::SendError
            | russh::Error::WrongChannel
            | russh::Error::IO(_) => SshError::ChannelClosed {
                address: self.address.clone(),
            },
            other => protocol(&self.address, other),
        }
    }
}

/// Logs in, runs one command, and logs out.
pub async fn run_command(
    target: &SshTarget,
    command: &str,
    limits: &CommandLimits,
) -> Result<CommandOutput, SshError> {
    let session = SshSession::open(target).await?;
    let result = session.run(command, limits).await;
    session.close().await;
    result
}

async fn connect(
    target: &SshTarget,
    address: &str,
) -> Result<client::Handle<HostKeyCheck>, SshError> {
    let config = Arc::new(client::Config {
        nodelay: true,
        ..client::Config::default()
    });
    let check = HostKeyCheck {
        host: target.host.clone(),
        port: target.port,
        policy: target.host_key.clone(),
    };
    client::connect(config, (target.host.as_str(), target.port), check)
        .await
        .map_err(|error| match error {
            HandshakeError::HostKey(HostKeyRefusal::Mismatch {
                expected,
                presented,
            }) => SshError::HostKeyMismatch {
                address: address.to_owned(),
                expected,
                presented: presented.to_string(),
            },
            HandshakeError::HostKey(HostKeyRefusal::KnownHostsFile { path, reason }) => {
                SshError::KnownHostsFile { path, reason }
            }
            HandshakeError::Ssh(russh::Error::IO(source))
                if source.kind() == std::io::ErrorKind::ConnectionRefused =>
            {
                SshError::ConnectRefused {
                    address: address.to_owned(),
                }
            }
            HandshakeError::Ssh(russh::Error::IO(source)) => SshError::Connect {
                address: address.to_owned(),
                source,
            },
            HandshakeError::Ssh(source) => protocol(address, source),
        })
}

fn protocol(address: &str, source: russh::Error) -> SshError {
    SshError::Protocol {
        address: address.to_owned(),
        source,
    }
}
