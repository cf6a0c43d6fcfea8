//! Configuration of the uplink and the validated control-plane URL.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use proto::AgentToken;
use thiserror::Error;
use tokio_tungstenite::tungstenite::http::Uri;

use crate::spool::SpoolConfig;

/// The control plane's agent endpoint path, appended when a URL names only the host.
pub const AGENT_WS_PATH: &str = "/api/v1/agent/ws";

/// A `ws://` or `wss://` URL of the control plane's agent endpoint.
#[derive(Clone, PartialEq, Eq)]
pub struct ControlPlaneUrl(String);

/// The text is not a usable control-plane URL.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("control plane URL {text:?} {problem}; expected e.g. wss://noc.example.net or ws://10.0.0.5:8080{AGENT_WS_PATH}")]
pub struct ControlPlaneUrlError {
    pub text: String,
    pub problem: &'static str,
}

impl ControlPlaneUrl {
    /// Accepts `ws://` and `wss://` URLs with a host. A URL without a path gets `AGENT_WS_PATH`.
    pub fn parse(text: &str) -> Result<Self, ControlPlaneUrlError> {
        let error = |problem| ControlPlaneUrlError {
            text: text.to_owned(),
            problem,
        };
        let uri: Uri = text.parse().map_err(|_| error("is not a URL"))?;
        match uri.scheme_str() {
            Some("ws" | "wss") => {}
            Some(_) => return Err(error("must start with ws:// or wss://")),
            None => return Err(error("has no scheme")),
        }
        if uri.host().is_none_or(str::is_empty) {
            return Err(error("has no host"));
        }
        let trimmed = text.trim_end_matches('/');
        if uri.path() == "/" || uri.path().is_empty() {
            if uri.query().is_some() {
                return Err(error("has a query but no path"));
            }
            return Ok(Self(format!("{trimmed}{AGENT_WS_PATH}")));
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_tls(&self) -> bool {
        self.0.starts_with("wss://")
    }
}

impl fmt::Display for ControlPlaneUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for ControlPlaneUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ControlPlaneUrl({})", self.0)
    }
}

/// Everything the uplink needs. `Debug` never prints the token.
#[derive(Debug, Clone)]
pub struct UplinkConfig {
    pub url: ControlPlaneUrl,
    pub agent_id: String,
    /// This build's version, shown in the NOC console.
    pub agent_version: String,
    pub token: AgentToken,
    pub spool_dir: PathBuf,
    pub spool: SpoolConfig,
    /// Limit for the TCP and WebSocket connect, and again for the `HelloAck` after `Hello`.
    pub hello_timeout: Duration,
    /// After this long without a frame from the control plane the uplink sends a `Ping`; after
    /// as long again without an answer the connection is considered dead.
    pub ping_interval: Duration,
    /// First reconnect delay ceiling; doubles per failed attempt up to `reconnect_max`.
    pub reconnect_initial: Duration,
    pub reconnect_max: Duration,
    /// A connection that lasted this long counts as healthy and resets the reconnect delay.
    pub healthy_after: Duration,
    /// How many non-`Samples` frames (optics, session events, command results) are kept while
    /// disconnected; beyond it the oldest are dropped and counted.
    pub outbox_capacity: usize,
    /// PEM file of a private CA trusted for `wss://`, besides the system's roots.
    pub ca_file: Option<PathBuf>,
}

impl UplinkConfig {
    pub const DEFAULT_HELLO_TIMEOUT: Duration = Duration::from_secs(10);
    pub const DEFAULT_PING_INTERVAL: Duration = Duration::from_secs(15);
    pub const DEFAULT_RECONNECT_INITIAL: Duration = Duration::from_millis(500);
    pub const DEFAULT_RECONNECT_MAX: Duration = Duration::from_secs(30);
    pub const DEFAULT_HEALTHY_AFTER: Duration = Duration::from_secs(10);
    pub const DEFAULT_OUTBOX_CAPACITY: usize = 1024;

    /// A configuration with the default timings and a 512 MiB spool.
    pub fn new(
        url: ControlPlaneUrl,
        agent_id: impl Into<String>,
        token: AgentToken,
        spool_dir: impl Into<PathBuf>,
    ) -> Self {
        Self {
            url,
            agent_id: agent_id.into(),
            agent_version: env!("CARGO_PKG_VERSION").to_owned(),
            token,
            spool_dir: spool_dir.into(),
            spool: SpoolConfig::default(),
            hello_timeout: Self::DEFAULT_HELLO_TIMEOUT,
            ping_interval: Self::DEFAULT_PING_INTERVAL,
            reconnect_initial: Self::DEFAULT_RECONNECT_INITIAL,
            reconnect_max: Self::DEFAULT_RECONNECT_MAX,
            healthy_after: Self::DEFAULT_HEALTHY_AFTER,
            outbox_capacity: Self::DEFAULT_OUTBOX_CAPACITY,
            ca_file: None,
        }
    }

    /// Every problem with the configuration, not just the first.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.agent_id.trim().is_empty() {
            problems.push(
                "agent id is empty; set the id the control plane knows this agent by".to_owned(),
            );
        }
        if self.token.expose_secret().is_empty() {
            problems.push("agent token is empty; set the token issued for this agent".to_owned());
        }
        for (name, value) in [
            ("hello timeout", self.hello_timeout),
            ("ping interval", self.ping_interval),
            ("initial reconnect delay", self.reconnect_initial),
        ] {
            if value.is_zero() {
                problems.push(format!("{name} must be above zero"));
            }
        }
        if self.reconnect_max < self.reconnect_initial {
            problems.push(format!(
                "maximum reconnect delay ({} ms) is below the initial one ({} ms)",
                self.reconnect_max.as_millis(),
                self.reconnect_initial.as_millis()
            ));
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: Result<&str, &str>) {
        let parsed = ControlPlaneUrl::parse(text);
        match expected {
            Ok(url) => assert_eq!(parsed.map(|u| u.0).as_deref(), Ok(url), "{text}"),
            Err(problem) => assert_eq!(parsed.map_err(|e| e.problem), Err(problem), "{text}"),
        }
    }

    #[test]
    fn urls() {
        check(
            "wss://noc.example.net",
            Ok("wss://noc.example.net/api/v1/agent/ws"),
        );
        check(
            "ws://127.0.0.1:8080/",
            Ok("ws://127.0.0.1:8080/api/v1/agent/ws"),
        );
        check(
            "ws://10.0.0.5:8080/custom/ws",
            Ok("ws://10.0.0.5:8080/custom/ws"),
        );
        check(
            "https://noc.example.net",
            Err("must start with ws:// or wss://"),
        );
        check("noc.example.net", Err("has no scheme"));
        check("ws://", Err("is not a URL"));
        check("not a url", Err("is not a URL"));
    }

    #[test]
    fn debug_hides_the_token() {
        let config = UplinkConfig::new(
            ControlPlaneUrl::parse("ws://127.0.0.1:1").expect("url"),
            "site-a",
            AgentToken::new("s3cret"),
            "/tmp/spool",
        );
        let printed = format!("{config:?}");
        assert!(!printed.contains("s3cret"), "{printed}");
        assert!(config.problems().is_empty());
    }
}
