//! The `[webhooks]` configuration: how many times and how often a delivery is tried, and how
//! long one attempt may take; which CA signs private `https://` receivers, and which internal
//! networks customers' webhooks may reach.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use crate::alerts::networks::Network;

/// The resolved `[webhooks]` settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookSettings {
    /// Attempts before a delivery is given up as failed.
    pub max_attempts: u32,
    /// Wait before the first retry; each further retry waits twice as long, at most an hour.
    pub retry_base: Duration,
    /// Limit of one attempt (connect, send, answer).
    pub timeout: Duration,
    /// A private CA that signs `https://` receivers, trusted besides the system's roots.
    pub ca_file: Option<PathBuf>,
    /// Internal address blocks customers' webhooks may reach anyway (loopback, private,
    /// link-local and carrier-grade NAT are refused otherwise).
    pub allow_private_networks: Vec<Network>,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            max_attempts: 6,
            retry_base: Duration::from_secs(30),
            timeout: Duration::from_secs(10),
            ca_file: None,
            allow_private_networks: Vec::new(),
        }
    }
}

/// The `[webhooks]` table of the file. Unknown keys are errors.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FileWebhooks {
    max_attempts: Option<u32>,
    retry_base_secs: Option<u64>,
    timeout_secs: Option<u64>,
    ca_file: Option<PathBuf>,
    allow_private_networks: Option<Vec<String>>,
}

/// Applies the file's `[webhooks]` values; `at` names a key for error messages.
pub fn apply_file(
    settings: &mut WebhookSettings,
    file: FileWebhooks,
    at: &dyn Fn(&str) -> String,
    problems: &mut Vec<String>,
) {
    match file.max_attempts {
        Some(n) if !(1..=20).contains(&n) => problems.push(format!(
            "{}: must be from 1 to 20",
            at("webhooks.max_attempts")
        )),
        Some(n) => settings.max_attempts = n,
        None => {}
    }
    match file.retry_base_secs {
        Some(0) => problems.push(format!(
            "{}: must be at least 1 second",
            at("webhooks.retry_base_secs")
        )),
        Some(secs) => settings.retry_base = Duration::from_secs(secs),
        None => {}
    }
    match file.timeout_secs {
        Some(secs) if !(1..=60).contains(&secs) => problems.push(format!(
            "{}: must be from 1 to 60 seconds",
            at("webhooks.timeout_secs")
        )),
        Some(secs) => settings.timeout = Duration::from_secs(secs),
        None => {}
    }
    if let Some(path) = file.ca_file {
        settings.ca_file = Some(path);
    }
    if let Some(blocks) = file.allow_private_networks {
        let mut networks = Vec::new();
        for block in blocks {
            match Network::parse(&block) {
                Ok(n) => networks.push(n),
                Err(why) => {
                    problems.push(format!("{}: {why}", at("webhooks.allow_private_networks")))
                }
            }
        }
        settings.allow_private_networks = networks;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(text: &str) -> (WebhookSettings, Vec<String>) {
        let file: FileWebhooks = toml::from_str(text).unwrap();
        let mut settings = WebhookSettings::default();
        let mut problems = Vec::new();
        apply_file(&mut settings, file, &|k| k.to_owned(), &mut problems);
        (settings, problems)
    }

    #[test]
    fn every_key_is_read_and_checked() {
        let (s, problems) = apply(
            "max_attempts = 3\nretry_base_secs = 5\ntimeout_secs = 2\n\
             ca_file = \"/etc/netops/webhook-ca.pem\"\nallow_private_networks = [\"10.9.0.0/16\"]",
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            s,
            WebhookSettings {
                max_attempts: 3,
                retry_base: Duration::from_secs(5),
                timeout: Duration::from_secs(2),
                ca_file: Some(PathBuf::from("/etc/netops/webhook-ca.pem")),
                allow_private_networks: vec![Network::parse("10.9.0.0/16").unwrap()],
            }
        );
        let (_, problems) = apply(
            "max_attempts = 0\nretry_base_secs = 0\ntimeout_secs = 600\n\
             allow_private_networks = [\"10.9.0.0/99\"]",
        );
        assert_eq!(problems.len(), 4, "{problems:?}");
    }
}
