//! `systemctl reload` (SIGHUP): re-read the configuration, keep the running one when the new
//! one is invalid, apply the log filter at once, and name every other changed key that needs a
//! restart. Nothing is closed: agent and live streams stay open.

use std::path::PathBuf;

use crate::config::{Config, Overrides};
use crate::telemetry::LogFilterHandle;

/// What a valid new configuration changes. Pure; see [`plan_reload`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReloadPlan {
    /// The new log filter, when it differs from the running one.
    pub log_filter: Option<String>,
    /// Changed keys the running process keeps until it is restarted.
    pub needs_restart: Vec<&'static str>,
}

/// Compares the running configuration with a new one.
pub fn plan_reload(running: &Config, new: &Config) -> ReloadPlan {
    let mut needs_restart = Vec::new();
    let mut differs = |changed: bool, key: &'static str| {
        if changed {
            needs_restart.push(key);
        }
    };
    differs(running.listen != new.listen, "listen");
    differs(running.data_dir != new.data_dir, "data_dir");
    differs(running.database_url != new.database_url, "database.url");
    differs(
        running.database_max_connections != new.database_max_connections,
        "database.max_connections",
    );
    differs(running.jwt_secret != new.jwt_secret, "auth.jwt_secret");
    differs(
        running.jwt_ttl_secs != new.jwt_ttl_secs,
        "auth.jwt_ttl_secs",
    );
    differs(running.log_format != new.log_format, "log.format");
    let (old_limits, new_limits) = (&running.limits, &new.limits);
    differs(
        old_limits.customer_requests_per_minute != new_limits.customer_requests_per_minute,
        "limits.customer_requests_per_minute",
    );
    differs(
        old_limits.login_failures_per_identifier != new_limits.login_failures_per_identifier,
        "limits.login_failures_per_identifier",
    );
    differs(
        old_limits.login_failures_per_address != new_limits.login_failures_per_address,
        "limits.login_failures_per_address",
    );
    differs(
        old_limits.login_lockout_secs != new_limits.login_lockout_secs,
        "limits.login_lockout_secs",
    );
    differs(
        old_limits.reboot_cooldown_secs != new_limits.reboot_cooldown_secs,
        "limits.reboot_cooldown_secs",
    );
    differs(
        old_limits.disconnect_cooldown_secs != new_limits.disconnect_cooldown_secs,
        "limits.disconnect_cooldown_secs",
    );
    differs(running.aaa != new.aaa, "aaa");
    differs(running.commands != new.commands, "commands");
    differs(running.webhooks != new.webhooks, "webhooks");
    differs(running.email != new.email, "email");
    differs(running.outages != new.outages, "outages");
    ReloadPlan {
        log_filter: (running.log_filter != new.log_filter).then(|| new.log_filter.clone()),
        needs_restart,
    }
}

/// Re-reads the configuration the process was started with, on each SIGHUP.
pub struct Reloader {
    file: Option<PathBuf>,
    overrides: Overrides,
    /// What the process runs with now: the start configuration plus what reloads applied.
    running: Config,
    log: LogFilterHandle,
}

impl Reloader {
    pub fn new(
        file: Option<PathBuf>,
        overrides: Overrides,
        running: Config,
        log: LogFilterHandle,
    ) -> Self {
        Self {
            file,
            overrides,
            running,
            log,
        }
    }

    /// One reload: load, validate, apply what applies live, log the rest.
    pub fn reload(&mut self) {
        let new = match Config::load(self.file.as_deref(), &self.overrides) {
            Ok(new) => new,
            Err(err) => {
                for problem in &err.problems {
                    tracing::error!(%problem, "configuration problem");
                }
                tracing::error!(
                    problems = err.problems.len(),
                    "configuration reload refused; still running with the previous configuration"
                );
                return;
            }
        };
        let plan = plan_reload(&self.running, &new);
        if let Some(filter) = &plan.log_filter {
            match self.log.set(filter) {
                Ok(()) => self.running.log_filter = filter.clone(),
                Err(error) => tracing::error!(%error, "cannot apply log.filter"),
            }
        }
        for key in &plan.needs_restart {
            tracing::warn!(
                key,
                "changed key applies only after a restart (systemctl restart netops-control-plane)"
            );
        }
        tracing::info!(
            log_filter_applied = plan.log_filter.is_some(),
            keys_needing_restart = plan.needs_restart.len(),
            "configuration reloaded"
        );
    }
}

/// Listens for SIGHUP from now on (so a reload never kills the process) and reloads on each.
#[cfg(unix)]
pub fn reload_on_hangup(mut reloader: Reloader) -> std::io::Result<tokio::task::JoinHandle<()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut hangups = signal(SignalKind::hangup())?;
    Ok(tokio::spawn(async move {
        while hangups.recv().await.is_some() {
            tracing::info!("SIGHUP: reloading the configuration");
            reloader.reload();
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{LogFormat, Secret};

    fn check(change: impl FnOnce(&mut Config), log_filter: Option<&str>, restart: &[&str]) {
        let running = Config::default();
        let mut new = running.clone();
        change(&mut new);
        let plan = plan_reload(&running, &new);
        assert_eq!(plan.log_filter.as_deref(), log_filter);
        assert_eq!(plan.needs_restart, restart);
    }

    #[test]
    fn nothing_changed() {
        check(|_| {}, None, &[]);
    }

    #[test]
    fn the_log_filter_applies_live() {
        check(|c| c.log_filter = "debug".into(), Some("debug"), &[]);
    }

    #[test]
    fn other_keys_need_a_restart() {
        check(|c| c.listen.set_port(9999), None, &["listen"]);
        check(|c| c.log_format = LogFormat::Json, None, &["log.format"]);
        check(
            |c| c.database_url = Some("postgres://db/netops".into()),
            None,
            &["database.url"],
        );
        check(
            |c| c.jwt_secret = Some(Secret::new("x".repeat(32))),
            None,
            &["auth.jwt_secret"],
        );
        check(
            |c| c.limits.login_lockout_secs = 1,
            None,
            &["limits.login_lockout_secs"],
        );
        check(|c| c.aaa.stale_check_secs = 1, None, &["aaa"]);
        check(
            |c| c.commands.expiry_check = std::time::Duration::from_secs(9),
            None,
            &["commands"],
        );
        check(|c| c.webhooks.max_attempts = 2, None, &["webhooks"]);
        check(|c| c.email.port = 2525, None, &["email"]);
    }

    #[test]
    fn every_change_is_named() {
        check(
            |c| {
                c.log_filter = "warn".into();
                c.data_dir = "/elsewhere".into();
                c.jwt_ttl_secs = 60;
            },
            Some("warn"),
            &["data_dir", "auth.jwt_ttl_secs"],
        );
    }
}
