//! Prometheus metrics of the device command pipeline (registered under the `netops_` prefix).

use prometheus::{IntCounterVec, Opts, Registry};

pub struct CommandMetrics {
    /// `netops_commands_dispatched_total{kind}`: command frames written to an agent's socket,
    /// re-sends after a reconnect included.
    pub dispatched: IntCounterVec,
    /// `netops_commands_unsendable_total{kind}`: commands failed before sending because their
    /// row cannot become a wire command (missing PPPoE username, bad PON port, …).
    pub unsendable: IntCounterVec,
    /// `netops_command_results_total{state}`: results agents reported, by their state.
    pub results: IntCounterVec,
    /// `netops_command_results_ignored_total{reason}`: unknown command, an agent of another
    /// site, or a command already finished.
    pub results_ignored: IntCounterVec,
    /// `netops_commands_expired_total{reason}`: `agent_offline`, `no_result`, `no_device`.
    pub expired: IntCounterVec,
}

impl CommandMetrics {
    pub fn register(registry: &Registry) -> Result<Self, prometheus::Error> {
        let counter = |name: &str, help: &str, label: &str| {
            IntCounterVec::new(Opts::new(name, help), &[label])
        };
        let metrics = Self {
            dispatched: counter(
                "commands_dispatched_total",
                "Device commands written to an agent's connection, by kind",
                "kind",
            )?,
            unsendable: counter(
                "commands_unsendable_total",
                "Device commands failed before sending for missing or invalid target data, by kind",
                "kind",
            )?,
            results: counter(
                "command_results_total",
                "Command results reported by agents, by state",
                "state",
            )?,
            results_ignored: counter(
                "command_results_ignored_total",
                "Command results not applied, by reason",
                "reason",
            )?,
            expired: counter(
                "commands_expired_total",
                "Device commands expired, by reason",
                "reason",
            )?,
        };
        registry.register(Box::new(metrics.dispatched.clone()))?;
        registry.register(Box::new(metrics.unsendable.clone()))?;
        registry.register(Box::new(metrics.results.clone()))?;
        registry.register(Box::new(metrics.results_ignored.clone()))?;
        registry.register(Box::new(metrics.expired.clone()))?;
        Ok(metrics)
    }
}
