//! Typed errors of the uplink, and a display adapter that prints an error with its causes.

use std::error::Error;
use std::fmt;

use proto::{DecodeError, EncodeError, MIN_PROTOCOL_VERSION, PROTOCOL_VERSION};
use thiserror::Error;
use tokio_tungstenite::tungstenite;

use super::tls::TlsSetupError;
use crate::spool::SpoolError;

/// Why the uplink stopped for good. Connection problems are not errors: the uplink retries them.
#[derive(Debug, Error)]
pub enum UplinkError {
    #[error("uplink configuration is invalid: {}", problems.join("; "))]
    InvalidConfig { problems: Vec<String> },
    #[error("cannot open the spool")]
    Spool(#[from] SpoolError),
    #[error("cannot set up TLS for {url}")]
    Tls {
        url: String,
        #[source]
        source: TlsSetupError,
    },
}

/// Why one connection attempt failed before the control plane answered `Hello`.
#[derive(Debug, Error)]
pub(crate) enum ConnectError {
    #[error("timed out after {timeout_ms} ms {phase}")]
    Timeout {
        phase: &'static str,
        timeout_ms: u128,
    },
    #[error("WebSocket connection failed")]
    WebSocket(#[from] tungstenite::Error),
    #[error("control plane refused the agent (close code {code}, reason {reason:?})")]
    Refused { code: u16, reason: String },
    #[error("control plane closed the connection before HelloAck")]
    ClosedBeforeHelloAck,
    #[error("control plane sent {frame} instead of HelloAck")]
    UnexpectedFrame { frame: &'static str },
    #[error("control plane sent an undecodable frame instead of HelloAck")]
    Undecodable(#[source] DecodeError),
    #[error(
        "control plane chose protocol version {accepted_version}, this build speaks {MIN_PROTOCOL_VERSION} to {PROTOCOL_VERSION}"
    )]
    VersionNotSupported { accepted_version: u16 },
    #[error("cannot encode Hello")]
    Encode(#[source] EncodeError),
}

impl ConnectError {
    /// The control plane's certificate was not accepted (untrusted, expired, wrong name), as
    /// opposed to a network or protocol problem.
    pub(crate) fn certificate_problem(&self) -> Option<&rustls::CertificateError> {
        let tls_error = match self {
            Self::WebSocket(tungstenite::Error::Io(io)) => {
                io.get_ref()?.downcast_ref::<rustls::Error>()?
            }
            Self::WebSocket(tungstenite::Error::Tls(tungstenite::error::TlsError::Rustls(
                error,
            ))) => error,
            _ => return None,
        };
        match tls_error {
            rustls::Error::InvalidCertificate(problem) => Some(problem),
            _ => None,
        }
    }
}

/// Displays an error followed by each of its causes, separated by `: `. A cause whose text the
/// message already shows (some libraries print their source themselves) is not repeated.
pub(crate) struct ErrorChain<'a>(pub(crate) &'a (dyn Error + 'static));

impl fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown = self.0.to_string();
        let mut cause = self.0.source();
        while let Some(error) = cause {
            let text = error.to_string();
            if !shown.contains(&text) {
                shown.push_str(": ");
                shown.push_str(&text);
            }
            cause = error.source();
        }
        f.write_str(&shown)
    }
}

#[cfg(test)]
mod tests {
    use std::io;

    use super::*;

    fn check(error: &(dyn Error + 'static), expected: &str) {
        assert_eq!(ErrorChain(error).to_string(), expected);
    }

    #[test]
    fn chains() {
        let io_error = io::Error::new(io::ErrorKind::PermissionDenied, "permission denied");
        check(
            &SpoolError::io("/var/spool/x.seg", "created", io_error),
            "spool file /var/spool/x.seg could not be created: permission denied",
        );
        let reset = tungstenite::Error::Protocol(
            tungstenite::error::ProtocolError::ResetWithoutClosingHandshake,
        );
        check(
            &reset,
            "WebSocket protocol error: Connection reset without closing handshake",
        );
        check(
            &UplinkError::InvalidConfig {
                problems: vec!["a".into(), "b".into()],
            },
            "uplink configuration is invalid: a; b",
        );
    }
}
