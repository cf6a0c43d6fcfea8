//! `Tr069Error`: why a request to the GenieACS NBI did not give an answer netops can use.

use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum Tr069Error {
    #[error("{url:?} is not a usable NBI URL: {reason}")]
    BadUrl { url: String, reason: String },
    #[error("cannot use the NBI CA file {}: {reason}", path.display())]
    BadCaFile { path: PathBuf, reason: String },
    #[error("the CPE id is empty")]
    EmptyCpeId,
    #[error("GenieACS has no device {cpe:?} (No such device)")]
    NoSuchDevice { cpe: String },
    #[error("the NBI at {url} refused the credentials (HTTP {status})")]
    Unauthorized { url: String, status: u16 },
    #[error("the NBI at {url} did not answer within {} s", within.as_secs_f64())]
    Timeout { url: String, within: Duration },
    #[error("cannot reach the NBI at {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("the NBI answered {what} with HTTP {status}: {body}")]
    UnexpectedStatus {
        what: &'static str,
        status: u16,
        body: String,
    },
    #[error("the NBI's answer to {what} is not what GenieACS sends: {reason}")]
    BadAnswer { what: &'static str, reason: String },
}

impl Tr069Error {
    /// Whether the request may have reached the NBI and been acted on.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Timeout { .. })
    }
}
