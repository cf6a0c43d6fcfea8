//! What `systemctl reload` (SIGHUP) changes in a running agent. `plan_reload` is pure: it
//! compares the running configuration with a new, valid one. Devices added, removed or changed
//! restart alone; the log filter applies at once; every other changed key is named as needing a
//! restart. `Reloader` reads the file and carries the plan out.

use std::collections::BTreeMap;
use std::path::PathBuf;

use tokio::sync::mpsc;
use tracing_subscriber::{reload, EnvFilter, Registry};

use crate::config::{load_config, AgentConfig, DeviceConfig};

/// Changes the log filter of the running process.
pub type LogFilterHandle = reload::Handle<EnvFilter, Registry>;

/// Devices whose tasks a reload starts or stops, by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceChanges {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// Address, credentials, profile or any other setting differs: stopped, then started again.
    pub changed: Vec<String>,
}

impl DeviceChanges {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// Which device tasks must change to go from `running` to `new`.
pub fn device_changes(running: &[DeviceConfig], new: &[DeviceConfig]) -> DeviceChanges {
    let old: BTreeMap<&str, &DeviceConfig> = running.iter().map(|d| (d.name.as_str(), d)).collect();
    let new: BTreeMap<&str, &DeviceConfig> = new.iter().map(|d| (d.name.as_str(), d)).collect();
    let mut changes = DeviceChanges::default();
    for (name, device) in &new {
        match old.get(name) {
            None => changes.added.push((*name).to_owned()),
            Some(before) if before != device => changes.changed.push((*name).to_owned()),
            Some(_) => {}
        }
    }
    changes.removed = old
        .keys()
        .filter(|name| !new.contains_key(*name))
        .map(|name| (*name).to_owned())
        .collect();
    changes
}

/// Whether any device is reached over IPv6 (the agent's SNMP socket is bound for it at start).
pub fn needs_ipv6(devices: &[DeviceConfig]) -> bool {
    devices.iter().any(|device| {
        device.snmp_over_ipv6() || device.radius.as_ref().is_some_and(|r| r.nas.addr.is_ipv6())
    })
}

/// What a reload does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReloadPlan {
    /// The new log filter, when it differs.
    pub log_filter: Option<String>,
    pub devices: DeviceChanges,
    /// Changed keys the running agent keeps until it is restarted.
    pub needs_restart: Vec<&'static str>,
}

pub fn plan_reload(running: &AgentConfig, new: &AgentConfig) -> ReloadPlan {
    let mut needs_restart = Vec::new();
    let mut differs = |changed: bool, key: &'static str| {
        if changed {
            needs_restart.push(key);
        }
    };
    differs(running.agent_id != new.agent_id, "agent.id");
    differs(running.agent_name != new.agent_name, "agent.name");
    differs(
        running.control_plane_url != new.control_plane_url,
        "control_plane.url",
    );
    differs(running.token != new.token, "control_plane.token");
    differs(
        running.control_plane_ca_file != new.control_plane_ca_file,
        "control_plane.ca_file",
    );
    differs(running.spool_dir != new.spool_dir, "spool.dir");
    differs(
        running.metrics_listen != new.metrics_listen,
        "metrics.listen",
    );
    differs(running.ntp_server != new.ntp_server, "clock.ntp_server");
    differs(
        running.clock_check_interval != new.clock_check_interval,
        "clock.check_interval_s",
    );
    differs(running.profiles_dir != new.profiles_dir, "profiles_dir");
    differs(running.commands != new.commands, "commands");
    differs(
        needs_ipv6(&new.devices) && !needs_ipv6(&running.devices),
        "devices (the first IPv6 address: the SNMP and RADIUS sockets are IPv4 until a restart)",
    );
    ReloadPlan {
        log_filter: (running.log_filter != new.log_filter).then(|| new.log_filter.clone()),
        devices: device_changes(&running.devices, &new.devices),
        needs_restart,
    }
}

/// Re-reads the configuration file the agent was started with.
pub struct Reloader {
    path: PathBuf,
    /// What the agent runs with now: the start configuration plus what reloads applied.
    running: AgentConfig,
    /// `None` when `RUST_LOG` sets the filter, which then wins over `[log] filter`.
    log: Option<LogFilterHandle>,
    /// The running agent's device list (`run_agent_with_reloads`).
    devices: mpsc::Sender<Vec<DeviceConfig>>,
}

impl Reloader {
    pub fn new(
        path: PathBuf,
        running: AgentConfig,
        log: Option<LogFilterHandle>,
        devices: mpsc::Sender<Vec<DeviceConfig>>,
    ) -> Self {
        Self {
            path,
            running,
            log,
            devices,
        }
    }

    /// One reload: an invalid file is logged problem by problem and changes nothing.
    pub async fn reload(&mut self) {
        let new = match load_config(&self.path) {
            Ok(new) => new,
            Err(error) => {
                for problem in error.problems() {
                    tracing::error!(%problem, "configuration problem");
                }
                tracing::error!(%error, "configuration reload refused; still running with the previous configuration");
                return;
            }
        };
        let plan = plan_reload(&self.running, &new);
        if let Some(filter) = &plan.log_filter {
            match &self.log {
                Some(handle) => match EnvFilter::try_new(filter)
                    .map_err(|e| e.to_string())
                    .and_then(|f| handle.reload(f).map_err(|e| e.to_string()))
                {
                    Ok(()) => self.running.log_filter = filter.clone(),
                    Err(error) => tracing::error!(%error, "cannot apply log.filter"),
                },
                None => tracing::warn!("RUST_LOG is set and wins over log.filter"),
            }
        }
        if !plan.devices.is_empty() {
            if self.devices.send(new.devices.clone()).await.is_err() {
                tracing::error!("the agent is stopping; devices not reloaded");
                return;
            }
            self.running.devices = new.devices.clone();
        }
        for key in &plan.needs_restart {
            tracing::warn!(
                key,
                "changed key applies only after a restart (systemctl restart netops-edge-agent)"
            );
        }
        tracing::info!(
            devices_added = plan.devices.added.len(),
            devices_removed = plan.devices.removed.len(),
            devices_restarted = plan.devices.changed.len(),
            keys_needing_restart = plan.needs_restart.len(),
            "configuration reloaded"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_config;

    fn config(extra: &str, devices: &str) -> AgentConfig {
        let text = format!(
            "[agent]\nid = \"site\"\n[control_plane]\nurl = \"ws://127.0.0.1:1/agent\"\ntoken = \"t\"\n[spool]\ndir = \"spool\"\n{extra}\n{devices}"
        );
        parse_config(&text, std::path::Path::new("/tmp")).expect("valid test configuration")
    }

    fn device(name: &str, address: &str, community: &str) -> String {
        format!(
            "[[devices]]\nname = \"{name}\"\naddress = \"{address}\"\nsnmp = {{ version = \"2c\", community = \"{community}\" }}\n"
        )
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|name| (*name).to_owned()).collect()
    }

    #[test]
    fn unchanged_devices_are_left_alone() {
        let a = config("", &device("a", "127.0.0.1:1161", "public"));
        assert!(plan_reload(&a, &a.clone()).devices.is_empty());
        assert_eq!(plan_reload(&a, &a).needs_restart, Vec::<&str>::new());
    }

    #[test]
    fn devices_are_added_removed_and_changed_by_name() {
        let running = config(
            "",
            &[
                device("keep", "127.0.0.1:1161", "public"),
                device("gone", "127.0.0.1:1162", "public"),
                device("moved", "127.0.0.1:1163", "public"),
                device("rekeyed", "127.0.0.1:1164", "public"),
            ]
            .concat(),
        );
        let new = config(
            "",
            &[
                device("rekeyed", "127.0.0.1:1164", "secret"),
                device("keep", "127.0.0.1:1161", "public"),
                device("moved", "127.0.0.1:1173", "public"),
                device("new", "127.0.0.1:1165", "public"),
            ]
            .concat(),
        );
        let plan = plan_reload(&running, &new);
        assert_eq!(
            plan.devices,
            DeviceChanges {
                added: names(&["new"]),
                removed: names(&["gone"]),
                changed: names(&["moved", "rekeyed"]),
            }
        );
        assert!(plan.needs_restart.is_empty(), "{:?}", plan.needs_restart);
    }

    #[test]
    fn the_log_filter_applies_live() {
        let devices = device("a", "127.0.0.1:1161", "public");
        let plan = plan_reload(
            &config("", &devices),
            &config("[log]\nfilter = \"debug\"", &devices),
        );
        assert_eq!(plan.log_filter.as_deref(), Some("debug"));
        assert!(plan.needs_restart.is_empty());
    }

    #[test]
    fn uplink_spool_and_metrics_keys_need_a_restart() {
        let devices = device("a", "127.0.0.1:1161", "public");
        let running = config("", &devices);
        let text = "[metrics]\nlisten = \"127.0.0.1:9999\"\n[commands]\nradius_attempts = 5";
        let plan = plan_reload(&running, &config(text, &devices));
        assert_eq!(plan.needs_restart, vec!["metrics.listen", "commands"]);
        let mut moved = running.clone();
        moved.spool_dir = "/elsewhere".into();
        moved.control_plane_url = "ws://127.0.0.1:2/agent".into();
        assert_eq!(
            plan_reload(&running, &moved).needs_restart,
            vec!["control_plane.url", "spool.dir"]
        );
    }

    #[test]
    fn a_first_ipv6_device_needs_a_restart() {
        let running = config("", &device("a", "127.0.0.1:1161", "public"));
        let new = config(
            "",
            &[
                device("a", "127.0.0.1:1161", "public"),
                device("b", "[::1]:1161", "public"),
            ]
            .concat(),
        );
        let plan = plan_reload(&running, &new);
        assert_eq!(plan.devices.added, names(&["b"]));
        assert_eq!(plan.needs_restart.len(), 1);
    }
}
